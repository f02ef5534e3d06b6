"""Capacity models: how much of an agent's capacity a work item uses, and what follows.

One small policy object per Omni-Channel capacity model (rules §3 and §4). The simulation
asks the policy for a decision and acts on it; no other module branches on which model it
is. A third model is one more class here and one more entry in ``CAPACITY_MODELS``.
"""

from __future__ import annotations

from enum import Enum
from typing import ClassVar, Literal, Protocol

from sim.model.entities import (
    EPSILON,
    Agent,
    MessagingSession,
    Presence,
    SessionStatus,
    WorkItem,
    WorkStatus,
)
from sim.scenario.schema import AgentBehaviour, Channel, work_size


class Release(Enum):
    """When the capacity of an item whose session stops being Active is released."""

    CLOSE_TAB_LATER = "close_tab_later"
    """It stays held until the agent closes the tab or clicks All Done, after the
    close-tab delay (capped by the After Conversation Work maximum when ACW is on)."""
    BY_STATUS = "by_status"
    """It follows the session's status at once (nothing left to close)."""


class WorkFate(Enum):
    """What becomes of an agent's work item when the agent goes offline or logs out."""

    KEEP = "keep"
    """It stays with the agent and goes on holding capacity."""
    REQUEUE = "requeue"
    """It ends Unavailable; the session waits for another agent, keeping its age."""
    CLOSE = "close"
    """It ends, releasing its capacity; the session is left as it is (not Active)."""
    END_SESSION = "end_session"
    """The session itself ends (``ended_by_logout``)."""


class Destination(Enum):
    """Where a customer's answer to an outbound or Inactive session goes."""

    SAME_AGENT = "same_agent"
    QUEUE = "queue"
    REQUEUE = "requeue"
    """To the queue because its agent has logged out (rules §4.4)."""


LogoutSessions = Literal["end", "requeue"]
"""The scenario's ``logout_sessions``: what a logout does to ongoing tab-based sessions."""

LoggedOutOwner = Literal["requeue", "keep"]
"""The scenario's ``logged_out_owner``: whether status-based work leaves a logged-out agent."""

ListViewAction = Literal["bulk", "per_row"]
"""The scenario's ``supervisor.action``: End Sessions on a selection, or End Session per row."""


def _requeues(agent: Agent, logged_out_owner: LoggedOutOwner) -> bool:
    """Whether work of ``agent`` goes to the queue because the agent has logged out."""
    return logged_out_owner == "requeue" and agent.presence == Presence.LOGGED_OUT


def _returns_within_capacity(item: WorkItem, allow_over_capacity: bool) -> bool:
    """Whether ``item`` may use its full size again (over capacity only if allowed)."""
    agent = item.agent
    over = agent.used + item.size - item.consuming > agent.capacity + EPSILON
    return allow_over_capacity or not over


class CapacityModel(Protocol):
    """What a capacity model decides."""

    name: ClassVar[str]

    def end_chat_release(self, after_conversation_work: bool) -> Release:
        """How an opened item releases capacity when its conversation ends (End Chat).

        ``after_conversation_work``: whether the agent's group has ACW on (rules §3.3).
        """
        ...

    def consumption(self, item: WorkItem) -> float:
        """Capacity ``item`` uses now (units or percent points)."""
        ...

    def on_inactive(self, item: WorkItem) -> Release:
        """How the opened ``item`` releases capacity when its session turns Inactive."""
        ...

    def on_agent_offline(self, item: WorkItem) -> WorkFate:
        """What becomes of ``item`` when its agent drops offline."""
        ...

    def on_agent_logout(self, item: WorkItem, logout_sessions: LogoutSessions) -> WorkFate:
        """What becomes of ``item`` when its agent logs out of Omni-Channel."""
        ...

    def holds_during_drain(self, item: WorkItem) -> bool:
        """Whether a draining agent must finish ``item`` before logging out (rules §6)."""
        ...

    def answer_goes_to(
        self,
        session: MessagingSession,
        owner: Agent | None,
        allow_over_capacity: bool,
        logged_out_owner: LoggedOutOwner,
    ) -> Destination:
        """Where the customer's answer to the outbound ``session`` of ``owner`` goes."""
        ...

    def return_goes_to(
        self, item: WorkItem, allow_over_capacity: bool, logged_out_owner: LoggedOutOwner
    ) -> Destination:
        """Where a reply to an Inactive session held by the opened ``item`` goes."""
        ...

    def on_agent_needed_absent(self, item: WorkItem, logged_out_owner: LoggedOutOwner) -> WorkFate:
        """What becomes of the opened ``item`` when its session needs its agent, not online.

        The conversation is at the agent's reply; ``KEEP`` strands the customer until the
        agent is back, ``REQUEUE`` gives the work back to the queue (rules §4.4, §4.6).
        """
        ...

    def supervisor_may_end(self, session: MessagingSession, action: ListViewAction) -> bool:
        """Whether the list view's ``action`` may end ``session`` (rules §6.4)."""
        ...

    def holding_time_s(
        self,
        channel: Channel,
        behaviour: AgentBehaviour,
        customer_turns: float,
        held_reply_s: float,
        paused_reply_s: float,
    ) -> float:
        """Capacity time (s) of the customer's turns and after the chat, for staffing.

        The model-dependent part of the holding time the analytic staffing baseline uses.

        Args:
            channel: the work item's channel.
            behaviour: the agents' behaviour (close-tab delay, ACW).
            customer_turns: mean customer replies per session.
            held_reply_s: mean part of a customer reply before the session would turn
                Inactive (s).
            paused_reply_s: mean part of a customer reply after it (s).
        """
        ...


