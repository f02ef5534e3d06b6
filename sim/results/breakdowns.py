"""Figures per channel, per queue and per agent group, over replications (issue 9 item 4).

:func:`session_breakdown` gives each channel's (or queue's) headline session figures
(:data:`~sim.results.figures.SESSION_FIGURES`: service level, ASA, abandonment, handle
time, ...) with the center's as ``"all"``, equal to the headline figures;
:func:`group_interval_summary` averages the per-group interval tables
(:func:`sim.model.tables.groups_table`) over replications; :func:`group_totals` gives each
group's agents online, occupancy and concurrency over the run after the warm-up.
Times are seconds, shares 0-1.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.results.confidence import ci95_half_width
from sim.results.figures import (
    FIGURE_UNITS,
    SESSION_FIGURES,
    session_figures,
    summarize,
)
from sim.scenario.schema import AgentGroup, Scenario

ALL = "all"
"""The key of the whole center in every breakdown."""

PRESENCE_FIGURES = ("agents_available", "agents_on_break", "agents_away", "agents_draining",
                    "agents_offline")
"""Mean agents in each presence state (:data:`sim.model.tables.PRESENCE_COLUMNS`); the
first four add up to ``agents_online``."""

GROUP_TOTALS = ("agents_online", "capacity_online_h", "busy_capacity_h", "occupancy",
                "concurrency", *PRESENCE_FIGURES, "shift_hours")
"""Per-group figures of :func:`group_totals`."""

GROUP_TOTAL_UNITS = {
    "agents_online": "agents",
    **dict.fromkeys(PRESENCE_FIGURES, "agents"),
    "shift_hours": "h",
    "capacity_online_h": "capacity × h",
    "busy_capacity_h": "capacity × h",
    "occupancy": "share",
    "concurrency": "sessions/agent",
}


def session_breakdown(sessions: pd.DataFrame, scenario: Scenario, by: str,
                      warmup_s: float | None = None) -> pd.DataFrame:
    """Each ``by`` value's session figures, mean and 95% CI over replications.

    Args:
        sessions: the session tables of all replications (``replication`` column; one
            replication without it).
        scenario: the scenario run (names in its order, horizon, service level).
        by: ``"channel"`` or ``"queue"``.
        warmup_s: sessions arriving earlier are left out; the scenario's warm-up if omitted.

    Returns:
        One row per key (``by`` values in scenario order, then ``"all"``) and figure:
        columns ``by``, ``figure``, ``mean``, ``ci95``, ``sd``, ``n``, ``unit``.
    """
    return summarize_parts(part_figures(sessions, scenario, by, warmup_s), by,
                           part_keys(scenario, by))


def part_keys(scenario: Scenario, by: str) -> list[str]:
    """The ``by`` values of a breakdown: channels (or queues) in scenario order, then all."""
    names = ([channel.name for channel in scenario.channels] if by == "channel"
             else list(dict.fromkeys(channel.queue for channel in scenario.channels)))
    return [*names, ALL]


def part_figures(sessions: pd.DataFrame, scenario: Scenario, by: str,
                 warmup_s: float | None = None) -> pd.DataFrame:
    """Each replication's session figures per ``by`` value (and ``"all"``), unsummarized.

    The small table a replication sends back instead of its sessions (see
    :func:`summarize_parts`, which turns it into :func:`session_breakdown`'s table).

    Args:
        sessions: as for :func:`session_breakdown`.
        scenario: the scenario run.
        by: ``"channel"`` or ``"queue"``.
        warmup_s: sessions arriving earlier are left out; the scenario's warm-up if omitted.

    Returns:
        One row per key (scenario order, then ``"all"``) and replication: ``by``,
        ``replication``, then every :data:`~sim.results.figures.SESSION_FIGURES` column.
    """
    warmup = scenario.warmup if warmup_s is None else float(warmup_s)
    kept = sessions[sessions["arrival_time"] >= warmup]
    if "replication" not in kept:
        kept = kept.assign(replication=0)
    replications = sorted(sessions["replication"].unique()) if "replication" in sessions \
        else [0]
    by_run = dict(tuple(kept.groupby("replication", sort=True)))
    rows = []
    for key in part_keys(scenario, by):
        for replication in replications:
            part = by_run.get(replication, kept.iloc[:0])
            if key != ALL:
                part = part[part[by] == key]
            rows.append({by: key, "replication": int(replication),
                         **session_figures(part, scenario)})
    return pd.DataFrame(rows, columns=[by, "replication", *SESSION_FIGURES])


def summarize_parts(parts: pd.DataFrame, by: str, keys: Sequence[str]) -> pd.DataFrame:
    """:func:`session_breakdown`'s table from :func:`part_figures` rows (any replications).

    Args:
        parts: :func:`part_figures` of one or more replications, concatenated.
        by: the key column (``"channel"`` or ``"queue"``).
        keys: the rows' keys in order (:func:`part_keys`); a key without rows gets
            figures of NaN and ``n`` 0.
    """
    frames = []
    for key in keys:
        rows = parts[parts[by] == key] if by in parts else parts.iloc[:0]
        ordered = rows.sort_values("replication", kind="stable") if len(rows) else rows
        values = ordered[list(SESSION_FIGURES)].to_dict("records")
        table = summarize(values).reindex(list(SESSION_FIGURES)).reset_index()
        table.insert(0, by, key)
        frames.append(table)
    result = pd.concat(frames, ignore_index=True)
    result["n"] = result["n"].fillna(0).astype(int)  # a figure no session gave: n = 0
    result["unit"] = [FIGURE_UNITS.get(name, "") for name in result["figure"]]
    return result[[by, "figure", "mean", "ci95", "sd", "n", "unit"]]


def breakdown_document(table: pd.DataFrame, by: str) -> dict[str, dict[str, dict[str, object]]]:
    """``{key: {figure: {mean, ci95, sd, n, unit}}}`` of a :func:`session_breakdown` table."""
    document: dict[str, dict[str, dict[str, object]]] = {}
    for row in table.to_dict("records"):
        document.setdefault(str(row[by]), {})[str(row["figure"])] = {
            "mean": row["mean"], "ci95": row["ci95"], "sd": row["sd"], "n": int(row["n"]),
            "unit": row["unit"],
        }
    return document


def group_interval_summary(groups: pd.DataFrame) -> pd.DataFrame:
    """The per-group interval tables averaged over replications, per interval and group.

    Args:
        groups: per-group interval tables of all replications (``replication`` column).

    Returns:
        ``interval``, ``start_s``, ``group``, the means of every level, ``occupancy_ci95``
        (over replications) and ``replications``.
    """
    keys = ["interval", "start_s", "group"]
    values = [column for column in groups.columns
              if column not in (*keys, "replication")
              and pd.api.types.is_numeric_dtype(groups[column])]
    grouped = groups.groupby(keys, sort=False)
    table = grouped[values].mean().reset_index()
    if "occupancy" in table:
        half = grouped["occupancy"].agg(ci95_half_width).reset_index(drop=True)
        table.insert(table.columns.get_loc("occupancy") + 1, "occupancy_ci95", half.to_numpy())
    table["replications"] = grouped.size().to_numpy()
    return table


def group_totals(groups: pd.DataFrame, scenario: Scenario,
                 warmup_s: float | None = None) -> pd.DataFrame:
    """Each group's figures over the intervals after the warm-up, mean and 95% CI.

    Per replication: ``agents_online`` time-weighted mean agents online over the group's
    own shift hours (:func:`shift_hours`, ``shift_hours`` of them after the warm-up; the
    whole run for a group without shifts), the same means of the agents available, on a
    break, away, draining and offline (:data:`PRESENCE_FIGURES`; draining and offline
    agents may fall outside the shift hours), ``capacity_online_h`` and
    ``busy_capacity_h`` summed, ``occupancy`` = busy over online
    capacity (the center's headline occupancy is the same over every group), and
    ``concurrency`` open work items per online agent.

    Args:
        groups: per-group interval tables of all replications.
        scenario: for the interval lengths, the group order and the warm-up.
        warmup_s: intervals starting earlier are left out; the scenario's warm-up if omitted.

    Returns:
        One row per group and figure: ``group``, ``figure``, ``mean``, ``ci95``, ``sd``,
        ``n``, ``unit``.
    """
    warmup = scenario.warmup if warmup_s is None else float(warmup_s)
    rows = groups[groups["start_s"] >= warmup]
    if "replication" not in rows:
        rows = rows.assign(replication=0)
    start = rows["start_s"].to_numpy(dtype=float)
    length = np.minimum(start + scenario.interval, scenario.horizon) - start
    index = np.minimum((start // scenario.interval).astype(int), scenario.n_intervals - 1)
    on_shift = {group.name: shift_hours(group, scenario) for group in scenario.agent_groups}
    shift_s = np.array([on_shift[name][at] for name, at in zip(rows["group"], index,
                                                               strict=True)]) * length
    presence = [column for column in PRESENCE_FIGURES if column in rows]
    rows = rows.assign(
        agent_s=rows["agents_online"].to_numpy(dtype=float) * length,
        length_s=length,
        shift_s=shift_s,
        **{f"{column}_s": rows[column].to_numpy(dtype=float) * length
           for column in presence},
        open_s=np.nan_to_num(rows["concurrency"].to_numpy(dtype=float))
        * rows["agents_online"].to_numpy(dtype=float) * length,
    )
    frames = []
    for name in [group.name for group in scenario.agent_groups]:
        mine = rows[rows["group"] == name]
        values = []
        for _, run in mine.groupby("replication", sort=True):
            capacity_s = float(run["capacity_online_s"].sum())
            busy_s = float(run["busy_capacity_s"].sum())
            agent_s = float(run["agent_s"].sum())
            hours_s = float(run["shift_s"].sum()) or float(run["length_s"].sum())
            values.append({
                "agents_online": agent_s / hours_s,
                **{column: float(run[f"{column}_s"].sum()) / hours_s for column in presence},
                "shift_hours": hours_s / 3600.0,
                "capacity_online_h": capacity_s / 3600.0,
                "busy_capacity_h": busy_s / 3600.0,
                "occupancy": busy_s / capacity_s if capacity_s > 0 else np.nan,
                "concurrency": float(run["open_s"].sum()) / agent_s if agent_s > 0 else np.nan,
            })
        table = summarize(values).reindex(list(GROUP_TOTALS)).reset_index()
        table.insert(0, "group", name)
        frames.append(table)
    if not frames:
        return pd.DataFrame(columns=["group", "figure", "mean", "ci95", "sd", "n", "unit"])
    result = pd.concat(frames, ignore_index=True)
    result["n"] = result["n"].fillna(0).astype(int)
    result["unit"] = [GROUP_TOTAL_UNITS[name] for name in result["figure"]]
    return result[["group", "figure", "mean", "ci95", "sd", "n", "unit"]]


def shift_hours(group: AgentGroup, scenario: Scenario) -> np.ndarray:
    """Per reporting interval, the share of it inside the group's shift hours (0 to 1).

    The union of its shifts with agents; the intervals its ``staffing`` has agents in; the
    whole run for a plain ``agents`` count (none without agents).
    """
    n = scenario.n_intervals
    begins = np.arange(n) * scenario.interval
    ends = np.minimum(begins + scenario.interval, scenario.horizon)
    if group.staffing is not None:
        counts = np.zeros(n)
        given = np.asarray(group.staffing[:n], dtype=float)
        counts[:len(given)] = given
        return (counts > 0).astype(float)
    if group.shifts is None:
        return np.full(n, 1.0 if group.agents > 0 else 0.0)
    spans: list[list[float]] = []
    for shift in sorted((s for s in group.shifts if s.agents > 0), key=lambda s: s.start):
        if spans and shift.start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], shift.end)
        else:
            spans.append([shift.start, shift.end])
    inside = np.zeros(n)
    for begin, end in spans:
        inside += np.clip(np.minimum(ends, end) - np.maximum(begins, begin), 0.0, None)
    return inside / (ends - begins)


def wide(table: pd.DataFrame, key: str) -> pd.DataFrame:
    """One row per key of a long breakdown table: ``<figure>`` and ``<figure>_ci95``."""
    keys = list(dict.fromkeys(table[key]))
    means = table.pivot(index=key, columns="figure", values="mean")
    halves = table.pivot(index=key, columns="figure", values="ci95")
    figures = list(dict.fromkeys(table["figure"]))
    out = pd.DataFrame({key: keys})
    for name in figures:
        out[name] = means.loc[keys, name].to_numpy()
        out[f"{name}_ci95"] = halves.loc[keys, name].to_numpy()
    return out
