"""Routing against a scan of every agent, at every push (sim/model/routing.py, rules §2).

The router keeps per-queue ranked lists of the available agents with room and updates them
at every change; these tests check, at each routing decision of busy runs, that the lists
hold exactly the agents they should, in order, and that the agent chosen is the one a scan
of every agent would choose.
"""

from __future__ import annotations

from typing import Any

import pytest
from scenario_builders import rich_scenario

from sim.model.center import ContactCenter
from sim.model.entities import Agent, MessagingSession, Presence
from sim.model.routing import EPSILON
from sim.model.simulate import replication_seed_sequence
from sim.model.streams import RandomStreams


def ranked_from_scratch(
    center: ContactCenter, queue_name: str, size: float
) -> list[tuple[Any, ...]]:
    """The available agents of ``queue_name`` with room for ``size``, in routing order
    (the queue's routing model, then longest since last work), from every agent's state."""
    model = center.router.targets[queue_name].routing_model
    return sorted(
        (model.key(agent), agent.last_assigned_time, agent.agent_id, agent)
        for agent in center.agents
        if agent.presence == Presence.AVAILABLE
        and queue_name in agent.queue_names
        and agent.capacity - agent.used >= size - EPSILON
    )


def scanned_choice(center: ContactCenter, session: MessagingSession) -> Agent | None:
    """The agent routing must choose: the first in routing order with room for the item;
    one who declined the session only when no other has room."""
    channel = session.channel
    candidates = ranked_from_scratch(center, channel.queue.name, channel.size)
    declined = session.declined_by or set()
    for entry in candidates:
        if entry[2] not in declined:
            return entry[3]
    return candidates[0][3] if candidates else None


@pytest.mark.parametrize("percent", [False, True], ids=["units", "percent"])
@pytest.mark.parametrize("capacity_model", ["tab", "status"])
def test_every_push_goes_to_the_scanned_choice(capacity_model: str, percent: bool) -> None:
    scenario = rich_scenario(capacity_model, percent=percent)
    center = ContactCenter(scenario, RandomStreams(replication_seed_sequence(5, 0)))
    router = center.router
    push = router.push
    seen = {"pushes": 0, "after_decline": 0, "queues": set()}

    def checked_push(session: MessagingSession, agent: Agent) -> None:
        for queue_name, ranked in router.ranked.items():
            expected = ranked_from_scratch(center, queue_name, router.min_work_size)
            assert ranked == expected, (queue_name, center.env.now)
        assert agent is scanned_choice(center, session), (session.session_id, center.env.now)
        seen["pushes"] += 1
        seen["after_decline"] += bool(session.declined_by)
        seen["queues"].add(session.channel.queue.name)
        push(session, agent)

    router.push = checked_push
    center.run()

    # The run exercised what the checks are about: both queues (most available and least
    # active), many pushes, and sessions routed again after a decline or push timeout.
    assert seen["queues"] == {"chat", "text"}
    assert seen["pushes"] > 500
    assert seen["after_decline"] > 50
