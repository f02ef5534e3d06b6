"""The export joined into the facts the fits need, in seconds from the scenario start.

One row per messaging session (:func:`session_facts`), one per work item
(:func:`work_facts`) and one per message (:func:`message_facts`). Rows that are valid but
cannot be used (no accept, no close, a work item of an unknown session) are counted in
:class:`Unusable`, never silently dropped.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.calibration.timeline import ExportClock
from sim.calibration.vocabulary import (
    ACCEPTED_STATUSES,
    AGENT_ACTOR,
    CUSTOMER_ACTOR,
    ENDED_BY_AGENT,
    ENDED_BY_CUSTOMER,
    INBOUND_ORIGINS,
    normal,
)
from sim.salesforce.read import Export


@dataclass
class Unusable:
    """Valid rows that a fit could not use, counted by file and reason."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, file: str, reason: str, count: int) -> None:
        """Count ``count`` rows of ``file`` left out for ``reason``."""
        if count:
            self.counts[(file, reason)] += int(count)

    def lines(self) -> list[str]:
        """``AgentWork.csv: 12 rows accepted but never closed (open at the export's end)``."""
        return [f"{file}: {count} rows {reason}" for (file, reason), count in
                sorted(self.counts.items())]


def session_facts(export: Export, clock: ExportClock, unusable: Unusable) -> pd.DataFrame:
    """One row per messaging session: channel, direction, times (s) and how it ended.

    Columns: ``session`` (Id), ``channel``, ``channel_type``, ``channel_kind``,
    ``inbound``, ``start_s``, ``accept_s``, ``end_s``, ``ended_by`` (agent, customer,
    system or empty), ``agent_messages``, ``customer_messages`` (NaN where blank),
    ``work_items``,
    ``accepted_items``, ``first_request_s`` (of its first work item), ``agent_type``
    (``MessagingSession.AgentType`` normalized: ``bot``, ``bottoagent``, ``agent``, or
    empty where the export has no such column).
    """
    raw = export.sessions
    channel = _first_present(raw, ("ChannelName", "MessagingChannelId", "ChannelType"))
    if export.channels is not None and "MessagingChannelId" in raw.columns:
        names = export.channels.set_index("Id")["DeveloperName"]
        channel = raw["MessagingChannelId"].map(names).fillna(channel)
    ended_by = raw["EndedByType"].map(normal) if "EndedByType" in raw.columns else pd.Series(
        "", index=raw.index)
    facts = pd.DataFrame({
        "session": raw["Id"],
        "channel": channel.fillna("messaging"),
        "channel_type": raw["ChannelType"],
        "channel_kind": raw["ChannelKind"] if "ChannelKind" in raw.columns else None,
        "inbound": raw["Origin"].map(normal).isin(INBOUND_ORIGINS).to_numpy(),
        "start_s": clock.seconds(raw["StartTime"]),
        "accept_s": clock.seconds(raw["AcceptTime"]),
        "end_s": clock.seconds(raw["EndTime"]),
        "ended_by": np.where(ended_by.isin(ENDED_BY_AGENT), "agent",
                             np.where(ended_by.isin(ENDED_BY_CUSTOMER), "customer",
                                      np.where(ended_by == "", "", "system"))),
        # Blank in enhanced Messaging ("not calculated"): kept as NaN, never read as 0.
        "agent_messages": raw["AgentMessageCount"].to_numpy(dtype=float),
        "customer_messages": raw["EndUserMessageCount"].to_numpy(dtype=float),
        "agent_type": (raw["AgentType"].map(normal) if "AgentType" in raw.columns
                       else pd.Series("", index=raw.index)).to_numpy(dtype=object),
    })
    unusable.add("MessagingSession.csv", "without StartTime (left out)",
                 int(np.isnan(facts["start_s"]).sum()))
    facts = facts[~np.isnan(facts["start_s"])]
    work = export.agent_work
    known = work["WorkItemId"].isin(facts["session"])
    unusable.add("AgentWork.csv", "for a WorkItemId that is no MessagingSession Id (left out)",
                 int((~known).sum()))
    work = work[known].sort_values("RequestDateTime", kind="stable")
    first = work.groupby("WorkItemId", sort=False).first()
    accepted = work["Status"].map(normal).isin(ACCEPTED_STATUSES)
    facts = facts.set_index("session", drop=False)
    facts["work_items"] = work.groupby("WorkItemId").size().reindex(facts.index).fillna(0)
    facts["accepted_items"] = accepted.groupby(work["WorkItemId"]).sum().reindex(
        facts.index).fillna(0)
    facts["first_request_s"] = clock.seconds(first["RequestDateTime"].reindex(facts.index))
    return facts.reset_index(drop=True)


