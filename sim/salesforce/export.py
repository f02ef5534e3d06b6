"""A traced run as an Omni-Channel export: the tables Salesforce would hold for it.

:func:`export_tables` turns one traced replication (``simulate(scenario, trace=True)``)
into one DataFrame per file of :mod:`sim.salesforce.fields`, and :func:`write_export`
writes them as Data Loader / Bulk API 2.0 CSV files. Date-times are UTC timestamps (the
scenario's start + the model's seconds, :func:`export_origin`); durations are whole
seconds as Salesforce stores them.

What each field holds, and what ccsim approximates, is in ``examples/salesforce-export/
README.md``; the rules behind the values are ``docs/omni-channel-rules.md`` §1, §2 and §7.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from sim.model.entities import EPSILON, INBOUND, ONLINE_PRESENCES, Outcome, Presence, WorkStatus
from sim.model.entities import SessionStatus as ModelSessionStatus
from sim.model.simulate import simulate
from sim.model.tables import Result
from sim.salesforce import fields
from sim.salesforce.fields import (
    AWAY_STATUSES,
    BUSY_STATUS,
    CHANNEL_TYPES,
    DRAINING_STATUS,
    ONLINE_STATUS,
    PRESENCE_STATUS_LABELS,
    SERVICE_CHANNEL_NAME,
    ActorType,
    CapacityModel,
    EndedByType,
    KeyPrefix,
    Origin,
    salesforce_id,
)
from sim.scenario.schema import Scenario, channel_capacity_model
from sim.scenario.user_text import spreadsheet_table

UNDATED_EXPORT_DAY = date(2026, 3, 2)
"""The day an undated run starts on in the export: Monday 2 March 2026 (UTC)."""

PRESENCE_STATUS_OF = {
    Presence.AVAILABLE: ONLINE_STATUS,
    Presence.AWAY: BUSY_STATUS,
    Presence.DRAINING: DRAINING_STATUS,
}
"""ccsim's online presences → the exported ``ServicePresenceStatus.DeveloperName``."""

ENDED_BY = {
    Outcome.COMPLETED: EndedByType.AGENT,
    Outcome.ABANDONED: EndedByType.END_USER,
    Outcome.TIMED_OUT: EndedByType.SYSTEM,
    Outcome.ENDED_BY_LOGOUT: EndedByType.SYSTEM,
    Outcome.ENDED_BY_SUPERVISOR: EndedByType.AGENT,
    Outcome.ENDED_BY_CUSTOMER: EndedByType.END_USER,
    Outcome.LEFT_UNANSWERED: EndedByType.END_USER,
    Outcome.LEFT_IN_BOT: EndedByType.END_USER,
    Outcome.RESOLVED_BY_BOT: EndedByType.SYSTEM,
}
"""Session outcome → ``MessagingSession.EndedByType`` (sessions open at the horizon: none).
The agent clicks End Chat (completed) or ends it from the list view (supervisor); the
customer leaves the queue (abandoned), ends the conversation or leaves it waiting for a
reply; Omni-Channel ends idle sessions and those of an agent who logs out (tab-based). With a
bot in front (rules §8.1) the customer who leaves during the bot ends the session (EndUser)
and a session the bot resolves is ended by the bot's flow (System)."""

MESSAGE_EVENTS = {
    "arrived": ActorType.END_USER,
    "outbound_sent": ActorType.AGENT,
    "customer_answered": ActorType.END_USER,
    "agent_message": ActorType.AGENT,
    "customer_message": ActorType.END_USER,
}
"""Trace events that are a message (one ``ConversationEntry`` each) and who wrote it."""

CLOSING_FIELD = {
    WorkStatus.DECLINED: "DeclineDateTime",
    WorkStatus.DECLINED_ON_PUSH_TIMEOUT: "PushTimeoutDateTime",
    WorkStatus.CANCELED: "CancelDateTime",
    WorkStatus.CLOSED: "CloseDateTime",
    WorkStatus.UNAVAILABLE: "CloseDateTime",
}
"""Which AgentWork date-time records the end of a work item with each last status."""


