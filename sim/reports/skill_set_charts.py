"""The requirement per skill set chart of a staffing report (``skill_sets.png``).

One panel per row of :meth:`sim.staffing.plan.StaffingReport.skill_set_table`: each queue
(the sessions its queue routes) and each skill set with a row of its own. A panel shows
the row's Erlang C/A baseline (the agents its owner groups need for it alone), the agents
the simulation search chose in the staffed groups able to serve it (per capacity model;
they may serve other rows too) and the expected arrivals.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sim.reports.legends import legend_below  # noqa: E402
from sim.reports.run_charts import SIZE  # noqa: E402
from sim.reports.staffing_charts import COLORS, LABELS, PANEL_HEIGHT  # noqa: E402
from sim.reports.time_axis import clock_time_axis  # noqa: E402
from sim.scenario.clock import Clock  # noqa: E402
from sim.scenario.user_text import chart_text  # noqa: E402


def skill_set_chart(table: pd.DataFrame, interval_s: float, title: str,
                    clock: Clock | None = None) -> Figure:
    """Agents per interval for each queue and skill set: Erlang baseline and the search's.

    Args:
        table: :meth:`sim.staffing.plan.StaffingReport.skill_set_table` (``row``,
            ``kind``, ``groups``, ``start_s``, ``arrivals``, ``erlang_agents`` and
            ``able_agents_<model>``).
        interval_s: reporting interval (seconds).
        title: the chart title.
        clock: the scenario's clock; 00:00 undated when omitted.

    Returns:
        The figure, one panel per row, sharing the clock-time axis.
    """
    models = [c.removeprefix("able_agents_") for c in table.columns
              if c.startswith("able_agents_")]
    parts = [(str(name), rows) for name, rows in table.groupby("row", sort=False)]
    width, height = SIZE
    figure = Figure(figsize=(width, height + PANEL_HEIGHT * (len(parts) - 1)),
                    layout="constrained")
    panels: list[Axes] = list(figure.subplots(len(parts), 1, sharex=True,
                                              squeeze=False)[:, 0])
    legend_axes: list[Axes] = []
    for axes, (row, rows) in zip(panels, parts, strict=True):
        starts = rows["start_s"].to_numpy(dtype=float)
        edges = np.append(starts, starts[-1] + interval_s) / 3600.0

        def step(values: pd.Series) -> np.ndarray:
            array = values.to_numpy(dtype=float)
            return np.append(array, array[-1])

        for model in models:
            axes.step(edges, step(rows[f"able_agents_{model}"]), where="post",
                      color=COLORS.get(model), linewidth=2,
                      label=f"agents able to serve it, {LABELS[model]} (online)")
        axes.step(edges, step(rows["erlang_agents"]), where="post", color=COLORS["erlang"],
                  linestyle="--", linewidth=1.5, zorder=3,
                  label="Erlang (analytic) for it alone (online)")
        clock_time_axis(axes, clock or Clock(), float(edges[-1]) * 3600.0, unit_s=3600.0)
        axes.set_xlim(edges[0], edges[-1])
        axes.grid(axis="x", alpha=0.3)
        axes.set_ylabel("agents (online, count)")
        axes.set_ylim(bottom=0)
        arrivals_axes = axes.twinx()
        arrivals_axes.bar((edges[:-1] + edges[1:]) / 2.0, rows["arrivals"],
                          width=interval_s / 3600.0 * 0.9, color="#2ca02c", alpha=0.2,
                          label="expected arrivals")
        arrivals_axes.set_ylabel("arrivals (sessions per interval)")
        arrivals_axes.set_ylim(bottom=0)
        axes.set_zorder(arrivals_axes.get_zorder() + 1)
        axes.patch.set_visible(False)
        legend_axes += [axes, arrivals_axes]
        kind = str(rows["kind"].iloc[0])
        label = f"queue {row} (its own routing)" if kind == "queue" else row
        served = str(rows["groups"].iloc[0]).replace(";", ", ")
        axes.set_title(chart_text(f"{label}: served by {served}"), fontsize="medium",
                       loc="left")
    legend_below(figure, legend_axes)
    for axes in panels[:-1]:
        axes.set_xlabel("")
    figure.suptitle(chart_text(title), wrap=True)
    return figure
