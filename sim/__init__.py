"""ccsim: a discrete-event simulator of a messaging contact center on Omni-Channel.

The layers, each with one entry point:

- :func:`load_scenario` reads and validates a scenario YAML file into a :class:`Scenario`;
- :func:`simulate` runs one replication and returns a :class:`Result` of pandas tables;
- :func:`replicate`, :func:`compare`, :func:`sweep` and :func:`staff` run many
  replications through an executor (local processes or a Dask cluster);
- :func:`write_reports` and the chart modules turn tables into files and figures;
- :mod:`sim.analysis` holds what the notebooks compute: the what-if grid and where the
  preferred capacity model flips (:func:`whatif_grid`, :func:`flip_points`), the offline
  and silent-customer effects (:func:`offline_effect`, :func:`silent_effect`) and the
  computed conclusions (:func:`comparison_conclusion`, :func:`staffing_conclusion`).

The heavier layers are imported on first use, so ``import sim`` (and every worker
process) stays light.
"""

from importlib import import_module
from typing import Any

from sim.model.simulate import simulate
from sim.model.tables import Result
from sim.scenario.loading import ScenarioError, load_scenario
from sim.scenario.schema import Scenario

_LAZY = {
    "replicate": "sim.experiments.runner",
    "compare": "sim.experiments.runner",
    "make_executor": "sim.experiments.executors",
    "RunSet": "sim.experiments.runner",
    "Comparison": "sim.experiments.runner",
    "headline_figures": "sim.results.figures",
    "summarize": "sim.results.figures",
    "FIGURE_UNITS": "sim.results.figures",
    "write_reports": "sim.reports.files",
    "write_comparison": "sim.reports.files",
    "interval_summary": "sim.reports.files",
    "sweep": "sim.experiments.sweep",
    "parse_grid": "sim.experiments.sweep",
    "SweepResult": "sim.experiments.sweep",
    "staff": "sim.staffing.plan",
    "StaffingGoals": "sim.staffing.plan",
    "StaffingOptions": "sim.staffing.plan",
    "write_staffing": "sim.reports.staffing_files",
    "whatif_grid": "sim.analysis",
    "flip_points": "sim.analysis",
    "offline_effect": "sim.analysis",
    "silent_effect": "sim.analysis",
    "comparison_conclusion": "sim.analysis",
    "staffing_conclusion": "sim.analysis",
}

__all__ = ["Result", "Scenario", "ScenarioError", "load_scenario", "simulate", *_LAZY]


def __getattr__(name: str) -> Any:
    """Import the public names of the heavier layers when first asked for."""
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
