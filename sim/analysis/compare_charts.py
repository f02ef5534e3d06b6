"""The comparison notebook's charts: tab-based against status-based capacity.

Each function takes tables computed by the other :mod:`sim.analysis` modules and returns an
object-API matplotlib ``Figure`` with a title, axis labels with units and a legend; time
axes are in clock time (:func:`sim.reports.time_axis.clock_time_axis`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.analysis.preference import MODEL_NAMES, MODELS
from sim.analysis.silent import HELD_INACTIVE, HELD_SILENT, OVER_CAPACITY, RETURN_WAIT
from sim.analysis.whatif import CRITERIA, knob_named
from sim.reports.legends import legend_below
from sim.reports.run_charts import COLORS, ChartClock, compare_service_level_chart
from sim.reports.time_axis import clock_time_axis
from sim.scenario.schema import Scenario


def all_channels(intervals: pd.DataFrame) -> pd.DataFrame:
    """The all-channel rows of an interval summary, in time order."""
    return intervals[intervals["channel"] == "all"].sort_values("start_s")


def interval_edges_h(scenario: Scenario) -> np.ndarray:
    """Edges of the reporting intervals, hours from the start."""
    return np.append(np.arange(scenario.n_intervals) * scenario.interval,
                     scenario.horizon) / 3600.0


def clock_axis(axes: Axes, scenario: Scenario) -> None:
    """Clock-time ticks on an axis whose data are hours from the start."""
    clock_time_axis(axes, scenario.clock, scenario.horizon, unit_s=3600.0)
    axes.set_xlim(0.0, scenario.horizon / 3600.0)


def speed_to_answer_chart(waits: dict[str, np.ndarray], threshold_s: float, target: float,
                          replications: int) -> Figure:
    """Speed to answer under both models: cumulative share answered, and a histogram.

    Args:
        waits: capacity model -> speed to answer of every answered session (seconds).
        threshold_s: the service-level threshold (seconds).
        target: the service-level target (share).
        replications: replications pooled in ``waits`` (the histogram is per replication).
    """
    upper = max(2.0 * threshold_s, *(float(np.quantile(w, 0.99)) for w in waits.values()
                                      if len(w)))
    figure = Figure(figsize=(12, 4.8), layout="constrained")
    ecdf, histogram = figure.subplots(1, 2)
    for model, values in waits.items():
        values = np.sort(values)
        within = float(np.mean(values <= threshold_s + 1e-9)) if len(values) else np.nan
        ecdf.step(values, np.arange(1, len(values) + 1) / max(len(values), 1) * 100.0,
                  where="post", color=COLORS[model], linewidth=2,
                  label=f"{MODEL_NAMES[model]}: {within:.1%} within {threshold_s:g} s")
        shown = values[values <= upper]
        histogram.hist(shown, bins=40, range=(0.0, upper), histtype="step", linewidth=2,
                       color=COLORS[model], weights=np.full(len(shown), 1.0 / replications),
                       label=f"{MODEL_NAMES[model]} ({len(values) / replications:.0f} "
                       "per replication)")
    for axes in (ecdf, histogram):
        axes.axvline(threshold_s, color="black", linestyle="--",
                     label=f"service-level threshold ({threshold_s:g} s)")
        axes.set_xlim(0.0, upper)
        axes.set_xlabel("speed to answer (s)")
    ecdf.axhline(target * 100.0, color="#2ca02c", linestyle=":", label=f"target ({target:.0%})")
    ecdf.set_ylim(0.0, 101.0)
    ecdf.set_ylabel("answered inbound sessions (%)")
    ecdf.set_title("Cumulative share answered within x")
    ecdf.legend(loc="lower right")
    histogram.set_ylabel("sessions per replication (count)")
    histogram.set_title(f"Histogram (waits above {upper:.0f} s not shown)")
    histogram.legend(loc="upper right")
    figure.suptitle("Speed to answer by capacity model (all replications, same customers)")
    return figure


def service_level_per_interval_chart(intervals: dict[str, pd.DataFrame],
                                     scenario: Scenario) -> Figure:
    """Service level per interval under both models against the target, in clock time.

    :func:`sim.reports.run_charts.compare_service_level_chart` with the scenario's goal,
    warm-up, short-abandon convention and clock.

    Args:
        intervals: capacity model -> :func:`sim.reports.files.interval_summary`.
        scenario: the scenario run.
    """
    level = scenario.service_level
    return compare_service_level_chart(
        intervals["tab"], intervals["status"], level.target, level.threshold, scenario.warmup,
        level.short_abandons, clock=ChartClock(scenario.clock, scenario.horizon))


def throughput_chart(intervals: dict[str, pd.DataFrame], scenario: Scenario) -> Figure:
    """Inbound arrivals and sessions completed per interval, both models.

    Args:
        intervals: capacity model -> :func:`sim.reports.files.interval_summary`.
        scenario: the scenario run (intervals and clock).
    """
    figure = Figure(figsize=(9, 4.8), layout="constrained")
    axes = figure.subplots()
    edges = interval_edges_h(scenario)
    hours = np.diff(edges)
    base = all_channels(intervals["tab"])
    axes.stairs(base["offered"].to_numpy(dtype=float) / hours, edges, fill=True, alpha=0.2,
                color="#7f7f7f", label="inbound sessions offered to agents (the same in both)")
    for model, width in (("tab", 3.5), ("status", 1.5)):
        rows = all_channels(intervals[model])
        axes.stairs(rows["completed_per_h"].to_numpy(dtype=float), edges,
                    color=COLORS[model], linewidth=width,
                    label=f"completed, {MODEL_NAMES[model]}")
    clock_axis(axes, scenario)
    axes.set_title("Arrivals and sessions completed per interval")
    axes.set_ylabel("sessions per hour (sessions/h)")
    legend_below(figure, [axes])  # inside, it covered the morning peak
    return figure


def occupancy_concurrency_chart(intervals: dict[str, pd.DataFrame],
                                scenario: Scenario) -> Figure:
    """Occupancy and open work items per online agent per interval, both models."""
    figure = Figure(figsize=(12, 4.8), layout="constrained")
    occupancy, concurrency = figure.subplots(1, 2)
    edges = interval_edges_h(scenario)
    for model in MODELS:
        rows = all_channels(intervals[model])
        occupancy.stairs(rows["occupancy"].to_numpy(dtype=float) * 100.0, edges,
                         color=COLORS[model], linewidth=2, label=MODEL_NAMES[model])
        concurrency.stairs(rows["concurrency"].to_numpy(dtype=float), edges,
                           color=COLORS[model], linewidth=2, label=MODEL_NAMES[model])
    for capacity in sorted({group.capacity_units for group in scenario.agent_groups}):
        concurrency.axhline(capacity, color="black", linestyle="--",
                            label=f"capacity per agent ({capacity:g} units)")
    occupancy.set_ylim(0.0, 105.0)
    occupancy.set_title("Occupancy per interval")
    occupancy.set_ylabel("occupancy (% of online capacity)")
    concurrency.set_title("Concurrency per interval")
    concurrency.set_ylabel("open work items per online agent (sessions/agent)")
    concurrency.set_ylim(bottom=0.0)
    for axes in (occupancy, concurrency):
        clock_axis(axes, scenario)
        axes.legend(loc="lower center")
    figure.suptitle("Occupancy and concurrency by capacity model (mean over replications)")
    return figure


def offline_chart(per_interval: dict[str, np.ndarray], agents_online: np.ndarray,
                  scenario: Scenario) -> Figure:
    """Waits caused by offline agents per arrival interval, with the agents online.

    Args:
        per_interval: capacity model -> :func:`sim.analysis.offline.offline_per_interval`
            (minutes per interval).
        agents_online: mean agents online per interval.
        scenario: the scenario run.
    """
    figure = Figure(figsize=(10, 4.8), layout="constrained")
    axes = figure.subplots()
    edges = interval_edges_h(scenario)
    centres, width = (edges[:-1] + edges[1:]) / 2.0, scenario.interval / 3600.0 * 0.4
    causes = {"tab": "requeued", "status": "stranded"}
    for shift, model in ((-0.5, "tab"), (0.5, "status")):
        axes.bar(centres + shift * width, per_interval[model], width=width,
                 color=COLORS[model], label=f"{MODEL_NAMES[model]} (mostly {causes[model]})")
    clock_axis(axes, scenario)
    axes.set_ylabel("customer wait caused (min per interval)")
    online = axes.twinx()
    online.stairs(agents_online, edges, color="#7f7f7f", linestyle="--",
                  label="agents online (right axis)")
    online.set_ylabel("agents online (agents)")
    online.set_ylim(0.0, max(1.0, float(np.max(agents_online, initial=0.0))) * 1.5)
    handles, labels = axes.get_legend_handles_labels()
    more, more_labels = online.get_legend_handles_labels()
    online.legend(handles + more, labels + more_labels, loc="upper left")  # drawn on top
    axes.set_title("Waits of answered customers caused by offline agents, by arrival "
                   "interval (mean per replication)")
    return figure


def silent_chart(silent: pd.DataFrame) -> Figure:
    """Capacity held by silent customers, and what their returns cost, both models.

    Args:
        silent: :func:`sim.analysis.silent.silent_table` (columns ``tab``, ``status``).
    """
    figure = Figure(figsize=(12, 4.8), layout="constrained")
    held, after = figure.subplots(1, 2)
    positions = np.arange(len(MODELS))
    names = [MODEL_NAMES[m] for m in MODELS]
    before = silent.loc[HELD_SILENT, list(MODELS)].to_numpy(dtype=float)
    inactive = silent.loc[HELD_INACTIVE, list(MODELS)].to_numpy(dtype=float)
    held.bar(positions, before, color="#9467bd", label="silent, before marked Inactive")
    held.bar(positions, inactive, bottom=before, color="#8c564b",
             label="Inactive, until the tab is closed")
    held.set_ylabel("capacity held (capacity-minutes per replication)")
    held.set_title("Capacity held by silent customers")
    held.set_ylim(0.0, max(1.0, float(np.max(before + inactive))) * 1.3)  # room for the legend
    held.legend(loc="upper center")
    after.bar(positions - 0.2, silent.loc[RETURN_WAIT, list(MODELS)].to_numpy(dtype=float),
              width=0.4, color="#17becf", label="returned customers' queue wait")
    after.bar(positions + 0.2, silent.loc[OVER_CAPACITY, list(MODELS)].to_numpy(dtype=float),
              width=0.4, color="#d62728", label="agents over capacity (returns to the same "
              "agent)")
    after.set_ylabel("time (minutes per replication)")
    after.set_title("When silent customers come back")
    after.legend(loc="upper center")
    for axes in (held, after):
        axes.set_xticks(positions, labels=names)
        axes.set_xlabel("capacity model")
    figure.suptitle("Unresponsive customers by capacity model (mean over replications)")
    return figure


def whatif_chart(grid: pd.DataFrame, replications: int) -> Figure:
    """Status - tab by each criterion (rows) as each knob changes (columns), ± 95% CI.

    Args:
        grid: :func:`sim.analysis.whatif.whatif_grid`.
        replications: paired replications per point (for the title).
    """
    knobs = list(dict.fromkeys(grid["knob"]))
    figure = Figure(figsize=(max(4.5 * len(knobs), 10.0), 3.2 * len(CRITERIA)),
                    layout="constrained")
    panels = figure.subplots(len(CRITERIA), len(knobs), squeeze=False)
    for column, knob in enumerate(knobs):
        for line, (name, criterion) in enumerate(CRITERIA.items()):
            rows = grid[(grid["knob"] == knob) & (grid["measure"] == name)]
            axes = panels[line, column]
            axes.errorbar(rows["x"], rows["diff"], yerr=rows["ci95"], marker="o", capsize=4,
                          color="#9467bd", label="status − tab, mean ± 95% CI")
            axes.axhline(0.0, color="black", linewidth=0.8, label="no difference")
            side = "above" if criterion.higher_is_better else "below"
            axes.set_title(f"{knob}: {name} (status better {side} 0)", fontsize=10)
            axes.set_xlabel(knob_named(knob).axis)
            axes.set_ylabel(criterion.axis)
            axes.legend(loc="best", fontsize=8)
    figure.suptitle("What-if: status-based minus tab-based capacity as each knob changes "
                    f"({replications} paired replications per point)")
    return figure
