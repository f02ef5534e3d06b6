"""The backtest chart: per measure, observed against the simulated mean and 95% band.

One panel per measure of :data:`sim.calibration.observed.MEASURES` over clock time, with
the measure's mean absolute error and share of intervals inside the band in its title.
Built with the object API on the Agg backend.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sim.calibration.backtest import Backtest, band_coverage  # noqa: E402
from sim.calibration.observed import MEASURE_LABELS, MEASURES  # noqa: E402
from sim.reports.legends import legend_below  # noqa: E402
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


def backtest_chart(result: Backtest, clock: Clock) -> Figure:
    """Observed (dots) against simulated mean (line) and 95% band, one panel per measure.

    Args:
        result: the backtest.
        clock: the scenario's clock (for the time axis).
    """
    scenario = result.scenario
    interval_s = scenario.interval
    figure = Figure(figsize=(12.0, 11.0), layout="constrained")
    figure.suptitle(chart_text(
        f"Backtest of {scenario.name}: observed against {result.replications} simulated "
        f"replications (band: {band_coverage(result.replications):.0%} prediction band of "
        "one more replication)"), wrap=True)
    panels = []
    for index, (measure, unit) in enumerate(MEASURES.items()):
        ax = figure.add_subplot(3, 2, index + 1)
        panels.append(ax)
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
        ax.set_title(chart_text(
            f"{MEASURE_LABELS[measure]}: MAE {error_text}, "
            f"{share:.0%} of {int(summary['intervals'])} intervals inside"
            if np.isfinite(share) else f"{MEASURE_LABELS[measure]}: nothing to compare"),
            fontsize=9)
        ax.set_ylabel(AXIS_LABELS[measure])
        clock_time_axis(ax, clock, scenario.horizon)
    legend_below(figure, panels)  # one legend under the panels: it covers no peak
    return figure
