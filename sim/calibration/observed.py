"""What happened per interval, measured from an export as the simulation measures it.

Offered, service level, ASA, abandonment count inbound sessions offered to the agents (not
those a bot in front ended, rules §8.1) by the interval they arrived in (as
``sim.model.tables.intervals_table``); waits run from the request (the first
``RequestDateTime``, the hand-over; :func:`sim.calibration.prequeue.queue_entries`): service
level is the share of offered sessions accepted within the threshold (abandons are misses),
a session still waiting at the end undecided until it has waited past the threshold. Handle
time is the mean ``HandleTime`` (close minus accept) of the last work item of sessions the
agent ended, by arrival interval. Occupancy is capacity in use (work weight from accept to
close) over the capacity online (``ConfiguredCapacity`` over the presence periods).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calibration.agents import PresencePeriods, covered_per_interval
from sim.calibration.timeline import ExportClock

MEASURES: dict[str, str] = {
    "offered": "sessions",
    "service_level": "share",
    "asa_s": "s",
    "abandonment_rate": "share",
    "occupancy": "share",
    "handle_time_s": "s",
}
"""The measures compared per interval, with their units."""

MEASURE_LABELS: dict[str, str] = {
    "offered": "offered inbound sessions",
    "service_level": "service level",
    "asa_s": "ASA (answered sessions)",
    "abandonment_rate": "abandonment rate",
    "occupancy": "occupancy",
    "handle_time_s": "handle time (HandleTime)",
}


def observed_intervals(sessions: pd.DataFrame, work: pd.DataFrame, periods: PresencePeriods,
                       clock: ExportClock, threshold_s: float) -> pd.DataFrame:
    """One row per interval: ``interval``, ``start_s`` and every measure of :data:`MEASURES`."""
    n = clock.n_intervals
    inbound = sessions[sessions["inbound"]]
    if "offered" in inbound.columns:  # asked for an agent (rules §8.1: not the bot's own)
        inbound = inbound[inbound["offered"].to_numpy(dtype=bool)]
    start = inbound["start_s"].to_numpy()
    inside = (start >= 0) & (start < clock.horizon_s)
    inbound, start = inbound[inside], start[inside]
    bins = clock.interval_of(start)
    request = (inbound["request_s"] if "request_s" in inbound.columns
               else inbound["start_s"]).to_numpy(dtype=float)
    wait = inbound["accept_s"].to_numpy(dtype=float) - request
    answered = np.isfinite(wait)
    ended = np.isfinite(inbound["end_s"].to_numpy())
    abandoned = ~answered & ended & (inbound["ended_by"].to_numpy() != "agent")
    undecided = ~answered & ~ended & (clock.horizon_s - request <= threshold_s)
    offered = np.bincount(bins, minlength=n)[:n].astype(float)
    within = np.bincount(bins[answered & (wait <= threshold_s + 1e-9)], minlength=n)[:n]
    decided = offered - np.bincount(bins[undecided], minlength=n)[:n]
    n_answered = np.bincount(bins[answered], minlength=n)[:n]
    wait_sum = np.bincount(bins[answered], weights=wait[answered], minlength=n)[:n]
    n_abandoned = np.bincount(bins[abandoned], minlength=n)[:n]
    return pd.DataFrame({
        "interval": np.arange(n),
        "start_s": np.arange(n) * clock.interval_s,
        "offered": offered,
        "service_level": _ratio(within, decided),
        "asa_s": _ratio(wait_sum, n_answered),
        "abandonment_rate": _ratio(n_abandoned, offered),
        "occupancy": _occupancy(work, periods, clock),
        "handle_time_s": _handle_time(sessions, work, clock),
    })


def _occupancy(work: pd.DataFrame, periods: PresencePeriods, clock: ExportClock) -> np.ndarray:
    held = work[np.isfinite(work["accept_s"])]
    size = held["weight"].fillna(held["percentage"]).fillna(1.0).to_numpy()
    close = np.where(np.isfinite(held["close_s"]), held["close_s"], clock.horizon_s)
    used = np.zeros(clock.n_intervals)
    for weight in np.unique(size):
        mine = size == weight
        used += weight * covered_per_interval(held["accept_s"].to_numpy()[mine], close[mine],
                                              clock)
    table = periods.table
    capacity = np.zeros(clock.n_intervals)
    for value in np.unique(table["capacity"].dropna()):
        mine = (table["capacity"] == value).to_numpy()
        capacity += value * covered_per_interval(table["start_s"].to_numpy()[mine],
                                                 table["end_s"].to_numpy()[mine], clock)
    return _ratio(used, capacity)


def _handle_time(sessions: pd.DataFrame, work: pd.DataFrame, clock: ExportClock) -> np.ndarray:
    ended = sessions[sessions["inbound"] & (sessions["ended_by"] == "agent")]
    closed = work[work["session"].isin(ended["session"]) & np.isfinite(work["close_s"])
                  & np.isfinite(work["accept_s"])]
    last = closed.sort_values("close_s").groupby("session").last()
    handle = (last["close_s"] - last["accept_s"])
    start = ended.set_index("session")["start_s"].reindex(handle.index).to_numpy()
    bins = clock.interval_of(start)
    keep = bins >= 0
    n = clock.n_intervals
    total = np.bincount(bins[keep], weights=handle.to_numpy()[keep], minlength=n)[:n]
    count = np.bincount(bins[keep], minlength=n)[:n]
    return _ratio(total, count)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    top = np.asarray(numerator, dtype=float)
    bottom = np.asarray(denominator, dtype=float)
    return np.divide(top, bottom, out=np.full(len(top), np.nan), where=bottom > 0)