def export_origin(scenario: Scenario) -> datetime:
    """When the run starts in the export (time zone aware), from the scenario's clock.

    A dated start with a zone or offset is that moment; a dated start without one is
    taken as UTC; an undated run (a clock time or no start) starts on
    ``UNDATED_EXPORT_DAY`` at its time of day, UTC.
    """
    clock = scenario.clock
    origin = clock.origin
    if not clock.dated:
        of_day = origin - datetime.combine(origin.date(), time(), tzinfo=origin.tzinfo)
        return datetime.combine(UNDATED_EXPORT_DAY, time(), tzinfo=timezone.utc) + of_day
    return origin.replace(tzinfo=timezone.utc) if origin.tzinfo is None else origin


def export_tables(result: Result, origin: datetime | None = None) -> dict[str, pd.DataFrame]:
    """The export of one traced replication: file name → table with that file's columns.

    Args:
        result: a replication run with ``trace=True`` (its ``trace`` and ``work`` tables).
        origin: the date-time of the run's start (time zone aware); by default the
            scenario's (:func:`export_origin`).

    Raises:
        ValueError: if the run was not traced or ``origin`` has no time zone.
    """
    if result.trace is None or result.work is None:
        raise ValueError("a Salesforce export needs a traced run: simulate(..., trace=True)")
    origin = export_origin(result.scenario) if origin is None else origin
    if origin.tzinfo is None:
        raise ValueError("the export's origin needs a time zone")
    ids = ExportIds(result)
    at = _Stamper(origin)
    presence = presence_periods(result)
    tables = {
        fields.AGENT_WORK_FILE: agent_work(result, ids, at),
        fields.MESSAGING_SESSION_FILE: messaging_sessions(result, ids, at),
        fields.USER_SERVICE_PRESENCE_FILE: user_service_presence(presence, ids, at),
        fields.SERVICE_PRESENCE_STATUS_FILE: pd.DataFrame(
            {
                "Id": [ids.presence_status[name] for name in PRESENCE_STATUS_LABELS],
                "DeveloperName": list(PRESENCE_STATUS_LABELS),
                "MasterLabel": list(PRESENCE_STATUS_LABELS.values()),
            }
        ),
        fields.CONVERSATION_ENTRY_FILE: conversation_entries(result, ids, at),
        fields.USERS_FILE: pd.DataFrame(
            {"UserId": ids.users(result.agents["agent_id"]),
             "Group": result.agents["group"].to_numpy()}
        ),
        fields.MESSAGING_CHANNEL_FILE: pd.DataFrame(
            {
                "Id": list(ids.channel.values()),
                "DeveloperName": list(ids.channel),
                "MasterLabel": list(ids.channel),
                "MessageType": [CHANNEL_TYPES[c.type] for c in result.scenario.channels],
            }
        ),
        fields.QUEUE_FILE: pd.DataFrame(
            {"Id": list(ids.queue.values()), "DeveloperName": list(ids.queue),
             "Type": "Queue"}
        ),
        fields.SERVICE_CHANNEL_FILE: pd.DataFrame(
            {"Id": [ids.service_channel], "DeveloperName": [SERVICE_CHANNEL_NAME],
             "RelatedEntity": ["MessagingSession"]}
        ),
    }
    return {name: table[list(fields.FILE_COLUMNS[name])] for name, table in tables.items()}


