"""Service level against agents for one interval held stationary (a chart, not a decision).

The busiest interval's arrival rates are held constant for a few intervals (the first is
a warm-up: the center starts empty), the other agent groups keep the agents they have
online in that interval, and the staffed group is simulated at several agent counts under
each capacity model, next to the Erlang C/A service level for the same load.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.results.figures import ci95_half_width
from sim.scenario.arrival_rates import interval_rates_per_second
from sim.scenario.day_volume import mean_arrival_scale
from sim.scenario.schema import Scenario
from sim.staffing.analytic import busiest_interval, erlang_service_level, workload
from sim.staffing.goals import StaffingGoals
from sim.staffing.runs import Task
from sim.staffing.search import Runner
from sim.staffing.variants import (
    CAPACITY_MODEL_NAMES,
    capacity_variants,
    online_agents,
    staffing_group,
    with_staffing,
)


def stationary_interval(scenario: Scenario, interval: int, intervals: int = 4,
                        group: str | None = None) -> Scenario:
    """A stationary version of one interval: its arrival rates held for ``intervals``.

    Agent groups other than the staffed one keep, throughout, the agents they have online
    in that interval (rounded). The first interval is a warm-up; measure the others.
    """
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
    staffed, _ = staffing_group(scenario, group)
    for position, other in enumerate(scenario.agent_groups):
        if position != staffed:
            online = int(round(online_agents(other, scenario)[interval]))
            updates |= {f"agent_groups[{position}].staffing": [online] * intervals,
                        f"agent_groups[{position}].shifts": None,
                        f"agent_groups[{position}].agents": 0}
    return scenario.derive(updates, horizon=intervals * scenario.interval, warmup=0.0,
                           arrival_scale=1.0)


def curve_tasks(
    variants: dict[str, Scenario], goals: StaffingGoals, interval: int,
    agent_counts: Sequence[int], replications: int, seed: int, group: str | None = None,
) -> list[Task]:
    """The runs of :func:`service_level_curve`: model, then agent count, then replication."""
    tasks: list[Task] = []
    for scenario in variants.values():
        stationary = stationary_interval(scenario, interval, group=group)
        for agents in agent_counts:
            run = with_staffing(stationary, [agents] * stationary.n_intervals, goals,
                                group=group)
            tasks.extend((run, seed, r) for r in range(replications))
    return tasks


def curve_table(
    variants: dict[str, Scenario], goals: StaffingGoals, interval: int,
    agent_counts: Sequence[int], replications: int, runs: list[np.ndarray],
    group: str | None = None,
) -> pd.DataFrame:
    """Pool the runs of :func:`curve_tasks` into the curve (see :func:`service_level_curve`)."""
    rows = []
    offset = 0
    any_model = next(iter(variants.values()))
    threshold = goals.threshold_s or any_model.service_level.threshold
    for model in variants:
        for agents in agent_counts:
            chunk = runs[offset:offset + replications]
            offset += replications
            # Leave out the warm-up interval, then pool the stationary intervals.
            values = np.array([np.nanmean(run[0, 1:]) for run in chunk])
            values = values[~np.isnan(values)]
            half = ci95_half_width(values)
            rows.append({"model": model, "agents": agents,
                         "service_level": float(values.mean()) if len(values) else math.nan,
                         "service_level_ci95": 0.0 if math.isnan(half) else half})
    model = "tab" if "tab" in variants else next(iter(variants))
    work = workload(variants[model], model, group)
    for agents in agent_counts:
        servers = int(round((agents + work.other_agents[interval])
                            * work.slots_per_agent[interval]))
        rows.append({"model": "erlang", "agents": agents,
                     "service_level": erlang_service_level(
                         servers, work.rate_per_s[interval], work.holding_s[interval],
                         work.patience_s[interval], threshold),
                     "service_level_ci95": 0.0})
    table = pd.DataFrame(rows)
    table.attrs["interval"] = interval
    table.attrs["start_s"] = interval * any_model.interval
    table.attrs["interval_s"] = any_model.interval
    table.attrs["other_agents"] = float(work.other_agents[interval])
    table.attrs["group"] = staffing_group(any_model, group)[1].name
    return table


def service_level_curve(
    scenario: Scenario,
    goals: StaffingGoals,
    agent_counts: Sequence[int],
    interval: int | None = None,
    models: Sequence[str] = CAPACITY_MODEL_NAMES,
    replications: int = 3,
    seed: int | None = None,
    executor: Any = None,
    group: str | None = None,
) -> pd.DataFrame:
    """Service level against agents for a stationary version of one interval.

    Args:
        scenario: the scenario.
        goals: the goals (their threshold is the service-level threshold).
        agent_counts: agent counts of the staffed group to simulate.
        interval: which interval; the busiest (most expected arrivals) when omitted.
        models: capacity models to simulate (those invalid for the scenario are skipped).
        replications: replications per point (few: this is a picture, not a decision).
        seed: root seed; the scenario's when omitted.
        executor: an object with ``map(fn, items)``; serial in this process when omitted.
        group: the staffed agent group; the first serving every queue when omitted.

    Returns:
        Rows ``model`` (a capacity model or ``'erlang'``), ``agents``, ``service_level``,
        ``service_level_ci95``; ``attrs`` hold ``interval``, ``start_s``, ``interval_s``,
        ``other_agents`` and ``group``.
    """
    variants = capacity_variants(scenario, goals, models, group)[0]
    if interval is None:
        interval = busiest_interval(scenario, group)
    root = scenario.seed if seed is None else seed
    tasks = curve_tasks(variants, goals, interval, agent_counts, replications, root, group)
    runs = Runner(executor).run([(None, task) for task in tasks])
    return curve_table(variants, goals, interval, agent_counts, replications, runs, group)
