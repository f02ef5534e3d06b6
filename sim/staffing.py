"""Staffing requirements per reporting interval: an Erlang baseline, then simulation.

Two answers to "how many agents do we need in each interval?":

* :func:`analytic_requirements` — Erlang C (Erlang A when customers have patience) per
  interval, treating every agent as ``capacity / work size`` servers and the work item's
  mean *capacity time* as the service time (see :func:`capacity_time_s`).
* :func:`simulate_requirements` — the iterative staffing algorithm of Feldman, Mandelbaum,
  Massey & Whitt ("Staffing of time-varying queues to achieve time-stable performance",
  Management Science 54(2), 2008), adapted to reporting intervals and to the goals planners
  use. Starting from the analytic staffing, it simulates the whole day with the staffing as
  a per-interval ``staffing`` list of the single agent group, measures every goal per
  interval over replications (95% confidence intervals; replication ``r`` uses the same
  random streams in every iteration: common random numbers), and changes each interval:

  - the point estimate misses a goal: raise it (at least one agent; further towards an
    Erlang estimate re-calibrated with the holding time the simulation measured);
  - the same day with one agent fewer in *every* interval (a pessimistic probe, since the
    neighbours lose an agent too) still meets every goal with the whole 95% CI: lower it;
  - otherwise it is binding: keep it.

  Per interval the staffing levels known to pass and to fail bracket the search, so it
  cannot oscillate; when a neighbour's change contradicts an older finding the newer one
  wins. It stops when no interval changes (or after ``max_iterations``), then a
  verification run with more replications reports every interval with CIs (and raises any
  interval that still misses, at most :data:`REPAIR_ROUNDS` times).

:func:`staff` runs both capacity models on the same customers (tab-based and, when the
scenario allows it, status-based), and :func:`write_staffing` writes ``staffing.csv``,
``staffing.json`` and the charts.

Where the analytic baseline is known to be wrong (why the simulation exists):

* **Non-exponential times.** Erlang assumes exponential holding and patience; the capacity
  time is a sum of accept delay, several agent and customer replies and a close-tab delay,
  far less variable than exponential, and patience is often not exponential either.
* **Status-based release.** Under status-based capacity a session frees capacity while the
  customer is silent (Inactive, paused weight) and not at the tab close; the analytic
  capacity time only approximates this with the mean of ``min(reply, inactivate_after)``.
* **Silent and returning customers, outbound sessions.** A returning customer re-enters the
  queue (tab-based) or comes back over capacity (status-based); outbound answers take
  capacity too. None of this is in the Erlang load.
* **Offline agents.** Disconnections remove servers and (status-based) strand their work;
  Erlang counts every logged-in agent as serving all the time.
* **Concurrency.** ``agents x capacity`` servers assume one pooled queue of equal slots,
  ignoring per-agent packing of mixed sizes, reply slowdown with concurrency, declines and
  push timeouts.
* **Time variation.** Each interval is treated as stationary: the backlog carried from a
  busy interval into the next is ignored.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError
from scipy import stats

from sim.arrivals import interval_rates_per_second
from sim.distributions import distribution_mean
from sim.erlang import (
    erlang_a_metrics,
    erlang_a_servers,
    erlang_c_metrics,
    erlang_c_servers_for_asa,
    erlang_c_servers_for_service_level,
)
from sim.scenario import AgentGroup, Channel, Exponential, Scenario, work_size
from sim.shift_cover import ShiftTemplate, cover_shifts
from sim.simulate import simulate
from sim.units import parse_duration

CAPACITY_MODELS = ("tab", "status")
"""Capacity models :func:`staff` runs, baseline first."""

REPAIR_ROUNDS = 3
"""Verification runs that may each raise the intervals still missing a goal."""

Log = Callable[[str], None]
"""Receives one progress line at a time."""


class StaffingError(ValueError):
    """The scenario or the goals cannot be staffed as asked."""


# ------------------------------------------------------------------------------- goals
def parse_service_level(text: str) -> tuple[float, float]:
    """Parse ``'80/60s'`` (or ``'80%/1m'``, ``'0.8/60'``) into ``(target, threshold_s)``.

    Raises:
        ValueError: if the text is not ``TARGET/THRESHOLD``.
    """
    match = re.fullmatch(r"\s*([0-9.]+)\s*%?\s*/\s*(\S+)\s*", text)
    if not match:
        raise ValueError(f"expected a service level such as 80/60s, found {text!r}")
    return parse_fraction(match.group(1)), parse_duration(match.group(2))


def parse_fraction(value: str | float) -> float:
    """Parse ``'5%'``, ``'0.05'`` or ``5`` (a number above 1 means percent) as a fraction."""
    text = str(value).strip()
    percent = text.endswith("%")
    number = float(text.rstrip("%"))
    return number / 100.0 if percent or number > 1 else number


@dataclass(frozen=True)
class StaffingGoals:
    """What every interval must achieve, and how online agents become scheduled agents.

    Attributes:
        service_level: target share of offered sessions answered within ``threshold_s``.
        threshold_s: service-level threshold (seconds); given with ``service_level``.
        max_asa_s: largest average speed of answer of answered sessions (seconds).
        max_abandon: largest share of offered sessions abandoned.
        shrinkage: share of scheduled time agents are not available (breaks, training);
            scheduled agents = ceil(required / (1 - shrinkage)).
        max_occupancy: largest share of online capacity in use.
    """

    service_level: float | None = None
    threshold_s: float | None = None
    max_asa_s: float | None = None
    max_abandon: float | None = None
    shrinkage: float = 0.0
    max_occupancy: float | None = None

    def __post_init__(self) -> None:
        if (self.service_level is None) != (self.threshold_s is None):
            raise ValueError("give the service level target and threshold together")
        if self.service_level is None and self.max_asa_s is None and self.max_abandon is None:
            raise ValueError("give at least one goal: a service level, a max ASA or max abandon")
        if self.service_level is not None and not 0 < self.service_level < 1:
            raise ValueError(f"service level target must be in (0, 1), got {self.service_level}")
        if self.threshold_s is not None and self.threshold_s <= 0:
            raise ValueError("service level threshold must be positive")
        if self.max_asa_s is not None and self.max_asa_s <= 0:
            raise ValueError("max ASA must be positive")
        if self.max_abandon is not None and not 0 < self.max_abandon < 1:
            raise ValueError(f"max abandon must be in (0, 1), got {self.max_abandon}")
        if not 0 <= self.shrinkage < 1:
            raise ValueError(f"shrinkage must be in [0, 1), got {self.shrinkage}")
        if self.max_occupancy is not None and not 0 < self.max_occupancy <= 1:
            raise ValueError(f"max occupancy must be in (0, 1], got {self.max_occupancy}")

    @classmethod
    def parse(
        cls,
        target: str | None = None,
        max_asa: str | float | None = None,
        max_abandon: str | float | None = None,
        shrinkage: str | float = 0.0,
        max_occupancy: str | float | None = None,
    ) -> StaffingGoals:
        """Goals from CLI-style text: ``'80/60s'``, ``'30s'``, ``'5%'``, ``'30%'``, ``'85%'``."""
        service_level, threshold_s = parse_service_level(target) if target else (None, None)
        return cls(
            service_level=service_level,
            threshold_s=threshold_s,
            max_asa_s=parse_duration(max_asa) if max_asa is not None else None,
            max_abandon=parse_fraction(max_abandon) if max_abandon is not None else None,
            shrinkage=parse_fraction(shrinkage) if shrinkage else 0.0,
            max_occupancy=parse_fraction(max_occupancy) if max_occupancy is not None else None,
        )

    def scheduled(self, agents: np.ndarray | int) -> np.ndarray:
        """Scheduled agents for ``agents`` online: ``ceil(agents / (1 - shrinkage))``."""
        online = np.asarray(agents, dtype=float)
        return np.ceil(online / (1.0 - self.shrinkage) - 1e-9).astype(int)

    def describe(self) -> str:
        """The goals in one line, for reports."""
        parts = []
        if self.service_level is not None:
            parts.append(f"service level {self.service_level:.0%} within {self.threshold_s:g}s")
        if self.max_asa_s is not None:
            parts.append(f"ASA <= {self.max_asa_s:g}s")
        if self.max_abandon is not None:
            parts.append(f"abandonment <= {self.max_abandon:.1%}")
        if self.max_occupancy is not None:
            parts.append(f"occupancy <= {self.max_occupancy:.0%}")
        if self.shrinkage:
            parts.append(f"shrinkage {self.shrinkage:.0%}")
        return ", ".join(parts)


# ---------------------------------------------------------------------------- workload
def staffing_group(scenario: Scenario) -> tuple[int, AgentGroup]:
    """The one agent group whose per-interval ``staffing`` the search sets.

    Raises:
        StaffingError: unless there is exactly one agent group and it serves every queue
            a channel uses.
    """
    if len(scenario.agent_groups) != 1:
        names = [group.name for group in scenario.agent_groups]
        raise StaffingError(
            f"staffing needs one agent group serving every queue; this scenario has "
            f"{len(names)} ({', '.join(names)}). Merge them or staff each separately."
        )
    group = scenario.agent_groups[0]
    missing = sorted({c.queue for c in scenario.channels} - set(group.queues))
    if missing:
        raise StaffingError(
            f"agent group {group.name!r} does not serve queue(s) {missing}; staffing needs "
            "one group serving every queue"
        )
    return 0, group


def capacity_time_s(channel: Channel, group: AgentGroup, capacity_model: str) -> float:
    """Approximate mean time one work item of ``channel`` holds its capacity (seconds).

    ``accept delay (0 with auto-accept) + E * agent reply + (E - 1) * customer reply``
    with ``E`` the mean exchanges; a customer reply longer than ``inactivate_after`` makes
    the session Inactive, so only ``E[min(reply, inactivate_after)]`` is held (plus the
    paused weight's share of the rest under status-based capacity). Tab-based adds the
    mean close-tab delay (capped by the ACW maximum when ACW is on). Declines, push
    timeouts, silent customers, outbound work and reply slowdown are ignored.
    """
    behaviour = group.behaviour
    exchanges = max(1.0, distribution_mean(channel.customers.exchanges))
    accept = 0.0 if channel.auto_accept else distribution_mean(behaviour.accept_delay)
    held, paused = _capped_mean(channel.customers.reply_time, behaviour.inactivate_after)
    time_s = accept + exchanges * distribution_mean(behaviour.reply_time)
    if capacity_model == "status":
        time_s += (exchanges - 1.0) * (held + paused * channel.paused_capacity_weight
                                       / work_size(channel))
    else:
        close = distribution_mean(behaviour.close_tab_delay)
        if behaviour.after_conversation_work.enabled:
            close = min(close, behaviour.after_conversation_work.max)
        time_s += (exchanges - 1.0) * held + close
    return time_s


def _capped_mean(spec: Any, cap_s: float) -> tuple[float, float]:
    """``(E[min(X, cap)], E[(X - cap)+])``; exact for exponential, else from the mean."""
    mean = distribution_mean(spec)
    if isinstance(spec, Exponential):
        tail = mean * math.exp(-cap_s / mean)
        return mean - tail, tail
    return min(mean, cap_s), max(0.0, mean - cap_s)


@dataclass(frozen=True)
class _Workload:
    """Inbound load per interval, pooled over channels."""

    rate_per_s: np.ndarray
    holding_s: np.ndarray
    slots_per_agent: np.ndarray
    patience_s: np.ndarray


def _workload(scenario: Scenario, capacity_model: str) -> _Workload:
    _, group = staffing_group(scenario)
    n = scenario.n_intervals
    rates, holding, slots, abandon_rates = [], [], [], []
    for channel in scenario.channels:
        if channel.arrivals is None:
            rates.append(np.zeros(n))
        else:
            rates.append(_per_reporting_interval(channel, scenario))
        holding.append(capacity_time_s(channel, group, capacity_model))
        slots.append(max(1, math.floor(group.capacity_units / work_size(channel) + 1e-9)))
        patience = channel.customers.patience
        abandon_rates.append(0.0 if patience is None else 1.0 / distribution_mean(patience))
    rate = np.vstack(rates)  # [channel, interval]
    total = rate.sum(axis=0)
    share = np.divide(rate, total, out=np.full_like(rate, 1.0 / len(rates)), where=total > 0)
    hold = share.T @ np.asarray(holding)
    # Slots weighted by each channel's share of the work (rate x holding time).
    work = share * np.asarray(holding)[:, None]
    work_share = work / work.sum(axis=0)
    theta = share.T @ np.asarray(abandon_rates)
    with np.errstate(divide="ignore"):
        patience_s = np.where(theta > 0, 1.0 / np.maximum(theta, 1e-300), np.inf)
    return _Workload(total, hold, work_share.T @ np.asarray(slots, dtype=float), patience_s)


def _per_reporting_interval(channel: Channel, scenario: Scenario) -> np.ndarray:
    """The channel's mean arrival rate (per second) in each reporting interval."""
    assert channel.arrivals is not None
    length, rates = interval_rates_per_second(
        channel.arrivals, scenario.interval, scenario.horizon, scenario.arrival_scale
    )
    n = scenario.n_intervals
    if abs(length - scenario.interval) < 1e-9:
        return np.resize(rates, n) if len(rates) >= n else np.pad(rates, (0, n - len(rates)))
    # Profile intervals differ from reporting intervals: average the rate over each one.
    fine = np.linspace(0.0, scenario.horizon, 64 * n, endpoint=False) + scenario.horizon / (
        128 * n
    )
    values = rates[np.minimum((fine // length).astype(int), len(rates) - 1)]
    return values.reshape(n, 64).mean(axis=1)


def erlang_servers(
    goals: StaffingGoals, rate_per_s: float, holding_s: float, patience_s: float
) -> int:
    """Fewest servers meeting ``goals`` in a stationary M/M/n (or M/M/n+M) queue."""
    if rate_per_s <= 0:
        return 0
    if math.isfinite(patience_s):
        return erlang_a_servers(
            rate_per_s,
            holding_s,
            patience_s,
            threshold_s=goals.threshold_s,
            target=goals.service_level,
            max_asa_s=goals.max_asa_s,
            max_abandon=goals.max_abandon,
        )
    servers = math.floor(rate_per_s * holding_s) + 1  # stability; no abandonment to bound
    if goals.service_level is not None:
        servers = max(servers, erlang_c_servers_for_service_level(
            rate_per_s, holding_s, goals.threshold_s, goals.service_level))
    if goals.max_asa_s is not None:
        servers = max(servers, erlang_c_servers_for_asa(rate_per_s, holding_s, goals.max_asa_s))
    return servers


def erlang_service_level(
    servers: int, rate_per_s: float, holding_s: float, patience_s: float, threshold_s: float
) -> float:
    """Stationary Erlang C (or A) service level with ``servers`` servers."""
    if rate_per_s <= 0:
        return 1.0
    if math.isfinite(patience_s):
        return erlang_a_metrics(servers, rate_per_s, holding_s, patience_s, threshold_s
                                ).service_level
    return erlang_c_metrics(servers, rate_per_s, holding_s, threshold_s).service_level


def analytic_requirements(
    scenario: Scenario, goals: StaffingGoals, capacity_model: str | None = None
) -> pd.DataFrame:
    """Erlang staffing per reporting interval, treating each interval as stationary.

    Servers are work-item slots (``floor(capacity / work size)`` per agent, weighted by
    each channel's share of the work); the service time is the pooled mean capacity time
    (:func:`capacity_time_s`); Erlang A with the arrival-weighted abandonment rate when
    any channel has patience, else Erlang C. See the module docstring for where this is
    known to be wrong.

    Args:
        scenario: a scenario with one agent group serving every queue.
        goals: the goals; ``max_occupancy`` adds ``agents >= load / (max_occupancy x slots)``.
        capacity_model: ``'tab'`` or ``'status'``; the scenario's own when omitted.

    Returns:
        One row per interval: ``interval``, ``start_s``, ``arrivals`` (expected inbound
        sessions), ``arrival_rate_per_h``, ``holding_s``, ``slots_per_agent``,
        ``mean_patience_s``, ``load_erlangs``, ``servers``, ``agents`` (online, meeting the
        goals and the occupancy cap) and ``scheduled_agents`` (with shrinkage).
    """
    model = capacity_model or scenario.capacity_model
    work = _workload(scenario, model)
    n = scenario.n_intervals
    starts = np.arange(n) * scenario.interval
    lengths = np.minimum(starts + scenario.interval, scenario.horizon) - starts
    servers = np.array([
        erlang_servers(goals, rate, hold, patience)
        for rate, hold, patience in zip(
            work.rate_per_s, work.holding_s, work.patience_s, strict=True
        )
    ])
    load = work.rate_per_s * work.holding_s
    agents = np.ceil(servers / work.slots_per_agent - 1e-9).astype(int)
    if goals.max_occupancy is not None:
        by_occupancy = np.ceil(load / (goals.max_occupancy * work.slots_per_agent) - 1e-9)
        agents = np.maximum(agents, by_occupancy.astype(int))
    return pd.DataFrame({
        "interval": np.arange(n),
        "start_s": starts,
        "arrivals": work.rate_per_s * lengths,
        "arrival_rate_per_h": work.rate_per_s * 3600.0,
        "holding_s": work.holding_s,
        "slots_per_agent": work.slots_per_agent,
        "mean_patience_s": work.patience_s,
        "load_erlangs": load,
        "servers": servers,
        "agents": agents,
        "scheduled_agents": goals.scheduled(agents),
    })


# ------------------------------------------------------------------------- simulation
MEASURES = ("service_level", "asa_s", "abandon_rate", "occupancy", "agents_online",
            "offered", "answered", "busy_slot_s")
"""Per-interval measures of one replication (the ``'all'`` rows of the interval table)."""

Task = tuple[Scenario, int, int]
"""(scenario, seed, replication) of one simulated run."""


def measure_run(task: Task) -> np.ndarray:
    """Simulate one replication and return its measures, shape ``[measure, interval]``.

    Top-level so that process pools can pickle it.
    """
    scenario, seed, replication = task
    result = simulate(scenario, seed=seed, replication=replication)
    rows = result.intervals[result.intervals["channel"] == "all"].sort_values("interval")
    offered = rows["offered"].to_numpy(dtype=float)
    abandon = np.divide(rows["abandoned"].to_numpy(dtype=float), offered,
                        out=np.full(len(offered), np.nan), where=offered > 0)
    group = scenario.agent_groups[0]
    lengths = np.minimum(rows["start_s"].to_numpy() + scenario.interval, scenario.horizon) - (
        rows["start_s"].to_numpy())
    busy = (rows["occupancy"].fillna(0.0) * rows["agents_online"] * group.capacity_units
            ).to_numpy() * lengths
    return np.vstack([
        rows["service_level"].to_numpy(dtype=float),
        rows["asa_s"].to_numpy(dtype=float),
        abandon,
        rows["occupancy"].to_numpy(dtype=float),
        rows["agents_online"].to_numpy(dtype=float),
        offered,
        rows["answered"].to_numpy(dtype=float),
        busy,
    ])


@dataclass
class IntervalEstimates:
    """Mean and 95% CI half-width of every measure per interval, over replications.

    Attributes:
        mean: measure name -> per-interval mean (NaN where no replication had a value).
        ci95: measure name -> per-interval t-based 95% CI half-width (0 with one value).
        replications: replications behind the estimates.
    """

    mean: dict[str, np.ndarray]
    ci95: dict[str, np.ndarray]
    replications: int

    @classmethod
    def from_runs(cls, runs: Sequence[np.ndarray]) -> IntervalEstimates:
        """Pool runs of :func:`measure_run` (all at the same staffing)."""
        stacked = np.stack(runs)  # [replication, measure, interval]
        valid = ~np.isnan(stacked)
        count = valid.sum(axis=0)
        total = np.where(valid, stacked, 0.0).sum(axis=0)
        mean = np.divide(total, count, out=np.full(total.shape, np.nan), where=count > 0)
        squares = np.where(valid, (stacked - mean) ** 2, 0.0).sum(axis=0)
        sd = np.sqrt(np.divide(squares, count - 1, out=np.zeros(total.shape), where=count > 1))
        t = stats.t.ppf(0.975, np.maximum(count - 1, 1))
        half = np.where(count > 1, t * sd / np.sqrt(np.maximum(count, 1)), 0.0)
        return cls(
            mean={name: mean[i] for i, name in enumerate(MEASURES)},
            ci95={name: half[i] for i, name in enumerate(MEASURES)},
            replications=len(runs),
        )


def meets_goals(
    goals: StaffingGoals, estimates: IntervalEstimates, confident: bool = False
) -> np.ndarray:
    """Per interval: whether every goal is met.

    With ``confident`` the whole 95% CI must be on the right side of each goal, else the
    point estimate. An interval without offered sessions meets the service goals.
    """
    ok = np.ones(len(estimates.mean["offered"]), dtype=bool)
    sign = 1.0 if confident else 0.0

    def check(name: str, limit: float | None, upper: bool) -> None:
        nonlocal ok
        if limit is None:
            return
        mean, half = estimates.mean[name], estimates.ci95[name]
        value = mean + sign * half if upper else mean - sign * half
        passes = value <= limit + 1e-12 if upper else value >= limit - 1e-12
        ok &= passes | np.isnan(mean)

    check("service_level", goals.service_level, upper=False)
    check("asa_s", goals.max_asa_s, upper=True)
    check("abandon_rate", goals.max_abandon, upper=True)
    check("occupancy", goals.max_occupancy, upper=True)
    return ok


def goal_margin(goals: StaffingGoals, estimates: IntervalEstimates) -> np.ndarray:
    """Per interval: the smallest relative margin over the goals (negative: missed)."""
    margins = []
    mean = estimates.mean
    if goals.service_level is not None:
        margins.append(mean["service_level"] - goals.service_level)
    if goals.max_asa_s is not None:
        margins.append((goals.max_asa_s - mean["asa_s"]) / goals.max_asa_s)
    if goals.max_abandon is not None:
        margins.append((goals.max_abandon - mean["abandon_rate"]) / goals.max_abandon)
    if goals.max_occupancy is not None:
        margins.append((goals.max_occupancy - mean["occupancy"]) / goals.max_occupancy)
    stacked = np.vstack(margins)
    return np.where(np.isnan(stacked), np.inf, stacked).min(axis=0)


def with_staffing(
    scenario: Scenario, staffing: Sequence[int], goals: StaffingGoals | None = None,
    capacity_model: str | None = None,
) -> Scenario:
    """The scenario with its one agent group logged in per interval as ``staffing`` says.

    The goals' threshold becomes the scenario's service-level threshold (so the interval
    table measures the goal), and ``capacity_model`` replaces the scenario's when given.
    """
    index, _ = staffing_group(scenario)
    data = scenario.model_dump()
    group = data["agent_groups"][index]
    group.update(staffing=[int(value) for value in staffing], shifts=None, agents=0)
    if goals is not None and goals.service_level is not None:
        data["service_level"] = {"threshold": goals.threshold_s, "target": goals.service_level}
    if capacity_model is not None:
        data["capacity_model"] = capacity_model
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        details = error.errors()[0]
        where = ".".join(str(part) for part in details["loc"])
        message = str(details.get("ctx", {}).get("error", details["msg"]))
        raise StaffingError(
            f"capacity model {capacity_model!r} is invalid for this scenario "
            f"({where + ': ' if where else ''}{message})"
        ) from None


@dataclass
class _Counter:
    """Simulated runs and days spent, across every batch."""

    runs: int = 0
    days: float = 0.0


def _run_batch(executor: Any, tasks: list[Task], counter: _Counter) -> list[np.ndarray]:
    if not tasks:
        return []
    results = executor.map(measure_run, tasks) if executor is not None else [
        measure_run(task) for task in tasks]
    counter.runs += len(tasks)
    counter.days += sum(task[0].horizon for task in tasks) / 86400.0
    return list(results)


_NO_PASS = 1 << 30
"""Marks 'no staffing level is known to pass' in the search brackets."""


class _IntervalSearch:
    """Per-interval staffing of one capacity model, with brackets known to pass and fail."""

    def __init__(self, scenario: Scenario, goals: StaffingGoals, start: np.ndarray) -> None:
        self.scenario = scenario
        self.goals = goals
        self.staffing = np.maximum(np.asarray(start, dtype=int), 0)
        self.known_fail = np.full(len(start), -1)
        self.known_pass = np.full(len(start), _NO_PASS)
        self.history: list[np.ndarray] = [self.staffing.copy()]
        self.iterations = 0
        self.converged = False
        self.current: IntervalEstimates | None = None
        self.probe: IntervalEstimates | None = None

    def tasks(self, seed: int, replications: int) -> list[Task]:
        current = with_staffing(self.scenario, self.staffing, self.goals)
        probe = with_staffing(self.scenario, np.maximum(self.staffing - 1, 0), self.goals)
        return [(current, seed, r) for r in range(replications)] + [
            (probe, seed, r) for r in range(replications)]

    def update(self, runs: list[np.ndarray], replications: int) -> bool:
        """Take one iteration's runs; return whether any interval's staffing changed."""
        self.iterations += 1
        self.current = IntervalEstimates.from_runs(runs[:replications])
        self.probe = IntervalEstimates.from_runs(runs[replications:])
        staffing = self.staffing
        met = meets_goals(self.goals, self.current)
        probe_comfortable = meets_goals(self.goals, self.probe, confident=True) & (staffing > 0)
        # Newer findings win over older ones a neighbour's change has made stale.
        self.known_pass = np.where(met, np.minimum(self.known_pass, staffing),
                                   np.where(self.known_pass <= staffing, _NO_PASS,
                                            self.known_pass))
        self.known_fail = np.where(met, np.minimum(self.known_fail, staffing - 1),
                                   np.maximum(self.known_fail, staffing))
        lower = met & probe_comfortable
        self.known_pass = np.where(lower, np.minimum(self.known_pass, staffing - 1),
                                   self.known_pass)
        self.known_fail = np.where(lower, np.minimum(self.known_fail, staffing - 2),
                                   np.where(met, np.maximum(self.known_fail, staffing - 1),
                                            self.known_fail))
        estimate = self._calibrated_erlang()
        raised = np.minimum(np.maximum(staffing + 1, (staffing + estimate + 1) // 2),
                            self.known_pass)
        lowered = np.maximum(np.minimum(staffing - 1, (staffing - 1 + estimate) // 2),
                             self.known_fail + 1)
        new = np.where(~met, raised, np.where(lower, lowered, staffing))
        new = np.maximum(new, 0)
        changed = bool(np.any(new != staffing))
        self.staffing = new
        self.history.append(new.copy())
        self.converged = not changed
        return changed

    def _calibrated_erlang(self) -> np.ndarray:
        """Erlang agents per interval with the holding time the simulation measured."""
        assert self.current is not None
        work = _workload(self.scenario, self.scenario.capacity_model)
        mean = self.current.mean
        sizes = self.scenario.agent_groups[0].capacity_units / work.slots_per_agent
        measured = np.divide(mean["busy_slot_s"] / sizes, mean["answered"],
                             out=np.full(len(sizes), np.nan), where=mean["answered"] > 0)
        holding = np.where(np.isfinite(measured) & (measured > 0), measured, work.holding_s)
        agents = []
        for i in range(len(self.staffing)):
            servers = erlang_servers(self.goals, work.rate_per_s[i], holding[i],
                                     work.patience_s[i])
            agents.append(math.ceil(servers / work.slots_per_agent[i] - 1e-9))
        return np.asarray(agents, dtype=int)


@dataclass
class StaffingResult:
    """Simulation-based staffing of one capacity model.

    Attributes:
        capacity_model: ``'tab'`` or ``'status'``.
        goals: the goals.
        interval_s: reporting interval (seconds).
        analytic: the Erlang baseline for this capacity model (see
            :func:`analytic_requirements`).
        required: online agents per interval chosen by the search (and verification).
        scheduled: ``required`` grossed up for shrinkage.
        verification: per interval the achieved measures at ``required`` over the
            verification replications: ``<measure>`` and ``<measure>_ci95`` for
            service_level, asa_s, abandon_rate and occupancy, plus ``agents_online`` and
            ``meets`` (point estimates meet every goal).
        probe: the last search iteration's estimates with one agent fewer everywhere.
        binding_interval: the interval whose goal margin with one agent fewer is smallest.
        iterations: search iterations run.
        converged: the search stopped because no interval changed.
        history: staffing per iteration (the analytic start first).
        replications: replications per search iteration.
        verification_replications: replications of the verification run.
        simulated_runs: simulated runs (days of the scenario's horizon) spent.
        simulated_days: simulated days spent (runs x horizon / 1 day).
        runtime_s: wall-clock time (seconds).
    """

    capacity_model: str
    goals: StaffingGoals
    interval_s: float
    analytic: pd.DataFrame
    required: np.ndarray
    scheduled: np.ndarray
    verification: pd.DataFrame
    probe: IntervalEstimates | None
    binding_interval: int | None
    iterations: int
    converged: bool
    history: list[np.ndarray]
    replications: int
    verification_replications: int
    simulated_runs: int = 0
    simulated_days: float = 0.0
    runtime_s: float = 0.0

    @property
    def agent_hours(self) -> float:
        """Scheduled agent-hours over the horizon."""
        return float(np.sum(self.scheduled) * self.interval_s / 3600.0)

    @property
    def online_agent_hours(self) -> float:
        """Online (required, before shrinkage) agent-hours over the horizon."""
        return float(np.sum(self.required) * self.interval_s / 3600.0)


def _verification_table(estimates: IntervalEstimates, goals: StaffingGoals,
                        required: np.ndarray) -> pd.DataFrame:
    table = pd.DataFrame({"interval": np.arange(len(required)), "agents": required})
    for name in ("service_level", "asa_s", "abandon_rate", "occupancy"):
        table[name] = estimates.mean[name]
        table[f"{name}_ci95"] = estimates.ci95[name]
    table["agents_online"] = estimates.mean["agents_online"]
    table["offered"] = estimates.mean["offered"]
    table["meets"] = meets_goals(goals, estimates)
    return table


def _search(
    variants: dict[str, Scenario],
    goals: StaffingGoals,
    replications: int,
    verification_replications: int,
    seed: int,
    executor: Any,
    max_iterations: int,
    counter: _Counter,
    log: Log | None,
    extra_tasks: list[Task] | None = None,
) -> tuple[dict[str, StaffingResult], list[np.ndarray]]:
    """Run the searches of every model in lockstep (one executor batch per iteration)."""
    started = time.perf_counter()
    analytic = {model: analytic_requirements(scenario, goals, model)
                for model, scenario in variants.items()}
    searches = {model: _IntervalSearch(scenario, goals, analytic[model]["agents"].to_numpy())
                for model, scenario in variants.items()}
    for iteration in range(1, max_iterations + 1):
        active = [model for model, search in searches.items() if not search.converged]
        if not active:
            break
        tasks = {model: searches[model].tasks(seed, replications) for model in active}
        runs = _run_batch(executor, [task for model in active for task in tasks[model]],
                          counter)
        offset = 0
        for model in active:
            changed = searches[model].update(runs[offset:offset + 2 * replications],
                                             replications)
            offset += 2 * replications
            if log:
                state = "changed" if changed else "stable"
                log(f"{model}: iteration {iteration}: {int(searches[model].history[-2].sum())}"
                    f" agent-intervals, {state}")
    # Verification at the chosen staffing, raising intervals that still miss.
    extra = list(extra_tasks or [])
    extra_results: list[np.ndarray] = []
    estimates: dict[str, IntervalEstimates] = {}
    pending = list(variants)
    for round_index in range(REPAIR_ROUNDS + 1):
        tasks = [(with_staffing(variants[model], searches[model].staffing, goals), seed, r)
                 for model in pending for r in range(verification_replications)]
        runs = _run_batch(executor, tasks + extra, counter)
        if extra:  # the extra tasks ride along with the first verification batch
            extra_results, extra = runs[len(tasks):], []
        runs = runs[:len(tasks)]
        still = []
        for index, model in enumerate(pending):
            chunk = runs[index * verification_replications:(index + 1)
                         * verification_replications]
            estimates[model] = IntervalEstimates.from_runs(chunk)
            met = meets_goals(goals, estimates[model])
            if not met.all() and round_index < REPAIR_ROUNDS:
                searches[model].staffing = searches[model].staffing + (~met).astype(int)
                still.append(model)
                if log:
                    log(f"{model}: verification raised intervals {np.flatnonzero(~met).tolist()}")
        pending = still
        if not pending:
            break
    elapsed = time.perf_counter() - started
    results = {}
    for model, search in searches.items():
        probe = search.probe
        binding = None
        if probe is not None and np.any(search.staffing > 0):
            margin = np.where(search.staffing > 0, goal_margin(goals, probe), np.inf)
            binding = int(np.argmin(margin))
        results[model] = StaffingResult(
            capacity_model=model,
            goals=goals,
            interval_s=variants[model].interval,
            analytic=analytic[model],
            required=search.staffing.copy(),
            scheduled=goals.scheduled(search.staffing),
            verification=_verification_table(estimates[model], goals, search.staffing),
            probe=probe,
            binding_interval=binding,
            iterations=search.iterations,
            converged=search.converged,
            history=search.history,
            replications=replications,
            verification_replications=verification_replications,
            simulated_runs=counter.runs,
            simulated_days=counter.days,
            runtime_s=elapsed,
        )
    return results, extra_results


def simulate_requirements(
    scenario: Scenario,
    goals: StaffingGoals,
    capacity_model: str | None = None,
    replications: int = 10,
    seed: int | None = None,
    executor: Any = None,
    max_iterations: int = 10,
    verification_replications: int | None = None,
    log: Log | None = None,
) -> StaffingResult:
    """Simulation-based staffing per interval (iterative staffing algorithm, FMMW 2008).

    Args:
        scenario: a scenario with one agent group serving every queue; its shifts or
            agent count are replaced by a per-interval ``staffing`` list.
        goals: what every interval must achieve (measured on the ``'all'`` rows, so a
            multichannel scenario is staffed on all channels together).
        capacity_model: ``'tab'`` or ``'status'``; the scenario's own when omitted.
        replications: replications per iteration (each iteration runs them at the current
            staffing and at one agent fewer); at least 2 for confidence intervals.
        seed: root seed; the scenario's when omitted. Every iteration uses replications
            ``0 .. replications-1`` of it (common random numbers).
        executor: an object with ``map(fn, items)`` (see :func:`sim.runner.make_executor`);
            serial in this process when omitted.
        max_iterations: the search stops after this many iterations even if not stable.
        verification_replications: replications of the final run (default 2x).
        log: receives one progress line per iteration.

    Returns:
        A :class:`StaffingResult`; ``simulated_days`` counts every simulated day.

    Raises:
        StaffingError: more than one agent group, or the capacity model is invalid.
    """
    model = capacity_model or scenario.capacity_model
    if replications < 2:
        raise ValueError("replications must be at least 2 for confidence intervals")
    root = scenario.seed if seed is None else seed
    variant = with_staffing(scenario, [0] * scenario.n_intervals, goals, model)
    counter = _Counter()
    results, _ = _search({model: variant}, goals, replications,
                         verification_replications or 2 * replications, root, executor,
                         max_iterations, counter, log)
    return results[model]


# ------------------------------------------------------------------ service level curve
def stationary_interval(scenario: Scenario, interval: int, intervals: int = 4) -> Scenario:
    """A stationary version of one interval: its arrival rates held for ``intervals``.

    The first interval is a warm-up (the center starts empty); measure the others.
    """
    data = scenario.model_dump()
    for channel_data, channel in zip(data["channels"], scenario.channels, strict=True):
        for key in ("arrivals", "outbound"):
            profile = channel.arrivals if key == "arrivals" else (
                channel.outbound.arrivals if channel.outbound else None)
            if profile is None:
                continue
            _, rates = interval_rates_per_second(
                profile, scenario.interval, scenario.horizon, scenario.arrival_scale)
            length = profile.interval or scenario.interval
            index = min(int(interval * scenario.interval // length), len(rates) - 1)
            constant = {"rates": [float(rates[index] * 3600.0)], "repeat": True,
                        "interval": scenario.interval}
            if key == "arrivals":
                channel_data["arrivals"] = constant
            else:
                channel_data["outbound"]["arrivals"] = constant
    data.update(horizon=intervals * scenario.interval, warmup=0.0, arrival_scale=1.0)
    return Scenario.model_validate(data)


def _curve_tasks(
    variants: dict[str, Scenario], goals: StaffingGoals, interval: int,
    agent_counts: Sequence[int], replications: int, seed: int,
) -> list[Task]:
    tasks = []
    for scenario in variants.values():
        stationary = stationary_interval(scenario, interval)
        for agents in agent_counts:
            run = with_staffing(stationary, [agents] * stationary.n_intervals, goals)
            tasks.extend((run, seed, r) for r in range(replications))
    return tasks


def _curve_table(
    variants: dict[str, Scenario], goals: StaffingGoals, interval: int,
    agent_counts: Sequence[int], replications: int, runs: list[np.ndarray],
) -> pd.DataFrame:
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
            half = (stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1)
                    / math.sqrt(len(values))) if len(values) > 1 else 0.0
            rows.append({"model": model, "agents": agents,
                         "service_level": float(values.mean()) if len(values) else math.nan,
                         "service_level_ci95": float(half)})
    analytic_scenario = variants.get("tab", any_model)
    work = _workload(analytic_scenario, "tab" if "tab" in variants else next(iter(variants)))
    for agents in agent_counts:
        servers = int(round(agents * work.slots_per_agent[interval]))
        rows.append({"model": "erlang", "agents": agents,
                     "service_level": erlang_service_level(
                         servers, work.rate_per_s[interval], work.holding_s[interval],
                         work.patience_s[interval], threshold),
                     "service_level_ci95": 0.0})
    table = pd.DataFrame(rows)
    table.attrs["interval"] = interval
    return table


def service_level_curve(
    scenario: Scenario,
    goals: StaffingGoals,
    agent_counts: Sequence[int],
    interval: int | None = None,
    models: Sequence[str] = CAPACITY_MODELS,
    replications: int = 3,
    seed: int | None = None,
    executor: Any = None,
) -> pd.DataFrame:
    """Service level against agents for a stationary version of one interval.

    Args:
        scenario: a scenario with one agent group serving every queue.
        goals: the goals (their threshold is the service-level threshold).
        agent_counts: agent counts to simulate.
        interval: which interval; the busiest (most expected arrivals) when omitted.
        models: capacity models to simulate (those invalid for the scenario are skipped).
        replications: replications per point (few: this is a picture, not a decision).
        seed: root seed; the scenario's when omitted.
        executor: see :func:`simulate_requirements`.

    Returns:
        Rows ``model`` (a capacity model or ``'erlang'``), ``agents``, ``service_level``,
        ``service_level_ci95``; ``attrs['interval']`` is the interval.
    """
    variants = _variants(scenario, goals, models)[0]
    if interval is None:
        interval = busiest_interval(scenario, goals)
    root = scenario.seed if seed is None else seed
    tasks = _curve_tasks(variants, goals, interval, agent_counts, replications, root)
    runs = _run_batch(executor, tasks, _Counter())
    return _curve_table(variants, goals, interval, agent_counts, replications, runs)


def busiest_interval(scenario: Scenario, goals: StaffingGoals) -> int:
    """The interval with the most expected inbound arrivals."""
    return int(np.argmax(analytic_requirements(scenario, goals, "tab")["arrivals"]))


# ------------------------------------------------------------------------------ staff
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
        simulated_days: simulated days spent in total.
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
    simulated_days: float = 0.0
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
            "start": [_clock(value) for value in analytic["start_s"]],
            "start_s": analytic["start_s"],
            "arrivals": analytic["arrivals"].round(3),
            "analytic_agents": analytic["agents"],
            "analytic_scheduled": analytic["scheduled_agents"],
        })
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
            "runtime_s": round(self.runtime_s, 2),
            "analytic_caveats": ANALYTIC_CAVEATS,
        }


ANALYTIC_CAVEATS = [
    "Erlang assumes exponential holding and patience times; capacity time is a sum of "
    "replies and delays, far less variable.",
    "Status-based capacity releases capacity while a customer is silent (Inactive), not at "
    "tab close; the baseline only approximates this.",
    "Silent and returning customers and outbound answers add work the Erlang load leaves out.",
    "Offline agents (disconnections, outages) serve nothing; Erlang counts every agent.",
    "Each interval is treated as stationary: backlog carried between intervals is ignored.",
]
"""Where the analytic baseline is known to be wrong (copied into ``staffing.json``)."""


def _clock(seconds: float) -> str:
    days, rest = divmod(int(round(seconds)), 86400)
    text = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}"
    return f"d{days + 1} {text}" if days else text


def _variants(
    scenario: Scenario, goals: StaffingGoals, models: Sequence[str]
) -> tuple[dict[str, Scenario], dict[str, str]]:
    variants, skipped = {}, {}
    for model in models:
        if model not in CAPACITY_MODELS:
            raise ValueError(f"unknown capacity model {model!r}; choose from {CAPACITY_MODELS}")
        try:
            variants[model] = with_staffing(scenario, [0] * scenario.n_intervals, goals, model)
        except StaffingError as error:
            skipped[model] = str(error)
    if not variants:
        raise StaffingError("; ".join(skipped.values()))
    return variants, skipped


def shift_templates_from(scenario: Scenario) -> list[ShiftTemplate]:
    """Shift patterns ``(start_interval, length_intervals)`` from the group's shifts."""
    _, group = staffing_group(scenario)
    templates: list[ShiftTemplate] = []
    for shift in group.shifts or []:
        start = int(shift.start // scenario.interval)
        length = max(1, math.ceil((min(shift.end, scenario.horizon) - shift.start)
                                  / scenario.interval - 1e-9))
        if (start, length) not in templates:
            templates.append((start, length))
    return templates


def staff(
    scenario: Scenario,
    goals: StaffingGoals,
    replications: int = 10,
    seed: int | None = None,
    jobs: int = 1,
    models: Sequence[str] = CAPACITY_MODELS,
    executor: Any = None,
    max_iterations: int = 10,
    verification_replications: int | None = None,
    curve: bool = True,
    curve_replications: int = 3,
    shift_templates: Sequence[ShiftTemplate] | None = None,
    log: Log | None = None,
) -> StaffingReport:
    """Staff a scenario interval by interval under each capacity model, on the same customers.

    Both models run the same replications of the same seed, so they see the same customers
    (common random numbers); their searches run in lockstep, one executor batch per
    iteration. Status-based is skipped (with the reason in ``skipped``) when the scenario
    has a standard channel.

    Args:
        scenario: a scenario with one agent group serving every queue.
        goals: the goals.
        replications: replications per search iteration (at least 2).
        seed: root seed; the scenario's when omitted.
        jobs: local worker processes (used when ``executor`` is omitted).
        models: capacity models to staff.
        executor: where runs happen; ``sim.runner.make_executor(jobs)`` when omitted.
        max_iterations: search iterations at most.
        verification_replications: replications of the verification run (default 2x).
        curve: also simulate the service level against agents for the busiest interval.
        curve_replications: replications per point of that curve.
        shift_templates: shift patterns for the covering; from the group's shifts if any.
        log: receives progress lines.

    Returns:
        A :class:`StaffingReport`.
    """
    started = time.perf_counter()
    if replications < 2:
        raise ValueError("replications must be at least 2 for confidence intervals")
    if executor is None:
        from sim.runner import make_executor

        executor = make_executor(jobs)
    root = scenario.seed if seed is None else seed
    variants, skipped = _variants(scenario, goals, models)
    analytic = analytic_requirements(scenario, goals, "tab")
    counter = _Counter()
    curve_interval = int(np.argmax(analytic["arrivals"]))
    peak = int(analytic["agents"].max())
    agent_counts = sorted({max(1, peak + offset) for offset in range(-4, 4)})
    curve_tasks = _curve_tasks(variants, goals, curve_interval, agent_counts,
                               curve_replications, root) if curve else []
    results, curve_runs = _search(
        variants, goals, replications, verification_replications or 2 * replications, root,
        executor, max_iterations, counter, log, extra_tasks=curve_tasks)
    curve_table = (_curve_table(variants, goals, curve_interval, agent_counts,
                                curve_replications, curve_runs) if curve else None)
    templates = list(shift_templates) if shift_templates else shift_templates_from(scenario)
    shifts: dict[str, list[int]] = {}
    for model, result in results.items() if templates else ():
        try:
            shifts[model] = cover_shifts(result.scheduled, templates)
        except ValueError as error:  # e.g. night intervals no template covers
            skipped[f"shifts_{model}"] = str(error)
    report = StaffingReport(
        scenario=scenario, goals=goals, analytic=analytic, results=results, skipped=skipped,
        curve=curve_table, shift_templates=templates, shifts=shifts,
        simulated_days=counter.days, runtime_s=time.perf_counter() - started,
    )
    if log:
        log(f"simulated {counter.days:.1f} days ({counter.runs} runs) in "
            f"{report.runtime_s:.1f}s")
    return report


# ------------------------------------------------------------------------------ output
def _atomic_write(path: Path, write: Callable[[str], None]) -> None:
    """Write through ``write(temp_path)`` to a temporary name beside ``path``, then rename."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(temp)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.remove(temp)
        raise


def write_staffing(report: StaffingReport, out_dir: str | Path, charts: bool = True
                   ) -> dict[str, Path]:
    """Write ``staffing.csv``, ``staffing.json`` and the PNG charts into ``out_dir``.

    Every file is written to a temporary name in the same directory and renamed into
    place, so a reader never sees half a file.

    Returns:
        File kind -> path written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    table = report.table()
    path = out / "staffing.csv"
    _atomic_write(path, lambda temp: table.to_csv(temp, index=False))
    written["csv"] = path
    path = out / "staffing.json"
    text = json.dumps(report.summary(), indent=2, default=_json_default)
    _atomic_write(path, lambda temp: Path(temp).write_text(text + "\n", encoding="utf-8"))
    written["json"] = path
    if charts:
        from sim import staffing_charts

        figures = staffing_charts.staffing_figures(report)
        for name, figure in figures.items():
            path = out / f"{name}.png"
            _atomic_write(path, lambda temp, f=figure: f.savefig(temp, format="png", dpi=110))
            staffing_charts.close(figure)
            written[name] = path
    return written


def _json_default(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
