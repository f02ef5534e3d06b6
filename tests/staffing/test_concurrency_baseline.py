"""The analytic start with the concurrency slowdown (issue 27 item 9).

Plain Erlang counts every slot with the one-chat holding time; with a reply slowdown the
agents deliver less. On 5 agents x 3 chats (issue 27 item 9) plain Erlang A promises a few
per cent abandoned where the simulation loses a quarter: the handle-time-per-level reading
(:mod:`sim.staffing.concurrency`) predicts what the simulation measures.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scenario_builders import HOUR, mmn_scenario

from sim.erlang import erlang_a_metrics, erlang_a_servers
from sim.model.entities import Outcome
from sim.model.simulate import simulate
from sim.scenario.schema import AgentBehaviour, Scenario
from sim.staffing.analytic import queue_requirements
from sim.staffing.concurrency import slowdown_at, slowed_holding_s, slowed_servers
from sim.staffing.plan import StaffingGoals, queue_goals

RATE_PER_S, SERVICE_S, PATIENCE_S = 0.06, 200.0, 120.0


def slowed_center(sigma: float, agents: int = 5) -> Scenario:
    """5 agents x 3 chats, exponential replies of 200 s slowed by ``sigma`` per chat."""
    base = mmn_scenario(arrival_rate_per_s=RATE_PER_S, mean_service_s=SERVICE_S,
                        agents=agents, capacity=3, horizon_s=8 * HOUR,
                        mean_patience_s=PATIENCE_S).model_dump()
    base["agent_groups"][0]["behaviour"]["concurrency_slowdown"] = sigma
    return Scenario.model_validate(base)


def test_the_slowdown_factor_is_the_models_at_whole_levels_and_interpolates_between():
    linear = AgentBehaviour(concurrency_slowdown=0.3)
    assert [slowdown_at(linear, k) for k in (0, 1, 2, 3)] == pytest.approx([1, 1, 1.3, 1.6])
    assert slowdown_at(linear, 2.5) == pytest.approx(1.45)
    listed = AgentBehaviour(concurrency_efficiency=[1, 1.7, 2.5])
    assert slowdown_at(listed, 2) == pytest.approx(2 / 1.7)
    assert slowdown_at(listed, 4) == pytest.approx(4 / 2.5)  # the last entry holds beyond
    assert slowdown_at(listed, 2.5) == pytest.approx((2 / 1.7 + 3 / 2.5) / 2)


def test_the_slowed_reading_predicts_the_simulated_abandonment_plain_erlang_misses():
    scenario = slowed_center(0.3)
    abandoned = []
    for replication in range(6):
        sessions = simulate(scenario, seed=1, replication=replication).sessions
        steady = sessions[sessions["arrival_time"] > HOUR]  # after the empty start
        abandoned.append(float((steady["outcome"] == Outcome.ABANDONED).mean()))
    simulated = float(np.mean(abandoned))
    plain = erlang_a_metrics(15, RATE_PER_S, SERVICE_S, PATIENCE_S, 60.0).abandon_probability
    hold = slowed_holding_s(RATE_PER_S, SERVICE_S, SERVICE_S, 5, 3,
                            scenario.agent_groups[0].behaviour)
    slowed = erlang_a_metrics(15, RATE_PER_S, hold, PATIENCE_S, 60.0).abandon_probability
    assert plain < 0.06 and simulated > 0.2  # plain Erlang promises far too much
    assert abs(slowed - simulated) < 0.03, (slowed, simulated)
    assert abs(slowed - simulated) < abs(plain - simulated) / 5


def test_slowed_servers_is_a_fixed_point_above_plain_erlang():
    behaviour = AgentBehaviour(concurrency_slowdown=0.3)
    goals = StaffingGoals.parse("80/60s")

    def size(hold: float) -> int:
        return erlang_a_servers(RATE_PER_S, hold, PATIENCE_S, threshold_s=60.0, target=0.8)

    servers, hold = slowed_servers(size, RATE_PER_S, SERVICE_S, SERVICE_S, 3, behaviour)
    assert servers > size(SERVICE_S)
    level = min(3, RATE_PER_S * hold / (servers / 3))
    assert hold == pytest.approx(SERVICE_S * slowdown_at(behaviour, level))
    assert size(hold) == servers
    # Without a slowdown nothing changes.
    assert slowed_servers(size, RATE_PER_S, SERVICE_S, SERVICE_S, 3, AgentBehaviour()) == (
        size(SERVICE_S), SERVICE_S)
    # And the per-queue start uses it: more agents, a longer holding time.
    plain = queue_requirements(slowed_center(0.0), goals, queue_goals(slowed_center(0.0),
                               goals), "tab", ["team"])
    slow = queue_requirements(slowed_center(0.3), goals, queue_goals(slowed_center(0.3),
                              goals), "tab", ["team"])
    assert (slow["agents"] >= plain["agents"]).all() and (slow["agents"] > plain["agents"]).any()
    assert (slow["holding_s"] > plain["holding_s"]).all()
    assert math.isclose(plain["holding_s"].iloc[0], SERVICE_S)

