"""Agent presence: shifts, breaks, drain, logout, disconnections and reconnections.

Times are seconds.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from sim.model.capacity import WorkFate
from sim.model.context import Collaborator, ModelContext
from sim.model.entities import ONLINE_PRESENCES, Agent, Outcome, Presence, WorkItem, WorkStatus
from sim.model.monitor import PRESENCE_STATES
from sim.model.timer import Timer

Process = Generator[simpy.Event, Any, None]

_STATE_INDEX = {presence: PRESENCE_STATES.index(state) for presence, state in (
    (Presence.AVAILABLE, "available"), (Presence.DRAINING, "draining"),
    (Presence.OFFLINE, "offline"))}
"""Presence -> index in :data:`PRESENCE_STATES` (away depends on the break; logged out: none)."""


class AgentPresence(Collaborator):
    """The agent-side processes and presence changes."""

    def __init__(self, context: ModelContext) -> None:
        super().__init__(context)
        scenario = context.scenario
        self.horizon_s = scenario.horizon
        self.logout_sessions = scenario.logout_sessions
        self.levels = context.levels
        self.on_break: set[int] = set()
        """Ids of the agents away for a break (not after a decline)."""
        self.held_offline: dict[str, list[Agent]] = {}
        """Group name -> the agents logging in during its outage, while one lasts."""

    # ------------------------------------------------------------------ processes
    def agent_shift(self, agent: Agent, periods: list[tuple[float, float]]) -> Process:
        """Log in at each period's start; drain or log out at its end (rules §6)."""
        env = self.env
        for login_s, logout_s in periods:
            yield env.timeout(max(0.0, login_s - env.now))
            self.login(agent)
            if logout_s >= self.horizon_s:
                return
            yield env.timeout(logout_s - env.now)
            self.shift_ends(agent)

    def agent_break(self, agent: Agent, start_s: float, end_s: float) -> Process:
        """A break: the agent is away (no new work; open work goes on), then available."""
        yield self.env.timeout(start_s)
        if agent.presence not in (Presence.AVAILABLE, Presence.AWAY):
            return  # offline, draining or logged out: no break to take
        self.go_away(agent, end_s - start_s, on_break=True)

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
        """Every online agent of a group drops offline at ``start_s`` for ``duration_s``.

        An agent logging in meanwhile (a shift starting during the outage) is offline from
        its login to the outage's end too.
        """
        yield self.env.timeout(start_s)
        dropped = [agent for agent in agents if agent.online]
        for agent in dropped:
            self.go_offline(agent)
        if not agents:
            return
        name = agents[0].group.name
        first = name not in self.held_offline  # an overlapping outage shares the list
        held = self.held_offline.setdefault(name, [])
        yield self.env.timeout(duration_s)
        if first:
            del self.held_offline[name]
        for agent in [*dropped, *(held if first else [])]:
            self.reconnect(agent)

    # ------------------------------------------------------------------ changes
    def login(self, agent: Agent) -> None:
        """The agent logs in and becomes available."""
        agent.shift_over = False
        if agent.presence == Presence.OFFLINE:
            return  # still disconnected; reconnecting makes it available
        held = self.held_offline.get(agent.group.name)
        if held is not None:  # its group is in an outage: offline until it ends
            held.append(agent)
            self.go_offline(agent)
            return
        self.set_presence(agent, Presence.AVAILABLE)
        self._wake_stranded(agent)
        self.router.route()

    def go_away(self, agent: Agent, duration_s: float, on_break: bool = False) -> None:
        """The agent is away (break, or busy after a decline) for ``duration_s`` (rules §2).

        Any other presence change meanwhile calls the return off. ``on_break``: a break
        (counted as on break, not away, in the presence levels).
        """
        self.set_presence(agent, Presence.AWAY, on_break)
        agent.away_timer = Timer(self.env, duration_s, self.back_from_away, agent)

    def back_from_away(self, timer: Timer) -> None:
        """The away period of the timer's agent ended: the agent is available again."""
        agent: Agent = timer.subject
        agent.away_timer = None
        self.set_presence(agent, Presence.AVAILABLE)
        self.router.route()

    def shift_ends(self, agent: Agent) -> None:
        """At the end of a shift the agent drains its work or logs out (rules §6)."""
        agent.shift_over = True
        if agent.presence == Presence.OFFLINE:
            return  # decided on reconnection
        if agent.group.shift_end == "logout":
            self.logout(agent)
        elif agent.presence != Presence.LOGGED_OUT:
            self.set_presence(agent, Presence.DRAINING)
            self.finish_drain_if_done(agent)

    def finish_drain_if_done(self, agent: Agent) -> None:
        """A draining agent logs out once no work item holds it any more (rules §6)."""
        if not any(item.session.channel.capacity.holds_during_drain(item)
                   for item in agent.items):
            self.logout(agent)

    def logout(self, agent: Agent) -> None:
        """The agent logs out of Omni-Channel (rules §3, §4)."""
        if agent.presence == Presence.LOGGED_OUT:
            return
        self.set_presence(agent, Presence.LOGGED_OUT)
        self.record.agent_event(agent, "logout")
        for item in list(agent.items):
            capacity = item.session.channel.capacity
            match capacity.on_agent_logout(item, self.logout_sessions):
                case WorkFate.REQUEUE:
                    self.work_items.give_back(item)
                case WorkFate.KEEP:
                    # Status-based: logging out does not release capacity (rules §4); the
                    # conversation stops at the agent's next reply.
                    self.conversations.wake(item.session)
                case WorkFate.CLOSE:
                    self.work_items.close(item, WorkStatus.CLOSED)  # the tab is closed
                case WorkFate.END_SESSION:
                    # Tab-based: assigned work is closed; ongoing sessions end (rules §3).
                    self.customers.end_session(item.session, Outcome.ENDED_BY_LOGOUT)
        self.router.route()

    def go_offline(self, agent: Agent) -> None:
        """The agent drops offline (rules §3, §4)."""
        agent.offline_events += 1
        self.set_presence(agent, Presence.OFFLINE)
        for item in list(agent.items):
            self._drop_offline(item)
        self.router.route()

    def _drop_offline(self, item: WorkItem) -> None:
        match item.session.channel.capacity.on_agent_offline(item):
            case WorkFate.REQUEUE:
                # Tab-based: the item ends Unavailable and frees capacity; an Active
                # session goes back to Waiting and is routed to another agent (rules §3).
                self.work_items.give_back(item)
            case WorkFate.KEEP:
                # Status-based: it stays with the agent (rules §4).
                self.conversations.wake(item.session)
            case WorkFate.CLOSE | WorkFate.END_SESSION:
                self.work_items.close(item, WorkStatus.UNAVAILABLE)  # Inactive or ended

    def reconnect(self, agent: Agent) -> None:
        """The agent comes back online, or finds its shift over."""
        if agent.presence != Presence.OFFLINE:
            return
        self.set_presence(agent, Presence.AVAILABLE)
        if agent.shift_over:
            self.shift_ends(agent)
        self._wake_stranded(agent)
        self.router.route()

    def _wake_stranded(self, agent: Agent) -> None:
        waiting, agent.waiting_sessions = agent.waiting_sessions, []
        for session in waiting:
            self.conversations.wake(session)

    def presence_state(self, agent: Agent) -> int:
        """The agent's index in :data:`sim.model.monitor.PRESENCE_STATES` (-1 logged out)."""
        presence = agent.presence
        if presence == Presence.AWAY:
            return 1 if agent.agent_id in self.on_break else 2
        return _STATE_INDEX.get(presence, -1)

    def set_presence(self, agent: Agent, presence: str, on_break: bool = False) -> None:
        """Change the agent's presence; a pending return from away is called off.

        ``on_break``: an away presence is a break (see :meth:`presence_state`).
        """
        was_online = agent.online
        was_state = self.presence_state(agent)
        agent.accrue(self.env.now)
        agent.presence = presence
        if on_break and presence == Presence.AWAY:
            self.on_break.add(agent.agent_id)
        else:
            self.on_break.discard(agent.agent_id)
        self.levels.change_state(self.env.now, agent.group.level_index, was_state,
                                 self.presence_state(agent))
        agent.online = presence in ONLINE_PRESENCES
        away = agent.away_timer
        if away is not None:
            away.cancel()
            agent.away_timer = None
        self.router.update(agent)
        now_online = agent.online
        if was_online != now_online:
            sign = 1.0 if now_online else -1.0
            now = self.env.now
            levels = self.levels
            levels.change_group(now, agent.group.level_index, sign * agent.capacity, sign)
            for item in agent.items:  # its work counts while it is online
                if item.consuming:
                    levels.change_work(now, item.level_slot, sign * item.consuming, sign)
        self.record.agent_event(agent, presence)
