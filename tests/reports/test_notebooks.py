"""The analysis notebooks: jupytext sources paired with committed, executed notebooks.

Each notebook is read from its jupytext source (``notebooks/<name>.py``), its
``parameters`` cell overridden with small values, and executed with nbclient with the
working directory ``notebooks/`` (the scenario paths are relative to it); any cell error
fails the test. The committed ``.ipynb`` must hold the same cells as its source, with the
outputs of a full run. Cells stay short and define no functions: what they compute is in
``sim.analysis`` (``tests/reports/test_notebook_analysis.py`` checks it and the chart rules).
"""

from __future__ import annotations

import ast
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("jupytext")

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"

SMALL = {
    "compare_capacity_models": {"REPLICATIONS": 2, "WHATIF_REPLICATIONS": 2, "WHATIF_VALUES": 2},
    "staffing_charts": {"REPLICATIONS": 2, "MAX_ITERATIONS": 2, "CURVE_REPLICATIONS": 2,
                        "CONTAINMENTS": [0.0, 0.6],
                        # its other suggested desk: two agent groups, both staffed
                        "SCENARIO": "../scenarios/unstable_connections.yaml"},
    "calibrate_and_decide": {"BACKTEST_REPLICATIONS": 5, "REPLICATIONS": 2,
                             "STAFF_REPLICATIONS": 2, "MAX_ITERATIONS": 2},
}
"""Parameter overrides that keep each notebook run short (one run per notebook: the staffing
notebook runs on the two-group desk it suggests, which staffs several groups at once)."""

GROUPS_LINE = {"staffing_charts": "agent group(s) home_agents, office_agents"}
"""What a notebook's markdown output must say about the groups it staffed."""

CHARTS = {"compare_capacity_models": 8, "staffing_charts": 5, "calibrate_and_decide": 4}
"""Charts each notebook draws (each one a PNG output)."""

MAX_CELL_LINES = 25
"""The longest a code cell may be."""


def _runner():
    spec = importlib.util.spec_from_file_location("run_notebooks",
                                                  NOTEBOOK_DIR / "run_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _code_cells(notebook) -> list:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def _png_outputs(notebook) -> int:
    return sum("image/png" in output.get("data", {})
               for cell in _code_cells(notebook) for output in cell.get("outputs", []))


def _errors(notebook) -> list:
    return [output for cell in _code_cells(notebook) for output in cell.get("outputs", [])
            if output.output_type == "error"]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SMALL))
def test_notebook_runs_small(name: str, tmp_path: Path) -> None:
    runner = _runner()
    notebook = runner.read_source(name)
    runner.set_parameters(notebook, SMALL[name])
    runner.execute(notebook, timeout_s=300)  # raises CellExecutionError on a failing cell
    nbformat.write(notebook, tmp_path / f"{name}.ipynb")
    assert not _errors(notebook)
    assert _png_outputs(notebook) == CHARTS[name]
    last = "".join(output.get("text", "") for output in notebook.cells[-1].outputs)
    assert "notebook run time:" in last
    text = "".join(output.get("data", {}).get("text/markdown", "")
                   for cell in _code_cells(notebook) for output in cell.outputs)
    assert GROUPS_LINE.get(name, "") in text


def test_every_notebook_source_is_run_and_tested() -> None:
    sources = sorted(p.stem for p in NOTEBOOK_DIR.glob("*.py") if p.stem != "run_notebooks")
    assert sources == sorted(SMALL) == sorted(_runner().NOTEBOOKS)


@pytest.mark.parametrize("name", sorted(SMALL))
def test_committed_notebook_matches_its_source_and_has_outputs(name: str) -> None:
    committed = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
    source = _runner().read_source(name)
    assert [(c.cell_type, c.source) for c in committed.cells] == [
        (c.cell_type, c.source) for c in source.cells
    ], f"{name}.ipynb differs from {name}.py: run python notebooks/run_notebooks.py {name}"
    assert "parameters" in _code_cells(committed)[0].metadata.get("tags", [])
    assert _png_outputs(committed) == CHARTS[name], "commit the notebook with its outputs"
    assert not _errors(committed)


@pytest.mark.parametrize("name", sorted(SMALL))
def test_cells_are_short_and_define_nothing(name: str) -> None:
    for cell in _code_cells(_runner().read_source(name)):
        lines = cell.source.splitlines()
        assert len(lines) <= MAX_CELL_LINES, f"a {len(lines)}-line cell: {lines[0]!r}"
        defined = [node for node in ast.walk(ast.parse(cell.source))
                   if isinstance(node, ast.FunctionDef | ast.ClassDef | ast.Lambda)]
        assert not defined, f"the cell starting {lines[0]!r} defines a function or class"


def test_ruff_checks_the_notebook_sources() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    checked = subprocess.run([ruff, "check", *sorted(map(str, NOTEBOOK_DIR.glob("*.py")))],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout
