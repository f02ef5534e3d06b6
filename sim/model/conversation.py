"""Conversations: the messages of a session between its agent and its customer.

A mixin of :class:`sim.model.center.ContactCenter` (it uses the center's environment, router,
capacity policy and recorder). Every rule cites the section of ``shared/DOMAIN.md`` it
implements. Times are seconds.

A conversation is driven by callbacks rather than a SimPy process per session: the session
is always in one :class:`Phase`, waiting either for a timer (a run of messages, the
customer's answer, a silence) or for a change of its state (an agent to hold it, an
offline agent to come back). :meth:`Conversations.wake` tells a waiting session to look
again; a timer it cuts short is cancelled and the session goes on at the same time, just
as a SimPy ``Interrupt`` would make a process do, in the same order (the continuation is
an urgent event, a change-of-state wake a normal one). This saves the process start, end
and generator resumes of every session.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from itertools import accumulate
from typing import Any

import simpy
from simpy.events import NORMAL, URGENT

from sim.model.entities import (
    OUTBOUND,
    Agent,
    MessagingSession,
    Presence,
    SessionStatus,
    WorkStatus,
)
from sim.model.routing import EPSILON


class Phase:
    """What a session's conversation is waiting for (``MessagingSession.phase``)."""

    NOT_STARTED = 0
    RUNNING = 1
    """Its callback is running now; a wake meanwhile changes nothing."""
    DONE = 2
    ANSWER = 3
    """Outbound: the timer to the customer's answer."""
    READY = 4
    """A change that gives it an online agent holding it, Active."""
    STRANDED = 5
    """Status-based: its offline agent coming back (DOMAIN.md 4)."""
    SILENT = 6
    """The timer to the inactivation delay of a silent customer."""
    RETURNING = 7
    """The timer to a silent customer's return."""
    SEGMENT = 8
    """The timer to the end of a run of messages (see :meth:`Conversations.talk`)."""


TIMER_PHASES = frozenset({Phase.ANSWER, Phase.SILENT, Phase.RETURNING, Phase.SEGMENT})
CHANGE_PHASES = frozenset({Phase.READY, Phase.STRANDED})


class Call(simpy.Event):
    """An event, already triggered, that calls ``callback(subject)`` when processed now.

    ``priority`` is SimPy's ``URGENT`` (before the normal events due at the same time, as
    an ``Interrupt``) or ``NORMAL`` (as ``Event.succeed``).
    """

    def __init__(
        self,
        env: simpy.Environment,
        callback: Callable[[Any], None],
        subject: Any,
        priority: int,
    ) -> None:
        # Event.__init__ inlined, as SimPy's own Initialize does.
        self.env = env
        self.callbacks = [lambda _event: callback(subject)]
        self._value = None
        self._ok = True
        env.schedule(self, priority)


