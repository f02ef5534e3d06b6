"""Re-execute the analysis notebooks from their jupytext sources; save them with outputs.

Usage, from the repository root (the package installed with the ``test`` or ``notebooks``
extra)::

    .venv/bin/python notebooks/run_notebooks.py                  # both notebooks
    .venv/bin/python notebooks/run_notebooks.py staffing_charts  # only the named one(s)
    .venv/bin/python notebooks/run_notebooks.py --set REPLICATIONS=2 --out /tmp/nb

The sources are the jupytext percent-format files ``notebooks/<name>.py`` (edit those, or
the ``.ipynb`` in Jupyter with jupytext installed: the pair stays in sync). Each notebook
is read from its source, executed with nbclient on the ``python3`` kernel with the working
directory ``notebooks/`` (the scenario paths in the ``parameters`` cells are relative to
it), and written as ``<name>.ipynb`` with its outputs, so it reads well on opening.
``--set NAME=VALUE`` overrides a parameter for this run (a Python literal).
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

NOTEBOOK_DIR = Path(__file__).resolve().parent
NOTEBOOKS = ("compare_capacity_models", "staffing_charts", "calibrate_and_decide")
"""The notebooks, by file stem in ``notebooks/``."""

CELL_TIMEOUT_S = 900
"""Per-cell execution timeout (seconds)."""


def read_source(name: str) -> nbformat.NotebookNode:
    """The notebook ``name`` read from its jupytext source (no outputs)."""
    return jupytext.read(NOTEBOOK_DIR / f"{name}.py")


def parameter_cell(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The first code cell, which must be the one tagged ``parameters``."""
    first = next(cell for cell in notebook.cells if cell.cell_type == "code")
    if "parameters" not in first.metadata.get("tags", []):
        raise ValueError("the first code cell must be tagged 'parameters'")
    return first


def set_parameters(notebook: nbformat.NotebookNode, values: dict[str, object]) -> None:
    """Replace ``NAME = ...`` in the parameters cell for every name in ``values``.

    Raises:
        KeyError: a name is not assigned in the parameters cell.
    """
    cell = parameter_cell(notebook)
    source = cell.source
    for name, value in values.items():
        pattern = re.compile(rf"^{name}\s*=.*?(?=\s*#|$)", re.MULTILINE)
        found = pattern.search(source)
        if not found:
            raise KeyError(f"parameter {name} not in the parameters cell")
        source = f"{source[:found.start()]}{name} = {value!r}{source[found.end():]}"
    cell.source = source


def execute(notebook: nbformat.NotebookNode, timeout_s: int = CELL_TIMEOUT_S) -> None:
    """Run every cell in place (working directory ``notebooks/``).

    Raises:
        nbclient.exceptions.CellExecutionError: a cell failed.
    """
    NotebookClient(notebook, timeout=timeout_s, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK_DIR)}}).execute()


def parse_setting(text: str) -> tuple[str, object]:
    """``NAME=VALUE`` (a Python literal) as a pair."""
    name, _, value = text.partition("=")
    if not name.isidentifier() or not value:
        raise argparse.ArgumentTypeError(f"--set wants NAME=VALUE, got {text!r}")
    try:
        return name, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return name, value


def main(argv: list[str] | None = None) -> int:
    """Execute the named notebooks (all by default) and write them with their outputs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", choices=[[], *NOTEBOOKS], metavar="NAME",
                        help=f"notebooks to run (default: {', '.join(NOTEBOOKS)})")
    parser.add_argument("--set", dest="settings", action="append", default=[],
                        type=parse_setting, metavar="NAME=VALUE", help="override a parameter")
    parser.add_argument("--out", type=Path, default=NOTEBOOK_DIR,
                        help="folder for the executed .ipynb (default: notebooks/)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.names or NOTEBOOKS:
        notebook = read_source(name)
        set_parameters(notebook, dict(args.settings))
        started = time.perf_counter()
        execute(notebook)
        path = args.out / f"{name}.ipynb"
        jupytext.write(notebook, path)
        print(f"wrote {path} (executed in {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
