"""A timer whose callback can be called off: the one way the model cancels what it planned."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import simpy
from simpy.events import NORMAL, URGENT, EventPriority

__all__ = ["NORMAL", "URGENT", "Timer"]


def _fire(timer: Timer) -> None:
    timer.action(timer.subject)


class Timer(simpy.Event):
    """Call ``action(subject)`` after ``delay_s`` seconds, unless :meth:`cancel` is called.

    A timer is one SimPy event scheduled like a ``Timeout`` (``priority`` NORMAL), or, with
    ``delay_s`` 0 and ``priority`` URGENT, before the normal events due now (as an
    ``Interrupt``). A cancelled timer is still processed when due; only its action does not
    run, so cancelling changes the order of nothing else.

    With ``direct`` the timer calls ``action(timer)`` itself, the subject read from it: one
    Python call fewer (no ``_fire`` in between), for the timers of every session.
    """

    def __init__(
        self,
        env: simpy.Environment,
        delay_s: float,
        action: Callable[[Any], None],
        subject: Any,
        priority: EventPriority = NORMAL,
        direct: bool = False,
    ) -> None:
        # Event.__init__ inlined (as SimPy's own Timeout does): a timer is made per message
        # run, push and arrival.
        self.env = env
        self.callbacks = [action] if direct else [_fire]
        self._value = None
        self._ok = True
        self.action = action
        self.subject = subject
        env.schedule(self, priority, delay_s)

    def cancel(self) -> None:
        """Call the action off (nothing happens if it already ran)."""
        callbacks = self.callbacks
        if callbacks:
            callbacks.clear()

