"""Omni-Channel routing: the waiting line, and the choice of agent for each work item.

Queue order is routing priority (lower first), then age, oldest first; a rerouted item
keeps its original age (DOMAIN.md section 2). Routing runs whenever work arrives or an
agent's free capacity or presence changes.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable
from typing import ClassVar, Protocol

from sim.entities import Agent, MessagingSession, Presence

EPSILON = 1e-9


class RoutingModel(Protocol):
    """Ranks agents who have room for an item: the lowest key wins."""

    name: ClassVar[str]

    def key(self, agent: Agent) -> float:
        """Primary sort key of ``agent`` (ties go to who received work longest ago)."""
        ...


class MostAvailable:
    """The agent with the largest gap between capacity and work in use."""

    name: ClassVar[str] = "most_available"

    def key(self, agent: Agent) -> float:
        """Minus the free capacity."""
        return -(agent.capacity - agent.used)


class LeastActive:
    """The agent with the fewest open work items."""

    name: ClassVar[str] = "least_active"

    def key(self, agent: Agent) -> float:
        """The number of open work items."""
        return float(len(agent.items))


ROUTING_MODELS: dict[str, RoutingModel] = {
    MostAvailable.name: MostAvailable(),
    LeastActive.name: LeastActive(),
}
"""Routing models by the queue's ``routing_model`` value."""


class Router:
    """Holds the sessions waiting for an agent and pushes them to agents with room.

    ``push(session, agent)`` is called for every routing decision; it must create the work
    item and take the capacity before returning.
    """

    def __init__(
        self,
        agents: list[Agent],
        min_work_size: float,
        push: Callable[[MessagingSession, Agent], None],
    ) -> None:
        self.agents = agents
        self.min_work_size = min_work_size
        self.push = push
        self.waiting: list[tuple[int, float, int, MessagingSession]] = []
        self._order = itertools.count()
        self._routing = False
        self._again = False

    def enqueue(self, session: MessagingSession, age_time: float) -> None:
        """Put ``session`` in line with age measured from ``age_time`` (seconds)."""
        queue = session.channel.queue
        entry = (queue.priority, age_time, next(self._order), session)
        session.queue_entry = entry
        bisect.insort(self.waiting, entry)

    def remove(self, session: MessagingSession) -> None:
        """Take ``session`` out of line if it is there."""
        entry = session.queue_entry
        if entry is not None:
            index = bisect.bisect_left(self.waiting, entry)
            if index < len(self.waiting) and self.waiting[index] is entry:
                del self.waiting[index]
            session.queue_entry = None

    def route(self) -> None:
        """Push waiting sessions to agents with room, in queue order, until none fits."""
        if self._routing:  # a push inside routing asked again: finish this pass first
            self._again = True
            return
        self._routing = True
        try:
            self._again = True
            while self._again:
                self._again = False
                self._route_pass()
        finally:
            self._routing = False

    def _route_pass(self) -> None:
        if not self.waiting:
            return
        minimum = self.min_work_size - EPSILON
        candidates = [
            agent
            for agent in self.agents
            if agent.presence == Presence.AVAILABLE and agent.capacity - agent.used >= minimum
        ]
        index = 0
        while candidates and index < len(self.waiting):
            session = self.waiting[index][3]
            agent = self._choose(session, candidates)
            if agent is None:
                index += 1
                continue
            del self.waiting[index]
            session.queue_entry = None
            self.push(session, agent)
            if agent.presence != Presence.AVAILABLE or agent.capacity - agent.used < minimum:
                candidates.remove(agent)

    @staticmethod
    def _choose(session: MessagingSession, candidates: list[Agent]) -> Agent | None:
        """Best agent for ``session``; one who declined it only when nobody else has room."""
        channel = session.channel
        queue = channel.queue
        needed = channel.size - EPSILON
        model = queue.routing_model
        best: Agent | None = None
        best_key: tuple[bool, float, float] | None = None
        declined_by = session.declined_by
        for agent in candidates:
            if queue.name not in agent.queue_names or agent.capacity - agent.used < needed:
                continue
            # An item is not offered again to an agent who declined it while others are
            # eligible (DOMAIN.md section 2); ties go to who received work longest ago.
            key = (agent.agent_id in declined_by, model.key(agent), agent.last_assigned_time)
            if best_key is None or key < best_key:
                best, best_key = agent, key
        return best
