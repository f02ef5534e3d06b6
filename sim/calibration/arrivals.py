"""Arrivals per interval and weekday: the expected volumes a scenario's profile needs.

Sessions are counted per reporting interval; intervals of the same weekday and time of day
are pooled, so each (weekday, time) slot gets the mean count over the days observed, with
its exact Poisson 95% interval. The profile written covers the horizon, each interval
taking its slot's mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.calibration.distributions import poisson_ci
from sim.calibration.timeline import ExportClock


@dataclass(frozen=True)
class ArrivalFit:
    """Fitted expected volumes per interval (sessions per interval).

    Attributes:
        counts: observed sessions in every interval of the horizon.
        volumes: fitted expected sessions in every interval (its slot's mean).
        low: lower end of the 95% Poisson interval of each interval's expected volume.
        high: upper end of it.
        days: days of the same weekday pooled into each interval's estimate.
        total: sessions counted.
    """

    counts: np.ndarray
    volumes: np.ndarray
    low: np.ndarray
    high: np.ndarray
    days: np.ndarray
    total: int

    def comment(self) -> str:
        """The YAML comment: what the volumes are and how sure they are."""
        width = np.nanmedian((self.high - self.low)[self.volumes > 0]) if (
            self.volumes > 0).any() else 0.0
        return (f"expected sessions per interval by weekday and time, from {self.total} "
                f"sessions over {int(self.days.max(initial=0))} week(s) per weekday; "
                f"exact Poisson 95% CI per interval, median width {width:.3g} sessions")


def fit_arrivals(seconds: np.ndarray, clock: ExportClock) -> ArrivalFit:
    """Fit expected volumes per interval from arrival times (seconds from the start)."""
    times = np.asarray(seconds, dtype=float)
    times = times[np.isfinite(times) & (times >= 0) & (times < clock.horizon_s)]
    n = clock.n_intervals
    counts = np.bincount(clock.interval_of(times), minlength=n)[:n]
    per_day = clock.intervals_per_day
    slot = (clock.weekday_of_interval() * per_day) + clock.slot_of_interval()
    slot_counts = np.bincount(slot, weights=counts, minlength=7 * per_day)
    slot_days = np.bincount(slot, minlength=7 * per_day)
    days = slot_days[slot]
    totals = slot_counts[slot]
    volumes = totals / np.maximum(days, 1)
    low, high = poisson_ci(totals.astype(int), np.maximum(days, 1))
    return ArrivalFit(counts=counts, volumes=volumes, low=low, high=high, days=days,
                      total=int(counts.sum()))
