"""Many runs of a scenario: replications and capacity-model comparisons, via an executor.

Replication ``r`` of seed ``s`` has its own ``SeedSequence(s, spawn_key=(r,))``, so it
gives the same result wherever it runs: serially, in another process or on a Dask
cluster (:mod:`sim.experiments.dask_executor`). The executor only decides *where*
replications run; :func:`replicate`, :func:`compare` and :func:`sim.experiments.sweep.sweep`
put the results back in order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pandas as pd

from sim.experiments.executors import Executor, LocalExecutor
from sim.model.capacity import CAPACITY_MODEL_NAMES
from sim.model.simulate import simulate
from sim.results.breakdowns import part_figures
from sim.results.figures import (
    headline_figures,
    intervals_with_service_level,
    paired_comparison,
    summarize,
)
from sim.scenario.loading import ScenarioError
from sim.scenario.schema import Scenario

Item = TypeVar("Item")
Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each finished run."""



# ------------------------------------------------------------------------ one replication
@dataclass
class ReplicationPayload:
    """What a worker sends back for one replication: small and picklable.

    Attributes:
        replication: replication index.
        figures: headline figures (see :func:`sim.results.figures.headline_figures`).
        intervals: the interval table with a ``replication`` column.
        agents: the agent table with a ``replication`` column.
        sessions: the session table with a ``replication`` column, or ``None`` if not kept.
        groups: the per-group interval table with a ``replication`` column.
        channels: the session figures per channel (and ``all``), small enough to send
            when the sessions are not (:func:`sim.results.breakdowns.part_figures`).
    """

    replication: int
    figures: dict[str, float]
    intervals: pd.DataFrame
    agents: pd.DataFrame
    sessions: pd.DataFrame | None
    groups: pd.DataFrame = field(default_factory=pd.DataFrame)
    channels: pd.DataFrame = field(default_factory=pd.DataFrame)


def run_replication(
    scenario: Scenario, seed: int, replication: int, keep_sessions: bool = True
) -> ReplicationPayload:
    """Simulate one replication and reduce it to a :class:`ReplicationPayload`.

    Args:
        scenario: the validated scenario.
        seed: root seed of the run.
        replication: replication index (its own random streams).
        keep_sessions: send the session table back (it is the largest table).

    Returns:
        The replication's figures and tables, each with a ``replication`` column.
    """
    result = simulate(scenario, seed=seed, replication=replication)
    return ReplicationPayload(
        replication=replication,
        figures=headline_figures(result),
        intervals=_tagged(intervals_with_service_level(result), replication),
        agents=_tagged(result.agents, replication),
        sessions=_tagged(result.sessions, replication) if keep_sessions else None,
        groups=_tagged(result.groups, replication),
        channels=part_figures(_tagged(result.sessions, replication), scenario, "channel"),
    )


def run_figures(task: tuple[Scenario, int, int]) -> dict[str, float]:
    """Simulate one replication and return only its headline figures (the smallest payload).

    Args:
        task: ``(scenario, seed, replication)``.

    Returns:
        ``{figure: value}`` as :func:`sim.results.figures.headline_figures`.
    """
    scenario, seed, replication = task
    return headline_figures(simulate(scenario, seed=seed, replication=replication))


def _run_task(task: tuple[Scenario, int, int, bool]) -> ReplicationPayload:
    """Top-level (so picklable) adapter from one task tuple to :func:`run_replication`."""
    return run_replication(*task)


def _tagged(table: pd.DataFrame, replication: int) -> pd.DataFrame:
    tagged = table.copy()
    tagged.insert(0, "replication", replication)
    return tagged


def run_batch(
    fn: Callable[[Item], Any],
    tasks: Sequence[Item],
    executor: Executor | None,
    progress: Progress | None,
) -> tuple[dict[int, Any], bool]:
    """Run ``fn`` on every task; on Ctrl-C stop and keep what finished.

    Returns:
        The results by task index, and whether the batch was interrupted.
    """
    runner = executor if executor is not None else LocalExecutor(1)
    results: dict[int, Any] = {}
    stream = runner.as_completed(fn, list(tasks))
    try:
        for index, result in stream:
            results[index] = result
            if progress is not None:
                progress(len(results), len(tasks))
    except KeyboardInterrupt:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
        return results, True
    return results, False


