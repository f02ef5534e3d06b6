"""Staffing requirements per reporting interval, under both capacity models: the entry point.

"How many agents do we need, interval by interval, to hold our service level, and how
does the answer change with the capacity model?" :func:`staff` answers it for a scenario
and :func:`sim.reports.staffing_files.write_staffing` writes its files and charts.

The work is split by job:

* :mod:`sim.staffing.goals` — :class:`StaffingGoals` (service level, max ASA, max
  abandonment, shrinkage, max occupancy) and their parsing;
* :mod:`sim.staffing.variants` — which agent group is staffed, and the scenario with its
  per-interval staffing;
* :mod:`sim.staffing.analytic` — the Erlang C/A baseline (:func:`analytic_requirements`)
  and where it is known to be wrong;
* :mod:`sim.staffing.search` — the iterative simulation search
  (:func:`simulate_requirements`, Feldman, Mandelbaum, Massey & Whitt 2008) and its
  verification; :mod:`sim.staffing.runs` is the one-run function workers import;
* :mod:`sim.staffing.curve` — service level against agents for the busiest interval;
* this module — :class:`StaffingReport` and :func:`staff`;
  :mod:`sim.reports.staffing_charts` draws, :mod:`sim.staffing.shift_cover` turns
  requirements into shifts.

**Several agent groups.** The search sets the per-interval staffing of one group, the
*staffed group*, while every other group keeps its shifts and counts as fixed capacity
(the Erlang baseline subtracts its online agents). By default the staffed group is the
first group serving every queue; in ``scenarios/multichannel_center.yaml`` that is
``chat_team``, with ``messaging_team`` on its WhatsApp/SMS shifts. Name another with
``group=`` (``--group``); it must serve every queue, since the goals cover all channels.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.scenario.schema import Scenario
from sim.scenario.units import format_clock
from sim.staffing.analytic import (
    ANALYTIC_CAVEATS,
    analytic_requirements,
    busiest_interval,
    capacity_time_s,
    erlang_servers,
    erlang_service_level,
)
from sim.staffing.curve import curve_table, curve_tasks, service_level_curve, stationary_interval
from sim.staffing.goals import StaffingError, StaffingGoals, parse_fraction, parse_service_level
from sim.staffing.runs import MEASURES, measure_run
from sim.staffing.search import (
    REPAIR_ROUNDS,
    IntervalEstimates,
    Log,
    Runner,
    StaffingResult,
    goal_margin,
    meets_goals,
    run_searches,
    simulate_requirements,
)
from sim.staffing.shift_cover import ShiftTemplate, cover_shifts
from sim.staffing.variants import (
    CAPACITY_MODEL_NAMES,
    capacity_variants,
    shift_templates_from,
    staffing_group,
    with_staffing,
)

__all__ = [
    "ANALYTIC_CAVEATS",
    "CAPACITY_MODEL_NAMES",
    "MEASURES",
    "REPAIR_ROUNDS",
    "IntervalEstimates",
    "StaffingError",
    "StaffingGoals",
    "StaffingReport",
    "StaffingResult",
    "analytic_requirements",
    "busiest_interval",
    "capacity_time_s",
    "erlang_servers",
    "erlang_service_level",
    "goal_margin",
    "measure_run",
    "meets_goals",
    "parse_fraction",
    "parse_service_level",
    "service_level_curve",
    "shift_templates_from",
    "simulate_requirements",
    "staff",
    "staffing_group",
    "stationary_interval",
    "with_staffing",
]


@dataclass
class StaffingReport:
    """Staffing of a scenario under each capacity model, on the same customers.

    Attributes:
        scenario: the scenario staffed.
        goals: the goals.
        analytic: the Erlang baseline (tab-based capacity time) per interval.
        results: capacity model -> :class:`StaffingResult`.
        skipped: capacity model -> why it was not run (e.g. a standard channel).
        curve: service level against agents for the busiest interval (or ``None``).
        shift_templates: shift patterns ``(start_interval, length_intervals)`` used.
        shifts: capacity model -> scheduled agents per shift template.
        group: the staffed agent group (the others keep their shifts).
        simulated_days: simulated days spent in total.
        simulated_runs: simulated runs in total (runs re-used from the cache not counted).
        runtime_s: wall-clock time in total (seconds).
    """

    scenario: Scenario
    goals: StaffingGoals
    analytic: pd.DataFrame
    results: dict[str, StaffingResult]
    skipped: dict[str, str] = field(default_factory=dict)
    curve: pd.DataFrame | None = None
    shift_templates: list[ShiftTemplate] = field(default_factory=list)
    shifts: dict[str, list[int]] = field(default_factory=dict)
    group: str = ""
    simulated_days: float = 0.0
    simulated_runs: int = 0
    runtime_s: float = 0.0

    def agent_hours(self) -> dict[str, float]:
        """Scheduled agent-hours per capacity model."""
        return {model: result.agent_hours for model, result in self.results.items()}

    def agent_hours_difference(self) -> float | None:
        """Status-based minus tab-based scheduled agent-hours (``None`` unless both ran)."""
        hours = self.agent_hours()
        if "tab" in hours and "status" in hours:
            return hours["status"] - hours["tab"]
        return None

    def table(self) -> pd.DataFrame:
        """One row per interval: the content of ``staffing.csv``."""
        analytic = self.analytic
        table = pd.DataFrame({
            "interval": analytic["interval"],
            "start": [format_clock(value) for value in analytic["start_s"]],
            "start_s": analytic["start_s"],
            "arrivals": analytic["arrivals"].round(3),
            "analytic_agents": analytic["agents"],
            "analytic_scheduled": analytic["scheduled_agents"],
        })
        if len(self.scenario.agent_groups) > 1:  # the fixed groups' agents, for context
            table.insert(4, "other_groups_online", analytic["other_agents"].round(2))
        for model, result in self.results.items():
            table[f"required_{model}"] = result.required
            table[f"scheduled_{model}"] = result.scheduled
            table[f"analytic_{model}"] = result.analytic["agents"].to_numpy()
            check = result.verification
            for name in ("service_level", "asa_s", "abandon_rate", "occupancy"):
                table[f"{name}_{model}"] = check[name].round(4)
                table[f"{name}_{model}_ci95"] = check[f"{name}_ci95"].round(4)
            table[f"meets_{model}"] = check["meets"]
        return table

    def summary(self) -> dict[str, Any]:
        """Agent-hours per model and their difference, goals, effort: ``staffing.json``."""
        return {
            "scenario": self.scenario.name,
            "goals": self.goals.describe(),
            "interval_s": self.scenario.interval,
            "intervals": self.scenario.n_intervals,
            "staffed_group": self.group,
            "fixed_groups": [g.name for g in self.scenario.agent_groups if g.name != self.group],
            "agent_hours": self.agent_hours(),
            "online_agent_hours": {m: r.online_agent_hours for m, r in self.results.items()},
            "analytic_agent_hours": float(
                self.analytic["scheduled_agents"].sum() * self.scenario.interval / 3600.0),
            "agent_hours_difference_status_minus_tab": self.agent_hours_difference(),
            "peak_agents": {m: int(r.scheduled.max()) for m, r in self.results.items()},
            "iterations": {m: r.iterations for m, r in self.results.items()},
            "converged": {m: r.converged for m, r in self.results.items()},
            "all_intervals_meet": {m: bool(r.verification["meets"].all())
                                   for m, r in self.results.items()},
            "binding_interval": {m: r.binding_interval for m, r in self.results.items()},
            "replications": {m: r.replications for m, r in self.results.items()},
            "verification_replications": {m: r.verification_replications
                                          for m, r in self.results.items()},
            "skipped": self.skipped,
            "shift_templates": [list(t) for t in self.shift_templates],
            "shifts": self.shifts,
            "simulated_days": round(self.simulated_days, 2),
            "simulated_runs": self.simulated_runs,
            "runtime_s": round(self.runtime_s, 2),
            "analytic_caveats": ANALYTIC_CAVEATS,
        }


def staff(
    scenario: Scenario,
    goals: StaffingGoals,
    replications: int = 10,
    seed: int | None = None,
    jobs: int = 1,
    models: Sequence[str] = CAPACITY_MODEL_NAMES,
    executor: Any = None,
    max_iterations: int = 20,
    verification_replications: int | None = None,
    curve: bool = True,
    curve_replications: int = 3,
    shift_templates: Sequence[ShiftTemplate] | None = None,
    log: Log | None = None,
    group: str | None = None,
) -> StaffingReport:
    """Staff a scenario interval by interval under each capacity model, on the same customers.

    Both models run the same replications of the same seed, so they see the same customers
    (common random numbers); their searches run in lockstep, one executor batch per
    iteration. Status-based is skipped (with the reason in ``skipped``) when the scenario
    has a standard channel. With several agent groups, ``group`` is staffed and the others
    keep their shifts (see the module docstring).

    Args:
        scenario: the scenario.
        goals: the goals.
        replications: replications per search iteration near convergence (at least 2;
            half as many in the first iterations).
        seed: root seed; the scenario's when omitted.
        jobs: local worker processes (used when ``executor`` is omitted).
        models: capacity models to staff.
        executor: where runs happen; ``sim.experiments.executors.make_executor(jobs)`` when omitted.
            Created once and used by every batch.
        max_iterations: search iterations at most.
        verification_replications: replications of the verification run (default 2x).
        curve: also simulate the service level against agents for the busiest interval.
        curve_replications: replications per point of that curve in the first batch; more
            follow until each point's 95% CI half-width is at most 5 points (or 40).
        shift_templates: shift patterns for the covering; from the staffed group's shifts
            if any.
        log: receives progress lines.
        group: the staffed agent group; the first serving every queue when omitted.

    Returns:
        A :class:`StaffingReport`.

    Raises:
        StaffingError: no group can be staffed or no capacity model is valid.
        ValueError: fewer than 2 replications or an unknown capacity model.
    """
    started = time.perf_counter()
    if replications < 2:
        raise ValueError("replications must be at least 2 for confidence intervals")
    _, staffed = staffing_group(scenario, group)
    group = staffed.name
    variants, skipped = capacity_variants(scenario, goals, models, group)
    if executor is None:
        from sim.experiments.executors import make_executor

        executor = make_executor(jobs)
    root = scenario.seed if seed is None else seed
    analytic = analytic_requirements(scenario, goals, "tab", group)
    runner = Runner(executor)
    curve_interval = busiest_interval(scenario, group)
    peak = int(analytic["agents"].iloc[curve_interval])
    agent_counts = sorted({max(1, peak + offset) for offset in range(-4, 4)})
    extra = curve_tasks(variants, goals, curve_interval, agent_counts, curve_replications,
                        root, group) if curve else []
    if log and len(scenario.agent_groups) > 1:
        others = [g.name for g in scenario.agent_groups if g.name != group]
        log(f"staffing agent group {group!r}; {', '.join(others)} keep their shifts")
    results, curve_runs = run_searches(
        variants, goals, replications, verification_replications or 2 * replications, root,
        runner, max_iterations, log, group, extra)
    curve_frame = (curve_table(variants, goals, curve_interval, agent_counts,
                               curve_replications, curve_runs, group, runner=runner,
                               seed=root) if curve else None)
    templates = (list(shift_templates) if shift_templates
                 else shift_templates_from(scenario, group))
    shifts: dict[str, list[int]] = {}
    for model, result in results.items() if templates else ():
        try:
            shifts[model] = cover_shifts(result.scheduled, templates)
        except ValueError as error:  # e.g. night intervals no template covers
            skipped[f"shifts_{model}"] = str(error)
    report = StaffingReport(
        scenario=scenario, goals=goals, analytic=analytic, results=results, skipped=skipped,
        curve=curve_frame, shift_templates=templates, shifts=shifts, group=group,
        simulated_days=runner.days, simulated_runs=runner.runs,
        runtime_s=time.perf_counter() - started,
    )
    if log:
        log(f"simulated {runner.days:.1f} days ({runner.runs} runs, {runner.batches} "
            f"batches) in {report.runtime_s:.1f}s")
    return report