class ExportIds:
    """The deterministic Ids of one export's records (:func:`fields.salesforce_id`).

    Sessions, work items and users are numbered from their model ids + 1; channels and
    queues in scenario order; the presence statuses in ``PRESENCE_STATUS_LABELS`` order.
    """

    def __init__(self, result: Result) -> None:
        scenario = result.scenario
        self.channel = {
            channel.name: salesforce_id(KeyPrefix.MESSAGING_CHANNEL, index + 1)
            for index, channel in enumerate(scenario.channels)
        }
        self.queue = {
            queue.name: salesforce_id(KeyPrefix.QUEUE, index + 1)
            for index, queue in enumerate(scenario.queues)
        }
        self.presence_status = {
            name: salesforce_id(KeyPrefix.SERVICE_PRESENCE_STATUS, index + 1)
            for index, name in enumerate(PRESENCE_STATUS_LABELS)
        }
        self.service_channel = salesforce_id(KeyPrefix.SERVICE_CHANNEL, 1)

    @staticmethod
    def numbered(prefix: str, model_ids: Iterable[int]) -> list[str]:
        """The Ids of records numbered by model id (0, 1, ...) with key ``prefix``."""
        return [salesforce_id(prefix, int(model_id) + 1) for model_id in model_ids]

    def sessions(self, session_ids: Iterable[int]) -> list[str]:
        """MessagingSession Ids of model sessions."""
        return self.numbered(KeyPrefix.MESSAGING_SESSION, session_ids)

    def users(self, agent_ids: Iterable[int]) -> list[str]:
        """User Ids of model agents."""
        return self.numbered(KeyPrefix.USER, agent_ids)


class _Stamper:
    """Model seconds → UTC timestamps from one origin (NaN → NaT)."""

    def __init__(self, origin: datetime) -> None:
        self.origin = pd.Timestamp(origin).tz_convert("UTC")

    def __call__(self, seconds: pd.Series | np.ndarray) -> pd.Series:
        values = np.asarray(seconds, dtype=float)
        return pd.Series(self.origin + pd.to_timedelta(values, unit="s").round("ms"))


def whole_seconds(seconds: pd.Series | np.ndarray) -> pd.Series:
    """Durations in whole seconds (nullable integers; NaN stays empty)."""
    return pd.Series(np.rint(np.asarray(seconds, dtype=float))).astype("Int64")


# --------------------------------------------------------------------------- AgentWork
def agent_work(result: Result, ids: ExportIds, at: _Stamper) -> pd.DataFrame:
    """``AgentWork``: one row per work item, in the order they were pushed.

    ``RequestDateTime`` is when its session last asked for an agent from scratch: its
    arrival, the customer's answer (outbound) or the customer writing again to an Inactive
    session that was routed afresh; a decline or a requeue keeps the session's age (rules
    §2), so its new item keeps the request time. ``ActiveTime`` is accept → End Chat (or
    → close, for an item closed before its session ended); ``AfterConversationActualTime``
    is End Chat → close for the item open at End Chat.
    """
    assert result.trace is not None and result.work is not None
    work = _with_request_times(result.work, result.trace)
    sessions = result.sessions.set_index("session_id")
    session = sessions.loc[work["session_id"]]
    scenario = result.scenario
    accept = work["accept_time"].to_numpy(dtype=float)
    close = work["close_time"].to_numpy(dtype=float)
    end = session["end_time"].to_numpy(dtype=float)
    status = work["status"].to_numpy(dtype=object)
    accepted = ~np.isnan(accept)
    closed = np.isin(status, [WorkStatus.CLOSED, WorkStatus.UNAVAILABLE])  # a CloseDateTime
    # The item open when the agent (or the system) ended the session.
    open_at_end = accepted & (end >= accept) & (np.isnan(close) | (end <= close))
    active_end = np.where(open_at_end, end, close)
    by_channel = {channel.name: channel for channel in scenario.channels}
    percentage = np.array(
        [by_channel[name].capacity_percentage is not None for name in session["channel"]],
        dtype=bool,
    )
    size = work["size"].to_numpy(dtype=float)
    table = pd.DataFrame(
        {
            "Id": ids.numbered(KeyPrefix.AGENT_WORK, work["item_id"]),
            "WorkItemId": ids.sessions(work["session_id"]),
            "UserId": ids.users(work["agent_id"]),
            "ServiceChannelId": ids.service_channel,
            "OriginalQueueId": [ids.queue[name] for name in session["queue"]],
            "RequestDateTime": at(work["request_time"]),
            "AssignedDateTime": at(work["assign_time"]),
            "AcceptDateTime": at(accept),
            "SpeedToAnswer": whole_seconds(accept - work["request_time"].to_numpy()),
            "HandleTime": whole_seconds(np.where(closed & accepted, close - accept, np.nan)),
            "ActiveTime": whole_seconds(active_end - accept),
            "AfterConversationActualTime": whole_seconds(
                np.where(closed & open_at_end, close - end, np.nan)
            ),
            "CapacityWeight": np.where(percentage, np.nan, size),
            "CapacityPercentage": np.where(percentage, size, np.nan),
            "CapacityModel": [  # per channel: a standard one is tab-based (rules §1.5)
                CapacityModel.TAB_BASED
                if channel_capacity_model(scenario.capacity_model, by_channel[name].type) == "tab"
                else CapacityModel.STATUS_BASED
                for name in session["channel"]
            ],
            "Status": status,
        }
    )
    for column in dict.fromkeys(CLOSING_FIELD.values()):
        statuses = [name for name, field in CLOSING_FIELD.items() if field == column]
        table[column] = at(np.where(np.isin(status, statuses), close, np.nan))
    return table


