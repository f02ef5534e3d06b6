"""Charts of a staffing report: each function takes tables and returns a ``Figure``.

Built with the object API on the Agg backend (no pyplot state), so they can be drawn in
tests and worker processes. Every chart has a title, axis labels with units and a legend;
time axes show the scenario's clock time (:func:`sim.reports.time_axis.clock_time_axis`).
Tables with a ``group`` column (several agent groups staffed) get one panel per group.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import math  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from sim.reports.legends import legend_below  # noqa: E402
from sim.reports.run_charts import COLORS as MODEL_COLORS  # noqa: E402
from sim.reports.run_charts import SIZE  # noqa: E402
from sim.reports.time_axis import clock_time_axis  # noqa: E402
from sim.scenario.clock import Clock  # noqa: E402
from sim.scenario.user_text import chart_text  # noqa: E402

if TYPE_CHECKING:
    from sim.staffing.report import StaffingReport

COLORS = {**MODEL_COLORS, "erlang": "#555555"}
"""Line colours: the two capacity models (as in every chart) and the Erlang baseline."""

LABELS = {"tab": "tab-based", "status": "status-based", "erlang": "Erlang (analytic)"}
"""Legend names."""

FIXED_COLUMNS = {"fixed_agents_online", "other_groups_online"}
"""Columns of the agents online in groups not staffed (named either way)."""

PANEL_HEIGHT = 3.2
"""Height of each further panel of a per-group chart (inches)."""


def _hours(start_s: pd.Series | np.ndarray, interval_s: float) -> np.ndarray:
    """Interval edges in hours: starts plus the end of the last interval."""
    starts = np.asarray(start_s, dtype=float)
    return np.append(starts, starts[-1] + interval_s) / 3600.0 if len(starts) else starts


def _step(values: pd.Series | np.ndarray) -> np.ndarray:
    """Values repeated at the end, so ``step(where='post')`` draws the last interval."""
    array = np.asarray(values, dtype=float)
    return np.append(array, array[-1]) if len(array) else array


def _groups(table: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The table per agent group (one unnamed part without a ``group`` column)."""
    if "group" not in table or table.empty:
        return [("", table)]
    return [(str(name), rows) for name, rows in table.groupby("group", sort=False)]


def _panels(count: int) -> tuple[Figure, list[Axes]]:
    """A figure of ``count`` stacked panels sharing the time axis."""
    width, height = SIZE
    figure = Figure(figsize=(width, height + PANEL_HEIGHT * (count - 1)), layout="constrained")
    axes = figure.subplots(count, 1, sharex=True, squeeze=False)[:, 0]
    return figure, list(axes)


def _time_axis(axes: Axes, edges: np.ndarray, clock: Clock | None) -> None:
    """Clock-time ticks on the x axis (hours from the start as data), the day's span."""
    horizon_s = float(edges[-1]) * 3600.0 if len(edges) else 0.0
    clock_time_axis(axes, clock or Clock(), horizon_s, unit_s=3600.0)
    if len(edges):
        axes.set_xlim(edges[0], edges[-1])
    axes.grid(axis="x", alpha=0.3)


def _finish(figure: Figure, panels: list[Axes], heading: str, wrap: bool = True) -> None:
    """The title (the figure's over several panels), one time-axis label at the bottom."""
    if len(panels) > 1:
        figure.suptitle(heading, wrap=wrap)
        for axes in panels[:-1]:  # the panels share the time axis: label it once
            axes.set_xlabel("")
    else:
        panels[0].set_title(heading, wrap=wrap)


def _panel_title(axes: Axes, group: str, several: bool) -> None:
    if several:
        axes.set_title(chart_text(f"agent group {group}"), fontsize="medium", loc="left")


