"""The engine state of one running conversation, kept off the session's record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.model.entities import SessionStatus

if TYPE_CHECKING:
    from sim.model.entities import WorkItem
    from sim.model.timer import Timer


class Phase:
    """What a session's conversation is waiting for (``ConversationState.phase``)."""

    NOT_STARTED = 0
    RUNNING = 1
    """Its callback is running now; a wake meanwhile changes nothing."""
    DONE = 2
    ANSWER = 3
    """Outbound: the timer to the customer's answer."""
    READY = 4
    """A change that gives it an online agent holding it, Active."""
    STRANDED = 5
    """Status-based: its offline agent coming back (rules §4)."""
    SILENT = 6
    """The timer to the inactivation delay of a silent customer."""
    RETURNING = 7
    """The timer to a silent customer's return."""
    SEGMENT = 8
    """The timer to the end of a run of messages (see ``Conversations.talk``)."""
    ENDING = 9
    """The timer to the customer ending the conversation herself (rules §5.6)."""


TIMER_PHASES = frozenset(
    {Phase.ANSWER, Phase.SILENT, Phase.RETURNING, Phase.SEGMENT, Phase.ENDING}
)
"""Phases that wait for the conversation's own timer (``ConversationState.timer``)."""
CHANGE_PHASES = frozenset({Phase.READY, Phase.STRANDED})
"""Phases that wait for a change of the session's state (a wake)."""


@dataclass(slots=True, eq=False)
class ConversationState:
    """Where a session's conversation is; set on the session while it runs.

    The session drops it (``MessagingSession.conversation = None``) once it has ended and
    its conversation is done, as it drops its plan, so a long run keeps only records.
    Times are seconds.
    """

    phase: int = Phase.NOT_STARTED
    timer: Timer | None = None
    """What the conversation goes on at: its timer in a timer phase, or a wake due now
    in a change phase; None while nothing is pending (or a cut-short goes on now)."""
    patience: Timer | None = None
    """Inbound: the end of the customer's patience in the queue, once scheduled."""
    wait_end: float = float("nan")
    """When the customer's current wait (answer, silence) ends."""
    after_silence_s: float = float("nan")
    """A silent customer's time from going Inactive to the reply (``inf``: never)."""
    next_message: int = 0
    """The number of the next message (even: the agent's, odd: the customer's)."""
    message_left_s: float | None = None
    """What is left of a message cut short, or None."""
    message_item: WorkItem | None = None
    """The work item the current segment's agent messages belong to."""
    segment: list[float] | tuple[()] = ()
    """Durations of the run of messages waited for as one timer."""
    segment_start: float = 0.0
    segment_status: str = SessionStatus.NEW
    """The session status the segment's messages are recorded with."""
    end_when_accepted: bool = False
    """Standard channel: the customer fell silent while nobody held the session; the
    agent who accepts it next ends the chat (rules §1, §4)."""
    reply_deadline: float = float("inf")
    """With a response patience: when the customer gives up waiting for the agent's next
    message (``inf`` while she is not waiting for one; rules §5.7)."""
    reply_timeout: Timer | None = None
    """The timer to the first missed ``reply_deadline`` of what is planned, while armed."""
    skill_drop: Timer | None = None
    """The Drop Additional Skills time-out while it runs (rules §8.3)."""
    asked_at: float = float("nan")
    """When the customer's message the agent has not answered yet was sent (NaN: none)."""
