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
        used, capacity, agents, open_work = self.levels
        used_s, capacity_s, agents_s, open_work_s = self.integrals
        index = int(start // interval_s)
        # Called at every change of capacity in use: the levels are unrolled.
        while start < now and index < self.n_intervals:
            end = (index + 1) * interval_s
            if end > now:
                end = now
            span = end - start
            if used:
                used_s[index] += used * span
            if capacity:
                capacity_s[index] += capacity * span
            if agents:
                agents_s[index] += agents * span
            if open_work:
                open_work_s[index] += open_work * span
            start = end
            index += 1
        self.last_time = now

    def change(
        self,
        now: float,
        used: float = 0.0,
        capacity: float = 0.0,
        agents: float = 0.0,
        open_work: float = 0.0,
    ) -> None:
        """Change the levels by the given amounts at time ``now`` (seconds).

        Called at every change of capacity in use: pass the amounts by position there.
        """
        self.advance(now)
        levels = self.levels
        levels[0] += used
        levels[1] += capacity
        levels[2] += agents
        levels[3] += open_work
