"""Where runs happen: the executor interface, local worker processes, and the choice of one.

An executor only decides *where* replications run (serially, in local processes, or on a
Dask cluster: :mod:`sim.experiments.dask_executor`); callers put the results back in order.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager, suppress
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
        # 'spawn' (default, $CCSIM_START_METHOD): a fresh interpreter per worker, safe
        # while this process runs threads (a progress bar) and the same on every platform.
        # Kept for later batches, so iterative work (staffing) pays the start-up once.
        # Workers die with this process, even on kill -9 (see _start_worker).
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.jobs,
                mp_context=multiprocessing.get_context(start_method()),
                initializer=_start_worker,
                initargs=(os.getpid(),
                          threading.current_thread() is threading.main_thread()),
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


START_METHOD_ENV = "CCSIM_START_METHOD"
"""Environment variable choosing how local workers start: ``spawn`` (default) or ``fork``."""

START_METHODS = ("spawn", "fork")
"""The start methods local workers may use (workers must be children of this process)."""

PARENT_POLL_S = 0.25
"""How often a worker's watchdog checks that its parent is still alive (seconds)."""

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def start_method() -> str:
    """How local worker processes start: ``$CCSIM_START_METHOD``, else ``spawn``.

    Raises:
        ValueError: for a start method other than ``spawn`` or ``fork`` (or one this
            platform lacks).
    """
    method = os.environ.get(START_METHOD_ENV, "").strip() or "spawn"
    if method not in START_METHODS or method not in multiprocessing.get_all_start_methods():
        allowed = [name for name in START_METHODS
                   if name in multiprocessing.get_all_start_methods()]
        raise ValueError(f"{START_METHOD_ENV}: found {method!r}; allowed: "
                         f"{', '.join(repr(name) for name in allowed)}")
    return method


def _start_worker(parent_pid: int, death_signal: bool = True) -> None:
    """Worker initializer: leave Ctrl-C to the parent, and die with the parent.

    A worker must never outlive the process that started it (a ``kill -9`` of ``ccsim``
    would otherwise leave workers running for minutes, holding the caller's terminal or
    pipe). Two guards: on Linux the kernel sends SIGKILL when the parent dies
    (``prctl(PR_SET_PDEATHSIG)``; only when the pool was started from the main thread,
    since the signal follows the *thread* that started the worker), and everywhere a
    daemon thread polls the parent pid every :data:`PARENT_POLL_S` seconds. A parent that
    died before this ran is caught by the first check.
    """
    _ignore_interrupts()
    if death_signal and sys.platform.startswith("linux"):
        with suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent_pid,), name="ccsim-parent-watchdog",
                     daemon=True).start()


def _watch_parent(parent_pid: int) -> None:
    """Exit this worker at once when its parent is gone (it was re-parented)."""
    while os.getppid() == parent_pid:
        time.sleep(PARENT_POLL_S)
    os._exit(1)


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
        ValueError: if ``jobs`` is less than 1, or for a bad ``$CCSIM_START_METHOD``.
    """
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    address = scheduler_address(scheduler)
    if address is not None:
        from sim.experiments.dask_executor import CONNECT_TIMEOUT_S, DaskExecutor

        timeout_s = float(os.environ.get("CCSIM_SCHEDULER_TIMEOUT", CONNECT_TIMEOUT_S))
        return DaskExecutor(address, timeout_s=timeout_s)
    if jobs > 1:
        start_method()  # a bad $CCSIM_START_METHOD fails before any run
    return LocalExecutor(jobs)


