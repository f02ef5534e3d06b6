"""Run-time views of the scenario: channels, queues and agent groups with their samplers.

Built once per replication from the validated :class:`~sim.scenario.schema.Scenario`; the
processes read plain attributes from these and draw from their samplers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.model.capacity import CAPACITY_MODELS, CapacityModel, Release
from sim.model.entities import Agent, ConversationPlan, Outcome
from sim.model.routing import ROUTING_MODELS, RoutingModel, RoutingTarget
from sim.model.sampling import Sampler, UniformSampler
from sim.model.streams import RandomStreams
from sim.scenario.schema import (
    AgentBehaviour,
    AgentGroup,
    Channel,
    Fixed,
    Scenario,
    channel_capacity_model,
    work_size,
)


@dataclass(eq=False)
class QueueRuntime:
    """A queue with its routing model object: a session's routing target (rules §2).

    The router asks :meth:`eligible` which agents may take its work, as SimPy's
    ``FilterStore.get`` takes a filter; queue membership is the rule.
    """

    name: str
    priority: int
    routing_model: RoutingModel
    push_timeout_s: float
    transfer_share: float = 0.0
    """Share of its inbound conversations its agents transfer (rules §8.2)."""
    transfer_to: str = ""
    """The queue they transfer them to."""
    dropped: RoutingTarget | None = None
    """None: a queue has no additional skills to drop (see :class:`SkillTarget`)."""
    drop_after_s: float = math.inf

    def eligible(self, agent: Agent) -> bool:
        """Whether ``agent`` may take work routed to this queue (it serves the queue)."""
        return self.name in agent.queue_names


@dataclass(eq=False)
class SkillTarget:
    """A routing target of skills-based routing: the agents with the skills (rules §8.3).

    Priority, routing model, push timeout and transfers are those of the channel's queue;
    ``dropped`` is the same target without the additional skills, ``drop_after_s`` the
    Drop Additional Skills time-out (seconds).
    """

    name: str
    priority: int
    routing_model: RoutingModel
    push_timeout_s: float
    required: dict[str, int]
    transfer_to: str = ""
    dropped: RoutingTarget | None = None
    drop_after_s: float = math.inf

    def eligible(self, agent: Agent) -> bool:
        """Whether ``agent`` has every required skill at least at its level."""
        levels = agent.skills
        return all(levels.get(skill, 0) >= level for skill, level in self.required.items())


def skill_routing_targets(channels: list[ChannelRuntime]) -> dict[str, RoutingTarget]:
    """Every skill set the channels route by, with and without its additional skills."""
    targets: dict[str, RoutingTarget] = {}
    for channel in channels:
        for target in channel.skill_targets:
            targets[target.name] = target
            if target.dropped is not None:
                targets[target.dropped.name] = target.dropped
    return targets


def skill_targets(channel: Channel, queue: QueueRuntime) -> list[SkillTarget]:
    """The channel's skill requirements as routing targets, in order (rules §8.3)."""
    targets = []
    for index, requirement in enumerate(channel.skills):
        def target(name: str, required: dict[str, int]) -> SkillTarget:
            return SkillTarget(name, queue.priority, queue.routing_model, queue.push_timeout_s,
                               required, queue.transfer_to)

        full = target(f"{channel.name}|skills {index}",
                      {**requirement.skills, **requirement.additional})
        if requirement.additional and requirement.drop_after is not None:
            full.dropped = target(f"{channel.name}|skills {index} dropped",
                                  dict(requirement.skills))
            full.drop_after_s = requirement.drop_after
        targets.append(full)
    return targets


