"""Time-weighted levels of the whole center, accumulated per reporting interval."""

from __future__ import annotations

import numpy as np


class IntervalLevels:
    """Integrals over time of a few piecewise-constant levels, binned by interval.

    Levels: capacity in use by online agents, capacity of online agents, agents online and
    open work items of online agents. Each integral is in level × seconds.
    """

    USED = 0
    CAPACITY = 1
    AGENTS = 2
    OPEN_WORK = 3
    NAMES = ("capacity_used", "capacity_online", "agents_online", "open_work")

    def __init__(self, interval_s: float, horizon_s: float) -> None:
        self.interval_s = interval_s
        self.horizon_s = horizon_s
        self.n_intervals = int(np.ceil(horizon_s / interval_s - 1e-9))
        self.levels = [0.0, 0.0, 0.0, 0.0]
        self.integrals = [[0.0] * self.n_intervals for _ in self.NAMES]
        self.last_time = 0.0

    def advance(self, now: float) -> None:
        """Add each level × elapsed time since the last change into the interval bins."""
        start = self.last_time
        if now <= start:
            return
        if now > self.horizon_s:
            now = self.horizon_s
        interval_s = self.interval_s
        levels = self.levels
        integrals = self.integrals
        index = int(start // interval_s)
        if now <= (index + 1) * interval_s and index < self.n_intervals:
            # The common case: no interval boundary crossed since the last change.
            span = now - start
            for level_index in range(4):
                level = levels[level_index]
                if level:
                    integrals[level_index][index] += level * span
            self.last_time = now
            return
        while start < now and index < self.n_intervals:
            end = min(now, (index + 1) * interval_s)
            span = end - start
            for level_index in range(4):
                level = levels[level_index]
                if level:
                    integrals[level_index][index] += level * span
            start = end
            index += 1
        self.last_time = now

    def change_work(self, now: float, used: float, open_work: float) -> None:
        """Change the capacity in use and the open work items at ``now`` (seconds)."""
        levels = self.levels
        start = self.last_time
        if start < now:
            index = int(start // self.interval_s)
            if (
                now <= (index + 1) * self.interval_s
                and now <= self.horizon_s
                and index < self.n_intervals
            ):
                # advance()'s common case, inlined: this is called twice per work item.
                span = now - start
                used_level, capacity_level, agents_level, work_level = levels
                integrals = self.integrals
                if used_level:
                    integrals[0][index] += used_level * span
                if capacity_level:
                    integrals[1][index] += capacity_level * span
                if agents_level:
                    integrals[2][index] += agents_level * span
                if work_level:
                    integrals[3][index] += work_level * span
                self.last_time = now
            else:
                self.advance(now)
        levels[0] += used
        levels[3] += open_work

    def change(
        self,
        now: float,
        used: float = 0.0,
        capacity: float = 0.0,
        agents: float = 0.0,
        open_work: float = 0.0,
    ) -> None:
        """Change the levels by the given amounts at time ``now`` (seconds)."""
        self.advance(now)
        levels = self.levels
        levels[0] += used
        levels[1] += capacity
        levels[2] += agents
        levels[3] += open_work
