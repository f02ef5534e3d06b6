"""docs/development.md: its test commands run, its layer table is the tests' folders."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "development.md"


def commands() -> list[list[str]]:
    """The pytest command lines of the guide's bash blocks, comments left out."""
    text = GUIDE.read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, re.S)
    lines = [shlex.split(line, comments=True) for block in blocks
             for line in block.splitlines() if line.strip()]
    return [line for line in lines if line[1:3] == ["-m", "pytest"]]


def test_layer_table_lists_every_test_folder() -> None:
    listed = re.findall(r"^\| `tests/(\w+)/` \|", GUIDE.read_text(encoding="utf-8"), re.M)
    folders = sorted(path.parent.name for path in ROOT.glob("tests/*/test_*.py"))
    assert listed and sorted(set(folders)) == sorted(listed)


def test_commands_name_registered_markers_and_existing_paths(pytestconfig) -> None:
    registered = {line.split(":")[0] for line in pytestconfig.getini("markers")}
    lines = commands()
    assert lines and all(line[:3] == [".venv/bin/python", "-m", "pytest"] for line in lines)
    for line in lines:
        for index, word in enumerate(line[3:], start=3):
            if line[index - 1] == "-m":
                assert set(re.findall(r"\w+", word)) - {"not", "and", "or"} <= registered
            elif not word.startswith("-"):
                assert (ROOT / word).exists(), word
    assert [".venv/bin/python", "-m", "pytest"] in lines  # the whole suite, as .ci/run
    assert ".venv/bin/python -m pytest\n" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_fast_loop_leaves_the_slow_tests_out() -> None:
    (fast,) = [line for line in commands() if "not slow" in line]
    folder = "tests/staffing"
    collected = subprocess.run([sys.executable, *fast[1:], "--collect-only", folder],
                               cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert collected.returncode == 0, collected.stdout + collected.stderr
    selected, total, deselected = map(int, re.search(
        r"(\d+)/(\d+) tests collected \((\d+) deselected\)", collected.stdout).groups())
    assert 0 < selected < total and selected + deselected == total
