"""The contact center on SimPy: customers, agents, routing and clean-up jobs.

Every rule cites the section of ``shared/DOMAIN.md`` it implements. Times are seconds.
The capacity model is a policy object (:mod:`sim.model.capacity`); this module never asks
which model it is, only what the policy says.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import simpy
from simpy.events import URGENT

from sim.model.arrivals import arrival_times
from sim.model.conversation import Call, Conversations, Phase
from sim.model.entities import (
    INBOUND,
    OUTBOUND,
    Agent,
    MessagingSession,
    Outcome,
    Presence,
    SessionStatus,
    WorkItem,
    WorkStatus,
)
from sim.model.monitor import IntervalLevels
from sim.model.presence import AgentPresence
from sim.model.recorder import Recorder
from sim.model.routing import Router
from sim.model.runtime import (
    ChannelRuntime,
    GroupRuntime,
    build_queues,
    capacity_model,
    first_group_serving,
    make_agents,
)
from sim.model.streams import RandomStreams
from sim.scenario.schema import Scenario

Process = Generator[simpy.Event, Any, Any]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (if it was running).

    A run makes few reference cycles but millions of objects; the collector would only
    rescan the growing session list (about a third of the run time, and of the time
    building its tables).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


class ContactCenter(Conversations, AgentPresence):
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
            self.customer_arrivals(channel, times, INBOUND)
        if spec.outbound is not None:
            times = arrival_times(
                spec.outbound.arrivals,
                scenario.interval,
                scenario.horizon,
                self.streams.generator("outbound", channel.name),
                scenario.arrival_scale,
            )
            self.customer_arrivals(channel, times, OUTBOUND)

    def run(self) -> None:
        """Run to the horizon and close the statistics."""
        with gc_paused():
            self.env.run(until=self.scenario.horizon)
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
    def customer_arrivals(self, channel: ChannelRuntime, times: np.ndarray, direction: str) -> None:
        """Open a session of ``direction`` at each of ``times`` (seconds).

        A chain of timeouts, each scheduling the next, started by an urgent event at once
        (where a SimPy process would start).
        """
        env = self.env
        open_session = self.open_inbound if direction == INBOUND else self.open_outbound
        pending = iter(times.tolist())

        def schedule_next() -> None:
            for time in pending:
                env.timeout(time - env.now).callbacks.append(arrive)
                return

        def arrive(_event: simpy.Event) -> None:
            open_session(channel)
            schedule_next()

        Call(env, lambda _channel: schedule_next(), channel, URGENT)

    def _new_session(self, channel: ChannelRuntime, direction: str) -> MessagingSession:
        now = self.env.now
        plan = channel.draw_plan(direction == OUTBOUND)
        # By position (session_id, channel, direction, start_time, plan): a third cheaper
        # than by keyword with the record's forty fields, once per session.
        session = MessagingSession(len(self.sessions), channel, direction, now, plan)
        session.last_activity = now
        self.sessions.append(session)
        return session

    def open_inbound(self, channel: ChannelRuntime) -> None:
        """A customer writes first: the session waits in its queue (DOMAIN.md 2)."""
        session = self._new_session(channel, INBOUND)
        now = session.start_time
        session.status = SessionStatus.WAITING
        session.request_time = now
        session.customer_messages = 1
        if self.record.enabled:
            self.record.event(session, None, "arrived")
        self.router.offer(session, now)
        self._arm_patience(session)
        # The conversation starts when an agent first accepts (see _open).

    def _arm_patience(self, session: MessagingSession) -> None:
        """Schedule the abandonment if the customer may still be waiting when patience ends.

        Not needed while a push is due to be accepted before then; whatever undoes that
        push (decline, push timeout, the agent leaving) reroutes the session, which calls
        this again.
        """
        plan = session.plan
        if (
            session.patience_armed
            or session.direction != INBOUND
            or plan is None
            or plan.patience_s == math.inf
            or not math.isnan(session.accept_time)
        ):
            return
        deadline = session.request_time + plan.patience_s
        item = session.work_item
        if item is not None and item.status == WorkStatus.ASSIGNED and item.accept_due < deadline:
            return
        session.patience_armed = True
        timer = self.env.timeout(max(0.0, deadline - self.env.now))
        timer.callbacks.append(lambda _event: self.abandon_if_waiting(session))

    def open_outbound(self, channel: ChannelRuntime) -> None:
        """An agent writes first; the session is New and uses no capacity (DOMAIN.md 4)."""
        session = self._new_session(channel, OUTBOUND)
        session.status = SessionStatus.NEW
        session.agent_messages = 1
        session.owner = self._outbound_owner(channel)
        self.idle_sessions[session] = None
        self.record.event(session, session.owner, "outbound_sent")
        self.start_conversation(session)

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
        if self.record.enabled:
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
        if self.record.enabled:
            self.record.event(item.session, item.agent, "tab_closed")
        self._close_item(item, WorkStatus.CLOSED)
        self.router.route()

    # ------------------------------------------------------------------ work items
    def push(self, session: MessagingSession, agent: Agent) -> None:
        """Route ``session`` to ``agent``: the item holds capacity from the push (DOMAIN 2)."""
        now = self.env.now
        agent.last_assigned_time = now
        item = self._new_item(session, agent, now)
        self._refresh(item)
        if self.record.enabled:
            self.record.event(session, agent, "assigned")
        channel = session.channel
        if channel.auto_accept:
            self.accept(item)
            return
        group = agent.group
        accepts = not (
            group.decline_probability and group.decline_draw() < group.decline_probability
        )
        delay_s = group.accept_delay() if accepts else group.decline_delay()
        push_timeout_s = channel.queue.push_timeout_s
        if push_timeout_s > 0 and delay_s >= push_timeout_s:
            delay_s, action = push_timeout_s, self.push_timed_out
        elif not accepts:
            action = self.decline
        elif delay_s <= 0:
            self.accept(item)
            return
        else:
            action = self.accept
            item.accept_due = now + delay_s
        self.env.timeout(delay_s).callbacks.append(lambda _event: action(item))

    def _new_item(self, session: MessagingSession, agent: Agent, now: float) -> WorkItem:
        item = WorkItem(self._next_item_id, session, agent, session.channel.size, now)
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
        if self.record.enabled:
            self.record.event(session, item.agent, "accepted")
        self._open(item)

    def _open(self, item: WorkItem) -> None:
        now = self.env.now
        session, agent = item.session, item.agent
        item.status = WorkStatus.OPENED
        item.accept_time = now
        first_acceptance = math.isnan(session.accept_time)
        if first_acceptance:
            session.accept_time = now
        agent_id = agent.agent_id
        if agent_id not in session.agents_seen:
            session.agents_seen += (agent_id,)
        session.agent_id = agent_id
        agent.sessions_handled += 1
        self._refresh(item)
        if session.end_when_accepted:
            self.end_chat(session)
        if first_acceptance and session.direction == INBOUND and session.phase == Phase.NOT_STARTED:
            if session.status != SessionStatus.ENDED:
                self.start_conversation(session)
        else:
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
        self._arm_patience(session)

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
        consuming = item.consuming
        if consumption == consuming:
            return
        delta = consumption - consuming
        agent = item.agent
        now = self._touch(agent)
        agent.used += delta
        # Concurrency counts the work items that use capacity (open work).
        working_delta = (consumption > 0.0) - (consuming > 0.0)
        item.consuming = consumption
        self.rerank(agent)
        if working_delta:
            agent.working_items += working_delta
            if agent.working_items > agent.max_concurrency:
                agent.max_concurrency = agent.working_items
        if agent.online:
            self.levels.change(now, delta, 0.0, 0.0, working_delta)

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
