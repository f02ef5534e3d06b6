"""Staffing requirements per reporting interval and agent group, under both capacity models.

"How many agents of each group do we need, interval by interval, so that every queue holds
its goals, and how does the answer change with the capacity model?" :func:`staff` answers
it for a scenario and :func:`sim.reports.staffing_files.write_staffing` writes its files.

The work is split by job:

* :mod:`sim.staffing.goals` — :class:`StaffingGoals` (service level, max ASA, max
  abandonment, shrinkage per interval, max occupancy) and each queue's own goals
  (:func:`queue_goals`, from ``queues[].service_level`` / ``max_asa`` / ``max_abandon``);
* :mod:`sim.staffing.variants` — which groups are staffed (:func:`staffed_groups`: by
  default every group with shifts or staffing) and the scenario with their staffing;
* :mod:`sim.staffing.analytic` — the Erlang C/A start per queue
  (:func:`queue_requirements`) and where it is known to be wrong;
* :mod:`sim.staffing.group_search` — the simulation search over every group at once, its
  verification and the verified result of one agent fewer;
  :mod:`sim.staffing.day_measures` is the one-run function workers import and
  :mod:`sim.staffing.search` the runner, its cache and the goals' margins;
* :mod:`sim.staffing.curve` — service level against agents for the busiest interval;
* :mod:`sim.staffing.staffed_scenario` — the answer written back as a scenario;
* :mod:`sim.staffing.report` — :class:`StaffingReport`, what a search found;
* this module — :func:`staff`, the entry point, and :class:`StaffingOptions`, how it searches.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.scenario.schema import Scenario
from sim.staffing.analytic import (
    ANALYTIC_CAVEATS,
    analytic_requirements,
    busiest_interval,
    capacity_time_s,
    erlang_servers,
    erlang_service_level,
    group_starts,
    queue_requirements,
)
from sim.staffing.curve import curve_table, curve_tasks, service_level_curve, stationary_interval
from sim.staffing.day_goals import check_days_replications, days_replications, parse_days
from sim.staffing.day_measures import measure_day
from sim.staffing.goals import (
    StaffingError,
    StaffingGoals,
    parse_fraction,
    parse_service_level,
    queue_goals,
)
from sim.staffing.group_search import (
    REPAIR_ROUNDS,
    GroupStaffingResult,
    run_group_searches,
)
from sim.staffing.report import StaffingReport
from sim.staffing.search import DayEstimates, GoalCheck, Log, Runner
from sim.staffing.shift_cover import (
    ShiftTemplate,
    cover_shifts,
)
from sim.staffing.shift_plan import (
    availability_matrix,
    group_hours,
    group_patterns,
    template_patterns,
    with_shift_plans,
)
from sim.staffing.skill_sets import with_skill_set_goals
from sim.staffing.variants import (
    CAPACITY_MODEL_NAMES,
    capacity_variants,
    shift_templates_from,
    staffed_groups,
    staffing_group,
    with_group_staffing,
    with_staffing,
)

if TYPE_CHECKING:
    from sim.experiments.executors import Executor

__all__ = [
    "ANALYTIC_CAVEATS",
    "CAPACITY_MODEL_NAMES",
    "REPAIR_ROUNDS",
    "DayEstimates",
    "GoalCheck",
    "GroupStaffingResult",
    "StaffingError",
    "StaffingGoals",
    "StaffingOptions",
    "StaffingReport",
    "analytic_requirements",
    "busiest_interval",
    "capacity_time_s",
    "check_replications",
    "days_replications",
    "erlang_servers",
    "erlang_service_level",
    "measure_day",
    "parse_days",
    "parse_fraction",
    "parse_service_level",
    "queue_goals",
    "queue_requirements",
    "service_level_curve",
    "shift_templates_from",
    "staff",
    "staffed_groups",
    "staffing_group",
    "stationary_interval",
    "with_group_staffing",
    "with_staffing",
]


@dataclass(frozen=True)
class StaffingOptions:
    """How :func:`staff` searches: replications, models, groups, shifts and the curve.

    Attributes:
        replications: replications per lowering iteration (half while raising, all of
            them on a share of days; at least 2, and with ``goals.days`` at least
            :func:`days_replications` so that a day may miss).
        seed: root seed; the scenario's when omitted.
        jobs: local worker processes (used when no executor is given).
        models: capacity models to staff.
        max_iterations: raise and lower steps at most.
        verification_replications: replications of the verification run (default 2x).
        curve: also simulate the service level against agents for the busiest interval
            (of the first group serving every queue; skipped when none does).
        curve_replications: replications per point of that curve in the first batch; more
            follow until each point's 95% CI half-width is at most 5 points (or 40).
        shift_templates: shift patterns for the covering of every group; each group's
            own shifts when omitted.
        groups: the staffed groups; every group with shifts or staffing when omitted.
        extend_unclear: give one-fewer probes whose 95% CI straddles a goal twice the
            verification's replications (once), so more decisions are clear (about 30%
            more runs on ``multichannel_center``; see ``benchmarks/README.md``).
    """

    replications: int = 6
    seed: int | None = None
    jobs: int = 1
    models: Sequence[str] = CAPACITY_MODEL_NAMES
    max_iterations: int = 20
    verification_replications: int | None = None
    curve: bool = True
    curve_replications: int = 3
    shift_templates: Sequence[ShiftTemplate] | None = None
    groups: Sequence[str] | None = None
    extend_unclear: bool = False


def staff(
    scenario: Scenario,
    goals: StaffingGoals,
    options: StaffingOptions | None = None,
    *,
    executor: Executor | None = None,
    log: Log | None = None,
    **settings: Any,
) -> StaffingReport:
    """Staff every named group interval by interval under each capacity model.

    Both models run the same replications of the same seed, so they see the same customers
    (common random numbers); their searches run in lockstep, one executor batch per step.
    Status-based is skipped (with the reason in ``skipped``) when the scenario has a
    standard channel.

    Args:
        scenario: the scenario.
        goals: the goals every queue without its own must meet, shrinkage, occupancy cap
            and ``days``: with a share of days (``StaffingGoals(days=0.9)``) every queue's
            goals must hold on at least that share of the replications (days) in every
            interval, not on their mean (see :mod:`sim.staffing.day_goals`).
        options: how to search (:class:`StaffingOptions`); its defaults when omitted.
        executor: where runs happen; ``sim.experiments.executors.make_executor(jobs)`` when
            omitted. Created once and used by every batch.
        log: receives progress lines.
        **settings: :class:`StaffingOptions` fields given one by one, over ``options``
            (``staff(scenario, goals, replications=8, models=["tab"])``).

    Returns:
        A :class:`StaffingReport`.

    Raises:
        StaffingError: a group cannot be staffed, a queue has no goal, or no capacity
            model is valid.
        ValueError: too few replications (:func:`check_replications`) or an unknown
            capacity model.
        TypeError: a setting that is not a :class:`StaffingOptions` field.
    """
    options = replace(options or StaffingOptions(), **settings)
    replications, seed, groups = options.replications, options.seed, options.groups
    shift_templates, max_iterations = options.shift_templates, options.max_iterations
    started = time.perf_counter()
    verification_replications = options.verification_replications or 2 * replications
    check_replications(goals, replications, verification_replications)
    chosen = staffed_groups(scenario, groups)
    per_queue = with_skill_set_goals(scenario, queue_goals(scenario, goals))
    goals.shrinkage_at(scenario.n_intervals)  # a list of the wrong length fails here
    check = GoalCheck.of(per_queue, goals)
    variants, skipped = _variants(scenario, goals, options.models, chosen)
    if executor is None:
        from sim.experiments.executors import make_executor

        executor = make_executor(options.jobs)
    root = scenario.seed if seed is None else seed
    runner = Runner(executor)
    patterns = {name: template_patterns(scenario, shift_templates) if shift_templates
                else group_patterns(scenario, name) for name in chosen}
    hours = group_hours(scenario, chosen, patterns)
    starts = {model: group_starts(queue_requirements(variant, goals, per_queue, model, chosen,
                                                     hours),
                                  chosen, scenario.n_intervals)
              for model, variant in variants.items()}
    if log and len(scenario.agent_groups) > 1:
        fixed = [g.name for g in scenario.agent_groups if g.name not in chosen]
        log(f"staffing agent group(s) {', '.join(chosen)}"
            + (f"; {', '.join(fixed)} keep their agents" if fixed else ""))
    results = run_group_searches(
        variants, goals, check, chosen, starts, replications, verification_replications,
        root, runner, max_iterations, log, options.extend_unclear, hours)
    curve_frame = _curve(scenario, goals, variants, runner, root, options.curve_replications,
                         skipped, log) if options.curve else None
    report = StaffingReport(
        scenario=scenario, goals=goals, per_queue=per_queue, groups=chosen,
        analytic=queue_requirements(scenario, goals, per_queue, "tab", chosen, hours),
        results=results, skipped=skipped, curve=curve_frame,
        group_templates={name: [pattern.template for pattern in patterns[name]]
                         for name in chosen},
        group_patterns=patterns,
    )
    _cover(report)
    _verify_shifts(report, variants, runner, root, log)
    report.simulated_days, report.simulated_runs = runner.days, runner.runs
    report.runtime_s = time.perf_counter() - started
    if log:
        log(f"simulated {runner.days:.1f} days ({runner.runs} runs, {runner.batches} "
            f"batches) in {report.runtime_s:.1f}s")
    return report


def check_replications(goals: StaffingGoals, replications: int,
                       verification_replications: int) -> None:
    """Refuse replications too few for confidence intervals or for the share of days.

    Raises:
        ValueError: fewer than 2 replications, or (with ``goals.days``) fewer search or
            verification replications than :func:`days_replications` (no day could miss).
    """
    if replications < 2:
        raise ValueError("replications must be at least 2 for confidence intervals")
    if goals.days is not None:
        check_days_replications(goals.days, replications, "--replications")
        check_days_replications(goals.days, verification_replications,
                                "--verify-replications")


def _variants(scenario: Scenario, goals: StaffingGoals, models: Sequence[str],
              groups: list[str]) -> tuple[dict[str, Scenario], dict[str, str]]:
    """The scenario under each capacity model (staffed groups empty), and those skipped."""
    variants, skipped = {}, {}
    empty: dict[str, Sequence[int] | np.ndarray] = {
        name: [0] * scenario.n_intervals for name in groups}
    for model in models:
        if model not in CAPACITY_MODEL_NAMES:
            raise ValueError(f"unknown capacity model {model!r}; choose from "
                             f"{', '.join(CAPACITY_MODEL_NAMES)}")
        try:
            variants[model] = with_group_staffing(scenario, empty, goals, model)
        except StaffingError as error:
            skipped[model] = str(error)
    if not variants:
        raise StaffingError("; ".join(skipped.values()))
    return variants, skipped


def _curve(scenario: Scenario, goals: StaffingGoals, variants: dict[str, Scenario],
           runner: Runner, root: int, replications: int, skipped: dict[str, str],
           log: Log | None) -> pd.DataFrame | None:
    """The busiest interval's service-level curve of the group serving every queue."""
    try:
        _, group = staffing_group(scenario)
        curve_variants, _ = capacity_variants(scenario, goals, list(variants), group.name)
    except StaffingError as error:
        skipped["curve"] = str(error)
        return None
    interval = busiest_interval(scenario, group.name)
    peak = int(analytic_requirements(scenario, goals, "tab", group.name)["agents"]
               .iloc[interval])
    counts = sorted({max(1, peak + offset) for offset in range(-4, 4)})
    tasks = curve_tasks(curve_variants, goals, interval, counts, replications, root,
                        group.name)
    runs = runner.run([(None, task) for task in tasks])
    if log:
        log(f"service-level curve of {group.name}: {len(tasks)} runs")
    return curve_table(curve_variants, goals, interval, counts, replications, runs,
                       group.name, runner=runner, seed=root)


