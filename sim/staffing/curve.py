"""Service level against agents for one interval held stationary (a chart, not a decision).

The busiest interval's arrival rates are held constant for a warm-up interval (the center
starts empty) and four measured hours, the other agent groups keep the agents they have
online in that interval, and the staffed group is simulated at several agent counts under
each capacity model, next to the Erlang C/A service level for the same load. Each point
gets replications until its 95% CI half-width is at most 5 points (or a cap is reached,
and the table says so), so the curve can be read.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.results.confidence import ci95_half_width
from sim.scenario.arrival_rates import interval_rates_per_second
from sim.scenario.day_volume import mean_arrival_scale
from sim.scenario.schema import Scenario
from sim.staffing.analytic import busiest_interval, erlang_service_level, workload
from sim.staffing.day_measures import DayTask
from sim.staffing.goals import StaffingGoals
from sim.staffing.search import Runner
from sim.staffing.variants import (
    CAPACITY_MODEL_NAMES,
    capacity_variants,
    online_agents,
    staffing_group,
    with_staffing,
)

if TYPE_CHECKING:
    from sim.experiments.executors import Executor

CI_TARGET = 0.05
"""Largest 95% CI half-width of a plotted service level (a share: 0.05 is 5 points)."""

MAX_REPLICATIONS = 40
"""Replications per plotted point at most; a point still wider is drawn as such."""

MEASURED_S = 4 * 3600.0
"""Stationary time measured per replication after the warm-up interval (seconds)."""

ROUNDS = 5
"""Executor batches after the first that may add replications to the wide points (each
at most doubles a point's replications: 4, 8, 16, 32, 40)."""

Point = tuple[str, int]
"""(capacity model, agents) of one simulated point of the curve."""


def stationary_interval(scenario: Scenario, interval: int, intervals: int | None = None,
                        group: str | None = None) -> Scenario:
    """A stationary version of one interval: its arrival rates held for ``intervals``.

    Agent groups other than the staffed one keep, throughout, the agents they have online
    in that interval (rounded). The first interval is a warm-up; measure the others. By
    default ``intervals`` is one warm-up interval plus :data:`MEASURED_S` of measured time.
    The day-to-day volume multiplier is held at its mean (a stationary interval has no
    days).
    """
    if intervals is None:
        intervals = 1 + math.ceil(MEASURED_S / scenario.interval - 1e-9)
    updates: dict[str, Any] = {}
    for number, channel in enumerate(scenario.channels):
        for path, profile in channel.arrival_profiles:
            length, rates = interval_rates_per_second(
                profile, scenario.interval, scenario.horizon,
                mean_arrival_scale(scenario.arrival_scale))
            index = min(int(interval * scenario.interval // length), len(rates) - 1)
            updates[".".join((f"channels[{number}]", *path))] = {
                "rates": [float(rates[index] * 3600.0)], "repeat": True,
                "interval": scenario.interval}
    # Every group keeps the agents online in that interval (the staffed group's are set
    # per point by with_staffing).
    for position, other in enumerate(scenario.agent_groups):
        online = int(round(online_agents(other, scenario)[interval]))
        updates |= {f"agent_groups[{position}].staffing": [online] * intervals,
                    f"agent_groups[{position}].shifts": None,
                    f"agent_groups[{position}].agents": 0}
    return scenario.derive(updates, horizon=intervals * scenario.interval, warmup=0.0,
                           arrival_scale=1.0)


def curve_scenarios(
    variants: dict[str, Scenario], goals: StaffingGoals, interval: int,
    agent_counts: Sequence[int], group: str | None = None,
) -> dict[Point, Scenario]:
    """The stationary scenario of every point: model, then agent count."""
    points: dict[Point, Scenario] = {}
    for model, scenario in variants.items():
        stationary = stationary_interval(scenario, interval, group=group)
        for agents in agent_counts:
            points[(model, int(agents))] = with_staffing(
                stationary, [agents] * stationary.n_intervals, goals, group=group)
    return points


def curve_tasks(
    variants: dict[str, Scenario], goals: StaffingGoals, interval: int,
    agent_counts: Sequence[int], replications: int, seed: int, group: str | None = None,
) -> list[DayTask]:
    """The first runs of the curve: model, then agent count, then replication.

    :func:`curve_table` adds replications to the points whose CI is still too wide.
    """
    scenarios = curve_scenarios(variants, goals, interval, agent_counts, group)
    return [(run, seed, r) for run in scenarios.values() for r in range(replications)]


def point_service_level(run: np.ndarray) -> float:
    """One replication's service level over the measured (post-warm-up) intervals.

    The intervals' service levels weighted by their offered sessions (NaN with none).
    """
    level, offered = run[0, 1:], run[5, 1:]
    valid = ~np.isnan(level) & (offered > 0)
    total = float(offered[valid].sum())
    return float((level[valid] * offered[valid]).sum() / total) if total > 0 else math.nan


def replications_wanted(values: Sequence[float], ci_target: float,
                        max_replications: int) -> int:
    """Replications a point needs for a 95% half-width of ``ci_target`` (capped).

    From the standard deviation so far: ``(t sd / target)^2`` with ``t`` about 2.1 (a
    little above the large-sample 1.96, for the uncertainty of that estimate), at most
    twice the count so far per round (a few replications misjudge the spread); the count
    so far when it is narrow enough already, or when no replication has a value.
    """
    count = len(values)
    clean = np.asarray(values, dtype=float)
    clean = clean[~np.isnan(clean)]
    half = ci95_half_width(clean)
    if count >= max_replications or (not math.isnan(half) and half <= ci_target):
        return count
    if math.isnan(half):  # fewer than two values: two more, unless none ever has one
        return count if count >= 2 and not len(clean) else min(max_replications, count + 2)
    needed = math.ceil((2.1 * float(np.std(clean, ddof=1)) / ci_target) ** 2)
    return min(max_replications, 2 * count, max(count + 1, needed))


def curve_table(
    variants: dict[str, Scenario], goals: StaffingGoals, interval: int,
    agent_counts: Sequence[int], replications: int, runs: list[np.ndarray],
    group: str | None = None, *, runner: Runner | None = None, seed: int | None = None,
    ci_target: float = CI_TARGET, max_replications: int = MAX_REPLICATIONS,
) -> pd.DataFrame:
    """Pool the runs of :func:`curve_tasks` into the curve (see :func:`service_level_curve`).

    With a ``runner``, points whose 95% CI half-width exceeds ``ci_target`` get more
    replications (same seed, the next replication numbers: common random numbers across
    agent counts and models), in up to :data:`ROUNDS` batches, until they reach it or
    ``max_replications``.
    """
    any_model = next(iter(variants.values()))
    points = [(model, int(agents)) for model in variants for agents in agent_counts]
    values: dict[Point, list[float]] = {}
    for position, point in enumerate(points):
        chunk = runs[position * replications:(position + 1) * replications]
        values[point] = [point_service_level(run) for run in chunk]
    if runner is not None:
        root = any_model.seed if seed is None else seed
        scenarios = curve_scenarios(variants, goals, interval, agent_counts, group)
        for _ in range(ROUNDS):
            wanted = {point: replications_wanted(values[point], ci_target, max_replications)
                      for point in points}
            tasks = [(point, (scenarios[point], root, r)) for point in points
                     for r in range(len(values[point]), wanted[point])]
            if not tasks:
                break
            more = runner.run([(None, task) for _, task in tasks])
            for (point, _), run in zip(tasks, more, strict=True):
                values[point].append(point_service_level(run))
    threshold = goals.threshold_s or any_model.service_level.threshold
    rows = []
    for point in points:
        clean = np.asarray(values[point], dtype=float)
        clean = clean[~np.isnan(clean)]
        half = ci95_half_width(clean)
        half = 0.0 if math.isnan(half) else half
        rows.append({"model": point[0], "agents": point[1],
                     "service_level": float(clean.mean()) if len(clean) else math.nan,
                     "service_level_ci95": half, "replications": len(values[point]),
                     "ci_met": bool(half <= ci_target + 1e-12)})
    model = "tab" if "tab" in variants else next(iter(variants))
    work = workload(variants[model], model, group)
    for agents in agent_counts:
        servers = int(round((agents + work.other_agents[interval])
                            * work.slots_per_agent[interval]))
        rows.append({"model": "erlang", "agents": agents,
                     "service_level": erlang_service_level(
                         servers, work.rate_per_s[interval], work.holding_s[interval],
                         work.patience_s[interval], threshold),
                     "service_level_ci95": 0.0, "replications": 0, "ci_met": True})
    table = pd.DataFrame(rows)
    table.attrs["interval"] = interval
    table.attrs["start_s"] = interval * any_model.interval
    table.attrs["interval_s"] = any_model.interval
    table.attrs["other_agents"] = float(work.other_agents[interval])
    table.attrs["group"] = staffing_group(any_model, group)[1].name
    table.attrs["ci_target"] = ci_target
    table.attrs["max_replications"] = max_replications
    stationary = stationary_interval(any_model, interval, group=group)
    table.attrs["measured_s"] = stationary.horizon - any_model.interval
    return table


def service_level_curve(
    scenario: Scenario,
    goals: StaffingGoals,
    agent_counts: Sequence[int],
    interval: int | None = None,
    models: Sequence[str] = CAPACITY_MODEL_NAMES,
    replications: int = 4,
    seed: int | None = None,
    executor: Executor | None = None,
    group: str | None = None,
    ci_target: float = CI_TARGET,
    max_replications: int = MAX_REPLICATIONS,
) -> pd.DataFrame:
    """Service level against agents for a stationary version of one interval.

    Each point is simulated until its 95% CI half-width is at most ``ci_target`` (or
    ``max_replications`` is reached: its row says ``ci_met`` false).

    Args:
        scenario: the scenario.
        goals: the goals (their threshold is the service-level threshold).
        agent_counts: agent counts of the staffed group to simulate.
        interval: which interval; the busiest (most expected arrivals) when omitted.
        models: capacity models to simulate (those invalid for the scenario are skipped).
        replications: replications per point in the first batch (at least 2).
        seed: root seed; the scenario's when omitted.
        executor: an object with ``map(fn, items)``; serial in this process when omitted.
        group: the staffed agent group; the first serving every queue when omitted.
        ci_target: largest 95% CI half-width wanted (a share: 0.05 is 5 points).
        max_replications: replications per point at most.

    Returns:
        Rows ``model`` (a capacity model or ``'erlang'``), ``agents``, ``service_level``,
        ``service_level_ci95``, ``replications`` and ``ci_met``; ``attrs`` hold
        ``interval``, ``start_s``, ``interval_s``, ``other_agents``, ``group``,
        ``ci_target``, ``max_replications`` and ``measured_s`` (seconds per replication).
    """
    variants = capacity_variants(scenario, goals, models, group)[0]
    if interval is None:
        interval = busiest_interval(scenario, group)
    root = scenario.seed if seed is None else seed
    replications = max(2, replications)
    tasks = curve_tasks(variants, goals, interval, agent_counts, replications, root, group)
    runner = Runner(executor)
    runs = runner.run([(None, task) for task in tasks])
    return curve_table(variants, goals, interval, agent_counts, replications, runs, group,
                       runner=runner, seed=root, ci_target=ci_target,
                       max_replications=max_replications)
