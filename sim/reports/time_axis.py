"""A chart's time axis in clock time: ticks at round times of day, labelled ``HH:MM``.

Charts plot model time (seconds, or hours, from the start); :func:`clock_time_axis` puts
the ticks of that axis at sensible clock times of the scenario's :class:`Clock` (every 1,
2, 3, 4, 6 or 12 hours, or whole days, by horizon) and labels them with the time of day,
and the weekday (``Mon 00:00``) or day number (``day 2 00:00``) where a new day begins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from matplotlib.axes import Axes

from sim.scenario.clock import SECONDS_PER_DAY, Clock

STEP_HOURS = (1, 2, 3, 4, 6, 12, 24, 48, 72, 168)
"""Tick spacings tried, shortest first (hours)."""

MAX_TICKS = 13
"""Most ticks on one axis."""


@dataclass(frozen=True)
class ClockTicks:
    """Where a time axis gets its ticks and what they say.

    Attributes:
        seconds: Tick positions, seconds from the start.
        labels: ``HH:MM``, with the day where a new day begins on a multi-day run.
        axis_label: ``time of day (HH:MM)`` or ``clock time (day, HH:MM)``, with the zone.
    """

    seconds: tuple[float, ...]
    labels: tuple[str, ...]
    axis_label: str


def clock_ticks(clock: Clock, horizon_s: float) -> ClockTicks:
    """Ticks at round clock times over ``[0, horizon_s]`` (see the module).

    Args:
        clock: The scenario's clock.
        horizon_s: The run's length (seconds).
    """
    horizon_s = max(float(horizon_s), 60.0)
    step_h = next((h for h in STEP_HOURS if horizon_s / (h * 3600.0) <= MAX_TICKS - 1),
                  math.ceil(horizon_s / SECONDS_PER_DAY / (MAX_TICKS - 1)) * 24)
    step_s = step_h * 3600.0
    origin = clock.origin.replace(tzinfo=None)
    of_day = origin.hour * 3600.0 + origin.minute * 60.0 + origin.second
    if step_h >= 24:  # whole days: ticks at midnight
        first = SECONDS_PER_DAY - of_day if of_day else 0.0
    else:
        first = math.ceil(of_day / step_s - 1e-9) * step_s - of_day
    seconds = []
    tick = first
    while tick <= horizon_s + 1e-6:
        seconds.append(tick)
        tick += step_s
    multi_day = clock.multi_day(horizon_s)
    labels = []
    previous_day = None
    for value in seconds:
        day = clock.day_number(value)
        labels.append(clock.label(value, with_day=multi_day and day != previous_day))
        previous_day = day
    return ClockTicks(tuple(seconds), tuple(labels), _axis_label(clock, multi_day))


def _axis_label(clock: Clock, multi_day: bool) -> str:
    if multi_day:
        text = "clock time (weekday HH:MM)" if clock.dated else "clock time (day, HH:MM)"
    else:
        text = "time of day (HH:MM)"
        if clock.dated:
            text = f"time of day on {clock.origin.strftime('%a %Y-%m-%d')} (HH:MM)"
    return f"{text}, {clock.zone_name}" if clock.zone_name else text


def clock_time_axis(
    ax: Axes,
    clock: Clock,
    horizon_s: float,
    *,
    unit_s: float = 3600.0,
    axis: Literal["x", "y"] = "x",
) -> ClockTicks:
    """Give ``ax``'s time axis clock-time ticks, labels and an axis label.

    Args:
        ax: The axes whose data are in units of ``unit_s`` seconds since the start.
        clock: The scenario's clock (``scenario.clock``).
        horizon_s: The run's length (seconds).
        unit_s: Seconds per data unit on the axis (3600 for hours, 1 for seconds).
        axis: ``"x"`` or ``"y"``.

    Returns:
        The ticks placed (positions in seconds).
    """
    ticks = clock_ticks(clock, horizon_s)
    positions = [value / unit_s for value in ticks.seconds]
    rotation = 30 if any(" " in label for label in ticks.labels) else 0
    if axis == "x":
        ax.set_xticks(positions, ticks.labels, rotation=rotation,
                      ha="right" if rotation else "center")
        ax.set_xlabel(ticks.axis_label)
    else:
        ax.set_yticks(positions, ticks.labels)
        ax.set_ylabel(ticks.axis_label)
    return ticks