def required_agents_chart(table: pd.DataFrame, interval_s: float,
                          models: list[str] | None = None, title: str | None = None,
                          clock: Clock | None = None) -> Figure:
    """Required scheduled agents per interval: a step per capacity model plus Erlang.

    Args:
        table: :meth:`sim.staffing.plan.StaffingReport.table` (``start_s``, ``arrivals``,
            ``analytic_scheduled`` and ``scheduled_<model>`` columns); with a ``group``
            column, one panel per agent group.
        interval_s: reporting interval (seconds).
        models: capacity models to draw; every ``scheduled_<model>`` column when omitted.
        title: the chart title (a default when omitted).
        clock: the scenario's clock (``Scenario.clock``); 00:00 undated when omitted.

    Returns:
        The figure; arrivals per interval on a secondary axis. With a
        ``fixed_agents_online`` (or ``other_groups_online``) column, the agents of the
        groups not staffed are drawn dotted.
    """
    models = models or [c.removeprefix("scheduled_") for c in table.columns
                        if c.startswith("scheduled_")]
    parts = _groups(table)
    figure, panels = _panels(len(parts))
    legend_axes: list[Axes] = []
    for axes, (group, rows) in zip(panels, parts, strict=True):
        edges = _hours(rows["start_s"], interval_s)
        for model in models:
            axes.step(edges, _step(rows[f"scheduled_{model}"]), where="post",
                      color=COLORS.get(model), linewidth=2, label=f"required, {LABELS[model]}")
        if "analytic_scheduled" in rows:
            axes.step(edges, _step(rows["analytic_scheduled"]), where="post",
                      color=COLORS["erlang"], linestyle="--", linewidth=1.5, zorder=3,
                      label=LABELS["erlang"])
        for column in sorted(FIXED_COLUMNS & set(rows.columns)):
            axes.step(edges, _step(rows[column]), where="post", color="#8c564b",
                      linestyle=":", linewidth=1.5,
                      label="agents of groups not staffed, online (fixed shifts)")
        _time_axis(axes, edges, clock)
        axes.set_ylabel("agents (scheduled, count)")
        axes.set_ylim(bottom=0)
        arrivals_axes = axes.twinx()
        centres = (edges[:-1] + edges[1:]) / 2.0
        arrivals_axes.bar(centres, rows["arrivals"], width=interval_s / 3600.0 * 0.9,
                          color="#2ca02c", alpha=0.2, label="expected arrivals")
        arrivals_axes.set_ylabel("arrivals (sessions per interval)")
        arrivals_axes.set_ylim(bottom=0)
        axes.set_zorder(arrivals_axes.get_zorder() + 1)
        axes.patch.set_visible(False)
        legend_axes += [axes, arrivals_axes]
        _panel_title(axes, group, len(parts) > 1)
    legend_below(figure, legend_axes)  # under the panels: it covers no peak
    # A title naming the groups and several goals is long: wrapped to the figure, not cut.
    _finish(figure, panels, chart_text(title or "Required agents per interval by capacity model"))
    return figure


def shift_cover_chart(table: pd.DataFrame, interval_s: float, clock: Clock | None = None,
                      title: str | None = None) -> Figure:
    """The shift plan against the requirement: agents on shift and required, per interval.

    Args:
        table: :func:`sim.staffing.shift_cover.shift_cover_table` rows (``start_s``,
            ``group``, ``model``, ``required``, ``on_shift``); one panel per group.
        interval_s: reporting interval (seconds).
        clock: the scenario's clock; 00:00 undated when omitted.
        title: the chart title (a default when omitted).

    Returns:
        The figure: per capacity model, the agents on shift as a shaded step and the
        required agents as a dashed step; the gap between them is the plan's surplus. With
        breaks (an ``available`` column below ``on_shift``), the agents on shift and not on
        a break as a dotted step.
    """
    parts = _groups(table)
    figure, panels = _panels(len(parts))
    for axes, (group, rows) in zip(panels, parts, strict=True):
        edges = np.array([])
        for model, plan in rows.groupby("model", sort=False):
            name, color = LABELS.get(str(model), str(model)), COLORS.get(str(model))
            edges = _hours(plan["start_s"], interval_s)
            surplus = float((plan["surplus"] * interval_s / 3600.0).sum())
            axes.fill_between(edges, _step(plan["required"]), _step(plan["on_shift"]),
                              step="post", color=color, alpha=0.18,
                              label=f"surplus {surplus:.1f} agent-hours, {name}")
            axes.step(edges, _step(plan["on_shift"]), where="post", color=color,
                      linewidth=2, label=f"on shift (plan), {name}")
            axes.step(edges, _step(plan["required"]), where="post", color=color,
                      linestyle="--", linewidth=1.2, label=f"required, {name}")
            if "available" in plan and (plan["available"] < plan["on_shift"] - 1e-9).any():
                axes.step(edges, _step(plan["available"]), where="post", color=color,
                          linestyle=":", linewidth=1.5,
                          label=f"on shift, not on a break, {name}")
        _time_axis(axes, edges, clock)
        axes.set_ylabel("agents (scheduled, count)")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        top = float(rows[["required", "on_shift"]].to_numpy().max()) if len(rows) else 1.0
        axes.set_ylim(0, max(1.0, top) * 1.1)
        _panel_title(axes, group, len(parts) > 1)
    legend_below(figure, panels, ncols=3)  # under the panels: it covers no step
    _finish(figure, panels,
            chart_text(title or "Shift plan against the required agents per interval"))
    return figure


