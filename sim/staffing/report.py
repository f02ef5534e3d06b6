"""The staffing of a scenario's groups under each capacity model: :class:`StaffingReport`.

:func:`sim.staffing.plan.staff` makes it; :mod:`sim.reports.staffing_files` writes it.

**The result's structure** (what the charts and files read): :meth:`StaffingReport.table`
is a long table, one row per reporting interval and staffed group: ``interval``,
``start_s``, ``start`` (``HH:MM`` on the scenario's clock; ``datetime`` too when the
scenario's start has a date), ``group``, ``arrivals`` (expected sessions of the
queues the group owns in the analytic start), ``analytic_agents`` / ``analytic_scheduled``
and, per capacity model ``m``: ``required_m`` (online), ``scheduled_m`` (with shrinkage),
``service_level_m``, ``asa_s_m``, ``abandon_rate_m`` and their ``_ci95`` (over the
queues the group serves, weighted by their offered or answered sessions), ``meets_m``
(every queue meets its goals in the interval), ``one_fewer_breaks_m``,
``one_fewer_margin_m`` with its CI ends
``one_fewer_margin_low_m`` / ``one_fewer_margin_high_m``, ``one_fewer_queue_m`` and
``decision_clear_m``; ``within_noise_m`` (the 95% CI of some queue's figure straddles its
goal: more replications could turn the answer), ``days_met_m`` (the share of the
verification's days on which every queue met its goals: the chance a day meets them; on a
share of days, ``goals.days``, ``meets_m`` is whether it reaches that share); with groups
not staffed, ``fixed_agents_online`` (their mean agents logged in and not on a break, from
their schedule). :meth:`StaffingReport.queue_table`
is one row per capacity model, interval and queue (then ``all``) with the verification's
figures and CIs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.scenario.clock import SECONDS_PER_DAY
from sim.scenario.schema import Scenario
from sim.staffing.analytic import ANALYTIC_CAVEATS, group_starts
from sim.staffing.day_measures import MEASURE_INDEX
from sim.staffing.goals import StaffingGoals
from sim.staffing.group_search import GroupStaffingResult, requirement_rows
from sim.staffing.search import DayEstimates
from sim.staffing.shift_cover import ShiftTemplate, covered_agents
from sim.staffing.shift_plan import ShiftPattern, availability_matrix, pattern_label
from sim.staffing.skill_sets import row_requirements, skill_set_summary
from sim.staffing.variants import online_agents


@dataclass
class StaffingReport:
    """Staffing of a scenario's groups under each capacity model, on the same customers.

    Attributes:
        scenario: the scenario staffed.
        goals: the run's goals (the defaults of every queue, shrinkage, occupancy cap).
        per_queue: queue -> the goals it must meet.
        groups: the staffed groups.
        analytic: :func:`sim.staffing.analytic.queue_requirements` (tab-based capacity
            time) per queue and interval.
        results: capacity model -> :class:`GroupStaffingResult`.
        skipped: what was not done and why (a capacity model, a shift plan, the curve).
        curve: service level against agents for the busiest interval (or ``None``).
        group_templates: group -> shift patterns ``(start_interval, length_intervals)``.
        group_shifts: capacity model -> group -> scheduled agents per shift template of
            ``group_templates`` (:meth:`shift_cover_table` sets them against the
            requirement).
        group_patterns: group -> its shifts (with their breaks) behind ``group_templates``.
        shift_estimates: capacity model -> the shift plan's verification (every staffed
            group working its plan, breaks included; the verification's replications).
        shift_scenarios: capacity model -> the scenario of that shift plan (what
            ``--write-scenario`` writes).
        simulated_days: simulated days spent in total.
        simulated_runs: simulated runs in total (runs re-used from the cache not counted).
        runtime_s: wall-clock time in total (seconds).
    """

    scenario: Scenario
    goals: StaffingGoals
    per_queue: dict[str, StaffingGoals]
    groups: list[str]
    analytic: pd.DataFrame
    results: dict[str, GroupStaffingResult]
    skipped: dict[str, str] = field(default_factory=dict)
    curve: pd.DataFrame | None = None
    group_templates: dict[str, list[ShiftTemplate]] = field(default_factory=dict)
    group_shifts: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    group_patterns: dict[str, list[ShiftPattern]] = field(default_factory=dict)
    shift_estimates: dict[str, DayEstimates] = field(default_factory=dict)
    shift_scenarios: dict[str, Scenario] = field(default_factory=dict)
    simulated_days: float = 0.0
    simulated_runs: int = 0
    runtime_s: float = 0.0

    @property
    def group(self) -> str:
        """The staffed groups, comma separated (for titles)."""
        return ", ".join(self.groups)

    def shift_cover_table(self) -> pd.DataFrame:
        """Every group's shift plan against its scheduled requirement, per model.

        One row per staffed group with a plan, capacity model and interval: ``interval``,
        ``start_s``, ``group``, ``model``, ``required`` (scheduled agents), ``on_shift``
        (agents whose shift covers the interval), ``available`` (their mean number not on
        a break) and ``surplus`` (on shift - required: paid beyond the requirement).
        """
        frames = []
        n = self.scenario.n_intervals
        for position, name in enumerate(self.groups):
            for model, plans in self.group_shifts.items():
                if name not in plans:
                    continue
                need = self.results[model].scheduled[position]
                on_shift = covered_agents(plans[name], self.group_templates[name], n)
                available = availability_matrix(self.group_patterns[name], n) @ np.asarray(
                    plans[name], dtype=float) if name in self.group_patterns else on_shift
                frames.append(pd.DataFrame({
                    "interval": np.arange(n), "start_s": np.arange(n) * self.scenario.interval,
                    "group": name, "model": model, "required": need, "on_shift": on_shift,
                    "available": np.round(available, 3), "surplus": on_shift - need}))
        columns = ["interval", "start_s", "group", "model", "required", "on_shift",
                   "available", "surplus"]
        return (pd.concat(frames, ignore_index=True) if frames
                else pd.DataFrame(columns=columns))

    def shift_labels(self, group: str) -> list[str]:
        """The group's shift patterns as ``HH:MM-HH:MM`` with their breaks, in plan order."""
        patterns = self.group_patterns.get(group)
        if patterns:
            return [pattern_label(pattern, self.clock) for pattern in patterns]
        interval = self.scenario.interval
        return [f"{self.clock(start * interval)}+{length * interval / 3600:g}h"
                for start, length in self.group_templates.get(group, [])]

    def paid_hours(self, model: str) -> dict[str, float]:
        """Group -> agent-hours its shift plan pays (agents x shift length, in the horizon)."""
        horizon = self.scenario.horizon
        return {name: float(sum(count * (min(pattern.shift.end, horizon) - pattern.shift.start)
                                for pattern, count in zip(self.group_patterns[name], counts,
                                                          strict=True)) / 3600.0)
                for name, counts in self.group_shifts.get(model, {}).items()}

    def surplus_hours(self, model: str) -> dict[str, float]:
        """Group -> paid shift hours beyond its scheduled requirement (agent-hours)."""
        required = self.results[model].group_agent_hours()
        return {name: paid - required[name] for name, paid in self.paid_hours(model).items()}

    def judged_on(self, model: str) -> str:
        """How the goals are judged: on the mean of the replications, or a share of days."""
        result = self.results[model]
        if result.days is not None:
            return (f"on {result.days:.0%} of the {result.estimates.replications} "
                    "verification days")
        return f"on the mean of {result.estimates.replications} replications"

    def shift_plan_meets(self, model: str) -> np.ndarray:
        """Per interval: every queue meets its goals in the shift plan's verification."""
        check = self.results[model].check
        return np.asarray(check.meets(self.shift_estimates[model]).all(axis=0))

    def shift_plan_missing(self, model: str) -> list[str]:
        """Clock times of the intervals where the shift plan's verification misses a goal."""
        return [self.clock(i * self.scenario.interval)
                for i in np.flatnonzero(~self.shift_plan_meets(model))]

    def carried(self, model: str) -> dict[str, list[str]]:
        """Group -> the spans (``HH:MM-HH:MM``) of the intervals it has agents in."""
        result = self.results[model]
        spans: dict[str, list[str]] = {}
        for name, row in zip(result.groups, result.required, strict=True):
            staffed = np.flatnonzero(row > 0)
            runs = np.split(staffed, np.flatnonzero(np.diff(staffed) > 1) + 1) if len(
                staffed) else []
            spans[name] = [f"{self.clock(run[0] * self.scenario.interval)}-"
                           f"{self.clock((run[-1] + 1) * self.scenario.interval)}"
                           for run in runs]
        return spans

    @property
    def fixed_groups(self) -> list[str]:
        """Agent groups not staffed (they keep their agents)."""
        return [g.name for g in self.scenario.agent_groups if g.name not in self.groups]

    def clock(self, seconds: float) -> str:
        """``HH:MM`` of a model time (seconds), on the scenario's clock.

        ``Mon 08:00`` (or ``day 2 08:00`` undated) when the run spans several days.
        """
        clock = self.scenario.clock
        return clock.label(seconds, with_day=clock.multi_day(self.scenario.horizon))

    def day_hours(self, model: str) -> dict[str, dict[str, float]]:
        """Per simulated day (24 hours from the start): agent-hours required and paid.

        ``{day: {"required": scheduled agent-hours of every staffed group, "paid": the
        shift plan's agent-hours of the shifts starting that day}}``, then ``"week"`` (or
        ``"all days"``) with the totals; days are named ``Mon`` (dated) or ``day 2``.
        """
        scenario = self.scenario
        days = max(1, math.ceil(scenario.horizon / SECONDS_PER_DAY - 1e-9))
        starts = np.arange(scenario.n_intervals) * scenario.interval
        day_of = (starts // SECONDS_PER_DAY).astype(int)
        scheduled = self.results[model].scheduled.sum(axis=0) * scenario.interval / 3600.0
        paid = np.zeros(days)
        for name, counts in self.group_shifts.get(model, {}).items():
            for pattern, count in zip(self.group_patterns[name], counts, strict=True):
                shift = pattern.shift
                paid[min(days - 1, int(shift.start // SECONDS_PER_DAY))] += count * (
                    min(shift.end, scenario.horizon) - shift.start) / 3600.0
        table: dict[str, dict[str, float]] = {}
        for day in range(days):
            label = scenario.clock.label(day * SECONDS_PER_DAY, with_day=True).rsplit(" ", 1)[0]
            if label in table:  # a second Monday
                label = f"{label} {scenario.clock.day_number(day * SECONDS_PER_DAY)}"
            table[label] = {"required": float(scheduled[day_of == day].sum()),
                            "paid": float(paid[day])}
        table["week" if days == 7 else "all days"] = {
            "required": float(scheduled.sum()), "paid": float(paid.sum())}
        return table

    def agent_hours(self) -> dict[str, float]:
        """Scheduled agent-hours per capacity model, every staffed group."""
        return {model: result.agent_hours for model, result in self.results.items()}

    def agent_hours_difference(self) -> float | None:
        """Status-based minus tab-based scheduled agent-hours (``None`` unless both ran)."""
        hours = self.agent_hours()
        if "tab" in hours and "status" in hours:
            return hours["status"] - hours["tab"]
        return None

    def table(self) -> pd.DataFrame:
        """One row per interval and staffed group: ``staffing.csv`` (see the module)."""
        scenario = self.scenario
        n = scenario.n_intervals
        starts = np.arange(n) * scenario.interval
        analytic = self.analytic
        start = group_starts(analytic, self.groups, n)
        frames = []
        for position, name in enumerate(self.groups):
            owned = analytic[analytic["group"] == name]
            arrivals = (owned.groupby("interval")["arrivals"].sum()
                        .reindex(range(n), fill_value=0.0).to_numpy())
            frame = pd.DataFrame({
                "interval": np.arange(n), "start_s": starts,
                "start": [self.clock(value) for value in starts],
                **{key: column for key, column in
                   scenario.clock.clock_columns(starts, scenario.horizon).items()
                   if key != "clock"},
                "group": name,
                "arrivals": arrivals.round(3), "analytic_agents": start[position],
                "analytic_scheduled": self.goals.scheduled(start[position]),
            })
            if self.fixed_groups:
                fixed = sum(online_agents(g, scenario) for g in scenario.agent_groups
                            if g.name in self.fixed_groups)
                frame["fixed_agents_online"] = np.round(fixed, 2)
            frames.append(frame)
        table = pd.concat(frames, ignore_index=True)
        for model, result in self.results.items():
            rows = requirement_rows(result, starts.tolist())
            table[f"required_{model}"] = rows["required"].to_numpy()
            table[f"scheduled_{model}"] = rows["scheduled"].to_numpy()
            for measure, weight_by in (("service_level", "offered"), ("asa_s", "answered"),
                                       ("abandon_rate", "offered")):
                value, half = _group_figure(self.scenario, result, measure, weight_by)
                table[f"{measure}_{model}"] = value.ravel().round(4)
                table[f"{measure}_{model}_ci95"] = half.ravel().round(4)
            table[f"meets_{model}"] = np.tile(result.meets(), len(self.groups))
            table[f"within_noise_{model}"] = np.tile(result.within_noise(), len(self.groups))
            table[f"days_met_{model}"] = np.tile(result.share_of_days().round(4),
                                                 len(self.groups))
            for column in ("one_fewer_breaks", "one_fewer_margin", "one_fewer_margin_low",
                           "one_fewer_margin_high", "one_fewer_queue",
                           "one_fewer_replications", "decision_clear"):
                values = rows[column]
                table[f"{column}_{model}"] = (values.round(4) if values.dtype == float
                                              else values).to_numpy()
        return table

    def skill_set_table(self) -> pd.DataFrame:
        """Per queue and separate skill set, per interval: ``staffing_skill_sets.csv``.

        Its Erlang baseline and the agents able to serve it (:func:`row_requirements`).
        """
        return row_requirements(self.scenario, self.analytic, list(self.per_queue),
                                {m: r.required for m, r in self.results.items()}, self.groups)

    def queue_table(self) -> pd.DataFrame:
        """Per capacity model, interval and queue (then ``all``): the verification's figures.

        With their 95% CIs, ``margin`` and ``meets``: ``staffing_queues.csv``.
        """
        frames = []
        for model, result in self.results.items():
            rows = result.queue_table()
            start_s = rows["interval"].to_numpy() * self.scenario.interval
            rows.insert(0, "capacity_model", model)
            rows.insert(2, "clock", [self.clock(value) for value in start_s])
            frames.append(rows)
        return pd.concat(frames, ignore_index=True).round(4)

    def uncovered(self, model: str, group: str) -> list[str]:
        """Clock times of intervals needing agents that no shift template of ``group`` covers.

        Empty when every interval needing agents is covered (an agent of one of its
        shifts available there, not on a break all of it).
        """
        patterns = self.group_patterns.get(group, [])
        result = self.results[model]
        need = result.scheduled[self.groups.index(group)]
        covered = (availability_matrix(patterns, len(need)).max(axis=1) > 1e-9 if patterns
                   else np.zeros(len(need), dtype=bool))
        return [self.clock(i * self.scenario.interval)
                for i in np.flatnonzero((need > 0) & ~covered)]

    def summary(self) -> dict[str, Any]:
        """Agent-hours per model and group, goals, verification, effort: ``staffing.json``."""
        results = self.results
        return {
            "scenario": self.scenario.name,
            "goals": self.goals.describe(),
            "queue_goals": {queue: goals.describe() for queue, goals in self.per_queue.items()},
            "interval_s": self.scenario.interval,
            "intervals": self.scenario.n_intervals,
            "staffed_groups": self.groups,
            "staffed_group": self.group,
            "fixed_groups": self.fixed_groups,
            "agent_hours": self.agent_hours(),
            "group_agent_hours": {m: r.group_agent_hours() for m, r in results.items()},
            "online_agent_hours": {m: r.online_agent_hours for m, r in results.items()},
            "analytic_agent_hours": float(self.goals.scheduled(group_starts(
                self.analytic, self.groups, self.scenario.n_intervals)).sum()
                * self.scenario.interval / 3600.0),
            "agent_hours_difference_status_minus_tab": self.agent_hours_difference(),
            "peak_agents": {m: int(r.scheduled.sum(axis=0).max()) for m, r in results.items()},
            "iterations": {m: r.iterations for m, r in results.items()},
            "converged": {m: r.converged for m, r in results.items()},
            "all_intervals_meet": {m: bool(r.meets().all()) for m, r in results.items()},
            "intervals_missing": {m: [self.clock(i * self.scenario.interval)
                                      for i in np.flatnonzero(~r.meets())]
                                  for m, r in results.items()},
            "goals_out_of_reach": {m: r.out_of_reach_lines(self.clock)
                                   for m, r in results.items()},
            "one_fewer_breaks": {m: {g: int(row.sum()) for g, row in zip(
                r.groups, r.breaks_with_one_fewer(), strict=True)} for m, r in results.items()},
            "binding_interval": {m: _binding(self, r) for m, r in results.items()},
            "replications": {m: r.replications for m, r in results.items()},
            "verification_replications": {m: r.verification_replications
                                          for m, r in results.items()},
            "skipped": self.skipped,
            "shift_templates": {g: [list(t) for t in ts] for g, ts in self.group_templates.items()},
            "shifts": self.group_shifts,
            "carried": {m: self.carried(m) for m in results},
            "hours_per_day": {m: self.day_hours(m) for m in results},
            "paid_shift_hours": {m: self.paid_hours(m) for m in self.group_shifts},
            "shift_surplus_hours": {m: self.surplus_hours(m) for m in self.group_shifts},
            "goals_judged": {m: self.judged_on(m) for m in results},
            "intervals_within_noise": {m: [self.clock(i * self.scenario.interval)
                                           for i in np.flatnonzero(r.within_noise())]
                                       for m, r in results.items()},
            "chance_day_meets": {m: {self.clock(i * self.scenario.interval): round(float(v), 4)
                                     for i, v in enumerate(r.share_of_days())}
                                 for m, r in results.items()},
            "shift_plan_intervals_missing": {m: self.shift_plan_missing(m)
                                             for m in self.shift_estimates},
            "simulated_days": round(self.simulated_days, 2),
            "simulated_runs": self.simulated_runs,
            "runtime_s": round(self.runtime_s, 2),
            "analytic_caveats": ANALYTIC_CAVEATS,
            "skill_sets": skill_set_summary(self.scenario, self.skill_set_table()),
            **self.days_summary(),
        }

    def days_summary(self) -> dict[str, Any]:
        """On a share of days: the share asked and each model's share of days met.

        ``days`` (the share), ``days_met`` (model -> clock time -> the share of the
        verification's days meeting every queue's goals) and ``days_met_lowest`` (model ->
        the lowest over the intervals); empty when the goals hold on the mean.
        """
        if self.goals.days is None:
            return {}
        shares = {model: result.share_of_days() for model, result in self.results.items()}
        return {
            "days": self.goals.days,
            "days_met": {model: {self.clock(i * self.scenario.interval): round(float(v), 4)
                                 for i, v in enumerate(share)}
                         for model, share in shares.items()},
            "days_met_lowest": {model: round(float(share.min()), 4)
                                for model, share in shares.items()},
        }


def _binding(report: StaffingReport, result: GroupStaffingResult) -> str | None:
    """``group HH:MM``: where one agent fewer misses a goal by the most."""
    margin = np.where(result.required > 0, result.probe.margin, np.inf)
    if not np.isfinite(margin).any():
        return None
    group, interval = np.unravel_index(int(np.argmin(margin)), margin.shape)
    return f"{result.groups[group]} {report.clock(interval * report.scenario.interval)}"


def _group_figure(scenario: Scenario, result: GroupStaffingResult, measure: str,
                  weight_by: str = "offered") -> tuple[np.ndarray, np.ndarray]:
    """``[group, interval]`` one measure over the queues each group serves.

    The queues' means weighted by their ``weight_by`` counts (offered sessions; answered
    ones for the ASA), with the equally weighted CI half-widths (an upper bound of the
    weighted mean's).
    """
    value = result.estimates.mean[:-1, MEASURE_INDEX[measure]]
    half = result.estimates.ci95[:-1, MEASURE_INDEX[measure]]
    counts = result.estimates.mean[:-1, MEASURE_INDEX[weight_by]]
    by_name = {group.name: group for group in scenario.agent_groups}
    means, halves = [], []
    for name in result.groups:
        serves = np.array([queue in by_name[name].queues for queue in result.queues])
        weight = np.where(serves[:, None] & ~np.isnan(value), counts, 0.0)
        total = weight.sum(axis=0)
        means.append(np.divide((weight * np.nan_to_num(value)).sum(axis=0), total,
                               out=np.full(total.shape, np.nan), where=total > 0))
        halves.append(np.divide((weight * np.nan_to_num(half)).sum(axis=0), total,
                                out=np.full(total.shape, np.nan), where=total > 0))
    return np.array(means), np.array(halves)
