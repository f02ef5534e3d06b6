"""A calibrated scenario moved to a week to come: forecast arrivals, the last week's roster.

``ccsim calibrate --for-week 2026-12-14`` fits the center as usual, then dates the scenario
to the seven days from that date: each channel's day volumes are forecast from its fitted
day volumes (:func:`~sim.calibration.forecast.forecast_days`), spread over the day by its
fitted intraday shape; the forecast's uncertainty beyond the Poisson noise becomes
``arrival_scale`` (a log-normal day multiplier with mean 1, the day-volume uncertainty
``ccsim staff --days`` plans for); each group's staffing is that of the last week observed
at the same weekday and time (the roster to test: ``ccsim staff`` sizes the week).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration.arrivals import ArrivalFit, arrival_keys
from sim.calibration.channels import arrival_comments
from sim.calibration.fitted import Fitted
from sim.calibration.forecast import MIN_HISTORY_DAYS, SEASON_DAYS, DayForecast, forecast_days
from sim.calibration.shifts import duration_text
from sim.calibration.timeline import DAY_S, ExportClock
from sim.scenario.units import parse_duration

NO_FORECAST = ("without --for-week the scenario keeps the export's days, each with the intraday "
               "shape pooled over the days times its weekday's mean day volume")
"""What a calibration without a forecast uses (said wherever a forecast cannot be made)."""


@dataclass(frozen=True)
class ChannelForecast:
    """One channel's (and direction's) day volumes: observed and forecast.

    Attributes:
        channel: the channel's name.
        direction: ``inbound`` or ``outbound``.
        history_days: the dates of the whole days observed.
        forecast_days: the dates of the week forecast.
        forecast: the forecast of those days (sessions per day) and its interval.
    """

    channel: str
    direction: str
    history_days: pd.DatetimeIndex
    forecast_days: pd.DatetimeIndex
    forecast: DayForecast


def week_start(text: str, zone: str) -> pd.Timestamp:
    """Midnight of the date ``text`` (``2026-12-14``) in ``zone``.

    Raises:
        ValueError: ``text`` is not a date.
    """
    try:
        day = pd.Timestamp(str(text))
    except (ValueError, TypeError):
        day = None
    if day is None or day is pd.NaT or day != day.normalize() or day.tzinfo is not None:
        raise ValueError(f"--for-week {text!r}: expected a date such as 2026-12-14 (the first "
                         "day of the week to forecast)")
    return day.tz_localize(zone, nonexistent="shift_forward", ambiguous=True)


def forecast_week(scenario: Fitted, arrivals: dict[tuple[str, str], ArrivalFit],
                  clock: ExportClock, start: pd.Timestamp) -> list[ChannelForecast]:
    """Date ``scenario`` to the week from ``start`` (midnight in the clock's zone).

    Rewrites the arrivals of every channel, ``arrival_scale``, ``start``, ``horizon`` and
    each group's ``staffing``; returns the forecasts (for the chart).

    Raises:
        ValueError: the week starts before the export's data end, or a channel has fewer
            than :data:`~sim.calibration.forecast.MIN_HISTORY_DAYS` whole days.
    """
    label = f"--for-week {start:%Y-%m-%d}"
    end = clock.start + pd.Timedelta(seconds=clock.horizon_s)
    if start < end:
        local_end = end.tz_convert(clock.zone)
        raise ValueError(f"{label}: the export's data run to {local_end:%Y-%m-%d %H:%M} "
                         f"{clock.zone}; the week to forecast must start on or after "
                         f"{local_end.ceil('D'):%Y-%m-%d}")
    first_date = clock.start.tz_convert(clock.zone).normalize()
    names = [str(channel["name"]) for channel in scenario.values["channels"]]
    forecasts: list[ChannelForecast] = []
    spreads: list[tuple[float, float]] = []
    for (channel, direction), fit in sorted(arrivals.items()):
        whole = fit.whole_days()
        history = fit.day_volumes[whole]
        if len(history) < MIN_HISTORY_DAYS:
            raise ValueError(f"{label}: the export holds {len(history)} whole days of "
                             f"{channel} {direction} sessions; a weekly forecast needs at "
                             f"least {MIN_HISTORY_DAYS} (two weeks); {NO_FORECAST}")
        after = first_date + pd.Timedelta(days=whole.stop)
        steps = int(round((start - after).total_seconds() / DAY_S)) + SEASON_DAYS
        forecast = forecast_days(history, steps)
        week = DayForecast(mean=forecast.mean[-SEASON_DAYS:], low=forecast.low[-SEASON_DAYS:],
                           high=forecast.high[-SEASON_DAYS:],
                           log_variance=forecast.log_variance[-SEASON_DAYS:],
                           history=history, method=forecast.method)
        days = pd.date_range(first_date + pd.Timedelta(days=whole.start), periods=len(history),
                             freq="D")
        forecasts.append(ChannelForecast(channel, direction, days, pd.date_range(
            start, periods=SEASON_DAYS, freq="D"), week))
        spreads.append((float(week.mean.sum()), week.extra_variation()))
        _write_arrivals(scenario, names.index(channel), direction, fit, week, start)
    _arrival_scale(scenario, spreads)
    scenario.set(("start",), f"{start:%Y-%m-%d %H:%M} {clock.zone}",
                 f"the week forecast ({label}), not the export's days")
    scenario.set(("horizon",), f"{SEASON_DAYS}d", "the week forecast")
    _last_week_staffing(scenario, clock, start)
    scenario.notes.append(
        f"forecast for the week from {start:%Y-%m-%d} ({start:%A}): each channel's day "
        f"volumes by {forecasts[0].forecast.method if forecasts else 'no forecast'}; "
        "staffing and other times are the last observed week's")
    return forecasts


def _write_arrivals(scenario: Fitted, index: int, direction: str, fit: ArrivalFit,
                    week: DayForecast, start: pd.Timestamp) -> None:
    """The channel's arrival keys for the week: its shape times the forecast day volumes."""
    path: tuple[str | int, ...] = (("channels", index, "arrivals") if direction == "inbound"
                                   else ("channels", index, "outbound", "arrivals"))
    section: Any = scenario.values
    for key in path[:-1]:
        section = section[key]
    keys = arrival_keys(fit, week.mean, first_weekday=int(start.day_of_week))
    section[path[-1]] = keys
    scenario.comments = {key: text for key, text in scenario.comments.items()
                         if key[:len(path)] != path}
    volumes = ", ".join(f"{value:.0f} ({low:.0f}-{high:.0f})" for value, low, high in zip(
        week.mean, week.low, week.high, strict=True))
    scenario.comments.update(arrival_comments(
        path, fit, keys, f"forecast sessions per day from {start:%Y-%m-%d} with 95% "
        f"prediction intervals: {volumes}; {week.method}"))


def _arrival_scale(scenario: Fitted, spreads: list[tuple[float, float]]) -> None:
    """The forecast's day-volume uncertainty as ``arrival_scale`` (volume-weighted)."""
    total = sum(volume for volume, _ in spreads)
    if total <= 0:
        scenario.notes.append("arrival_scale: no session forecast for the week; 1 kept")
        return
    variance = sum(volume * spread**2 for volume, spread in spreads) / total
    relative = math.sqrt(variance)
    if relative <= 0:
        scenario.notes.append("arrival_scale: the forecast's interval is no wider than the "
                              "Poisson noise of the arrivals; 1 kept")
        return
    scenario.set(("arrival_scale",), {"kind": "lognormal", "mean": 1,
                                      "sd": round(relative, 4)},
                 f"uncertainty of the week's expected day volumes: the forecast's 95% "
                 f"prediction intervals without their Poisson part, relative sd "
                 f"{relative:.1%}; drawn once per replication (ccsim staff --days 90% holds "
                 "the goals on that share of such days)")


def _last_week_staffing(scenario: Fitted, clock: ExportClock, start: pd.Timestamp) -> None:
    """Each group's staffing: the last observed of the same weekday and time of day."""
    weekdays = clock.weekday_of_interval()
    slots = clock.slot_of_interval()
    per_day = clock.intervals_per_day
    last = np.full(SEASON_DAYS * per_day, -1)
    last[weekdays * per_day + slots] = np.arange(clock.n_intervals)  # later ones win
    target = ((int(start.day_of_week) + np.arange(SEASON_DAYS * per_day) // per_day) % 7
              * per_day + np.arange(SEASON_DAYS * per_day) % per_day)
    source = last[target]
    source_days = last_whole_days(clock, [int(start.day_of_week + day) % 7
                                          for day in range(SEASON_DAYS)])
    for index, group in enumerate(scenario.values["agent_groups"]):
        if "shifts" in group:
            group["shifts"] = last_week_shifts(group["shifts"], source_days)
            scenario.comments[("agent_groups", index, "shifts")] = (
                "the shifts (with their breaks) of the last observed week at the same "
                "weekday: the roster to test; ccsim staff sizes the week")
        if "staffing" in group:
            observed = np.asarray(group["staffing"], dtype=int)
            group["staffing"] = [int(observed[i]) if i >= 0 else 0 for i in source]
            scenario.comments[("agent_groups", index, "staffing")] = (
                "agents on shift per interval of the last observed week at the same weekday "
                "and time (time-weighted, rounded): the roster to test; ccsim staff sizes "
                "the week")
        outages = group.get("disconnections", {}).pop("outages", None)
        if outages:
            scenario.comments.pop(("agent_groups", index, "disconnections", "outages"), None)
            scenario.notes.append(f"agent_groups[{group['name']}]: {len(outages)} outages of "
                                  "the export's days not carried into the forecast week")


def last_week_shifts(shifts: list[dict[str, Any]], source_days: list[int]
                     ) -> list[dict[str, Any]]:
    """Fitted shifts moved onto the target week: day ``d`` gets those of ``source_days[d]``.

    Args:
        shifts: fitted shift entries (``start``, ``end`` as durations from the export's
            start, optionally ``days`` repeats and ``breaks``).
        source_days: for each day of the target week, the export's day (from its start)
            of the same weekday observed last, or -1 for none.
    """
    moved: list[tuple[float, dict[str, Any]]] = []
    for entry in shifts:
        begin = parse_duration(entry["start"])
        length = parse_duration(entry["end"]) - begin
        kept = {key: value for key, value in entry.items()
                if key not in ("start", "end", "days")}
        for repeat in range(int(entry.get("days", 1))):
            at = begin + repeat * DAY_S
            day = int(at // DAY_S)
            for target_day, source_day in enumerate(source_days):
                if source_day == day:
                    start = target_day * DAY_S + (at - day * DAY_S)
                    moved.append((start, {"start": duration_text(start),
                                          "end": duration_text(start + length), **kept}))
    moved.sort(key=lambda item: item[0])
    return [entry for _, entry in moved]


def last_whole_days(clock: ExportClock, weekdays: list[int]) -> list[int]:
    """For each weekday (0 = Monday), the export's last whole day of it, or -1 for none.

    Days count from the export's start; a day the export covers only in part (its last,
    ending at the last observation) is taken only when no whole one of that weekday exists.
    """
    per_day = clock.intervals_per_day
    day_weekdays = clock.weekday_of_interval()[::per_day]
    whole = [(day + 1) * per_day <= clock.n_intervals for day in range(len(day_weekdays))]
    result = []
    for weekday in weekdays:
        days = [day for day, seen in enumerate(day_weekdays) if seen == weekday]
        complete = [day for day in days if whole[day]]
        result.append((complete or days or [-1])[-1])
    return result
