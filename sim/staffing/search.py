"""What staffing searches share: running simulated days, and judging them against goals.

:class:`Runner` sends batches of runs to an executor, caches them by run key (a
configuration simulated before is never simulated again) and counts the simulated days.
The search itself, with several groups and per-queue goals, is
:mod:`sim.staffing.group_search`.

**Whether simulated days meet every queue's goals**, interval by interval, and by how much:
:class:`DayEstimates` pools replications of :func:`sim.staffing.day_measures.measure_day`
(mean and t-based 95% CI half-width of every measure, per row and interval).
:class:`GoalCheck` holds each queue's goals (:func:`sim.staffing.goals.queue_goals`) and
the center's occupancy cap, and turns estimates into **margins**: per row (queue, then
``"all"``) and interval, the smallest margin over that row's goals, negative when missed:

- service level: achieved minus target (a share: -0.05 is 5 points short);
- ASA, abandonment, response time, occupancy: ``(limit - achieved) / limit`` (relative).

A row or interval without offered sessions has an infinite margin (nothing to miss).

**On a share of days** (``GoalCheck.days``, ``--days 90%``) the margins are not those of
the means but of the day (replication) deciding whether the goals hold on that share of
the days: :func:`sim.staffing.day_goals.deciding_day_margins`. Its ``side`` -1 / +1 are the
95% Clopper-Pearson bounds of the share of days instead of the ends of the means' CIs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.results.confidence import pooled_ci95
from sim.staffing.day_goals import deciding_day_margins
from sim.staffing.day_measures import MEASURE_INDEX, DayTask, measure_run
from sim.staffing.goals import StaffingGoals

if TYPE_CHECKING:
    from sim.experiments.executors import Executor

Log = Callable[[str], None]
"""Receives one progress line at a time."""

RunKey = tuple[Any, ...]
"""A run's identity under common random numbers (the same key always gives the same
result), e.g. ``('day', capacity model, staffing per group, seed, replication)``."""


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

    def run(self, requests: Sequence[tuple[RunKey | None, DayTask]],
            measure: Callable[[DayTask], np.ndarray] = measure_run) -> list[np.ndarray]:
        """Measures of every requested run, in order; one executor batch for the new ones.

        A request with key ``None`` is never cached (e.g. the service-level curve). The
        keys of one ``measure`` function must not be used with another.
        """
        todo: dict[RunKey | int, DayTask] = {}
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


@dataclass
class DayEstimates:
    """Mean and 95% CI half-width of every measure, ``[row, measure, interval]``.

    Attributes:
        mean: per-row, per-measure, per-interval mean (NaN where no replication had one).
        ci95: the matching t-based 95% CI half-widths (0 with a single value).
        replications: replications pooled.
        runs: the replications themselves, ``[day, row, measure, interval]`` (``None`` if
            not kept), for goals on a share of days.
    """

    mean: np.ndarray
    ci95: np.ndarray
    replications: int
    runs: np.ndarray | None = None

    @classmethod
    def from_runs(cls, runs: Sequence[np.ndarray]) -> DayEstimates:
        """Pool runs of :func:`measure_day` (all at the same staffing)."""
        stacked = np.stack(runs)
        # An infinite measure (no response came at all) has an infinite mean and no spread.
        mean, half = pooled_ci95(stacked)
        return cls(mean=mean, ci95=half, replications=len(runs), runs=stacked)

    def measure(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """``(mean, ci95)`` of one measure, each ``[row, interval]``."""
        index = MEASURE_INDEX[name]
        return self.mean[:, index], self.ci95[:, index]


_GOAL_MEASURES = (("service_level", "service_level", False), ("max_asa_s", "asa_s", True),
                  ("max_abandon", "abandon_rate", True), ("max_response_s", "response_s", True))
"""(goal attribute, measure, upper limit?) of the queue goals."""

GOALS = ("service_level", "max_asa", "max_abandon", "max_response", "max_occupancy")
"""The goals of :meth:`GoalCheck.goal_margins`, in its order: the queue goals of
``_GOAL_MEASURES``, then the center's occupancy cap (the ``"all"`` row only)."""

GOAL_TEXT = {"service_level": "service level", "max_asa": "ASA", "max_abandon": "abandonment",
             "max_response": "response time", "max_occupancy": "occupancy"}
"""How each goal of :data:`GOALS` is named in reports."""

GOAL_MEASURE = dict(zip(GOALS, [name for _, name, _ in _GOAL_MEASURES] + ["occupancy"],
                        strict=True))
"""The day measure (:data:`sim.staffing.day_measures.DAY_MEASURES`) each goal limits."""


