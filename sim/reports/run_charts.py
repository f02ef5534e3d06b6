"""Charts of a run: each function takes tables and returns a matplotlib ``Figure``.

Figures are built with the object API on the Agg backend (no pyplot state, no display),
so they can be drawn in worker processes and tests. Interval tables are those of
:func:`sim.reports.files.interval_summary`: one row per interval and channel (and ``"all"``),
means over replications, with ``start_s`` in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from sim.reports.legends import legend_below  # noqa: E402
from sim.reports.time_axis import clock_time_axis  # noqa: E402
from sim.results.figures import (  # noqa: E402
    FIGURE_BETTER,
    FIGURE_LABELS,
    service_level_meaning,
)
from sim.scenario.clock import Clock  # noqa: E402
from sim.scenario.user_text import chart_text  # noqa: E402

SIZE = (9.0, 4.8)
"""Figure size in inches."""

COLORS = {"tab": "#1f77b4", "status": "#ff7f0e"}
"""Line colours of the two capacity models."""

DIFFERENCE_PANELS: tuple[tuple[str, str, float, tuple[str, ...]], ...] = (
    ("shares", "percentage points", 100.0,
     ("service_level", "abandonment_rate", "wait_probability", "occupancy")),
    ("waits", "seconds", 1.0, ("asa_s", "mean_queue_time_s", "wait_p90_s", "first_response_s",
                               "response_time_s", "response_p90_s")),
    ("handling", "minutes", 1.0 / 60.0, ("conversation_s", "handle_time_s", "acw_s")),
    ("lost time", "hours per day, summed over sessions or agents", 1.0 / 3600.0,
     ("requeued_wait_s", "stranded_s", "return_wait_s", "wait_after_answer_s",
      "over_capacity_s")),
    ("load", "sessions per agent", 1.0, ("peak_concurrency", "avg_concurrency")),
    ("counts", "sessions", 1.0, ("completed", "abandoned", "left_unanswered",
                                 "stranded_sessions", "timed_out")),
)
"""Panels of the capacity-model difference chart: name (its y label), x-axis unit, factor
from the figure's own unit (shares to percentage points, seconds to minutes or hours),
figures shown."""

DIFFERENCE_FIGURES: tuple[str, ...] = tuple(
    name for _, _, _, names in DIFFERENCE_PANELS for name in names)
"""Figures shown in the capacity-model difference chart."""

_VERDICT_COLORS = {"better": "#2ca02c", "worse": "#d62728", "neither": "#7f7f7f"}


@dataclass(frozen=True)
class ChartClock:
    """What a chart's time axis needs to show clock time: the scenario's clock and horizon.

    Attributes:
        clock: the scenario's :class:`~sim.scenario.clock.Clock` (``scenario.clock``).
        horizon_s: the run's length (seconds).
    """

    clock: Clock
    horizon_s: float


def _time_axis(axes: Axes, clock: ChartClock | None, what: str = "") -> None:
    """The x axis (data in hours from the start) in clock time, else in hours since start."""
    if clock is None:
        axes.set_xlabel(f"{what}time since start (h)")
        return
    clock_time_axis(axes, clock.clock, clock.horizon_s, unit_s=3600.0)
    if what:
        axes.set_xlabel(f"{what}{axes.get_xlabel()}")


def arrivals_throughput_chart(
    intervals: pd.DataFrame, interval_s: float, horizon_s: float, warmup_s: float = 0.0,
    clock: ChartClock | None = None,
) -> Figure:
    """Arrivals, completions and throughput (sessions per hour) per reporting interval.

    Arrivals are the inbound sessions offered to the agents (after a bot); throughput
    counts every end, so with a bot in front it includes sessions no agent was offered.

    Sessions timed out by the clean-up job (an outbound campaign's 24 h or 48-54 h
    timeouts) are drawn too, when there are any.

    Args:
        intervals: interval means; the ``"all"`` rows are used.
        interval_s: reporting interval (seconds).
        horizon_s: simulated time (seconds), so a last partial interval is scaled right.
        warmup_s: warm-up (seconds), shaded when positive.
        clock: the time axis in the scenario's clock time (else hours since the start).

    Returns:
        The figure.
    """
    rows = _channel(intervals, "all")
    start_h = rows["start_s"].to_numpy(dtype=float) / 3600.0
    length_h = np.minimum(interval_s, horizon_s - rows["start_s"].to_numpy(dtype=float)) / 3600.0
    figure, axes = _figure()
    _steps(axes, start_h, rows["offered"].to_numpy(dtype=float) / length_h, horizon_s,
           label="inbound sessions offered to agents", color="#7f7f7f", fill=True)
    outbound = rows["outbound_sent"].to_numpy(dtype=float) / length_h
    if outbound.sum() > 0:
        _steps(axes, start_h, outbound, horizon_s, label="outbound sent", color="#9467bd",
               linestyle="--")
    _steps(axes, start_h, rows["completed_per_h"].to_numpy(dtype=float), horizon_s,
           label="completed", color="#2ca02c", linewidth=2)
    _steps(axes, start_h, rows["throughput_per_h"].to_numpy(dtype=float), horizon_s,
           label="throughput: every session ended (also abandoned, by a bot...)",
           color="#1b5e20", linestyle="--", linewidth=1.5)
    if "timed_out" in rows and rows["timed_out"].sum() > 0:  # the clean-up job's timeouts
        _steps(axes, start_h, rows["timed_out"].to_numpy(dtype=float) / length_h, horizon_s,
               label="timed out (ended by the clean-up job)", color="#d62728",
               linestyle=":", linewidth=2)
    _warmup(axes, warmup_s)
    axes.set_title("Arrivals vs throughput per interval (mean over replications)")
    _time_axis(axes, clock)
    axes.set_ylabel("sessions per hour (sessions/h)")
    axes.set_ylim(bottom=0)
    legend_below(figure, [axes], fontsize="medium")  # under the plot: it covers no peak
    return figure


def wait_distribution_chart(waits_s: np.ndarray | pd.Series, threshold_s: float,
                            target: float, service_level: float | None = None,
                            short_abandons: str = "miss") -> Figure:
    """Distribution of speed to answer: histogram and cumulative share, threshold marked.

    The cumulative share is of *answered* sessions only (abandons are not in it), so at
    the threshold it reads higher than the headline service level, which counts abandons
    as misses (or leaves short ones out); the headline value is marked beside it.

    Args:
        waits_s: speed to answer of answered inbound sessions (seconds), all replications.
        threshold_s: the service-level threshold (seconds).
        target: the service-level target (share 0-1), marked on the cumulative panel.
        service_level: the headline service level (share 0-1), marked when given.
        short_abandons: the scenario's ``service_level.short_abandons`` (for its label).

    Returns:
        The figure.
    """
    waits = np.asarray(waits_s, dtype=float)
    waits = np.sort(waits[~np.isnan(waits)])
    if not len(waits):
        return sentence_chart("Speed to answer of answered inbound sessions",
                              "No inbound session was answered after the warm-up, so there "
                              "is no speed to answer to chart.")
    figure = Figure(figsize=(SIZE[0] + 2, SIZE[1]), layout="constrained")
    histogram, cumulative = figure.subplots(1, 2)
    figure.suptitle("Speed to answer of answered inbound sessions (all replications)")
    upper = max(2.0 * threshold_s, float(np.quantile(waits, 0.99)) if len(waits) else 0.0)
    shown = waits[waits <= upper]
    hidden = len(waits) - len(shown)
    label = f"answered sessions (n={len(waits)})"
    if hidden:
        label += f"\n{hidden} waits > {upper:.0f} s not shown"
    histogram.hist(shown, bins=40, range=(0.0, upper), color="#1f77b4", label=label)
    histogram.axvline(threshold_s, color="black", linestyle="--",
                      label=f"service-level threshold ({threshold_s:g} s)")
    histogram.set_title("Histogram")
    histogram.set_xlabel("speed to answer (s)")
    histogram.set_ylabel("sessions (count)")
    histogram.legend(loc="upper right")

    share = np.arange(1, len(waits) + 1) / max(len(waits), 1) * 100.0
    answered_within = float(np.mean(waits <= threshold_s + 1e-9)) if len(waits) else np.nan
    cumulative.step(waits, share, where="post", color="#1f77b4",
                    label=f"answered sessions only: {answered_within:.1%} within "
                          f"{threshold_s:g} s")
    if service_level is not None and np.isfinite(service_level):
        cumulative.plot([threshold_s], [service_level * 100.0], marker="D", color="#d62728",
                        linestyle="none",
                        label=f"service level, {service_level_meaning(short_abandons, threshold_s)}"
                              f": {service_level:.1%}")
    cumulative.axvline(threshold_s, color="black", linestyle="--",
                       label=f"service-level threshold ({threshold_s:g} s)")
    cumulative.axhline(target * 100.0, color="#ff7f0e", linestyle=":",
                       label=f"service-level target ({target:.0%})")
    cumulative.set_xlim(0.0, upper)
    cumulative.set_ylim(0.0, 101.0)
    cumulative.set_title("Cumulative share of answered sessions (ECDF)")
    cumulative.set_xlabel("speed to answer (s)")
    cumulative.set_ylabel("answered sessions (%)")
    cumulative.legend(loc="center right", fontsize=8)
    return figure


def service_level_chart(
    intervals: pd.DataFrame, target: float, threshold_s: float, warmup_s: float = 0.0,
    short_abandons: str = "miss", clock: ChartClock | None = None,
) -> Figure:
    """Service level per interval (percent) with its 95% CI, against the target.

    Args:
        intervals: interval means with ``service_level`` and ``service_level_ci95``.
        target: the service-level target (share 0-1).
        threshold_s: the service-level threshold (seconds), for the title.
        warmup_s: warm-up (seconds), shaded when positive.
        short_abandons: the scenario's ``service_level.short_abandons`` (for the label).
        clock: the time axis in the scenario's clock time (else hours since the start).

    Returns:
        The figure.
    """
    title = f"Service level per interval: answered within {threshold_s:g} s"
    if not np.isfinite(intervals["service_level"].to_numpy(dtype=float)).any():
        return sentence_chart(title, "No inbound session was offered, so there is no "
                              "service level to chart (the run has outbound sessions only).")
    figure, axes = _figure()
    channels = [name for name in intervals["channel"].unique() if name != "all"]
    if len(channels) > 1:
        for name in channels:
            rows = _channel(intervals, name)
            axes.plot(_mid_h(rows), rows["service_level"] * 100.0, linewidth=1, alpha=0.7,
                      marker=".", label=f"channel {chart_text(name)}")
    rows = _channel(intervals, "all")
    _percent_with_band(axes, rows, "service_level", "all channels (95% CI band)", "black")
    _service_level_frame(
        axes, target, warmup_s, "#ff7f0e",
        title, service_level_meaning(short_abandons, threshold_s), clock,
    )
    return figure


def occupancy_chart(intervals: pd.DataFrame, warmup_s: float = 0.0,
                    clock: ChartClock | None = None,
                    groups: pd.DataFrame | None = None) -> Figure:
    """Occupancy per interval (percent) with agents online, for the center and each group.

    With ``groups`` (several agent groups), two panels: occupancy of each group and of the
    center, and agents online of each group and in all; otherwise one panel with the
    center's occupancy and agents online on a second axis.

    Args:
        intervals: interval means; the ``"all"`` rows are used.
        warmup_s: warm-up (seconds), shaded when positive.
        clock: the time axis in the scenario's clock time (else hours since the start).
        groups: per-group interval means (``groups.csv``), or None for the center only.

    Returns:
        The figure.
    """
    rows = _channel(intervals, "all")
    if groups is not None and groups["group"].nunique() > 1:
        return _group_occupancy_chart(rows, groups, warmup_s, clock)
    figure, axes = _figure()
    occupancy = axes.plot(_mid_h(rows), rows["occupancy"] * 100.0, color="#d62728",
                          marker="o", markersize=3, label="occupancy (capacity in use)")
    axes.set_ylim(0.0, 105.0)
    _time_axis(axes, clock, "interval midpoint, ")
    axes.set_ylabel("occupancy (%)")
    online = axes.twinx()
    agents = online.plot(_mid_h(rows), rows["agents_online"], color="#7f7f7f",
                         linestyle="--", drawstyle="steps-mid",
                         label="agents online (right axis)")
    extra = []
    if "agents_available" in rows and (rows["agents_available"]
                                       < rows["agents_online"] - 1e-9).any():
        extra = online.plot(_mid_h(rows), rows["agents_available"], color="#2ca02c",
                            linestyle=":", drawstyle="steps-mid",
                            label="agents available: not on a break, away or draining "
                            "(right axis)")
    online.set_ylabel("agents (mean count)")
    online.set_ylim(bottom=0.0, top=max(1.0, float(rows["agents_online"].max()) * 1.15))
    axes.set_title("Occupancy and agents online per interval (mean over replications)")
    legend_below(figure, [axes, online],
                 handles=occupancy + agents + extra + _warmup(axes, warmup_s),
                 fontsize="medium")
    return figure


PRESENCE_BANDS = (("agents_available", "available", "#2ca02c"),
                  ("agents_on_break", "on a break", "#ff7f0e"),
                  ("agents_away", "away after a decline", "#bcbd22"),
                  ("agents_draining", "draining after the shift", "#9467bd"),
                  ("agents_offline", "offline (disconnected)", "#d62728"))
"""Presence columns of the interval tables, their legend labels and colours, stacked."""


def _presence_stack(axes: Axes, rows: pd.DataFrame) -> pd.Series:
    """Shade the agents in each presence state, stacked per interval (when the columns exist).

    Available, on a break, away and draining add up to the agents online; offline agents
    stack on top. Returns the stack's top per interval (``agents_online`` without the
    columns); a state never occupied is left out of the legend.
    """
    present = [band for band in PRESENCE_BANDS if band[0] in rows]
    if not present:
        return rows["agents_online"]
    bottom = np.zeros(len(rows))
    edges = _mid_h(rows)
    for column, label, color in present:
        values = rows[column].to_numpy(dtype=float)
        if np.nanmax(values, initial=0.0) <= 1e-9:
            continue
        axes.fill_between(edges, bottom, bottom + values, step="mid", color=color, alpha=0.25,
                          linewidth=0, label=f"whole center: {label}")
        bottom = bottom + values
    return pd.Series(bottom, index=rows.index)


def _group_occupancy_chart(center: pd.DataFrame, groups: pd.DataFrame, warmup_s: float,
                           clock: ChartClock | None) -> Figure:
    """Occupancy and agents online per group and for the center, in two panels."""
    figure = Figure(figsize=(SIZE[0], SIZE[1] * 1.45), layout="constrained")
    occupancy_axes, agents_axes = figure.subplots(2, 1, sharex=True,
                                                  gridspec_kw={"height_ratios": [3, 2]})
    figure.suptitle("Occupancy and agents online per interval, by agent group "
                    "(mean over replications)")
    colors = [matplotlib.colormaps["tab10"](index) for index in range(10)]
    names = list(dict.fromkeys(groups["group"]))
    for number, name in enumerate(names):
        rows = groups[groups["group"] == name].sort_values("start_s")
        color = colors[number % len(colors)]
        label = f"group {chart_text(name)}"
        occupancy_axes.plot(_mid_h(rows), rows["occupancy"] * 100.0, color=color, marker=".",
                            linewidth=1.3, label=label)
        agents_axes.plot(_mid_h(rows), rows["agents_online"], color=color,
                         drawstyle="steps-mid", linewidth=1.3, label=label)
    occupancy_axes.plot(_mid_h(center), center["occupancy"] * 100.0, color="black",
                        linewidth=2.2, label="whole center (capacity-weighted)")
    agents_axes.plot(_mid_h(center), center["agents_online"], color="black", linestyle="--",
                     drawstyle="steps-mid", linewidth=1.5, label="whole center (sum of the groups)")
    stacked = _presence_stack(agents_axes, center)
    for axes in (occupancy_axes, agents_axes):
        _warmup(axes, warmup_s)
    occupancy_axes.set_ylim(0.0, 105.0)
    occupancy_axes.set_ylabel("occupancy (%)\ncapacity in use / online")
    occupancy_axes.set_title("Occupancy", fontsize=10)
    agents_axes.set_ylim(bottom=0.0, top=max(1.0, float(stacked.max()) * 1.15))
    agents_axes.set_ylabel("agents (mean count)")
    agents_axes.set_title("Agents online per group; whole center by presence (shaded, "
                          "offline on top)" if "agents_available" in center
                          else "Agents online", fontsize=10)
    # one legend for both panels (the same groups), under them: it covers no line
    legend_below(figure, [occupancy_axes, agents_axes], fontsize=8)
    _time_axis(agents_axes, clock, "interval midpoint, ")
    return figure


def compare_service_level_chart(
    tab: pd.DataFrame, status: pd.DataFrame, target: float, threshold_s: float,
    warmup_s: float = 0.0, short_abandons: str = "miss", clock: ChartClock | None = None,
) -> Figure:
    """Service level per interval under both capacity models, against the target.

    Args:
        tab: interval means of the tab-based runs.
        status: interval means of the status-based runs.
        target: as for :func:`service_level_chart`.
        threshold_s: as for :func:`service_level_chart`.
        warmup_s: as for :func:`service_level_chart`.
        short_abandons: as for :func:`service_level_chart`.
        clock: as for :func:`service_level_chart`.

    Returns:
        The figure.
    """
    figure, axes = _figure()
    for model, table, width in (("tab", tab, 3.5), ("status", status, 1.5)):
        _percent_with_band(axes, _channel(table, "all"), "service_level",
                           f"{model}-based capacity (95% CI band)", COLORS[model],
                           linewidth=width)
    _service_level_frame(
        axes, target, warmup_s, "#2ca02c",
        f"Service level per interval by capacity model (within {threshold_s:g} s)",
        service_level_meaning(short_abandons, threshold_s), clock,
    )
    return figure


def _service_level_frame(
    axes: Axes, target: float, warmup_s: float, target_color: str, title: str,
    meaning: str = "abandons count as misses", clock: ChartClock | None = None,
) -> None:
    """Target line, warm-up shading, title, labels with units and legend of an SL chart."""
    axes.axhline(target * 100.0, color=target_color, linestyle="--",
                 label=f"target ({target:.0%})")
    _warmup(axes, warmup_s)
    axes.set_title(title)
    _time_axis(axes, clock, "interval midpoint, ")
    axes.set_ylabel(f"service level (%)\n{meaning}")
    axes.set_ylim(0.0, 105.0)
    axes.legend(loc="lower left")


def compare_differences_chart(table: pd.DataFrame, capacity: float | None = None,
                              days: float = 1.0) -> Figure:
    """Paired differences (status - tab) of the figures that carry each model's cost.

    One panel per unit (percentage points for shares, seconds, minutes or hours for times,
    sessions for counts), so every bar reads in its own unit; the error bar is the 95% CI
    of the per-replication difference. Each row names the figure and both models' means.
    A bar is green where status-based capacity is better for that figure, red where it
    is worse (:data:`sim.results.figures.FIGURE_BETTER`), grey for trade-offs such as
    occupancy. Figures missing from the table are left out.

    Args:
        table: the comparison table of :func:`sim.experiments.runner.compare` (indexed by
            figure).
        capacity: the most sessions an agent may hold, shown beside peak concurrency.
        days: the days the run measured (:func:`sim.results.figures.measured_days`): the
            totals over a replication are shown per day.

    Returns:
        The figure.
    """
    panels = [(title, unit, factor / days if unit.startswith("hours per day") else factor,
               [name for name in names if name in table.index])
              for title, unit, factor, names in DIFFERENCE_PANELS]
    panels = [panel for panel in panels if panel[3]]
    heights = [len(names) + 0.9 for _, _, _, names in panels]
    figure = Figure(figsize=(SIZE[0] + 2.0, 0.52 * sum(heights) + 1.4), layout="constrained")
    axes_list = figure.subplots(len(panels), 1, gridspec_kw={"height_ratios": heights},
                                squeeze=False)[:, 0]
    figure.suptitle("Status-based minus tab-based capacity, paired on the same customers "
                    "(mean difference and 95% CI)")
    for axes, (title, unit, factor, names) in zip(axes_list, panels, strict=True):
        rows = table.loc[names]
        diff = np.array([_tidy(v) for v in rows["diff_mean"].to_numpy(dtype=float)]) * factor
        half = np.nan_to_num(np.array(
            [_tidy(v) for v in rows["diff_ci95"].to_numpy(dtype=float)])) * factor
        positions = np.arange(len(names))[::-1]
        colors = [_VERDICT_COLORS[_verdict(name, value)]
                  for name, value in zip(names, diff, strict=True)]
        axes.barh(positions, np.nan_to_num(diff), color=colors, alpha=0.8, height=0.6)
        axes.errorbar(np.nan_to_num(diff), positions, xerr=half, fmt="none", ecolor="black",
                      capsize=3)
        axes.axvline(0.0, color="black", linewidth=0.8)
        labels = [_difference_label(name, rows.loc[name], factor, unit, capacity)
                  for name in names]
        axes.set_yticks(positions, labels=labels, fontsize=8)
        axes.set_ylim(-0.6, len(names) - 0.4)
        for position, value, spread in zip(positions, diff, half, strict=True):
            if np.isfinite(value):
                sign = "+" if value > 0 else ("-" if value < 0 else "±")
                axes.annotate(f"{sign}{_short(abs(value))} ± {_short(spread)}",
                              (value + np.sign(value) * spread, position),
                              xytext=(4 if value >= 0 else -4, 0),
                              textcoords="offset points", va="center", fontsize=7,
                              ha="left" if value >= 0 else "right")
        _pad_for_notes(axes, diff, half)
        axes.set_xlabel(f"status - tab ({unit})", fontsize=9)
        axes.set_ylabel(title, fontsize=9)
    handles = [Patch(color=_VERDICT_COLORS["better"], alpha=0.8, label="status-based better"),
               Patch(color=_VERDICT_COLORS["worse"], alpha=0.8, label="status-based worse"),
               Patch(color=_VERDICT_COLORS["neither"], alpha=0.8,
                     label="trade-off (neither way better)"),
               Line2D([], [], color="black", marker="|", linestyle="-",
                      label="95% CI of the paired difference")]
    figure.legend(handles=handles, loc="outside lower center", ncols=4, fontsize=8)
    return figure


def _verdict(name: str, difference: float) -> str:
    better = FIGURE_BETTER.get(name)
    if better is None or not np.isfinite(difference) or difference == 0:
        return "neither"
    return "better" if (difference > 0) == (better == "higher") else "worse"


def _difference_label(name: str, row: pd.Series, factor: float, unit: str,
                      capacity: float | None) -> str:
    """``readable name`` over ``tab X -> status Y`` in the panel's unit."""
    suffix = {"percentage points": "%", "seconds": " s", "minutes": " min"}.get(unit, "")
    if unit.startswith("hours"):
        suffix = " h/day" if unit.startswith("hours per day") else " h"
    tab, status = (_short(float(row[key]) * factor) for key in ("tab_mean", "status_mean"))
    text = f"{FIGURE_LABELS.get(name, name)}\ntab {tab}{suffix} → status {status}{suffix}"
    if name == "peak_concurrency" and capacity is not None:
        text += f" (capacity {capacity:g})"
    return text