class TabBasedCapacity:
    """Tab-based: a work item uses its size from the push until its tab closes (rules §3)."""

    name: ClassVar[str] = "tab"

    def end_chat_release(self, after_conversation_work: bool) -> Release:
        """End Chat does not free capacity; closing the tab does (rules §3.2, §3.3)."""
        return Release.CLOSE_TAB_LATER

    def consumption(self, item: WorkItem) -> float:
        """The item's size while it is pushed or opened and its tab is open, else 0."""
        if item.tab_open and item.status in (WorkStatus.ASSIGNED, WorkStatus.OPENED):
            return item.size
        return 0.0

    def on_inactive(self, item: WorkItem) -> Release:
        """After marking it Inactive the agent closes the tab (rules §3)."""
        return Release.CLOSE_TAB_LATER

    def on_agent_offline(self, item: WorkItem) -> WorkFate:
        """The item ends Unavailable; an Active session is routed again (rules §3)."""
        if item.status == WorkStatus.ASSIGNED or item.session.status == SessionStatus.ACTIVE:
            return WorkFate.REQUEUE
        return WorkFate.CLOSE  # Inactive or ended

    def on_agent_logout(self, item: WorkItem, logout_sessions: LogoutSessions) -> WorkFate:
        """Assigned work is closed; ongoing sessions end, or wait again (rules §3)."""
        if item.status == WorkStatus.ASSIGNED:
            return WorkFate.REQUEUE
        if item.session.status != SessionStatus.ACTIVE:
            return WorkFate.CLOSE  # Inactive or ended: the tab is closed
        return WorkFate.END_SESSION if logout_sessions == "end" else WorkFate.REQUEUE

    def holds_during_drain(self, item: WorkItem) -> bool:
        """Every open tab holds the agent."""
        return True

    def answer_goes_to(
        self,
        session: MessagingSession,
        owner: Agent | None,
        allow_over_capacity: bool,
        logged_out_owner: LoggedOutOwner,
    ) -> Destination:
        """The answer waits in the queue for any agent."""
        return Destination.QUEUE

    def return_goes_to(
        self, item: WorkItem, allow_over_capacity: bool, logged_out_owner: LoggedOutOwner
    ) -> Destination:
        """The queue, for any agent, even while the tab is still open (rules §3.7)."""
        return Destination.QUEUE

    def on_agent_needed_absent(self, item: WorkItem, logged_out_owner: LoggedOutOwner) -> WorkFate:
        """Back to the queue (not reached: offline and logout already give Active work back)."""
        return WorkFate.REQUEUE

    def supervisor_may_end(self, session: MessagingSession, action: ListViewAction) -> bool:
        """Per row: standard channels only; End Sessions on a selection: any (the seed)."""
        return action == "bulk" or session.channel.kind == "standard"

    def holding_time_s(
        self,
        channel: Channel,
        behaviour: AgentBehaviour,
        customer_turns: float,
        held_reply_s: float,
        paused_reply_s: float,
    ) -> float:
        """The held part of each reply, then the close-tab delay (capped by the ACW max)."""
        close_s = behaviour.close_tab_delay.expected()
        if behaviour.after_conversation_work.enabled:
            close_s = min(close_s, behaviour.after_conversation_work.max)
        return customer_turns * held_reply_s + close_s


