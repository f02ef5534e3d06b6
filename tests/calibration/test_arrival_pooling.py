"""Fitted arrivals: an intraday shape pooled over days times day volumes, not a replay.

Arrival times are drawn from known rates (a Monday, Tuesday and Wednesday of the same
intraday shape at different day volumes, about 20 sessions per 30 minutes at the peak), so
the per-interval error of the fit against the true rates can be measured. The replay (each
interval its own count, as each weekday and time was the mean of one observed day) is the
yardstick the pooled fit must beat.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.calibration.arrivals import arrival_keys, fit_arrivals
from sim.calibration.timeline import ExportClock
from sim.scenario.arrival_rates import interval_rates_per_second
from sim.scenario.schema import ArrivalProfile

SHAPE = np.array([0.0] * 16 + [40, 60, 80, 95, 100, 95, 85, 80, 80, 85, 95, 100, 95, 85, 70,
                               60, 50, 40, 30, 20] + [0.0] * 12) / 100
"""Share of the peak per 30-minute interval of a day (open 08:00-18:00)."""

PEAK = 20.0
"""Expected sessions in the peak interval of a day of factor 1."""

DAY_FACTORS = (1.15, 1.0, 0.9)
"""Monday, Tuesday, Wednesday."""

MONDAY = pd.Timestamp("2026-03-02", tz="UTC")


def three_days(seed: int, days: tuple[float, ...] = DAY_FACTORS
               ) -> tuple[np.ndarray, np.ndarray, ExportClock]:
    """Arrival times (s) drawn from the known rates, the rates per interval and the clock."""
    rng = np.random.default_rng(seed)
    rates = np.concatenate([SHAPE * PEAK * factor for factor in days])
    counts = rng.poisson(rates)
    times = np.concatenate([index * 1800.0 + rng.uniform(0, 1800, count)
                            for index, count in enumerate(counts)])
    clock = ExportClock(start=MONDAY, interval_s=1800.0, horizon_s=len(days) * 86400.0)
    return times, rates, clock


def median_error(fitted: np.ndarray, truth: np.ndarray) -> float:
    """Median relative error over the open intervals."""
    open_hours = truth > 0
    return float(np.median(np.abs(fitted[open_hours] - truth[open_hours]) / truth[open_hours]))


def test_pooling_the_days_halves_the_per_interval_error_of_the_replay() -> None:
    pooled, replay = [], []
    for seed in range(12):
        times, rates, clock = three_days(seed)
        fit = fit_arrivals(times, clock)
        pooled.append(median_error(fit.volumes, rates))
        replay.append(median_error(fit.counts.astype(float), rates))
    pooled_median, replay_median = float(np.median(pooled)), float(np.median(replay))
    # Measured: replay 15-23% (median 18%), pooled 8-16% (median 11%).
    assert 0.14 <= replay_median <= 0.22
    assert pooled_median <= 0.7 * replay_median
    assert sum(p < r for p, r in zip(pooled, replay, strict=True)) >= 11


def test_day_volumes_and_shape_recover_the_truth_within_their_error() -> None:
    times, rates, clock = three_days(3)
    fit = fit_arrivals(times, clock)
    assert not fit.per_weekday
    truth_days = SHAPE.sum() * PEAK * np.asarray(DAY_FACTORS)
    # A day's volume: Poisson on its own ~260 sessions, about 6% sd.
    assert fit.day_volumes == pytest.approx(truth_days, rel=0.15)
    share = SHAPE / SHAPE.sum()  # each slot's share: binomial over the ~780 sessions
    sd = np.sqrt(share * (1 - share) / fit.total)
    within = np.abs(fit.shapes[0] - share) <= 1.96 * sd
    assert within[share > 0].mean() >= 0.85 and (fit.shapes[0][share == 0] == 0).all()
    assert (fit.volumes[np.tile(SHAPE, 3) == 0] == 0).all()
    inside = ((rates >= fit.low) & (rates <= fit.high))[rates > 0]
    assert inside.mean() >= 0.85


def test_a_partial_last_day_is_completed_by_the_shape_not_read_as_a_small_day() -> None:
    times, _, clock = three_days(5)
    cut = ExportClock(start=MONDAY, interval_s=1800.0, horizon_s=2 * 86400.0 + 12 * 3600.0)
    whole = fit_arrivals(times, clock)
    partial = fit_arrivals(times[times < cut.horizon_s], cut)
    # Wednesday's morning alone: its day volume is still a whole day's, near the full fit.
    assert partial.day_volumes[2] == pytest.approx(whole.day_volumes[2], rel=0.15)
    assert partial.day_volumes[2] > 1.5 * partial.counts[96:].sum()


def test_the_written_keys_give_back_the_fitted_volumes() -> None:
    times, _, clock = three_days(7)
    fit = fit_arrivals(times, clock)
    keys = arrival_keys(fit)
    assert len(keys["volumes"]) == 48 and len(keys["day_factors"]) == 3
    profile = ArrivalProfile.model_validate(keys)
    _, rates = interval_rates_per_second(profile, 1800.0, clock.horizon_s)
    assert rates * 1800.0 == pytest.approx(fit.volumes, rel=2e-3, abs=2e-3)


def test_three_weeks_give_each_weekday_its_own_shape() -> None:
    rng = np.random.default_rng(1)
    late = np.roll(SHAPE, 4)  # weekends open two hours later
    rates = np.concatenate([(late if day % 7 >= 5 else SHAPE) * PEAK for day in range(21)])
    counts = rng.poisson(rates)
    times = np.concatenate([i * 1800.0 + rng.uniform(0, 1800, c) for i, c in enumerate(counts)])
    clock = ExportClock(start=MONDAY, interval_s=1800.0, horizon_s=21 * 86400.0)
    fit = fit_arrivals(times, clock)
    assert fit.per_weekday
    assert fit.shape_of(5)[16:20].sum() < 0.02 < fit.shape_of(0)[16:20].sum()
    keys = arrival_keys(fit)
    assert "day_factors" not in keys and len(keys["volumes"]) == 21 * 48
    assert median_error(fit.volumes, rates) < median_error(counts.astype(float), rates)


def test_a_day_barely_seen_does_not_set_its_weekday_volume() -> None:
    # Three days open 08:00-18:00 (100 sessions each), then one session at 00:05 of a
    # fourth day the export ends at 00:30: an hour the other days never had a session.
    rng = np.random.default_rng(1)
    seconds = np.sort(np.concatenate(
        [day * 86400 + rng.uniform(8 * 3600, 18 * 3600, 100) for day in range(3)]
        + [[3 * 86400 + 300.0]]))
    clock = ExportClock(start=pd.Timestamp("2026-03-02", tz="UTC"), interval_s=1800.0,
                        horizon_s=3 * 86400 + 1800.0)
    fit = fit_arrivals(seconds, clock)
    assert fit.day_coverage[3] < 0.01
    assert fit.weekday_volumes() == pytest.approx({0: 100, 1: 100, 2: 100, 3: 100})
    assert sum(arrival_keys(fit)["volumes"]) == pytest.approx(100, abs=0.01)