class ChannelRuntime:
    """A channel with its queue, work size and customer samplers (one stream each)."""

    def __init__(
        self,
        spec: Channel,
        queue: QueueRuntime,
        first_group: AgentGroup | None,
        streams: RandomStreams,
        capacity: CapacityModel,
    ) -> None:
        self.spec = spec
        self.name = spec.name
        self.kind = spec.kind
        self.queue = queue
        self.capacity = capacity
        """The capacity model its work follows (a standard channel's is tab-based, §1.5)."""
        self.consumption = capacity.consumption
        """Bound once: the capacity one of its work items uses now (called on every change)."""
        self.end_chat_releases: list[Release] = []
        """How its opened work releases capacity at End Chat, by the agent group's
        ``level_index`` (set by the center: it depends on the group's ACW)."""
        self.size = work_size(spec)
        self.level_index = 0
        """Its place among the scenario's channels in the interval levels (set by the center)."""
        self.paused_capacity_weight = spec.paused_capacity_weight
        self.auto_accept = spec.auto_accept
        behaviour = first_group.behaviour if first_group is not None else AgentBehaviour()
        self.inactivate_after_s = behaviour.inactivate_after
        customers = spec.customers
        # With a handle time the conversation is one agent turn of that length, not scaled
        # by the serving group's reply time (Channel.handle_time).
        self.scales_by_group = spec.handle_time is None
        reply_spec = behaviour.reply_time if spec.handle_time is None else spec.handle_time
        exchanges = customers.exchanges if spec.handle_time is None else Fixed(value=1)
        self.exchanges = Sampler(exchanges, streams.generator("exchanges", self.name))
        self.customer_reply = Sampler(
            customers.reply_time, streams.generator("customer_reply", self.name)
        )
        # Agent reply base times belong to the conversation, drawn with the customer so
        # that both capacity models see the same conversations (common random numbers).
        # They follow the reply_time of the first group serving the queue; another
        # group's agents scale them by the ratio of the means (see reply_scale).
        self.agent_reply = Sampler(reply_spec, streams.generator("agent_reply", self.name))
        self.reply_mean_s = self.agent_reply.mean
        self.patience = (
            Sampler(customers.patience, streams.generator("patience", self.name))
            if customers.patience is not None
            else None
        )
        self.silent_draw = UniformSampler(streams.generator("silence", self.name))
        self.silent_probability = customers.silent_probability
        self.silent_first = customers.silent_turn == "first"
        self.end_draw = UniformSampler(streams.generator("customer_end", self.name))
        self.end_probability = customers.end_probability
        self.response_patience = (
            Sampler(customers.response_patience,
                    streams.generator("response_patience", self.name))
            if customers.response_patience is not None
            else None
        )
        self.return_probability = customers.return_probability
        self.return_delay = Sampler(
            customers.return_delay, streams.generator("return_delay", self.name)
        )
        self.transfer_draw = UniformSampler(streams.generator("transfer", self.name))
        self.skill_targets = skill_targets(spec, queue)
        """Its skill requirements as routing targets (rules §8.3), in order."""
        self.skill_shares = [requirement.share for requirement in spec.skills]
        self.skill_draw = UniformSampler(streams.generator("skills", self.name))
        self.bot = spec.bot
        """A bot in front of its queue, or None (rules §8.1)."""
        if spec.bot is not None:
            self.bot_time = Sampler(spec.bot.handling_time,
                                    streams.generator("bot_time", self.name))
            self.bot_draw = UniformSampler(streams.generator("bot_outcome", self.name))
        outbound = spec.outbound
        self.answer_draw = UniformSampler(streams.generator("outbound_answer", self.name))
        self.answer_probability = outbound.answer_probability if outbound else 0.0
        self.answer_delay = (
            Sampler(outbound.answer_delay, streams.generator("answer_delay", self.name))
            if outbound
            else None
        )

    def draw_plan(self, outbound: bool) -> ConversationPlan:
        """Draw what this session's customer will do (seconds; rules §5)."""
        exchanges = max(1, int(round(self.exchanges())))
        agent_reply_s = self.agent_reply.many(exchanges)
        customer_reply_s = self.customer_reply.many(exchanges - 1)
        if self.silent_probability > 0.0:  # these streams serve nothing else
            silent = self.silent_draw()
            returns = self.silent_draw()
            return_delay = self.return_delay()
            if exchanges > 1 and silent < self.silent_probability:
                # The customer stops answering after one of the agent's messages but the last.
                turn = (
                    0
                    if self.silent_first
                    else min(int(silent / self.silent_probability * (exchanges - 1)),
                             exchanges - 2)
                )
                comes_back = returns < self.return_probability
                customer_reply_s[turn] = return_delay if comes_back else math.inf
        patience_s = self.patience() if self.patience is not None else math.inf
        plan = ConversationPlan(exchanges, agent_reply_s, customer_reply_s, patience_s)
        if self.end_probability > 0.0:  # this stream serves nothing else
            ends = self.end_draw()
            if exchanges > 1 and ends < self.end_probability:
                # She ends it instead of answering one of the agent's messages but the last.
                plan.customer_ends_turn = min(
                    int(ends / self.end_probability * (exchanges - 1)), exchanges - 2
                )
        if self.response_patience is not None:
            plan.response_patience_s = self.response_patience.many(exchanges)
        if self.skill_shares and not outbound:  # this stream serves nothing else
            draw = self.skill_draw()
            for index, skill_share in enumerate(self.skill_shares):
                if draw < skill_share:
                    plan.skill_index = index
                    break
                draw -= skill_share
        share = self.queue.transfer_share
        if share > 0.0 and not outbound:  # this stream serves nothing else
            transfers = self.transfer_draw()
            if exchanges > 1 and transfers < share:
                # Instead of one of the agent's replies but the first (rules §8.2).
                plan.transfer_turn = 1 + min(int(transfers / share * (exchanges - 1)),
                                             exchanges - 2)
        bot = self.bot
        if bot is not None and not outbound:
            plan.bot_s = self.bot_time()
            draw = self.bot_draw()
            plan.bot_outcome = (
                Outcome.RESOLVED_BY_BOT if draw < bot.resolves
                else Outcome.LEFT_IN_BOT if draw < bot.resolves + bot.leaves
                else ""
            )
        if outbound and self.answer_delay is not None:
            plan.answers_outbound = self.answer_draw() < self.answer_probability
            plan.answer_delay_s = self.answer_delay()
        return plan