class StatusBasedCapacity:
    """Status-based: capacity follows the status of accepted work (rules §4)."""

    name: ClassVar[str] = "status"

    def end_chat_release(self, after_conversation_work: bool) -> Release:
        """Ended work consumes nothing (rules §4.1), unless the agent wraps up first.

        With After Conversation Work on, the work stays applied to capacity until the
        agent's wrap-up ends (All Done, or the ACW maximum), as under tab-based capacity
        (rules §4.9).
        """
        return Release.CLOSE_TAB_LATER if after_conversation_work else Release.BY_STATUS

    def consumption(self, item: WorkItem) -> float:
        """Size while pushed, Active or wrapping up; the paused weight while Inactive."""
        if item.status == WorkStatus.ASSIGNED:
            return item.size  # a pushed item holds capacity from the push (rules §2)
        if item.status != WorkStatus.OPENED:
            return 0.0
        status = item.session.status
        if status == SessionStatus.ACTIVE:
            return item.size
        if status == SessionStatus.INACTIVE:
            return item.session.channel.paused_capacity_weight
        # Opened work of an ended session is in After Conversation Work: it is closed at
        # End Chat unless ACW is on (end_chat_release), and holds its size until All Done.
        return item.size

    def on_inactive(self, item: WorkItem) -> Release:
        """Inactive work consumes the paused weight (rules §4)."""
        return Release.BY_STATUS

    def on_agent_offline(self, item: WorkItem) -> WorkFate:
        """Accepted work stays with the offline agent (rules §4)."""
        return WorkFate.REQUEUE if item.status == WorkStatus.ASSIGNED else WorkFate.KEEP

    def on_agent_logout(self, item: WorkItem, logout_sessions: LogoutSessions) -> WorkFate:
        """Logging out does not release accepted work (rules §4)."""
        return WorkFate.REQUEUE if item.status == WorkStatus.ASSIGNED else WorkFate.KEEP

    def holds_during_drain(self, item: WorkItem) -> bool:
        """Pushed, Active and wrap-up work; Inactive work does not hold the agent."""
        return item.status == WorkStatus.ASSIGNED or item.session.status != SessionStatus.INACTIVE

    def answer_goes_to(
        self,
        session: MessagingSession,
        owner: Agent | None,
        allow_over_capacity: bool,
        logged_out_owner: LoggedOutOwner,
    ) -> Destination:
        """Back to the agent who wrote, if it has room or may go over (rules §4.5).

        To the queue if that agent has logged out, unless ``logged_out_owner`` is ``keep``
        (rules §4.4).
        """
        if owner is None:
            return Destination.QUEUE
        if _requeues(owner, logged_out_owner):
            return Destination.REQUEUE
        if allow_over_capacity or owner.free_capacity >= session.channel.size:
            return Destination.SAME_AGENT
        return Destination.QUEUE

    def return_goes_to(
        self, item: WorkItem, allow_over_capacity: bool, logged_out_owner: LoggedOutOwner
    ) -> Destination:
        """Back to the same agent, even over capacity when allowed (rules §4.3).

        To the queue if that agent has logged out, unless ``logged_out_owner`` is ``keep``
        (rules §4.4).
        """
        if _requeues(item.agent, logged_out_owner):
            return Destination.REQUEUE
        if _returns_within_capacity(item, allow_over_capacity):
            return Destination.SAME_AGENT
        return Destination.QUEUE

    def on_agent_needed_absent(self, item: WorkItem, logged_out_owner: LoggedOutOwner) -> WorkFate:
        """Stranded with an offline agent; requeued from a logged-out one (rules §4.4, §4.6)."""
        return WorkFate.REQUEUE if _requeues(item.agent, logged_out_owner) else WorkFate.KEEP

    def supervisor_may_end(self, session: MessagingSession, action: ListViewAction) -> bool:
        """End Sessions on a selection, except an Inactive session (the seed article).

        The per-row End Session exists in standard channels only, and a standard channel
        is always tab-based (rules §1.5), so per row nothing here may be ended.
        """
        return action == "bulk" and session.status != SessionStatus.INACTIVE

    def holding_time_s(
        self,
        channel: Channel,
        behaviour: AgentBehaviour,
        customer_turns: float,
        held_reply_s: float,
        paused_reply_s: float,
    ) -> float:
        """The held part of each reply, the paused weight's share of the rest, the wrap-up.

        The wrap-up counts with ACW on only: the close-tab delay capped by its maximum.
        """
        paused_s = paused_reply_s * channel.paused_capacity_weight / work_size(channel)
        wrap_up_s = 0.0
        acw = behaviour.after_conversation_work
        if acw.enabled:
            wrap_up_s = min(behaviour.close_tab_delay.expected(), acw.max)
        return customer_turns * (held_reply_s + paused_s) + wrap_up_s


CAPACITY_MODELS: dict[str, CapacityModel] = {
    TabBasedCapacity.name: TabBasedCapacity(),
    StatusBasedCapacity.name: StatusBasedCapacity(),
}
"""The capacity models by the scenario's ``capacity_model`` value."""

CAPACITY_MODEL_NAMES: tuple[str, ...] = tuple(CAPACITY_MODELS)
"""The capacity models' names, the baseline (tab-based) first."""
