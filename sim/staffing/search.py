"""Simulation-based staffing: the iterative staffing algorithm over a whole day.

After Feldman, Mandelbaum, Massey & Whitt ("Staffing of time-varying queues to achieve
time-stable performance", Management Science 54(2), 2008), adapted to reporting intervals
and to the goals planners use. Starting from the analytic staffing
(:mod:`sim.staffing.analytic`), each iteration simulates the whole day with the staffed
group's per-interval ``staffing``, measures every goal per interval over replications
(95% confidence intervals; replication ``r`` uses the same random streams in every
iteration: common random numbers) and changes each interval:

- the point estimate misses a goal: raise it (at least one agent; further towards an
  Erlang estimate re-calibrated with the holding time the simulation measured);
- once every interval meets the goals: the same day with one agent fewer in every
  interval not yet known to be at its minimum (a *probe*: those neighbours lose an agent
  too, so it is pessimistic) still meets every goal with the whole 95% CI: lower it;
- otherwise it is binding: keep it.

Per interval the staffing levels known to pass and to fail bracket the search, so it
cannot oscillate; when a neighbour's change contradicts an older finding the newer one
wins. An interval whose level one agent lower is known to fail is at its minimum and is
not probed; when every interval is, the probe run is skipped.

Effort: early iterations use half the replications; once no interval changes, the search
continues with the full number until no interval changes again. Runs are cached by
(capacity model, staffing, replication), so a configuration simulated before is never
simulated again: going to the full number adds only the new replications, and the
verification run (twice the replications, at the chosen staffing) re-uses the last
iteration's. Intervals still missing a goal in the verification are raised and verified
again, at most :data:`REPAIR_ROUNDS` times.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.scenario.schema import Scenario
from sim.staffing.analytic import analytic_requirements, staffed_agents, workload
from sim.staffing.goals import StaffingGoals
from sim.staffing.runs import MEASURES, Task, measure_run
from sim.staffing.variants import staffing_group, with_staffing

REPAIR_ROUNDS = 3
"""Verification runs that may each raise the intervals still missing a goal."""

Log = Callable[[str], None]
"""Receives one progress line at a time."""

RunKey = tuple[str, tuple[int, ...], int, int]
"""(capacity model, staffing, seed, replication): a run's identity under common random
numbers (the same key always gives the same result)."""


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



@dataclass
class Runner:
    """Runs tasks through an executor, counts simulated days and caches by run key.

    Attributes:
        executor: an object with ``map(fn, items)``
            (see :func:`sim.experiments.executors.make_executor`);
            serial in this process when ``None``.
        runs: simulated runs so far (cache hits not counted).
        days: simulated days so far (runs x horizon / 1 day).
        batches: executor calls so far.
    """

    executor: Any = None
    runs: int = 0
    days: float = 0.0
    batches: int = 0
    cache: dict[RunKey, np.ndarray] = field(default_factory=dict)

    def run(self, requests: Sequence[tuple[RunKey | None, Task]]) -> list[np.ndarray]:
        """Measures of every requested run, in order; one executor batch for the new ones.

        A request with key ``None`` is never cached (e.g. the service-level curve).
        """
        todo: dict[RunKey | int, Task] = {}
        for position, (key, task) in enumerate(requests):
            if key is None:
                todo[position] = task
            elif key not in self.cache:
                todo[key] = task
        tasks = list(todo.values())
        if tasks:
            self.batches += 1
            results = (self.executor.map(measure_run, tasks) if self.executor is not None
                       else [measure_run(task) for task in tasks])
            self.runs += len(tasks)
            self.days += sum(task[0].horizon for task in tasks) / 86400.0
        done = dict(zip(todo, results, strict=True)) if tasks else {}
        for done_key, result in done.items():
            if not isinstance(done_key, int):
                self.cache[done_key] = result
        return [done[position] if key is None else self.cache[key]
                for position, (key, _) in enumerate(requests)]


_NO_PASS = 1 << 30
"""Marks 'no staffing level is known to pass' in the search brackets."""


class _IntervalSearch:
    """Per-interval staffing of one capacity model, with brackets known to pass and fail."""

    def __init__(self, model: str, scenario: Scenario, goals: StaffingGoals,
                 start: np.ndarray, replications: int, early_replications: int,
                 group: str | None) -> None:
        self.model = model
        self.scenario = scenario
        self.goals = goals
        self.group = group
        self.full_replications = replications
        self.replications = min(early_replications, replications)
        self.staffing = np.maximum(np.asarray(start, dtype=int), 0)
        self.known_fail = np.full(len(start), -1)
        self.known_pass = np.full(len(start), _NO_PASS)
        self.margin_at: list[dict[int, float]] = [{} for _ in range(len(start))]
        self.iterations = 0
        self.converged = False
        self.current: IntervalEstimates | None = None
        self.probed = np.zeros(len(start), dtype=bool)
        self.probing = False
        # What the calibration needs of the scenario, which does not change.
        self.work = workload(scenario, scenario.capacity_model, group)
        self.capacity_units = staffing_group(scenario, group)[1].capacity_units

    def requests(self, seed: int, replications: int | None = None,
                 probe: bool = True) -> list[tuple[RunKey, Task]]:
        """Runs of the next iteration: the current staffing, and the probe.

        The probe has one agent fewer in every interval not known to be at its minimum;
        it is left out while the last iteration still raised intervals (every interval
        must first meet the goals), when no interval is left to probe, or when ``probe``
        is false.
        """
        count = replications or self.replications
        configs = [self.staffing]
        self.probed = self._not_minimal() if probe and self.probing else np.zeros(
            len(self.staffing), dtype=bool)
        if self.probed.any():
            configs.append(np.where(self.probed, self.staffing - 1, self.staffing))
        requests = []
        for staffing in configs:
            scenario = with_staffing(self.scenario, staffing, self.goals, group=self.group)
            key = tuple(int(value) for value in staffing)
            requests += [((self.model, key, seed, r), (scenario, seed, r)) for r in range(count)]
        return requests

    def update(self, runs: list[np.ndarray]) -> int:
        """Take one iteration's runs (as :meth:`requests` asked); return intervals changed."""
        self.iterations += 1
        count = self.replications
        self.current = IntervalEstimates.from_runs(runs[:count])
        staffing = self.staffing
        met = meets_goals(self.goals, self.current)
        for index, margin in enumerate(goal_margin(self.goals, self.current)):
            self.margin_at[index][int(staffing[index])] = float(margin)
        probe_comfortable = np.zeros(len(staffing), dtype=bool)
        probe_ran = len(runs) > count
        if probe_ran:
            probe = IntervalEstimates.from_runs(runs[count:])
            probe_comfortable = meets_goals(self.goals, probe, confident=True) & self.probed
            probe_margin = goal_margin(self.goals, probe)
            for probed_index in np.flatnonzero(self.probed):
                self.margin_at[probed_index][int(staffing[probed_index]) - 1] = float(
                    probe_margin[probed_index])
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
                                   self.known_fail)
        estimate = self._calibrated_erlang()
        raised = np.minimum(np.maximum(staffing + 1, (staffing + estimate + 1) // 2),
                            self.known_pass)
        lowered = np.maximum(np.minimum(staffing - 1, (staffing - 1 + estimate) // 2),
                             self.known_fail + 1)
        new = np.maximum(np.where(~met, raised, np.where(lower, lowered, staffing)), 0)
        changed = int(np.sum(new != staffing))
        self.staffing = new
        self.probing = bool(met.all())
        if changed or (not probe_ran and self._not_minimal().any()):
            return changed  # still raising, or lowering not tried yet
        if self.replications < self.full_replications:
            self.replications = self.full_replications  # confirm with the full number
        else:
            self.converged = True
        return changed

    def _not_minimal(self) -> np.ndarray:
        """Intervals with agents whose level one lower is not known to fail."""
        return (self.staffing > 0) & (self.known_fail < self.staffing - 1)

    def binding_interval(self) -> int | None:
        """The staffed interval whose goal margin with one agent fewer is smallest."""
        margins = [self.margin_at[i].get(int(level) - 1, math.inf) if level > 0 else math.inf
                   for i, level in enumerate(self.staffing)]
        if not np.any(self.staffing > 0):
            return None
        if all(math.isinf(margin) for margin in margins):
            return int(np.argmax(self.staffing))
        return int(np.argmin(margins))

    def _calibrated_erlang(self) -> np.ndarray:
        """Erlang agents per interval with the holding time the simulation measured."""
        assert self.current is not None
        work = self.work
        mean = self.current.mean
        sizes = self.capacity_units / work.slots_per_agent
        measured = np.divide(mean["busy_units_s"] / sizes, mean["answered"],
                             out=np.full(len(sizes), np.nan), where=mean["answered"] > 0)
        holding = np.where(np.isfinite(measured) & (measured > 0), measured, work.holding_s)
        return staffed_agents(self.goals, work, holding)


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
        verification: per interval the achieved measures at ``required`` over the
            verification replications: ``<measure>`` and ``<measure>_ci95`` for
            service_level, asa_s, abandon_rate and occupancy, plus ``agents_online`` and
            ``meets`` (point estimates meet every goal).
        binding_interval: the staffed interval whose goal margin with one agent fewer (in
            the last run that tried it) is smallest.
        iterations: search iterations run.
        converged: the search stopped because no interval changed.
        replications: replications per search iteration.
        verification_replications: replications of the verification run.
    """

    capacity_model: str
    goals: StaffingGoals
    interval_s: float
    analytic: pd.DataFrame
    required: np.ndarray
    verification: pd.DataFrame
    binding_interval: int | None
    iterations: int
    converged: bool
    replications: int
    verification_replications: int

    @property
    def scheduled(self) -> np.ndarray:
        """Agents to schedule per interval: ``required`` with shrinkage."""
        return self.goals.scheduled(self.required)

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


def run_searches(
    variants: dict[str, Scenario],
    goals: StaffingGoals,
    replications: int,
    verification_replications: int,
    seed: int,
    runner: Runner,
    max_iterations: int,
    log: Log | None = None,
    group: str | None = None,
    extra: list[Task] | None = None,
) -> tuple[dict[str, StaffingResult], list[np.ndarray]]:
    """Search every capacity model in lockstep (one executor batch per iteration), verify.

    Args:
        variants: capacity model -> the scenario under it.
        goals: the goals.
        replications: replications per iteration once near convergence (half before).
        verification_replications: replications of the verification run.
        seed: root seed.
        runner: where runs happen (and their cache and counters).
        max_iterations: search iterations at most, per model.
        log: receives progress lines.
        group: the staffed agent group (see :mod:`sim.staffing.variants`).
        extra: tasks to run along with the first verification batch (not cached).

    Returns:
        The result per model, and the measures of the ``extra`` tasks.
    """
    analytic = {model: analytic_requirements(scenario, goals, model, group)
                for model, scenario in variants.items()}
    early = max(2, math.ceil(replications / 2))
    searches = {model: _IntervalSearch(model, scenario, goals,
                                       analytic[model]["agents"].to_numpy(), replications,
                                       early, group)
                for model, scenario in variants.items()}
    for iteration in range(1, max_iterations + 1):
        active = [search for search in searches.values() if not search.converged]
        if not active:
            break
        requests = [search.requests(seed) for search in active]
        runs = runner.run([request for chunk in requests for request in chunk])
        offset = 0
        for search, chunk in zip(active, requests, strict=True):
            count = search.replications
            agent_intervals = int(search.staffing.sum())
            changed = search.update(runs[offset:offset + len(chunk)])
            offset += len(chunk)
            if log:
                probe = "" if len(chunk) > count else ", no probe"
                log(f"{search.model}: iteration {iteration} ({count} replications{probe}): "
                    f"{agent_intervals} agent-intervals, "
                    f"{changed} interval(s) changed; {runner.days:.0f} days simulated")
    estimates, extra_runs = _verify(searches, goals, verification_replications, seed, runner,
                                    log, extra or [])
    results = {}
    for model, search in searches.items():
        results[model] = StaffingResult(
            capacity_model=model,
            goals=goals,
            interval_s=variants[model].interval,
            analytic=analytic[model],
            required=search.staffing.copy(),
            verification=_verification_table(estimates[model], goals, search.staffing),
            binding_interval=search.binding_interval(),
            iterations=search.iterations,
            converged=search.converged,
            replications=replications,
            verification_replications=verification_replications,
        )
    return results, extra_runs


def _verify(
    searches: dict[str, _IntervalSearch], goals: StaffingGoals, replications: int, seed: int,
    runner: Runner, log: Log | None, extra: list[Task],
) -> tuple[dict[str, IntervalEstimates], list[np.ndarray]]:
    """Verification at the chosen staffing, raising intervals that still miss.

    Returns:
        The estimates per model, and the measures of the ``extra`` tasks.
    """
    estimates: dict[str, IntervalEstimates] = {}
    pending = list(searches.values())
    extra_requests: list[tuple[RunKey | None, Task]] = [(None, task) for task in extra]
    extra_runs: list[np.ndarray] = []
    for round_index in range(REPAIR_ROUNDS + 1):
        requests = [search.requests(seed, replications, probe=False) for search in pending]
        runs = runner.run([r for chunk in requests for r in chunk] + extra_requests)
        if extra_requests:  # the extra tasks ride along with the first verification batch
            extra_runs = runs[len(runs) - len(extra_requests):]
            extra_requests = []
        still = []
        for index, search in enumerate(pending):
            chunk = runs[index * replications:(index + 1) * replications]
            estimates[search.model] = IntervalEstimates.from_runs(chunk)
            met = meets_goals(goals, estimates[search.model])
            if not met.all() and round_index < REPAIR_ROUNDS:
                search.staffing = search.staffing + (~met).astype(int)
                still.append(search)
                if log:
                    log(f"{search.model}: verification raised intervals "
                        f"{np.flatnonzero(~met).tolist()}")
        pending = still
        if not pending:
            break
    return estimates, extra_runs


def simulate_requirements(
    scenario: Scenario,
    goals: StaffingGoals,
    capacity_model: str | None = None,
    replications: int = 10,
    seed: int | None = None,
    executor: Any = None,
    max_iterations: int = 20,
    verification_replications: int | None = None,
    log: Log | None = None,
    group: str | None = None,
) -> StaffingResult:
    """Simulation-based staffing per interval (iterative staffing algorithm, FMMW 2008).

    Args:
        scenario: the scenario; the staffed group's shifts or agent count are replaced by
            a per-interval ``staffing`` list, other groups keep theirs.
        goals: what every interval must achieve (measured on the ``'all'`` rows, so a
            multichannel scenario is staffed on all channels together).
        capacity_model: ``'tab'`` or ``'status'``; the scenario's own when omitted.
        replications: replications per iteration near convergence (half before); each
            iteration runs them at the current staffing and, where needed, at one agent
            fewer. At least 2 for confidence intervals.
        seed: root seed; the scenario's when omitted. Every iteration uses replications
            ``0 .. replications-1`` of it (common random numbers).
        executor: an object with ``map(fn, items)``
            (see :func:`sim.experiments.executors.make_executor`);
            serial in this process when omitted. Create it once: every iteration uses it.
        max_iterations: the search stops after this many iterations even if not stable.
        verification_replications: replications of the final run (default 2x).
        log: receives one progress line per iteration.
        group: the staffed agent group; the first serving every queue when omitted.

    Returns:
        A :class:`StaffingResult`; ``simulated_days`` counts every simulated day.

    Raises:
        StaffingError: no group can be staffed, or the capacity model is invalid.
    """
    model = capacity_model or scenario.capacity_model
    if replications < 2:
        raise ValueError("replications must be at least 2 for confidence intervals")
    root = scenario.seed if seed is None else seed
    variant = with_staffing(scenario, [0] * scenario.n_intervals, goals, model, group)
    results, _ = run_searches({model: variant}, goals, replications,
                              verification_replications or 2 * replications, root,
                              Runner(executor), max_iterations, log, group)
    return results[model]
