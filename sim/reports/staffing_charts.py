"""Charts of a staffing report: each function takes tables and returns a ``Figure``.

Built with the object API on the Agg backend (no pyplot state), so they can be drawn in
tests and worker processes. Every chart has a title, axis labels with units and a legend.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import math  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sim.reports.run_charts import COLORS as MODEL_COLORS  # noqa: E402
from sim.reports.run_charts import SIZE  # noqa: E402
from sim.scenario.units import format_clock  # noqa: E402
from sim.scenario.user_text import chart_text  # noqa: E402

COLORS = {**MODEL_COLORS, "erlang": "#555555"}
"""Line colours: the two capacity models (as in every chart) and the Erlang baseline."""

LABELS = {"tab": "tab-based", "status": "status-based", "erlang": "Erlang (analytic)"}
"""Legend names."""


def _hours(start_s: pd.Series | np.ndarray, interval_s: float) -> np.ndarray:
    """Interval edges in hours: starts plus the end of the last interval."""
    starts = np.asarray(start_s, dtype=float)
    return np.append(starts, starts[-1] + interval_s) / 3600.0 if len(starts) else starts


def _step(values: pd.Series | np.ndarray) -> np.ndarray:
    """Values repeated at the end, so ``step(where='post')`` draws the last interval."""
    array = np.asarray(values, dtype=float)
    return np.append(array, array[-1]) if len(array) else array


def required_agents_chart(table: pd.DataFrame, interval_s: float,
                          models: list[str] | None = None, title: str | None = None) -> Figure:
    """Required scheduled agents per interval: a step per capacity model plus Erlang.

    Args:
        table: :meth:`sim.staffing.plan.StaffingReport.table` (``start_s``, ``arrivals``,
            ``analytic_scheduled`` and ``scheduled_<model>`` columns).
        interval_s: reporting interval (seconds).
        models: capacity models to draw; every ``scheduled_<model>`` column when omitted.
        title: the chart title (a default when omitted).

    Returns:
        The figure; arrivals per interval on a secondary axis. With an
        ``other_groups_online`` column, the other groups' agents are drawn dotted.
    """
    models = models or [c.removeprefix("scheduled_") for c in table.columns
                        if c.startswith("scheduled_")]
    edges = _hours(table["start_s"], interval_s)
    figure = Figure(figsize=SIZE)
    axes = figure.add_subplot()
    for model in models:
        axes.step(edges, _step(table[f"scheduled_{model}"]), where="post",
                  color=COLORS.get(model), linewidth=2, label=f"required, {LABELS[model]}")
    axes.step(edges, _step(table["analytic_scheduled"]), where="post", color=COLORS["erlang"],
              linestyle="--", linewidth=1.5, zorder=3, label=LABELS["erlang"])
    if "other_groups_online" in table:
        axes.step(edges, _step(table["other_groups_online"]), where="post", color="#8c564b",
                  linestyle=":", linewidth=1.5, label="other groups online (fixed shifts)")
    _time_axis(axes, edges)
    axes.set_ylabel("agents (scheduled, count)")
    axes.set_ylim(bottom=0)
    arrivals_axes = axes.twinx()
    centres = (edges[:-1] + edges[1:]) / 2.0
    arrivals_axes.bar(centres, table["arrivals"], width=interval_s / 3600.0 * 0.9,
                      color="#2ca02c", alpha=0.2, label="expected arrivals")
    arrivals_axes.set_ylabel("arrivals (sessions per interval)")
    arrivals_axes.set_ylim(bottom=0)
    axes.set_zorder(arrivals_axes.get_zorder() + 1)
    axes.patch.set_visible(False)
    _joint_legend(axes, arrivals_axes)
    # A title naming the group and several goals is long: wrapped to the figure, not cut.
    axes.set_title(chart_text(title or "Required agents per interval by capacity model"),
                   wrap=True)
    figure.tight_layout()
    return figure


def service_level_curve_chart(curve: pd.DataFrame, target: float | None = None,
                              threshold_s: float | None = None) -> Figure:
    """Service level against agents for one (stationary) interval.

    Args:
        curve: :func:`sim.staffing.plan.service_level_curve` rows (``model``, ``agents``,
            ``service_level``, ``service_level_ci95``).
        target: the service-level target, drawn as a horizontal line when given.
        threshold_s: the threshold (seconds), for the axis label.

    Returns:
        The figure.
    """
    figure = Figure(figsize=SIZE)
    axes = figure.add_subplot()
    for model, rows in curve.groupby("model", sort=False):
        if model == "erlang":  # exact: a line without error bars
            axes.plot(rows["agents"], rows["service_level"] * 100.0, marker="s",
                      linestyle="--", color=COLORS["erlang"], label=LABELS["erlang"])
            continue
        axes.errorbar(rows["agents"], rows["service_level"] * 100.0,
                      yerr=rows["service_level_ci95"] * 100.0, marker="o", linestyle="-",
                      color=COLORS.get(str(model)), capsize=3,
                      label=LABELS.get(str(model), str(model)))
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
        start = curve.attrs["start_s"]
        where = (f" ({format_clock(start)}-{format_clock(start + curve.attrs['interval_s'])}, "
                 "held stationary)")
    axes.set_title(f"Service level against agents, busiest interval{where}")
    axes.legend(loc="lower right", title="95% CI bars")
    figure.tight_layout()
    return figure


def achieved_service_level_chart(table: pd.DataFrame, interval_s: float,
                                 target: float | None = None,
                                 models: list[str] | None = None,
                                 threshold_s: float | None = None) -> Figure:
    """Achieved service level per interval at the chosen staffing, with 95% CIs.

    Args:
        table: :meth:`sim.staffing.plan.StaffingReport.table` (``service_level_<model>`` and
            ``service_level_<model>_ci95`` columns).
        interval_s: reporting interval (seconds).
        target: the service-level target; the band from it to 100% is shaded.
        models: capacity models to draw; all in the table when omitted.
        threshold_s: the threshold (seconds), for the axis label.

    Returns:
        The figure.
    """
    models = models or [c.removeprefix("scheduled_") for c in table.columns
                        if c.startswith("scheduled_")]
    centres = (table["start_s"].to_numpy(dtype=float) + interval_s / 2.0) / 3600.0
    figure = Figure(figsize=SIZE)
    axes = figure.add_subplot()
    if target is not None:
        axes.axhspan(target * 100.0, 100.0, color="#2ca02c", alpha=0.12,
                     label=f"target band (>= {target:.0%})")
        axes.axhline(target * 100.0, color="#2ca02c", linewidth=1)
    lowest = 100.0
    for model in models:
        mean = table[f"service_level_{model}"].to_numpy(dtype=float) * 100.0
        half = table[f"service_level_{model}_ci95"].to_numpy(dtype=float) * 100.0
        axes.plot(centres, mean, marker=".", color=COLORS.get(model), label=LABELS[model])
        axes.fill_between(centres, mean - half, np.minimum(mean + half, 100.0),
                          color=COLORS.get(model), alpha=0.2, label=f"95% CI, {LABELS[model]}")
        if np.isfinite(mean - half).any():
            lowest = min(lowest, float(np.nanmin(mean - half)))
    _time_axis(axes, _hours(table["start_s"], interval_s))
    within = f"{threshold_s:g}s" if threshold_s is not None else "threshold"
    axes.set_ylabel(f"service level (% answered within {within})")
    # Zoom on the band that matters; intervals without sessions are left out (no value).
    bottom = min(lowest, (target or 1.0) * 100.0) - 5.0
    axes.set_ylim(max(0.0, 5.0 * math.floor(bottom / 5.0)), 101)
    axes.set_title("Achieved service level per interval at the required staffing")
    axes.legend(loc="lower left", ncol=2, fontsize="small")
    figure.tight_layout()
    return figure


def staffing_figures(report: object) -> dict[str, Figure]:
    """The three staffing charts of a :class:`sim.staffing.plan.StaffingReport`, by file name."""
    table = report.table()  # type: ignore[attr-defined]
    goals = report.goals  # type: ignore[attr-defined]
    interval_s = report.scenario.interval  # type: ignore[attr-defined]
    threshold = goals.threshold_s or report.scenario.service_level.threshold  # type: ignore
    group = getattr(report, "group", "")
    fixed = " (others on fixed shifts)" if "other_groups_online" in table else ""
    figures = {
        "required_agents": required_agents_chart(
            table, interval_s, title=f"Required agents per interval{': ' + group if group else ''}"
            f"{fixed} — {goals.describe()}"),
        "achieved_service_level": achieved_service_level_chart(
            table, interval_s, goals.service_level, threshold_s=threshold),
    }
    curve = report.curve  # type: ignore[attr-defined]
    if curve is not None:
        figures["service_level_curve"] = service_level_curve_chart(
            curve, goals.service_level, threshold)
    return figures


def _time_axis(axes: object, edges: np.ndarray) -> None:
    """Hours from the start as the x axis, ticked every 3 h (every hour for short days)."""
    span = float(edges[-1] - edges[0]) if len(edges) else 0.0
    step = 3.0 if span > 12 else 1.0
    ticks = np.arange(0.0, (edges[-1] if len(edges) else 0.0) + 1e-9, step)
    axes.set_xticks(ticks)  # type: ignore[attr-defined]
    axes.set_xlim(edges[0], edges[-1])  # type: ignore[attr-defined]
    axes.set_xlabel("time of day (h from the scenario start)")  # type: ignore[attr-defined]
    axes.grid(axis="x", alpha=0.3)  # type: ignore[attr-defined]


def close(figure: Figure) -> None:
    """Release a figure's canvas memory (object-API figures need no pyplot close)."""
    figure.clear()


def _joint_legend(*axes_list: object) -> None:
    handles, labels = [], []
    for axes in axes_list:
        more_handles, more_labels = axes.get_legend_handles_labels()  # type: ignore
        handles += more_handles
        labels += more_labels
    axes_list[0].legend(handles, labels, loc="upper left")  # type: ignore[attr-defined]