def _with_request_times(work: pd.DataFrame, trace: pd.DataFrame) -> pd.DataFrame:
    """Work items with ``request_time`` moved to a later return routed afresh, if any."""
    returns = trace.loc[
        (trace["event"] == "customer_returned")
        & (trace["status"] == ModelSessionStatus.WAITING),
        ["session_id", "time"],
    ].rename(columns={"time": "returned_at"})
    ordered = work.sort_values("assign_time", kind="stable")
    merged = pd.merge_asof(
        ordered, returns.sort_values("returned_at", kind="stable"),
        left_on="assign_time", right_on="returned_at", by="session_id",
        direction="backward",
    )
    merged["request_time"] = np.fmax(merged["request_time"], merged["returned_at"])
    return merged.drop(columns="returned_at").sort_values("item_id", ignore_index=True)


# --------------------------------------------------------------------------- MessagingSession
def messaging_sessions(result: Result, ids: ExportIds, at: _Stamper) -> pd.DataFrame:
    """``MessagingSession``: one row per session with its status at the horizon.

    ``OwnerId`` is the user who accepted it last, else its queue (Omni-Channel makes the
    queue the owner of a session waiting in it).
    """
    assert result.trace is not None
    sessions = result.sessions
    session_rows = result.trace[result.trace["session_id"] >= 0]
    last_status = session_rows.groupby("session_id", sort=False)["status"].last()
    agent_id = sessions["agent_id"].to_numpy()
    owners = np.where(
        agent_id >= 0,
        np.array(ids.users(np.maximum(agent_id, 0)), dtype=object),
        np.array([ids.queue[name] for name in sessions["queue"]], dtype=object),
    )
    by_channel = {channel.name: channel for channel in result.scenario.channels}
    return pd.DataFrame(
        {
            "Id": ids.sessions(sessions["session_id"]),
            "ChannelType": [CHANNEL_TYPES[by_channel[name].type] for name in sessions["channel"]],
            "MessagingChannelId": [ids.channel[name] for name in sessions["channel"]],
            "Origin": np.where(sessions["direction"] == INBOUND, Origin.INBOUND,
                               Origin.TRIGGERED_OUTBOUND),
            "Status": last_status.reindex(sessions["session_id"]).to_numpy(),
            "StartTime": at(sessions["arrival_time"]),
            "AcceptTime": at(sessions["accept_time"]),
            "EndTime": at(sessions["end_time"]),
            "EndedByType": sessions["outcome"].astype(object).map(ENDED_BY).to_numpy(),
            "AgentMessageCount": sessions["agent_messages"].to_numpy(),
            "EndUserMessageCount": sessions["customer_messages"].to_numpy(),
            "OwnerId": owners,
            "AgentType": _agent_type(sessions),
        }
    )


def _agent_type(sessions: pd.DataFrame) -> np.ndarray:
    """``MessagingSession.AgentType``: who handled each session (rules §8.1).

    ``Bot`` where a bot ended it, ``BotToAgent`` where a bot handed it over, ``Agent``
    otherwise.
    """
    with_bot = ~np.isnan(sessions["bot_s"].to_numpy(dtype=float))
    asked = ~np.isnan(sessions["request_time"].to_numpy(dtype=float))
    return np.where(with_bot & asked, "BotToAgent", np.where(with_bot, "Bot", "Agent"))


