"""Runs on a Dask distributed cluster, behind the same executor interface as local runs.

:class:`DaskExecutor` connects a ``dask.distributed.Client`` to a running scheduler
(``tcp://HOST:PORT``) and submits one task per item. Results are identical to a local run:
every task carries its own ``(seed, replication)`` and the simulator draws its random
streams from ``SeedSequence(seed, spawn_key=(replication,))``, never from the worker it
lands on or the order runs finish in.

Dask is an optional dependency (``pip install -e ".[dask]"``) and is imported only when a
:class:`DaskExecutor` is created. Every worker needs this package installed (the same
version), since tasks call :mod:`sim` functions by reference.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from typing import Any, TypeVar

from sim.experiments.executors import OrderedMap

Item = TypeVar("Item")

INSTALL_HINT = 'pip install -e ".[dask]"'
"""How to install the optional Dask dependency."""

CONNECT_TIMEOUT_S = 10.0
"""Default time allowed to reach the scheduler before giving up (seconds)."""


class DaskUnavailableError(ImportError):
    """``dask.distributed`` is not installed."""


class SchedulerConnectionError(OSError):
    """The Dask scheduler cannot be reached."""


def _distributed() -> Any:
    """Import ``dask.distributed`` lazily, with an install hint when it is missing."""
    try:
        import distributed
    except ImportError as error:
        raise DaskUnavailableError(
            f"distributed runs need dask.distributed, which is not installed ({error}); "
            f"install it with {INSTALL_HINT}"
        ) from None
    return distributed


SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")
"""Address schemes of a remote Dask scheduler."""


def _check_address(address: str, timeout_s: float) -> None:
    """Fail at once, in one line, for an address that is malformed or has nothing listening.

    Checks the form ``SCHEME://HOST:PORT`` (the scheme may be left out: ``tcp``), resolves
    the host and, for TCP-based schemes, opens and closes a plain socket to the port (at most
    ``timeout_s`` seconds; for ``tcp``, until the scheduler's greeting arrives), before any
    Dask client exists: a refused port fails at once, a filtered port or one held by a
    program other than a scheduler within ``timeout_s``, not after the client's own timeout
    (or never: a client whose handshake is not answered waits for ever).
    """
    hint = "expected an address such as tcp://HOST:8786"
    scheme, separator, rest = address.partition("://")
    if not separator:
        scheme, rest = "tcp", address
    if scheme not in SCHEMES:
        raise SchedulerConnectionError(
            f"bad Dask scheduler address {address!r}: unknown scheme {scheme!r} "
            f"(known: {', '.join(SCHEMES)}); {hint}")
    if rest.startswith("["):  # [IPv6]:port
        host, _, port_text = rest[1:].partition("]")
        port_text = port_text.removeprefix(":")
    else:
        host, _, port_text = rest.rpartition(":") if ":" in rest else (rest, "", "")
    port_text = port_text.rstrip("/")
    if not host or "/" in host:
        raise SchedulerConnectionError(
            f"bad Dask scheduler address {address!r}: no host; {hint}")
    if not port_text:
        raise SchedulerConnectionError(
            f"bad Dask scheduler address {address!r}: no port; {hint}")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise SchedulerConnectionError(
            f"bad Dask scheduler address {address!r}: port {port_text!r} is not a number "
            f"from 1 to 65535; {hint}")
    try:
        socket.getaddrinfo(host, int(port_text))
    except socket.gaierror as error:
        raise SchedulerConnectionError(
            f"distributed runs need a reachable Dask scheduler: cannot resolve host {host!r} "
            f"of {address} ({error.strerror}); {hint}") from None
    except OSError:
        return
    if scheme == "ucx":
        return
    try:
        with socket.create_connection((host, int(port_text)),
                                      timeout=max(timeout_s, 0.1)) as probe:
            # A Dask scheduler greets a new TCP connection at once (its handshake); a port
            # held by something else says nothing, and the client would wait for ever.
            if scheme == "tcp" and not probe.recv(1):
                raise ConnectionError(0, "the connection was closed without a Dask handshake")
    except OSError as error:
        detail = error.strerror or str(error) or type(error).__name__
        if isinstance(error, TimeoutError):
            detail = f"no Dask scheduler answered within {timeout_s:g} s"
        raise SchedulerConnectionError(
            f"distributed runs need a reachable Dask scheduler: cannot connect to "
            f"{address} ({detail}); start one with 'dask scheduler' and workers with "
            f"'dask worker {address}', or drop --scheduler / CCSIM_SCHEDULER to run locally"
        ) from None


def _client(distributed: Any, address: str, timeout_s: float) -> Any:
    """A connected ``distributed.Client``; one that fails to connect is shut down quietly.

    A Client whose constructor raised is still finalized later, and its ``__del__`` would
    then try to close it (a stall of twice the timeout, then a traceback on stderr): the
    failed client is marked closed and its event loop stopped here instead.
    """

    class QuietClient(distributed.Client):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            try:
                super().__init__(*args, **kwargs)
            except BaseException:
                self.status = "closed"
                with suppress(Exception):
                    self._loop_runner.stop()
                raise

    return QuietClient(address, timeout=f"{timeout_s}s", set_as_default=False)


class DaskExecutor(OrderedMap):
    """Runs items as tasks on a Dask distributed cluster.

    Use it as a context manager (or call :meth:`close`) to disconnect the client; the
    cluster itself is left running.

    Example::

        with DaskExecutor("tcp://scheduler:8786") as executor:
            runset = replicate(scenario, 100, executor=executor)
    """

    def __init__(self, address: str, timeout_s: float = CONNECT_TIMEOUT_S) -> None:
        """Connect to a running scheduler.

        Args:
            address: the scheduler, e.g. ``tcp://10.0.0.5:8786``.
            timeout_s: how long to try to reach it (seconds).

        Raises:
            DaskUnavailableError: if ``dask.distributed`` is not installed (an ImportError).
            SchedulerConnectionError: if the scheduler cannot be reached (an OSError).
        """
        distributed = _distributed()
        self.address = address
        _check_address(address, timeout_s)
        try:
            self.client = _client(distributed, address, timeout_s)
        except (OSError, TimeoutError, ValueError) as error:
            detail = " ".join(str(error).split()) or type(error).__name__
            raise SchedulerConnectionError(
                f"distributed runs need a reachable Dask scheduler: cannot connect to "
                f"{address} ({detail}); start one with 'dask scheduler' and workers with "
                f"'dask worker {address}', or drop --scheduler / CCSIM_SCHEDULER to run locally"
            ) from None

    def __repr__(self) -> str:
        return f"DaskExecutor({self.address!r})"

    def close(self) -> None:
        """Disconnect from the scheduler (the cluster keeps running)."""
        self.client.close()

    def as_completed(
        self, fn: Callable[[Item], Any], items: Sequence[Item]
    ) -> Iterator[tuple[int, Any]]:
        """Yield ``(index, fn(items[index]))`` as tasks finish, in any order.

        All items are submitted at once (one batch). Closing the iterator early (Ctrl-C,
        an error) cancels the tasks not yet finished. A task's exception is raised here.
        """
        distributed = _distributed()
        items = list(items)
        if not items:
            return
        batch = uuid.uuid4().hex[:12]
        name = getattr(fn, "__name__", "task")
        # pure=False with explicit keys: never deduplicated or cached between calls,
        # and no hashing of the (large) items.
        futures = self.client.map(
            fn, items, key=[f"ccsim-{name}-{batch}-{index}" for index in range(len(items))],
            pure=False,
        )
        index_of = {future.key: index for index, future in enumerate(futures)}
        pending = set(index_of)
        try:
            for future in distributed.as_completed(futures, loop=self.client.loop):
                result = future.result()
                pending.discard(future.key)
                yield index_of[future.key], result
                future.release()
        finally:
            if pending:
                self.client.cancel([f for f in futures if f.key in pending])