class GroupRuntime:
    """An agent group's behaviour samplers (one stream each)."""

    def __init__(self, spec: AgentGroup, streams: RandomStreams) -> None:
        behaviour = spec.behaviour
        self.spec = spec
        self.name = spec.name
        self.level_index = 0
        """Its place among the scenario's groups in the interval levels (set by the center)."""
        self.accept_delay = Sampler(behaviour.accept_delay, streams.generator("accept", spec.name))
        self.decline_draw = UniformSampler(streams.generator("decline", spec.name))
        self.decline_probability = behaviour.decline_probability
        self.decline_delay = Sampler(
            behaviour.decline_delay, streams.generator("decline_delay", spec.name)
        )
        self.away_after_decline_s = behaviour.away_after_decline
        self.linear_slowdown = behaviour.concurrency_slowdown
        self.efficiency = tuple(behaviour.concurrency_efficiency or ())
        self.slows_with_concurrency = bool(self.linear_slowdown or self.efficiency)
        """Whether its reply times depend on how many sessions an agent has active."""
        self.close_tab_delay = Sampler(
            behaviour.close_tab_delay, streams.generator("close_tab", spec.name)
        )
        acw = behaviour.after_conversation_work
        self.acw_enabled = acw.enabled
        self.acw_max_s = acw.max if acw.enabled else math.inf
        self.inactivate_after_s = behaviour.inactivate_after
        self.shift_end = spec.shift_end
        disconnections = spec.disconnections
        self.disconnection_rate_per_s = disconnections.rate / 3600.0
        self.disconnection_gap_rng = streams.generator("disconnection_gap", spec.name)
        self.disconnection_duration = Sampler(
            disconnections.duration, streams.generator("disconnection_duration", spec.name)
        )
        self.reply_mean_s = behaviour.reply_time.expected()

    def slowdown(self, active: int) -> float:
        """Reply-time factor with ``active`` active sessions (1 with one or none).

        ``concurrency_slowdown`` s: ``1 + s (n - 1)``; ``concurrency_efficiency`` e:
        ``n / e[n]`` (the last entry beyond the list).
        """
        if active <= 1:
            return 1.0
        if self.efficiency:
            return active / self.efficiency[min(active, len(self.efficiency)) - 1]
        return 1.0 + self.linear_slowdown * (active - 1)