# --------------------------------------------------------------------------- ConversationEntry
def conversation_entries(result: Result, ids: ExportIds, at: _Stamper) -> pd.DataFrame:
    """``ConversationEntry``: one row per message, ``Seq`` 1, 2, ... within its session."""
    assert result.trace is not None
    trace = result.trace
    messages = trace[trace["event"].isin(list(MESSAGE_EVENTS))].sort_values(
        ["session_id", "time"], kind="stable", ignore_index=True
    )
    return pd.DataFrame(
        {
            "Id": ids.numbered(KeyPrefix.CONVERSATION_ENTRY, range(len(messages))),
            "ConversationId": ids.sessions(messages["session_id"]),
            "ActorType": messages["event"].map(MESSAGE_EVENTS).to_numpy(),
            "EntryTime": at(messages["time"]),
            "Seq": messages.groupby("session_id").cumcount().to_numpy() + 1,
        }
    )


# --------------------------------------------------------------------------- presence
PRESENCE_PERIOD_COLUMNS = (
    "agent_id", "presence", "start_time", "end_time", "capacity", "at_capacity_s", "idle_s",
)


def presence_periods(result: Result) -> pd.DataFrame:
    """Each agent's online periods, one per presence (available, away, draining).

    ``end_time`` is NaN for a period still open at the horizon. ``at_capacity_s`` is the
    time in it with capacity in use ≥ the agent's capacity (as the agents table counts
    ``at_capacity_s``), ``idle_s`` the time with no work item pushed or open; both count
    open periods up to the horizon. Seconds.
    """
    assert result.trace is not None and result.work is not None
    trace = result.trace
    horizon = result.scenario.horizon
    changes = trace[(trace["session_id"] < 0) & (trace["event"] != "logout")]
    changes = changes.sort_values(["agent_id", "time"], kind="stable")
    agent = changes["agent_id"].to_numpy()
    presence = changes["status"].to_numpy(dtype=object)
    new_agent = np.r_[True, agent[1:] != agent[:-1]]
    # A presence set again to what it was is no new period.
    keep = new_agent | np.r_[True, presence[1:] != presence[:-1]]
    changes = changes[keep]
    agent = changes["agent_id"].to_numpy()
    starts = changes["time"].to_numpy(dtype=float)
    last = np.r_[agent[1:] != agent[:-1], True]
    ends = np.where(last, np.nan, np.r_[starts[1:], np.nan])
    periods = pd.DataFrame(
        {"agent_id": agent, "presence": changes["status"].to_numpy(dtype=object),
         "start_time": starts, "end_time": ends}
    )
    periods = periods[periods["presence"].isin(list(ONLINE_PRESENCES))].reset_index(drop=True)
    capacity = result.agents.set_index("agent_id")["capacity"]
    periods["capacity"] = capacity.reindex(periods["agent_id"]).to_numpy(dtype=float)
    used = capacity_steps(result)
    at_capacity = np.zeros(len(periods))
    idle = np.zeros(len(periods))
    for agent_id, rows in periods.groupby("agent_id").groups.items():
        steps = used.get(int(agent_id))
        for row in rows:
            start = periods.at[row, "start_time"]
            end = periods.at[row, "end_time"]
            end = horizon if np.isnan(end) else end
            full, empty = _time_at(steps, start, end, periods.at[row, "capacity"])
            at_capacity[row], idle[row] = full, empty
    periods["at_capacity_s"] = at_capacity
    periods["idle_s"] = idle
    return periods[list(PRESENCE_PERIOD_COLUMNS)]


def _time_at(
    steps: tuple[np.ndarray, np.ndarray, np.ndarray] | None, start: float, end: float,
    capacity: float,
) -> tuple[float, float]:
    """Seconds of [start, end) with capacity in use ≥ ``capacity``, and with no work."""
    if steps is None:
        return 0.0, end - start
    times, used, items = steps
    cuts = np.unique(np.r_[start, end, times[(times > start) & (times < end)]])
    lengths = np.diff(cuts)
    index = np.searchsorted(times, cuts[:-1], side="right") - 1
    level = np.where(index >= 0, used[np.maximum(index, 0)], 0.0)
    count = np.where(index >= 0, items[np.maximum(index, 0)], 0)
    return (float(lengths[level >= capacity - EPSILON].sum()),
            float(lengths[count == 0].sum()))


