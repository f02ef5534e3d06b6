"""Staffing without presence: a planner's schedule file, or the agents' work activity.

Many planners can export ``MessagingSession`` and ``AgentWork`` but not
``UserServicePresence``. Their agents' shifts then come from a WFM schedule
(:func:`schedule_periods`) or, failing that, from when each agent worked
(:func:`activity_periods`, with a warning: idle time at a shift's edges is not seen).

The schedule is a CSV file, one row per shift or break: ``agent`` (a User Id) or
``group`` (one row is one agent of that group), ``start`` and ``end`` (ISO 8601; without an
offset, clock times in the calibration's time zone), optionally ``activity`` (``shift``,
the default, or ``break``) and ``group`` beside ``agent``. Times become seconds from the
calibrated scenario's start.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration.agents import PresencePeriods, join_shifts
from sim.calibration.timeline import ExportClock
from sim.salesforce import fields
from sim.salesforce.read import SHORT_ID

ACTIVITIES = ("shift", "break")
"""Values of a schedule's ``activity`` column."""


class ScheduleError(ValueError):
    """A bad schedule file: one line naming the file, the row and the column."""


def read_schedule(path: Path, zone: str = "UTC") -> pd.DataFrame:
    """The rows of a schedule file: ``agent``, ``group``, ``start``, ``end`` (UTC), ``activity``.

    Raises:
        ScheduleError: one line naming the file, the row (the header is row 1) and what
            is allowed.
    """
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise ScheduleError(f"--schedule {path}: cannot read it as CSV "
                            f"({type(error).__name__}); expected a UTF-8 CSV file with the "
                            "columns agent or group, start, end") from None
    table.columns = [str(name).strip().lower() for name in table.columns]
    missing = [name for name in ("start", "end") if name not in table.columns]
    if missing or not {"agent", "group"} & set(table.columns):
        raise ScheduleError(f"{path}:1: expected the columns agent or group, start, end "
                            f"(and optionally activity); found {', '.join(table.columns)}")
    if table.empty:
        raise ScheduleError(f"{path}: a header and no rows; expected one row per shift")
    rows = np.arange(2, len(table) + 2)
    for column in ("agent", "group", "activity"):
        if column not in table.columns:
            table[column] = ""
        table[column] = table[column].str.strip()
    table["activity"] = table["activity"].str.lower().replace("", "shift")
    bad = ~table["activity"].isin(ACTIVITIES)
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        raise ScheduleError(f"{path}:{rows[at]}:activity: found {table['activity'].iloc[at]!r}; "
                            f"expected {' or '.join(ACTIVITIES)}")
    nobody = (table["agent"] == "") & (table["group"] == "")
    if nobody.any():
        raise ScheduleError(f"{path}:{rows[int(np.flatnonzero(nobody)[0])]}: neither agent nor "
                            "group; expected the agent's User Id or the group of the shift")
    for column in ("start", "end"):
        table[column] = _times(table[column], path, column, rows, zone)
    backwards = (table["end"] <= table["start"]).to_numpy()
    if backwards.any():
        at = int(np.flatnonzero(backwards)[0])
        raise ScheduleError(f"{path}:{rows[at]}:end: not after start; expected a shift or "
                            "break that ends after it starts")
    short = table["agent"].str.fullmatch(SHORT_ID)
    table.loc[short, "agent"] = [fields.with_checksum(value)
                                 for value in table.loc[short, "agent"]]
    table["row"] = rows
    return table


def _times(text: pd.Series, path: Path, column: str, rows: np.ndarray, zone: str) -> pd.Series:
    parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=False)
    bad = parsed.isna().to_numpy()
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        raise ScheduleError(f"{path}:{rows[at]}:{column}: found {text.iloc[at]!r}; expected an "
                            "ISO 8601 date-time such as 2026-03-02T08:00 or 2026-03-02 08:00Z")
    if parsed.dt.tz is None:
        return parsed.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT").dt.tz_convert(
            "UTC")
    return parsed.dt.tz_convert("UTC")


def schedule_periods(schedule: pd.DataFrame, clock: ExportClock, max_gap_s: float
                     ) -> tuple[PresencePeriods, dict[str, str]]:
    """Shifts (available) and breaks (away) of a read schedule, and each agent's group.

    A row with a group and no agent is one agent of the group, named ``<group>#<row>``.
    """
    agents = np.where(schedule["agent"] != "", schedule["agent"],
                      schedule["group"] + "#" + schedule["row"].astype(str))
    table = pd.DataFrame({
        "user": agents,
        "start_s": clock.seconds(schedule["start"]),
        "end_s": clock.seconds(schedule["end"]),
        "away": (schedule["activity"] == "break").to_numpy(),
        "capacity": np.nan,
        "status": schedule["activity"].to_numpy(),
        "draining": False,
    }).sort_values(["user", "start_s"], kind="stable", ignore_index=True)
    shifts, gaps = join_shifts(table, max_gap_s)
    groups = {str(agent): str(group) for agent, group
              in zip(agents, schedule["group"], strict=True) if group}
    return PresencePeriods(still_online=0, table=table, shifts=shifts, gaps=gaps,
                           source="the schedule file"), groups


def activity_periods(work: pd.DataFrame, max_gap_s: float) -> PresencePeriods:
    """Each agent on shift from a push to the end of its work, joined across short gaps.

    An agent's spans (assigned, else requested, to close, decline, push timeout or cancel)
    join into a shift while they are less than ``max_gap_s`` apart.
    """
    begin = np.where(np.isfinite(work["assigned_s"]), work["assigned_s"], work["request_s"])
    end = np.fmax.reduce([work[column].to_numpy() for column in
                          ("close_s", "decline_s", "timeout_s", "accept_s")])
    keep = np.isfinite(begin) & np.isfinite(end) & work["user"].notna().to_numpy()
    table = pd.DataFrame({
        "user": work["user"].to_numpy()[keep], "start_s": begin[keep], "end_s": end[keep],
        "away": False, "capacity": np.nan, "status": "work", "draining": False,
    }).sort_values(["user", "start_s"], kind="stable", ignore_index=True)
    shifts, _ = join_shifts(table, max_gap_s)
    gaps = pd.DataFrame(columns=["user", "start_s", "duration_s"])
    warning = (f"no UserServicePresence.csv: staffing inferred from work activity ({len(shifts)} "
               f"shifts of {table['user'].nunique()} agents, each from a push to the end of its "
               f"work, joined across gaps up to {max_gap_s:g} s); idle time at a shift's start "
               "and end is not seen, so staffing is low and occupancy high; give --schedule "
               "FILE for the real shifts")
    return PresencePeriods(still_online=0, table=table, shifts=shifts, gaps=gaps,
                           warnings=[warning], source="work activity")
