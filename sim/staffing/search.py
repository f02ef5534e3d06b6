"""What staffing searches share: running (and caching) simulated days, pooling them.

:class:`Runner` sends batches of runs to an executor, caches them by run key (a
configuration simulated before is never simulated again) and counts the simulated days;
:class:`IntervalEstimates` pools the center-wide measures of
:func:`sim.staffing.runs.measure_run` (the service-level curve's runs) and
:func:`meets_goals` / :func:`goal_margin` check them against one set of goals. The search
itself, with several groups and per-queue goals, is :mod:`sim.staffing.group_search`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.results.confidence import pooled_ci95
from sim.staffing.goals import StaffingGoals
from sim.staffing.runs import MEASURES, Task, measure_run

if TYPE_CHECKING:
    from sim.experiments.executors import Executor

Log = Callable[[str], None]
"""Receives one progress line at a time."""

RunKey = tuple[Any, ...]
"""A run's identity under common random numbers (the same key always gives the same
result), e.g. ``('day', capacity model, staffing per group, seed, replication)``."""


@dataclass
class IntervalEstimates:
    """Mean and 95% CI half-width of every measure per interval, over replications.

    Attributes:
        mean: measure name -> per-interval mean (NaN where no replication had a value).
        ci95: measure name -> per-interval t-based 95% CI half-width (0 with one value).
        replications: replications behind the estimates.
    """

    mean: dict[str, np.ndarray]
    ci95: dict[str, np.ndarray]
    replications: int

    @classmethod
    def from_runs(cls, runs: Sequence[np.ndarray]) -> IntervalEstimates:
        """Pool runs of :func:`measure_run` (all at the same staffing)."""
        mean, half = pooled_ci95(np.stack(runs))  # [replication, measure, interval]
        return cls(
            mean={name: mean[i] for i, name in enumerate(MEASURES)},
            ci95={name: half[i] for i, name in enumerate(MEASURES)},
            replications=len(runs),
        )


def meets_goals(
    goals: StaffingGoals, estimates: IntervalEstimates, confident: bool = False
) -> np.ndarray:
    """Per interval: whether every goal is met.

    With ``confident`` the whole 95% CI must be on the right side of each goal, else the
    point estimate. An interval without offered sessions meets the service goals.
    """
    ok = np.ones(len(estimates.mean["offered"]), dtype=bool)
    sign = 1.0 if confident else 0.0

    def check(name: str, limit: float | None, upper: bool) -> None:
        nonlocal ok
        if limit is None:
            return
        mean, half = estimates.mean[name], estimates.ci95[name]
        value = mean + sign * half if upper else mean - sign * half
        passes = value <= limit + 1e-12 if upper else value >= limit - 1e-12
        ok &= passes | np.isnan(mean)

    check("service_level", goals.service_level, upper=False)
    check("asa_s", goals.max_asa_s, upper=True)
    check("abandon_rate", goals.max_abandon, upper=True)
    check("occupancy", goals.max_occupancy, upper=True)
    return ok


def goal_margin(goals: StaffingGoals, estimates: IntervalEstimates) -> np.ndarray:
    """Per interval: the smallest relative margin over the goals (negative: missed)."""
    margins = []
    mean = estimates.mean
    if goals.service_level is not None:
        margins.append(mean["service_level"] - goals.service_level)
    if goals.max_asa_s is not None:
        margins.append((goals.max_asa_s - mean["asa_s"]) / goals.max_asa_s)
    if goals.max_abandon is not None:
        margins.append((goals.max_abandon - mean["abandon_rate"]) / goals.max_abandon)
    if goals.max_occupancy is not None:
        margins.append((goals.max_occupancy - mean["occupancy"]) / goals.max_occupancy)
    stacked = np.vstack(margins)
    return np.where(np.isnan(stacked), np.inf, stacked).min(axis=0)



@dataclass
class Runner:
    """Runs tasks through an executor, counts simulated days and caches by run key.

    Attributes:
        executor: an object with ``map(fn, items)``
            (see :func:`sim.experiments.executors.make_executor`);
            serial in this process when ``None``.
        runs: simulated runs so far (cache hits not counted).
        days: simulated days so far (runs x horizon / 1 day).
        batches: executor calls so far.
    """

    executor: Executor | None = None
    runs: int = 0
    days: float = 0.0
    batches: int = 0
    cache: dict[RunKey, np.ndarray] = field(default_factory=dict)

    def run(self, requests: Sequence[tuple[RunKey | None, Task]],
            measure: Callable[[Task], np.ndarray] = measure_run) -> list[np.ndarray]:
        """Measures of every requested run, in order; one executor batch for the new ones.

        A request with key ``None`` is never cached (e.g. the service-level curve). The
        keys of one ``measure`` function must not be used with another.
        """
        todo: dict[RunKey | int, Task] = {}
        for position, (key, task) in enumerate(requests):
            if key is None:
                todo[position] = task
            elif key not in self.cache:
                todo[key] = task
        tasks = list(todo.values())
        if tasks:
            self.batches += 1
            results = (self.executor.map(measure, tasks) if self.executor is not None
                       else [measure(task) for task in tasks])
            self.runs += len(tasks)
            self.days += sum(task[0].horizon for task in tasks) / 86400.0
        done = dict(zip(todo, results, strict=True)) if tasks else {}
        for done_key, result in done.items():
            if not isinstance(done_key, int):
                self.cache[done_key] = result
        return [done[position] if key is None else self.cache[key]
                for position, (key, _) in enumerate(requests)]