def capacity_steps(result: Result) -> dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per agent: change times, capacity in use and work items pushed or open after each.

    The capacity model's rule for the item's channel (rules §1.5, §3, §4): tab-based, an
    item uses its size from its push to its close; status-based, its size while pushed,
    while its session is Active or while the agent wraps it up (ACW, §4.9), the channel's
    paused weight while Inactive, nothing otherwise. Seconds.
    """
    assert result.trace is not None and result.work is not None
    work = result.work
    scenario = result.scenario
    horizon = scenario.horizon
    start = work["assign_time"].to_numpy(dtype=float)
    stop = np.nan_to_num(work["close_time"].to_numpy(dtype=float), nan=horizon)
    size = work["size"].to_numpy(dtype=float)
    agent = work["agent_id"].to_numpy()
    model_of = {c.name: channel_capacity_model(scenario.capacity_model, c.type)
                for c in scenario.channels}
    channel_of = result.sessions.set_index("session_id")["channel"]
    tab = (channel_of.reindex(work["session_id"]).map(model_of) == "tab").to_numpy()
    times, agents, deltas = [start[tab], stop[tab]], [agent[tab], agent[tab]], [size[tab],
                                                                               -size[tab]]
    if not tab.all():
        more = _status_based_changes(result, start, stop, size, agent, ~tab)
        for into, parts in zip((times, agents, deltas), more, strict=True):
            into.extend(parts)
    ones = np.ones(len(work))
    # Capacity changes, then the work item count: pushed or open from push to close.
    frame = pd.DataFrame(
        {
            "agent_id": np.concatenate([*agents, agent, agent]),
            "time": np.concatenate([*times, start, stop]),
            "used": np.concatenate([*deltas, 0 * ones, 0 * ones]),
            "items": np.concatenate([*(0 * t for t in times), ones, -ones]),
        }
    )
    frame = frame.groupby(["agent_id", "time"], sort=True).sum().reset_index()
    steps = {}
    for agent_id, rows in frame.groupby("agent_id"):
        steps[int(agent_id)] = (
            rows["time"].to_numpy(dtype=float),
            rows["used"].cumsum().to_numpy(dtype=float),
            np.rint(rows["items"].cumsum().to_numpy()).astype(int),
        )
    return steps


def _status_based_changes(
    result: Result, start: np.ndarray, stop: np.ndarray, size: np.ndarray, agent: np.ndarray,
    chosen: np.ndarray,
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Capacity changes of the ``chosen`` (status-based) work items, one array per kind.

    Size while pushed, Active or wrapping up after its end (ACW), the paused weight while
    Inactive; times in seconds.
    """
    assert result.trace is not None and result.work is not None
    work = result.work[chosen]
    start, stop, size, agent = start[chosen], stop[chosen], size[chosen], agent[chosen]
    accept = work["accept_time"].to_numpy(dtype=float)
    accepted = ~np.isnan(accept)
    # While pushed: the size from the push to the acceptance (or the close).
    pushed_end = np.where(accepted, accept, stop)
    times = [start, pushed_end]
    agents = [agent, agent]
    deltas = [size, -size]
    # Once opened: the consumption follows the session's status between accept and close.
    by_channel = {c.name: c.paused_capacity_weight for c in result.scenario.channels}
    channel_of = result.sessions.set_index("session_id")["channel"]
    opened = work.loc[accepted, ["item_id", "session_id", "agent_id", "accept_time", "size"]]
    opened = opened.assign(stop=stop[accepted])
    trace = result.trace
    statuses = trace.loc[trace["session_id"] >= 0, ["session_id", "time", "status"]]
    joined = opened.merge(statuses, on="session_id")
    joined = joined[(joined["time"] >= joined["accept_time"]) & (joined["time"] < joined["stop"])]
    paused = channel_of.reindex(joined["session_id"]).map(by_channel).to_numpy(dtype=float)
    status = joined["status"].to_numpy(dtype=object)
    # Opened work of an Ended session is wrapping up (ACW): it holds its size (§4.9).
    held = np.isin(status, [ModelSessionStatus.ACTIVE, ModelSessionStatus.ENDED])
    level = np.where(held, joined["size"].to_numpy(dtype=float),
                     np.where(status == ModelSessionStatus.INACTIVE, paused, 0.0))
    joined = joined.assign(level=level).sort_values(["item_id", "time"], kind="stable")
    item_first = np.r_[True, joined["item_id"].to_numpy()[1:] != joined["item_id"].to_numpy()[:-1]]
    previous = np.r_[0.0, joined["level"].to_numpy()[:-1]]
    previous[item_first] = 0.0
    times.append(joined["time"].to_numpy(dtype=float))
    agents.append(joined["agent_id"].to_numpy())
    deltas.append(joined["level"].to_numpy() - previous)
    # At its close (or the horizon) the item stops using whatever it used last.
    final = joined.groupby("item_id", sort=False).last()
    times.append(final["stop"].to_numpy(dtype=float))
    agents.append(final["agent_id"].to_numpy())
    deltas.append(-final["level"].to_numpy(dtype=float))
    return times, agents, deltas


