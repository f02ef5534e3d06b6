"""Which agent groups a staffing search sets, and the scenario with their staffing.

A scenario may have several agent groups. The search sets the per-interval ``staffing``
of every *staffed group* (:func:`staffed_groups`: the groups named, by default every group
with shifts or a staffing list); any other group keeps its agent count and counts as fixed
capacity. In ``scenarios/multichannel_center.yaml`` both ``chat_team`` (web chat, WhatsApp,
SMS) and ``messaging_team`` (WhatsApp, SMS) are staffed. Every queue a channel uses must be
served by a staffed group, else its goals could not be brought to target.

:func:`staffing_group` and :func:`with_staffing` are the one-group forms (the first group
serving every queue), used for the service-level curve of one group.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from sim.model.capacity import CAPACITY_MODEL_NAMES
from sim.scenario.loading import ScenarioError
from sim.scenario.schema import AgentGroup, Scenario
from sim.staffing.goals import StaffingError, StaffingGoals
from sim.staffing.shift_cover import ShiftTemplate


def staffing_group(scenario: Scenario, group: str | None = None) -> tuple[int, AgentGroup]:
    """The agent group whose per-interval ``staffing`` the search sets, with its index.

    Args:
        scenario: the scenario.
        group: the group's name; when omitted, the first group serving every queue.

    Raises:
        StaffingError: the named group does not exist or does not serve every queue a
            channel uses, or (without a name) no group serves every queue.
    """
    needed = {channel.queue for channel in scenario.channels}
    names = [candidate.name for candidate in scenario.agent_groups]
    if group is not None:
        if group not in names:
            raise StaffingError(f"no agent group {group!r}; the scenario has {', '.join(names)}")
        index = names.index(group)
        missing = sorted(needed - set(scenario.agent_groups[index].queues))
        if missing:
            raise StaffingError(
                f"agent group {group!r} does not serve queue(s) {', '.join(missing)}; the "
                "staffed group must serve every queue (the goals cover all channels)"
            )
        return index, scenario.agent_groups[index]
    for index, candidate in enumerate(scenario.agent_groups):
        if needed <= set(candidate.queues):
            return index, candidate
    raise StaffingError(
        f"no agent group serves every queue ({', '.join(sorted(needed))}); staffing sets "
        f"one group serving them all while the others ({', '.join(names)}) keep their shifts"
    )


def staffed_groups(scenario: Scenario, names: Sequence[str] | None = None) -> list[str]:
    """The agent groups a search staffs, in the scenario's order.

    Args:
        scenario: the scenario.
        names: the groups to staff; by default every group with ``shifts`` or
            ``staffing`` (all groups when none has).

    Raises:
        StaffingError: a named group does not exist, or a queue a channel uses is served
            by no staffed group.
    """
    known = [group.name for group in scenario.agent_groups]
    if names:
        unknown = [name for name in names if name not in known]
        if unknown:
            raise StaffingError(f"no agent group {', '.join(map(repr, unknown))}; the "
                                f"scenario has {', '.join(known)}")
        chosen = [name for name in known if name in set(names)]
    else:
        chosen = [group.name for group in scenario.agent_groups
                  if group.shifts is not None or group.staffing is not None] or known
    served = {queue for group in scenario.agent_groups if group.name in chosen
              for queue in group.queues}
    missing = sorted({channel.queue for channel in scenario.channels} - served)
    if missing:
        raise StaffingError(
            f"queue(s) {', '.join(missing)} served by no staffed group "
            f"({', '.join(chosen)}); staff a group serving them (--group)")
    return chosen


def with_group_staffing(
    scenario: Scenario,
    staffing: dict[str, Sequence[int] | np.ndarray],
    goals: StaffingGoals | None = None,
    capacity_model: str | None = None,
) -> Scenario:
    """The scenario with each named group logged in per interval as ``staffing`` says.

    Groups not named are unchanged. The goals' service level becomes the scenario's (so the
    interval table measures the goal), and ``capacity_model`` replaces the scenario's.

    Raises:
        StaffingError: the capacity model is invalid for the scenario (status-based with a
            standard channel).
    """
    names = [group.name for group in scenario.agent_groups]
    updates: dict[str, Any] = {}
    for name, counts in staffing.items():
        key = f"agent_groups[{names.index(name)}]"
        updates |= {f"{key}.staffing": [int(value) for value in counts],
                    f"{key}.shifts": None, f"{key}.agents": 0}
    if goals is not None and goals.service_level is not None:
        updates["service_level.threshold"] = goals.threshold_s
        updates["service_level.target"] = goals.service_level
    if capacity_model is not None:
        updates["capacity_model"] = capacity_model
    try:
        return scenario.derive(
            updates,
            source=(f"capacity model {capacity_model!r} is invalid for this scenario"
                    if capacity_model is not None else "the staffed scenario"))
    except ScenarioError as error:
        raise StaffingError("; ".join(error.problems)) from None


def group_shift_templates(scenario: Scenario, name: str) -> list[ShiftTemplate]:
    """Shift patterns ``(start_interval, length_intervals)`` from one group's shifts."""
    group = next(group for group in scenario.agent_groups if group.name == name)
    templates: list[ShiftTemplate] = []
    for shift in group.shifts or []:
        start = int(shift.start // scenario.interval)
        length = max(1, math.ceil((min(shift.end, scenario.horizon) - shift.start)
                                  / scenario.interval - 1e-9))
        if (start, length) not in templates:
            templates.append((start, length))
    return templates


def online_agents(group: AgentGroup, scenario: Scenario) -> np.ndarray:
    """Mean agents of ``group`` logged in and not on a break in each reporting interval.

    From the group's schedule (``staffing``, ``shifts`` with their breaks, or ``agents``);
    disconnections and draining after a shift's end are not counted.
    """
    n = scenario.n_intervals
    if group.staffing is not None:
        counts = np.zeros(n)
        given = np.asarray(group.staffing[:n], dtype=float)
        counts[:len(given)] = given
        return counts
    if group.shifts is None:
        return np.full(n, float(group.agents))
    online = np.zeros(n)
    for shift in group.shifts:
        _add_period(online, scenario, shift.start, shift.end, shift.agents)
        for pause in shift.breaks:
            start = shift.start + pause.after
            _add_period(online, scenario, start, start + pause.duration, -shift.agents)
    return online


def _add_period(online: np.ndarray, scenario: Scenario, start_s: float, end_s: float,
                agents: float) -> None:
    """Add ``agents`` x (share of each interval inside ``[start_s, end_s)``) to ``online``."""
    for index in range(int(start_s // scenario.interval), len(online)):
        begin = index * scenario.interval
        end = min(begin + scenario.interval, scenario.horizon)
        if begin >= end_s:
            break
        overlap = min(end, end_s) - max(begin, start_s)
        if overlap > 0:
            online[index] += agents * overlap / (end - begin)


def with_staffing(
    scenario: Scenario,
    staffing: Sequence[int] | np.ndarray,
    goals: StaffingGoals | None = None,
    capacity_model: str | None = None,
    group: str | None = None,
) -> Scenario:
    """The scenario with the staffed group logged in per interval as ``staffing`` says.

    Other groups are unchanged. The goals' threshold becomes the scenario's service-level
    threshold (so the interval table measures the goal), and ``capacity_model`` replaces
    the scenario's when given.

    Raises:
        StaffingError: the group cannot be staffed, or the capacity model is invalid for
            the scenario (status-based with a standard channel).
    """
    index, _ = staffing_group(scenario, group)
    group_key = f"agent_groups[{index}]"
    updates: dict[str, Any] = {
        f"{group_key}.staffing": [int(value) for value in staffing],
        f"{group_key}.shifts": None,
        f"{group_key}.agents": 0,
    }
    if goals is not None and goals.service_level is not None:
        updates["service_level.threshold"] = goals.threshold_s
        updates["service_level.target"] = goals.service_level
    if capacity_model is not None:
        updates["capacity_model"] = capacity_model
    try:
        return scenario.derive(
            updates,
            source=(f"capacity model {capacity_model!r} is invalid for this scenario"
                    if capacity_model is not None else "the staffed scenario"))
    except ScenarioError as error:
        raise StaffingError("; ".join(error.problems)) from None


def shift_templates_from(scenario: Scenario, group: str | None = None) -> list[ShiftTemplate]:
    """Shift patterns ``(start_interval, length_intervals)`` from the staffed group's shifts."""
    _, staffed = staffing_group(scenario, group)
    templates: list[ShiftTemplate] = []
    for shift in staffed.shifts or []:
        start = int(shift.start // scenario.interval)
        length = max(1, math.ceil((min(shift.end, scenario.horizon) - shift.start)
                                  / scenario.interval - 1e-9))
        if (start, length) not in templates:
            templates.append((start, length))
    return templates


def capacity_variants(
    scenario: Scenario, goals: StaffingGoals, models: Sequence[str],
    group: str | None = None,
) -> tuple[dict[str, Scenario], dict[str, str]]:
    """The scenario under each capacity model (staffed group empty), and those skipped.

    Returns:
        ``(variants, skipped)``: capacity model -> scenario, and capacity model -> why it
        is invalid for the scenario (e.g. status-based with a standard channel).

    Raises:
        ValueError: an unknown capacity model.
        StaffingError: no model is valid, or the group cannot be staffed.
    """
    staffing_group(scenario, group)  # a group problem is an error, not a skipped model
    variants, skipped = {}, {}
    for model in models:
        if model not in CAPACITY_MODEL_NAMES:
            raise ValueError(f"unknown capacity model {model!r}; choose from "
                             f"{', '.join(CAPACITY_MODEL_NAMES)}")
        try:
            variants[model] = with_staffing(scenario, [0] * scenario.n_intervals, goals,
                                            model, group)
        except StaffingError as error:
            skipped[model] = str(error)
    if not variants:
        raise StaffingError("; ".join(skipped.values()))
    return variants, skipped
