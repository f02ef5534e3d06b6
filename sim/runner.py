"""Many runs of a scenario: replications and capacity-model comparisons, via an executor.

Replication ``r`` of seed ``s`` has its own ``SeedSequence(s, spawn_key=(r,))``, so it
gives the same result wherever it runs: serially, in another process or on a Dask
cluster (:mod:`sim.dask_executor`). The executor only decides *where* replications run;
:func:`replicate`, :func:`compare` and :func:`sim.sweeps.sweep` put the results back in order.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, Self, TypeVar

import pandas as pd
from pydantic import ValidationError

from sim.capacity import CAPACITY_MODEL_NAMES
from sim.figures import headline_figures, paired_difference, summarize
from sim.scenario import Scenario
from sim.simulate import simulate

Item = TypeVar("Item")
Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each finished run."""



# ---------------------------------------------------------------------------- executors
class Executor(Protocol):
    """Where runs happen. ``fn`` must be a picklable top-level function."""

    def map(self, fn: Callable[[Item], Any], items: Sequence[Item]) -> list[Any]:
        """Apply ``fn`` to every item; results in input order."""
        ...

    def as_completed(
        self, fn: Callable[[Item], Any], items: Sequence[Item]
    ) -> Iterator[tuple[int, Any]]:
        """Yield ``(index, fn(items[index]))`` as runs finish, in any order.

        Closing the iterator early (for example on Ctrl-C) cancels runs not yet started.
        """
        ...

    def close(self) -> None:
        """Release what the executor holds (worker processes, a cluster connection)."""
        ...


class OrderedMap:
    """``map`` in input order, for executors that provide ``as_completed``."""

    def as_completed(
        self, fn: Callable[[Item], Any], items: Sequence[Item]
    ) -> Iterator[tuple[int, Any]]:  # pragma: no cover - provided by subclasses
        """Yield ``(index, result)`` as runs finish."""
        raise NotImplementedError

    def map(self, fn: Callable[[Item], Any], items: Sequence[Item]) -> list[Any]:
        """Apply ``fn`` to every item; results in input order."""
        results: dict[int, Any] = dict(self.as_completed(fn, items))
        return [results[index] for index in range(len(items))]

    def close(self) -> None:
        """Release what the executor holds; nothing by default."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class LocalExecutor(OrderedMap):
    """Runs in this process (``jobs=1``) or in a pool of ``jobs`` worker processes."""

    def __init__(self, jobs: int = 1) -> None:
        """Create the executor.

        Args:
            jobs: worker processes; 1 runs serially in this process.

        Raises:
            ValueError: if ``jobs`` is less than 1.
        """
        if jobs < 1:
            raise ValueError(f"jobs must be at least 1, got {jobs}")
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None

    def close(self) -> None:
        """Stop the worker processes (they are kept between batches until then)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _worker_pool(self) -> ProcessPoolExecutor:
        # 'spawn': a fresh interpreter per worker, safe while this process runs threads
        # (a progress bar) and the same on every platform. Kept for later batches, so
        # iterative work (staffing) pays the start-up once.
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.jobs,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_ignore_interrupts,
            )
        return self._pool

    def as_completed(
        self, fn: Callable[[Item], Any], items: Sequence[Item]
    ) -> Iterator[tuple[int, Any]]:
        """Yield ``(index, result)`` as runs finish; see :class:`Executor`."""
        if self.jobs == 1 or len(items) <= 1:
            for index, item in enumerate(items):
                yield index, fn(item)
            return
        yield from _pool_as_completed(fn, items, self._worker_pool())


def _pool_as_completed(
    fn: Callable[[Item], Any], items: Sequence[Item], pool: ProcessPoolExecutor
) -> Iterator[tuple[int, Any]]:
    pending: dict[Future[Any], int] = {}
    try:
        with _interrupts_ignored():  # workers start during submit and inherit this
            for index, item in enumerate(items):
                pending[pool.submit(fn, item)] = index
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=pending.__getitem__):
                index = pending.pop(future)
                yield index, future.result()
    finally:
        # Reached normally, on an error, or when the consumer stops early (Ctrl-C):
        # runs not yet started are cancelled; the ones running finish and are dropped.
        for future in pending:
            future.cancel()