def _cover(report: StaffingReport) -> None:
    """Shift plans per model and group; groups with uncovered intervals are skipped."""
    for model, result in report.results.items():
        for position, name in enumerate(report.groups):
            templates = report.group_templates.get(name)
            if not templates:
                continue
            uncovered = report.uncovered(model, name)
            if uncovered:
                report.skipped[f"shifts_{model}_{name}"] = (
                    f"{name}: intervals starting {', '.join(uncovered)} need agents but no "
                    "shift template covers them")
                continue
            report.group_shifts.setdefault(model, {})[name] = cover_shifts(
                result.scheduled[position], templates,
                availability=availability_matrix(report.group_patterns[name],
                                                 report.scenario.n_intervals))


def _verify_shifts(report: StaffingReport, variants: dict[str, Scenario], runner: Runner,
                   root: int, log: Log | None) -> None:
    """Simulate each model's shift plan (every staffed group on its shifts, breaks kept).

    With the verification's replications and seed, where every staffed group has a plan:
    the estimates go to ``report.shift_estimates`` and the scenario to
    ``report.shift_scenarios``.
    """
    for model, plans in report.group_shifts.items():
        if set(plans) != set(report.groups):
            continue
        scenario = with_shift_plans(variants[model], {
            name: (report.group_patterns[name], plans[name]) for name in report.groups})
        result = report.results[model]
        key = tuple((name, tuple(plans[name])) for name in report.groups)
        runs = runner.run([(("shifts", model, key, root, r), (scenario, root, r))
                           for r in range(result.verification_replications)], measure_day)
        report.shift_scenarios[model] = scenario
        report.shift_estimates[model] = DayEstimates.from_runs(runs)
        if log:
            missing = report.shift_plan_missing(model)
            log(f"{model}: the shift plan verified ("
                + (f"goals missed at {', '.join(missing)})" if missing
                   else "every queue meets its goals in every interval)"))