# ------------------------------------------------------------------------------ replicate
@dataclass
class RunSet:
    """The replications of one scenario, in replication order.

    Attributes:
        scenario: the scenario that was run.
        seed: root seed.
        requested: replications asked for.
        figures: headline figures, one mapping per finished replication.
        intervals: interval tables of all finished replications (``replication`` column).
        agents: agent tables of all finished replications (``replication`` column).
        sessions: session tables (``replication`` column), ``None`` if not kept.
        interrupted: the run was stopped (Ctrl-C) before every replication finished.
        groups: per-group interval tables of all finished replications (``replication``).
        channels: session figures per channel and replication, kept even when the
            sessions are not (:func:`sim.results.breakdowns.summarize_parts` sums them up).
    """

    scenario: Scenario
    seed: int
    requested: int
    figures: list[dict[str, float]]
    intervals: pd.DataFrame
    agents: pd.DataFrame
    sessions: pd.DataFrame | None
    interrupted: bool = False
    replication_ids: list[int] = field(default_factory=list)
    groups: pd.DataFrame = field(default_factory=pd.DataFrame)
    channels: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def replications(self) -> int:
        """Replications that finished."""
        return len(self.figures)

    def summary(self) -> pd.DataFrame:
        """Mean, sd, 95% CI half-width and n of every headline figure."""
        return summarize(self.figures)


def replicate(
    scenario: Scenario,
    replications: int,
    seed: int | None = None,
    executor: Executor | None = None,
    keep_sessions: bool = True,
    progress: Progress | None = None,
) -> RunSet:
    """Run replications ``0 .. replications-1`` of a scenario.

    Args:
        scenario: the validated scenario.
        replications: how many replications (at least 1).
        seed: root seed; the scenario's ``seed`` when omitted.
        executor: where to run; serial in this process when omitted.
        keep_sessions: keep every session row (the largest table).
        progress: called as ``progress(done, total)`` after each replication.

    Returns:
        The finished replications in order. On Ctrl-C the replications finished so far,
        with ``interrupted=True``.

    Raises:
        ValueError: if ``replications`` is less than 1.
    """
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    root = scenario.seed if seed is None else seed
    tasks = [(scenario, root, index, keep_sessions) for index in range(replications)]
    results, interrupted = run_batch(_run_task, tasks, executor, progress)
    return _runset(scenario, root, replications, [results[i] for i in sorted(results)],
                   interrupted)


def _runset(
    scenario: Scenario,
    seed: int,
    requested: int,
    payloads: list[ReplicationPayload],
    interrupted: bool,
) -> RunSet:
    def joined(tables: list[pd.DataFrame | None]) -> pd.DataFrame | None:
        present = [table for table in tables if table is not None]
        return pd.concat(present, ignore_index=True) if present else None

    intervals = joined([payload.intervals for payload in payloads])
    agents = joined([payload.agents for payload in payloads])
    groups = joined([payload.groups for payload in payloads])
    channels = joined([payload.channels for payload in payloads])
    return RunSet(
        scenario=scenario,
        seed=seed,
        requested=requested,
        figures=[payload.figures for payload in payloads],
        intervals=intervals if intervals is not None else pd.DataFrame(),
        agents=agents if agents is not None else pd.DataFrame(),
        sessions=joined([payload.sessions for payload in payloads]),
        interrupted=interrupted,
        replication_ids=[payload.replication for payload in payloads],
        groups=groups if groups is not None else pd.DataFrame(),
        channels=channels if channels is not None else pd.DataFrame(),
    )


# -------------------------------------------------------------------------------- compare
class ComparisonError(ValueError):
    """The scenario cannot be run under both capacity models."""