def work_facts(export: Export, clock: ExportClock, sessions: pd.DataFrame,
               unusable: Unusable) -> pd.DataFrame:
    """One row per work item: its session's channel, agent, status and times (s).

    Columns: ``session``, ``channel``, ``user``, ``queue``, ``status`` (normalized),
    ``request_s``, ``assigned_s``, ``accept_s``, ``decline_s``, ``timeout_s``,
    ``close_s``, ``acw_s``, ``active_s`` (ActiveTime), ``handle_s`` (HandleTime),
    ``weight``, ``percentage``, ``capacity_model``.
    """
    work = export.agent_work
    channel_of = sessions.set_index("session")["channel"]
    work = work[work["WorkItemId"].isin(channel_of.index)]

    def seconds(column: str) -> np.ndarray:
        if column not in work.columns:
            return np.full(len(work), np.nan)
        return clock.seconds(work[column])

    def number(column: str) -> np.ndarray:
        if column not in work.columns:
            return np.full(len(work), np.nan)
        return work[column].to_numpy(dtype=float)

    queue = work["OriginalQueueId"]
    if export.queues is not None:
        queue = queue.map(export.queues.set_index("Id")["DeveloperName"]).fillna(queue)
    facts = pd.DataFrame({
        "session": work["WorkItemId"].to_numpy(),
        "channel": channel_of.reindex(work["WorkItemId"]).to_numpy(),
        "user": work["UserId"].to_numpy(),
        "queue": queue.to_numpy(),
        "status": work["Status"].map(normal).to_numpy(),
        "request_s": seconds("RequestDateTime"),
        "assigned_s": seconds("AssignedDateTime"),
        "accept_s": seconds("AcceptDateTime"),
        "decline_s": seconds("DeclineDateTime"),
        "timeout_s": seconds("PushTimeoutDateTime"),
        "close_s": seconds("CloseDateTime"),
        "acw_s": number("AfterConversationActualTime"),
        "active_s": number("ActiveTime"),
        "handle_s": number("HandleTime"),
        "weight": number("CapacityWeight"),
        "percentage": number("CapacityPercentage"),
        "capacity_model": work["CapacityModel"].map(normal).to_numpy(),
    })
    open_items = ~np.isnan(facts["accept_s"]) & np.isnan(facts["close_s"])
    unusable.add("AgentWork.csv", "accepted but never closed (no handle time; open at the "
                 "export's end)", int(open_items.sum()))
    never = np.isnan(facts["accept_s"]) & ~facts["status"].isin(
        ["declined", "declinedonpushtimeout", "canceled"])
    unusable.add("AgentWork.csv", "never accepted, declined nor canceled (still assigned)",
                 int(never.sum()))
    return facts


def message_facts(export: Export, clock: ExportClock, sessions: pd.DataFrame,
                  unusable: Unusable) -> pd.DataFrame | None:
    """One row per agent or customer message, in order within each session.

    ``None`` without ``ConversationEntry.csv``.

    Columns: ``session``, ``agent`` (True for an agent's message), ``time_s``.
    """
    entries = export.entries
    if entries is None:
        return None
    actor = entries["ActorType"].map(normal)
    is_agent = actor.isin(AGENT_ACTOR)
    is_customer = actor.isin(CUSTOMER_ACTOR)
    unusable.add("ConversationEntry.csv", "from neither an agent nor a customer (bots, "
                 "system; left out)", int((~is_agent & ~is_customer).sum()))
    known = entries["ConversationId"].isin(sessions["session"])
    unusable.add("ConversationEntry.csv", "of a ConversationId that is no MessagingSession Id",
                 int((~known & (is_agent | is_customer)).sum()))
    keep = (is_agent | is_customer) & known
    unusable.add("ConversationEntry.csv", "without EntryTime",
                 int((keep & entries["EntryTime"].isna()).sum()))
    keep &= entries["EntryTime"].notna()
    table = pd.DataFrame({
        "session": entries.loc[keep, "ConversationId"].to_numpy(),
        "agent": is_agent[keep].to_numpy(),
        "time_s": clock.seconds(entries.loc[keep, "EntryTime"]),
        "seq": (entries.loc[keep, "Seq"].to_numpy(dtype=float) if "Seq" in entries.columns
                else np.zeros(int(keep.sum()))),
    })
    return table.sort_values(["session", "time_s", "seq"], kind="stable",
                             ignore_index=True)


def _first_present(table: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series:
    """The first of ``columns`` in ``table``, gaps filled from the later ones."""
    present = [table[column] for column in columns if column in table.columns]
    result = present[0].copy()
    for other in present[1:]:
        result = result.fillna(other)
    return result
