"""Charts whose legends cover no data, and a sentence where there is nothing to draw."""

from __future__ import annotations

import numpy as np
import pandas as pd
from chart_rules import chart_problems, legend_overlaps
from matplotlib.figure import Figure

from sim.reports.run_charts import occupancy_chart, service_level_chart, wait_distribution_chart
from sim.reports.staffing_charts import achieved_service_level_chart, required_agents_chart

OCCUPANCY = [0.21, 0.41, 0.66, 0.79, 0.92, 0.84, 0.71, 0.69, 0.64, 0.66, 0.78, 0.85, 0.83,
             0.68, 0.58, 0.48, 0.37, 0.26, 0.14, 0.05]
"""A web-chat desk's day, 08:00 to 18:00: the evening's low occupancy sat under the old
"lower right" legend."""


def desk_intervals() -> pd.DataFrame:
    count = len(OCCUPANCY)
    return pd.DataFrame({"channel": "all", "interval": range(count),
                         "start_s": [1800.0 * i for i in range(count)],
                         "occupancy": OCCUPANCY, "agents_online": 10.0,
                         "service_level": 0.9, "service_level_ci95": 0.05})


def test_the_overlap_check_finds_a_legend_over_data() -> None:
    figure = Figure(layout="constrained")
    axes = figure.subplots()
    axes.plot(range(20), OCCUPANCY, label="occupancy")
    axes.legend(loc="lower right")
    assert legend_overlaps(figure) == ["the legend of '' covers 'occupancy'"]


def test_occupancy_legend_covers_no_data() -> None:
    figure = occupancy_chart(desk_intervals())
    assert legend_overlaps(figure) == []
    assert chart_problems(figure) == []
    (legend,) = figure.legends
    assert [text.get_text() for text in legend.get_texts()] == [
        "occupancy (capacity in use)", "agents online (right axis)"]


def test_staffing_legends_cover_no_peak() -> None:
    count = 20
    peak = [3, 5, 8, 9, 11, 10, 8, 9, 7, 8, 10, 11, 11, 7, 7, 6, 5, 4, 2, 2]
    table = pd.DataFrame({"start_s": [1800.0 * i for i in range(count)],
                          "arrivals": np.array(peak) * 7.0, "analytic_scheduled": peak,
                          "scheduled_tab": peak, "scheduled_status": peak,
                          "service_level_tab": 0.85, "service_level_tab_ci95": 0.1,
                          "service_level_status": 0.9, "service_level_status_ci95": 0.1})
    for figure in (required_agents_chart(table, 1800.0),
                   achieved_service_level_chart(table, 1800.0, target=0.8, threshold_s=60)):
        assert legend_overlaps(figure) == []
        assert chart_problems(figure) == []
        assert len(figure.legends) == 1


def test_nothing_to_draw_is_a_sentence() -> None:
    figure = wait_distribution_chart(pd.Series([np.nan, np.nan]), 60.0, 0.8)
    assert figure.axes == []
    assert figure.get_suptitle() == "Speed to answer of answered inbound sessions"
    assert [text.get_text() for text in figure.texts][-1] == (
        "No inbound session was answered after the warm-up, so there is no speed to "
        "answer to chart.")
    outbound_only = desk_intervals().assign(service_level=np.nan)
    figure = service_level_chart(outbound_only, 0.8, 60.0)
    assert figure.axes == [] and "no service level to chart" in figure.texts[-1].get_text()


def test_arrivals_chart_shows_the_clean_up_timeouts() -> None:
    from sim.reports.run_charts import arrivals_throughput_chart

    intervals = desk_intervals().assign(offered=10.0, outbound_sent=0.0, completed_per_h=17.0,
                                        throughput_per_h=18.0, timed_out=0.0)
    labels = [text.get_text() for text in arrivals_throughput_chart(
        intervals, 1800.0, 36000.0).legends[0].get_texts()]
    assert labels == ["inbound sessions offered to agents", "completed",
                      "throughput: every session ended (also abandoned, by a bot...)"]
    late = intervals.assign(timed_out=[0.0] * 19 + [6.0])  # a 24 h timeout lands at 17:30
    figure = arrivals_throughput_chart(late, 1800.0, 36000.0)
    (line,) = [line for line in figure.axes[0].get_lines()
               if line.get_label() == "timed out (ended by the clean-up job)"]
    assert line.get_ydata()[19] == 12.0  # 6 sessions in half an hour: 12 per hour
    assert legend_overlaps(figure) == [] and chart_problems(figure) == []
