"""Shift covering: the fewest agents on given shift patterns meeting every interval.

A shift template is ``(start_interval, length_intervals)``. Agents on template ``j`` work
the intervals ``start .. start + length - 1`` (wrapping past the end of the day when
``wrap`` is set). The covering problem is the integer program

    minimise sum_j x_j  subject to  sum_{j covering i} x_j >= requirement_i,  x_j >= 0 integer

solved exactly with :func:`scipy.optimize.milp` (HiGHS branch and bound).
:func:`shift_cover_table` sets the agents on shift next to the requirement, per interval,
for the shift-cover chart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

ShiftTemplate = tuple[int, int]
"""``(start_interval, length_intervals)`` of one shift pattern."""


def coverage_matrix(
    templates: Sequence[ShiftTemplate], n_intervals: int, wrap: bool = False
) -> np.ndarray:
    """0/1 matrix ``[interval, template]``: whether an agent on the template works then."""
    matrix = np.zeros((n_intervals, len(templates)), dtype=int)
    for column, (start, length) in enumerate(templates):
        if length < 1 or start < 0:
            raise ValueError(f"shift template {(start, length)} needs start >= 0, length >= 1")
        for offset in range(length):
            interval = start + offset
            if wrap:
                interval %= n_intervals
            if interval < n_intervals:
                matrix[interval, column] = 1
    return matrix


def cover_shifts(
    requirements: Sequence[int] | np.ndarray,
    templates: Sequence[ShiftTemplate],
    wrap: bool = False,
    availability: np.ndarray | None = None,
) -> list[int]:
    """Fewest agents per shift template so that every interval has its required agents.

    Args:
        requirements: agents required in each interval (non-negative integers).
        templates: shift patterns as ``(start_interval, length_intervals)``.
        wrap: shifts running past the last interval continue at interval 0 (a daily cycle).
        availability: ``[interval, template]`` the share of each interval an agent on the
            template is available (its breaks taken out,
            :func:`sim.staffing.shift_plan.availability_matrix`); 0/1 coverage when omitted.

    Returns:
        Agents per template, in the order of ``templates``; their sum is minimal.

    Raises:
        ValueError: if an interval needing agents is covered by no template, or the solver
            fails.
    """
    need = np.asarray(requirements, dtype=float)
    if np.any(need < 0):
        raise ValueError("requirements must be non-negative")
    if not templates:
        raise ValueError("give at least one shift template")
    matrix = (coverage_matrix(templates, len(need), wrap) if availability is None
              else np.asarray(availability, dtype=float))
    uncovered = np.flatnonzero((need > 0) & (matrix.max(axis=1) <= 1e-9))
    if uncovered.size:
        raise ValueError(
            f"intervals {uncovered.tolist()} need agents but no shift template covers them"
        )
    if not np.any(need > 0):
        return [0] * len(templates)
    result = milp(
        c=np.ones(len(templates)),
        constraints=LinearConstraint(matrix, lb=need - 1e-7, ub=np.inf),
        integrality=np.ones(len(templates)),
        bounds=Bounds(0, np.inf),
    )
    if not result.success:
        raise ValueError(f"shift covering failed: {result.message}")
    return [int(round(value)) for value in result.x]


def covered_agents(
    counts: Sequence[int], templates: Sequence[ShiftTemplate], n_intervals: int,
    wrap: bool = False,
) -> np.ndarray:
    """Agents at work in each interval when ``counts[j]`` agents work template ``j``."""
    return coverage_matrix(templates, n_intervals, wrap) @ np.asarray(counts, dtype=int)


SHIFT_COVER_COLUMNS = ("interval", "start_s", "group", "model", "required", "on_shift",
                       "surplus")
"""Columns of :func:`shift_cover_table`."""


def shift_cover_table(
    required: Mapping[str, Sequence[int] | np.ndarray],
    counts: Mapping[str, Sequence[int]],
    templates: Sequence[ShiftTemplate],
    interval_s: float,
    group: str = "",
    wrap: bool = False,
) -> pd.DataFrame:
    """The shift plan against the requirement, one row per interval and capacity model.

    Args:
        required: capacity model -> scheduled agents required per interval (what the
            covering was asked to meet).
        counts: capacity model -> agents per shift template (:func:`cover_shifts`); a
            model without a plan is left out.
        templates: the shift templates ``counts`` refer to.
        interval_s: reporting interval (seconds).
        group: the agent group staffed (a column, so several groups' tables stack).
        wrap: shifts running past the last interval continue at interval 0.

    Returns:
        Columns ``interval``, ``start_s`` (seconds from the start), ``group``, ``model``,
        ``required``, ``on_shift`` (agents whose shift covers the interval) and
        ``surplus`` (on shift minus required, never negative for a solved plan).
    """
    frames = []
    for model, plan in counts.items():
        need = np.asarray(required[model], dtype=int)
        on_shift = covered_agents(plan, templates, len(need), wrap)
        frames.append(pd.DataFrame({
            "interval": np.arange(len(need)), "start_s": np.arange(len(need)) * interval_s,
            "group": group, "model": model, "required": need, "on_shift": on_shift,
            "surplus": on_shift - need}))
    if not frames:
        return pd.DataFrame(columns=list(SHIFT_COVER_COLUMNS))
    return pd.concat(frames, ignore_index=True)[list(SHIFT_COVER_COLUMNS)]
