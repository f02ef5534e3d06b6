"""Waits of answered customers caused by agents going offline (rules §3.7, §7).

When an agent drops offline, tab-based capacity ends the work item and sends the session
back to the queue (the customer waits again: ``requeued_wait_s``); status-based capacity
leaves it with the offline agent (the customer's messages wait: ``stranded_s``). Both are
waits *after* the first answer, which speed to answer does not see. Sessions count from
the warm-up on, as in the headline figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.model.tables import Result
from sim.scenario.schema import Scenario

CAUSES = {"requeued_wait_s": "requeued (went back to the queue)",
          "stranded_s": "stranded with the offline agent"}
"""Sessions-table column -> the cause of the wait it holds."""


def measured_sessions(result: Result) -> pd.DataFrame:
    """The sessions that arrived at or after the warm-up."""
    sessions = result.sessions
    return sessions[sessions["arrival_time"] >= result.scenario.warmup]


def offline_effect(results: list[Result]) -> pd.DataFrame:
    """Per cause, the mean per replication of what offline agents cost the customers.

    Args:
        results: replications of one capacity model.

    Returns:
        One row per cause (:data:`CAUSES`) with ``offline events`` (agents dropping
        offline), ``sessions affected``, ``customer wait (min)`` (total) and ``wait per
        answered session (s)``, each the mean over the replications.
    """
    rows = []
    for result in results:
        sessions = measured_sessions(result)
        answered = max(int(sessions["accept_time"].notna().sum()), 1)
        for column, cause in CAUSES.items():
            waits = sessions[column].to_numpy(dtype=float)
            rows.append({"cause": cause,
                         "offline events": float(result.agents["offline_events"].sum()),
                         "sessions affected": float((waits > 0).sum()),
                         "customer wait (min)": float(waits.sum()) / 60.0,
                         "wait per answered session (s)": float(waits.sum()) / answered})
    return pd.DataFrame(rows).groupby("cause", sort=False).mean()


def offline_per_interval(results: list[Result], scenario: Scenario) -> np.ndarray:
    """Customer wait caused by offline agents per arrival interval (minutes, mean per run).

    The requeued and stranded waits of each session are put in the reporting interval
    its customer arrived in.

    Args:
        results: replications of one capacity model.
        scenario: the scenario run (its interval and number of intervals).
    """
    total = np.zeros(scenario.n_intervals)
    for result in results:
        sessions = measured_sessions(result)
        index = np.minimum((sessions["arrival_time"].to_numpy(dtype=float)
                            // scenario.interval).astype(int), scenario.n_intervals - 1)
        waits = sessions[list(CAUSES)].to_numpy(dtype=float).sum(axis=1)
        np.add.at(total, index, waits / 60.0)
    return total / max(len(results), 1)
