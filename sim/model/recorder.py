"""The event trace: flat tuples appended during the run, turned into a table at the end."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import simpy

    from sim.model.entities import Agent, MessagingSession, WorkItem

TRACE_COLUMNS = ("time", "session_id", "agent_id", "event", "status")


class Recorder:
    """Appends ``(time, session_id, agent_id, event, status)`` rows when tracing is on.

    Session rows carry the session's status after the event; agent rows (session_id -1)
    carry the agent's presence. The steps every session goes through check ``enabled``
    before calling, to save the call in untraced runs.

    It also keeps every work item (AgentWork) the run made, with its session's
    ``request_time`` when it was made (``work_items``, by item id): each new item is the
    session's ``work_item`` at the event recorded right after it is made (``assigned``,
    or ``customer_answered`` when an answer goes back to the agent who wrote).
    """

    def __init__(self, env: simpy.Environment, enabled: bool) -> None:
        self.env = env
        self.enabled = enabled
        self.rows: list[tuple[float, int, int, str, str]] = []
        self.work_items: dict[int, tuple[WorkItem, float]] = {}

    def event(self, session: MessagingSession, agent: Agent | None, event: str) -> None:
        """Record ``event`` of ``session`` (and of ``agent`` when one is involved)."""
        if self.enabled:
            agent_id = agent.agent_id if agent is not None else -1
            self.rows.append((self.env.now, session.session_id, agent_id, event, session.status))
            item = session.work_item
            if item is not None and item.item_id not in self.work_items:
                self.work_items[item.item_id] = (item, session.request_time)

    def event_at(
        self,
        time: float,
        session: MessagingSession,
        agent: Agent | None,
        event: str,
        status: str,
    ) -> None:
        """Record ``event`` that happened at ``time`` (at or before now; seconds)."""
        if self.enabled:
            agent_id = agent.agent_id if agent is not None else -1
            self.rows.append((time, session.session_id, agent_id, event, status))

    def agent_event(self, agent: Agent, event: str) -> None:
        """Record a presence change or logout of ``agent``."""
        if self.enabled:
            self.rows.append((self.env.now, -1, agent.agent_id, event, agent.presence))


WORK_ITEM_COLUMNS = (
    "item_id", "session_id", "agent_id", "request_time", "assign_time", "accept_time",
    "close_time", "status", "size",
)


def work_items_table(work_items: dict[int, tuple[WorkItem, float]]) -> pd.DataFrame:
    """One row per work item (AgentWork) of a traced run, in the order they were made.

    ``request_time`` is its session's request time when the item was made; ``accept_time``
    and ``close_time`` are NaN while not accepted or not closed at the horizon; ``status``
    is its last ``WorkStatus``; ``size`` the capacity it uses when it uses any (units or
    percent points). Times in seconds from the start.
    """
    rows = [
        (item.item_id, item.session.session_id, item.agent.agent_id, request_time,
         item.assign_time, item.accept_time, item.close_time, item.status, item.size)
        for item, request_time in work_items.values()
    ]
    frame: pd.DataFrame = pd.DataFrame.from_records(rows, columns=list(WORK_ITEM_COLUMNS))
    return frame