@dataclass(frozen=True)
class GoalCheck:
    """Every queue's goals and the center's occupancy cap, checked on :class:`DayEstimates`.

    Attributes:
        queues: the measured queues, in the rows' order.
        goals: queue -> its goals.
        max_occupancy: the center's occupancy cap (the ``"all"`` row), or ``None``.
        days: the share of days on which the goals must hold (``None``: on the mean).
    """

    queues: tuple[str, ...]
    goals: tuple[StaffingGoals, ...]
    max_occupancy: float | None = None
    days: float | None = None

    @classmethod
    def of(cls, per_queue: dict[str, StaffingGoals], goals: StaffingGoals) -> GoalCheck:
        """From :func:`sim.staffing.goals.queue_goals` and the run's goals."""
        return cls(tuple(per_queue), tuple(per_queue.values()), goals.max_occupancy,
                   goals.days)

    def goal_margins(self, estimates: DayEstimates, side: int = 0,
                     waived: np.ndarray | None = None) -> np.ndarray:
        """Per row, goal (:data:`GOALS`) and interval: that goal's margin.

        Args:
            estimates: the pooled runs.
            side: 0 for the point estimates; -1 for the pessimistic end of each 95% CI
                (the margin the whole CI clears), +1 for the optimistic end. On a share
                of days: the deciding day's margins (see the module).
            waived: ``[row, goal, interval]`` goals left out (out of reach: their margin
                is ``inf``), or ``None``.

        Returns:
            ``[row, goal, interval]``; ``inf`` where a row lacks the goal or had nothing
            offered.
        """
        if self.days is None:
            per_goal = self.mean_margins(estimates, side)
            return per_goal if waived is None else np.where(waived, math.inf, per_goal)
        daily = self.daily_margins(estimates)
        if waived is not None:
            daily = np.where(waived[None], math.inf, daily)
        return deciding_day_margins(daily, self.days, side)

    def margins(self, estimates: DayEstimates, side: int = 0,
                waived: np.ndarray | None = None) -> np.ndarray:
        """Per row and interval: the smallest margin over the row's goals.

        Args:
            estimates: the pooled runs.
            side: as for :meth:`goal_margins`.
            waived: as for :meth:`goal_margins`.

        Returns:
            ``[row, interval]``; ``inf`` where a row has no goal or nothing offered.
        """
        return self.goal_margins(estimates, side, waived).min(axis=1)

    def daily_margins(self, estimates: DayEstimates) -> np.ndarray:
        """Every replication's goal margins on its own, ``[day, row, goal, interval]``.

        Raises:
            ValueError: the estimates did not keep their runs.
        """
        if estimates.runs is None:
            raise ValueError("goals on a share of days need the replications' runs")
        days, rows, measures, intervals = estimates.runs.shape
        # Each day one column block: [row, measure, day x interval], CI half-widths 0.
        flat = estimates.runs.transpose(1, 2, 0, 3).reshape(rows, measures, days * intervals)
        one_day = DayEstimates(flat, np.zeros(flat.shape), 1)
        per_goal = self.mean_margins(one_day).reshape(rows, len(GOALS), days, intervals)
        return per_goal.transpose(2, 0, 1, 3)

    def share_of_days(self, estimates: DayEstimates) -> np.ndarray:
        """Per interval: the share of the replications (days) on which every row met its goals.

        Meeting a goal is judged on that day's own figures; 0 to 1.
        """
        return (self.daily_margins(estimates).min(axis=(1, 2)) >= -1e-12).mean(axis=0)

    def mean_margins(self, estimates: DayEstimates, side: int = 0) -> np.ndarray:
        """Each goal's margin on the means (goals held on the mean), ``[row, goal, interval]``."""
        rows, intervals = estimates.mean.shape[0], estimates.mean.shape[2]
        margins = np.full((rows, len(GOALS), intervals), math.inf)
        for row, goals in enumerate(self.goals):
            for index, (attribute, name, upper) in enumerate(_GOAL_MEASURES):
                limit = getattr(goals, attribute)
                if limit is not None:
                    margins[row, index] = self._margin(estimates, row, name, limit, upper,
                                                       side)
        if self.max_occupancy is not None:
            margins[-1, GOALS.index("max_occupancy")] = self._margin(
                estimates, rows - 1, "occupancy", self.max_occupancy, True, side)
        return margins

    @staticmethod
    def _margin(estimates: DayEstimates, row: int, name: str, limit: float, upper: bool,
                side: int) -> np.ndarray:
        mean, half = estimates.measure(name)
        value = mean[row] + (-side if upper else side) * half[row]
        margin = (limit - value) / limit if upper else value - limit
        return np.where(np.isnan(margin), math.inf, margin)

    def meets(self, estimates: DayEstimates) -> np.ndarray:
        """Per row and interval: the point estimates meet every goal of the row."""
        return self.margins(estimates) >= -1e-12
