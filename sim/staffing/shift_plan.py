"""Shift patterns of a staffed group, the hours it can work, and its shift plan as shifts.

A group's *patterns* are its distinct shifts (start, end and breaks): the covering
(:func:`sim.staffing.shift_cover.cover_shifts`) chooses how many agents work each. An
agent on a pattern is *available* in an interval for the share of it that the shift
covers less its breaks (a break window counts as its slots' mean, see
:meth:`sim.scenario.schema.Break.slot_starts`). A group *can work* an interval when one of
its patterns has an agent available in it (:func:`group_hours`); a group without shifts
(a ``staffing`` list or a plain ``agents`` count) can work every interval.

:func:`with_shift_plans` is the scenario with each group's plan as its ``shifts`` (breaks
kept): what the shift plan's verification simulates and ``--write-scenario`` writes.
Times are seconds; intervals are reporting intervals.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.scenario.schema import Scenario, Shift
from sim.staffing.goals import StaffingError
from sim.staffing.shift_cover import ShiftTemplate


@dataclass(frozen=True)
class ShiftPattern:
    """One shift a group's agents may work, and when an agent on it is available.

    Attributes:
        shift: the shift (its ``agents`` is ignored; breaks kept).
        start: first reporting interval it covers.
        length: reporting intervals from ``start`` to its last.
        available: per reporting interval, the mean share of the interval an agent on it
            is logged in and not on a break (0 to 1).
    """

    shift: Shift
    start: int
    length: int
    available: np.ndarray

    @property
    def template(self) -> ShiftTemplate:
        """``(start_interval, length_intervals)``, the form of the older reports."""
        return (self.start, self.length)


def _overlaps(scenario: Scenario, start_s: float, end_s: float) -> np.ndarray:
    """Per reporting interval, the share of it inside ``[start_s, end_s)``."""
    n = scenario.n_intervals
    begins = np.arange(n) * scenario.interval
    ends = np.minimum(begins + scenario.interval, scenario.horizon)
    inside = np.minimum(ends, end_s) - np.maximum(begins, start_s)
    return np.clip(inside, 0.0, None) / (ends - begins)


def pattern_of(scenario: Scenario, shift: Shift) -> ShiftPattern:
    """The :class:`ShiftPattern` of one shift."""
    available = _overlaps(scenario, shift.start, min(shift.end, scenario.horizon))
    for item in shift.breaks:
        slots = item.slot_starts()
        for offset in slots:
            begin = shift.start + offset
            available = available - _overlaps(scenario, begin, begin + item.duration) / len(
                slots)
    start = int(shift.start // scenario.interval)
    length = max(1, math.ceil((min(shift.end, scenario.horizon) - shift.start)
                              / scenario.interval - 1e-9))
    return ShiftPattern(shift, start, length, np.clip(available, 0.0, 1.0))


def placed_breaks(shift: Shift) -> list[Shift]:
    """The shift once per placement of its window breaks (each at one of its slots).

    A break window (``spread`` > 0) becomes an exact break at each of its slots
    (:meth:`sim.scenario.schema.Break.slot_starts`), every combination of the shift's
    windows once; exact breaks stay. A shift without a window is returned alone.
    """
    choices = [item.slot_starts() if item.spread > 0 else [item.after]
               for item in shift.breaks]
    return [shift.model_copy(update={"breaks": [
        item.model_copy(update={"after": after, "spread": 0.0})
        for item, after in zip(shift.breaks, chosen, strict=True)]})
        for chosen in itertools.product(*choices)] if any(
            item.spread > 0 for item in shift.breaks) else [shift]


def group_patterns(scenario: Scenario, name: str, place_breaks: bool = True
                   ) -> list[ShiftPattern]:
    """The group's distinct shifts as patterns, in the scenario's order (none without).

    With ``place_breaks`` a shift with a break window is one pattern per placement of
    its breaks (:func:`placed_breaks`): the covering then chooses how many agents take
    their break in each slot, placing the breaks where the requirement leaves room.
    """
    group = next(group for group in scenario.agent_groups if group.name == name)
    patterns: list[ShiftPattern] = []
    seen: list[dict[str, Any]] = []
    for own in group.shifts or []:
        if own.start >= scenario.horizon:
            continue
        for shift in placed_breaks(own) if place_breaks else [own]:
            key = shift.model_dump(exclude={"agents"})
            if key not in seen:
                seen.append(key)
                patterns.append(pattern_of(scenario, shift))
    return patterns


def pattern_label(pattern: ShiftPattern, clock: Callable[[float], str]) -> str:
    """``08:00-16:00`` with its breaks (``, break 12:00+30m``), on the scenario's clock."""
    shift = pattern.shift
    breaks = "".join(f", break {clock(shift.start + item.after)}+{item.duration / 60:g}m"
                     + (f" spread {item.spread / 60:g}m" if item.spread > 0 else "")
                     for item in shift.breaks)
    return f"{clock(shift.start)}-{clock(shift.end)}{breaks}"


