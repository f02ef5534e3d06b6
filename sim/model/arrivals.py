"""Arrival times of a non-homogeneous Poisson process that is constant per interval."""

from __future__ import annotations

import numpy as np

from sim.scenario.arrival_rates import interval_rates_per_second
from sim.scenario.schema import ArrivalProfile


def arrival_times(
    profile: ArrivalProfile,
    default_interval_s: float,
    horizon_s: float,
    rng: np.random.Generator,
    scale: float = 1.0,
) -> np.ndarray:
    """Draw sorted arrival times (seconds) in ``[0, horizon_s)``.

    Within each interval the count is Poisson(rate × length) and the times are uniform,
    which is the piecewise-constant non-homogeneous Poisson process exactly.
    """
    if profile.times is not None:
        times = np.asarray(sorted(profile.times), dtype=float)
        return times[times < horizon_s]
    interval_s, rates = interval_rates_per_second(profile, default_interval_s, horizon_s, scale)
    starts = np.arange(len(rates)) * interval_s
    lengths = np.minimum(starts + interval_s, horizon_s) - starts
    counts = rng.poisson(rates * lengths)
    drawn: np.ndarray = (np.repeat(starts, counts)
                         + rng.random(counts.sum()) * np.repeat(lengths, counts))
    drawn.sort()
    return drawn
