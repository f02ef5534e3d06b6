"""The staffing notebook's agent-hours chart.

Each method's hours over the day, and the differences per interval in clock time.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.analysis.staffing_summary import span, staffing_hours_table
from sim.reports.staffing_charts import COLORS, LABELS
from sim.reports.time_axis import clock_time_axis
from sim.staffing.report import StaffingReport

GROUP_HATCHES = ("", "//", "..", "xx", "\\\\", "++")
"""Hatching of each agent group's part of a stacked bar."""


def agent_hours_chart(report: StaffingReport) -> Figure:
    """Scheduled agent-hours per method (stacked by group), and agents saved per interval.

    Left: the day's agent-hours of the Erlang baseline and each capacity model, one stacked
    part per staffed group. Right: per interval (all groups), the agents status-based needs
    fewer than tab-based, and Erlang minus each model.
    """
    hours = staffing_hours_table(report).drop(index="all")
    methods = ["erlang", *report.results]
    figure = Figure(figsize=(12, 4.8), layout="constrained")
    bars, saved = figure.subplots(1, 2)
    positions = np.arange(len(methods))
    bottom = np.zeros(len(methods))
    handles = []
    for index, (group, row) in enumerate(hours.iterrows()):
        values = row[methods].to_numpy(dtype=float)
        hatch = GROUP_HATCHES[index % len(GROUP_HATCHES)]
        bars.bar(positions, values, bottom=bottom, color=[COLORS[m] for m in methods],
                 hatch=hatch, edgecolor="white")
        handles.append(Patch(facecolor="#dddddd", edgecolor="black", hatch=hatch,
                             label=f"group {group}"))
        bottom += values
    for position, total in zip(positions, bottom, strict=True):
        bars.annotate(f"{total:g} h", (position, total), ha="center", va="bottom")
    bars.set_ylim(0.0, max(1.0, float(bottom.max())) * 1.12)  # room for the totals
    bars.set_xticks(positions, labels=[LABELS[m] for m in methods])
    bars.set_xlabel("staffing method")
    bars.set_ylabel(f"scheduled agent-hours (h {span(report)})")
    bars.set_title("Scheduled agent-hours")
    bars.legend(handles=handles, loc="lower right")
    scenario = report.scenario
    edges = np.append(np.arange(scenario.n_intervals) * scenario.interval,
                      scenario.horizon) / 3600.0
    table = report.table().groupby("interval").sum(numeric_only=True)
    if "tab" in report.results and "status" in report.results:
        fewer = (table["scheduled_tab"] - table["scheduled_status"]).to_numpy(dtype=float)
        saved.stairs(fewer, edges, fill=True, alpha=0.5, color=COLORS["status"],
                     label="agents fewer with status-based (negative: more)")
    for model in report.results:
        versus = (table["analytic_scheduled"] - table[f"scheduled_{model}"]).to_numpy(float)
        saved.stairs(versus, edges, color=COLORS[model], linewidth=2,
                     label=f"Erlang minus {LABELS[model]}")
    saved.axhline(0.0, color="black", linewidth=0.8)
    clock_time_axis(saved, scenario.clock, scenario.horizon, unit_s=3600.0)
    saved.set_xlim(edges[0], edges[-1])
    saved.set_ylabel("difference in scheduled agents (agents)")
    saved.set_title("Agent differences per interval (all staffed groups)")
    saved.legend(loc="lower left", fontsize=8)
    figure.suptitle(f"Agent-hours by staffing method: {report.group}")
    return figure
