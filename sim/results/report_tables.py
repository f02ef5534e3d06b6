"""Small result tables for shared reports, and the unit of every report table column.

:func:`group_table` sums the agents table per agent group (agents, online hours,
occupancy, sessions handled); :func:`channel_totals` sums the interval counts per channel
after the warm-up. :func:`column_unit` names the unit of a column of any report table
(``intervals.csv``, ``agents.csv``, the per-group table, ``staffing.csv``, the sweep's wide
table), so a workbook or a web page can show it next to the column's name; :func:`setting_text`
writes a run setting's value as one text for either.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.results.confidence import ci95_half_width
from sim.results.figures import (
    FIGURE_UNITS,
    FIGURES,
    reported_name,
    reported_unit,
)

COLUMN_UNITS: dict[str, str] = {
    # intervals.csv
    "interval": "",
    "start_s": "s",
    "answered_within": "sessions",
    "p90_wait_s": "s",
    "agents_online": "agents",
    "busy_capacity_s": "capacity × s",
    "capacity_online_s": "capacity × s",
    "clock": "HH:MM",
    "arrival_clock": "HH:MM",
    "concurrency": "sessions/agent",
    "replications": "runs",
    # agents.csv
    "agent_id": "",
    "capacity": "capacity units",
    "online_s": "s",
    "online_h": "h",
    "offline_s": "s",
    "offline_events": "events",
    "sessions_handled": "sessions",
    "max_concurrency": "sessions",
    "over_capacity_s": "s",
    "at_capacity_s": "s",
    # per-group table
    "agents": "agents",
    "busy_capacity_h": "capacity × h",
    "capacity_online_h": "capacity × h",
    # staffing.csv
    "arrivals": "sessions",
    "analytic_agents": "agents",
    "analytic_scheduled": "agents",
    "other_groups_online": "agents",
    "required": "agents",
    "scheduled": "agents",
    "analytic": "agents",
    "abandon_rate": "share",
    "meets": "",
    "start": "HH:MM",
    # shift plan, service level curve
    "length_h": "h",
    "sessions": "sessions",
    # sweep
    "n": "runs",
    # totals over a replication, as report files name them (``stranded_h_per_day``)
    **{reported_name(name): reported_unit(name) for name in FIGURES
       if reported_name(name) != name},
}
"""Units of report table columns that are not headline figures (``share`` is 0-1)."""

_QUALIFIERS = ("_ci95", "_mean", "_sd", "_tab", "_status")
"""Suffixes that keep a column's unit: ``service_level_status_ci95`` is a share."""


def column_unit(column: str) -> str:
    """The unit of a report table column (``""`` when it has none or is unknown).

    Known names first (:data:`COLUMN_UNITS`, then the headline figures'
    :data:`~sim.results.figures.FIGURE_UNITS`); a qualified name (``asa_s_ci95``,
    ``required_tab``, ``service_level_mean``) has the unit of its base name.
    """
    name = str(column)
    while True:
        if name in COLUMN_UNITS:
            return COLUMN_UNITS[name]
        if name in FIGURE_UNITS:
            return FIGURE_UNITS[name]
        for suffix in _QUALIFIERS:
            if name.endswith(suffix) and len(name) > len(suffix):
                name = name[: -len(suffix)]
                break
        else:
            return ""


