"""The event trace: flat tuples appended during the run, turned into a table at the end."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import simpy

    from sim.model.entities import Agent, MessagingSession

TRACE_COLUMNS = ("time", "session_id", "agent_id", "event", "status")


class Recorder:
    """Appends ``(time, session_id, agent_id, event, status)`` rows when tracing is on.

    Session rows carry the session's status after the event; agent rows (session_id -1)
    carry the agent's presence. The steps every session goes through check ``enabled``
    before calling, to save the call in untraced runs.
    """

    def __init__(self, env: simpy.Environment, enabled: bool) -> None:
        self.env = env
        self.enabled = enabled
        self.rows: list[tuple[float, int, int, str, str]] = []

    def event(self, session: MessagingSession, agent: Agent | None, event: str) -> None:
        """Record ``event`` of ``session`` (and of ``agent`` when one is involved)."""
        if self.enabled:
            agent_id = agent.agent_id if agent is not None else -1
            self.rows.append((self.env.now, session.session_id, agent_id, event, session.status))

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
