"""The contact center as SimPy processes: customers, agents, routing and clean-up jobs.

Every rule cites the section of ``shared/DOMAIN.md`` it implements. Times are seconds.
The capacity model is a policy object (:mod:`sim.capacity`); this module never asks
which model it is, only what the policy says.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from sim.arrivals import arrival_times
from sim.entities import (
    Agent,
    MessagingSession,
    Outcome,
    Presence,
    SessionStatus,
    WorkItem,
    WorkStatus,
)
from sim.monitor import IntervalLevels
from sim.recorder import Recorder
from sim.routing import EPSILON, Router
from sim.runtime import (
    ChannelRuntime,
    GroupRuntime,
    build_queues,
    capacity_model,
    first_group_serving,
    make_agents,
)
from sim.scenario import Scenario
from sim.streams import RandomStreams

Process = Generator[simpy.Event, Any, Any]

INBOUND = "inbound"
OUTBOUND = "outbound"


class ContactCenter:
    """One replication of a scenario: builds the processes and runs them to the horizon."""

    def __init__(self, scenario: Scenario, streams: RandomStreams, trace: bool = False) -> None:
        self.scenario = scenario
        self.env = simpy.Environment()
        self.streams = streams
        self.policy = capacity_model(scenario)
        self.record = Recorder(self.env, trace)
        self.levels = IntervalLevels(scenario.interval, scenario.horizon)
        queues = build_queues(scenario)
        self.channels = [
            ChannelRuntime(
                spec,
                queues[spec.queue],
                first_group_serving(spec, scenario.agent_groups),
                streams,
            )
            for spec in scenario.channels
        ]
        self.groups = {g.name: GroupRuntime(g, streams) for g in scenario.agent_groups}
        agents_with_schedules = make_agents(scenario, self.groups)
        self.agents = [agent for agent, _ in agents_with_schedules]
        self.router = Router(
            self.agents,
            {name: queue.routing_model for name, queue in queues.items()},
            min(c.size for c in self.channels),
            self.push,
        )
        self.rerank = self.router.update
        self.sessions: list[MessagingSession] = []
        self.idle_sessions: dict[MessagingSession, None] = {}
        self._next_item_id = 0
        for agent, schedule in agents_with_schedules:
            self.env.process(self.agent_shift(agent, schedule.periods))
            for start_s, end_s in schedule.breaks:
                self.env.process(self.agent_break(agent, start_s, end_s))
            if agent.group.disconnection_rate_per_s > 0:
                self.env.process(self.disconnections(agent))
        for spec in scenario.agent_groups:
            members = [agent for agent in self.agents if agent.group.name == spec.name]
            for outage in spec.disconnections.outages:
                self.env.process(self.outage(members, outage.start, outage.duration))
        for channel in self.channels:
            self._start_customers(channel)
        self.env.process(self.unresponsive_sweep(streams.generator("sweep_phase")))
        if scenario.supervisor.enabled:
            self.env.process(self.supervisor_sweep())

    def _start_customers(self, channel: ChannelRuntime) -> None:
        spec, scenario = channel.spec, self.scenario
        if spec.arrivals is not None:
            times = arrival_times(
                spec.arrivals,
                scenario.interval,
                scenario.horizon,
                self.streams.generator("arrivals", channel.name),
                scenario.arrival_scale,
            )
            self.env.process(self.customer_arrivals(channel, times, INBOUND))
        if spec.outbound is not None:
            times = arrival_times(
                spec.outbound.arrivals,
                scenario.interval,
                scenario.horizon,
                self.streams.generator("outbound", channel.name),
                scenario.arrival_scale,
            )
            self.env.process(self.customer_arrivals(channel, times, OUTBOUND))

    def run(self) -> None:
        """Run to the horizon and close the statistics."""
        # The run makes few reference cycles; the cyclic collector would only rescan the
        # growing session list (about a third of the run time), so it pauses meanwhile.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self.env.run(until=self.scenario.horizon)
        finally:
            if collecting:
                gc.enable()
        now = self.env.now
        for agent in self.agents:
            self._touch(agent)
        self.levels.advance(now)
        for session in self.sessions:
            if session.segment:  # messages due before the horizon still count
                self._advance(session, now)
            if not math.isnan(session.stranded_since):  # still stranded at the horizon
                session.stranded_s += now - session.stranded_since
                session.stranded_since = math.nan

    # ------------------------------------------------------------------ customers
    def customer_arrivals(
        self, channel: ChannelRuntime, times: np.ndarray, direction: str
    ) -> Process:
        """Open a session of ``direction`` at each of ``times`` (seconds)."""
        env = self.env
        open_session = self.open_inbound if direction == INBOUND else self.open_outbound
        for time in times.tolist():
            yield env.timeout(time - env.now)
            open_session(channel)

    def _new_session(self, channel: ChannelRuntime, direction: str) -> MessagingSession:
        now = self.env.now
        session = MessagingSession(
            session_id=len(self.sessions),
            channel=channel,
            direction=direction,
            start_time=now,
            plan=channel.draw_plan(direction == OUTBOUND),
            last_activity=now,
        )
        self.sessions.append(session)
        return session

    def open_inbound(self, channel: ChannelRuntime) -> None:
        """A customer writes first: the session waits in its queue (DOMAIN.md 2)."""
        session = self._new_session(channel, INBOUND)
        now = self.env.now
        session.status = SessionStatus.WAITING
        session.request_time = now
        session.customer_messages = 1
        self.record.event(session, None, "arrived")
        self.router.enqueue(session, now)
        if session.plan.patience_s < math.inf:
            timer = self.env.timeout(session.plan.patience_s)
            timer.callbacks.append(lambda _event: self.abandon_if_waiting(session))
        session.process = self.env.process(self.conversation(session))
        self.router.route()

    def open_outbound(self, channel: ChannelRuntime) -> None:
        """An agent writes first; the session is New and uses no capacity (DOMAIN.md 4)."""
        session = self._new_session(channel, OUTBOUND)
        session.status = SessionStatus.NEW
        session.agent_messages = 1
        session.owner = self._outbound_owner(channel)
        self.idle_sessions[session] = None
        self.record.event(session, session.owner, "outbound_sent")
        session.process = self.env.process(self.conversation(session))

    def _outbound_owner(self, channel: ChannelRuntime) -> Agent | None:
        """The online agent serving the channel's queue with the least open work."""
        owners = [
            agent
            for agent in self.agents
            if agent.presence == Presence.AVAILABLE and channel.queue.name in agent.queue_names
        ]
        if not owners:
            return None
        return min(owners, key=lambda agent: (len(agent.items), agent.last_assigned_time))

    def abandon_if_waiting(self, session: MessagingSession) -> None:
        """The customer's patience ran out before any agent accepted (DOMAIN.md 5)."""
        if session.status == SessionStatus.WAITING and math.isnan(session.accept_time):
            self.end_session(session, Outcome.ABANDONED)

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
                    self._message_sent(session, self.env.now)
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
        session.segment_durations = durations
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
        fixed_factor = agent_ready and not item.agent.group.concurrency_slowdown
        inactivate_after_s = self._inactivate_after(session)
        durations: list[float] = []
        while message <= last_message:
            if message % 2 == 0:
                if not agent_ready or (durations and not fixed_factor):
                    break
                duration = plan.agent_reply_s[message // 2] * factor
            else:
                duration = plan.customer_reply_s[message // 2]
                resumed = not durations and session.message_left_s is not None
                if duration > inactivate_after_s and not resumed:
                    break
            if not durations and session.message_left_s is not None:
                duration = session.message_left_s
            durations.append(duration)
            message += 1
        session.message_item = item
        return durations

    def _advance(self, session: MessagingSession, until: float) -> None:
        """Count the segment's messages due by ``until``; keep what is left of the next."""
        time = session.segment_start
        first = session.next_message
        sent = 0
        left_s: float | None = None
        for duration in session.segment:
            if time + duration > until:
                left_s = time + duration - until
                break
            time += duration
            sent += 1
        session.segment = []
        if self.record.enabled:  # one trace row per message
            time = session.segment_start
            for duration in session.segment_durations[:sent]:
                time += duration
                self._message_sent(session, time)
        elif sent:
            # The counts follow from which messages were due: even numbers are the
            # agent's (the first of them may be the first response), odd the customer's.
            agent_sent = (sent + (first % 2 == 0)) // 2
            session.agent_messages += agent_sent
            session.customer_messages += sent - agent_sent
            if agent_sent and math.isnan(session.first_response_time):
                first_agent = 0 if first % 2 == 0 else 1
                session.first_response_time = session.segment_start + sum(
                    session.segment_durations[: first_agent + 1]
                )
            session.next_message = first + sent
            session.last_activity = time
        session.message_left_s = left_s

    def _message_sent(self, session: MessagingSession, time: float) -> None:
        """Message ``session.next_message`` was sent at ``time`` (seconds)."""
        session.message_left_s = None
        session.last_activity = time
        # Recorded with the agent and status of the segment the message belonged to.
        status = session.segment_status
        if session.next_message % 2 == 0:
            session.agent_messages += 1
            if math.isnan(session.first_response_time):
                session.first_response_time = time
            item = session.message_item
            agent = item.agent if item is not None else None
            self.record.event_at(time, session, agent, "agent_message", status)
        else:
            session.customer_messages += 1
            self.record.event_at(time, session, None, "customer_message", status)
        session.next_message += 1

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

    # ------------------------------------------------------------------ session ends
    def end_chat(self, session: MessagingSession) -> None:
        """The agent clicks End Chat: the session ends completed (DOMAIN.md 3 and 4)."""
        if session.status == SessionStatus.ENDED:
            return
        item = session.work_item
        self._mark_ended(session, Outcome.COMPLETED, "end_chat", item.agent if item else None)
        if item is None:
            return
        if item.status == WorkStatus.ASSIGNED:
            self._close_item(item, WorkStatus.CANCELED)
        elif self.policy.closes_tab_after_end_chat:
            # Tab-based: End Chat does not free capacity; closing the tab does (DOMAIN 3).
            self._schedule_tab_close(item)
        else:
            self._close_item(item, WorkStatus.CLOSED)
        self.router.route()

    def end_session(self, session: MessagingSession, outcome: str) -> None:
        """End ``session`` at once with ``outcome``, releasing any capacity it holds."""
        if session.status == SessionStatus.ENDED:
            return
        item = session.work_item
        self._mark_ended(session, outcome, outcome, item.agent if item else None)
        if item is not None:
            closing = WorkStatus.CANCELED if item.status == WorkStatus.ASSIGNED else None
            self._close_item(item, closing or WorkStatus.CLOSED)
        self.wake(session)
        self.router.route()

    def _mark_ended(
        self, session: MessagingSession, outcome: str, event: str, agent: Agent | None
    ) -> None:
        now = self.env.now
        self.router.remove(session)
        self.idle_sessions.pop(session, None)
        session.status = SessionStatus.ENDED
        session.end_time = now
        session.outcome = outcome
        # What only a live session needs goes, so a long run keeps only its records.
        session.plan = None
        session.declined_by = None
        if session.work_item is None and math.isnan(session.release_time):
            session.release_time = now
        self.record.event(session, agent, event)

    def _schedule_tab_close(self, item: WorkItem) -> None:
        """Close the tab after the close-tab delay, capped by the ACW maximum (DOMAIN 3)."""
        group = item.agent.group
        delay_s = min(group.close_tab_delay(), group.acw_max_s)
        item.tab_close_token += 1
        token = item.tab_close_token
        if delay_s <= 0:
            self.close_tab(item, token)
            return
        self.env.timeout(delay_s).callbacks.append(lambda _event: self.close_tab(item, token))

    def close_tab(self, item: WorkItem, token: int) -> None:
        """The agent closes the session's tab, freeing its capacity (tab-based, DOMAIN 3).

        A close planned when the session went Inactive is called off (``token`` no longer
        current) if the customer came back while the tab was still open.
        """
        if item.status != WorkStatus.OPENED or not item.tab_open:
            return
        if token != item.tab_close_token:
            return
        item.tab_open = False
        self.record.event(item.session, item.agent, "tab_closed")
        self._close_item(item, WorkStatus.CLOSED)
        self.router.route()

    # ------------------------------------------------------------------ work items
    def push(self, session: MessagingSession, agent: Agent) -> None:
        """Route ``session`` to ``agent``: the item holds capacity from the push (DOMAIN 2)."""
        agent.last_assigned_time = self.env.now
        item = self._new_item(session, agent)
        self._refresh(item)
        self.record.event(session, agent, "assigned")
        channel = session.channel
        if channel.auto_accept:
            self.accept(item)
            return
        group = agent.group
        if group.decline_probability and group.decline_draw() < group.decline_probability:
            delay_s, action = group.decline_delay(), self.decline
        else:
            delay_s, action = group.accept_delay(), self.accept
        push_timeout_s = channel.queue.push_timeout_s
        if push_timeout_s > 0 and delay_s >= push_timeout_s:
            delay_s, action = push_timeout_s, self.push_timed_out
        if delay_s <= 0 and action == self.accept:
            self.accept(item)
            return
        self.env.timeout(delay_s).callbacks.append(lambda _event: action(item))

    def _new_item(self, session: MessagingSession, agent: Agent) -> WorkItem:
        item = WorkItem(self._next_item_id, session, agent, session.channel.size, self.env.now)
        self._next_item_id += 1
        agent.items.append(item)
        session.work_item = item
        session.release_time = math.nan  # capacity is held again
        self.router.work_items_changed(agent)
        return item

    def accept(self, item: WorkItem) -> None:
        """The agent accepts a pushed item: the session becomes Active."""
        if item.status != WorkStatus.ASSIGNED:
            return
        session = item.session
        session.status = SessionStatus.ACTIVE
        self.record.event(session, item.agent, "accepted")
        self._open(item)

    def _open(self, item: WorkItem) -> None:
        now = self.env.now
        session, agent = item.session, item.agent
        item.status = WorkStatus.OPENED
        item.accept_time = now
        if math.isnan(session.accept_time):
            session.accept_time = now
        session.agents_seen.append(agent.agent_id)
        agent.sessions_handled += 1
        self._refresh(item)
        if session.end_when_accepted:
            self.end_chat(session)
        self.wake(session)

    def decline(self, item: WorkItem) -> None:
        """The agent declines: reroute, and the agent turns busy for a while (DOMAIN 2)."""
        self._refuse(item, WorkStatus.DECLINED, "declined")

    def push_timed_out(self, item: WorkItem) -> None:
        """The push timeout expired: treated as a decline (DOMAIN.md 2)."""
        self._refuse(item, WorkStatus.DECLINED_ON_PUSH_TIMEOUT, "push_timeout")

    def _refuse(self, item: WorkItem, status: str, event: str) -> None:
        if item.status != WorkStatus.ASSIGNED:
            return
        session, agent = item.session, item.agent
        self.record.event(session, agent, event)
        if session.declined_by is None:
            session.declined_by = set()
        session.declined_by.add(agent.agent_id)
        self._close_item(item, status)
        self._reroute(session)
        if agent.presence == Presence.AVAILABLE and agent.group.away_after_decline_s > 0:
            self._set_presence(agent, Presence.AWAY)
            token = agent.presence_token
            timer = self.env.timeout(agent.group.away_after_decline_s)
            timer.callbacks.append(lambda _event: self._back_from_away(agent, token))
        self.router.route()

    def _back_from_away(self, agent: Agent, token: int) -> None:
        if agent.presence == Presence.AWAY and agent.presence_token == token:
            self._set_presence(agent, Presence.AVAILABLE)
            self.router.route()

    def _reroute(self, session: MessagingSession) -> None:
        """Send the session back to Waiting; it keeps its original age (DOMAIN.md 2)."""
        session.reroutes += 1
        session.status = SessionStatus.WAITING
        self.router.enqueue(session, session.request_time)

    def _close_item(self, item: WorkItem, status: str) -> None:
        """End a work item with ``status`` and release what it holds."""
        agent, session = item.agent, item.session
        item.status = status
        item.close_time = self.env.now
        if status in (WorkStatus.UNAVAILABLE, WorkStatus.CANCELED):
            self.record.event(session, agent, status.lower())
        self._refresh(item)
        agent.items.remove(item)
        self.router.work_items_changed(agent)
        if session.work_item is item:
            session.work_item = None
        session.release_time = item.close_time
        if agent.presence == Presence.DRAINING:
            self._finish_drain_if_done(agent)

    def _refresh(self, item: WorkItem) -> None:
        """Bring the item's capacity use in line with what the capacity model says now."""
        consumption = self.policy.consumption(item)
        delta = consumption - item.consuming
        if delta == 0.0:
            return
        agent = item.agent
        self._touch(agent)
        agent.used += delta
        # Concurrency counts the work items that use capacity (open work).
        working_delta = (consumption > 0.0) - (item.consuming > 0.0)
        item.consuming = consumption
        self.rerank(agent)
        if working_delta:
            agent.working_items += working_delta
            if agent.working_items > agent.max_concurrency:
                agent.max_concurrency = agent.working_items
        if agent.online:
            levels, now = self.levels, self.env.now
            levels.change(now, IntervalLevels.USED, delta)
            if working_delta:
                levels.change(now, IntervalLevels.OPEN_WORK, working_delta)

    # ------------------------------------------------------------------ agents
    def agent_shift(self, agent: Agent, periods: list[tuple[float, float]]) -> Process:
        """Log in at each period's start; drain or log out at its end (DOMAIN.md 6)."""
        env = self.env
        horizon = self.scenario.horizon
        for login_s, logout_s in periods:
            yield env.timeout(max(0.0, login_s - env.now))
            self.login(agent)
            if logout_s >= horizon:
                return
            yield env.timeout(logout_s - env.now)
            self.shift_ends(agent)

    def agent_break(self, agent: Agent, start_s: float, end_s: float) -> Process:
        """A break: the agent is away (no new work; open work goes on), then available."""
        yield self.env.timeout(start_s)
        if agent.presence not in (Presence.AVAILABLE, Presence.AWAY):
            return  # offline, draining or logged out: no break to take
        self._set_presence(agent, Presence.AWAY)
        token = agent.presence_token
        yield self.env.timeout(end_s - start_s)
        self._back_from_away(agent, token)

    def login(self, agent: Agent) -> None:
        """The agent logs in and becomes available."""
        agent.shift_over = False
        if agent.presence == Presence.OFFLINE:
            return  # still disconnected; reconnecting makes it available
        self._set_presence(agent, Presence.AVAILABLE)
        self._wake_stranded(agent)
        self.router.route()

    def shift_ends(self, agent: Agent) -> None:
        """At the end of a shift the agent drains its work or logs out (DOMAIN.md 6)."""
        agent.shift_over = True
        if agent.presence == Presence.OFFLINE:
            return  # decided on reconnection
        if agent.group.shift_end == "logout":
            self.logout(agent)
        elif agent.presence != Presence.LOGGED_OUT:
            self._set_presence(agent, Presence.DRAINING)
            self._finish_drain_if_done(agent)

    def _finish_drain_if_done(self, agent: Agent) -> None:
        if not any(self._needs_agent(item) for item in agent.items):
            self.logout(agent)

    def _needs_agent(self, item: WorkItem) -> bool:
        """Whether a draining agent must still finish ``item`` before logging out."""
        if item.status == WorkStatus.ASSIGNED:
            return True
        if self.policy.work_stays_after_logout:
            return item.session.status == SessionStatus.ACTIVE
        return True

    def logout(self, agent: Agent) -> None:
        """The agent logs out of Omni-Channel (DOMAIN.md 3 and 4)."""
        if agent.presence == Presence.LOGGED_OUT:
            return
        self._set_presence(agent, Presence.LOGGED_OUT)
        self.record.agent_event(agent, "logout")
        for item in list(agent.items):
            session = item.session
            if item.status == WorkStatus.ASSIGNED:
                self._close_item(item, WorkStatus.UNAVAILABLE)
                self._reroute(session)
            elif self.policy.work_stays_after_logout:
                # Status-based: logging out does not release capacity (DOMAIN 4); the
                # conversation stops at the agent's next reply.
                self.wake(session)
            elif session.status in (SessionStatus.ACTIVE, SessionStatus.WAITING):
                # Tab-based: assigned work is closed; ongoing sessions end (DOMAIN.md 3).
                if self.scenario.logout_sessions == "end":
                    self.end_session(session, Outcome.ENDED_BY_LOGOUT)
                else:
                    self._close_item(item, WorkStatus.UNAVAILABLE)
                    self._reroute(session)
                    self.wake(session)
            else:
                self._close_item(item, WorkStatus.CLOSED)
        self.router.route()

    def disconnections(self, agent: Agent) -> Process:
        """Random disconnections while logged in, each followed by a reconnection."""
        env = self.env
        group = agent.group
        gap_rng = group.disconnection_gap_rng
        mean_gap_s = 1.0 / group.disconnection_rate_per_s
        while True:
            yield env.timeout(gap_rng.exponential(mean_gap_s))
            if not agent.online:
                continue
            self.go_offline(agent)
            yield env.timeout(group.disconnection_duration())
            self.reconnect(agent)

    def outage(self, agents: list[Agent], start_s: float, duration_s: float) -> Process:
        """Every online agent of a group drops offline at ``start_s`` for ``duration_s``."""
        yield self.env.timeout(start_s)
        dropped = [agent for agent in agents if agent.online]
        for agent in dropped:
            self.go_offline(agent)
        yield self.env.timeout(duration_s)
        for agent in dropped:
            self.reconnect(agent)

    def go_offline(self, agent: Agent) -> None:
        """The agent drops offline (DOMAIN.md 3 and 4)."""
        agent.offline_events += 1
        self._set_presence(agent, Presence.OFFLINE)
        for item in list(agent.items):
            session = item.session
            if item.status == WorkStatus.ASSIGNED:
                self._close_item(item, WorkStatus.UNAVAILABLE)
                self._reroute(session)
            elif self.policy.work_stays_with_offline_agent:
                self.wake(session)  # status-based: stays with the agent (DOMAIN.md 4)
            else:
                # Tab-based: the work item ends Unavailable and frees capacity; an active
                # session goes back to Waiting and is routed to another agent (DOMAIN 3).
                self._close_item(item, WorkStatus.UNAVAILABLE)
                if session.status == SessionStatus.ACTIVE:
                    self._reroute(session)
                    self.wake(session)
        self.router.route()

    def reconnect(self, agent: Agent) -> None:
        """The agent comes back online, or finds its shift over."""
        if agent.presence != Presence.OFFLINE:
            return
        if agent.shift_over:
            self._set_presence(agent, Presence.AVAILABLE)
            self.shift_ends(agent)
        else:
            self._set_presence(agent, Presence.AVAILABLE)
        self._wake_stranded(agent)
        self.router.route()

    def _wake_stranded(self, agent: Agent) -> None:
        waiting, agent.waiting_sessions = agent.waiting_sessions, []
        for session in waiting:
            self.wake(session)

    def _set_presence(self, agent: Agent, presence: str) -> None:
        was_online = agent.online
        self._touch(agent)
        agent.presence = presence
        agent.presence_token += 1
        self.rerank(agent)
        now_online = agent.online
        if was_online != now_online:
            sign = 1.0 if now_online else -1.0
            levels, now = self.levels, self.env.now
            levels.change(now, IntervalLevels.AGENTS, sign)
            levels.change(now, IntervalLevels.CAPACITY, sign * agent.capacity)
            levels.change(now, IntervalLevels.USED, sign * agent.used)
            levels.change(now, IntervalLevels.OPEN_WORK, sign * agent.working_items)
        self.record.agent_event(agent, presence)

    def _touch(self, agent: Agent) -> None:
        """Add the time since the agent's last change to its statistics."""
        now = self.env.now
        elapsed = now - agent.stats_since
        if elapsed <= 0:
            return
        if agent.online:
            agent.online_s += elapsed
            agent.busy_integral += agent.used * elapsed
        elif agent.presence == Presence.OFFLINE:
            agent.offline_s += elapsed
        if agent.used > agent.capacity + EPSILON:
            agent.over_capacity_s += elapsed
        agent.stats_since = now

    # ------------------------------------------------------------------ clean-up jobs
    def unresponsive_sweep(self, phase_rng: np.random.Generator) -> Process:
        """The periodic job ending idle sessions past their minimum age (DOMAIN.md 5)."""
        timeouts = self.scenario.timeouts
        yield self.env.timeout(phase_rng.uniform(0.0, timeouts.sweep_period))
        while True:
            now = self.env.now
            for session in list(self.idle_sessions):
                if session.status == SessionStatus.NEW:
                    limit_s = (
                        timeouts.unanswered_standard
                        if session.channel.kind == "standard"
                        else timeouts.unanswered_enhanced
                    )
                    age_s = now - session.start_time
                else:
                    limit_s, age_s = timeouts.inactive, now - session.inactive_since
                if age_s >= limit_s:
                    self.end_session(session, Outcome.TIMED_OUT)
            yield self.env.timeout(timeouts.sweep_period)

    def supervisor_sweep(self) -> Process:
        """Bulk End Sessions from the list view on idle sessions (DOMAIN.md 6, seed)."""
        supervisor = self.scenario.supervisor
        while True:
            yield self.env.timeout(supervisor.period)
            now = self.env.now
            for session in list(self.idle_sessions):
                idle_s = now - session.last_activity
                if idle_s >= supervisor.idle_limit and self.policy.supervisor_may_end(session):
                    self.end_session(session, Outcome.ENDED_BY_SUPERVISOR)

    # ------------------------------------------------------------------ process plumbing
    def wait_for_change(self, session: MessagingSession) -> Process:
        """Block the session's process until something it depends on changes."""
        signal = self.env.event()
        session.signal = signal
        try:
            yield signal
        except simpy.Interrupt:
            pass
        session.signal = None

    def wake(self, session: MessagingSession) -> None:
        """Let the session's process look again at the session's state."""
        signal = session.signal
        if signal is not None:
            if not signal.triggered:
                signal.succeed()
        elif session.timer_running:
            session.timer_running = False
            session.process.interrupt()