@contextmanager
def _interrupts_ignored() -> Iterator[None]:
    """Ignore Ctrl-C while worker processes start, so they never see it.

    A terminal's Ctrl-C goes to the whole process group; the parent alone decides what
    to do (stop and keep finished replications). A child started while SIGINT is
    ignored inherits that, even during its own start-up imports.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _ignore_interrupts() -> None:
    """Worker initializer: Ctrl-C is the parent's to handle, workers just get cancelled."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


SCHEDULER_ENV = "CCSIM_SCHEDULER"
"""Environment variable with a Dask scheduler address, used when no scheduler is given."""


def scheduler_address(scheduler: str | None = None) -> str | None:
    """The scheduler to use: ``scheduler`` if given, else ``$CCSIM_SCHEDULER``, else ``None``."""
    for candidate in (scheduler, os.environ.get(SCHEDULER_ENV)):
        if candidate is not None and candidate.strip():
            return candidate.strip()
    return None


def make_executor(jobs: int = 1, scheduler: str | None = None) -> OrderedMap:
    """The executor for ``--jobs`` and ``--scheduler``.

    Args:
        jobs: local worker processes (1 = serial, in this process); not used on a cluster.
        scheduler: address of a Dask distributed scheduler (``tcp://HOST:PORT``); when
            ``None``, the ``CCSIM_SCHEDULER`` environment variable if set, else local runs.
            ``CCSIM_SCHEDULER_TIMEOUT`` sets how long to try to connect (seconds, 10).

    Returns:
        A :class:`sim.dask_executor.DaskExecutor` connected to the scheduler, or a
        :class:`LocalExecutor` with ``jobs`` processes.

    Raises:
        ImportError: for a scheduler when ``dask.distributed`` is not installed.
        OSError: if the scheduler cannot be reached.
        ValueError: if ``jobs`` is less than 1.
    """
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    address = scheduler_address(scheduler)
    if address is not None:
        from sim.dask_executor import CONNECT_TIMEOUT_S, DaskExecutor

        timeout_s = float(os.environ.get("CCSIM_SCHEDULER_TIMEOUT", CONNECT_TIMEOUT_S))
        return DaskExecutor(address, timeout_s=timeout_s)
    return LocalExecutor(jobs)


# ------------------------------------------------------------------------ one replication
@dataclass
class ReplicationPayload:
    """What a worker sends back for one replication: small and picklable.

    Attributes:
        replication: replication index.
        figures: headline figures (see :func:`sim.figures.headline_figures`).
        intervals: the interval table with a ``replication`` column.
        agents: the agent table with a ``replication`` column.
        sessions: the session table with a ``replication`` column, or ``None`` if not kept.
    """

    replication: int
    figures: dict[str, float]
    intervals: pd.DataFrame
    agents: pd.DataFrame
    sessions: pd.DataFrame | None


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
        intervals=_tagged(result.intervals, replication),
        agents=_tagged(result.agents, replication),
        sessions=_tagged(result.sessions, replication) if keep_sessions else None,
    )


def run_figures(task: tuple[Scenario, int, int]) -> dict[str, float]:
    """Simulate one replication and return only its headline figures (the smallest payload).

    Args:
        task: ``(scenario, seed, replication)``.

    Returns:
        ``{figure: value}`` as :func:`sim.figures.headline_figures`.
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

    Raises:
        ComparisonError: if status-based capacity is invalid for it (a standard channel).
    """
    raw = {**scenario.model_dump(), "capacity_model": "status"}
    try:
        return Scenario.model_validate(raw)
    except ValidationError as error:
        from sim.loader import validation_problems

        problems = validation_problems(
            error, raw, "status-based capacity is invalid for this scenario"
        )
        raise ComparisonError("cannot compare capacity models: " + "; ".join(problems)) from None


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
        ComparisonError: if the scenario cannot run status-based (a standard channel).
        ValueError: if ``replications`` is less than 1.
    """
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    variants = {
        "tab": scenario.model_copy(update={"capacity_model": "tab"}),
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
    first, second = tab.summary(), status.summary()
    difference = paired_difference(tab.figures, status.figures)
    return pd.DataFrame(
        {
            "tab_mean": first["mean"],
            "tab_ci95": first["ci95"],
            "status_mean": second["mean"],
            "status_ci95": second["ci95"],
            "diff_mean": difference["mean"],
            "diff_ci95": difference["ci95"],
            "n": difference["n"],
        }
    )

