"""The backtest chart: per measure, observed against the simulated mean and 95% band.

One panel per measure of :data:`sim.calibration.observed.MEASURES` over clock time, with
the measure's mean absolute error and share of intervals inside the band in its title,
and one panel of every measure's bias over the horizon and each day with its 95%
interval, against the failing limit (the verdict in the figure's title). Built with the
object API on the Agg backend.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sim.calibration.backtest import FAIL_RELATIVE_BIAS, Backtest, band_coverage  # noqa: E402
from sim.calibration.observed import MEASURE_LABELS, MEASURES  # noqa: E402
from sim.reports.time_axis import clock_time_axis  # noqa: E402
from sim.scenario.clock import Clock  # noqa: E402
from sim.scenario.user_text import chart_text  # noqa: E402

AXIS_LABELS = {
    "offered": "offered inbound (sessions per interval)",
    "service_level": "service level (%)",
    "asa_s": "ASA of answered sessions (s)",
    "abandonment_rate": "abandonment rate (%)",
    "occupancy": "occupancy (%)",
    "handle_time_s": "HandleTime (s)",
}
"""Each panel's y-axis label: the measure and its unit."""


DAY_COLOURS = ("#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#17becf", "#bcbd22", "#7f7f7f")
"""Colours of the days in the bias panel (red is kept for failures)."""


def backtest_chart(result: Backtest, clock: Clock) -> Figure:
    """Observed (dots) against simulated mean (line) and 95% band, one panel per measure.

    Args:
        result: the backtest.
        clock: the scenario's clock (for the time axis).
    """
    scenario = result.scenario
    interval_s = scenario.interval
    figure = Figure(figsize=(12.0, 14.5), layout="constrained")
    verdict = (f"FAILED ({', '.join(MEASURE_LABELS[m] for m in result.failed)} off)"
               if result.failed else "passed")
    figure.suptitle(chart_text(
        f"Backtest of {scenario.name} {verdict}: observed against {result.replications} "
        f"simulated replications (band: {band_coverage(result.replications):.0%} prediction "
        "band of one more replication)"), wrap=True)
    grid = figure.add_gridspec(4, 2)
    for index, (measure, unit) in enumerate(MEASURES.items()):
        ax = figure.add_subplot(grid[index // 2, index % 2])
        rows = result.table[result.table["measure"] == measure]
        middle = (rows["start_s"].to_numpy() + interval_s / 2) / 3600
        scale = 100.0 if unit == "share" else 1.0
        ax.fill_between(middle, rows["sim_low"] * scale, rows["sim_high"] * scale,
                        color="#1f77b4", alpha=0.25, label="simulated band")
        ax.plot(middle, rows["sim_mean"] * scale, color="#1f77b4", label="simulated mean")
        inside = rows["inside"].to_numpy()
        observed = rows["observed"].to_numpy() * scale
        ax.plot(middle[inside == 1], observed[inside == 1], "o", color="#333333",
                markersize=3, label="observed, inside the band")
        ax.plot(middle[inside == 0], observed[inside == 0], "x", color="#d62728",
                markersize=5, label="observed, outside the band")
        summary = result.summary.loc[measure]
        error = summary["mae"] * scale
        error_text = f"{error:.3g}{' points' if unit == 'share' else ' ' + unit}"
        share = summary["inside_share"]
        bias = summary.get("relative_bias", np.nan)
        bias_text = ("\n" + chart_text(
            f"horizon bias {bias:+.1%}" + (" (failed)" if summary.get("verdict") == "fail"
                                          else ""))
            if isinstance(bias, float) and np.isfinite(bias) else "")
        ax.set_title(chart_text(
            f"{MEASURE_LABELS[measure]}: MAE {error_text}, "
            f"{share:.0%} of {int(summary['intervals'])} intervals inside"
            if np.isfinite(share) else f"{MEASURE_LABELS[measure]}: nothing to compare")
            + bias_text, fontsize=9)
        ax.set_ylabel(AXIS_LABELS[measure])
        clock_time_axis(ax, clock, scenario.horizon)
    handles, labels = figure.axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=4, fontsize=8,
                  title="time panels")
    if result.levels is not None:
        _bias_panel(figure.add_subplot(grid[3, :]), result)
    return figure


def _bias_panel(ax: Axes, result: Backtest) -> None:
    """Relative bias per measure and level (horizon, each day) with its 95% interval."""
    levels = result.levels
    assert levels is not None
    names = list(dict.fromkeys(levels["level"]))
    width = 0.8 / max(1, len(names))
    measures = list(MEASURES)
    for position, level in enumerate(names):
        rows = levels[levels["level"] == level].set_index("measure").reindex(measures)
        observed = rows["observed"].to_numpy(dtype=float)
        with np.errstate(all="ignore"):
            middle = rows["relative_bias"].to_numpy(dtype=float) * 100
            low = rows["bias_low"].to_numpy(dtype=float) / np.abs(observed) * 100
            high = rows["bias_high"].to_numpy(dtype=float) / np.abs(observed) * 100
        x = np.arange(len(measures)) - 0.4 + width * (position + 0.5)
        horizon = level == "horizon"
        colour = "#222222" if horizon else DAY_COLOURS[(position - 1) % len(DAY_COLOURS)]
        ax.errorbar(x, middle, yerr=[middle - low, high - middle], fmt="D" if horizon else "o",
                    color=colour, markersize=6 if horizon else 4,
                    capsize=3, label="whole horizon" if horizon else f"day {level}")
        failed = (rows["verdict"] == "fail").to_numpy()
        if failed.any():
            ax.plot(x[failed], middle[failed], "s", markersize=11, markerfacecolor="none",
                    markeredgecolor="#d62728", label="failed" if horizon else None)
    limit = FAIL_RELATIVE_BIAS * 100
    ax.axhline(0, color="#888888", linewidth=0.8)
    for sign in (-1, 1):
        ax.axhline(sign * limit, color="#d62728", linestyle="--", linewidth=0.8,
                   label=f"failing limit (±{limit:g}% with the observed outside the band)"
                   if sign > 0 else None)
    ax.set_xticks(np.arange(len(measures)), [MEASURE_LABELS[m] for m in measures], fontsize=8)
    ax.set_xlabel("measure (figure: mean over the compared intervals)")
    ax.set_ylabel("bias: simulated − observed (% of observed)")
    ax.set_title(chart_text("Bias of the simulated mean against the observed, over the whole "
                            "horizon and each day, with its 95% interval (band of one "
                            "replication's figure)"), fontsize=9)
    ax.legend(fontsize=7, ncol=2)