@dataclass
class Comparison:
    """Both capacity models run on the same customers, and their paired differences.

    Attributes:
        tab: replications under tab-based capacity (the baseline).
        status: the same replications under status-based capacity.
        table: one row per figure: ``tab_mean``, ``tab_ci95``, ``status_mean``,
            ``status_ci95``, ``diff_mean`` (status - tab), ``diff_ci95``, ``n`` (pairs).
    """

    tab: RunSet
    status: RunSet
    table: pd.DataFrame

    @property
    def replications(self) -> int:
        """Replications finished under both models."""
        return self.tab.replications

    @property
    def interrupted(self) -> bool:
        """Stopped by Ctrl-C; only replications finished under both models are kept."""
        return self.tab.interrupted


def status_variant(scenario: Scenario) -> Scenario:
    """The scenario re-validated with status-based capacity.

    Its standard channels stay tab-based (rules §1.5): see :func:`mixed_center_note`.

    Raises:
        ComparisonError: if status-based capacity is invalid for it, or changes nothing
            (every channel is standard).
    """
    try:
        variant = scenario.derive(
            capacity_model="status", source="status-based capacity is invalid for this scenario"
        )
    except ScenarioError as error:
        raise ComparisonError(
            "cannot compare capacity models: " + "; ".join(error.problems)
        ) from None
    if len(variant.tab_based_channels()) == len(variant.channels):
        types = ", ".join(f"{channel.name} ({channel.type})" for channel in variant.channels)
        raise ComparisonError(
            f"cannot compare capacity models: channels: every channel is standard ({types}),"
            " always tab-based; status-based capacity needs an enhanced channel type"
        )
    return variant


def mixed_center_note(scenario: Scenario) -> str:
    """A sentence naming the channels that stay tab-based under status-based capacity.

    Empty when every channel can switch. Standard channels are always tab-based; in a
    status-based center only the enhanced channels' work follows status (rules §1.5).
    """
    fixed = status_variant(scenario).tab_based_channels()
    if not fixed:
        return ""
    names = ", ".join(fixed)
    return (f"standard channel{'s' if len(fixed) > 1 else ''} {names} stay"
            f"{'' if len(fixed) > 1 else 's'} tab-based under status-based capacity "
            "(only enhanced channels can switch; rules §1.5)")


def compare(
    scenario: Scenario,
    replications: int,
    seed: int | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> Comparison:
    """Run a scenario under tab-based and status-based capacity on the same customers.

    Replication ``r`` of both models uses the same seed, so the same customers arrive
    with the same behaviour (common random numbers); the difference of each figure is
    taken per replication.

    Args:
        scenario: the validated scenario (its own ``capacity_model`` is ignored).
        replications: replications per model (at least 1; 2 or more for a CI).
        seed: root seed; the scenario's ``seed`` when omitted.
        executor: where to run; serial in this process when omitted.
        progress: called as ``progress(done, total)`` with ``total = 2 * replications``.

    Returns:
        Both run sets and the per-figure table.

    Raises:
        ComparisonError: if the scenario cannot run status-based, or every channel is
            standard.
        ValueError: if ``replications`` is less than 1.
    """
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    variants = {
        "tab": scenario.derive(capacity_model="tab"),
        "status": status_variant(scenario),
    }
    root = scenario.seed if seed is None else seed
    tasks = [
        (variants[model], root, index, False)
        for model in CAPACITY_MODEL_NAMES
        for index in range(replications)
    ]
    results, interrupted = run_batch(_run_task, tasks, executor, progress)
    paired = [i for i in range(replications) if i in results and i + replications in results]
    tab = _runset(variants["tab"], root, replications, [results[i] for i in paired],
                  interrupted)
    status = _runset(variants["status"], root, replications,
                     [results[i + replications] for i in paired], interrupted)
    return Comparison(tab=tab, status=status, table=comparison_table(tab, status))


def comparison_table(tab: RunSet, status: RunSet) -> pd.DataFrame:
    """Per figure: mean and CI of each model and of the paired difference (status - tab)."""
    return paired_comparison(tab.figures, status.figures)
