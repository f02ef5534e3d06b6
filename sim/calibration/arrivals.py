"""Arrivals per interval: an intraday shape pooled over days times each day's volume.

Sessions are counted per reporting interval. The count of day ``d`` in time slot ``s`` is
read as Poisson with mean ``level[d] * shape[s]``: ``shape`` is the share of a day's
sessions in each slot of the day, pooled over every day observed (one shape per weekday
when each weekday has been seen on :data:`WEEKDAY_SHAPE_DAYS` days or more and the
likelihood-ratio test of the weekdays' shapes against one shape rejects it at 1%), and
``level`` is the day's expected volume. Both come from the maximum-likelihood fit of that
model (iterative proportional fitting, which also handles partial first and last days).
The fitted volume of an interval is its weekday's mean level times its slot's shape: a
forecast from the pattern, not a replay of the counts (with one Monday, Tuesday and
Wednesday, each interval's count is one Poisson draw; the shape pools the three days).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from sim.calibration.distributions import Z95, poisson_ci
from sim.calibration.timeline import ExportClock

WEEKDAY_SHAPE_DAYS = 2
"""Days of every weekday needed before each weekday may get its own intraday shape."""

SHAPE_TEST_LEVEL = 0.01
"""Significance at which the weekdays' own shapes replace the pooled one."""

FIT_ROUNDS = 200
"""Most rounds of iterative proportional fitting (it converges in a few)."""


MIN_DAY_COVERAGE = 0.05
"""Share of a day's expected sessions inside the horizon below which its volume is not
estimated from it (:meth:`ArrivalFit.weekday_volumes`)."""


@dataclass(frozen=True)
class ArrivalFit:
    """Fitted expected volumes per interval (sessions per interval).

    Attributes:
        counts: observed sessions in every interval of the horizon.
        volumes: fitted expected sessions in every interval (its weekday's mean day volume
            times its slot's share of a day).
        low: lower end of the approximate 95% CI of each interval's expected volume.
        high: upper end of it.
        days: days of the same weekday pooled into each interval's day volume.
        total: sessions counted.
        day_volumes: fitted expected sessions of every day of the horizon (the day's own
            level, partial days completed by the shape).
        shapes: share of a day's sessions per slot of the day (from midnight), one row per
            shape (one, or seven: one per weekday from Monday).
        weekday_of_day: weekday (0 = Monday) of every day of the horizon.
        day_coverage: share of every day's expected sessions inside the horizon (1 for a
            whole day, less for a partial first or last day).
        first_slot: the horizon's first interval's slot of the day.
    """

    counts: np.ndarray
    volumes: np.ndarray
    low: np.ndarray
    high: np.ndarray
    days: np.ndarray
    total: int
    day_volumes: np.ndarray
    shapes: np.ndarray
    weekday_of_day: np.ndarray
    day_coverage: np.ndarray
    first_slot: int = 0

    @property
    def per_weekday(self) -> bool:
        """Whether each weekday has its own intraday shape."""
        return len(self.shapes) == 7

    def weekday_volumes(self) -> dict[int, float]:
        """Mean fitted day volume of every weekday observed (sessions per day).

        Days weigh by their coverage (a partial day by the share of its sessions seen). A
        day seen for less than :data:`MIN_DAY_COVERAGE` of its expected sessions says
        nothing of its volume (one session in an hour the other days are closed would make
        it huge): a weekday seen only so gets the mean day of the days seen well.
        """
        covered = self.day_coverage >= MIN_DAY_COVERAGE
        overall = (float(np.average(self.day_volumes[covered],
                                    weights=self.day_coverage[covered]))
                   if covered.any() and self.day_coverage[covered].sum() > 0 else 0.0)
        means = {}
        for weekday in np.unique(self.weekday_of_day):
            mine = (self.weekday_of_day == weekday) & covered
            weight = self.day_coverage[mine]
            means[int(weekday)] = (float(np.average(self.day_volumes[mine], weights=weight))
                                   if weight.sum() > 0 else overall)
        return means

    def whole_days(self) -> slice:
        """The run of whole days (coverage at least 99.9%) from the first to the last."""
        whole = np.flatnonzero(self.day_coverage >= 0.999)
        return slice(int(whole[0]), int(whole[-1]) + 1) if len(whole) else slice(0, 0)

    def shape_of(self, weekday: int) -> np.ndarray:
        """The intraday shape a day of ``weekday`` follows (shares per slot from midnight)."""
        return self.shapes[weekday if self.per_weekday else 0]

    def comment(self) -> str:
        """The YAML comment: what the volumes are and how sure they are."""
        width = np.nanmedian((self.high - self.low)[self.volumes > 0]) if (
            self.volumes > 0).any() else 0.0
        shape = ("one intraday shape per weekday" if self.per_weekday else
                 f"one intraday shape pooled over {len(self.day_volumes)} day(s)")
        return (f"expected sessions per interval from {self.total} sessions: {shape}, times "
                f"each weekday's mean day volume over {int(self.days.max(initial=0))} "
                f"day(s) of it; approximate 95% CI per interval, median width {width:.3g} "
                "sessions")


