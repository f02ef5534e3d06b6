"""Charts of a calibration: each fit against the data it was fitted to.

- :func:`fits_chart`: the empirical distribution (ECDF) of every complete-data fit against
  the fitted distribution function, one panel per fitted key.
- :func:`patience_chart`: the Kaplan-Meier survival of the customers' patience (abandoned
  = event, answered = censored) against the fitted survival, one line pair per channel.
- :func:`arrival_profile_chart`: fitted volumes per interval by weekday, per channel, on
  a clock-time axis, with the observed counts.
- :func:`forecast_chart`: the day volumes observed and the week forecast with its 95%
  prediction interval (and, for a held-out week, what happened), on a date axis.

Built with the object API on the Agg backend; every chart has a title, labelled axes with
units and a legend.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sim.calibration.center import Calibration  # noqa: E402
from sim.calibration.distributions import Fit, kaplan_meier  # noqa: E402
from sim.calibration.target_week import ChannelForecast  # noqa: E402
from sim.calibration.timeline import DAY_S, WEEKDAYS  # noqa: E402
from sim.reports.time_axis import clock_time_axis  # noqa: E402
from sim.scenario.user_text import chart_text  # noqa: E402

COUNT_KEYS = ("exchanges",)
"""Fitted keys that are counts, not seconds."""


def fits_chart(calibration: Calibration) -> Figure:
    """ECDF of the data against the fitted CDF for every complete-data fit."""
    fits = [(path, fit) for path, fit in calibration.fits.items()
            if not fit.censored and len(fit.values) > 1]
    columns = 3
    rows = max(1, math.ceil(len(fits) / columns))
    figure = Figure(figsize=(4.2 * columns, 3.2 * rows), layout="constrained")
    figure.suptitle(chart_text(f"Fitted distributions against the data: "
                               f"{calibration.values['name']}"))
    for index, (path, fit) in enumerate(fits):
        ax = figure.add_subplot(rows, columns, index + 1)
        counts = path[-1] in COUNT_KEYS
        _ecdf(ax, fit, counts)
        ax.set_title(chart_text(_path_label(calibration, path)), fontsize=9)
        ax.set_xlabel("exchanges (count)" if counts else "seconds")
        ax.set_ylabel("share at or below")
        ax.legend(fontsize=7, loc="lower right")
    if not fits:
        ax = figure.add_subplot(1, 1, 1)
        ax.set_title("no distribution fitted")
        ax.set_xlabel("seconds")
        ax.set_ylabel("share at or below")
    return figure


def _ecdf(ax: object, fit: Fit, counts: bool) -> None:
    values = np.sort(fit.values)
    share = np.arange(1, len(values) + 1) / len(values)
    ax.step(values, share, where="post", color="#333333",  # type: ignore[attr-defined]
            label=f"data (n={fit.n})")
    grid = np.linspace(0, float(np.quantile(values, 0.995)) * 1.05 or 1.0, 400)
    if counts:
        # The model rounds draws to whole exchanges, at least 1.
        draws = np.maximum(1, np.rint(_draw(fit, 20000)))
        grid = np.arange(0.0, max(2, int(values.max()) + 2))
        cdf = np.searchsorted(np.sort(draws), grid, side="right") / len(draws)
        ax.step(grid, cdf, where="post", color="#d62728",  # type: ignore[attr-defined]
                label=f"fitted {fit.kind} (rounded)")
    else:
        ax.plot(grid, fit.cdf(grid), color="#d62728",  # type: ignore[attr-defined]
                label=f"fitted {fit.kind}, mean {fit.mean:.3g} s")


def _draw(fit: Fit, size: int) -> np.ndarray:
    from sim.calibration.distributions import frozen

    return np.asarray(frozen(fit.spec).rvs(size=size, random_state=np.random.default_rng(0)))


def patience_chart(calibration: Calibration) -> Figure:
    """Kaplan-Meier survival of patience against the fitted survival, per channel."""
    figure = Figure(figsize=(9.0, 4.8), layout="constrained")
    ax = figure.add_subplot(1, 1, 1)
    drawn = 0
    for path, fit in calibration.fits.items():
        if path[-1] != "patience":
            continue
        times, survival = kaplan_meier(fit.values, fit.observed)
        channel = _path_label(calibration, path).split(":")[0]
        line = ax.step(np.r_[0, times] / 60, np.r_[1, survival], where="post",
                       label=chart_text(f"{channel}: Kaplan-Meier ({int(fit.observed.sum())} "
                                        f"abandoned, {fit.censored} censored)"))[0]
        grid = np.linspace(0, float(times.max()) if len(times) else 1.0, 300)
        ax.plot(grid / 60, 1 - fit.cdf(grid), color=line.get_color(), linestyle="--",
                label=chart_text(f"{channel}: fitted {fit.kind}, mean {fit.mean / 60:.2f} min"))
        drawn += 1
    ax.set_title(chart_text(f"Customer patience in the queue: {calibration.values['name']}"))
    ax.set_xlabel("time waited (minutes)")
    ax.set_ylabel("share of customers still waiting")
    ax.set_ylim(0, 1.02)
    if drawn:
        ax.legend(fontsize=8)
    else:
        ax.text(0.5, 0.5, "no abandonment observed", ha="center", transform=ax.transAxes)
        ax.plot([], [], label="no patience fitted")
        ax.legend()
    return figure


def arrival_profile_chart(calibration: Calibration) -> Figure:
    """Fitted volumes per interval over a day, one line per weekday, per channel."""
    fits = sorted(calibration.arrivals.items())
    figure = Figure(figsize=(9.0, 3.6 * max(1, len(fits))), layout="constrained")
    clock = calibration.clock
    per_day = clock.intervals_per_day
    weekdays = clock.weekday_of_interval()
    size = clock.days * per_day
    weekdays = np.resize(weekdays, size)
    weekdays[clock.n_intervals:] = (weekdays[clock.n_intervals - 1] if clock.n_intervals
                                    else 0)
    for index, ((channel, direction), fit) in enumerate(fits):
        ax = figure.add_subplot(max(1, len(fits)), 1, index + 1)
        hours = np.arange(per_day) * clock.interval_s / 3600
        counts, volumes, low, high = (_padded(values, size) for values in (
            fit.counts, fit.volumes, fit.low, fit.high))
        for day in range(clock.days):
            rows = slice(day * per_day, (day + 1) * per_day)
            ax.plot(hours, counts[rows], linestyle="none", marker=".", alpha=0.5,
                    color=f"C{weekdays[day * per_day] % 10}")
        for weekday in sorted(set(weekdays.tolist())):
            first_day = int(np.flatnonzero(weekdays == weekday)[0] // per_day)
            rows = slice(first_day * per_day, (first_day + 1) * per_day)
            ax.step(hours, volumes[rows], where="post", color=f"C{weekday % 10}",
                    label=f"{WEEKDAYS[weekday]} fitted (dots: observed)")
            ax.fill_between(hours, low[rows], high[rows], step="post", alpha=0.12,
                            color=f"C{weekday % 10}")
        ax.set_title(chart_text(f"{channel} {direction} arrivals per "
                                f"{clock.interval_s / 60:g}-minute interval by weekday "
                                f"(band: 95% Poisson CI)"))
        ax.set_ylabel("sessions per interval")
        clock_time_axis(ax, clock.scenario_clock(), DAY_S)
        ax.legend(fontsize=7, ncol=2)
    if not fits:
        ax = figure.add_subplot(1, 1, 1)
        ax.set_title("no arrivals")
        ax.set_xlabel("time of day")
        ax.set_ylabel("sessions per interval")
    return figure


def forecast_chart(forecasts: Sequence[ChannelForecast], zone: str = "UTC",
                   actuals: Mapping[tuple[str, str], np.ndarray] | None = None) -> Figure:
    """Day volumes observed and forecast, one panel per channel and direction.

    Args:
        forecasts: the calibration's forecasts (``Calibration.forecasts``).
        zone: the time zone of the dates (the scenario's clock).
        actuals: ``(channel, direction)`` to the sessions of each forecast day, when the
            week has happened (a held-out week).
    """
    from matplotlib.dates import MO, DateFormatter, DayLocator, WeekdayLocator

    figure = Figure(figsize=(10.0, 3.8 * max(1, len(forecasts))), layout="constrained")
    figure.suptitle("Sessions per day: history and the week forecast (95% prediction "
                    "interval)")
    for index, item in enumerate(forecasts):
        ax = figure.add_subplot(max(1, len(forecasts)), 1, index + 1)
        history = item.history_days.tz_localize(None)
        week = item.forecast_days.tz_localize(None)
        forecast = item.forecast
        ax.plot(history, forecast.history, marker=".", color="#333333",
                label="observed (fitted day volume)")
        ax.fill_between(week, forecast.low, forecast.high, color="#1f77b4", alpha=0.2,
                        label="95% prediction interval")
        ax.plot(week, forecast.mean, marker="o", color="#1f77b4", label="forecast")
        if actuals is not None and (item.channel, item.direction) in actuals:
            ax.plot(week, actuals[(item.channel, item.direction)], linestyle="none",
                    marker="x", markersize=8, color="#d62728", label="held-out actual")
        ax.set_title(chart_text(f"{item.channel} {item.direction}: forecast of the week from "
                                f"{item.forecast_days[0]:%a %Y-%m-%d}"))
        ax.set_xlabel(f"date ({zone})")
        ax.set_ylabel("volume (sessions per day)")
        ax.xaxis.set_major_locator(WeekdayLocator(byweekday=MO))
        ax.xaxis.set_minor_locator(DayLocator())
        ax.xaxis.set_major_formatter(DateFormatter("%a %d %b"))
        top = max(float(np.max(forecast.history, initial=0)), float(np.max(forecast.high,
                                                                          initial=0)))
        ax.set_ylim(0, 1.3 * top or 1.0)  # room for the legend above the lines
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper center", ncol=4)
    if not forecasts:
        ax = figure.add_subplot(1, 1, 1)
        ax.set_title("no forecast")
        ax.set_xlabel(f"date ({zone})")
        ax.set_ylabel("volume (sessions per day)")
    return figure


def _padded(values: np.ndarray, size: int) -> np.ndarray:
    """``values`` as floats, NaN after its end up to ``size`` (a partial last day)."""
    padded = np.full(size, np.nan)
    padded[: len(values)] = values[:size]
    return padded


def _path_label(calibration: Calibration, path: tuple[str | int, ...]) -> str:
    """``web_chat: customers.patience`` for a fitted key path."""
    section, index, *rest = path
    items = calibration.values.get(str(section), [])
    owner = items[int(index)]["name"] if isinstance(index, int) and index < len(items) else ""
    return f"{owner}: {'.'.join(map(str, rest))}"
