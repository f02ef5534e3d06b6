"""Time-weighted levels of the center, per agent group and channel, binned by interval.

The center's levels are sums of these: every work item belongs to one (group, channel)
*work slot* (its agent's group, its session's channel), every online agent to one group.
"""

from __future__ import annotations

import numpy as np

PRESENCE_STATES = ("available", "on_break", "away", "draining", "offline")
"""Where a logged-in agent is, by index: available, on a break, away after a decline or a
push timeout (rules §2), draining after its shift, offline (disconnected). The first four
are *online*; a logged-out agent is in none."""


class IntervalLevels:
    """Integrals over time of piecewise-constant levels, binned by reporting interval.

    Work slots (one per agent group × channel, ``slot = group * n_channels + channel``):
    capacity in use by online agents' work items and their open work items (those using
    capacity). Groups: capacity of online agents and agents online. Each level is
    integrated on its own, only when it changes, so a change costs one slot's bins.
    Integrals are in level × seconds; call :meth:`close` at the end of the run.

    Attributes:
        used_s: ``[slot][interval]`` capacity × seconds in use.
        open_work_s: ``[slot][interval]`` open work items × seconds.
        capacity_s: ``[group][interval]`` online capacity × seconds.
        agents_s: ``[group][interval]`` agents online × seconds.
        state_s: ``[group][state][interval]`` agents × seconds in each of
            :data:`PRESENCE_STATES`.
    """

    def __init__(
        self, interval_s: float, horizon_s: float, n_groups: int = 1, n_channels: int = 1
    ) -> None:
        self.interval_s = interval_s
        self.horizon_s = horizon_s
        self.n_intervals = n = int(np.ceil(horizon_s / interval_s - 1e-9))
        self.n_groups = n_groups
        self.n_channels = n_channels
        slots = n_groups * n_channels
        self.used = [0.0] * slots
        self.open_work = [0.0] * slots
        self.work_since = [0.0] * slots
        self.used_s = [[0.0] * n for _ in range(slots)]
        self.open_work_s = [[0.0] * n for _ in range(slots)]
        self.capacity = [0.0] * n_groups
        self.agents = [0.0] * n_groups
        self.group_since = [0.0] * n_groups
        self.capacity_s = [[0.0] * n for _ in range(n_groups)]
        self.agents_s = [[0.0] * n for _ in range(n_groups)]
        states = len(PRESENCE_STATES)
        self.state = [[0.0] * states for _ in range(n_groups)]
        self.state_since = [0.0] * n_groups
        self.state_s = [[[0.0] * n for _ in range(states)] for _ in range(n_groups)]

    def slot(self, group: int, channel: int) -> int:
        """The work slot of a group index and a channel index (scenario order)."""
        return group * self.n_channels + channel

    def change_work(self, now: float, slot: int, used: float, open_work: float) -> None:
        """Change a work slot's capacity in use and open work items by these amounts.

        Called at every change of capacity in use (``now`` in seconds).
        """
        start = self.work_since[slot]
        if now > start:
            level_used = self.used[slot]
            level_open = self.open_work[slot]
            if level_used or level_open:
                if now > self.horizon_s:
                    now = self.horizon_s
                interval_s = self.interval_s
                used_s = self.used_s[slot]
                open_s = self.open_work_s[slot]
                index = int(start // interval_s)
                n = self.n_intervals
                while start < now and index < n:
                    end = (index + 1) * interval_s
                    if end > now:
                        end = now
                    span = end - start
                    used_s[index] += level_used * span
                    open_s[index] += level_open * span
                    start = end
                    index += 1
            self.work_since[slot] = now
        self.used[slot] += used
        self.open_work[slot] += open_work

    def change_group(self, now: float, group: int, capacity: float, agents: float) -> None:
        """Change a group's online capacity and agents online by these amounts at ``now``."""
        start = self.group_since[group]
        if now > start:
            self._integrate(
                start, min(now, self.horizon_s),
                (self.capacity[group], self.capacity_s[group]),
                (self.agents[group], self.agents_s[group]),
            )
            self.group_since[group] = now
        self.capacity[group] += capacity
        self.agents[group] += agents

    def change_state(self, now: float, group: int, old: int, new: int) -> None:
        """One agent of ``group`` moves from state ``old`` to ``new`` at ``now``.

        States index :data:`PRESENCE_STATES`; ``-1`` is logged out (counted in none).
        """
        if old == new:
            return
        self._integrate_states(now, group)
        levels = self.state[group]
        if old >= 0:
            levels[old] -= 1.0
        if new >= 0:
            levels[new] += 1.0

    def close(self, now: float) -> None:
        """Integrate every level up to ``now`` (seconds; the end of the run)."""
        for slot in range(len(self.used)):
            self.change_work(now, slot, 0.0, 0.0)
        for group in range(self.n_groups):
            self.change_group(now, group, 0.0, 0.0)
            self._integrate_states(now, group)

    def _integrate_states(self, now: float, group: int) -> None:
        """Integrate the group's presence-state levels up to ``now``."""
        start = self.state_since[group]
        if now > start:
            self._integrate(start, min(now, self.horizon_s),
                            *zip(self.state[group], self.state_s[group], strict=True))
            self.state_since[group] = now

    def _integrate(self, start: float, now: float, *levels: tuple[float, list[float]]) -> None:
        """Add each ``(level, bins)`` × the time in each interval from ``start`` to ``now``."""
        interval_s = self.interval_s
        index = int(start // interval_s)
        while start < now and index < self.n_intervals:
            end = min((index + 1) * interval_s, now)
            for level, bins in levels:
                if level:
                    bins[index] += level * (end - start)
            start = end
            index += 1

    # ------------------------------------------------------------------ totals (after the run)
    def work_by_channel(self) -> tuple[np.ndarray, np.ndarray]:
        """``[channel][interval]`` capacity × s in use and open work × s, over groups."""
        shape = (self.n_groups, self.n_channels, self.n_intervals)
        used = np.asarray(self.used_s, dtype=float).reshape(shape)
        open_work = np.asarray(self.open_work_s, dtype=float).reshape(shape)
        return used.sum(axis=0), open_work.sum(axis=0)

    def work_by_group(self) -> tuple[np.ndarray, np.ndarray]:
        """``[group][interval]`` capacity × s in use and open work × s, over channels."""
        shape = (self.n_groups, self.n_channels, self.n_intervals)
        used = np.asarray(self.used_s, dtype=float).reshape(shape)
        open_work = np.asarray(self.open_work_s, dtype=float).reshape(shape)
        return used.sum(axis=1), open_work.sum(axis=1)

    def online_by_group(self) -> tuple[np.ndarray, np.ndarray]:
        """``[group][interval]`` online capacity × s and agents online × s."""
        shape = (self.n_groups, self.n_intervals)
        return (np.asarray(self.capacity_s, dtype=float).reshape(shape),
                np.asarray(self.agents_s, dtype=float).reshape(shape))

    def presence_by_group(self) -> np.ndarray:
        """``[group][state][interval]`` agents × seconds in each of :data:`PRESENCE_STATES`."""
        shape = (self.n_groups, len(PRESENCE_STATES), self.n_intervals)
        return np.asarray(self.state_s, dtype=float).reshape(shape)
