"""Arrival rates per interval that an arrival profile describes (its forecast).

Used by the model to draw arrivals, and by sanity checks and staffing to know the load.
"""

from __future__ import annotations

import numpy as np

from sim.scenario.clock import SECONDS_PER_DAY
from sim.scenario.schema import ArrivalProfile


def interval_rates_per_second(
    profile: ArrivalProfile, default_interval_s: float, horizon_s: float, scale: float = 1.0
) -> tuple[float, np.ndarray]:
    """Return the profile's interval length (s) and its rate per second in each interval.

    The profile is repeated when ``profile.repeat`` is set, and cut at the horizon; its
    ``day_factors`` scale each 24 hours from the start (by the interval's start).
    """
    interval_s = profile.interval or default_interval_s
    n_intervals = int(np.ceil(horizon_s / interval_s - 1e-9))
    if profile.rate is not None:
        rates = np.full(n_intervals, profile.rate / 3600.0)
    elif profile.times is not None:
        times = np.asarray(profile.times, dtype=float)
        counts = np.bincount(  # times past the horizon are dropped, as the model drops them
            (times[times < horizon_s] // interval_s).astype(int),
            minlength=n_intervals,
        )[:n_intervals]
        rates = counts / interval_s
    else:
        if profile.rates is not None:
            given = np.asarray(profile.rates, dtype=float) / 3600.0
        else:
            given = np.asarray(profile.volumes, dtype=float) / interval_s
        if len(given) < n_intervals:
            if not profile.repeat:
                raise ValueError("the arrival profile does not cover the horizon")
            given = np.tile(given, int(np.ceil(n_intervals / len(given))))
        rates = given[:n_intervals]
    if profile.day_factors is not None:
        factors = np.asarray(profile.day_factors, dtype=float)
        days = (np.arange(n_intervals) * interval_s // SECONDS_PER_DAY).astype(int)
        rates = rates * factors[days % len(factors)]
    return interval_s, rates * scale