def service_level_curve_chart(curve: pd.DataFrame, target: float | None = None,
                              threshold_s: float | None = None,
                              clock: Clock | None = None) -> Figure:
    """Service level against agents for one (stationary) interval.

    Args:
        curve: :func:`sim.staffing.curve.service_level_curve` rows (``model``, ``agents``,
            ``service_level``, ``service_level_ci95`` and, optionally, ``ci_met``).
        target: the service-level target, drawn as a horizontal line when given.
        threshold_s: the threshold (seconds), for the axis label.
        clock: the scenario's clock, for the interval's time in the title.

    Returns:
        The figure. Points whose CI did not narrow to the curve's ``ci_target`` within its
        replication cap are drawn hollow, with a legend entry saying so.
    """
    figure = Figure(figsize=SIZE)
    axes = figure.add_subplot()
    wide_any = False
    for model, rows in curve.groupby("model", sort=False):
        if model == "erlang":  # exact: a line without error bars
            axes.plot(rows["agents"], rows["service_level"] * 100.0, marker="s",
                      linestyle="--", color=COLORS["erlang"], label=LABELS["erlang"])
            continue
        color = COLORS.get(str(model))
        axes.errorbar(rows["agents"], rows["service_level"] * 100.0,
                      yerr=rows["service_level_ci95"] * 100.0, marker="o", linestyle="-",
                      color=color, capsize=3, label=LABELS.get(str(model), str(model)))
        wide = rows[~rows["ci_met"].astype(bool)] if "ci_met" in rows else rows.iloc[:0]
        if len(wide):
            wide_any = True
            axes.plot(wide["agents"], wide["service_level"] * 100.0, marker="o",
                      linestyle="none", markersize=9, markerfacecolor="white",
                      markeredgecolor=color, markeredgewidth=1.5, zorder=4)
    if wide_any:
        target_ci = curve.attrs.get("ci_target", 0.05) * 100.0
        cap = curve.attrs.get("max_replications")
        after = f" after {cap} replications" if cap else ""
        axes.add_line(Line2D([], [], marker="o", linestyle="none", markerfacecolor="white",
                             markeredgecolor="#333333",
                             label=f"CI wider than ±{target_ci:g} points{after}"))
    if target is not None:
        axes.axhline(target * 100.0, color="#d62728", linestyle=":",
                     label=f"target {target:.0%}")
    within = f" within {threshold_s:g}s" if threshold_s is not None else ""
    group = curve.attrs.get("group")
    others = curve.attrs.get("other_agents") or 0.0
    fixed = f", plus {others:.0f} of other groups" if others >= 0.5 else ""
    axes.set_xlabel(chart_text(f"agents online{' in ' + group if group else ''}{fixed} (count)"))
    axes.set_ylabel(f"service level, answered{within} (%)")
    axes.set_ylim(0, 105)
    where = ""
    if "start_s" in curve.attrs:
        start, clock = curve.attrs["start_s"], clock or Clock()
        where = (f" ({clock.hhmm(start)}-{clock.hhmm(start + curve.attrs['interval_s'])}, "
                 "held stationary)")
    axes.set_title(f"Service level against agents, busiest interval{where}")
    ci = curve.attrs.get("ci_target")
    measured = curve.attrs.get("measured_s")
    where_met = " where filled" if wide_any else ""
    note = (f"95% CI bars (at most ±{ci * 100:g} points{where_met}"
            f"{f', {measured / 3600:g} h per replication' if measured else ''})"
            if ci else "95% CI bars")
    axes.legend(loc="lower right", title=note, fontsize="small", title_fontsize="small")
    figure.tight_layout()
    return figure


