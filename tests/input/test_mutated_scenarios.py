"""Mutated bundled scenarios against the command line: exit 0 or 2, one clear line each.

Hypothesis changes values of the bundled scenarios to random types and extremes, deletes
keys, inserts unknown keys, duplicates keys, nests deeply, adds aliases and huge numbers,
then runs ``ccsim validate`` and ``ccsim run --quiet -r 1`` (with a short horizon) in this
process. Every outcome must be exit code 0 or 2, never a traceback, and every error line
must name the file and a key path (or an option).
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim.scenario.workload_limits as limits
from sim.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = sorted((ROOT / "scenarios").glob("*.yaml"))
RAW = {path.name: yaml.safe_load(path.read_text(encoding="utf-8")) for path in BUNDLED}

KEY = st.from_regex(r"[a-z_][a-z0-9_]{0,12}", fullmatch=True)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.sampled_from(["1e400s", "-5m", "0s", "1e-9s", "80/h", "1e12/h", "nan", "abc", "[/x]",
                     "$\\foo$", "\x1b[31m", "99999999999999999999999"]),
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(KEY, inner, max_size=3)), max_leaves=8)


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path in a YAML tree."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*prefix, index))
    return found


def parent_of(tree: Any, path: tuple) -> Any:
    for segment in path[:-1]:
        tree = tree[segment]
    return tree


@st.composite
def mutated(draw) -> tuple[str, str]:
    """A bundled scenario's name and mutated YAML text."""
    name = draw(st.sampled_from(sorted(RAW)))
    tree = yaml.safe_load(yaml.safe_dump(RAW[name]))
    for _ in range(draw(st.integers(1, 2))):
        path = draw(st.sampled_from(paths(tree)))
        parent, last = parent_of(tree, path), path[-1]
        action = draw(st.sampled_from(["value", "value", "delete", "unknown", "deep", "huge",
                                       "scale", "scale", "scale"]))
        value = parent[last]
        if action == "scale":  # a plausible or extreme number where there was one
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                factor = draw(st.sampled_from([0, 0.5, 2, 10, 1000, 10**6]))
                parent[last] = type(value)(value * factor)
        elif action == "value":
            parent[last] = draw(VALUES)
        elif action == "delete":
            del parent[last]
        elif action == "unknown" and isinstance(parent, dict):
            parent[draw(KEY)] = draw(VALUES)
        elif action == "deep":
            parent[last] = f"deep_{draw(st.sampled_from([10, 63, 70, 5000]))}_levels"
        elif action == "huge":
            parent[last] = draw(st.sampled_from([10**400, 1e308, -1e308, 4e12, 10**18]))
    text = yaml.safe_dump(tree, sort_keys=False, width=10_000)
    text = re.sub(r"deep_(\d+)_levels",  # nesting is written as text: no deep trees here
                  lambda match: "[" * int(match[1]) + "1" + "]" * int(match[1]), text)
    extra = draw(st.sampled_from(["", "", "dup", "alias", "bomb"]))
    if extra == "dup":
        first = text.splitlines()[0]
        text += first + "\n"
    elif extra == "alias":
        text = "x_anchor: &shared [1, 2, 3]\n" + text + "description2: *shared\n"
    elif extra == "bomb":
        text += "lol0: &l0 [a, a, a, a, a, a, a, a, a, a]\n" + "".join(
            f"lol{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]\n" for n in range(1, 7))
    return name, text


LINE = r"(?: \[grid cell \d+[^\]]*\])?: (?:warning: )?(?:\(file\)|\(top level\)|--[a-z-]+|\S+?): "


def check(code: int, err: str, path: Path) -> None:
    assert code in (0, 2), err
    assert "Traceback" not in err
    pattern = re.compile(re.escape(str(path)) + LINE)
    for line in err.splitlines():
        if line.startswith("ccsim: note: "):
            continue
        assert pattern.match(line) or re.match(r"ccsim: error: (--[a-z-]+|CCSIM_\w+|\S+: )",
                                               line), line


def cli(args: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(args)
    return code, err.getvalue()


@pytest.mark.slow
@settings(derandomize=True,  # the examples of the ccsim profile (tests/conftest.py)
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(case=mutated(), run=st.integers(0, 1))
def test_mutated_scenarios(case: tuple[str, str], run: int, monkeypatch) -> None:
    # Lower limits keep each run short; a mutation past them is refused, never run.
    monkeypatch.setattr(limits, "MAX_SESSIONS", 20_000)
    monkeypatch.setattr(limits, "MAX_MESSAGES", 400_000)
    monkeypatch.setattr(limits, "MAX_AGENTS", 2_000)
    monkeypatch.setattr(limits, "MAX_CLEAN_UPS", 20_000)
    monkeypatch.setattr(limits, "MAX_DISCONNECTIONS", 20_000)
    name, text = case
    with tempfile.TemporaryDirectory() as folder:
        for csv in (ROOT / "scenarios").glob("*.csv"):
            shutil.copy(csv, folder)
        path = Path(folder) / name
        path.write_text(text, encoding="utf-8")
        code, err = cli(["validate", str(path)])
        check(code, err, path)
        if code == 0 and run == 0:  # a run of about half the valid mutants (runs take time)
            code, err = cli(["run", str(path), "--quiet", "-r", "1", "--set", "horizon=2h",
                             "--set", "warmup=0s", "--out", str(Path(folder) / "out")])
            check(code, err, path)
