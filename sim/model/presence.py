"""Agent presence: shifts, breaks, drain, logout, disconnections and reconnections.

A mixin of :class:`sim.model.center.ContactCenter` (it uses the center's environment, router,
capacity policy, levels and recorder). Every rule cites the section of
``shared/DOMAIN.md`` it implements. Times are seconds.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from sim.model.entities import (
    ONLINE_PRESENCES,
    Agent,
    Outcome,
    Presence,
    SessionStatus,
    WorkItem,
    WorkStatus,
)
from sim.model.routing import EPSILON

Process = Generator[simpy.Event, Any, Any]


class AgentPresence:
    """The agent-side processes and presence changes."""

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
                self._give_back(item)
            elif self.policy.work_stays_after_logout:
                # Status-based: logging out does not release capacity (DOMAIN 4); the
                # conversation stops at the agent's next reply.
                self.wake(session)
            elif session.status != SessionStatus.ACTIVE:
                self._close_item(item, WorkStatus.CLOSED)  # Inactive or ended: tab closed
            elif self.scenario.logout_sessions == "end":
                # Tab-based: assigned work is closed; ongoing sessions end (DOMAIN.md 3).
                self.end_session(session, Outcome.ENDED_BY_LOGOUT)
            else:
                self._give_back(item)
        self.router.route()

    def _give_back(self, item: WorkItem) -> None:
        """The item ends Unavailable; its session waits for another agent (DOMAIN 2, 3)."""
        self._close_item(item, WorkStatus.UNAVAILABLE)
        self._reroute(item.session)
        self.wake(item.session)

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
                self._give_back(item)
            elif self.policy.work_stays_with_offline_agent:
                self.wake(session)  # status-based: stays with the agent (DOMAIN.md 4)
            elif session.status == SessionStatus.ACTIVE:
                # Tab-based: the work item ends Unavailable and frees capacity; an active
                # session goes back to Waiting and is routed to another agent (DOMAIN 3).
                self._give_back(item)
            else:
                self._close_item(item, WorkStatus.UNAVAILABLE)  # Inactive or ended
        self.router.route()

    def reconnect(self, agent: Agent) -> None:
        """The agent comes back online, or finds its shift over."""
        if agent.presence != Presence.OFFLINE:
            return
        self._set_presence(agent, Presence.AVAILABLE)
        if agent.shift_over:
            self.shift_ends(agent)
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
        agent.online = presence in ONLINE_PRESENCES
        agent.presence_token += 1
        self.rerank(agent)
        now_online = agent.online
        if was_online != now_online:
            sign = 1.0 if now_online else -1.0
            self.levels.change(
                self.env.now,
                used=sign * agent.used,
                capacity=sign * agent.capacity,
                agents=sign,
                open_work=sign * agent.working_items,
            )
        self.record.agent_event(agent, presence)

    def _touch(self, agent: Agent) -> float:
        """Add the time since the agent's last change to its statistics; return now (s)."""
        now = self.env.now
        elapsed = now - agent.stats_since
        if elapsed <= 0:
            return now
        if agent.online:
            agent.online_s += elapsed
            agent.busy_integral += agent.used * elapsed
        elif agent.presence == Presence.OFFLINE:
            agent.offline_s += elapsed
        if agent.used > agent.capacity + EPSILON:
            agent.over_capacity_s += elapsed
        agent.stats_since = now
        return now
