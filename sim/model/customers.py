"""Customers and their sessions: arrivals, waiting, abandonment and how sessions end.

Times are seconds.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from sim.model.arrivals import arrival_times
from sim.model.context import Collaborator, ModelContext
from sim.model.conversation_state import ConversationState, Phase
from sim.model.day_volume import day_arrival_scale
from sim.model.entities import (
    INBOUND,
    OUTBOUND,
    Agent,
    MessagingSession,
    Outcome,
    Presence,
    SessionStatus,
    WorkStatus,
)
from sim.model.runtime import ChannelRuntime
from sim.model.timer import URGENT, Timer


class Customers(Collaborator):
    """Opens sessions as customers (or agents, outbound) write first, and ends them.

    Owns every session of the run (``sessions``, by id) and the idle ones the clean-up
    jobs look at (``idle_sessions``: New outbound and Inactive sessions).
    """

    def __init__(self, context: ModelContext, agents: list[Agent]) -> None:
        super().__init__(context)
        self.scenario = context.scenario
        self.streams = context.streams
        self.agents = agents
        self.sessions: list[MessagingSession] = []
        self.idle_sessions: dict[MessagingSession, None] = {}
        """Sessions the clean-up jobs may end (insertion-ordered set)."""
        self.day_scale = day_arrival_scale(self.scenario.arrival_scale, self.streams)
        """This replication's factor on every arrival rate (the scenario's ``arrival_scale``,
        drawn once when it is a distribution)."""
        self._start_conversation: Callable[[MessagingSession, float], None]

    def bind(self) -> None:
        """Bind the conversations' start."""
        self._start_conversation = self.conversations.start

    # ------------------------------------------------------------------ arrivals
    def start(self, channel: ChannelRuntime) -> None:
        """Start the channel's inbound and outbound arrivals (drawn for the whole run)."""
        spec, scenario = channel.spec, self.scenario
        if spec.arrivals is not None:
            times = arrival_times(
                spec.arrivals,
                scenario.interval,
                scenario.horizon,
                self.streams.generator("arrivals", channel.name),
                self.day_scale,
            )
            self.customer_arrivals(channel, times, self.open_inbound)
        if spec.outbound is not None:
            times = arrival_times(
                spec.outbound.arrivals,
                scenario.interval,
                scenario.horizon,
                self.streams.generator("outbound", channel.name),
                self.day_scale,
            )
            self.customer_arrivals(channel, times, self.open_outbound)

    def customer_arrivals(
        self,
        channel: ChannelRuntime,
        times: np.ndarray,
        open_session: Callable[[ChannelRuntime, float], None],
    ) -> None:
        """Call ``open_session(channel, now)`` at each of ``times`` (seconds).

        A chain of timers, each scheduling the next, started by an urgent one at once
        (where a SimPy process would start).
        """
        env = self.env
        pending = iter(times.tolist())

        def arrive(timer: Timer) -> None:
            now = env.now  # read once: SimPy's ``now`` is a property
            if timer.subject:  # an arrival (the first timer only starts the chain)
                open_session(channel, now)
            for time in pending:
                Timer(env, time - now, arrive, True)
                return

        Timer(env, 0.0, arrive, False, URGENT)

    def new_session(self, channel: ChannelRuntime, direction: str, now: float) -> MessagingSession:
        """A new session of ``channel``, its plan drawn, starting ``now`` (s)."""
        plan = channel.draw_plan(direction == OUTBOUND)
        # By position (session_id, channel, direction, start_time, plan): a third cheaper
        # than by keyword with the record's fields, once per session.
        session = MessagingSession(len(self.sessions), channel, direction, now, plan)
        session.last_activity = now
        session.conversation = ConversationState()
        if plan.skill_index >= 0:
            session.skill_index = plan.skill_index
            session.target = channel.skill_targets[plan.skill_index]
        else:
            session.target = channel.queue
        self.sessions.append(session)
        return session

    def open_inbound(self, channel: ChannelRuntime, now: float) -> None:
        """A customer writes first, ``now`` (s): the session waits in its queue (rules §2).

        With a bot in front, the bot takes it first (rules §8.1).
        """
        session = self.new_session(channel, INBOUND, now)
        session.customer_messages = 1
        if channel.bot is not None:
            self.bots.greet(session, now)
            return
        session.status = SessionStatus.WAITING
        if self.record.enabled:
            self.record.event(session, None, "arrived")
        self.ask_for_agent(session, now)

    def ask_for_agent(self, session: MessagingSession, now: float) -> None:
        """The inbound ``session`` asks for an agent ``now`` (s): routed, or in line (§2)."""
        session.status = SessionStatus.WAITING
        session.request_time = now
        self.router.offer(session, now)
        session.queued_on_arrival = session.work_item is None  # no agent took it at once
        plan = session.plan
        if plan is not None and plan.patience_s != math.inf:  # else nothing to arm
            self.arm_patience(session)
        target = session.target
        if target is not None and target.dropped is not None:  # else nothing to drop
            self.arm_skill_drop(session)

    # ------------------------------------------------------------------ skills (rules §8.3)
    def reset_skills(self, session: MessagingSession) -> None:
        """A skills session sent back to Waiting needs every skill again (rules §8.3).

        After a decline, a push timeout or an offline agent the additional skills are
        required again and dropping starts over; a transferred session keeps its queue.
        """
        plan = session.plan
        if plan is not None and plan.skill_index >= 0 and not session.transfers:
            session.target = session.channel.skill_targets[plan.skill_index]

    def arm_skill_drop(self, session: MessagingSession) -> None:
        """Drop the additional skills of a waiting session after the time-out (rules §8.3)."""
        target, state = session.target, session.conversation
        if target is None or target.dropped is None or state is None:
            return
        if state.skill_drop is not None:
            state.skill_drop.cancel()
        state.skill_drop = Timer(self.env, target.drop_after_s, self.drop_additional_skills,
                                 session)

    def drop_additional_skills(self, timer: Timer) -> None:
        """The time-out ran out with the session still in line: route it on fewer skills."""
        session: MessagingSession = timer.subject
        state = session.conversation
        if state is not None:
            state.skill_drop = None
        target = session.target
        if session.queue_entry is None or target is None or target.dropped is None:
            return  # pushed to an agent, or no longer waiting
        self.router.remove(session)
        session.target = target.dropped
        if self.record.enabled:
            self.record.event(session, None, "skills_dropped")
        self.router.enqueue(session, session.request_time)
        self.router.route()
        # The conversation starts when an agent first accepts (see WorkItems.open).

    def arm_patience(self, session: MessagingSession) -> None:
        """Schedule the abandonment if the customer may still be waiting when patience ends.

        Not needed while a push is due to be accepted before then; whatever undoes that
        push (decline, push timeout, the agent leaving) reroutes the session, which calls
        this again.
        """
        plan, state = session.plan, session.conversation
        if (
            plan is None
            or state is None
            or state.patience is not None
            or session.direction != INBOUND
            or plan.patience_s == math.inf
            or not math.isnan(session.accept_time)
        ):
            return
        deadline = session.request_time + plan.patience_s
        item = session.work_item
        if item is not None and item.status == WorkStatus.ASSIGNED and item.accept_due < deadline:
            return
        delay_s = max(0.0, deadline - self.env.now)
        state.patience = Timer(self.env, delay_s, self.abandon_if_waiting, session)

    def abandon_if_waiting(self, timer: Timer) -> None:
        """The customer's patience ran out before any agent accepted (rules §5)."""
        session: MessagingSession = timer.subject
        if session.status == SessionStatus.WAITING and math.isnan(session.accept_time):
            self.end_session(session, Outcome.ABANDONED)

    def open_outbound(self, channel: ChannelRuntime, now: float) -> None:
        """An agent writes first, ``now`` (s); the session is New and uses no capacity (§4)."""
        session = self.new_session(channel, OUTBOUND, now)
        session.status = SessionStatus.NEW
        session.agent_messages = 1
        session.owner = self.outbound_owner(channel)
        self.idle_sessions[session] = None
        self.record.event(session, session.owner, "outbound_sent")
        self._start_conversation(session, now)

    def outbound_owner(self, channel: ChannelRuntime) -> Agent | None:
        """The online agent serving the channel's queue with the least open work."""
        owners = [
            agent
            for agent in self.agents
            if agent.presence == Presence.AVAILABLE and channel.queue.eligible(agent)
        ]
        if not owners:
            return None
        return min(owners, key=lambda agent: (len(agent.items), agent.last_assigned_time))

    # ------------------------------------------------------------------ session ends
    def end_chat(
        self, session: MessagingSession, now: float, outcome: str = Outcome.COMPLETED
    ) -> None:
        """The conversation ends ``now`` (s) with ``outcome`` (rules §3, §4, §5).

        The agent clicks End Chat (``completed``), or the customer ends it
        (``ended_by_customer``) or leaves it unanswered (``left_unanswered``); either way
        the agent's work is released as after End Chat: a tab close or a wrap-up planned,
        or at once (:meth:`WorkItems.release_at_end`).
        """
        if session.status == SessionStatus.ENDED:
            return
        item = session.work_item
        agent = item.agent if item else None
        event = "end_chat" if outcome == Outcome.COMPLETED else outcome
        self._mark_ended(session, outcome, event, agent, now)
        if item is None:
            return
        if item.status == WorkStatus.ASSIGNED:
            self.work_items.close(item, WorkStatus.CANCELED)
        else:
            self.work_items.release_at_end(item)
        self.router.route()

    def end_session(self, session: MessagingSession, outcome: str) -> None:
        """End ``session`` at once with ``outcome``, releasing any capacity it holds."""
        if session.status == SessionStatus.ENDED:
            return
        item = session.work_item
        self._mark_ended(session, outcome, outcome, item.agent if item else None, self.env.now)
        if item is not None:
            closing = WorkStatus.CANCELED if item.status == WorkStatus.ASSIGNED else None
            self.work_items.close(item, closing or WorkStatus.CLOSED)
        self.conversations.wake(session)
        self.router.route()

    def _mark_ended(
        self, session: MessagingSession, outcome: str, event: str, agent: Agent | None,
        now: float,
    ) -> None:
        self.router.remove(session)
        self.idle_sessions.pop(session, None)
        session.status = SessionStatus.ENDED
        session.end_time = now
        session.outcome = outcome
        if session.rewait_cause:
            session.end_rewait(now)
        # What only a live session needs goes, so a long run keeps only its records; a
        # conversation under way drops its state when it stops (Conversations.finish).
        session.plan = None
        session.declined_by = None
        state = session.conversation
        if state is not None and state.phase in (Phase.NOT_STARTED, Phase.DONE):
            session.conversation = None
        if session.work_item is None and math.isnan(session.release_time):
            session.release_time = now
        if self.record.enabled:
            self.record.event(session, agent, event)
