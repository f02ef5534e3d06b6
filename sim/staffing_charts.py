"""Charts of a staffing report: each function takes tables and returns a ``Figure``.

Built with the object API on the Agg backend (no pyplot state), so they can be drawn in
tests and worker processes. Every chart has a title, axis labels with units and a legend.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

SIZE = (9.0, 4.8)
"""Figure size in inches."""

COLORS = {"tab": "#1f77b4", "status": "#ff7f0e", "erlang": "#555555"}
"""Line colours: the two capacity models and the Erlang baseline."""

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
                          models: list[str] | None = None) -> Figure:
    """Required scheduled agents per interval: a step per capacity model plus Erlang.

    Args:
        table: :meth:`sim.staffing.StaffingReport.table` (``start_s``, ``arrivals``,
            ``analytic_scheduled`` and ``scheduled_<model>`` columns).
        interval_s: reporting interval (seconds).
        models: capacity models to draw; every ``scheduled_<model>`` column when omitted.

    Returns:
        The figure; arrivals per interval on a secondary axis.
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
              linestyle="--", label=LABELS["erlang"])
    axes.set_xlabel("time from start (h)")
    axes.set_ylabel("scheduled agents (agents)")
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
    axes.set_title("Required agents per interval by capacity model")
    figure.tight_layout()
    return figure


def service_level_curve_chart(curve: pd.DataFrame, target: float | None = None,
                              threshold_s: float | None = None) -> Figure:
    """Service level against agents for one (stationary) interval.

    Args:
        curve: :func:`sim.staffing.service_level_curve` rows (``model``, ``agents``,
            ``service_level``, ``service_level_ci95``).
        target: the service-level target, drawn as a horizontal line when given.
        threshold_s: the threshold (seconds), for the axis label.

    Returns:
        The figure.
    """
    figure = Figure(figsize=SIZE)
    axes = figure.add_subplot()
    for model, rows in curve.groupby("model", sort=False):
        style = "--" if model == "erlang" else "-"
        axes.errorbar(rows["agents"], rows["service_level"] * 100.0,
                      yerr=rows["service_level_ci95"] * 100.0, marker="o", linestyle=style,
                      color=COLORS.get(str(model)), capsize=3,
                      label=LABELS.get(str(model), str(model)))
    if target is not None:
        axes.axhline(target * 100.0, color="#d62728", linestyle=":",
                     label=f"target {target:.0%}")
    within = f" within {threshold_s:g}s" if threshold_s is not None else ""
    axes.set_xlabel("agents online (agents)")
    axes.set_ylabel(f"service level, answered{within} (%)")
    axes.set_ylim(0, 105)
    interval = curve.attrs.get("interval")
    where = f" (interval {interval}, held stationary)" if interval is not None else ""
    axes.set_title(f"Service level against agents for the busiest interval{where}")
    axes.legend(loc="lower right")
    figure.tight_layout()
    return figure


def achieved_service_level_chart(table: pd.DataFrame, interval_s: float,
                                 target: float | None = None,
                                 models: list[str] | None = None) -> Figure:
    """Achieved service level per interval at the chosen staffing, with 95% CIs.

    Args:
        table: :meth:`sim.staffing.StaffingReport.table` (``service_level_<model>`` and
            ``service_level_<model>_ci95`` columns).
        interval_s: reporting interval (seconds).
        target: the service-level target; the band from it to 100% is shaded.
        models: capacity models to draw; all in the table when omitted.

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
    for model in models:
        mean = table[f"service_level_{model}"].to_numpy(dtype=float) * 100.0
        half = table[f"service_level_{model}_ci95"].to_numpy(dtype=float) * 100.0
        axes.plot(centres, mean, marker=".", color=COLORS.get(model), label=LABELS[model])
        axes.fill_between(centres, mean - half, np.minimum(mean + half, 100.0),
                          color=COLORS.get(model), alpha=0.2, label=f"95% CI, {LABELS[model]}")
    axes.set_xlabel("time from start (h)")
    axes.set_ylabel("service level (% answered within threshold)")
    axes.set_ylim(0, 105)
    axes.set_title("Achieved service level per interval at the required staffing")
    axes.legend(loc="lower right")
    figure.tight_layout()
    return figure


def staffing_figures(report: object) -> dict[str, Figure]:
    """The three staffing charts of a :class:`sim.staffing.StaffingReport`, by file name."""
    table = report.table()  # type: ignore[attr-defined]
    goals = report.goals  # type: ignore[attr-defined]
    interval_s = report.scenario.interval  # type: ignore[attr-defined]
    threshold = goals.threshold_s or report.scenario.service_level.threshold  # type: ignore
    figures = {
        "required_agents": required_agents_chart(table, interval_s),
        "achieved_service_level": achieved_service_level_chart(
            table, interval_s, goals.service_level),
    }
    curve = report.curve  # type: ignore[attr-defined]
    if curve is not None:
        figures["service_level_curve"] = service_level_curve_chart(
            curve, goals.service_level, threshold)
    return figures


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