def user_service_presence(periods: pd.DataFrame, ids: ExportIds, at: _Stamper) -> pd.DataFrame:
    """``UserServicePresence``: one row per online period (offline time has no row).

    A period still open at the horizon has no end date and no durations, as Salesforce
    fills them when the status ends.
    """
    status = periods["presence"].map(PRESENCE_STATUS_OF)
    ended = periods["end_time"].notna().to_numpy()
    return pd.DataFrame(
        {
            "Id": ids.numbered(KeyPrefix.USER_SERVICE_PRESENCE, range(len(periods))),
            "UserId": ids.users(periods["agent_id"]),
            "ServicePresenceStatusId": status.map(ids.presence_status).to_numpy(),
            "StatusStartDate": at(periods["start_time"]),
            "StatusEndDate": at(periods["end_time"]),
            "StatusDuration": whole_seconds(periods["end_time"] - periods["start_time"]),
            "IsAway": status.isin(list(AWAY_STATUSES)).to_numpy(),
            "ConfiguredCapacity": periods["capacity"].to_numpy(),
            "AtCapacityDuration": whole_seconds(
                np.where(ended, periods["at_capacity_s"], np.nan)
            ),
            "IdleDuration": whole_seconds(np.where(ended, periods["idle_s"], np.nan)),
        }
    )


# --------------------------------------------------------------------------- files
def write_export(tables: dict[str, pd.DataFrame], folder: Path) -> list[Path]:
    """Write each table as ``folder/<file name>`` (UTF-8, comma, header of field names).

    Date-times are written as ``2026-03-02T08:00:05.000Z``, booleans as ``true``/``false``
    (as the Bulk API does), empty values as nothing; text that a spreadsheet would run as a
    formula gets a leading apostrophe (see :func:`~sim.scenario.user_text.spreadsheet_cell`).
    Returns the files written.
    """
    written = []
    for name, table in tables.items():
        out = table.copy()
        for column in fields.DATETIME_COLUMNS.get(name, ()):
            stamps = out[column]
            text = stamps.dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3] + "Z"
            out[column] = text.where(stamps.notna(), "")
        for column in out.columns:
            if out[column].dtype == bool:
                out[column] = np.where(out[column], "true", "false")
        path = folder / name
        spreadsheet_table(out).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        written.append(path)
    return written


def export_run(scenario: Scenario, seed: int, folder: Path,
               origin: datetime | None = None) -> list[Path]:
    """Run replication 0 of ``scenario`` with ``seed`` traced and write its export.

    The same customers, agents and events as replication 0 of ``ccsim run`` with that seed
    (tracing changes no draw). Returns the files written into ``folder``.
    """
    result = simulate(scenario, seed=seed, replication=0, trace=True)
    return write_export(export_tables(result, origin), folder)
