"""Each agent's breaks when a shift's break is a window (``spread`` > 0).

:func:`sim.model.runtime.agent_schedules` gives every agent of a shift the same breaks at
``after``. A break with a ``spread`` (a break window, ``window: "15:30-17:00"``) staggers
them instead: the shift's agents are dealt round-robin to the window's non-overlapping
slots (:meth:`sim.scenario.schema.Break.agent_start`), so at no moment is more than
``ceil(agents / slots)`` of them away. Times are seconds from the start.
"""

from __future__ import annotations

from sim.scenario.schema import AgentGroup, Scenario

AgentBreaks = list[tuple[float, float]]
"""One agent's ``(start, end)`` breaks, in seconds."""


def has_spread_breaks(group: AgentGroup) -> bool:
    """Whether any shift of the group has a break window."""
    return any(item.spread > 0 for shift in group.shifts or [] for item in shift.breaks)


def group_breaks(group: AgentGroup, scenario: Scenario) -> list[AgentBreaks]:
    """Every agent's breaks, in the agents' order of ``agent_schedules`` for shifts.

    Shifts sorted by start (stable), each shift's agents in turn, shifts starting at or
    after the horizon left out; empty for a group without shifts.
    """
    plans: list[AgentBreaks] = []
    for shift in sorted(group.shifts or [], key=lambda s: s.start):
        if shift.start >= scenario.horizon:
            continue
        for agent in range(shift.agents):
            plans.append([(shift.start + item.agent_start(agent),
                           shift.start + item.agent_start(agent) + item.duration)
                          for item in shift.breaks])
    return plans