def group_table(agents: pd.DataFrame) -> pd.DataFrame:
    """One row per agent group: its agents' figures, means over replications.

    Occupancy is the group's busy capacity time over its online capacity time
    (``busy_capacity_s / (capacity × online_s)`` summed over its agents), as the center's
    headline occupancy is over every agent; weighted by ``capacity × online_h`` the groups'
    occupancies add up to the center's in each replication.

    Args:
        agents: the agents tables of all replications (``agents.csv``: ``replication``,
            ``group``, ``capacity``, ``online_s``, ``busy_capacity_s``,
            ``sessions_handled``, ...).

    Returns:
        Columns ``group``, ``agents``, ``capacity`` (per agent, the mean where it differs),
        ``online_h``, ``busy_capacity_h``, ``occupancy``, ``occupancy_ci95`` (over
        replications), ``sessions_handled``, ``over_capacity_s``, ``replications``; groups
        in the order of the table.
    """
    columns = ["group", "agents", "capacity", "online_h", "busy_capacity_h", "occupancy",
               "occupancy_ci95", "sessions_handled", "over_capacity_s", "replications"]
    if agents.empty:
        return pd.DataFrame(columns=columns)
    frame = agents.assign(
        replication=agents["replication"] if "replication" in agents else 0,
        capacity_s=agents["capacity"] * agents["online_s"],
        over_capacity_s=agents["over_capacity_s"] if "over_capacity_s" in agents else 0.0,
    )
    per_run = frame.groupby(["group", "replication"], sort=False).agg(
        agents=("agent_id", "count"),
        capacity=("capacity", "mean"),
        online_s=("online_s", "sum"),
        capacity_s=("capacity_s", "sum"),
        busy_capacity_s=("busy_capacity_s", "sum"),
        sessions_handled=("sessions_handled", "sum"),
        over_capacity_s=("over_capacity_s", "sum"),
    ).reset_index()
    per_run["occupancy"] = np.divide(
        per_run["busy_capacity_s"].to_numpy(dtype=float),
        per_run["capacity_s"].to_numpy(dtype=float),
        out=np.full(len(per_run), np.nan), where=per_run["capacity_s"].to_numpy() > 0,
    )
    grouped = per_run.groupby("group", sort=False)
    means = grouped[["agents", "capacity", "online_s", "busy_capacity_s", "occupancy",
                     "sessions_handled", "over_capacity_s"]].mean()
    table = pd.DataFrame({
        "group": means.index.astype(str),
        "agents": means["agents"].to_numpy(),
        "capacity": means["capacity"].to_numpy(),
        "online_h": means["online_s"].to_numpy() / 3600.0,
        "busy_capacity_h": means["busy_capacity_s"].to_numpy() / 3600.0,
        "occupancy": means["occupancy"].to_numpy(),
        "occupancy_ci95": grouped["occupancy"].agg(ci95_half_width).to_numpy(),
        "sessions_handled": means["sessions_handled"].to_numpy(),
        "over_capacity_s": means["over_capacity_s"].to_numpy(),
        "replications": grouped.size().to_numpy(),
    })
    return table[columns]


CHANNEL_COUNTS = ("offered", "outbound_sent", "answered", "answered_within", "abandoned",
                  "completed", "timed_out", "ended_by_logout")
"""Interval counts summed per channel by :func:`channel_totals` (those present)."""


def channel_totals(intervals: pd.DataFrame, warmup_s: float = 0.0) -> pd.DataFrame:
    """Session counts per channel over the intervals after the warm-up, means over runs.

    Args:
        intervals: the interval tables of all replications (with ``replication``,
            ``start_s``, ``channel`` and the counts of :data:`CHANNEL_COUNTS`).
        warmup_s: intervals starting before this are left out, as the headline figures
            leave out the warm-up.

    Returns:
        One row per channel (``all`` last, as in the intervals table) with the counts and
        ``replications``.
    """
    counts = [name for name in CHANNEL_COUNTS if name in intervals.columns]
    rows = intervals[intervals["start_s"] >= warmup_s]
    if "replication" not in rows:
        rows = rows.assign(replication=0)
    per_run = rows.groupby(["channel", "replication"], sort=False)[counts].sum().reset_index()
    grouped = per_run.groupby("channel", sort=False)
    table = grouped[counts].mean().reset_index()
    table["replications"] = grouped.size().to_numpy()
    table["channel"] = table["channel"].astype(str)
    order = [name for name in table["channel"] if name != "all"] + (
        ["all"] if (table["channel"] == "all").any() else [])
    return table.set_index("channel").loc[order].reset_index()


def setting_text(value: Any) -> str:
    """A setting's value as text: lists joined by commas, mappings by semicolons, None empty."""
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return "; ".join(f"{key}: {setting_text(item)}" for key, item in value.items())
    return "" if value is None else str(value)