def achieved_service_level_chart(table: pd.DataFrame, interval_s: float,
                                 target: float | None = None,
                                 models: list[str] | None = None,
                                 threshold_s: float | None = None,
                                 clock: Clock | None = None) -> Figure:
    """Achieved service level per interval at the chosen staffing, with 95% CIs.

    Args:
        table: :meth:`sim.staffing.plan.StaffingReport.table` (``service_level_<model>`` and
            ``service_level_<model>_ci95`` columns); with a ``group`` column, one panel
            per agent group.
        interval_s: reporting interval (seconds).
        target: the service-level target; the band from it to 100% is shaded.
        models: capacity models to draw; all in the table when omitted.
        threshold_s: the threshold (seconds), for the axis label.
        clock: the scenario's clock; 00:00 undated when omitted.

    Returns:
        The figure; intervals whose answer is within noise (``within_noise_<model>``: the
        95% CI of a queue's figure straddles its goal) are ringed.
    """
    models = models or [c.removeprefix("scheduled_") for c in table.columns
                        if c.startswith("scheduled_")]
    parts = _groups(table)
    figure, panels = _panels(len(parts))
    for axes, (group, rows) in zip(panels, parts, strict=True):
        centres = (rows["start_s"].to_numpy(dtype=float) + interval_s / 2.0) / 3600.0
        if target is not None:
            axes.axhspan(target * 100.0, 100.0, color="#2ca02c", alpha=0.12,
                         label=f"target band (>= {target:.0%})")
            axes.axhline(target * 100.0, color="#2ca02c", linewidth=1)
        lowest = 100.0
        for model in models:
            mean = rows[f"service_level_{model}"].to_numpy(dtype=float) * 100.0
            half = rows[f"service_level_{model}_ci95"].to_numpy(dtype=float) * 100.0
            axes.plot(centres, mean, marker=".", color=COLORS.get(model), label=LABELS[model])
            axes.fill_between(centres, mean - half, np.minimum(mean + half, 100.0),
                              color=COLORS.get(model), alpha=0.2,
                              label=f"95% CI, {LABELS[model]}")
            noise_column = f"within_noise_{model}"
            if noise_column in rows and rows[noise_column].astype(bool).any():
                noise = rows[noise_column].to_numpy(dtype=bool)
                axes.plot(centres[noise], mean[noise], marker="o", markersize=10,
                          linestyle="none", markerfacecolor="none",
                          markeredgecolor=COLORS.get(model), markeredgewidth=1.5,
                          label=f"within noise (a queue's CI straddles its goal), {LABELS[model]}")
            if np.isfinite(mean - half).any():
                lowest = min(lowest, float(np.nanmin(mean - half)))
        _time_axis(axes, _hours(rows["start_s"], interval_s), clock)
        within = f"{threshold_s:g}s" if threshold_s is not None else "threshold"
        axes.set_ylabel(f"service level (% answered within {within})")
        # Zoom on the band that matters; intervals without sessions are left out (no value).
        bottom = min(lowest, (target or 1.0) * 100.0) - 5.0
        axes.set_ylim(max(0.0, 5.0 * math.floor(bottom / 5.0)), 101)
        _panel_title(axes, group, len(parts) > 1)
    legend_below(figure, panels)  # under the panels: it covers no dip
    _finish(figure, panels, "Achieved service level per interval at the required staffing "
            "(goals judged on the mean)")
    return figure


def staffing_figures(report: StaffingReport) -> dict[str, Figure]:
    """The staffing charts of a :class:`sim.staffing.plan.StaffingReport`, by file name.

    ``required_agents`` and ``achieved_service_level`` always; ``shift_cover`` when a
    shift plan was made, ``service_level_curve`` when the curve was simulated. With
    several staffed groups (a ``group`` column in the table) each chart has a panel per
    group.
    """
    table = report.table()
    goals = report.goals
    scenario = report.scenario
    interval_s, clock = scenario.interval, scenario.clock
    threshold = goals.threshold_s or scenario.service_level.threshold
    groups = [str(name) for name in table["group"].unique()]
    named = f": {', '.join(groups)}" if any(groups) else ""
    fixed = (" (others on fixed shifts)" if FIXED_COLUMNS & set(table.columns) else "")
    figures = {
        "required_agents": required_agents_chart(
            table, interval_s, title=f"Required agents per interval{named}{fixed} — "
            f"{goals.describe()}", clock=clock),
        "achieved_service_level": achieved_service_level_chart(
            table, interval_s, goals.service_level, threshold_s=threshold, clock=clock),
    }
    cover = report.shift_cover_table()
    if not cover.empty:
        figures["shift_cover"] = shift_cover_chart(
            cover, interval_s, clock, title=f"Shift plan against the required agents{named}")
    curve = report.curve
    if curve is not None:
        figures["service_level_curve"] = service_level_curve_chart(
            curve, goals.service_level, threshold, clock=clock)
    return figures


def close(figure: Figure) -> None:
    """Release a figure's canvas memory (object-API figures need no pyplot close)."""
    figure.clear()