def fit_arrivals(seconds: np.ndarray, clock: ExportClock) -> ArrivalFit:
    """Fit expected volumes per interval from arrival times (seconds from the start)."""
    times = np.asarray(seconds, dtype=float)
    times = times[np.isfinite(times) & (times >= 0) & (times < clock.horizon_s)]
    n = clock.n_intervals
    per_day = clock.intervals_per_day
    counts = np.bincount(clock.interval_of(times), minlength=n)[:n]
    first_slot = int(clock.slot_of_interval()[0]) if n else 0
    # The horizon on a grid of days x slots from midnight; cells outside it unobserved.
    position = first_slot + np.arange(n)
    n_days = int(position[-1] // per_day) + 1 if n else 0
    grid = np.zeros((n_days, per_day))
    seen = np.zeros((n_days, per_day), dtype=bool)
    grid[position // per_day, position % per_day] = counts
    seen[position // per_day, position % per_day] = True
    weekday_of_day = (int(clock.weekday_of_interval()[0]) + np.arange(n_days)) % 7 if n else (
        np.zeros(0, dtype=int))
    weekday_counts = np.bincount(weekday_of_day, minlength=7)
    observed_weekdays = weekday_counts[weekday_counts > 0]
    pooled = np.zeros(n_days, dtype=int)
    level, shapes = _fit_levels(grid, seen, pooled, 1)
    group = pooled
    if len(observed_weekdays) > 1 and observed_weekdays.min() >= WEEKDAY_SHAPE_DAYS:
        own_level, own_shapes = _fit_levels(grid, seen, weekday_of_day, 7)
        ratio = 2 * (_log_likelihood(grid, seen, own_level, own_shapes[weekday_of_day])
                     - _log_likelihood(grid, seen, level, shapes[pooled]))
        open_slots = int((grid.sum(axis=0) > 0).sum())
        freedom = (len(observed_weekdays) - 1) * max(open_slots - 1, 1)
        if stats.chi2.sf(ratio, freedom) < SHAPE_TEST_LEVEL:
            level, shapes, group = own_level, own_shapes, weekday_of_day
    coverage = (shapes[group] * seen).sum(axis=1)
    day_of = position // per_day
    slot_of = position % per_day
    shape_rows = group[day_of]
    fit = ArrivalFit(counts=counts, volumes=np.zeros(n), low=np.zeros(n), high=np.zeros(n),
                     days=weekday_counts[weekday_of_day[day_of]], total=int(counts.sum()),
                     day_volumes=level, shapes=shapes, weekday_of_day=weekday_of_day,
                     day_coverage=coverage, first_slot=first_slot)
    means = fit.weekday_volumes()
    weekday_level = np.array([means.get(w, 0.0) for w in range(7)])
    volumes = weekday_level[weekday_of_day[day_of]] * shapes[shape_rows, slot_of]
    # Relative error of a product of two pooled Poisson totals: that of the weekday's
    # sessions and that of the slot's (normal on the log scale).
    weekday_total = np.bincount(weekday_of_day, weights=grid.sum(axis=1), minlength=7)
    slot_total = np.zeros((len(shapes), per_day))
    np.add.at(slot_total, group, grid)
    relative = np.sqrt(1.0 / np.maximum(weekday_total[weekday_of_day[day_of]], 1)
                       + 1.0 / np.maximum(slot_total[shape_rows, slot_of], 1))
    low = volumes * np.exp(-Z95 * relative)
    high = volumes * np.exp(Z95 * relative)
    empty = volumes <= 0  # no session in the slot: the upper end of a zero count
    if empty.any():
        low[empty] = 0.0
        high[empty] = poisson_ci(np.zeros(int(empty.sum()), dtype=int),
                                 np.maximum(seen.sum(axis=0)[slot_of[empty]], 1))[1]
    return dataclasses.replace(fit, volumes=volumes, low=low, high=high)


def _log_likelihood(grid: np.ndarray, seen: np.ndarray, level: np.ndarray,
                    shapes: np.ndarray) -> float:
    """Poisson log-likelihood (up to a constant) of the seen cells; ``shapes`` per day."""
    mean = level[:, None] * shapes
    positive = seen & (grid > 0)
    return float((grid[positive] * np.log(np.maximum(mean[positive], 1e-300))).sum()
                 - mean[seen].sum())


def _fit_levels(grid: np.ndarray, seen: np.ndarray, group: np.ndarray, n_groups: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """Maximum likelihood of ``grid[d, s] ~ Poisson(level[d] * shape[group[d], s])``.

    Only cells where ``seen`` count. Each shape sums to 1 over its slots, so a level is
    the day's expected sessions. Returns the levels (per day) and the shapes (per group).
    """
    n_days, per_day = grid.shape
    shapes = np.full((n_groups, per_day), 1.0 / per_day)
    level = grid.sum(axis=1).astype(float)
    for _ in range(FIT_ROUNDS):
        exposure = (shapes[group] * seen).sum(axis=1)
        new_level = np.where(exposure > 0, grid.sum(axis=1) / np.maximum(exposure, 1e-300),
                             0.0)
        slot_counts = np.zeros((n_groups, per_day))
        slot_exposure = np.zeros((n_groups, per_day))
        np.add.at(slot_counts, group, grid)
        np.add.at(slot_exposure, group, new_level[:, None] * seen)
        new_shapes = np.where(slot_exposure > 0, slot_counts / np.maximum(slot_exposure, 1e-300),
                              0.0)
        sums = new_shapes.sum(axis=1, keepdims=True)
        new_shapes = np.where(sums > 0, new_shapes / np.where(sums > 0, sums, 1.0),
                              1.0 / per_day)
        done = (np.allclose(new_level, level, rtol=1e-9, atol=1e-9)
                and np.allclose(new_shapes, shapes, rtol=1e-9, atol=1e-12))
        level, shapes = new_level, new_shapes
        if done:
            break
    return level, shapes


def arrival_keys(fit: ArrivalFit, day_volumes: np.ndarray | None = None,
                 first_weekday: int | None = None) -> dict[str, Any]:
    """The arrival profile's scenario keys (sessions per interval), from the start's slot.

    With one intraday shape: ``volumes`` of one mean day repeated, and ``day_factors``, each
    day's volume over that mean. With one shape per weekday: ``volumes`` for every interval
    of the days. ``day_volumes`` (sessions per day from the start's day) replaces the
    fitted ones (each weekday's mean over the horizon), for days from midnight of
    ``first_weekday`` (a forecast's week) instead of from the horizon's start.
    """
    first_slot = fit.first_slot if first_weekday is None else 0
    if day_volumes is None:
        means = fit.weekday_volumes()
        day_volumes = np.array([means[int(w)] for w in fit.weekday_of_day])
    first = first_weekday if first_weekday is not None else (
        int(fit.weekday_of_day[0]) if len(fit.weekday_of_day) else 0)
    weekdays = (first + np.arange(len(day_volumes))) % 7
    mean_day = float(np.mean(day_volumes)) if len(day_volumes) else 0.0
    if not fit.per_weekday and (np.asarray(day_volumes) > 0).all():
        profile = np.roll(fit.shapes[0], -first_slot) * mean_day
        factors = [round(float(v) / mean_day, 4) for v in day_volumes]
        keys: dict[str, Any] = {"volumes": [round(float(v), 3) for v in profile],
                                "repeat": True}
        if len(set(factors)) > 1:
            keys["day_factors"] = factors
        return keys
    days = np.concatenate([fit.shape_of(int(w)) * v for w, v in zip(weekdays, day_volumes,
                                                                     strict=True)])
    return {"volumes": [round(float(v), 3) for v in days[first_slot:]], "repeat": True}
