"""Per agent group: capacity, staffing, disconnections, accepting and declining, fitted.

Fitted from presence and work facts (seconds).

Presence rows are periods in one online status; offline time has no row. A gap between
two rows of a user shorter than ``max_gap_s`` is a disconnection inside the shift; a
longer one ends the shift. A group whose agents take breaks (away periods other than the
busy status after a decline) gets its shifts with their breaks
(:func:`sim.calibration.shifts.fit_shifts`); otherwise the staffing of an interval is the
time-weighted number of the group's agents on shift (online, away or disconnected for a
short gap), rounded.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.calibration.distributions import fit_durations, fit_share, poisson_ci
from sim.calibration.facts import Unusable
from sim.calibration.fitted import Fitted
from sim.calibration.shifts import ROUND_S, fit_shifts
from sim.calibration.timeline import ExportClock
from sim.calibration.vocabulary import (
    ACCEPTED_STATUSES,
    CANCELED,
    DECLINED,
    PRESENCE_ROLES,
    PUSH_TIMEOUT,
    Vocabulary,
)
from sim.salesforce.read import Export

DEFAULT_MAX_GAP_S = 1800.0
"""Offline gaps up to this long inside a shift are disconnections (seconds)."""


@dataclass
class PresencePeriods:
    """Every user's presence periods in seconds from the start.

    Attributes:
        table: one row per presence row: ``user``, ``start_s``, ``end_s``, ``away``,
            ``capacity``, ``status`` (its DeveloperName), ``draining``.
        shifts: one row per shift (periods joined across short gaps, draining left
            out): ``user``, ``start_s``, ``end_s``.
        gaps: one row per short offline gap inside a shift: ``user``, ``start_s``,
            ``duration_s``.
        still_online: rows without an end (online at the export's end: counted to it).
        warnings: presence statuses neither known nor mapped, and how they were read.
        source: where the periods come from: ``UserServicePresence.csv``, a schedule
            file or the work activity (without presence no offline gap is seen).
    """

    still_online: int
    table: pd.DataFrame
    shifts: pd.DataFrame
    gaps: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    source: str = "UserServicePresence.csv"


def presence_periods(export: Export, clock: ExportClock, unusable: Unusable,
                     max_gap_s: float = DEFAULT_MAX_GAP_S,
                     vocabulary: Vocabulary | None = None) -> PresencePeriods:
    """The presence rows as periods, joined into shifts across short gaps.

    A status's role (available, away, break, draining) comes from ``vocabulary`` or the
    names ccsim writes; an unknown status is read by its ``IsAway`` (available without
    it) with a warning naming it and how to map it.
    """
    vocabulary = vocabulary or Vocabulary()
    raw = export.presence
    end = raw["StatusEndDate"] if "StatusEndDate" in raw.columns else pd.Series(
        pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]")
    end_s = clock.seconds(end)
    if "StatusDuration" in raw.columns:
        from_duration = clock.seconds(raw["StatusStartDate"]) + raw["StatusDuration"].to_numpy()
        end_s = np.where(np.isnan(end_s), from_duration, end_s)
    still_online = np.isnan(end_s)
    end_s = np.where(still_online, clock.horizon_s, end_s)
    is_away = (raw["IsAway"].map(lambda v: str(v).lower() == "true").to_numpy()
               if "IsAway" in raw.columns else np.zeros(len(raw), dtype=bool))
    names = export.statuses.set_index("Id")["DeveloperName"]
    status_name = raw["ServicePresenceStatusId"].map(names).fillna("")
    roles = status_name.map(vocabulary.status_role)
    warnings = _unknown_statuses(status_name, roles, "IsAway" in raw.columns)
    draining = (roles == "draining").to_numpy()
    away = np.where(roles.isna().to_numpy(), is_away,
                    roles.isin(["away", "break"]).to_numpy())
    table = pd.DataFrame({
        "user": raw["UserId"].to_numpy(),
        "start_s": clock.seconds(raw["StatusStartDate"]),
        "end_s": end_s,
        "away": away,
        "capacity": raw["ConfiguredCapacity"].to_numpy(dtype=float),
        "status": status_name.to_numpy(),
        "draining": draining,
    }).sort_values(["user", "start_s"], kind="stable", ignore_index=True)
    shifts, gaps = join_shifts(table, max_gap_s)
    return PresencePeriods(
        warnings=warnings,
        still_online=int(still_online.sum()),
        table=table,
        shifts=shifts,
        gaps=gaps,
    )


def join_shifts(table: pd.DataFrame, max_gap_s: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Shifts and short gaps of presence periods (``user``, ``start_s``, ``end_s``, sorted).

    Periods of a user join across offline gaps up to ``max_gap_s`` (a disconnection);
    draining periods (finishing the shift's work, taking none) are past the shift's end.
    """
    shifts, gaps = [], []
    for user, rows in table[~table["draining"]].groupby("user", sort=True):
        start, stop = rows["start_s"].to_numpy(), rows["end_s"].to_numpy()
        shift_start, shift_end = start[0], stop[0]
        for begin, finish in zip(start[1:], stop[1:], strict=True):
            gap = begin - shift_end
            if gap > max_gap_s:
                shifts.append((user, shift_start, shift_end))
                shift_start = begin
            elif gap > 0:
                gaps.append((user, shift_end, gap))
            shift_end = max(shift_end, finish)
        shifts.append((user, shift_start, shift_end))
    return (pd.DataFrame(shifts, columns=["user", "start_s", "end_s"]),
            pd.DataFrame(gaps, columns=["user", "start_s", "duration_s"]))


def _unknown_statuses(names: pd.Series, roles: pd.Series, has_is_away: bool) -> list[str]:
    """One warning per presence status neither known nor mapped."""
    unknown = names[roles.isna().to_numpy()]
    lines = []
    for name, count in unknown.value_counts(sort=False).items():
        label = name or "(no ServicePresenceStatus row)"
        lines.append(f"UserServicePresence.csv: status {label} ({count} rows) is not known: "
                     + ("read by its IsAway" if has_is_away else "read as available (no IsAway)")
                     + f"; map it with --status {name or 'NAME'}="
                     + "|".join(PRESENCE_ROLES))
    return lines


def user_groups(export: Export, work: pd.DataFrame, periods: PresencePeriods,
                given: Mapping[str, str] | None = None) -> pd.Series:
    """The agent group of every user.

    From ``given`` (a schedule's groups), then ``users.csv``, else one group per
    (capacity, queues served).
    """
    users = sorted(set(periods.table["user"]) | set(work["user"].dropna()))
    if given:
        mapping = export.users.set_index("UserId")["Group"] if export.users is not None else {}
        return pd.Series([str(given.get(user) or mapping.get(user, "agents"))
                          for user in users], index=users)
    if export.users is not None:
        mapping = export.users.set_index("UserId")["Group"]
        return pd.Series([str(mapping.get(user, "agents")) for user in users], index=users)
    capacity = periods.table.groupby("user")["capacity"].agg(
        lambda values: values.mode().iloc[0] if len(values.dropna()) else math.nan)
    queues = work.groupby("user")["queue"].agg(lambda values: ",".join(sorted(set(values))))
    keys = [(capacity.get(user, math.nan), queues.get(user, "")) for user in users]
    names = {key: f"agents_{index + 1}" for index, key in enumerate(dict.fromkeys(keys))}
    if len(names) == 1:
        names = {key: "agents" for key in names}
    return pd.Series([names[key] for key in keys], index=users)


def fit_group(name: str, users: list[str], periods: PresencePeriods, work: pd.DataFrame,
              clock: ExportClock) -> Fitted:
    """The scenario mapping of one agent group (queues, capacity, staffing, behaviour)."""
    fitted = Fitted()
    fitted.set(("name",), name)
    mine = work[work["user"].isin(users)]
    queues = sorted(set(mine["queue"].dropna()))
    fitted.set(("queues",), queues or ["queue"], f"queues of the work its {len(users)} "
               "users handled")
    presence = periods.table[periods.table["user"].isin(users)]
    capacity = presence["capacity"].dropna()
    if len(capacity):
        mode = float(capacity.mode().iloc[0])
        fitted.set(("capacity",), mode, f"ConfiguredCapacity {mode:g} on "
                   f"{(capacity == mode).mean():.1%} of {len(capacity)} presence rows")
    else:
        peak = peak_held(mine)
        fitted.set(("capacity",), float(max(1, peak)),
                   f"no ConfiguredCapacity (no presence): the most work items one of its "
                   f"{len(users)} users held at once ({peak})")
        fitted.warnings.append(f"agent_groups[{name}].capacity: no ConfiguredCapacity "
                               f"without UserServicePresence.csv: {max(1, peak)}, the most work "
                               "items an agent held at once (a capacity never filled is "
                               "not seen); give the real one in the scenario")
    shifts = periods.shifts[periods.shifts["user"].isin(users)]
    breaks = break_periods(presence, mine)
    entries = fit_shifts(shifts, breaks) if len(breaks) else []
    if any("breaks" in entry for entry in entries):
        fitted.set(("shifts",), entries, _shifts_comment(entries, shifts, breaks, users,
                                                         periods.source))
    else:
        staffing = staffing_per_interval(shifts, clock)
        fitted.set(("staffing",), [int(round(value)) for value in staffing],
                   f"agents on shift per interval (time-weighted, rounded) from "
                   f"{len(shifts)} shifts of {len(users)} users in {periods.source}; no "
                   "break seen")
    if periods.source == "UserServicePresence.csv":
        _disconnections(fitted, periods, users, shifts)
    else:
        for key in ("rate", "duration"):
            fitted.default(("disconnections", key), f"staffing from {periods.source}, not "
                           "UserServicePresence.csv: no offline gap is seen")
    _acceptance(fitted, mine)
    _away(fitted, presence, mine)
    return fitted


def peak_held(work: pd.DataFrame) -> int:
    """The most work items one user held at once (accept to close or decline)."""
    held = work[np.isfinite(work["accept_s"].to_numpy())]
    peak = 0
    for _, rows in held.groupby("user"):
        ends = np.where(np.isfinite(rows["close_s"]), rows["close_s"], np.inf)
        times = np.r_[rows["accept_s"].to_numpy(), ends]
        steps = np.r_[np.ones(len(rows)), -np.ones(len(rows))]
        order = np.lexsort((steps, times))  # a close before an accept at the same time
        peak = max(peak, int(np.cumsum(steps[order]).max()))
    return peak


def break_periods(presence: pd.DataFrame, work: pd.DataFrame) -> pd.DataFrame:
    """The away periods that are breaks: ``user``, ``start_s``, ``end_s``.

    An away (busy) period starting within a second of one of the user's declines or push
    timeouts is the busy status Omni-Channel sets then (:func:`refusal_away`); the others
    are breaks.
    """
    away = presence[presence["away"].to_numpy() & ~presence["draining"].to_numpy()]
    return away.loc[~refusal_away(away, work), ["user", "start_s", "end_s"]]


def refusal_away(away: pd.DataFrame, work: pd.DataFrame) -> np.ndarray:
    """Per away period: does it start within a second of one of its user's refusals?"""
    refused = work[work["status"].isin([DECLINED, PUSH_TIMEOUT])]
    refused_s = np.where(np.isfinite(refused["decline_s"]), refused["decline_s"],
                         refused["timeout_s"])
    after_refusal = np.zeros(len(away), dtype=bool)
    for user, rows in away.groupby("user"):
        times = np.sort(refused_s[(refused["user"] == user).to_numpy()])
        if not len(times):
            continue
        starts = rows["start_s"].to_numpy()
        at = np.searchsorted(times, starts + 1.0, side="right") - 1
        hit = (at >= 0) & (starts - times[np.maximum(at, 0)] <= 1.0)
        after_refusal[np.flatnonzero(away.index.isin(rows.index))[hit]] = True
    return after_refusal


def _shifts_comment(entries: list[dict[str, object]], shifts: pd.DataFrame,
                    breaks: pd.DataFrame, users: list[str], source: str) -> str:
    hours = float((breaks["end_s"] - breaks["start_s"]).sum()) / 3600
    shift_h = float((shifts["end_s"] - shifts["start_s"]).sum()) / 3600
    return (f"{len(shifts)} shifts of {len(users)} users in {source} (times rounded to "
            f"{ROUND_S / 60:g} min) as {len(entries)} entries, with their {len(breaks)} breaks "
            f"({hours:.1f} h, {hours / shift_h:.1%} of {shift_h:.0f} shift hours) at their "
            "typical times per shift pattern")


def _away(fitted: Fitted, presence: pd.DataFrame, work: pd.DataFrame) -> None:
    """Away time after a decline or push timeout (``away_after_decline``).

    The other away periods are breaks, fitted into the shifts (:func:`break_periods`).
    """
    away = presence[presence["away"].to_numpy() & ~presence["draining"].to_numpy()]
    if not len(away):
        fitted.default(("behaviour", "away_after_decline"), "no away period in the presence")
        return
    after_refusal = refusal_away(away, work)
    durations = (away["end_s"] - away["start_s"]).to_numpy()
    if not after_refusal.any():
        fitted.default(("behaviour", "away_after_decline"), f"none of {len(away)} away "
                       "periods starts at a decline or push timeout")
    else:
        value = float(np.median(durations[after_refusal]))
        fitted.set(("behaviour", "away_after_decline"), round(value, 1),
                   f"median of {int(after_refusal.sum())} busy periods starting at a decline "
                   f"or push timeout (range {durations[after_refusal].min():.4g}-"
                   f"{durations[after_refusal].max():.4g} s)")


def staffing_per_interval(shifts: pd.DataFrame, clock: ExportClock) -> np.ndarray:
    """Time-weighted agents on shift in every interval of the horizon."""
    return covered_per_interval(shifts["start_s"].to_numpy(), shifts["end_s"].to_numpy(),
                                clock)


def covered_per_interval(starts: np.ndarray, ends: np.ndarray, clock: ExportClock
                         ) -> np.ndarray:
    """Sum over periods of the share of each interval they cover."""
    n = clock.n_intervals
    edges = np.arange(n + 1) * clock.interval_s
    total = np.zeros(n)
    for start, end in zip(starts, ends, strict=True):
        overlap = np.minimum(edges[1:], end) - np.maximum(edges[:-1], start)
        total += np.clip(overlap, 0, None)
    return total / clock.interval_s


OUTAGE_WINDOW_S = 60.0
"""Gaps of several users starting within this long of each other may be one outage."""


def _disconnections(fitted: Fitted, periods: PresencePeriods, users: list[str],
                    shifts: pd.DataFrame) -> None:
    """Random disconnections (rate, duration) and group-wide outages, from offline gaps.

    Gaps of at least half the group's users on shift (and at least 3), starting within
    :data:`OUTAGE_WINDOW_S` of each other, are an outage (its median start and duration);
    the others are random disconnections.
    """
    gaps = periods.gaps[periods.gaps["user"].isin(users)].sort_values("start_s")
    online_h = float((shifts["end_s"] - shifts["start_s"]).sum() - gaps["duration_s"].sum()
                     ) / 3600.0
    if online_h <= 0:
        return
    outages, in_outage = _outages(gaps, shifts)
    if outages:
        fitted.set(("disconnections", "outages"), outages,
                   f"{len(outages)} group-wide offline gaps ({int(in_outage.sum())} agent gaps "
                   f"starting within {OUTAGE_WINDOW_S:g} s of each other)")
    random_gaps = gaps[~in_outage]
    rate = len(random_gaps) / online_h
    low, high = (float(value) for value in poisson_ci(len(random_gaps), online_h))
    fitted.set(("disconnections", "rate"), round(rate, 5),
               f"{len(random_gaps)} offline gaps inside shifts (outages apart) over "
               f"{online_h:.1f} online agent-hours (per hour; 95% CI {low:.4f}-{high:.4f})")
    if not len(random_gaps):
        fitted.default(("disconnections", "duration"), "no offline gap inside a shift")
    else:
        fitted.set_fit(("disconnections", "duration"),
                       fit_durations(random_gaps["duration_s"].to_numpy(), "; offline gaps"),
                       "no disconnection observed")


def _outages(gaps: pd.DataFrame, shifts: pd.DataFrame
             ) -> tuple[list[dict[str, float]], np.ndarray]:
    """Group-wide outages among ``gaps`` (sorted by start) and which gaps they hold."""
    starts = gaps["start_s"].to_numpy()
    durations = gaps["duration_s"].to_numpy()
    in_outage = np.zeros(len(gaps), dtype=bool)
    outages: list[dict[str, float]] = []
    index = 0
    while index < len(starts):
        last = int(np.searchsorted(starts, starts[index] + OUTAGE_WINDOW_S, side="right"))
        on_shift = int(((shifts["start_s"] <= starts[index])
                        & (shifts["end_s"] > starts[index])).sum())
        users = gaps["user"].iloc[index:last].nunique()
        if users >= max(3, on_shift / 2):
            in_outage[index:last] = True
            outages.append({"start": round(float(np.median(starts[index:last])), 1),
                            "duration": round(float(np.median(durations[index:last])), 1)})
            index = last
        else:
            index += 1
    return outages, in_outage


def _acceptance(fitted: Fitted, work: pd.DataFrame) -> None:
    """Accept delay, decline share and decline delay (push timeouts are the queue's)."""
    pushed = work[np.isfinite(work["assigned_s"])]
    if not len(pushed):
        return
    accepted = pushed[pushed["status"].isin(ACCEPTED_STATUSES) & np.isfinite(pushed["accept_s"])]
    declined = pushed[pushed["status"] == DECLINED]
    timed_out = int((pushed["status"] == PUSH_TIMEOUT).sum())
    canceled = int((pushed["status"] == CANCELED).sum())
    fitted.set_fit(("behaviour", "accept_delay"),
                   fit_durations((accepted["accept_s"] - accepted["assigned_s"]).to_numpy(),
                                 "; AcceptDateTime minus AssignedDateTime" + (
                                     f" ({canceled} pushes canceled before an accept are "
                                     "left out: the sample leans to short delays)"
                                     if canceled else "")),
                   "no accepted work")
    decided = len(accepted) + len(declined) + timed_out
    share, (low, high) = fit_share(len(declined), decided)
    fitted.set(("behaviour", "decline_probability"), round(share, 5),
               f"{len(declined)} declined of {decided} pushes accepted, declined or timed "
               f"out; 95% CI "
               f"{low:.4f}-{high:.4f}")
    if len(declined):
        fitted.set_fit(("behaviour", "decline_delay"),
                       fit_durations((declined["decline_s"] - declined["assigned_s"]).to_numpy(),
                                     "; DeclineDateTime minus AssignedDateTime"),
                       "no decline time")
    else:
        fitted.default(("behaviour", "decline_delay"), f"no decline among {decided} pushes")
