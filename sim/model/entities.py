"""The things the simulation moves: messaging sessions, work items and agents.

Names follow the Salesforce objects (rules §1): a ``MessagingSession`` has a
status; each routing of it to an agent is a ``WorkItem`` (AgentWork) with its own status.
Times are seconds from the simulation start.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model.conversation_state import ConversationState
    from sim.model.routing import RankSlot, RoutingTarget
    from sim.model.runtime import ChannelRuntime, GroupRuntime
    from sim.model.timer import Timer


class SessionStatus:
    """``MessagingSession.Status`` values the simulator uses (rules §1)."""

    NEW = "New"
    WAITING = "Waiting"
    ACTIVE = "Active"
    INACTIVE = "Inactive"
    ENDED = "Ended"


class WorkStatus:
    """``AgentWork.Status`` values (rules §1); the Salesforce export writes them as they are.

    ``TRANSFERRED`` is the item of a conversation an agent passed to another queue.
    """

    ASSIGNED = "Assigned"
    OPENED = "Opened"
    CLOSED = "Closed"
    DECLINED = "Declined"
    DECLINED_ON_PUSH_TIMEOUT = "DeclinedOnPushTimeout"
    CANCELED = "Canceled"
    UNAVAILABLE = "Unavailable"
    TRANSFERRED = "Transferred"


class Presence:
    """Agent presence (rules §6)."""

    AVAILABLE = "available"
    AWAY = "away"
    DRAINING = "draining"
    OFFLINE = "offline"
    LOGGED_OUT = "logged_out"


INBOUND = "inbound"
"""A session the customer starts."""
OUTBOUND = "outbound"
"""A business-initiated session: an agent (or automation) writes first."""

ONLINE_PRESENCES = frozenset({Presence.AVAILABLE, Presence.AWAY, Presence.DRAINING})

EPSILON = 1e-9
"""Tolerance of capacity comparisons (units or percent points)."""


class Outcome:
    """How a session ended; exactly one per offered session (or open at the horizon)."""

    COMPLETED = "completed"
    ABANDONED = "abandoned"
    TIMED_OUT = "timed_out"
    ENDED_BY_LOGOUT = "ended_by_logout"
    ENDED_BY_SUPERVISOR = "ended_by_supervisor"
    ENDED_BY_CUSTOMER = "ended_by_customer"
    """The customer ended the conversation herself (rules §5.6)."""
    LEFT_UNANSWERED = "left_unanswered"
    """The customer gave up waiting for the agent's next reply (rules §5.7)."""
    RESOLVED_BY_BOT = "resolved_by_bot"
    """A bot in front of the queue resolved it; no agent was asked (rules §8.1)."""
    LEFT_IN_BOT = "left_in_bot"
    """The customer left during the bot, before any hand-over (rules §8.1)."""
    OPEN_AT_HORIZON = "open_at_horizon"


OUTCOMES = (
    Outcome.COMPLETED,
    Outcome.ABANDONED,
    Outcome.TIMED_OUT,
    Outcome.ENDED_BY_LOGOUT,
    Outcome.ENDED_BY_SUPERVISOR,
    Outcome.ENDED_BY_CUSTOMER,
    Outcome.LEFT_UNANSWERED,
    Outcome.RESOLVED_BY_BOT,
    Outcome.LEFT_IN_BOT,
    Outcome.OPEN_AT_HORIZON,
)


class Rewait:
    """Why a session waits for an agent again after its first acceptance (rules §7)."""

    NONE = 0
    REQUEUED = 1
    """Sent back to Waiting: its agent went offline or logged out (tab-based)."""
    RETURNED = 2
    """The customer wrote again (back from Inactive, or answering) and it was routed."""


