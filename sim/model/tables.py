"""Tables of one simulated run: sessions, agents, intervals and the event trace.

Built once, after the run, from the flat records the simulation kept. Times are seconds
from the simulation start.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.model.entities import INBOUND, OUTBOUND, OUTCOMES, Agent, MessagingSession, Outcome
from sim.model.monitor import PRESENCE_STATES, IntervalLevels
from sim.model.recorder import TRACE_COLUMNS
from sim.scenario.schema import Scenario

SESSION_COLUMNS = (
    "session_id",
    "channel",
    "channel_kind",
    "queue",
    "direction",
    "arrival_time",
    "request_time",
    "accept_time",
    "first_response_time",
    "end_time",
    "release_time",
    "agent_id",
    "agents",
    "outcome",
    "wait_s",
    "queued_on_arrival",
    "conversation_s",
    "handle_time_s",
    "acw_s",
    "reroutes",
    "stranded_s",
    "requeued_wait_s",
    "return_wait_s",
    "wait_after_answer_s",
    "customer_messages",
    "agent_messages",
    "responses",
    "response_total_s",
    "bot_s",
    "transfers",
    "transfer_time",
    "transfer_wait_s",
    "skill_index",
)

SESSION_DTYPES = {
    "session_id": "int64",
    "channel": "object",
    "channel_kind": "object",
    "queue": "object",
    "direction": "object",
    "agent_id": "int64",
    "agents": "int64",
    "queued_on_arrival": "bool",
    "reroutes": "int64",
    "customer_messages": "int64",
    "agent_messages": "int64",
    "responses": "int64",
    "transfers": "int64",
    "skill_index": "int64",
    **{
        name: "float64"
        for name in SESSION_COLUMNS
        if name.endswith(("_time", "_s"))
    },
}


RESPONSE_COLUMNS = ("session_id", "channel", "arrival_time", "asked_time", "response_s")
"""Columns of :func:`responses_table`."""


@dataclass
class Result:
    """One replication's tables.

    Attributes:
        scenario: the scenario that was run.
        replication: index of the replication (its stream of the run's SeedSequence).
        sessions: one row per offered session (inbound and outbound).
        agents: one row per agent.
        intervals: one row per reporting interval and channel, plus channel ``"all"``.
        trace: the event trace when asked for, else ``None``.
        events: SimPy events scheduled during the run.
        groups: one row per reporting interval and agent group (:func:`groups_table`).
        work: with the trace, one row per work item (AgentWork;
            :func:`sim.model.recorder.work_items_table`), else ``None``.
        responses: one row per agent message answering a customer message
            (:func:`responses_table`).
    """

    scenario: Scenario
    replication: int
    sessions: pd.DataFrame
    agents: pd.DataFrame
    intervals: pd.DataFrame
    trace: pd.DataFrame | None
    events: int
    groups: pd.DataFrame = field(default_factory=pd.DataFrame)
    work: pd.DataFrame | None = None
    responses: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(RESPONSE_COLUMNS))
    )


@dataclass(frozen=True, slots=True)
class ResponseRecords:
    """The agent's answers as arrays: session id, asked time, response time (s)."""

    session_id: np.ndarray
    asked_at: np.ndarray
    response_s: np.ndarray


def response_records(session_ids: Sequence[int], asked_at: Sequence[float],
                     response_s: Sequence[float]) -> ResponseRecords:
    """The answers from the run's buffers (``array`` or lists), read once for every table."""
    return ResponseRecords(np.asarray(session_ids, dtype=np.int64),
                           np.asarray(asked_at, dtype=float),
                           np.asarray(response_s, dtype=float))


def responses_table(records: ResponseRecords, sessions: pd.DataFrame) -> pd.DataFrame:
    """One row per agent message answering a customer message (rules §7).

    ``asked_time`` is when the customer wrote, ``response_s`` the time to the agent's
    answer (every wait in between: the queue, the agent's writing, a queue again after a
    requeue or a return, an offline agent). The inbound customer's opening message is in
    it, from its request time: its answer is the first response. With the session's
    channel (categorical) and arrival time (s). ``records``: :func:`response_records`.
    """
    session_id = records.session_id
    channel = pd.Categorical(sessions["channel"])
    frame: pd.DataFrame = pd.DataFrame(
        {
            "session_id": session_id,
            "channel": pd.Categorical.from_codes(channel.codes[session_id],
                                                 categories=channel.categories),
            "arrival_time": sessions["arrival_time"].to_numpy()[session_id],
            "asked_time": records.asked_at,
            "response_s": records.response_s,
        },
        columns=list(RESPONSE_COLUMNS),
    )
    return frame


def sessions_table(
    sessions: list[MessagingSession], horizon_s: float, responses: ResponseRecords | None = None
) -> pd.DataFrame:
    """One row per session; ``wait_s`` is speed to answer (accept minus request).

    ``conversation_s`` is End Chat minus the first acceptance; ``handle_time_s`` the
    AgentWork ``HandleTime`` of its last work item (close minus accept) and ``acw_s`` its
    ``AfterConversationActualTime`` (close minus End Chat), for completed sessions; the
    waits after the first answer are ``requeued_wait_s``, ``stranded_s`` and
    ``return_wait_s``, summed in ``wait_after_answer_s`` (rules §7); ``responses`` and
    ``response_total_s`` count and add up the agent's answers to its customer's messages
    (``responses``: :func:`response_records`; none when omitted).

    Built column by column from the session records (a long run has millions of them).
    """
    count = len(sessions)

    def numbers(name: str, dtype: type = float) -> np.ndarray:
        return np.fromiter(map(operator.attrgetter(name), sessions), dtype=dtype, count=count)

    def codes(name: str, code_of: dict[Any, int]) -> np.ndarray:
        values = map(operator.attrgetter(name), sessions)
        return np.fromiter(map(code_of.__getitem__, values), dtype=np.int64, count=count)

    def labels(values: list[str], at: np.ndarray) -> pd.Series:
        column = np.empty(len(values), dtype=object)
        column[:] = values
        series: pd.Series = pd.Series(column[at], dtype=object, copy=False)  # not inferred as text
        return series

    channels = list({session.channel: None for session in sessions})
    channel_at = codes("channel", {channel: index for index, channel in enumerate(channels)})
    directions = [INBOUND, OUTBOUND]
    direction_at = codes("direction", {direction: i for i, direction in enumerate(directions)})
    request_time = numbers("request_time")
    accept_time = numbers("accept_time")
    end_time = numbers("end_time")
    release_time = numbers("release_time")
    outcome = pd.Categorical.from_codes(
        codes("outcome", {outcome: index for index, outcome in enumerate(OUTCOMES)}),
        categories=pd.Index(list(OUTCOMES)),
    )
    completed = outcome == Outcome.COMPLETED
    completed_end = np.where(completed, end_time, np.nan)
    stranded = numbers("stranded_s")
    requeued = numbers("requeued_wait_s")
    returned = numbers("return_wait_s")
    columns = {
        "session_id": numbers("session_id", np.int64),
        "channel": labels([channel.name for channel in channels], channel_at),
        "channel_kind": labels([channel.kind for channel in channels], channel_at),
        "queue": labels([channel.queue.name for channel in channels], channel_at),
        "direction": labels(directions, direction_at),
        "arrival_time": numbers("start_time"),
        "request_time": request_time,
        "accept_time": accept_time,
        "first_response_time": numbers("first_response_time"),
        "end_time": end_time,
        "release_time": release_time,
        "agent_id": numbers("agent_id", np.int64),
        "agents": np.fromiter(
            map(len, map(operator.attrgetter("agents_seen"), sessions)), np.int64, count
        ),
        "outcome": outcome,
        "wait_s": accept_time - request_time,
        "queued_on_arrival": numbers("queued_on_arrival", bool),
        "conversation_s": completed_end - accept_time,
        "handle_time_s": np.where(completed, release_time, np.nan)
        - numbers("work_accept_time"),
        "acw_s": np.where(completed, release_time, np.nan) - end_time,
        "reroutes": numbers("reroutes", np.int64),
        "stranded_s": stranded,
        "requeued_wait_s": requeued,
        "return_wait_s": returned,
        "wait_after_answer_s": requeued + stranded + returned,
        "customer_messages": numbers("customer_messages", np.int64),
        "agent_messages": numbers("agent_messages", np.int64),
        **_response_columns(responses, count),
        "bot_s": numbers("bot_s"),
        "transfers": numbers("transfers", np.int64),
        "transfer_time": numbers("transfer_time"),
        "transfer_wait_s": numbers("transfer_accept_time") - numbers("transfer_time"),
        "skill_index": numbers("skill_index", np.int64),
    }
    frame: pd.DataFrame = pd.DataFrame(columns, columns=list(SESSION_COLUMNS), copy=False)
    return frame


def offered_mask(sessions: pd.DataFrame) -> np.ndarray:
    """The sessions offered to the agents: inbound ones that asked for an agent.

    Every inbound session but those a bot in front resolved, whose customer left during
    the bot, or that are still with the bot at the horizon (they have no request time;
    rules §8.1). The queue figures (service level, ASA, abandonment) count these.
    """
    offered: np.ndarray = ((sessions["direction"].to_numpy() == INBOUND)
                           & ~np.isnan(sessions["request_time"].to_numpy(dtype=float)))
    return offered


def _response_columns(responses: ResponseRecords | None,
                      count: int) -> dict[str, np.ndarray]:
    """Per session: how many customer messages the agent answered, and the total time."""
    if responses is None:
        responses = response_records([], [], [])
    session_id, seconds = responses.session_id, responses.response_s
    return {
        "responses": np.bincount(session_id, minlength=count)[:count].astype(np.int64),
        "response_total_s": np.bincount(
            session_id, weights=seconds, minlength=count
        )[:count].astype(float),
    }


def agents_table(agents: list[Agent]) -> pd.DataFrame:
    """One row per agent; occupancy = capacity-weighted busy time / (capacity × online).

    Time statistics (online, offline, busy, over and at capacity, peak concurrency) count
    from the end of the warm-up; ``offline_events`` and ``sessions_handled`` the whole run.
    ``at_capacity_s`` is ``AtCapacityDuration``: time online with capacity used ≥ capacity.
    """
    rows = [
        (
            a.agent_id,
            a.group.name,
            a.capacity,
            a.online_s,
            a.offline_s,
            a.offline_events,
            a.sessions_handled,
            a.busy_integral,
            a.busy_integral / (a.capacity * a.online_s) if a.online_s > 0 else np.nan,
            a.max_concurrency,
            a.over_capacity_s,
            a.at_capacity_s,
        )
        for a in agents
    ]
    frame: pd.DataFrame = pd.DataFrame.from_records(
        rows,
        columns=[
            "agent_id",
            "group",
            "capacity",
            "online_s",
            "offline_s",
            "offline_events",
            "sessions_handled",
            "busy_capacity_s",
            "occupancy",
            "max_concurrency",
            "over_capacity_s",
            "at_capacity_s",
        ],
    )
    return frame


def intervals_table(
    scenario: Scenario, sessions: pd.DataFrame, levels: IntervalLevels,
    responses: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per interval and channel (and ``"all"``): volumes, service level, waits, occupancy.

    Offered, answered, abandoned, service level and waits count inbound sessions by the
    interval they arrived in; ended sessions (every end: ``ended``, throughput), completed,
    timed-out and logout ends count by the interval they ended in; the agent's responses
    to customer messages (``responses``, their mean and 90th percentile) by the interval
    the customer wrote in. A session still waiting at the horizon counts as a miss only
    once it has waited longer than the threshold.

    Levels (time-weighted over the interval): a channel's ``busy_capacity_s`` is the
    capacity × seconds its own work items used, its ``agents_online`` and
    ``capacity_online_s`` count the online agents of the groups serving its queue, its
    ``occupancy`` is the share of that capacity its work used, and its ``concurrency`` its
    open work items per such agent. The ``"all"`` row is the whole center; its busy
    capacity is the sum of the channels'. Occupancy or concurrency with no agent able to
    serve is NaN.
    """
    interval_s = scenario.interval
    n = levels.n_intervals
    threshold = scenario.service_level.threshold
    lengths = interval_lengths(scenario, n)
    used, open_work = levels.work_by_channel()
    capacity, agents = levels.online_by_group()
    frames = []
    channel_names = [c.name for c in scenario.channels]
    binned = SessionBins.of(sessions, n, interval_s, threshold, scenario.horizon)
    response_bins = (ResponseBins.of(responses, n, interval_s) if responses is not None
                     else None)
    busy_rows, open_rows, capacity_rows, agent_rows = [], [], [], []
    for index, channel in enumerate([*channel_names, "all"]):
        if channel == "all":
            mine = np.ones(len(sessions), dtype=bool)
            serving = np.ones(len(scenario.agent_groups), dtype=bool)
            busy_rows.append(used.sum(axis=0))
            open_rows.append(open_work.sum(axis=0))
        else:
            mine = binned.channel == channel
            queue = scenario.channels[index].queue
            serving = np.array([queue in group.queues for group in scenario.agent_groups])
            busy_rows.append(used[index])
            open_rows.append(open_work[index])
        capacity_rows.append(capacity[serving].sum(axis=0))
        agent_rows.append(agents[serving].sum(axis=0))
        frame = channel_intervals(binned, mine, channel, n, interval_s)
        frames.append(_with_responses(frame, response_bins, channel, n))
    table = pd.concat(frames, ignore_index=True)
    busy, in_progress = np.concatenate(busy_rows), np.concatenate(open_rows)
    capacity_s, agents_s = np.concatenate(capacity_rows), np.concatenate(agent_rows)
    hours = np.tile(lengths / 3600.0, len(frames))
    table["throughput_per_h"] = table["ended"] / hours
    table["completed_per_h"] = table["completed"] / hours
    table["agents_online"] = agents_s / np.tile(lengths, len(frames))
    table["busy_capacity_s"] = busy
    table["capacity_online_s"] = capacity_s
    table["occupancy"] = _share(busy, capacity_s)
    table["concurrency"] = _share(in_progress, agents_s)
    states = levels.presence_by_group()
    rows = [np.ones(len(scenario.agent_groups), dtype=bool) if channel == "all" else
            np.array([scenario.channels[index].queue in group.queues
                      for group in scenario.agent_groups])
            for index, channel in enumerate([*channel_names, "all"])]
    for position, column in enumerate(PRESENCE_COLUMNS):
        table[column] = np.concatenate([states[serving, position].sum(axis=0)
                                        for serving in rows]) / np.tile(lengths, len(frames))
    return table


PRESENCE_COLUMNS = tuple(f"agents_{state}" for state in PRESENCE_STATES)
"""Mean agents per interval in each presence state (``agents_available``,
``agents_on_break``, ``agents_away``, ``agents_draining``, ``agents_offline``): the first
four add up to ``agents_online``; offline agents are logged in but disconnected."""


GROUP_INTERVAL_COLUMNS = (
    "interval",
    "start_s",
    "group",
    "agents_online",
    "capacity_online_s",
    "busy_capacity_s",
    "occupancy",
    "concurrency",
    *PRESENCE_COLUMNS,
)


def groups_table(scenario: Scenario, levels: IntervalLevels) -> pd.DataFrame:
    """Per interval and agent group: agents online, capacity, occupancy and concurrency.

    Time-weighted over each interval: ``agents_online`` is the mean number of the group's
    agents online, ``capacity_online_s`` their capacity × seconds online,
    ``busy_capacity_s`` the capacity × seconds their work items used (every channel),
    ``occupancy`` the second over the first (NaN with nobody online), ``concurrency``
    their open work items per online agent and :data:`PRESENCE_COLUMNS` the mean agents
    available, on a break, away, draining and offline. Weighted by ``capacity_online_s``,
    the groups' occupancies add up to the center's (the ``"all"`` rows of :func:`intervals_table`).
    """
    n = levels.n_intervals
    names = [group.name for group in scenario.agent_groups]
    used, open_work = levels.work_by_group()
    capacity, agents = levels.online_by_group()
    states = levels.presence_by_group()
    lengths = interval_lengths(scenario, n)
    groups = len(names)
    busy, capacity_s, agents_s = used.ravel(), capacity.ravel(), agents.ravel()
    column = np.empty(groups, dtype=object)
    column[:] = names
    frame: pd.DataFrame = pd.DataFrame(
        {
            "interval": np.tile(np.arange(n), groups),
            "start_s": np.tile(np.arange(n) * scenario.interval, groups),
            "group": pd.Series(np.repeat(column, n), dtype=object),
            "agents_online": agents_s / np.tile(lengths, groups),
            "capacity_online_s": capacity_s,
            "busy_capacity_s": busy,
            "occupancy": _share(busy, capacity_s),
            "concurrency": _share(open_work.ravel(), agents_s),
            **{column: states[:, position].ravel() / np.tile(lengths, groups)
               for position, column in enumerate(PRESENCE_COLUMNS)},
        },
        columns=list(GROUP_INTERVAL_COLUMNS),
    )
    return frame


def interval_lengths(scenario: Scenario, n: int) -> np.ndarray:
    """The length of each of the ``n`` reporting intervals (seconds; the last may be short)."""
    interval_s = scenario.interval
    values: np.ndarray = np.minimum(np.arange(1, n + 1) * interval_s, scenario.horizon) - (
        np.arange(n) * interval_s
    )
    return values


def _share(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Element-wise ratio, NaN where the denominator is not positive."""
    values: np.ndarray = np.divide(numerator, denominator, out=np.full(len(numerator), np.nan),
                     where=denominator > 0)
    return values


def service_level_masks(
    inbound: pd.DataFrame, horizon_s: float, threshold_s: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each inbound session row: answered; answered within ``threshold_s``; undecided.

    Undecided: still waiting at the horizon (``horizon_s``) for no longer than the
    threshold, so neither inside nor outside the service level yet. Seconds throughout.
    """
    wait = inbound["wait_s"].to_numpy(dtype=float)
    answered = ~np.isnan(wait)
    within = answered & (wait <= threshold_s + 1e-9)
    undecided = (
        (inbound["outcome"].to_numpy() == Outcome.OPEN_AT_HORIZON)
        & ~answered
        & (horizon_s - inbound["request_time"].to_numpy(dtype=float) <= threshold_s)
    )
    return answered, within, undecided


@dataclass(frozen=True, slots=True)
class SessionBins:
    """The sessions table reduced to what the interval figures count, once for every channel.

    Attributes:
        channel: each session's channel name.
        inbound: inbound (else outbound).
        offered: offered to the agents (:func:`offered_mask`).
        arrival_bin: the reporting interval each session arrived in.
        end_bin: the interval each ended session ended in (0 where still open).
        answered, within: answered; answered within the service-level threshold.
        undecided: still waiting at the horizon for no longer than the threshold.
        wait_s: speed to answer (seconds; NaN if never answered).
        abandoned, completed, timed_out, ended_by_logout: the session's outcome.
        ended: ended in any way (not open at the horizon).
    """

    channel: np.ndarray
    inbound: np.ndarray
    offered: np.ndarray
    arrival_bin: np.ndarray
    end_bin: np.ndarray
    answered: np.ndarray
    within: np.ndarray
    undecided: np.ndarray
    wait_s: np.ndarray
    abandoned: np.ndarray
    completed: np.ndarray
    timed_out: np.ndarray
    ended_by_logout: np.ndarray
    ended: np.ndarray

    @classmethod
    def of(cls, sessions: pd.DataFrame, n: int, interval_s: float, threshold_s: float,
           horizon_s: float) -> SessionBins:
        """Bin ``sessions`` into ``n`` intervals of ``interval_s`` seconds."""
        answered, within, undecided = service_level_masks(sessions, horizon_s, threshold_s)
        end_time = sessions["end_time"].to_numpy(dtype=float)
        ended = ~np.isnan(end_time)
        end_bin = np.zeros(len(sessions), dtype=int)
        end_bin[ended] = np.minimum((end_time[ended] // interval_s).astype(int), n - 1)
        outcome = np.asarray(sessions["outcome"].to_numpy(), dtype=object)
        return cls(
            channel=sessions["channel"].to_numpy(),
            inbound=sessions["direction"].to_numpy() == INBOUND,
            offered=offered_mask(sessions),
            arrival_bin=np.minimum(
                (sessions["arrival_time"].to_numpy(dtype=float) // interval_s).astype(int),
                n - 1),
            end_bin=end_bin,
            answered=answered,
            within=within,
            undecided=undecided,
            wait_s=sessions["wait_s"].to_numpy(dtype=float),
            abandoned=outcome == Outcome.ABANDONED,
            completed=ended & (outcome == Outcome.COMPLETED),
            timed_out=ended & (outcome == Outcome.TIMED_OUT),
            ended_by_logout=ended & (outcome == Outcome.ENDED_BY_LOGOUT),
            ended=ended,
        )


def binned_p90(bins: np.ndarray, values: np.ndarray, n: int,
               presorted: bool = False) -> np.ndarray:
    """Per bin ``0..n-1``: the 90th percentile of ``values`` (linear), NaN for empty bins.

    The linear interpolation of ``pandas`` ``groupby(...).quantile(0.9)``, bit for bit.
    ``presorted``: the pairs are already in (bin, value) order.
    """
    p90 = np.full(n, np.nan)
    if presorted:
        sorted_bins, sorted_values = bins, values
    else:
        order = np.lexsort((values, bins))
        sorted_bins, sorted_values = bins[order], values[order]
    starts = np.searchsorted(sorted_bins, np.arange(n))
    sizes = np.searchsorted(sorted_bins, np.arange(n), side="right") - starts
    has = sizes > 0
    position = 0.9 * (sizes[has] - 1)
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, sizes[has] - 1)
    below, above = sorted_values[starts[has] + low], sorted_values[starts[has] + high]
    p90[has] = below + (above - below) * (position - low)
    return p90


def channel_intervals(binned: SessionBins, mine: np.ndarray, channel: str, n: int,
                      interval_s: float) -> pd.DataFrame:
    """One channel's (or ``"all"``'s) session counts and waits per interval.

    Args:
        binned: every session, binned (:class:`SessionBins`).
        mine: which sessions belong to ``channel``.
        channel: the name written in the ``channel`` column.
        n: reporting intervals.
        interval_s: their length (seconds).
    """

    def count(mask: np.ndarray, bins: np.ndarray) -> np.ndarray:
        return np.bincount(bins[mask], minlength=n)[:n]

    inbound = mine & binned.offered
    arrival_bin, end_bin = binned.arrival_bin, binned.end_bin
    answered = inbound & binned.answered
    offered = count(inbound, arrival_bin)
    n_answered = count(answered, arrival_bin)
    n_within = count(inbound & binned.within, arrival_bin)
    decided = offered - count(inbound & binned.undecided, arrival_bin)
    wait = binned.wait_s[answered]
    wait_sum = np.bincount(arrival_bin[answered], weights=wait, minlength=n)[:n]
    frame: pd.DataFrame = pd.DataFrame(
        {
            "interval": np.arange(n),
            "start_s": np.arange(n) * interval_s,
            "channel": channel,
            "offered": offered,
            "outbound_sent": count(mine & ~binned.inbound, arrival_bin),
            "answered": n_answered,
            "answered_within": n_within,
            "abandoned": count(inbound & binned.abandoned, arrival_bin),
            "ended": count(mine & binned.ended, end_bin),
            "completed": count(mine & binned.completed, end_bin),
            "timed_out": count(mine & binned.timed_out, end_bin),
            "ended_by_logout": count(mine & binned.ended_by_logout, end_bin),
            "service_level": np.divide(
                n_within, decided, out=np.full(n, np.nan), where=decided > 0
            ),
            "asa_s": np.divide(
                wait_sum, n_answered, out=np.full(n, np.nan), where=n_answered > 0
            ),
            "p90_wait_s": binned_p90(arrival_bin[answered], wait, n),
        }
    )
    return frame


@dataclass(frozen=True, slots=True)
class ResponseBins:
    """The responses table by the interval the customer wrote in, sorted once.

    ``order`` puts them in (interval, response time) order for all channels, so each
    channel's 90th percentile needs no sort of its own; the sums keep the table's order.
    """

    channel: pd.Categorical
    asked_bin: np.ndarray
    seconds: np.ndarray
    order: np.ndarray

    @classmethod
    def of(cls, responses: pd.DataFrame, n: int, interval_s: float) -> ResponseBins:
        """Bin ``responses`` (:func:`responses_table`) into ``n`` intervals of ``interval_s``."""
        asked = np.minimum(
            (responses["asked_time"].to_numpy(dtype=float) // interval_s).astype(int), n - 1)
        seconds = responses["response_s"].to_numpy(dtype=float)
        return cls(pd.Categorical(responses["channel"]), asked, seconds,
                   np.lexsort((seconds, asked)))


def _with_responses(frame: pd.DataFrame, responses: ResponseBins | None, channel: str,
                    n: int) -> pd.DataFrame:
    """``frame`` with the agent's responses to its channel's customers per interval.

    ``responses``, ``response_time_s`` (mean) and ``response_p90_s`` by the interval the
    customer wrote in (seconds; NaN where none).
    """
    if responses is None:
        return frame
    asked, seconds, order = responses.asked_bin, responses.seconds, responses.order
    if channel != "all":
        mine = np.asarray(responses.channel == channel)
        asked, seconds = asked[mine], seconds[mine]
        order = order[mine[order]]  # the channel's answers, still in sorted order
    count = np.bincount(asked, minlength=n)[:n]
    total = np.bincount(asked, weights=seconds, minlength=n)[:n]
    with_columns: pd.DataFrame = frame.assign(
        responses=count,
        response_time_s=np.divide(total, count, out=np.full(n, np.nan), where=count > 0),
        response_p90_s=binned_p90(responses.asked_bin[order], responses.seconds[order], n,
                                  presorted=True),
    )
    return with_columns


def trace_table(rows: list[tuple[float, int, int, str, str]]) -> pd.DataFrame:
    """The event trace as a table with columns time, session_id, agent_id, event, status."""
    table = pd.DataFrame.from_records(rows, columns=list(TRACE_COLUMNS))
    # Messages inside a segment are recorded when it ends: put every row in time order.
    frame: pd.DataFrame = table.sort_values("time", kind="stable", ignore_index=True)
    return frame