def _short(value: float) -> str:
    """Three significant digits, or whole numbers with thousands separators from 100 up."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{_tidy(value):.3g}"


def _pad_for_notes(axes: Axes, diff: np.ndarray, half: np.ndarray) -> None:
    """Widen the x range so each CI and the value written beside its bar stay inside.

    Both ends of each CI count: a CI crossing zero reaches past it on the other side.
    """
    ends = np.concatenate([np.nan_to_num(diff - half), np.nan_to_num(diff + half), [0.0]])
    low, high = float(ends.min()), float(ends.max())
    span = max(high - low, 1e-9)
    axes.set_xlim(low - 0.35 * span if low < 0 else -0.05 * span,
                  high + 0.35 * span if high > 0 else 0.05 * span)


# --------------------------------------------------------------------------- helpers
def sentence_chart(title: str, sentence: str) -> Figure:
    """A chart with nothing to draw: its title and a sentence saying why, no empty axes.

    Args:
        title: the chart's title.
        sentence: why there is nothing to draw (shown in the middle, wrapped).
    """
    figure = Figure(figsize=(SIZE[0], SIZE[1] * 0.45), layout="constrained")
    figure.suptitle(title)
    figure.text(0.5, 0.45, sentence, ha="center", va="center", wrap=True, fontsize=12)
    return figure


def _figure() -> tuple[Figure, Axes]:
    figure = Figure(figsize=SIZE, layout="constrained")
    return figure, figure.subplots()


def _channel(intervals: pd.DataFrame, channel: str) -> pd.DataFrame:
    return intervals[intervals["channel"] == channel].sort_values("start_s")


def _mid_h(rows: pd.DataFrame) -> np.ndarray:
    """Interval midpoints in hours (the last interval may be partial; close enough)."""
    start = rows["start_s"].to_numpy(dtype=float)
    step = float(np.diff(start).min()) if len(start) > 1 else 0.0
    return (start + step / 2.0) / 3600.0


def _steps(axes: Axes, start_h: np.ndarray, values: np.ndarray, horizon_s: float,
           fill: bool = False, **style: Any) -> None:
    """Draw a per-interval value as a step line over each interval's full width."""
    edges = np.append(start_h, horizon_s / 3600.0)
    heights = np.append(values, values[-1] if len(values) else np.nan)
    axes.step(edges, heights, where="post", **style)
    if fill:
        axes.fill_between(edges, heights, step="post", alpha=0.2,
                          color=style.get("color"))


