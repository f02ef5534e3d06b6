"""A timer whose callback can be called off: the one way the model cancels what it planned."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import simpy
from simpy.events import NORMAL, URGENT, EventPriority

__all__ = ["NORMAL", "URGENT", "Timer"]


class Timer(simpy.Event):
    """Call ``action(timer)`` after ``delay_s`` seconds, unless :meth:`cancel` is called.

    The action reads what it is about from the timer (``timer.subject``): SimPy calls it
    with the event, so nothing runs in between. A timer is one SimPy event scheduled like a
    ``Timeout`` (``priority`` NORMAL), or, with ``delay_s`` 0 and ``priority`` URGENT,
    before the normal events due now (as an ``Interrupt``). A cancelled timer is still
    processed when due; only its action does not run, so cancelling changes the order of
    nothing else.
    """

    def __init__(
        self,
        env: simpy.Environment,
        delay_s: float,
        action: Callable[[Timer], None],
        subject: Any,
        priority: EventPriority = NORMAL,
    ) -> None:
        # Event.__init__ inlined (as SimPy's own Timeout does): a timer is made per message
        # run, push and arrival.
        self.env = env
        self.callbacks = [action]
        self._value = None
        self._ok = True
        self.subject = subject
        env.schedule(self, priority, delay_s)

    def cancel(self) -> None:
        """Call the action off (nothing happens if it already ran)."""
        callbacks = self.callbacks
        if callbacks:
            callbacks.clear()
