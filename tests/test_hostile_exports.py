"""Hostile exports, careless paths: hardening, part two (issue 26).

Text read from an export or a path reaches a written scenario only as data; writers never
replace one of their inputs or a device; every CSV the project writes is safe to open in a
spreadsheet; ``--shrinkage`` is read like an arrival CSV; bad values end in one line naming
the file and the key, column or row (exit code 2).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.calibration.scenario_yaml import scenario_yaml as fitted_yaml
from sim.cli.main import main
from sim.scenario.loading import load_raw
from sim.scenario.schema import Scenario
from sim.scenario.user_text import yaml_comment
from sim.scenario.yaml_input import load_yaml
from sim.staffing.staffed_scenario import scenario_yaml as staffed_yaml

ROOT = Path(__file__).resolve().parent.parent
EXPORT = ROOT / "examples" / "salesforce-export"
DESK = ROOT / "scenarios" / "web_chat_desk.yaml"

INJECTION = "e\u2028arrival_scale: 100\u2028#"
"""The folder name of the issue: PyYAML ends a comment at U+2028."""

HOSTILE_TEXT = ("x\u2028arrival_scale: 100\u2029seed: 7\x85horizon: 1h\r\nname: y\x1b[31m"
                "\x7f\x00\t\ufeff\ud800 \"quoted\" 'single' #hash: {a: 1} [b] &c *d !e")
"""Every character that ends a YAML comment or makes a file unreadable, and YAML syntax."""


def _flat_keys(node: Any, path: str = "") -> set[str]:
    """Every key path of a loaded document (lists by position)."""
    if isinstance(node, dict):
        return {key for name, value in node.items()
                for key in {f"{path}.{name}"} | _flat_keys(value, f"{path}.{name}")}
    if isinstance(node, list):
        return {key for index, value in enumerate(node)
                for key in _flat_keys(value, f"{path}[{index}]")}
    return set()


# ---------------------------------------------------------------- 1: YAML injection
def _calibrate(tmp_path: Path, folder_name: str, queue_name: str = "support") -> dict[str, Any]:
    export = tmp_path / folder_name
    shutil.copytree(EXPORT, export)
    if queue_name != "support":
        group = export / "Group.csv"
        group.write_text(group.read_text(encoding="utf-8").replace(",support,",
                                                                    f',"{queue_name}",'),
                         encoding="utf-8")
    out = tmp_path / f"fitted-{len(list(tmp_path.iterdir()))}.yaml"
    assert main(["calibrate", str(export), "--out", str(out)]) == 0
    return load_raw(out)


def test_a_folder_name_or_queue_name_cannot_add_a_key(tmp_path: Path, capsys) -> None:
    plain = _calibrate(tmp_path, "export")
    queue = "".join(c for c in HOSTILE_TEXT if c not in '\x00"\ud800')  # one CSV field
    hostile = _calibrate(tmp_path, INJECTION + "\x1b\x85\u2029", queue_name=queue)
    assert "arrival_scale" not in hostile
    assert _flat_keys(hostile) == _flat_keys(plain)
    assert hostile["name"] == f"Calibrated from {INJECTION}\x1b\x85\u2029"
    assert hostile["channels"][0]["queue"] == queue
    assert hostile["queues"][0]["name"] == queue
    assert hostile["agent_groups"][0]["queues"] == [queue]
    capsys.readouterr()


@settings(max_examples=60, deadline=None)
@given(text=st.text(), key=st.text(min_size=1))
def test_the_fitted_writer_round_trips_any_text(text: str, key: str) -> None:
    values = {"name": text, "channels": [{"name": text, key: {"kind": text, "mean": 1.5}}],
              key: [1, 2.5], "description": text}
    comments = {("name",): text, ("channels", 0, "name"): text, (key,): text}
    written = fitted_yaml(values, comments, [text, text])
    assert load_yaml(written) == values


@settings(max_examples=60, deadline=None)
@given(text=st.text())
def test_a_comment_is_one_line_of_printable_text(text: str) -> None:
    comment = yaml_comment(text)
    assert comment.isprintable()
    assert yaml.safe_load(f"# {comment}\nkey: 1\n") == {"key": 1}


def test_the_staffed_scenario_keeps_names_as_data() -> None:
    raw = load_raw(DESK)
    raw["name"] = HOSTILE_TEXT.replace("\x00", "")
    raw["agent_groups"][0]["name"] = INJECTION
    scenario = Scenario.model_validate(raw)
    written = staffed_yaml(scenario, f"Staffed groups: {INJECTION}\nfrom {HOSTILE_TEXT}")
    assert load_yaml(written) == scenario.model_dump(mode="json")
    assert written.startswith("# Staffed groups: e\\u2028arrival_scale: 100\\u2028#\n# from ")