@dataclass(slots=True)
class ConversationPlan:
    """What the customer will do, drawn when the session is created (same for every model).

    Attributes:
        exchanges: customer-agent message pairs.
        agent_reply_s: base agent reply time for each agent message, before slowdown.
        customer_reply_s: customer reply time after each agent message but the last;
            ``inf`` where the customer never answers again.
        patience_s: time the customer waits in the queue before abandoning.
        answers_outbound: for outbound sessions, whether the customer ever answers.
        answer_delay_s: for outbound sessions, time to the customer's answer.
        customer_ends_turn: the customer's turn (0 after the agent's first message) at
            which she ends the conversation instead of answering, or -1.
        response_patience_s: how long the customer waits for each agent message (index
            as ``agent_reply_s``) before leaving, or None (never leaves).
        bot_s: with a bot in front: its handling time (else NaN).
        bot_outcome: with a bot in front: ``Outcome.RESOLVED_BY_BOT``,
            ``Outcome.LEFT_IN_BOT`` or ``""`` (handed to the queue).
        transfer_turn: the agent's turn (index as ``agent_reply_s``, from 1) at which the
            agent transfers the conversation to another queue instead of replying, or -1.
        skill_index: the channel's skill requirement the session needs, or -1 (routed by
            its queue; rules §8.3).
    """

    exchanges: int
    agent_reply_s: list[float]
    customer_reply_s: list[float]
    patience_s: float = float("inf")
    answers_outbound: bool = True
    answer_delay_s: float = 0.0
    customer_ends_turn: int = -1
    response_patience_s: list[float] | None = None
    bot_s: float = float("nan")
    bot_outcome: str = ""
    transfer_turn: int = -1
    skill_index: int = -1


@dataclass(slots=True, eq=False)
class MessagingSession:
    """One conversation on one channel (``MessagingSession``).

    ``request_time`` is when the session last asked for an agent from scratch (arrival for
    inbound, the customer's answer for outbound); ``wait_s`` is measured from it.
    """

    session_id: int
    channel: ChannelRuntime
    direction: str
    start_time: float
    plan: ConversationPlan | None
    status: str = SessionStatus.NEW
    request_time: float = float("nan")
    accept_time: float = float("nan")
    first_response_time: float = float("nan")
    end_time: float = float("nan")
    release_time: float = float("nan")
    inactive_since: float = float("nan")
    last_activity: float = 0.0
    outcome: str = Outcome.OPEN_AT_HORIZON
    work_item: WorkItem | None = None
    owner: Agent | None = None
    agent_id: int = -1
    """The agent who accepted it last, or -1."""
    agents_seen: tuple[int, ...] = ()
    """The agents who accepted it, each once, in the order of their first acceptance."""
    declined_by: set[int] | None = None
    reroutes: int = 0
    stranded_s: float = 0.0
    stranded_since: float = float("nan")
    work_accept_time: float = float("nan")
    """When its latest work item was accepted (AgentWork ``AcceptDateTime``)."""
    queued_on_arrival: bool = False
    """Inbound: no agent took it at its arrival instant (it had to wait in line)."""
    rewait_cause: int = 0
    """Why it waits for an agent again after its first acceptance (``Rewait``), or 0."""
    rewait_since: float = float("nan")
    requeued_wait_s: float = 0.0
    return_wait_s: float = 0.0
    customer_messages: int = 0
    agent_messages: int = 0
    queue_entry: tuple[int, float, int, MessagingSession] | None = None
    """Its entry in the router's waiting line while it waits there."""
    conversation: ConversationState | None = None
    """The engine state of its conversation while it runs; None once it ended."""
    target: RoutingTarget | None = None
    """Where routing sends it (its channel's queue when created), and who may take it."""
    bot_s: float = float("nan")
    """Time its customer spent with a bot before it ended or was handed over (rules §8.1)."""
    transfers: int = 0
    """Times an agent transferred it to another queue (rules §8.2)."""
    transfer_time: float = float("nan")
    """When an agent transferred it (s): its wait in the other queue starts; or NaN."""
    transfer_accept_time: float = float("nan")
    """When an agent of the other queue accepted it after the transfer (s), or NaN."""
    skill_index: int = -1
    """The channel's skill requirement it drew (index in ``channels[].skills``; rules
    §8.3), or -1: routed by its queue."""

    def rewait(self, cause: int, now: float) -> None:
        """It waits for an agent again, for ``cause`` (:class:`Rewait`), from ``now`` (s).

        Only after its first acceptance, and only the first cause of an unbroken wait.
        """
        if not self.rewait_cause and self.accept_time == self.accept_time:  # accepted
            self.rewait_cause = cause
            self.rewait_since = now

    def end_rewait(self, now: float) -> None:
        """Its wait for an agent again ends at ``now`` (s): accepted, ended or horizon."""
        waited_s = now - self.rewait_since
        if self.rewait_cause == Rewait.REQUEUED:
            self.requeued_wait_s += waited_s
        else:
            self.return_wait_s += waited_s
        self.rewait_cause = Rewait.NONE
        self.rewait_since = float("nan")


