"""Run and comparison charts: readable names, one unit per panel, nothing cut off."""

from __future__ import annotations

import numpy as np
import pandas as pd
from chart_helpers import assert_inside_figure
from matplotlib.backends.backend_agg import FigureCanvasAgg

from sim.reports.run_charts import (
    DIFFERENCE_FIGURES,
    compare_differences_chart,
    wait_distribution_chart,
)
from sim.results.figures import FIGURE_BETTER, FIGURE_LABELS, FIGURE_UNITS, FIGURES


def test_every_figure_has_a_label_and_a_unit() -> None:
    assert set(FIGURE_LABELS) == set(FIGURES) == set(FIGURE_UNITS)
    assert all("_" not in label for label in FIGURE_LABELS.values())
    assert set(FIGURE_BETTER) <= set(FIGURES)
    assert set(FIGURE_BETTER.values()) == {"higher", "lower"}
    assert set(DIFFERENCE_FIGURES) <= set(FIGURES)


def _table() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = {name: {"tab_mean": 10.0, "tab_ci95": 1.0, "status_mean": 12.0, "status_ci95": 1.0,
                   "diff_mean": float(rng.normal(0, 5)), "diff_ci95": 1.5, "n": 10}
            for name in FIGURES}
    rows["peak_concurrency"].update(tab_mean=3.0, status_mean=4.8, diff_mean=1.8)
    rows["over_capacity_s"].update(tab_mean=0.0, status_mean=18208.0, diff_mean=18208.0)
    return pd.DataFrame.from_dict(rows, orient="index")


def test_difference_chart_shows_each_models_cost_in_its_unit() -> None:
    figure = compare_differences_chart(_table(), capacity=3)
    FigureCanvasAgg(figure).draw()
    panels = figure.axes
    units = [axes.get_xlabel() for axes in panels]
    assert units == ["status - tab (percentage points)", "status - tab (seconds)",
                     "status - tab (minutes)",
                     "status - tab (hours per day, summed over sessions or agents)",
                     "status - tab (sessions per agent)", "status - tab (sessions)"]
    assert [axes.get_ylabel() for axes in panels] == [
        "shares", "waits", "handling", "lost time", "load", "counts"]
    rows = [tick.get_text() for axes in panels for tick in axes.get_yticklabels()]
    assert len(rows) == len(DIFFERENCE_FIGURES)
    assert "peak concurrency of an agent\ntab 3 → status 4.8 (capacity 3)" in rows
    assert "agent time over capacity\ntab 0 h/day → status 5.06 h/day" in rows
    assert not any("_" in row for row in rows)  # readable names, not keys
    two_days = compare_differences_chart(_table(), capacity=3, days=2.0)
    rows = [tick.get_text() for axes in two_days.axes for tick in axes.get_yticklabels()]
    assert "agent time over capacity\ntab 0 h/day → status 2.53 h/day" in rows  # per day
    texts = [figure.texts[0] if figure.texts else figure._suptitle]
    texts += [tick for axes in panels for tick in axes.get_yticklabels()]
    texts += [axes.xaxis.label for axes in panels] + [axes.yaxis.label for axes in panels]
    texts += list(figure.legends[0].get_texts())
    assert_inside_figure(figure, *texts)  # 39 texts, one draw


def test_difference_chart_shows_a_ci_that_crosses_zero_whole() -> None:
    # Every wait below zero, each CI reaching well past it: the panel shows the far ends.
    table = _table()
    waits = ["asa_s", "mean_queue_time_s", "wait_p90_s", "first_response_s",
             "response_time_s", "response_p90_s"]
    table.loc[waits, "diff_mean"] = -0.2
    table.loc[waits, "diff_ci95"] = 1.3
    figure = compare_differences_chart(table, capacity=3)
    low, high = figure.axes[1].get_xlim()
    assert low <= -1.5 and high >= 1.1


def test_wait_chart_says_which_service_level_is_which() -> None:
    waits = np.array([5.0, 10.0, 30.0, 70.0, 90.0])
    figure = wait_distribution_chart(waits, 60.0, 0.8, service_level=0.5)
    cumulative = figure.axes[1]
    labels = [text.get_text() for text in cumulative.get_legend().get_texts()]
    assert "answered sessions only: 60.0% within 60 s" in labels
    assert "service level, abandons count as misses: 50.0%" in labels
    exclude = wait_distribution_chart(waits, 60.0, 0.8, service_level=0.55,
                                      short_abandons="exclude")
    labels = [text.get_text() for text in exclude.axes[1].get_legend().get_texts()]
    assert "service level, abandons under 60 s left out: 55.0%" in labels


def _intervals(days: int, interval_s: float = 3600.0) -> pd.DataFrame:
    n = int(days * 86400 / interval_s)
    rows = []
    for channel in ("web", "all"):
        for index in range(n):
            rows.append({"interval": index, "start_s": index * interval_s, "channel": channel,
                         "offered": 10.0, "outbound_sent": 0.0, "throughput_per_h": 9.0,
                         "completed_per_h": 8.5,
                         "service_level": 0.8, "service_level_ci95": 0.05,
                         "occupancy": 0.6, "agents_online": 4.0})
    return pd.DataFrame(rows)


def test_run_charts_show_clock_time() -> None:
    """Two days from Monday 08:00: weekday and time of day on the axis, not hours."""
    from sim.reports.run_charts import (
        ChartClock,
        arrivals_throughput_chart,
        occupancy_chart,
        service_level_chart,
    )
    from sim.scenario.clock import clock_of

    clock = ChartClock(clock_of("2026-03-02 08:00"), 2 * 86400.0)
    intervals = _intervals(2)
    charts = [arrivals_throughput_chart(intervals, 3600.0, 2 * 86400.0, clock=clock),
              service_level_chart(intervals, 0.8, 60.0, clock=clock),
              occupancy_chart(intervals, clock=clock)]
    for figure in charts:
        FigureCanvasAgg(figure).draw()
        axes = figure.axes[0]
        assert "clock time (weekday HH:MM)" in axes.get_xlabel()
        ticks = [tick.get_text() for tick in axes.get_xticklabels()]
        assert ticks[0] == "Mon 08:00" and "Tue 00:00" in ticks, ticks
        assert axes.get_title() and axes.get_ylabel()
        assert axes.get_legend() is not None or len(figure.legends) == 1
    # without a clock: hours since the start, as before
    plain = arrivals_throughput_chart(intervals, 3600.0, 2 * 86400.0)
    assert plain.axes[0].get_xlabel() == "time since start (h)"
