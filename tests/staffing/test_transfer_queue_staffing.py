"""A queue fed only by transfers (rules §8.2) is measured and staffed like a channel's own."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.simulate import simulate
from sim.scenario.schema import Scenario
from sim.staffing.day_measures import MEASURE_INDEX, day_measures, measured_queues
from sim.staffing.goals import StaffingGoals, queue_goals
from sim.staffing.plan import staff

HOUR = 3600.0


def desk(billing_agents: int = 1) -> Scenario:
    return Scenario.model_validate({
        "horizon": "3h", "interval": "30m", "seed": 3,
        "channels": [{"name": "web", "type": "enhanced_web_chat", "queue": "support",
                      "arrivals": {"rate": "40/h"},
                      "customers": {"exchanges": 4,
                                    "reply_time": {"kind": "exponential", "mean": "30s"},
                                    "patience": {"kind": "exponential", "mean": "5m"}}}],
        "queues": [{"name": "support", "transfer": {"share": 0.4, "to": "billing"}},
                   {"name": "billing"}],
        "agent_groups": [
            {"name": "front", "agents": 6, "capacity": 2, "queues": ["support"],
             "behaviour": {"reply_time": {"kind": "exponential", "mean": "40s"}}},
            {"name": "billing_team", "agents": billing_agents, "capacity": 1,
             "queues": ["billing"],
             "behaviour": {"reply_time": {"kind": "exponential", "mean": "40s"}}}],
    })


def test_the_transfer_queue_is_a_measured_row_with_the_transferred_sessions() -> None:
    scenario = desk()
    assert measured_queues(scenario) == ["support", "billing"]
    assert list(queue_goals(scenario, StaffingGoals.parse("80/60s"))) == ["support", "billing"]
    result = simulate(scenario)
    measures = day_measures(result)
    sessions = result.sessions
    moved = sessions[sessions["transfers"] > 0]
    assert len(moved) > 10
    bins = (moved["transfer_time"] // scenario.interval).astype(int).to_numpy()
    offered = np.bincount(bins, minlength=scenario.n_intervals)[:scenario.n_intervals]
    billing = measures[1]
    np.testing.assert_array_equal(billing[MEASURE_INDEX["offered"]], offered)
    answered = moved[moved["transfer_wait_s"].notna()]
    per_interval = answered.groupby(
        (answered["transfer_time"] // scenario.interval).astype(int))["transfer_wait_s"].mean()
    np.testing.assert_allclose(billing[MEASURE_INDEX["asa_s"]][per_interval.index],
                               per_interval.to_numpy())
    # The center's row counts each session once: its first request, not the transfer.
    assert measures[-1][MEASURE_INDEX["offered"]].sum() == (
        measures[0][MEASURE_INDEX["offered"]].sum())


@pytest.mark.slow
def test_staffing_raises_the_team_that_takes_the_transfers() -> None:
    report = staff(desk(billing_agents=1), StaffingGoals.parse("80/60s"), replications=4,
                   models=["tab"], curve=False, groups=["front", "billing_team"])
    result = report.results["tab"]
    billing_team = result.required[1]
    assert billing_team.max() >= 2  # one agent of capacity 1 cannot hold 80% in 60 s
    assert "billing" in report.per_queue
