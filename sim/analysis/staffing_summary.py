"""The staffing notebook's tables and conclusion, from a :class:`StaffingReport`.

Every figure is per staffed agent group (one or several) and in total; interval times are
clock times of the scenario (``HH:MM``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.analysis.preference import number
from sim.reports.staffing_charts import LABELS
from sim.scenario.schema import Scenario
from sim.staffing.plan import StaffingGoals, StaffingReport, staffed_groups


def staffing_setting_text(scenario: Scenario, goals: StaffingGoals,
                          groups: Sequence[str] | None = None) -> str:
    """What the staffing notebook staffs, against which goal, in clock time (Markdown)."""
    chosen = staffed_groups(scenario, groups)
    staffed = "; ".join(f"{g.name}: {g.agents} agents of capacity {g.capacity_units:g}"
                        for g in scenario.agent_groups if g.name in chosen)
    fixed = [g.name for g in scenario.agent_groups if g.name not in chosen]
    clock = scenario.clock
    return (f"**{scenario.name}**: {scenario.description}\n\n"
            f"Goal: {goals.describe()}. Staffed group(s): {staffed}"
            + (f"; {', '.join(fixed)} keep their agents" if fixed else "")
            + f". The staffing below replaces their agents with a number per "
            f"{scenario.interval / 60:g}-minute interval, {clock.hhmm(0)} to "
            f"{clock.hhmm(scenario.horizon)} ({scenario.n_intervals} intervals).")


def when(report: StaffingReport, seconds: float) -> str:
    """The clock time of a model time: ``HH:MM``, with the weekday or day on a multi-day run."""
    clock, horizon = report.scenario.clock, report.scenario.horizon
    return clock.label(seconds, with_day=clock.multi_day(horizon))


def span(report: StaffingReport) -> str:
    """``per day`` for a one-day scenario, else ``over the <horizon> h``."""
    scenario = report.scenario
    if scenario.clock.multi_day(scenario.horizon):
        return f"over the {scenario.horizon / 3600:g} h"
    return "per day"


def staffing_view(report: StaffingReport) -> pd.DataFrame:
    """The staffing per interval a planner reads: arrivals, Erlang and each model's agents.

    Returns:
        Indexed by ``time`` (``HH:MM``, with the day on a multi-day run; and ``group``
        first with several groups): ``arrivals``, ``analytic_scheduled`` and, per
        capacity model ``m``, ``scheduled_m``, ``service_level_m`` and ``meets_m``.
    """
    table = report.table()
    table["time"] = [when(report, value) for value in table["start_s"]]
    columns = ["group", "time", "arrivals", "analytic_scheduled"]
    for model in report.results:
        columns += [f"scheduled_{model}", f"service_level_{model}", f"meets_{model}"]
    view = table[columns]
    if len(report.groups) == 1:
        return view.drop(columns="group").set_index("time")
    return view.set_index(["group", "time"])


def staffing_hours_table(report: StaffingReport) -> pd.DataFrame:
    """Scheduled agent-hours per group (and ``all``): Erlang and each capacity model.

    Returns:
        Indexed by group, then ``all``: ``erlang`` and one column per capacity model
        (hours over the scenario's horizon), and ``status - tab`` when both models ran.
    """
    table, interval_h = report.table(), report.scenario.interval / 3600.0
    hours = pd.DataFrame({"erlang": table.groupby("group", sort=False)["analytic_scheduled"]
                          .sum() * interval_h})
    for model, result in report.results.items():
        hours[model] = pd.Series(result.group_agent_hours())
    hours.loc["all"] = hours.sum()
    if "tab" in hours and "status" in hours:
        hours["status - tab"] = hours["status"] - hours["tab"]
    return hours.rename_axis("group")


def curve_crossings(curve: pd.DataFrame, target: float) -> dict[str, int | None]:
    """Fewest agents at which each model's curve reaches the target (``None``: never).

    Args:
        curve: :attr:`StaffingReport.curve` (``model``, ``agents``, ``service_level``).
        target: the service-level target (share).
    """
    crossings: dict[str, int | None] = {}
    for model, rows in curve.groupby("model", sort=False):
        meets = rows.loc[rows["service_level"] >= target, "agents"]
        crossings[str(model)] = int(meets.min()) if len(meets) else None
    return crossings


def peak_text(report: StaffingReport, model: str) -> str:
    """The most agents a model schedules at once, when, and per group with several."""
    result, interval_s = report.results[model], report.scenario.interval
    total = result.scheduled.sum(axis=0)
    at = int(np.argmax(total))
    text = f"peak {int(total[at])} agents at {when(report, at * interval_s)}"
    if len(report.groups) > 1:
        text += " (" + ", ".join(
            f"{group} {int(row.max())} at {when(report, int(np.argmax(row)) * interval_s)}"
            if row.max() > 0 else f"{group} none"
            for group, row in zip(result.groups, result.scheduled, strict=True)) + ")"
    return text


def model_line(report: StaffingReport, model: str) -> str:
    """One capacity model's staffing: hours, peak, whether every interval meets the goal."""
    result = report.results[model]
    meets = result.meets()
    missing = [when(report, i * report.scenario.interval) for i in np.flatnonzero(~meets)]
    line = (f"- **{LABELS[model]}** needs {result.agent_hours:g} agent-hours "
            f"({peak_text(report, model)}); "
            + ("every interval meets the goal in the verification run" if not missing
               else f"{len(missing)} interval(s) still miss the goal ({', '.join(missing)})"))
    if result.days is not None:
        line += (f" (the goals asked on {result.days:.0%} of days; lowest share of the "
                 f"{result.estimates.replications} verification days meeting them "
                 f"{result.share_of_days().min():.0%})")
    if not result.converged:
        line += " (the search had not settled: more iterations or replications would firm it up)"
    return line + "."


def staffing_conclusion(report: StaffingReport) -> str:
    """The staffing notebook's conclusion as Markdown, written from the report's figures."""
    hours = staffing_hours_table(report)
    erlang = number(hours, "all", "erlang")
    models = list(report.results)
    replications = next(iter(report.results.values())).replications if models else 0
    lines = [f"**{report.scenario.name}**, agent group(s) {report.group}, goal "
             f"{report.goals.describe()}, {replications} replications per search iteration.",
             "", *[model_line(report, model) for model in models]]
    lines.append(f"- The **Erlang baseline** asks for {erlang:g} agent-hours; the simulation "
                 + ", ".join(f"{'adds' if number(hours, 'all', m) > erlang else 'saves'} "
                             f"{abs(number(hours, 'all', m) - erlang):g} h under {LABELS[m]}"
                             for m in models)
                 + " (Erlang ignores silent and returning customers, offline agents and the "
                 "backlog carried between intervals).")
    difference = report.agent_hours_difference()
    if difference is not None:
        tab = number(hours, "all", "tab")
        share = f" ({abs(difference) / tab:.1%})" if tab else ""
        lines.append(f"- **Status-based capacity {'saves' if difference < 0 else 'costs'} "
                     f"{abs(difference):g} agent-hours** {span(report)} against "
                     f"tab-based{share}.")
    curve = report.curve
    target = report.goals.service_level
    if curve is not None and "start_s" in curve.attrs and target is not None:
        crossing = curve_crossings(curve, target)
        lines.append(f"- In the busiest interval ({when(report, curve.attrs['start_s'])}) held "
                     "stationary, the target is first reached at " + ", ".join(
                         f"{n} agents ({LABELS.get(m, m)})" if n is not None
                         else f"no agent count tried ({LABELS.get(m, m)})"
                         for m, n in crossing.items()) + ".")
    if report.skipped:
        lines.append("- Not done: " + "; ".join(f"{k}: {v}" for k, v in report.skipped.items())
                     + ".")
    return "\n".join(lines)