@dataclass(slots=True, eq=False)
class WorkItem:
    """One routing of a session to one agent (``AgentWork``)."""

    item_id: int
    session: MessagingSession
    agent: Agent
    size: float
    assign_time: float
    status: str = WorkStatus.ASSIGNED
    tab_open: bool = True
    tab_close: Timer | None = None
    """Tab-based: the planned closing of its tab, until it happens or is called off."""
    accept_due: float = float("inf")
    consuming: float = 0.0
    accept_time: float = float("nan")
    close_time: float = float("nan")
    level_slot: int = 0
    """Its (group, channel) work slot in the interval levels (``IntervalLevels.slot``)."""


@dataclass(slots=True, eq=False)
class Agent:
    """An Omni-Channel user with a capacity, queues and a presence."""

    agent_id: int
    group: GroupRuntime
    capacity: float
    queue_names: frozenset[str]
    skills: dict[str, int] = field(default_factory=dict)
    """Its skills and levels (skills-based routing, rules §8.3)."""
    presence: str = Presence.LOGGED_OUT
    online: bool = False
    """Whether the agent is logged in and connected (presence in ``ONLINE_PRESENCES``)."""
    used: float = 0.0
    working_items: int = 0
    items: list[WorkItem] = field(default_factory=list)
    last_assigned_time: float = float("-inf")
    shift_over: bool = False
    has_room: bool = False
    rank_slots: list[RankSlot] = field(default_factory=list)
    """Its places in the ranked lists of its queues (``sim.model.routing.RankSlot``)."""
    away_timer: Timer | None = None
    """The end of its current away period (break or after a decline), while away."""
    waiting_sessions: list[MessagingSession] = field(default_factory=list)
    # statistics (integrals in seconds or capacity-seconds)
    online_s: float = 0.0
    offline_s: float = 0.0
    busy_integral: float = 0.0
    over_capacity_s: float = 0.0
    at_capacity_s: float = 0.0
    offline_events: int = 0
    sessions_handled: int = 0
    max_concurrency: int = 0
    stats_since: float = 0.0

    @property
    def free_capacity(self) -> float:
        """Capacity not in use (may be negative when status-based returns overfill it)."""
        return self.capacity - self.used

    def restart_statistics(self, now: float) -> None:
        """Start its time statistics afresh at ``now`` (s): the end of the warm-up.

        Counts of events (sessions handled, offline events) keep the whole horizon.
        """
        self.accrue(now)
        self.online_s = self.offline_s = self.busy_integral = 0.0
        self.over_capacity_s = self.at_capacity_s = 0.0
        self.max_concurrency = self.working_items

    def accrue(self, now: float) -> None:
        """Add the time since its last change (s) to its statistics, up to ``now`` (s)."""
        elapsed = now - self.stats_since
        if elapsed <= 0:
            return
        if self.online:
            self.online_s += elapsed
            self.busy_integral += self.used * elapsed
            if self.used >= self.capacity - EPSILON:
                self.at_capacity_s += elapsed
        elif self.presence == Presence.OFFLINE:
            self.offline_s += elapsed
        if self.used > self.capacity + EPSILON:
            self.over_capacity_s += elapsed
        self.stats_since = now
