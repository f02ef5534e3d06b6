"""Unresponsive customers: capacity they hold, their returns and timeouts (rules §4).

A customer who stops answering holds the agent's capacity from the agent's last message
until the agent marks the session Inactive (after ``inactivate_after`` of silence). Under
tab-based capacity the slot stays held until the agent then closes the tab; under
status-based capacity an Inactive session weighs nothing (the slot is freed at once), but
a returning customer comes back to the same agent, even over capacity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.preference import number
from sim.model.tables import Result
from sim.scenario.schema import Scenario

HELD_SILENT = "held while silent (capacity-min)"
HELD_INACTIVE = "held while Inactive until tab close (capacity-min)"
RETURN_WAIT = "queue wait after return (min)"
OVER_CAPACITY = "over-capacity time (min)"


def held_capacity_s(trace: pd.DataFrame, capacity_model: str) -> tuple[float, float, set[int]]:
    """Seconds of capacity held by silent customers, from an event trace.

    Args:
        trace: a traced run's ``trace`` table (``session_id``, ``event``, ``time``).
        capacity_model: ``"tab"`` or ``"status"`` (an Inactive session holds capacity
            until its tab closes only under tab-based capacity).

    Returns:
        Seconds from the agent's last message to each ``inactive`` event, seconds from
        ``inactive`` to the next ``tab_closed`` (0 under status-based), and the sessions
        that went Inactive.
    """
    trace = trace[trace["session_id"] >= 0]
    events = trace["event"].to_numpy()
    times = trace["time"].to_numpy(dtype=float)
    by_session = trace.groupby("session_id", sort=False).indices
    silent, inactive_s, sessions = 0.0, 0.0, set()
    for session in trace.loc[trace["event"] == "inactive", "session_id"].unique():
        index = by_session[session]
        kinds, at = events[index], times[index]
        sessions.add(int(session))
        for i in np.flatnonzero(kinds == "inactive"):
            spoke = np.flatnonzero(kinds[:i] == "agent_message")
            silent += at[i] - (at[spoke[-1]] if len(spoke) else at[i])
            closed = np.flatnonzero(kinds[i + 1:] == "tab_closed")
            if capacity_model == "tab" and len(closed):
                inactive_s += at[i + 1 + closed[0]] - at[i]
    return silent, inactive_s, sessions


def silent_effect(result: Result) -> dict[str, float]:
    """What silent customers cost in one traced replication.

    Args:
        result: a replication run with ``trace=True``.

    Returns:
        Capacity-minutes held (silent, then Inactive until the tab closed), sessions gone
        silent, returns, their queue wait (minutes, ``return_wait_s``), agent time over
        capacity (minutes) and the silent sessions' outcomes.

    Raises:
        ValueError: if the run has no trace.
    """
    if result.trace is None:
        raise ValueError("silent_effect needs a run with trace=True")
    scenario: Scenario = result.scenario
    silent_s, inactive_s, sessions = held_capacity_s(result.trace, scenario.capacity_model)
    table = result.sessions
    outcomes = table.loc[table["session_id"].isin(sessions), "outcome"].astype(str)
    counts = outcomes.value_counts()
    return {
        "silent sessions": float(len(sessions)),
        HELD_SILENT: silent_s / 60.0,
        HELD_INACTIVE: inactive_s / 60.0,
        "returns": float((result.trace["event"] == "customer_returned").sum()),
        RETURN_WAIT: float(table["return_wait_s"].sum()) / 60.0,
        OVER_CAPACITY: float(result.agents["over_capacity_s"].sum()) / 60.0,
        "silent: completed": float(counts.get("completed", 0)),
        "silent: still open at horizon": float(counts.get("open_at_horizon", 0)),
        "silent: timed out": float(counts.get("timed_out", 0)),
    }


def silent_table(results: dict[str, list[Result]]) -> pd.DataFrame:
    """:func:`silent_effect`, mean per replication, one column per capacity model."""
    return pd.DataFrame({model: pd.DataFrame([silent_effect(r) for r in runs]).mean()
                         for model, runs in results.items()})


def held_total(silent: pd.DataFrame, model: str) -> float:
    """Capacity-minutes silent customers hold per replication under ``model``."""
    return number(silent, HELD_SILENT, model) + number(silent, HELD_INACTIVE, model)
