"""The contact center on SimPy: wires customers, agents, routing and clean-up jobs.

Times are seconds. The capacity model is a policy object (:mod:`sim.model.capacity`);
no module asks which model it is, only what the policy decides. Each collaborator owns
its state and calls the others through their public methods:

- :class:`~sim.model.customers.Customers`: arrivals, sessions, abandonment, session ends;
- :class:`~sim.model.work_items.WorkItems`: push, accept, decline, close, capacity use;
- :class:`~sim.model.conversation.Conversations`: the messages of each session;
- :class:`~sim.model.presence.AgentPresence`: shifts, breaks, drain, logout, offline;
- :class:`~sim.model.cleanup.CleanupJobs`: the unresponsive and supervisor sweeps.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator
from contextlib import contextmanager

import simpy

from sim.model.bots import Bots
from sim.model.breaks import group_breaks, has_spread_breaks
from sim.model.cleanup import CleanupJobs
from sim.model.context import ModelContext, ModelParts
from sim.model.conversation import Conversations
from sim.model.customers import Customers
from sim.model.entities import Agent, MessagingSession
from sim.model.monitor import IntervalLevels
from sim.model.presence import AgentPresence
from sim.model.recorder import Recorder
from sim.model.routing import Router
from sim.model.runtime import (
    AgentSchedule,
    ChannelRuntime,
    GroupRuntime,
    build_queues,
    channel_capacity,
    first_group_serving,
    make_agents,
    skill_routing_targets,
)
from sim.model.streams import RandomStreams
from sim.model.timer import URGENT, Timer
from sim.model.work_items import WorkItems
from sim.scenario.schema import Scenario


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


class ContactCenter:
    """One replication of a scenario: builds the collaborators and runs them to the horizon."""

    def __init__(self, scenario: Scenario, streams: RandomStreams, trace: bool = False) -> None:
        self.scenario = scenario
        self.env = env = simpy.Environment()
        self.streams = streams
        self.record = Recorder(env, trace)
        self.levels = IntervalLevels(scenario.interval, scenario.horizon,
                                     len(scenario.agent_groups), len(scenario.channels))
        context = ModelContext(env, scenario, streams, self.record, self.levels)
        queues = build_queues(scenario)
        self.channels = [
            ChannelRuntime(
                spec,
                queues[spec.queue],
                first_group_serving(spec, scenario.agent_groups),
                streams,
                channel_capacity(scenario, spec),
            )
            for spec in scenario.channels
        ]
        self.groups = {g.name: GroupRuntime(g, streams) for g in scenario.agent_groups}
        for index, runtime in enumerate(self.channels):
            runtime.level_index = index
        for index, group in enumerate(self.groups.values()):
            group.level_index = index
        for runtime in self.channels:  # the capacity model's decision, once per group
            runtime.end_chat_releases = [runtime.capacity.end_chat_release(group.acw_enabled)
                                         for group in self.groups.values()]
        agents_with_schedules = make_agents(scenario, self.groups)
        self.agents: list[Agent] = [agent for agent, _ in agents_with_schedules]
        self.work_items = work_items = WorkItems(context)
        self.router = router = Router(
            self.agents,
            # the routing targets: each queue (its members eligible), each skill set
            {**queues, **skill_routing_targets(self.channels)},
            min(c.size for c in self.channels),
            work_items.push,
        )
        self.customers = customers = Customers(context, self.agents)
        self.conversations = conversations = Conversations(context)
        self.presence = presence = AgentPresence(context)
        self.cleanup = CleanupJobs(context)
        bots = Bots(context)
        parts = ModelParts(router, work_items, conversations, customers, presence, bots)
        for part in (work_items, customers, conversations, presence, self.cleanup, bots):
            part.connect(parts)
        self.sessions: list[MessagingSession] = customers.sessions
        """Every session of the run, by id."""
        self._start_processes(agents_with_schedules)

    def _start_processes(self, agents_with_schedules: list[tuple[Agent, AgentSchedule]]) -> None:
        """Start the agents', customers' and clean-up processes.

        In this order: it decides the order of first events due at the same time.
        """
        env, scenario, presence = self.env, self.scenario, self.presence
        staggered = {spec.name: iter(group_breaks(spec, scenario))
                     for spec in scenario.agent_groups if has_spread_breaks(spec)}
        for agent, schedule in agents_with_schedules:
            env.process(presence.agent_shift(agent, schedule.periods))
            plan = staggered.get(agent.group.name)
            breaks = schedule.breaks if plan is None else next(plan)
            for start_s, end_s in breaks:
                env.process(presence.agent_break(agent, start_s, end_s))
            if agent.group.disconnection_rate_per_s > 0:
                env.process(presence.disconnections(agent))
        for spec in scenario.agent_groups:
            members = [agent for agent in self.agents if agent.group.name == spec.name]
            for outage in spec.disconnections.outages:
                env.process(presence.outage(members, outage.start, outage.duration))
        for channel in self.channels:
            self.customers.start(channel)
        if 0 < scenario.warmup < scenario.horizon:
            Timer(env, scenario.warmup, self._warmup_over, self.agents, URGENT)
        env.process(self.cleanup.unresponsive_sweep(self.streams.generator("sweep_phase")))
        if scenario.supervisor.enabled:
            env.process(self.cleanup.supervisor_sweep())

    def _warmup_over(self, timer: Timer) -> None:
        """The warm-up ends: the agents' time statistics start from here (rules §7)."""
        now = self.env.now
        agents: list[Agent] = timer.subject
        for agent in agents:
            agent.restart_statistics(now)

    def run(self) -> None:
        """Run to the horizon and close the statistics."""
        with gc_paused():
            self.env.run(until=self.scenario.horizon)
        now = self.env.now
        for agent in self.agents:
            agent.accrue(now)
        self.levels.close(now)
        advance = self.conversations.advance
        for session in self.sessions:
            state = session.conversation
            if state is not None and state.segment:  # messages due before the horizon count
                advance(session, state, now)
            if not math.isnan(session.stranded_since):  # still stranded at the horizon
                session.stranded_s += now - session.stranded_since
                session.stranded_since = math.nan
            if session.rewait_cause:  # still waiting for an agent again at the horizon
                session.end_rewait(now)
