"""The comparison's replications again, one :class:`Result` each, with the event trace.

:func:`sim.experiments.runner.compare` keeps each replication's figures, intervals and
agents but not its sessions or trace. The seed and the replication index fix every random
stream, so re-running replication ``r`` of each model gives the very same run, now with
the tables the session-level views need; :func:`traced_runs` checks that it does.
"""

from __future__ import annotations

import numpy as np

from sim.experiments.runner import Comparison
from sim.model.simulate import simulate
from sim.model.tables import Result
from sim.results.figures import headline_figures


class NotTheSameRun(RuntimeError):
    """A traced re-run's figures differ from the comparison's (the runs are not paired)."""


def traced_runs(comparison: Comparison) -> dict[str, list[Result]]:
    """Every replication of both models re-run with the trace, in replication order.

    Args:
        comparison: a finished comparison (its run sets' scenarios and seed are used).

    Returns:
        ``{"tab": [...], "status": [...]}``, one :class:`Result` per replication.

    Raises:
        NotTheSameRun: if a re-run's headline figures differ from the comparison's.
    """
    runs = {"tab": comparison.tab, "status": comparison.status}
    traced: dict[str, list[Result]] = {}
    for model, runset in runs.items():
        traced[model] = []
        for replication, expected in zip(runset.replication_ids, runset.figures, strict=True):
            result = simulate(runset.scenario, seed=runset.seed, replication=replication,
                              trace=True)
            again = headline_figures(result)
            if not all(np.isclose(again[k], expected[k], equal_nan=True) for k in expected):
                raise NotTheSameRun(f"traced re-run of {model} replication {replication} "
                                    "differs from the comparison")
            traced[model].append(result)
    return traced


def answered_waits(results: list[Result]) -> np.ndarray:
    """Speed to answer of every answered inbound session after the warm-up (seconds).

    Args:
        results: replications of one model (each with its scenario's warm-up).
    """
    waits = [np.empty(0)]
    for result in results:
        sessions = result.sessions
        inbound = sessions[(sessions["direction"] == "inbound")
                           & (sessions["arrival_time"] >= result.scenario.warmup)]
        waits.append(inbound["wait_s"].dropna().to_numpy(dtype=float))
    return np.concatenate(waits)