@dataclass
class AgentSchedule:
    """When one agent works: (login, logout) periods and (start, end) breaks, in seconds."""

    periods: list[tuple[float, float]]
    breaks: list[tuple[float, float]]


def agent_schedules(group: AgentGroup, scenario: Scenario) -> list[AgentSchedule]:
    """Return, for each agent of ``group``, its login periods and breaks (seconds).

    ``staffing`` per interval becomes agents k = 0, 1, ... working every interval whose count
    exceeds k (contiguous intervals merged); ``shifts`` give each shift its own agents, with
    the shift's breaks; a plain ``agents`` count works the whole horizon.
    """
    horizon = scenario.horizon
    if group.staffing is not None:
        counts = group.staffing[: scenario.n_intervals]
        schedules: list[AgentSchedule] = []
        for k in range(max(counts, default=0)):
            periods: list[tuple[float, float]] = []
            for index, count in enumerate(counts):
                if count <= k:
                    continue
                start = index * scenario.interval
                end = min(horizon, start + scenario.interval)
                if periods and periods[-1][1] == start:
                    periods[-1] = (periods[-1][0], end)
                else:
                    periods.append((start, end))
            schedules.append(AgentSchedule(periods, []))
        return schedules
    if group.shifts is not None:
        return [
            AgentSchedule(
                [(shift.start, min(shift.end, horizon))],
                [
                    (shift.start + item.after, shift.start + item.after + item.duration)
                    for item in shift.breaks
                ],
            )
            for shift in sorted(group.shifts, key=lambda s: s.start)
            for _ in range(shift.agents)
            if shift.start < horizon
        ]
    return [AgentSchedule([(0.0, horizon)], []) for _ in range(group.agents)]


def build_queues(scenario: Scenario) -> dict[str, QueueRuntime]:
    """Queues by name with their routing model objects."""
    return {
        queue.name: QueueRuntime(
            queue.name, queue.priority, ROUTING_MODELS[queue.routing_model], queue.push_timeout,
            queue.transfer.share if queue.transfer is not None else 0.0,
            queue.transfer.to if queue.transfer is not None else "",
        )
        for queue in scenario.queues
    }


def first_group_serving(channel: Channel, groups: list[AgentGroup]) -> AgentGroup | None:
    """The first agent group that serves the channel's queue, if any."""
    for group in groups:
        if channel.queue in group.queues:
            return group
    return None


def channel_capacity(scenario: Scenario, channel: Channel) -> CapacityModel:
    """The capacity policy object a channel's work follows in ``scenario`` (rules §1.5)."""
    return CAPACITY_MODELS[channel_capacity_model(scenario.capacity_model, channel.type)]


def make_agents(
    scenario: Scenario, groups: dict[str, GroupRuntime]
) -> list[tuple[Agent, AgentSchedule]]:
    """Create every agent with its schedule; ids are 0, 1, ... in group order."""
    agents: list[tuple[Agent, AgentSchedule]] = []
    for spec in scenario.agent_groups:
        for schedule in agent_schedules(spec, scenario):
            agent = Agent(
                agent_id=len(agents),
                group=groups[spec.name],
                capacity=spec.capacity_units,
                queue_names=frozenset(spec.queues),
                skills=spec.skills,
            )
            agents.append((agent, schedule))
    return agents
