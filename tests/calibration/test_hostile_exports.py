"""Hostile exports, careless paths: hardening, part two (issue 26).

Text read from an export or a path reaches a written scenario only as data; writers never
replace one of their inputs or a device; every CSV the project writes is safe to open in a
spreadsheet; ``--shrinkage`` is read like an arrival CSV; bad values end in one line naming
the file and the key, column or row (exit code 2).
"""

from __future__ import annotations

import builtins
import csv
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from cli_helpers import desk_yaml, one_error_line, write
from hypothesis import given
from hypothesis import strategies as st

from sim.calibration.scenario_yaml import scenario_yaml as fitted_yaml
from sim.cli.main import main
from sim.cli.staff import iterations_within_limits, parse_shrinkage
from sim.reports.files import write_sessions
from sim.scenario.loading import load_raw, load_scenario
from sim.scenario.schema import Scenario
from sim.scenario.user_text import FORMULA_STARTS, spreadsheet_cell, yaml_comment
from sim.scenario.workload_limits import run_problems
from sim.scenario.yaml_input import (
    HAVE_LIBYAML,
    MAX_SCENARIO_BYTES,
    YamlInputError,
    load_yaml,
)
from sim.staffing.staffed_scenario import scenario_yaml as staffed_yaml

ROOT = Path(__file__).resolve().parents[2]
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


@pytest.mark.slow
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


@given(text=st.text(), key=st.text(min_size=1))
def test_the_fitted_writer_round_trips_any_text(text: str, key: str) -> None:
    values = {"name": text, "channels": [{"name": text, key: {"kind": text, "mean": 1.5}}],
              key: [1, 2.5], "description": text}
    comments = {("name",): text, ("channels", 0, "name"): text, (key,): text}
    written = fitted_yaml(values, comments, [text, text])
    assert load_yaml(written) == values


@given(text=st.text())
def test_a_comment_is_one_line_of_printable_text(text: str) -> None:
    comment = yaml_comment(text)
    assert comment.isprintable()
    assert yaml.safe_load(f"# {comment}\nkey: 1\n") == {"key": 1}


@pytest.mark.slow
def test_an_undecodable_folder_name_is_written_as_visible_text(tmp_path: Path) -> None:
    name = os.fsdecode(b"export\xff")  # a lone surrogate in Python
    fitted = _calibrate(tmp_path, name)
    assert fitted["name"] == "Calibrated from export\\udcff"


def test_the_staffed_scenario_keeps_names_as_data() -> None:
    raw = load_raw(DESK)
    raw["name"] = HOSTILE_TEXT.replace("\x00", "").replace("\ud800", "")  # not a character
    raw["agent_groups"][0]["name"] = INJECTION
    scenario = Scenario.model_validate(raw)
    written = staffed_yaml(scenario, f"Staffed groups: {INJECTION}\nfrom {HOSTILE_TEXT}")
    assert load_yaml(written) == scenario.model_dump(mode="json")
    assert written.startswith("# Staffed groups: e\\u2028arrival_scale: 100\\u2028#\n# from ")


# ------------------------------------------------- 2: writers that replace inputs or devices
def _snapshot(folder: Path) -> dict[str, tuple[int, bytes | None]]:
    """Every entry below ``folder``: its mode and, for a regular file, its bytes."""
    found = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        regular = stat.S_ISREG(info.st_mode)
        found[str(path.relative_to(folder))] = (info.st_mode, path.read_bytes() if regular
                                                else None)
    return found