def _percent_with_band(axes: Axes, rows: pd.DataFrame, column: str, label: str, color: str,
                       linewidth: float = 2.0) -> None:
    """A share (0-1) drawn in percent, with its 95 % CI band kept within 0-100 %."""
    middle = _mid_h(rows)
    values = rows[column].to_numpy(dtype=float) * 100.0
    axes.plot(middle, values, color=color, marker="o", markersize=3, linewidth=linewidth,
              label=label)
    ci_column = f"{column}_ci95"
    if ci_column in rows:
        half = np.nan_to_num(rows[ci_column].to_numpy(dtype=float) * 100.0)
        low, high = np.clip(values - half, 0.0, 100.0), np.clip(values + half, 0.0, 100.0)
        axes.fill_between(middle, low, high, color=color, alpha=0.15)


def _warmup(axes: Axes, warmup_s: float) -> list:
    """Shade the warm-up, which the headline figures leave out; returns its legend handle."""
    if warmup_s <= 0:
        return []
    return [axes.axvspan(0.0, warmup_s / 3600.0, color="#bbbbbb", alpha=0.3,
                         label="warm-up (left out of headline figures)")]


def _tidy(value: float) -> float:
    """Float noise (a CI of identical pairs is ~1e-15, not 0) shown as zero."""
    return 0.0 if abs(value) < 1e-9 else value
