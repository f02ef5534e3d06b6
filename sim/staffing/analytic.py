"""The analytic staffing baseline: Erlang C (Erlang A with patience) per interval.

Every staffed agent counts as ``floor(capacity / work size)`` servers (weighted by each
channel's share of the work) and the service time is the work item's mean *capacity time*
(:func:`capacity_time_s`, including the close-tab / after-conversation time). Agents of
other groups online in an interval (see :mod:`sim.staffing.variants`) count as servers
too, so the baseline is what the staffed group must add.

Where this is known to be wrong (why the simulation exists):

* **Non-exponential times.** Erlang assumes exponential holding and patience; the capacity
  time is a sum of accept delay, several agent and customer replies and a close-tab delay,
  far less variable than exponential, and patience is often not exponential either.
* **Status-based release.** Under status-based capacity a session frees capacity while the
  customer is silent (Inactive, paused weight) and not at the tab close; the analytic
  capacity time only approximates this with the mean of ``min(reply, inactivate_after)``.
* **Silent and returning customers, outbound sessions.** A returning customer re-enters the
  queue (tab-based) or comes back over capacity (status-based); outbound answers take
  capacity too. None of this is in the Erlang load.
* **Offline agents.** Disconnections remove servers and (status-based) strand their work;
  Erlang counts every logged-in agent as serving all the time.
* **Concurrency.** ``agents x capacity`` servers assume one pooled queue of equal slots,
  ignoring per-agent packing of mixed sizes, declines and push timeouts. The reply
  slowdown with concurrency enters the per-queue start (:func:`queue_requirements`) only
  at the mean level the staffing implies (:mod:`sim.staffing.concurrency`).
* **Several groups.** Agents of other groups are pooled with the staffed group, each group
  counted at most up to the load of the queues it serves (and not draining or logging
  out at their shift ends).
* **Time variation.** Each interval is treated as stationary: the backlog carried from a
  busy interval into the next is ignored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from sim.erlang import (
    erlang_a_metrics,
    erlang_a_servers,
)
from sim.model.capacity import CAPACITY_MODELS
from sim.scenario.arrival_rates import interval_rates_per_second
from sim.scenario.day_volume import mean_arrival_scale
from sim.scenario.schema import (
    AgentGroup,
    Channel,
    Scenario,
    channel_capacity_model,
    work_size,
)
from sim.staffing.concurrency import slowed_servers
from sim.staffing.goals import StaffingGoals
from sim.staffing.skill_sets import (
    group_skill_sets,
    row_channel_shares,
    row_groups,
    separate_skill_sets,
    with_skill_set_goals,
)
from sim.staffing.variants import online_agents, staffing_group

ANALYTIC_CAVEATS = [
    "Erlang assumes exponential holding and patience times; capacity time is a sum of "
    "replies and delays, far less variable.",
    "Status-based capacity releases capacity while a customer is silent (Inactive), not at "
    "tab close; the baseline only approximates this.",
    "Silent and returning customers and outbound answers add work the Erlang load leaves out.",
    "Offline agents (disconnections, outages) serve nothing; Erlang counts every agent.",
    "Each interval is treated as stationary: backlog carried between intervals is ignored.",
]
"""Where the analytic baseline is known to be wrong (copied into ``staffing.json``)."""



def capacity_time_s(channel: Channel, group: AgentGroup, capacity_model: str) -> float:
    """Approximate mean time one work item of ``channel`` holds its capacity (seconds).

    ``accept delay (0 with auto-accept) + E * agent reply + (E - 1) * customer reply``
    with ``E`` the mean exchanges (a channel's handle time is one agent reply, ``E = 1``);
    a customer reply longer than ``inactivate_after`` makes the session Inactive, so only
    ``E[min(reply, inactivate_after)]`` is held (plus the paused weight's share of the rest
    under status-based capacity). Tab-based adds the mean close-tab delay (capped by the
    ACW maximum when ACW is on), status-based the capped delay with ACW on only. A
    standard channel is tab-based in either center (rules §1.5). Declines, push timeouts,
    silent customers, customers who end or leave the conversation, outbound work and reply
    slowdown are ignored.
    """
    behaviour = group.behaviour
    accept = 0.0 if channel.auto_accept else behaviour.accept_delay.expected()
    if channel.handle_time is not None:  # one agent turn of the handle time
        exchanges, reply_s = 1.0, channel.handle_time.expected()
    else:
        exchanges = max(1.0, channel.customers.exchanges.expected())
        reply_s = behaviour.reply_time.expected()
    held, paused = channel.customers.reply_time.capped_means(behaviour.inactivate_after)
    time_s = accept + exchanges * reply_s
    policy = CAPACITY_MODELS[channel_capacity_model(capacity_model, channel.type)]
    time_s += policy.holding_time_s(channel, behaviour, exchanges - 1.0, held, paused)
    return time_s


def agent_reply_s(channel: Channel, group: AgentGroup) -> float:
    """The agent's replies in :func:`capacity_time_s` (seconds): what the slowdown stretches."""
    if channel.handle_time is not None:
        return channel.handle_time.expected()
    return max(1.0, channel.customers.exchanges.expected()) * group.behaviour.reply_time.expected()


@dataclass(frozen=True)
class Workload:
    """Inbound load per interval, pooled over channels, as the staffed group sees it.

    Attributes:
        rate_per_s: arrival rate per interval (sessions per second).
        holding_s: mean capacity time per interval (seconds), arrival-weighted.
        slots_per_agent: work items one staffed agent holds at once, work-weighted.
        patience_s: mean patience per interval (seconds; ``inf`` without abandonment).
        other_agents: agents of the other groups online (staffed-group equivalents), each
            group capped at the load of the queues it serves.
    """

    rate_per_s: np.ndarray
    holding_s: np.ndarray
    slots_per_agent: np.ndarray
    patience_s: np.ndarray
    other_agents: np.ndarray


def workload(scenario: Scenario, capacity_model: str, group: str | None = None) -> Workload:
    """The pooled inbound workload per reporting interval (see :class:`Workload`)."""
    _, staffed = staffing_group(scenario, group)
    n = scenario.n_intervals
    rates, holding, slots, abandon_rates = [], [], [], []
    for channel in scenario.channels:
        if channel.arrivals is None:
            rates.append(np.zeros(n))
        else:
            rates.append(per_reporting_interval(channel, scenario))
        holding.append(capacity_time_s(channel, staffed, capacity_model))
        slots.append(max(1, math.floor(staffed.capacity_units / work_size(channel) + 1e-9)))
        patience = channel.customers.patience
        abandon_rates.append(0.0 if patience is None else 1.0 / patience.expected())
    rate = np.vstack(rates)  # [channel, interval]
    total = rate.sum(axis=0)
    share = np.divide(rate, total, out=np.full_like(rate, 1.0 / len(rates)), where=total > 0)
    hold = share.T @ np.asarray(holding)
    # Slots weighted by each channel's share of the work (rate x holding time).
    work = share * np.asarray(holding)[:, None]
    work_share = work / work.sum(axis=0)
    theta = share.T @ np.asarray(abandon_rates)
    with np.errstate(divide="ignore"):
        patience_s = np.where(theta > 0, 1.0 / np.maximum(theta, 1e-300), np.inf)
    slots_per_agent = work_share.T @ np.asarray(slots, dtype=float)
    # Agents of another group absorb at most the load of the queues they serve (in
    # staffed-agent equivalents): a WhatsApp-only team cannot take web chats.
    load_agents = rate * (np.asarray(holding) / np.asarray(slots, dtype=float))[:, None]
    index, _ = staffing_group(scenario, group)
    others = np.zeros(n)
    for position, other in enumerate(scenario.agent_groups):
        if position == index:
            continue
        served = [c.queue in other.queues for c in scenario.channels]
        online = online_agents(other, scenario) * other.capacity_units / staffed.capacity_units
        others += np.minimum(online, load_agents[served].sum(axis=0))
    return Workload(total, hold, slots_per_agent, patience_s, others)


def per_reporting_interval(channel: Channel, scenario: Scenario) -> np.ndarray:
    """The channel's mean rate (per second) of sessions offered to agents, per reporting interval.

    Its arrivals, less those a bot in front resolves or loses (rules §8.1: the bot hands
    ``1 - resolves - leaves`` of them to the queue).
    """
    assert channel.arrivals is not None
    handed = 1.0 if channel.bot is None else max(
        0.0, 1.0 - channel.bot.resolves - channel.bot.leaves)
    length, rates = interval_rates_per_second(
        channel.arrivals, scenario.interval, scenario.horizon,
        mean_arrival_scale(scenario.arrival_scale),
    )
    rates = rates * handed
    n = scenario.n_intervals
    if abs(length - scenario.interval) < 1e-9:
        return np.resize(rates, n) if len(rates) >= n else np.pad(rates, (0, n - len(rates)))
    # Profile intervals differ from reporting intervals: average the rate over each one.
    fine = np.linspace(0.0, scenario.horizon, 64 * n, endpoint=False) + scenario.horizon / (
        128 * n
    )
    values = rates[np.minimum((fine // length).astype(int), len(rates) - 1)]
    return values.reshape(n, 64).mean(axis=1)


def erlang_servers(
    goals: StaffingGoals, rate_per_s: float, holding_s: float, patience_s: float
) -> int:
    """Fewest servers meeting ``goals`` in a stationary M/M/n (or M/M/n+M) queue.

    Erlang has no per-message response time: with a response-time goal alone, the start
    holds the mean queue wait to it (the simulation search does the rest).
    """
    if rate_per_s <= 0:
        return 0
    max_asa_s = goals.max_asa_s
    if goals.service_level is None and max_asa_s is None and goals.max_abandon is None:
        max_asa_s = goals.max_response_s
    # Erlang A; with infinite patience it is Erlang C (sim.erlang handles both).
    return erlang_a_servers(
        rate_per_s,
        holding_s,
        patience_s,
        threshold_s=goals.threshold_s,
        target=goals.service_level,
        max_asa_s=max_asa_s,
        max_abandon=goals.max_abandon,
    )


def erlang_service_level(
    servers: int, rate_per_s: float, holding_s: float, patience_s: float, threshold_s: float
) -> float:
    """Stationary Erlang C (or A) service level with ``servers`` servers."""
    if rate_per_s <= 0:
        return 1.0
    return erlang_a_metrics(servers, rate_per_s, holding_s, patience_s, threshold_s).service_level


def erlang_servers_per_interval(
    goals: StaffingGoals, work: Workload, holding_s: np.ndarray | None = None
) -> np.ndarray:
    """:func:`erlang_servers` of every interval (``holding_s`` replaces the workload's)."""
    holding = work.holding_s if holding_s is None else holding_s
    return np.array([
        erlang_servers(goals, rate, hold, patience)
        for rate, hold, patience in zip(work.rate_per_s, holding, work.patience_s, strict=True)
    ], dtype=float)


def staffed_agents(
    goals: StaffingGoals,
    work: Workload,
    holding_s: np.ndarray | None = None,
    servers: np.ndarray | None = None,
) -> np.ndarray:
    """Erlang agents of the staffed group per interval, after the other groups' agents.

    Args:
        goals: the goals; ``max_occupancy`` adds ``agents >= load / (max_occupancy x slots)``.
        work: the workload.
        holding_s: holding times to use instead of ``work.holding_s`` (e.g. measured).
        servers: :func:`erlang_servers_per_interval` when already computed.

    Returns:
        Agents per interval (whole, at least 0).
    """
    holding = work.holding_s if holding_s is None else holding_s
    if servers is None:
        servers = erlang_servers_per_interval(goals, work, holding)
    needed = servers / work.slots_per_agent
    if goals.max_occupancy is not None:
        load = work.rate_per_s * holding
        needed = np.maximum(needed, load / (goals.max_occupancy * work.slots_per_agent))
    return np.maximum(np.ceil(needed - work.other_agents - 1e-9), 0).astype(int)


def analytic_requirements(
    scenario: Scenario, goals: StaffingGoals, capacity_model: str | None = None,
    group: str | None = None,
) -> pd.DataFrame:
    """Erlang staffing per reporting interval, treating each interval as stationary.

    Servers are work-item slots (``floor(capacity / work size)`` per agent, weighted by
    each channel's share of the work); the service time is the pooled mean capacity time
    (:func:`capacity_time_s`); Erlang A with the arrival-weighted abandonment rate when
    any channel has patience, else Erlang C. Agents of the other groups online in the
    interval are subtracted. See the module docstring for where this is known to be wrong.

    Args:
        scenario: the scenario.
        goals: the goals; ``max_occupancy`` adds ``agents >= load / (max_occupancy x slots)``.
        capacity_model: ``'tab'`` or ``'status'``; the scenario's own when omitted.
        group: the staffed agent group (see :func:`sim.staffing.variants.staffing_group`).

    Returns:
        One row per interval: ``interval``, ``start_s``, ``arrivals`` (expected inbound
        sessions), ``arrival_rate_per_h``, ``holding_s``, ``slots_per_agent``,
        ``mean_patience_s``, ``load_erlangs``, ``servers`` (all groups together),
        ``other_agents`` (other groups, online), ``agents`` (staffed group, online, meeting
        the goals and the occupancy cap) and ``scheduled_agents`` (with shrinkage).
    """
    model = capacity_model or scenario.capacity_model
    work = workload(scenario, model, group)
    n = scenario.n_intervals
    starts = np.arange(n) * scenario.interval
    lengths = np.minimum(starts + scenario.interval, scenario.horizon) - starts
    servers = erlang_servers_per_interval(goals, work)
    agents = staffed_agents(goals, work, servers=servers)
    return pd.DataFrame({
        "interval": np.arange(n),
        "start_s": starts,
        "arrivals": work.rate_per_s * lengths,
        "arrival_rate_per_h": work.rate_per_s * 3600.0,
        "holding_s": work.holding_s,
        "slots_per_agent": work.slots_per_agent,
        "mean_patience_s": work.patience_s,
        "load_erlangs": work.rate_per_s * work.holding_s,
        "servers": servers.astype(int),
        "other_agents": work.other_agents,
        "agents": agents,
        "scheduled_agents": goals.scheduled(agents),
    })


def busiest_interval(scenario: Scenario, group: str | None = None) -> int:
    """The interval with the most expected inbound arrivals."""
    return int(np.argmax(workload(scenario, scenario.capacity_model, group).rate_per_s))


def queue_owners(scenario: Scenario, queue: str | None, groups: list[str],
                 hours: np.ndarray | None = None) -> np.ndarray:
    """``[group, interval]`` the share of a queue's load each staffed group takes.

    Per interval, among the staffed groups serving the queue that can work the interval
    (``hours``, ``[group, interval]``; every interval when omitted), those serving the
    fewest queues (the specialists; of those, the ones able to serve the fewest separate
    skill sets) share it equally. ``queue`` may be a skill set's row
    (:mod:`sim.staffing.skill_sets`): its groups are those holding its skills. A column is
    all 0 where no group serving the queue works. ``queue=None`` is the center as a
    whole (the ``all`` row of the goals): the working groups serving the most queues (the
    generalists) share it.
    """
    n = scenario.n_intervals
    working = np.ones((len(groups), n), dtype=bool) if hours is None else np.asarray(hours)
    by_name = {group.name: group for group in scenario.agent_groups}
    # Fewest queues first, then fewest separate skill sets (a skilled group is scarce).
    scarce = group_skill_sets(scenario)
    breadth = np.array([len(by_name[name].queues) * (1 + len(scarce)) + scarce[name]
                        for name in groups], dtype=float)
    able = set(row_groups(scenario, queue))
    serves = np.array([name in able for name in groups])
    candidate = working & serves[:, None]
    # Specialists first (fewest queues); the center as a whole goes to the generalists.
    rank = np.where(candidate, breadth[:, None] if queue is not None else -breadth[:, None],
                    np.inf)
    chosen = candidate & (rank == rank.min(axis=0, initial=np.inf))
    count = chosen.sum(axis=0)
    return np.divide(chosen, count, out=np.zeros(chosen.shape), where=count > 0)


def queue_requirements(
    scenario: Scenario, goals: StaffingGoals, per_queue: dict[str, StaffingGoals],
    capacity_model: str, groups: list[str], hours: np.ndarray | None = None,
) -> pd.DataFrame:
    """Erlang C/A agents per queue and interval: the search's analytic starting point.

    Each row of ``per_queue`` is an M/M/n(+M) queue with its own goals: a queue (its
    channels pooled, less the sessions its channels route by a separate skill set) or a
    separate skill set (its share of the channels requiring it, served by the groups
    holding its skills: the Erlang baseline per skill set, :mod:`sim.staffing.skill_sets`;
    with its queue's goals, :func:`~sim.staffing.skill_sets.with_skill_set_goals`). Its
    load is
    shared among its owners in each interval (:func:`queue_owners`: the specialists among
    the staffed groups serving it that can work the interval, ``hours``): each owner's
    share of the agents that group would need alone, its servers being its work-item
    slots and its service time the mean capacity time under its behaviour
    (:func:`capacity_time_s`). Agents of groups not staffed count as servers of the
    queues they serve, at most up to those queues' load, in the scenario's queue order.
    ``goals.max_occupancy`` adds ``agents >= load / (max_occupancy x slots)``.

    Returns:
        One row per queue, owner and interval (a row with ``group`` empty and no agents
        where no staffed group serving the queue works): ``queue``, ``interval``,
        ``start_s``, ``group`` (the owner), ``share`` (its share of the queue's load),
        ``arrivals`` (its share of the expected inbound sessions), ``holding_s``,
        ``slots_per_agent``, ``mean_patience_s``, ``load_erlangs`` (the whole queue's),
        ``servers`` (the whole queue's, in that group's slots), ``fixed_agents`` (agents
        of groups not staffed absorbing this queue's load, in owner-group agents) and
        ``agents`` (owner-group agents online for its share).
    """
    n = scenario.n_intervals
    starts = np.arange(n) * scenario.interval
    lengths = np.minimum(starts + scenario.interval, scenario.horizon) - starts
    by_name = {group.name: group for group in scenario.agent_groups}
    spare = {group.name: online_agents(group, scenario) * group.capacity_units
             for group in scenario.agent_groups if group.name not in groups}
    per_queue = with_skill_set_goals(scenario, per_queue)
    frames = []
    for queue, mine in per_queue.items():
        shares = queue_owners(scenario, queue, groups, hours)
        # The row's share of each channel: a queue keeps what its queue routes, a skill
        # set takes its share (sim.staffing.skill_sets).
        parts = row_channel_shares(scenario, queue)
        channels = [scenario.channels[position] for position, _ in parts]
        rates = np.vstack([part * per_reporting_interval(channel, scenario)
                           if channel.arrivals is not None else np.zeros(n)
                           for channel, (_, part) in zip(channels, parts, strict=True)])
        total = rates.sum(axis=0)
        share = np.divide(rates, total, out=np.full_like(rates, 1.0 / len(channels)),
                          where=total > 0)
        nobody = shares.sum(axis=0) == 0
        if nobody.any():
            frames.append(pd.DataFrame({
                "queue": queue, "interval": np.flatnonzero(nobody),
                "start_s": starts[nobody], "group": "", "share": 0.0,
                "arrivals": (total * lengths)[nobody], "agents": 0}))
        fixed_units = None
        for position, name in enumerate(groups):
            owned = shares[position] > 0
            if not owned.any():
                continue
            owner = by_name[name]
            frame = _owner_requirement(scenario, goals, mine, capacity_model, channels,
                                       owner, total, share)
            if fixed_units is None:  # in the first owner's units, once per queue
                fixed_units = _fixed_units(set(row_groups(scenario, queue)),
                                           frame["load_erlangs"].to_numpy()
                                           * owner.capacity_units
                                           / frame["slots_per_agent"].to_numpy(),
                                           spare)
            frame["fixed_agents"] = fixed_units / owner.capacity_units
            frame["share"] = shares[position]
            frame["arrivals"] = total * lengths * shares[position]
            frame["agents"] = np.maximum(np.ceil(
                shares[position] * (frame.pop("needed") - frame["fixed_agents"]) - 1e-9),
                0).astype(int)
            frame.insert(0, "queue", queue)
            frame.insert(1, "interval", np.arange(n))
            frame.insert(2, "start_s", starts)
            frame.insert(3, "group", name)
            frames.append(frame[owned])
    # Queues in their order, then intervals; a shared interval's owners in group order.
    table = pd.concat(frames, ignore_index=True)
    order = table["queue"].map({queue: index for index, queue in enumerate(per_queue)})
    return (table.assign(order=order)
            .sort_values(["order", "interval"], kind="stable")
            .drop(columns="order").reset_index(drop=True))


def _owner_requirement(scenario: Scenario, goals: StaffingGoals, mine: StaffingGoals,
                       capacity_model: str, channels: list[Channel], owner: AgentGroup,
                       total: np.ndarray, share: np.ndarray) -> pd.DataFrame:
    """One queue's Erlang requirement in ``owner``'s agents, per interval (all of it)."""
    holding = np.array([capacity_time_s(channel, owner, capacity_model)
                        for channel in channels])
    slots = np.array([max(1, math.floor(owner.capacity_units / work_size(channel) + 1e-9))
                      for channel in channels], dtype=float)
    theta = np.array([0.0 if channel.customers.patience is None
                      else 1.0 / channel.customers.patience.expected()
                      for channel in channels])
    reply = share.T @ np.array([agent_reply_s(channel, owner) for channel in channels])
    hold = share.T @ holding
    work = share * holding[:, None]
    work_share = np.divide(work, work.sum(axis=0), out=np.full_like(work, 1.0),
                           where=work.sum(axis=0) > 0)
    slots_per_agent = work_share.T @ slots
    rate_theta = share.T @ theta
    with np.errstate(divide="ignore"):
        patience = np.where(rate_theta > 0, 1.0 / np.maximum(rate_theta, 1e-300), np.inf)
    # The replies slowed at the concurrency the staffing implies (sim.staffing.concurrency).
    sized = [slowed_servers(partial(erlang_servers, mine, rate, patience_s=p), rate, h, r,
                            per_agent, owner.behaviour)
             for rate, h, r, p, per_agent in zip(total, hold, reply, patience,
                                                 slots_per_agent, strict=True)]
    servers = np.array([count for count, _ in sized], dtype=float)
    hold = np.array([slowed for _, slowed in sized])
    needed = servers / slots_per_agent
    load = total * hold
    if goals.max_occupancy is not None:
        needed = np.maximum(needed, load / (goals.max_occupancy * slots_per_agent))
    return pd.DataFrame({
        "holding_s": hold,
        "slots_per_agent": slots_per_agent,
        "mean_patience_s": patience,
        "load_erlangs": load,
        "servers": servers.astype(int),
        "needed": needed,
    })


def _fixed_units(able: set[str], load_units: np.ndarray, spare: dict[str, np.ndarray]
                 ) -> np.ndarray:
    """Capacity units of the groups not staffed able to serve a row (``able``), up to its load.

    ``load_units`` is the row's load in capacity units; what is taken is no longer
    spare for the next rows (``spare`` changes in place).
    """
    fixed_units = np.zeros(len(load_units))
    for name, units in spare.items():
        if name in able:
            taken = np.minimum(units, np.maximum(load_units - fixed_units, 0.0))
            fixed_units += taken
            units -= taken
    return fixed_units


def group_starts(table: pd.DataFrame, groups: list[str], n_intervals: int) -> np.ndarray:
    """Agents per staffed group and interval, ``[group, interval]``.

    From :func:`queue_requirements`: each group's queues summed.
    """
    start = np.zeros((len(groups), n_intervals), dtype=int)
    for position, name in enumerate(groups):
        mine = table[table["group"] == name]
        if len(mine):
            start[position] = mine.groupby("interval")["agents"].sum().reindex(
                range(n_intervals), fill_value=0).to_numpy()
    return start


def skill_set_minimum(scenario: Scenario, groups: list[str],
                      hours: np.ndarray | None = None) -> np.ndarray:
    """``[group, interval]`` at least one agent for every skill set expecting sessions.

    A separate skill set (:mod:`sim.staffing.skill_sets`) is served by few groups: with
    none of their agents online its sessions wait for the next interval with one, however
    many agents the interval they arrived in has. So where a skill set expects sessions in
    an interval or the one before (a session arriving late waits into the next, and a bot
    in front hands it over later), its first owner (:func:`queue_owners`) working then
    keeps at least one agent. All 0 without separate skill sets.
    """
    n = scenario.n_intervals
    minimum = np.zeros((len(groups), n), dtype=int)
    for skill_set in separate_skill_sets(scenario):
        rate = np.zeros(n)
        for position, part in row_channel_shares(scenario, skill_set.name):
            channel = scenario.channels[position]
            if channel.arrivals is not None:
                rate += part * per_reporting_interval(channel, scenario)
        expected = rate > 0
        expected[1:] |= expected[:-1]
        shares = queue_owners(scenario, skill_set.name, groups, hours)
        first = np.argmax(shares > 0, axis=0)
        owned = (shares > 0).any(axis=0) & expected
        minimum[first[owned], np.flatnonzero(owned)] = 1
    return minimum