class Conversations:
    """The session side: answers, agent and customer turns, silence, returns."""

    # ------------------------------------------------------------------ the driver
    def start_conversation(self, session: MessagingSession) -> None:
        """Start the conversation: at creation (outbound) or at the first acceptance.

        The messages are numbered 0, 1, 2, ...: even ones are the agent's replies, odd ones
        the customer's; the last is the agent's final reply, then End Chat. Runs of messages
        that nothing can disturb are waited for as one segment (see :meth:`talk`).
        """
        session.phase = Phase.RUNNING
        if session.direction != OUTBOUND:
            self._converse(session)
            return
        plan = session.plan
        if not plan.answers_outbound:
            self._finish(session)  # stays New until the clean-up job ends it
            return
        self._wait_customer(session, Phase.ANSWER, self.env.now + plan.answer_delay_s)

    def _converse(self, session: MessagingSession) -> None:
        """Go on from the next message until something has to be waited for."""
        if session.status == SessionStatus.ENDED:
            self._finish(session)
            return
        plan = session.plan
        message = session.next_message
        if message > 2 * plan.exchanges - 2:
            self.end_chat(session)
            self._finish(session)
        elif message % 2 == 0:
            self._talk_when_agent_ready(session)
        else:
            reply_s = plan.customer_reply_s[message // 2]
            # Decided when the customer's turn starts; a turn cut short goes on as it was.
            inactivate_after_s = self._inactivate_after(session)
            if session.message_left_s is None and reply_s > inactivate_after_s:
                session.after_silence_s = reply_s - inactivate_after_s
                self._wait_customer(session, Phase.SILENT, self.env.now + inactivate_after_s)
            else:
                self.talk(session)

    def _finish(self, session: MessagingSession) -> None:
        session.phase = Phase.DONE
        session.message_item = None  # a long run keeps only the session's record

    def wake(self, session: MessagingSession) -> None:
        """Let the session's conversation look again at the session's state.

        Called whenever something it may depend on changed (the session ended or was
        rerouted, its agent went offline, came back or logged out). A timer running is cut
        short; the session goes on at the same time.
        """
        phase = session.phase
        if phase == Phase.READY or phase == Phase.STRANDED:
            if not session.wake_pending:
                session.wake_pending = True
                Call(self.env, self._changed, session, NORMAL)
        elif session.timer is not None:  # cancel it
            session.timer.callbacks.clear()
            session.timer = None
            Call(self.env, self._cut_short, session, URGENT)

    def _arm(self, session: MessagingSession, phase: int, delay_s: float) -> None:
        """Wait ``delay_s`` seconds in ``phase``, then go on (:meth:`_timer_done`)."""
        session.phase = phase
        timer = self.env.timeout(delay_s)
        timer.callbacks.append(lambda _event: self._timer_done(session, cut_short=False))
        session.timer = timer

    def _cut_short(self, session: MessagingSession) -> None:
        self._timer_done(session, cut_short=True)

    def _timer_done(self, session: MessagingSession, cut_short: bool) -> None:
        """The session's timer ran out, or a wake cut it short: go on from there.

        A run of messages cut short counts the messages due by now; a customer's wait cut
        short goes on to the same end unless the session ended.
        """
        session.timer = None
        phase = session.phase
        session.phase = Phase.RUNNING
        if phase == Phase.SEGMENT:
            self._advance(session, self.env.now if cut_short else math.inf)
            self._converse(session)
        elif session.status == SessionStatus.ENDED:
            self._finish(session)
        elif cut_short:
            self._wait_customer(session, phase, session.wait_end)
        elif phase == Phase.ANSWER:
            self._outbound_answered(session)
        elif phase == Phase.SILENT:
            self._silence_reached(session)
        else:
            self._silence_broken(session)

    # ------------------------------------------------------------------ agent turns
    def _talk_when_agent_ready(self, session: MessagingSession) -> None:
        """Talk once an online agent holds the session, Active (the session is not ended)."""
        item = session.work_item
        if (
            item is None
            or item.status != WorkStatus.OPENED
            or session.status != SessionStatus.ACTIVE
        ):
            session.phase = Phase.READY
            return
        agent = item.agent
        if agent.online:
            self.talk(session)
            return
        # Status-based: the session stays with an offline agent and the customer's
        # message waits until the agent is back: stranded time (DOMAIN.md 4).
        session.stranded_since = self.env.now
        agent.waiting_sessions.append(session)
        self.record.event(session, agent, "stranded")
        session.phase = Phase.STRANDED

    def _changed(self, session: MessagingSession) -> None:
        """Something the session waited for may have changed: look again."""
        session.wake_pending = False
        if session.phase == Phase.STRANDED:
            session.stranded_s += self.env.now - session.stranded_since
            session.stranded_since = math.nan
        session.phase = Phase.RUNNING
        self._converse(session)  # still at an agent's message

    def talk(self, session: MessagingSession) -> None:
        """Wait for the next segment of messages, or until something interrupts it.

        Anything that can change how the conversation goes on (the agent going offline or
        logging out, the session ending, a reroute) wakes the session, which cuts the
        segment short; the messages due by then are counted and the rest is planned anew.
        """
        durations = self._segment(session)
        if not durations:  # would wait zero seconds forever
            raise RuntimeError(f"session {session.session_id}: empty conversation segment")
        session.segment_start = self.env.now
        session.segment_status = session.status
        session.segment = durations
        self._arm(session, Phase.SEGMENT, sum(durations))

    def _segment(self, session: MessagingSession) -> list[float]:
        """Durations (s) of the next messages that nothing but an interruption can change.

        A segment stops before a customer turn long enough for the agent to mark the
        session Inactive, and after the last message. An agent reply belongs to it only
        while an online agent holds the session; with a concurrency slowdown, only as the
        first message, since each reply's speed is set by the concurrency when it starts.
        """
        plan = session.plan
        message = session.next_message
        last_message = 2 * plan.exchanges - 2
        item = session.work_item
        agent_ready = (
            item is not None
            and item.status == WorkStatus.OPENED
            and session.status == SessionStatus.ACTIVE
            and item.agent.online
        )
        if session.message_left_s is not None and message % 2 == 0:
            if item is not session.message_item:
                session.message_left_s = None  # another agent starts the reply afresh
        factor = self._reply_factor(item.agent, session) if agent_ready else 0.0
        agent_replies, customer_replies = plan.agent_reply_s, plan.customer_reply_s
        # The first message: the one under way, or a new one the caller found due (an
        # agent reply only with an agent ready, a customer reply only if not a silence).
        if session.message_left_s is not None:
            durations = [session.message_left_s]
        elif message % 2 == 0:
            durations = [agent_replies[message // 2] * factor]
        else:
            durations = [customer_replies[message // 2]]
        message += 1
        session.message_item = item
        # Then customer and agent messages in turn (message 2k is the agent's reply k,
        # 2k + 1 the customer's reply k), up to a long customer silence, and agent replies
        # only at a fixed speed.
        inactivate_after_s = self._inactivate_after(session)
        exchange = message // 2
        if message % 2 == 1 and message <= last_message:
            duration = customer_replies[exchange]
            if duration > inactivate_after_s:
                return durations
            durations.append(duration)
            message += 1
            exchange += 1
        if not (agent_ready and not item.agent.group.concurrency_slowdown):
            return durations
        while message <= last_message:  # message is an agent's (even)
            durations.append(agent_replies[exchange] * factor)
            if message == last_message:
                break
            duration = customer_replies[exchange]
            if duration > inactivate_after_s:
                break
            durations.append(duration)
            message += 2
            exchange += 1
        return durations

    def _advance(self, session: MessagingSession, until: float) -> None:
        """Count the segment's messages due by ``until``; keep what is left of the next."""
        durations, session.segment = session.segment, ()
        time = session.segment_start
        if until == math.inf:  # the whole segment: the same running sums, in C
            sent_at = list(accumulate(durations, initial=time))
            del sent_at[0]
            self._messages_sent(session, sent_at)
            session.message_left_s = None
            return
        sent_at = []
        left_s: float | None = None
        for duration in durations:
            if time + duration > until:
                left_s = time + duration - until
                break
            time += duration
            sent_at.append(time)
        self._messages_sent(session, sent_at)
        session.message_left_s = left_s

    def _messages_sent(self, session: MessagingSession, sent_at: list[float]) -> None:
        """Messages ``next_message``, ``next_message + 1``, ... were sent at ``sent_at`` (s).

        Even message numbers are the agent's (the first of them may be the first
        response), odd ones the customer's.
        """
        if not sent_at:
            return
        first = session.next_message
        agent_sent = (len(sent_at) + (first % 2 == 0)) // 2
        session.agent_messages += agent_sent
        session.customer_messages += len(sent_at) - agent_sent
        if agent_sent and math.isnan(session.first_response_time):
            session.first_response_time = sent_at[first % 2]
        session.next_message = first + len(sent_at)
        session.last_activity = sent_at[-1]
        session.message_left_s = None
        if self.record.enabled:
            # Recorded with the agent and status of the segment the messages belonged to.
            item = session.message_item
            agent = item.agent if item is not None else None
            for number, time in enumerate(sent_at, start=first):
                if number % 2 == 0:
                    self.record.event_at(time, session, agent, "agent_message",
                                         session.segment_status)
                else:
                    self.record.event_at(time, session, None, "customer_message",
                                         session.segment_status)

    def _reply_factor(self, agent: Agent, session: MessagingSession) -> float:
        """Group reply-time scale times the slowdown for each extra active session."""
        group = agent.group
        scale = group.reply_mean_s / session.channel.reply_mean_s
        if group.concurrency_slowdown:
            active = sum(
                1 for item in agent.items if item.session.status == SessionStatus.ACTIVE
            )
            scale *= 1.0 + group.concurrency_slowdown * max(0, active - 1)
        return scale

    # ------------------------------------------------------------------ customer turns
    def _wait_customer(self, session: MessagingSession, phase: int, end_s: float) -> None:
        """Let the customer's time run to ``end_s`` (s) in ``phase`` (answer or silence).

        A wake that does not end the session meanwhile does not change when it ends.
        """
        session.wait_end = end_s
        self._arm(session, phase, end_s - self.env.now)

    def _outbound_answered(self, session: MessagingSession) -> None:
        """The customer answers a business-initiated session (DOMAIN.md 4, 5)."""
        now = self.env.now
        self.idle_sessions.pop(session, None)
        session.customer_messages += 1
        session.last_activity = now
        session.request_time = now
        owner = session.owner
        if (
            self.policy.returns_to_same_agent
            and owner is not None
            and (self.scenario.allow_over_capacity or owner.free_capacity >= session.channel.size)
        ):
            # Status-based: the answer goes back to the agent who wrote (DOMAIN.md 4).
            item = self._new_item(session, owner, now)
            session.status = SessionStatus.ACTIVE
            self.record.event(session, owner, "customer_answered")
            self._open(item)
        else:
            session.status = SessionStatus.WAITING
            self.record.event(session, None, "customer_answered")
            self.router.offer(session, now)
        self._converse(session)

    def _silence_reached(self, session: MessagingSession) -> None:
        """A customer silent past the inactivation delay: Inactive, then maybe back."""
        self.customer_silent(session)
        if session.status == SessionStatus.ENDED or session.after_silence_s == math.inf:
            self._finish(session)  # an Inactive session waits for the clean-up job (DOMAIN 5)
            return
        self._wait_customer(session, Phase.RETURNING, self.env.now + session.after_silence_s)

    def _silence_broken(self, session: MessagingSession) -> None:
        """The silent customer's reply arrives."""
        self.customer_returns(session)
        session.segment_status = session.status
        self._messages_sent(session, [self.env.now])
        self._converse(session)

    def _inactivate_after(self, session: MessagingSession) -> float:
        item = session.work_item
        if item is not None:
            return item.agent.group.inactivate_after_s
        return session.channel.inactivate_after_s

    def customer_silent(self, session: MessagingSession) -> None:
        """The customer has been silent for the inactivation delay (DOMAIN.md 4).

        Enhanced channels: the agent marks the session Inactive. Standard channels have no
        Inactive status (DOMAIN.md 1), so the agent ends the chat.
        """
        if session.status == SessionStatus.ENDED:
            return
        if session.channel.kind == "standard":
            item = session.work_item
            if item is not None and item.status == WorkStatus.OPENED:
                self.end_chat(session)
            else:
                # Nobody holds it (sent back to Waiting): the agent who accepts it next
                # finds the customer silent and ends the chat.
                session.end_when_accepted = True
            return
        self.router.remove(session)
        item = session.work_item
        if item is not None and item.status == WorkStatus.ASSIGNED:
            self._close_item(item, WorkStatus.CANCELED)
        session.status = SessionStatus.INACTIVE
        session.inactive_since = self.env.now
        self.idle_sessions[session] = None
        item = session.work_item
        self.record.event(session, item.agent if item else None, "inactive")
        if item is not None:
            self._refresh(item)
            if self.policy.closes_tab_after_inactive:
                self._schedule_tab_close(item)
            elif item.agent.presence == Presence.DRAINING:
                self._finish_drain_if_done(item.agent)  # Inactive work does not hold it
        self.router.route()

    def customer_returns(self, session: MessagingSession) -> None:
        """A silent customer writes again (DOMAIN.md 3 and 4)."""
        now = self.env.now
        self.idle_sessions.pop(session, None)
        if session.status != SessionStatus.INACTIVE:
            # Standard channel, still Waiting for an agent: the reply simply arrives.
            session.end_when_accepted = False
            self.record.event(session, None, "customer_returned")
            return
        item = session.work_item
        if item is not None and item.status == WorkStatus.OPENED and (
            self.policy.returns_to_same_agent or item.tab_open
        ):
            over = item.agent.used + item.size - item.consuming > item.agent.capacity + EPSILON
            if not over or self.scenario.allow_over_capacity:
                # Status-based: back to the same agent, even over capacity (DOMAIN.md 4).
                session.status = SessionStatus.ACTIVE
                item.tab_close_token += 1  # the agent keeps the tab open after all
                self.record.event(session, item.agent, "customer_returned")
                self._refresh(item)
                self.wake(session)
                return
            self._close_item(item, WorkStatus.CLOSED)
        session.status = SessionStatus.WAITING
        self.record.event(session, None, "customer_returned")
        self.router.offer(session, now)