def template_patterns(scenario: Scenario, templates: Sequence[ShiftTemplate]
                      ) -> list[ShiftPattern]:
    """Patterns of shift templates ``(start_interval, length_intervals)``, without breaks."""
    patterns = []
    for start, length in templates:
        begin = start * scenario.interval
        end = min((start + length) * scenario.interval, scenario.horizon)
        if begin >= scenario.horizon:
            raise StaffingError(f"shift template {(start, length)} starts at or after the "
                                f"horizon ({scenario.n_intervals} intervals)")
        patterns.append(pattern_of(scenario, Shift(start=begin, end=end, agents=0)))
    return patterns


def availability_matrix(patterns: Sequence[ShiftPattern], n_intervals: int) -> np.ndarray:
    """``[interval, pattern]`` the share of each interval an agent on the pattern works."""
    if not patterns:
        return np.zeros((n_intervals, 0))
    return np.column_stack([pattern.available[:n_intervals] for pattern in patterns])


def group_hours(scenario: Scenario, groups: Sequence[str],
                patterns: Mapping[str, Sequence[ShiftPattern]] | None = None) -> np.ndarray:
    """``[group, interval]`` whether each staffed group can work the interval.

    Args:
        scenario: the scenario (with the groups' own shifts).
        groups: the staffed groups.
        patterns: group -> its patterns (:func:`group_patterns` when omitted); a group
            without patterns can work every interval.
    """
    hours = np.ones((len(groups), scenario.n_intervals), dtype=bool)
    for position, name in enumerate(groups):
        mine = patterns[name] if patterns is not None and name in patterns else (
            group_patterns(scenario, name))
        if mine:
            hours[position] = availability_matrix(mine, scenario.n_intervals).max(axis=1) > 1e-9
    return hours


def with_shift_plans(scenario: Scenario,
                     plans: Mapping[str, tuple[Sequence[ShiftPattern], Sequence[int]]],
                     source: str = "the shift plan") -> Scenario:
    """The scenario with each named group working its plan as ``shifts``.

    Args:
        scenario: the scenario (any capacity model and goals already set).
        plans: group -> (its patterns, agents per pattern); a pattern with no agents is
            left out (a group with none at all keeps one shift with ``agents: 0``).
        source: the name a problem line starts with.
    """
    names = [group.name for group in scenario.agent_groups]
    updates: dict[str, Any] = {}
    for name, (patterns, counts) in plans.items():
        shifts = [pattern.shift.model_copy(update={"agents": int(count)}).model_dump()
                  for pattern, count in zip(patterns, counts, strict=True) if count > 0]
        if not shifts and patterns:
            shifts = [patterns[0].shift.model_copy(update={"agents": 0}).model_dump()]
        key = f"agent_groups[{names.index(name)}]"
        updates |= {f"{key}.shifts": shifts, f"{key}.staffing": None, f"{key}.agents": 0}
    return scenario.derive(updates, source=source)