def _special(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / kind
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        if os.geteuid() != 0:
            pytest.skip("making a device node needs root")
        os.mknod(path, 0o644 | stat.S_IFCHR, os.makedev(1, 3))  # a copy of /dev/null
    elif kind == "folder":
        path.mkdir()
    return path


@pytest.mark.parametrize(("out", "found"), [
    ("export/AgentWork.csv", "is export/AgentWork.csv, one of the command's inputs"),
    ("export/./Group.csv", "is export/Group.csv, one of the command's inputs"),
    ("link.csv", "is export/AgentWork.csv, one of the command's inputs"),
    ("hard.csv", "is export/MessagingSession.csv, one of the command's inputs"),
    ("export", "is a folder, not a regular file"),
    ("fifo", "is a FIFO (named pipe), not a regular file"),
    ("device", "is a character device, not a regular file"),
])
def test_calibrate_never_replaces_its_export_or_a_device(tmp_path: Path, monkeypatch, capsys,
                                                         out: str, found: str) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(EXPORT, "export")
    (tmp_path / "link.csv").symlink_to("export/AgentWork.csv")
    os.link("export/MessagingSession.csv", "hard.csv")
    if out in ("fifo", "device"):
        _special(tmp_path, out)
    before = _snapshot(tmp_path)
    line = one_error_line(main(["calibrate", "export", "--out", out]),
                          capsys.readouterr().err)
    assert line == (f"ccsim: error: --out {Path(out)}: {found}; expected a new file, or a "
                    "regular file that the command does not read")
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize(("target", "found"), [
    ("desk.yaml", "is desk.yaml, one of the command's inputs"),
    ("arrivals.csv", "is arrivals.csv, one of the command's inputs"),
    ("shrinkage.csv", "is shrinkage.csv, one of the command's inputs"),
    ("fifo", "is a FIFO (named pipe), not a regular file"),
    ("device", "is a character device, not a regular file"),
])
def test_staff_never_writes_its_scenario_over_an_input_or_a_device(
        tmp_path: Path, monkeypatch, capsys, target: str, found: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "arrivals.csv").write_text("volume\n" + "4\n" * 4, encoding="utf-8")
    (tmp_path / "shrinkage.csv").write_text("shrinkage\n" + "0.1\n" * 4, encoding="utf-8")
    write(tmp_path, desk_yaml(rate="20/h").replace("{rate: 20/h}", "{csv: arrivals.csv}"))
    if target in ("fifo", "device"):
        _special(tmp_path, target)
    before = _snapshot(tmp_path)
    line = one_error_line(main(["staff", "desk.yaml", "--target", "80/60s", "-q",
                                "--shrinkage", "shrinkage.csv", "--write-scenario", target,
                                "--out", "out"]), capsys.readouterr().err)
    assert line == (f"ccsim: error: --write-scenario {target}: {found}; expected a new file, "
                    "or a regular file that the command does not read")
    assert _snapshot(tmp_path) == before


# ------------------------------------------------------- 3: spreadsheet formula injection
HOSTILE_NAMES = """\
name: "=cmd|' /C calc'!A0"
horizon: 2h
interval: 30m
channels:
  - name: "=HYPERLINK(\\"http://x\\",\\"y\\")"
    type: enhanced_web_chat
    queue: "+q"
    arrivals: {rate: 30/h}
queues:
  - name: "+q"
agent_groups:
  - {name: "@team", agents: 3, capacity: 2, queues: ["+q"]}
  - {name: "\\tgroup", agents: 1, capacity: 2, queues: ["+q"]}
  - {name: "-5", agents: 1, capacity: 2, queues: ["+q"]}
"""
"""A desk whose channel, queue and group names a spreadsheet would run as formulas."""

CHANNEL = "'=HYPERLINK(\"http://x\",\"y\")"
"""The channel's name as a safe CSV holds it."""


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as stream:
        return list(csv.reader(stream))


def _formula_cells(path: Path) -> list[str]:
    """Cells of ``path`` a spreadsheet would read as a formula (a plain number is not one)."""
    def number(cell: str) -> bool:
        try:
            float(cell)
        except ValueError:
            return False
        return True

    return [cell for row in _rows(path) for cell in row
            if cell.startswith(FORMULA_STARTS) and not number(cell)]


def _column(path: Path, name: str) -> set[str]:
    header, *rows = _rows(path)
    return {row[header.index(name)] for row in rows}


@pytest.mark.slow
def test_run_files_are_safe_in_a_spreadsheet(tmp_path: Path, monkeypatch, capsys) -> None:
    scenario = write(tmp_path, HOSTILE_NAMES)
    out = tmp_path / "o"
    assert main(["run", str(scenario), "-r", "2", "-q", "--out", str(out)]) == 0, \
        capsys.readouterr().err
    real_import = builtins.__import__

    def without_pyarrow(name: str, *args, **kwargs):
        if name == "pyarrow":
            raise ImportError("no pyarrow")
        return real_import(name, *args, **kwargs)

    sessions = pd.read_parquet(out / "sessions.parquet")
    monkeypatch.setattr(builtins, "__import__", without_pyarrow)
    assert write_sessions(out, sessions) == out / "sessions.csv"  # the fallback's writer
    monkeypatch.undo()
    for name in ("intervals.csv", "groups.csv", "agents.csv", "sessions.csv"):
        assert _formula_cells(out / name) == [], name
    assert _column(out / "intervals.csv", "channel") == {CHANNEL, "all"}
    assert _column(out / "sessions.csv", "channel") == {CHANNEL}
    assert _column(out / "groups.csv", "group") == {"'@team", "'\tgroup", "-5"}
    assert _column(out / "agents.csv", "group") == {"'@team", "'\tgroup", "-5"}
    agents = pd.read_csv(out / "agents.csv")  # numbers stay numbers
    assert agents["occupancy"].dtype == float and agents["agent_id"].dtype == int


@pytest.mark.slow
def test_compare_sweep_and_skipped_files_are_safe(tmp_path: Path, capsys) -> None:
    scenario = write(tmp_path, HOSTILE_NAMES)
    assert main(["compare", str(scenario), "-r", "2", "-q", "--out",
                 str(tmp_path / "c")]) == 0, capsys.readouterr().err
    comparison = tmp_path / "c" / "comparison.csv"
    assert _formula_cells(comparison) == []
    assert (pd.read_csv(comparison)["diff_mean"] < 0).any()  # negative numbers unquoted
    assert main(["sweep", str(scenario), "-r", "2", "-q", "--out", str(tmp_path / "s"),
                 "--grid", "agent_groups[0].capacity=0,2", "--grid", "name==a,+b,-3",
                 "--skip-invalid"]) == 0, capsys.readouterr().err
    for name in ("sweep.csv", "skipped.csv"):
        assert _formula_cells(tmp_path / "s" / name) == [], name
    assert _column(tmp_path / "s" / "sweep.csv", "name") == {"'=a", "'+b"}
    assert _column(tmp_path / "s" / "skipped.csv", "name") == {"'=a", "'+b", "-3"}  # a number


@pytest.mark.slow
def test_staffing_files_are_safe_in_a_spreadsheet(tmp_path: Path, capsys) -> None:
    scenario = write(tmp_path, HOSTILE_NAMES)
    out = tmp_path / "o"
    assert main(["staff", str(scenario), "--target", "80/60s", "-r", "2", "--max-iterations",
                 "1", "--no-curve", "-q", "--out", str(out)]) == 0, capsys.readouterr().err
    for name in ("staffing.csv", "staffing_queues.csv"):
        assert _formula_cells(out / name) == [], name
    assert "'@team" in _column(out / "staffing.csv", "group")
    assert _column(out / "staffing_queues.csv", "queue") == {"'+q", "all"}
    margins = pd.read_csv(out / "staffing.csv")["one_fewer_margin_tab"]
    assert margins.dtype == float and (margins < 0).any()


@pytest.mark.slow
def test_backtest_files_are_safe_in_a_spreadsheet(tmp_path: Path, monkeypatch,
                                                  capsys) -> None:
    import sim.calibration.backtest

    real = sim.calibration.backtest.backtest

    def with_hostile_units(*args, **kwargs):  # no export text reaches these files today
        result = real(*args, **kwargs)
        result.table["unit"] = "=1+1"
        result.levels["unit"] = "@SUM(A1)"
        return result

    monkeypatch.setattr(sim.calibration.backtest, "backtest", with_hostile_units)
    fitted = tmp_path / "fitted.yaml"
    assert main(["calibrate", str(EXPORT), "--out", str(fitted), "-q"]) == 0
    out = tmp_path / "b"
    # 0, or 3 when two replications make too narrow a band (the files are written either way)
    assert main(["backtest", str(EXPORT), str(fitted), "-r", "2", "-q", "--out",
                 str(out)]) in (0, 3), capsys.readouterr().err
    assert _column(out / "backtest.csv", "unit") == {"'=1+1"}
    assert _column(out / "backtest_summary.csv", "unit") == {"'@SUM(A1)"}
    for name in ("backtest.csv", "backtest_summary.csv"):
        assert _formula_cells(out / name) == [], name


def test_the_salesforce_export_is_safe_in_a_spreadsheet(tmp_path: Path) -> None:
    from sim.salesforce.export import export_run

    scenario = load_scenario(write(tmp_path, HOSTILE_NAMES))
    files = export_run(scenario, seed=3, folder=tmp_path)
    assert all(_formula_cells(path) == [] for path in files)
    assert _column(tmp_path / "Group.csv", "DeveloperName") == {"'+q"}


@pytest.mark.parametrize(("value", "written"), [
    ("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-1+1", "'-1+1"), ("@A1", "'@A1"),
    ("\tA", "'\tA"), ("\rA", "'\rA"), ("-5", "-5"), ("+1.5e3", "+1.5e3"), ("-", "'-"),
    ("a=1", "a=1"), (-5, -5), (None, None),
])
def test_only_formula_text_is_neutralised(value: Any, written: Any) -> None:
    assert spreadsheet_cell(value) == written


# ------------------------------------------- 4: --shrinkage read like an arrival CSV file
def _shrinkage_case(tmp_path: Path, case: str) -> str:
    """A ``--shrinkage`` argument for ``case`` (files made in ``tmp_path``, the scenario's)."""
    (tmp_path.parent / "elsewhere").mkdir()  # beside the scenario's folder
    (tmp_path.parent / "elsewhere" / "s.csv").write_text("shrinkage\n" + "0.1\n" * 4)
    made = {
        "fifo": lambda: os.mkfifo(tmp_path / "f.csv"),
        "device": lambda: _special(tmp_path, "device").rename(tmp_path / "d.csv"),
        "link to a device": lambda: (tmp_path / "l.csv").symlink_to("/dev/zero"),
        "too large": lambda: (tmp_path / "big.csv").write_bytes(b"a" * (50 * 2**20 + 1)),
        "not UTF-8": lambda: (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\n"),
        "not CSV": lambda: (tmp_path / "bad.csv").write_text('a,b\n"x\n'),
    }
    if case in made:
        made[case]()
    return {"fifo": "f.csv", "device": "d.csv", "link to a device": "l.csv",
            "outside": "../elsewhere/s.csv", "absolute": "/etc/passwd.csv",
            "too large": "big.csv", "not UTF-8": "bin.csv", "not CSV": "bad.csv",
            "missing": "nothere.csv"}[case]


@pytest.mark.parametrize(("case", "found"), [
    ("fifo", "is a FIFO (named pipe), not a regular file; expected a UTF-8 CSV file"),
    ("device", "is a character device, not a regular file; expected a UTF-8 CSV file"),
    ("link to a device", "is outside the scenario's folder"),
    ("outside", "is outside the scenario's folder"),
    ("absolute", "/etc/passwd.csv is outside the scenario's folder"),
    ("too large", "is 50.0 MB, larger than the 50.0 MB allowed; expected a UTF-8 CSV file"),
    ("not UTF-8", "(not UTF-8 text); expected a UTF-8 CSV file"),
    ("not CSV", "cannot read bad.csv as CSV (ParserError); expected a CSV file with a header"),
    ("missing", "nothere.csv not found; expected a CSV file (relative to the working folder)"),
])
def test_shrinkage_csv_follows_the_arrival_csv_rules(tmp_path: Path, monkeypatch, capsys,
                                                     case: str, found: str) -> None:
    scenario_folder = tmp_path / "scenario"
    scenario_folder.mkdir()
    monkeypatch.chdir(scenario_folder)
    monkeypatch.delenv("CCSIM_ALLOW_OUTSIDE_PATHS", raising=False)
    argument = _shrinkage_case(scenario_folder, case)
    write(scenario_folder, desk_yaml(rate="20/h"))
    before = _snapshot(tmp_path)
    line = one_error_line(main(["staff", "desk.yaml", "--target", "80/60s", "-q", "--out",
                                "out", "--shrinkage", argument]), capsys.readouterr().err)
    assert line.startswith(f"ccsim: error: --shrinkage {argument!r}: ") and found in line, line
    assert _snapshot(tmp_path) == before


def test_an_allowed_shrinkage_csv_outside_the_folder_is_read(tmp_path: Path, monkeypatch,
                                                             capsys) -> None:
    scenario_folder = tmp_path / "scenario"
    scenario_folder.mkdir()
    monkeypatch.chdir(scenario_folder)
    argument = _shrinkage_case(scenario_folder, "outside")
    write(scenario_folder, desk_yaml(rate="20/h"))
    (scenario_folder / "l.csv").symlink_to("/dev/zero")
    assert parse_shrinkage(argument, 4, scenario_folder, allow_outside=True) == (0.1,) * 4
    with pytest.raises(ValueError, match="is a character device, not a regular file"):
        parse_shrinkage("l.csv", 4, scenario_folder, allow_outside=True)


# ------------------------------------------------------- 5: messages that are not ours
def _export_with(tmp_path: Path, file: str, row: int, change: dict[str, str] | None = None,
                 year: str | None = None) -> Path:
    """A copy of the shipped export with ``row`` (the header is row 1) of ``file`` changed:
    the ``change`` cells set, or every date-time moved to ``year``."""
    export = tmp_path / "export"
    shutil.copytree(EXPORT, export)
    path = export / file
    with path.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    header, cells = rows[0], rows[row - 1]
    for column, value in (change or {}).items():
        cells[header.index(column)] = value
    if year is not None:
        rows[row - 1] = [cell.replace("2026-", f"{year}-") for cell in cells]
    with path.open("w", newline="", encoding="utf-8") as stream:
        csv.writer(stream, lineterminator="\n").writerows(rows)
    return export


@pytest.mark.slow
@pytest.mark.parametrize(("file", "change", "year", "first_line"), [
    ("MessagingSession.csv", None, "2099",
     "MessagingSession.csv:6:StartTime: 2099-03-02T08:04:47Z is more than 366 days from the "
     "export's other date-times (their median is 2026-03-03T12:28:13Z); expected an export "
     "of at most 366 days"),
    ("AgentWork.csv", None, "2099", "AgentWork.csv:6:RequestDateTime: 2099-03-02T08:01:55Z is "
     "more than 366 days"),
    ("UserServicePresence.csv", None, "2099", "UserServicePresence.csv:6:StatusStartDate: 2099-"),
    ("MessagingSession.csv", None, "2999",
     "MessagingSession.csv:6:StartTime: found '2999-03-02T08:04:47.995Z'; expected a "
     "date-time from 1678 to 2261"),
    ("MessagingSession.csv", {"AgentMessageCount": "inf"}, None,
     "MessagingSession.csv:6:AgentMessageCount: found 'inf'; expected a finite number of at "
     "least 0"),
    ("MessagingSession.csv", {"EndUserMessageCount": "-3"}, None,
     "MessagingSession.csv:6:EndUserMessageCount: found '-3'; expected a finite number of at "
     "least 0"),
    ("AgentWork.csv", {"CapacityWeight": "-1"}, None,
     "AgentWork.csv:6:CapacityWeight: found '-1'; expected a finite number above 0"),
    ("AgentWork.csv", {"CapacityWeight": "0"}, None,
     "AgentWork.csv:6:CapacityWeight: found '0'; expected a finite number above 0"),
])
def test_bad_export_values_name_file_row_and_column(
        tmp_path: Path, capsys, file: str, change: dict[str, str] | None, year: str | None,
        first_line: str) -> None:
    export = _export_with(tmp_path, file, 6, change, year)
    before = _snapshot(tmp_path)
    code = main(["calibrate", str(export), "--out", str(tmp_path / "fitted.yaml")])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and "pydantic" not in err, err
    assert err.splitlines()[0].startswith(f"{export / first_line}"), err
    assert all(line.startswith(f"{export}/{file}:") for line in err.splitlines()), err
    assert _snapshot(tmp_path) == before  # no scenario written


@pytest.mark.parametrize(("args", "line"), [
    (["--target", "150/60s"], "--target '150/60s': expected a service level such as 80/60s "
     "(a target above 0 and up to 100%, a threshold above 0 and up to 366d)"),
    (["--target", "80/1e400s"], "--target '80/1e400s': expected a service level such as 80/60s "
     "(a target above 0 and up to 100%, a threshold above 0 and up to 366d)"),
    (["--interval", "10s"], "--interval '10s': expected a duration at least 1m and at most 366d"),
    (["--interval", "1e15"], "--interval '1e15': expected a duration at least 1m and at most "
     "366d"),
    (["--inactivate-after", "1e400s"], "--inactivate-after '1e400s': expected a duration above "
     "0 and at most 366d"),
])
def test_bad_calibrate_options_are_ours(tmp_path: Path, capsys, args: list[str],
                                        line: str) -> None:
    code = main(["calibrate", str(EXPORT), "--out", str(tmp_path / "f.yaml"), *args])
    assert one_error_line(code, capsys.readouterr().err) == f"ccsim: error: {line}"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("command", "override", "line"), [
    ("run", "service_level.threshold=1e308",
     "service_level.threshold: found '1e308'; expected a duration less than or equal to 366d"),
    ("run", "queues[0].service_level={threshold: 1e308, target: 0.8}",
     "queues[0].service_level.threshold: found '1e308'; expected a duration less than or equal "
     "to 366d"),
    ("run", "interval=1e15", "interval: found '1e15'; expected a duration less than or equal "
     "to 366d"),
    ("run", "channels[0].arrivals.interval=1e15", "channels[0].arrivals.interval: found "
     "'1e15'; expected a duration less than or equal to 366d"),
    ("run", "horizon=1e-6", "horizon: found '1e-6'; expected a number greater than or equal "
     "to 1"),
    ("staff", "interval=1e15", "interval: found '1e15'; expected a duration less than or equal "
     "to 366d"),
])
def test_scenario_values_no_runner_can_take(tmp_path: Path, capsys, command: str,
                                            override: str, line: str) -> None:
    scenario = write(tmp_path, desk_yaml(rate="20/h"))
    extra = ["--target", "80/60s"] if command == "staff" else []
    code = main([command, str(scenario), *extra, "--set", override, "--out",
                 str(tmp_path / "o")])  # not --quiet: the summary is printed too
    assert one_error_line(code, capsys.readouterr().err) == (
        f"{scenario}: {line} (from --set {override})")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["desk.yaml"]


def test_a_long_interval_in_the_file_is_refused_by_validate(tmp_path: Path, capsys) -> None:
    scenario = write(tmp_path, desk_yaml(rate="20/h").replace("interval: 30m", "interval: 1e15"))
    code = main(["validate", str(scenario)])
    assert one_error_line(code, capsys.readouterr().err) == (
        f"{scenario}: interval: found '1e15'; expected a duration less than or equal to 366d")


@pytest.mark.parametrize(("args", "line"), [
    (["--target", "80/1e308"], "--target '80/1e308': expected a service level such as 80/60s "
     "(a target between 0 and 100% and a threshold greater than 0 and at most 366d)"),
    (["--target", "80/60s", "--max-asa", "1e308"], "--max-asa '1e308': expected a duration "
     "greater than 0 and at most 366d, such as 30s"),
])
def test_staff_goals_no_runner_can_take(tmp_path: Path, capsys, args: list[str],
                                        line: str) -> None:
    scenario = write(tmp_path, desk_yaml(rate="20/h"))
    code = main(["staff", str(scenario), *args, "--out", str(tmp_path / "o")])
    assert one_error_line(code, capsys.readouterr().err) == f"ccsim: error: {line}"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["desk.yaml"]


# ---------------------------------------------------------------- 6: silent nonsense
def test_an_export_file_with_only_a_header_is_refused(tmp_path: Path, capsys) -> None:
    export = tmp_path / "export"
    shutil.copytree(EXPORT, export)
    work = export / "AgentWork.csv"
    work.write_text(work.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    before = _snapshot(tmp_path)
    code = main(["calibrate", str(export), "--out", str(tmp_path / "f.yaml")])
    assert one_error_line(code, capsys.readouterr().err) == (
        f"{work}: a header and no rows; expected one row per record (did the query's "
        "filter match nothing?)")
    assert _snapshot(tmp_path) == before


def test_calibrate_max_gap_past_a_year_is_refused(tmp_path: Path, capsys) -> None:
    code = main(["calibrate", str(EXPORT), "--out", str(tmp_path / "f.yaml"),
                 "--max-gap", "1e400s"])
    assert one_error_line(code, capsys.readouterr().err) == (
        "ccsim: error: --max-gap '1e400s': expected a duration above 0 and at most 366d")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("override", "line"), [
    ("agent_groups[0].behaviour.accept_delay=1e308",
     "agent_groups[0].behaviour.accept_delay: found value 1e+308 s; expected durations of at "
     "most 366d"),
    ("agent_groups[0].behaviour.accept_delay={kind: lognormal, mean: 5, sd: 1e308}",
     "agent_groups[0].behaviour.accept_delay: found sd 1e+308 s; expected durations of at "
     "most 366d"),
    ("agent_groups[0].behaviour.reply_time={kind: empirical, values: [1, 1e308]}",
     "agent_groups[0].behaviour.reply_time: found a value of 1e+308 s; expected durations of "
     "at most 366d"),
    ("agent_groups[0].behaviour.concurrency_slowdown=1e308",
     "agent_groups[0].behaviour.concurrency_slowdown: found '1e308'; expected a number less "
     "than or equal to 10"),
])
def test_absurd_delays_are_refused(tmp_path: Path, capsys, override: str, line: str) -> None:
    scenario = write(tmp_path, desk_yaml(rate="20/h"))
    code = main(["run", str(scenario), "-q", "--set", override, "--out", str(tmp_path / "o")])
    assert one_error_line(code, capsys.readouterr().err) == (
        f"{scenario}: {line} (from --set {override})")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["desk.yaml"]


def test_validate_checks_the_work_limits_every_runner_checks(tmp_path: Path, capsys) -> None:
    text = desk_yaml(rate="20/h").replace("{rate: 20/h}", "{rate: 20/h, interval: 1e-9s}")
    scenario = write(tmp_path, text)
    validate = error_lines_of(main(["validate", str(scenario)]), capsys)
    run = error_lines_of(main(["run", str(scenario), "-q", "--out", str(tmp_path / "o")]),
                         capsys)
    assert validate == run
    assert f"{scenario}: channels[0].arrivals.interval: about 7.2 trillion arrival profile " \
           "intervals over the horizon (at most 1 million); give a longer interval, or pass " \
           "--force to run it anyway" in validate


def error_lines_of(code: int, capsys) -> list[str]:
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err, err
    return err.strip().splitlines()


def test_a_large_iteration_cap_is_lowered_to_what_the_limits_allow(capsys) -> None:
    scenario = load_scenario(DESK)
    checked = [(str(DESK), scenario)]

    def runs(iterations: int) -> int:
        return 2 * (iterations * 2 + 3)

    allowed = iterations_within_limits(checked, 6, runs, 10**9, force=False, quiet=False)
    assert not run_problems(checked, 6, source="x", runs_per_replication=runs(allowed))
    assert run_problems(checked, 6, source="x", runs_per_replication=runs(allowed + 1))
    assert capsys.readouterr().err == (
        f"ccsim: note: --max-iterations 1,000,000,000: the work limits allow {allowed:,} "
        "search iterations; the search stops there if it has not settled (--force lifts the "
        "limits)\n")
    assert iterations_within_limits(checked, 6, runs, 20, force=False, quiet=False) == 20
    assert iterations_within_limits(checked, 6, runs, 10**9, force=True, quiet=False) == 10**9
    assert iterations_within_limits(checked, 10**6, runs, 10**9, force=False, quiet=True) == 1


@pytest.mark.slow
def test_staff_runs_with_a_huge_iteration_cap(tmp_path: Path, capsys) -> None:
    scenario = write(tmp_path, desk_yaml(rate="20/h"))
    code = main(["staff", str(scenario), "--target", "80/60s", "--max-iterations", "1000000000",
                 "-r", "2", "--verify-replications", "2", "--no-curve", "--out",
                 str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 0, err
    assert err.splitlines()[0].startswith(
        "ccsim: note: --max-iterations 1,000,000,000: the work limits allow")
    assert (tmp_path / "o" / "staffing.csv").exists()


# ------------------------------------------------------------------ 7: large YAML files
BOUND_CASES = {
    "alias bomb": 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    + "".join(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
              for previous, name in zip("abcdefgh", "bcdefghi", strict=True)),
    "recursive alias": "a: &d [1, *d]\n",
    "65 levels": "a: " + "[" * 65 + "]" * 65 + "\n",
    "5000 levels": "a: " + "[" * 5000 + "]" * 5000 + "\n",
    "block nesting": "".join(" " * i + "k:\n" for i in range(1200)) + " " * 1200 + "v\n",
    "duplicate key": "a: 1\nb: 2\na: 3\n",
    "bad value": "a: !!float xyz\n",
}


@pytest.mark.skipif(not HAVE_LIBYAML, reason="PyYAML without libyaml")
@pytest.mark.parametrize("case", sorted(BOUND_CASES))
def test_libyaml_keeps_every_bound_of_the_pure_loader(case: str) -> None:
    errors = []
    for libyaml in (True, False):
        with pytest.raises(YamlInputError) as caught:
            load_yaml(BOUND_CASES[case], libyaml=libyaml)
        errors.append((caught.value.key, caught.value.message.split(": ", 1)[-1]))
    assert errors[0] == errors[1]  # the same key and rule (libyaml's columns may differ)


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_LIBYAML, reason="PyYAML without libyaml")
def test_libyaml_reads_a_scenario_as_the_pure_loader_does() -> None:
    text = (DESK.read_text(encoding="utf-8") + "extra:\n  times: [12:00, 12:00.5, "
            "2026-03-02 08:00:00, 1e3, 0x10, 0o7, .inf, ~, yes, '1']\n  many: "
            + "[" + ", ".join(f"{n / 7:.4f}" for n in range(20_000)) + "]\n")
    assert load_yaml(text, libyaml=True) == load_yaml(text, libyaml=False)
    assert load_yaml(text)["extra"]["times"][:3] == ["12:00", "12:00.5", "2026-03-02 08:00:00"]


def test_a_scenario_file_over_the_cap_is_refused_before_reading(tmp_path: Path,
                                                                capsys) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as stream:  # a sparse file: nothing to parse, only its size
        stream.truncate(MAX_SCENARIO_BYTES + 1)
    code = main(["validate", str(path)])
    assert one_error_line(code, capsys.readouterr().err) == (
        f"{path}: (file): is 5.0 MB, larger than the 5.0 MB allowed; expected a YAML "
        "scenario file")
