"""Omni-Channel routing: the waiting line, and the choice of agent for each work item.

Queue order is routing priority (lower first), then age, oldest first; a rerouted item
keeps its original age (rules §2). Routing runs whenever work arrives or an
agent's free capacity or presence changes.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable
from typing import ClassVar, Protocol

from sim.model.entities import EPSILON, Agent, MessagingSession, Presence


class RoutingModel(Protocol):
    """Orders the available agents of a queue: the first with room gets the item."""

    name: ClassVar[str]
    ordered_by_room: ClassVar[bool]
    """Whether the order puts the most free capacity first (so the search can stop early)."""
    counts_work_items: ClassVar[bool]
    """Whether the order depends on how many work items an agent has open."""

    def key(self, agent: Agent) -> float:
        """Primary sort key of ``agent``: the lowest wins (ties: work longest ago)."""
        ...


class MostAvailable:
    """The agent with the largest gap between capacity and work in use."""

    name: ClassVar[str] = "most_available"
    ordered_by_room: ClassVar[bool] = True
    counts_work_items: ClassVar[bool] = False

    def key(self, agent: Agent) -> float:
        """Minus the free capacity."""
        return agent.used - agent.capacity


class LeastActive:
    """The agent with the fewest open work items."""

    name: ClassVar[str] = "least_active"
    ordered_by_room: ClassVar[bool] = False
    counts_work_items: ClassVar[bool] = True

    def key(self, agent: Agent) -> float:
        """The number of open work items."""
        return float(len(agent.items))


ROUTING_MODELS: dict[str, RoutingModel] = {
    MostAvailable.name: MostAvailable(),
    LeastActive.name: LeastActive(),
}
"""Routing models by the queue's ``routing_model`` value."""


class RoutingTarget(Protocol):
    """Where a session is routed (``MessagingSession.target``): a queue.

    Its ``eligible`` rule says which agents may take its work; the router ranks those.
    """

    name: str
    priority: int
    routing_model: RoutingModel
    push_timeout_s: float
    transfer_to: str
    """Where its agents transfer conversations (rules §8.2), or ``""``."""
    dropped: RoutingTarget | None
    """The target without its additional skills (rules §8.3), or None."""
    drop_after_s: float
    """When, after the request, the additional skills are dropped (s; ``inf``: never)."""

    def eligible(self, agent: Agent) -> bool:
        """Whether ``agent`` may take work routed here."""
        ...

RankEntry = tuple[float, float, int, Agent]
WaitingEntry = tuple[int, float, int, MessagingSession]


class RankSlot:
    """An agent's place in one queue's ranked list of available agents."""

    __slots__ = ("model", "ranked", "entry")

    def __init__(self, model: RoutingModel, ranked: list[RankEntry]) -> None:
        self.model = model
        self.ranked = ranked
        self.entry: RankEntry | None = None
        """The agent's entry in ``ranked``, or None while it is unavailable or full."""


