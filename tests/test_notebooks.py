"""The analysis notebooks run top to bottom (small), follow the chart rules, and are in sync.

Each notebook is executed with nbclient from a temporary copy whose ``parameters`` cell is
overridden with small values, with the working directory ``notebooks/`` (the scenario paths
are relative to it). Any cell error fails the test. Every chart in the notebooks goes
through ``show()``, which raises when a chart lacks a title, axis labels with units or a
legend, so a rule break is a cell error too; the test also counts the PNG outputs.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"

SMALL = {
    "compare_capacity_models": {"REPLICATIONS": 2, "WHATIF_REPLICATIONS": 2, "WHATIF_VALUES": 2,
                                "JOBS": 1},
    "staffing_charts": {"REPLICATIONS": 2, "MAX_ITERATIONS": 2, "CURVE_REPLICATIONS": 2,
                        "JOBS": 1},
}
"""Parameter overrides that keep each notebook run short."""

CHARTS = {"compare_capacity_models": 8, "staffing_charts": 4}
"""Charts each notebook draws (each one a PNG output)."""


def _builder():
    spec = importlib.util.spec_from_file_location("build_notebooks",
                                                  NOTEBOOK_DIR / "build_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _parameter_cell(notebook):
    cells = [cell for cell in notebook.cells
             if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", [])]
    assert len(cells) == 1, "exactly one code cell must be tagged 'parameters'"
    first_code = next(cell for cell in notebook.cells if cell.cell_type == "code")
    assert cells[0] is first_code, "the parameters cell must be the first code cell"
    return cells[0]


def _override(cell, values: dict[str, object]) -> None:
    source = cell.source
    for name, value in values.items():
        pattern = re.compile(rf"^{name}\s*=.*?(?=\s*#|$)", re.MULTILINE)
        assert pattern.search(source), f"parameter {name} not found in the parameters cell"
        source = pattern.sub(f"{name} = {value!r}", source, count=1)
    cell.source = source


def _png_outputs(notebook) -> int:
    return sum(
        "image/png" in output.get("data", {})
        for cell in notebook.cells if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )


@pytest.mark.parametrize("name", sorted(SMALL))
def test_notebook_runs_small(name: str, tmp_path: Path) -> None:
    copy = tmp_path / f"{name}.ipynb"
    shutil.copy(NOTEBOOK_DIR / f"{name}.ipynb", copy)
    notebook = nbformat.read(copy, as_version=4)
    _override(_parameter_cell(notebook), SMALL[name])
    for cell in notebook.cells:  # start from a clean slate
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    client.execute()  # raises CellExecutionError on any failing cell
    nbformat.write(notebook, copy)
    errors = [output for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.outputs if output.output_type == "error"]
    assert not errors
    assert _png_outputs(notebook) == CHARTS[name]
    last = "".join(output.get("text", "") for output in notebook.cells[-1].outputs)
    assert f"{CHARTS[name]} charts checked" in last


@pytest.mark.parametrize("name", sorted(SMALL))
def test_committed_notebook_matches_builder_and_has_outputs(name: str) -> None:
    committed = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
    built = _builder().NOTEBOOKS[name]()
    assert [(c.cell_type, c.source) for c in committed.cells] == [
        (c.cell_type, c.source) for c in built.cells
    ], "the notebook differs from build_notebooks.py: run python notebooks/build_notebooks.py"
    assert _png_outputs(committed) == CHARTS[name], "commit the notebook with its outputs"
    assert not [output for cell in committed.cells if cell.cell_type == "code"
                for output in cell.outputs if output.output_type == "error"]
