"""Sanity warnings for valid scenarios: things that are allowed but likely mistakes."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.scenario.arrival_rates import interval_rates_per_second
from sim.scenario.schema import AgentGroup, ArrivalProfile, Scenario
from sim.scenario.units import format_duration


def scenario_warnings(scenario: Scenario) -> list[str]:
    """Sanity warnings for a valid scenario: things that are allowed but likely mistakes.

    Returns:
        Lines of the form ``key.path: message``.
    """
    warnings: list[str] = []
    served = {queue for group in scenario.agent_groups for queue in group.queues}
    used = scenario.queues_reached()
    for index, queue in enumerate(scenario.queues):
        if queue.name not in served and queue.name in used:
            warnings.append(
                f"queues[{index}]: no agent group serves queue {queue.name!r}; "
                "its sessions will never be answered"
            )
        elif queue.name not in used:
            warnings.append(f"queues[{index}]: no channel routes to queue {queue.name!r}")
    for index, group in enumerate(scenario.agent_groups):
        schedule = "shifts" if group.shifts is not None else (
            "staffing" if group.staffing is not None else None
        )
        if schedule is None and group.agents == 0:
            warnings.append(
                f"agent_groups[{index}]: group {group.name!r} has no agents; "
                "give agents, shifts or staffing"
            )
        elif schedule is not None and group.agents:
            warnings.append(
                f"agent_groups[{index}].agents: {group.agents} is ignored; the group's "
                f"{schedule} set who is online"
            )
    warnings.extend(arrivals_past_horizon(scenario))
    warnings.extend(shifts_past_horizon(scenario))
    warnings.extend(unstaffed_arrivals(scenario))
    return warnings


def shifts_past_horizon(scenario: Scenario) -> list[str]:
    """Warn about shifts that end after the run ends (the run stops them at the horizon)."""
    warnings: list[str] = []
    clock = _time_text(scenario)
    end = clock(scenario.horizon)
    for group_index, group in enumerate(scenario.agent_groups):
        for index, shift in enumerate(group.shifts or []):
            key = f"agent_groups[{group_index}].shifts[{index}]"
            if shift.start >= scenario.horizon:
                warnings.append(
                    f"{key}.start: the shift starts at {clock(shift.start)}, when the run "
                    f"has ended ({end}, horizon {format_duration(scenario.horizon)}); its "
                    "agents never log in; lengthen horizon or remove the shift")
            elif shift.end > scenario.horizon + 1e-6:
                warnings.append(
                    f"{key}.end: the shift ends at {clock(shift.end)}, after the run ends "
                    f"({end}, horizon {format_duration(scenario.horizon)}); its agents "
                    "are simulated only until then; lengthen horizon to see the rest")
    return warnings


def arrivals_past_horizon(scenario: Scenario) -> list[str]:
    """Warn about replayed arrival ``times`` at or after the horizon (they are dropped)."""
    warnings: list[str] = []
    for index, channel in enumerate(scenario.channels):
        for path, profile in channel.arrival_profiles:
            if profile.times is None:
                continue
            late = sum(1 for time in profile.times if time >= scenario.horizon)
            if late:
                key = f"channels[{index}]." + ".".join((*path, "times"))
                warnings.append(
                    f"{key}: {late} of {len(profile.times)} times are at or after the horizon "
                    f"({format_duration(scenario.horizon)}) and are dropped; "
                    "lengthen horizon or remove them"
                )
    return warnings


_MAX_BREAKPOINTS = 100_000


def unstaffed_arrivals(scenario: Scenario) -> list[str]:
    """Warn about channels whose sessions arrive while no agent of their queue is online."""
    warnings: list[str] = []
    for index, channel in enumerate(scenario.channels):
        groups = [group for group in scenario.agent_groups if channel.queue in group.queues]
        for path, profile in channel.arrival_profiles if groups else []:
            key = f"channels[{index}]." + ".".join(path)
            gaps = _unstaffed_periods(scenario, profile, groups)
            if gaps:
                start, end = gaps[0]
                more = f" (and {len(gaps) - 1} more)" if len(gaps) > 1 else ""
                show = _time_text(scenario)
                when = (
                    f"a session arrives at {show(start)}"
                    if start == end
                    else f"sessions arrive from {show(start)} to {show(end)}"
                )
                warnings.append(
                    f"{key}: {when}{more} while no agent serving queue {channel.queue!r} is online"
                )
    return warnings


def _time_text(scenario: Scenario) -> Callable[[float], str]:
    """How a warning shows a time: a duration from the start, or the clock time with one."""
    if scenario.start is None:
        return format_duration
    clock, several = scenario.clock, scenario.clock.multi_day(scenario.horizon)
    return lambda seconds: clock.label(seconds, with_day=several)


def _unstaffed_periods(
    scenario: Scenario, profile: ArrivalProfile, groups: list[AgentGroup]
) -> list[tuple[float, float]]:
    """Periods (start, end in seconds) with arrivals and no online agent, merged."""
    if profile.times is not None:  # replayed arrivals: check each time itself
        return [
            (time, time)
            for time in profile.times
            if time < scenario.horizon
            and not any(_agents_online(scenario, group, time) for group in groups)
        ]
    horizon = scenario.horizon
    if profile.rate is not None:  # constant: one rate over the horizon, whatever the interval
        profile_interval_s, rates = horizon, np.array([profile.rate / 3600.0])
    elif horizon / (profile.interval or scenario.interval) > _MAX_BREAKPOINTS:
        return []  # far too many profile intervals to check (the run refuses them too)
    else:
        profile_interval_s, rates = interval_rates_per_second(profile, scenario.interval, horizon)
    steps = {0.0, horizon}
    lengths = [profile_interval_s] if profile.rate is None else []
    if any(group.staffing is not None for group in groups):
        lengths.append(scenario.interval)
    for length in lengths:
        if horizon / length > _MAX_BREAKPOINTS:
            return []
        steps.update(step * length for step in range(int(horizon // length) + 1))
    for group in groups:
        for shift in group.shifts or []:
            steps.update((shift.start, shift.end))
    points = sorted(step for step in steps if 0 <= step <= horizon)
    periods: list[tuple[float, float]] = []
    for start, end in zip(points, points[1:], strict=False):
        middle = (start + end) / 2
        if rates[min(int(middle // profile_interval_s), len(rates) - 1)] <= 0:
            continue
        if sum(_agents_online(scenario, group, middle) for group in groups) > 0:
            continue
        if periods and periods[-1][1] == start:
            periods[-1] = (periods[-1][0], end)
        else:
            periods.append((start, end))
    return periods


def _agents_online(scenario: Scenario, group: AgentGroup, time: float) -> int:
    """Agents of ``group`` logged in at ``time`` (seconds)."""
    if group.shifts is not None:
        return sum(shift.agents for shift in group.shifts if shift.start <= time < shift.end)
    if group.staffing is not None:
        index = int(time // scenario.interval)
        return group.staffing[index] if index < len(group.staffing) else 0
    return group.agents
