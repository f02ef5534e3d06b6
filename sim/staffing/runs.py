"""One simulated day of a staffing search, reduced to per-interval measures.

This module is what worker processes import to run :func:`measure_run`, so it imports
only numpy and the simulator (no scipy, pandas-heavy reporting or matplotlib): every
executor batch starts its workers afresh, and their start-up time counts.
"""

from __future__ import annotations

import numpy as np

from sim.model.simulate import simulate
from sim.results.figures import intervals_with_service_level
from sim.scenario.schema import Scenario

MEASURES = ("service_level", "asa_s", "abandon_rate", "occupancy", "agents_online",
            "offered", "answered", "busy_units_s")
"""Per-interval measures of one replication, over all channels (the ``'all'`` rows).

``busy_units_s`` is capacity in use x seconds (the intervals table's ``busy_capacity_s``).
"""

Task = tuple[Scenario, int, int]
"""(scenario, seed, replication) of one simulated run."""


def measure_run(task: Task) -> np.ndarray:
    """Simulate one replication and return its measures, shape ``[measure, interval]``.

    Top-level so that process pools can pickle it.
    """
    scenario, seed, replication = task
    result = simulate(scenario, seed=seed, replication=replication)
    intervals = intervals_with_service_level(result)  # the scenario's short-abandon rule
    rows = intervals[intervals["channel"] == "all"].sort_values("interval")
    offered = rows["offered"].to_numpy(dtype=float)
    abandon = np.divide(rows["abandoned"].to_numpy(dtype=float), offered,
                        out=np.full(len(offered), np.nan), where=offered > 0)
    return np.vstack([
        rows["service_level"].to_numpy(dtype=float),
        rows["asa_s"].to_numpy(dtype=float),
        abandon,
        rows["occupancy"].to_numpy(dtype=float),
        rows["agents_online"].to_numpy(dtype=float),
        offered,
        rows["answered"].to_numpy(dtype=float),
        rows["busy_capacity_s"].to_numpy(dtype=float),
    ])
