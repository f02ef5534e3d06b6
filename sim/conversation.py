"""Conversations: the messages of a session between its agent and its customer.

A mixin of :class:`sim.center.ContactCenter` (it uses the center's environment, router,
capacity policy and recorder). Every rule cites the section of ``shared/DOMAIN.md`` it
implements. Times are seconds.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import simpy

from sim.entities import OUTBOUND, Agent, MessagingSession, Presence, SessionStatus, WorkStatus
from sim.routing import EPSILON

Process = Generator[simpy.Event, Any, Any]


class Conversations:
    """The session-side processes: answers, agent and customer turns, silence, returns."""

    def conversation(self, session: MessagingSession) -> Process:
        """Alternate agent and customer messages until End Chat, or until the session ends.

        The messages are numbered 0, 1, 2, ...: even ones are the agent's replies, odd ones
        the customer's; the last is the agent's final reply, then End Chat. Runs of messages
        that nothing can disturb are waited for as one segment (see :meth:`talk`).
        """
        try:
            yield from self._converse(session)
        finally:  # a long run keeps only the session's record
            session.message_item = None
            session.process = None

    def _converse(self, session: MessagingSession) -> Process:
        plan = session.plan
        if session.direction == OUTBOUND and not (yield from self.outbound_answer(session)):
            return
        last_message = 2 * plan.exchanges - 2
        while session.next_message <= last_message:
            if session.status == SessionStatus.ENDED:
                return
            message = session.next_message
            if message % 2 == 0:
                if not (yield from self.agent_ready(session)):
                    return
            else:
                reply_s = plan.customer_reply_s[message // 2]
                # Decided when the customer's turn starts; a turn cut short goes on as it was.
                if session.message_left_s is None and reply_s > self._inactivate_after(session):
                    if not (yield from self.silent_customer(session, reply_s)):
                        return
                    session.segment_status = session.status
                    self._messages_sent(session, [self.env.now])
                    continue
            yield from self.talk(session)
            if session.status == SessionStatus.ENDED:
                return
        self.end_chat(session)

    def outbound_answer(self, session: MessagingSession) -> Process:
        """Wait for the customer to answer a business-initiated session (DOMAIN.md 4, 5)."""
        if not session.plan.answers_outbound:
            return False  # stays New until the clean-up job ends it
        if not (yield from self.customer_wait(session, session.plan.answer_delay_s)):
            return False
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
            item = self._new_item(session, owner)
            session.status = SessionStatus.ACTIVE
            self.record.event(session, owner, "customer_answered")
            self._open(item)
        else:
            session.status = SessionStatus.WAITING
            self.record.event(session, None, "customer_answered")
            self.router.enqueue(session, now)
            self.router.route()
        return True

    def agent_ready(self, session: MessagingSession) -> Process:
        """Wait until an online agent holds the session; False if it ended first."""
        while True:
            if session.status == SessionStatus.ENDED:
                return False
            item = session.work_item
            if (
                item is None
                or item.status != WorkStatus.OPENED
                or session.status != SessionStatus.ACTIVE
            ):
                yield from self.wait_for_change(session)
                continue
            agent = item.agent
            if agent.online:
                return True
            # Status-based: the session stays with an offline agent and the customer's
            # message waits until the agent is back: stranded time (DOMAIN.md 4).
            session.stranded_since = self.env.now
            agent.waiting_sessions.append(session)
            self.record.event(session, agent, "stranded")
            yield from self.wait_for_change(session)
            session.stranded_s += self.env.now - session.stranded_since
            session.stranded_since = math.nan

    def talk(self, session: MessagingSession) -> Process:
        """Wait for the next segment of messages, or until something interrupts it.

        Anything that can change how the conversation goes on (the agent going offline or
        logging out, the session ending, a reroute) wakes the session, which cuts the
        segment short; the messages due by then are counted and the rest is planned anew.
        """
        env = self.env
        durations = self._segment(session)
        if not durations:  # would wait zero seconds forever
            raise RuntimeError(f"session {session.session_id}: empty conversation segment")
        start = env.now
        session.segment_start = start
        session.segment_status = session.status
        session.segment = durations
        session.timer_running = True
        try:
            yield env.timeout(sum(durations))
            now = math.inf  # every message of the segment is due
        except simpy.Interrupt:
            now = env.now
        finally:
            session.timer_running = False
        self._advance(session, now)

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
        fixed_factor = agent_ready and not item.agent.group.concurrency_slowdown
        inactivate_after_s = self._inactivate_after(session)
        while message <= last_message:
            if message % 2 == 0:
                if not fixed_factor:
                    break
                durations.append(agent_replies[message // 2] * factor)
            else:
                duration = customer_replies[message // 2]
                if duration > inactivate_after_s:
                    break
                durations.append(duration)
            message += 1
        session.message_item = item
        return durations

    def _advance(self, session: MessagingSession, until: float) -> None:
        """Count the segment's messages due by ``until``; keep what is left of the next."""
        durations, session.segment = session.segment, []
        time = session.segment_start
        sent_at: list[float] = []
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

    def silent_customer(self, session: MessagingSession, reply_s: float) -> Process:
        """A customer silent past the inactivation delay: Inactive, then maybe back."""
        inactivate_after_s = self._inactivate_after(session)
        if not (yield from self.customer_wait(session, inactivate_after_s)):
            return False
        self.customer_silent(session)
        if session.status == SessionStatus.ENDED or reply_s == math.inf:
            return False  # an Inactive session waits for the clean-up job (DOMAIN.md 5)
        if not (yield from self.customer_wait(session, reply_s - inactivate_after_s)):
            return False
        self.customer_returns(session)
        return True

    def _inactivate_after(self, session: MessagingSession) -> float:
        item = session.work_item
        if item is not None:
            return item.agent.group.inactivate_after_s
        return session.channel.inactivate_after_s

    def customer_wait(self, session: MessagingSession, duration_s: float) -> Process:
        """Let ``duration_s`` pass for the customer; False if the session ended meanwhile."""
        env = self.env
        end_s = env.now + duration_s
        while True:
            session.timer_running = True  # interruptible by wake() (ends, reroutes)
            try:
                yield env.timeout(end_s - env.now)
            except simpy.Interrupt:
                if session.status == SessionStatus.ENDED:
                    return False
                continue
            finally:
                session.timer_running = False
            return session.status != SessionStatus.ENDED

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
        self.router.enqueue(session, now)
        self.router.route()
