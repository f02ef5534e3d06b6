"""What staffing searches share: running (and caching) simulated days.

:class:`Runner` sends batches of runs to an executor, caches them by run key (a
configuration simulated before is never simulated again) and counts the simulated days.
The search itself, with several groups and per-queue goals, is
:mod:`sim.staffing.group_search`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.staffing.runs import Task, measure_run

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
