"""ccsim: a discrete-event simulator of a messaging contact center on Omni-Channel.

The layers, each with one entry point:

- :func:`load_scenario` reads and validates a scenario YAML file into a :class:`Scenario`;
- :func:`simulate` runs one replication and returns a :class:`Result` of pandas tables;
- :func:`replicate`, :func:`compare`, :func:`sweep` and :func:`staff` run many
  replications through an executor (local processes or a Dask cluster);
- :func:`write_reports` and the chart modules turn tables into files and figures.

The heavier layers are imported on first use, so ``import sim`` (and every worker
process) stays light.
"""

from importlib import import_module
from typing import Any

from sim.loader import ScenarioError, load_scenario
from sim.results import Result
from sim.scenario import Scenario
from sim.simulate import simulate

_LAZY = {
    "replicate": "sim.runner",
    "compare": "sim.runner",
    "make_executor": "sim.runner",
    "RunSet": "sim.runner",
    "Comparison": "sim.runner",
    "headline_figures": "sim.figures",
    "summarize": "sim.figures",
    "FIGURE_UNITS": "sim.figures",
    "write_reports": "sim.reports",
    "write_comparison": "sim.reports",
    "interval_summary": "sim.reports",
    "sweep": "sim.sweeps",
    "parse_grid": "sim.sweeps",
    "staff": "sim.staffing",
    "StaffingGoals": "sim.staffing",
    "write_staffing": "sim.staffing",
}

__all__ = ["Result", "Scenario", "ScenarioError", "load_scenario", "simulate", *_LAZY]


def __getattr__(name: str) -> Any:
    """Import the public names of the heavier layers when first asked for."""
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
