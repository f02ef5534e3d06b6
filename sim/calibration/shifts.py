"""Shifts with their breaks, fitted from the agents' observed shifts and away periods.

A group whose agents take breaks (away periods that are not the busy status after a
decline) gets ``shifts`` instead of a ``staffing`` per interval, which cannot hold them:
the users' shifts, their times rounded to :data:`ROUND_S`, are grouped by start and end
into one shift entry each (``agents`` = how many users worked it; the same times with the
same agents on consecutive days are one entry with ``days``). Breaks are fitted per shift
pattern (the same time of day and length, pooled across days): the typical number of
breaks per shift, and for the k-th break the earliest start after the shift's start
(``after``), how much later the last agent's starts (``spread``: the model staggers the
agents over it) and the median length (``duration``). Times are seconds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.calibration.timeline import DAY_S

ROUND_S = 300.0
"""Shift starts and ends are rounded to this (seconds): logins a few seconds apart are one
shift."""

SAME_START_S = 60.0
"""Break starts within this of each other are one time (no spread; seconds)."""


def fit_shifts(shifts: pd.DataFrame, breaks: pd.DataFrame) -> list[dict[str, Any]]:
    """Shift entries (``start``, ``end`` as durations from the start, ``agents``, ``breaks``).

    Args:
        shifts: the users' shifts: ``user``, ``start_s``, ``end_s``.
        breaks: their break periods: ``user``, ``start_s``, ``end_s``.
    """
    table = shifts.assign(
        start_r=(shifts["start_s"] / ROUND_S).round() * ROUND_S,
        end_r=(shifts["end_s"] / ROUND_S).round() * ROUND_S,
    )
    table = table[table["end_r"] > table["start_r"]].reset_index(drop=True)
    table["pattern"] = list(zip(table["start_r"] % DAY_S, table["end_r"] - table["start_r"],
                                strict=True))
    offsets = _break_offsets(table, breaks)
    pattern_breaks = {pattern: _typical_breaks(offsets[offsets["pattern"] == pattern],
                                               int((table["pattern"] == pattern).sum()),
                                               pattern[1])
                      for pattern in dict.fromkeys(table["pattern"])}
    counts = (table.groupby(["start_r", "end_r"], sort=True).size()
              .rename("agents").reset_index())
    entries: list[dict[str, Any]] = []
    latest: dict[tuple[float, float], dict[str, Any]] = {}  # per pattern, its last entry
    for row in counts.itertuples(index=False):
        start, end, agents = float(row.start_r), float(row.end_r), int(row.agents)
        pattern = (start % DAY_S, end - start)
        last = latest.get(pattern)
        if (last is not None and last["agents"] == agents
                and abs(last["_start"] + last["days"] * DAY_S - start) < 1e-6):
            last["days"] += 1
            continue
        latest[pattern] = {"_pattern": pattern, "_start": start, "start": start, "end": end,
                           "agents": agents, "days": 1,
                           "breaks": [dict(item) for item in pattern_breaks[pattern]]}
        entries.append(latest[pattern])
    entries.sort(key=lambda entry: (entry["_pattern"][0], entry["_start"]))
    return [{"start": duration_text(entry["start"]), "end": duration_text(entry["end"]),
             "agents": entry["agents"],
             **({"days": entry["days"]} if entry["days"] > 1 else {}),
             **({"breaks": entry["breaks"]} if entry["breaks"] else {})}
            for entry in entries]


def _break_offsets(table: pd.DataFrame, breaks: pd.DataFrame) -> pd.DataFrame:
    """Each break inside a shift: its shift, pattern, ordinal, offset and length (s)."""
    rows = []
    by_user = {user: rows_of.sort_values("start_s") for user, rows_of in
               breaks.groupby("user", sort=False)}
    for index, shift in table.iterrows():
        mine = by_user.get(shift["user"])
        if mine is None:
            continue
        inside = mine[(mine["start_s"] >= shift["start_s"]) & (mine["start_s"] < shift["end_s"])]
        for ordinal, item in enumerate(inside.itertuples(index=False)):
            rows.append((index, shift["pattern"], ordinal, float(item.start_s) - shift["start_r"],
                         float(item.end_s) - float(item.start_s)))
    return pd.DataFrame(rows, columns=["shift", "pattern", "ordinal", "after_s", "duration_s"])


def _typical_breaks(offsets: pd.DataFrame, shifts: int, length_s: float
                    ) -> list[dict[str, str]]:
    """The breaks of one pattern's ``shifts`` shifts, as the scenario writes them.

    The typical count (the most frequent, shifts without a break counted), then per
    ordinal the times of the shifts with that count; a break is kept inside the shift's
    ``length_s`` (its spread, then its length shortened; left out if none remains).
    """
    if not len(offsets):
        return []
    sizes = offsets.groupby("shift").size()
    every = np.r_[sizes.to_numpy(), np.zeros(max(shifts - len(sizes), 0), dtype=int)]
    count = int(np.bincount(every).argmax())
    typical = offsets[offsets["shift"].map(sizes) == count]
    result = []
    for _, rows in typical.groupby("ordinal", sort=True):
        after = max(float(rows["after_s"].min()), 0.0)
        spread = float(rows["after_s"].max()) - after
        spread = spread if spread > SAME_START_S else 0.0
        duration = float(rows["duration_s"].median())
        spread = max(min(spread, length_s - after - duration), 0.0)
        duration = min(duration, length_s - after - spread)
        if duration < 1.0:
            continue
        result.append({"after": duration_text(after), "duration": duration_text(duration),
                       "spread": duration_text(spread)})
    return result


def duration_text(seconds: float) -> str:
    """A duration as the scenario writes it: ``8h``, ``510m`` or ``95.5s``."""
    value = round(float(seconds), 1)
    if value == 0:
        return "0s"
    if value % 3600 == 0:
        return f"{value / 3600:g}h"
    if value % 60 == 0:
        return f"{value / 60:g}m"
    return f"{value:g}s"