class Router:
    """Holds the sessions waiting for an agent and pushes them to agents with room.

    For each queue it keeps the available agents with room for the smallest work item
    sorted by the queue's routing model (then by the time they last received work, oldest
    first), so choosing an agent scans neither every agent nor the full ones. The
    simulation calls :meth:`update` whenever an agent's capacity in use, open work, last
    assignment or presence changes.
    ``push(session, agent)`` is called for every routing decision; it must create the
    work item and take the capacity before returning.
    """

    def __init__(
        self,
        agents: list[Agent],
        targets: dict[str, RoutingTarget],
        min_work_size: float,
        push: Callable[[MessagingSession, Agent], None],
    ) -> None:
        self.targets = targets
        self.min_work_size = min_work_size
        self.push = push
        # One line per (target, work size), each in routing order: every item of a line
        # fits exactly the same agents, so when its head finds no agent, none of it does.
        self.lines: dict[tuple[str, float], list[WaitingEntry]] = {}
        self.ranked: dict[str, list[RankEntry]] = {name: [] for name in targets}
        self.agents_with_room = 0
        self.waiting_total = 0
        """Sessions waiting for an agent, in all lines."""
        self._order = itertools.count()
        self._routing = False
        self._again = False
        self._ranked_by_work_items = {
            agent.agent_id
            for agent in agents
            if any(target.routing_model.counts_work_items and target.eligible(agent)
                   for target in targets.values())
        }
        self.ranks_by_work_items = bool(self._ranked_by_work_items)
        """Whether any agent's rank depends on its open work items (a least-active queue):
        else :meth:`work_items_changed` has nothing to do."""
        self._room_needed = min_work_size - EPSILON
        for agent in agents:  # a ranked list per target of the agents it finds eligible
            agent.rank_slots = [
                RankSlot(targets[name].routing_model, self.ranked[name])
                for name in sorted(targets) if targets[name].eligible(agent)
            ]
        for agent in agents:
            self.update(agent)

    def work_items_changed(self, agent: Agent) -> None:
        """Re-rank ``agent`` after it gained or lost a work item, if its queues care."""
        if agent.agent_id in self._ranked_by_work_items:
            self.update(agent)

    def update(self, agent: Agent) -> None:
        """Re-rank ``agent`` after a change of capacity use, work, assignment or presence.

        An agent without room for the smallest work item (or not available) leaves the
        ranked lists: routing would pass over it anyway.
        """
        room = (
            agent.presence == Presence.AVAILABLE
            and agent.capacity - agent.used >= self._room_needed
        )
        if room != agent.has_room:
            agent.has_room = room
            self.agents_with_room += 1 if room else -1
        last_assigned = agent.last_assigned_time
        for slot in agent.rank_slots:
            old = slot.entry
            if room:
                key = slot.model.key(agent)
                if old is not None and old[0] == key and old[1] == last_assigned:
                    continue
                new = (key, last_assigned, agent.agent_id, agent)
            elif old is None:
                continue
            else:
                new = None
            ranked = slot.ranked
            if old is not None:
                del ranked[bisect.bisect_left(ranked, old)]
            if new is not None:
                bisect.insort(ranked, new)
            slot.entry = new

    def enqueue(self, session: MessagingSession, age_time: float) -> None:
        """Put ``session`` in line with age measured from ``age_time`` (seconds)."""
        target = session.target
        assert target is not None  # set when the session is created
        entry = (target.priority, age_time, next(self._order), session)
        session.queue_entry = entry
        line = self.lines.setdefault((target.name, session.channel.size), [])
        bisect.insort(line, entry)
        self.waiting_total += 1

    def offer(self, session: MessagingSession, age_time: float) -> None:
        """Put ``session`` in line (age from ``age_time``, seconds) and route.

        When nobody else is waiting, the session goes straight to the agent routing would
        choose for it, without joining a line.
        """
        if self.waiting_total or not self.agents_with_room or self._routing:
            self.enqueue(session, age_time)
            self.route()
            return
        agent = self._choose(session)
        if agent is None:
            self.enqueue(session, age_time)  # no agent fits it: it waits
            return
        self._in_routing(self.push, session, agent)

    def remove(self, session: MessagingSession) -> None:
        """Take ``session`` out of line if it is there."""
        entry = session.queue_entry
        if entry is not None:
            target = session.target
            assert target is not None  # set when the session is created
            line = self.lines[(target.name, session.channel.size)]
            index = bisect.bisect_left(line, entry)
            if index < len(line) and line[index] is entry:
                del line[index]
                self.waiting_total -= 1
            session.queue_entry = None

    def route(self) -> None:
        """Push waiting sessions to agents with room, in queue order, until none fits."""
        if not self.waiting_total or not self.agents_with_room:
            return  # the common case: nothing to route, or nobody with room
        if self._routing:  # a push inside routing asked again: finish this pass first
            self._again = True
            return
        self._in_routing(self._route_pass)

    def _in_routing(self, first: Callable[..., None], *args: object) -> None:
        """Run ``first(*args)`` (a pass or a push), then a pass per routing asked meanwhile."""
        self._routing = True
        try:
            self._again = False
            first(*args)
            while self._again:
                self._again = False
                self._route_pass()
        finally:
            self._routing = False

    def _route_pass(self) -> None:
        """Route in priority-then-age order across the lines.

        A line whose head fits no agent is done for this pass: its other items need the
        same room.
        """
        blocked: set[tuple[str, float]] = set()
        lines = self.lines
        while self.agents_with_room > 0:
            head: WaitingEntry | None = None
            head_key: tuple[str, float] | None = None
            for key, line in lines.items():
                if line and key not in blocked and (head is None or line[0] < head):
                    head, head_key = line[0], key
            if head is None or head_key is None:
                return
            session = head[3]
            agent = self._choose(session)
            if agent is None:
                blocked.add(head_key)
                continue
            del lines[head_key][0]
            self.waiting_total -= 1
            session.queue_entry = None
            self.push(session, agent)

    def _choose(self, session: MessagingSession) -> Agent | None:
        """Best agent for ``session``; one who declined it only when nobody else has room.

        An item is not offered again to an agent who declined it while others are
        eligible, and ties go to the agent who received work longest ago (rules §2).
        """
        target = session.target
        assert target is not None  # set when the session is created
        needed = session.channel.size - EPSILON
        stop_at_first_full = target.routing_model.ordered_by_room
        declined_by = session.declined_by
        fallback: Agent | None = None
        for entry in self.ranked[target.name]:
            agent = entry[3]
            if agent.capacity - agent.used < needed:
                if stop_at_first_full:
                    break
                continue
            if declined_by and agent.agent_id in declined_by:
                if fallback is None:
                    fallback = agent
                continue
            return agent
        return fallback
