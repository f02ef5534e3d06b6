"""Where runs happen: the executor interface, local worker processes, and the choice of one.

An executor only decides *where* replications run (serially, in local processes, or on a
Dask cluster: :mod:`sim.experiments.dask_executor`); callers put the results back in order.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

Item = TypeVar("Item")
_Map = TypeVar("_Map", bound="OrderedMap")  # typing.Self is Python 3.11+

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

    def __enter__(self: _Map) -> _Map:
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
        A :class:`sim.experiments.dask_executor.DaskExecutor` connected to the scheduler, or a
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
        from sim.experiments.dask_executor import CONNECT_TIMEOUT_S, DaskExecutor

        timeout_s = float(os.environ.get("CCSIM_SCHEDULER_TIMEOUT", CONNECT_TIMEOUT_S))
        return DaskExecutor(address, timeout_s=timeout_s)
    return LocalExecutor(jobs)


