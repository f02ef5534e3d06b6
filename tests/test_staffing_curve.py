"""The service-level-against-agents curve: every point narrow enough to read.

Each simulated point gets replications until its 95% CI half-width is at most 5 points
(or the cap, and then the row says so); on an M/M/n reduction the points agree with
Erlang C.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scenario_builders import HOUR, mmn_scenario

from sim.results.figures import ci95_half_width
from sim.scenario.schema import Scenario
from sim.staffing.curve import (
    CI_TARGET,
    MEASURED_S,
    point_service_level,
    replications_wanted,
    service_level_curve,
    stationary_interval,
)
from sim.staffing.goals import StaffingGoals
from sim.staffing.runs import MEASURES

GOALS = StaffingGoals.parse("80/20s")
AGENTS = [4, 5, 6, 7]


def erlang_c_desk() -> Scenario:
    """M/M/n: 0.02 sessions a second, 150 s of service (3 Erlangs), no abandonment."""
    return mmn_scenario(arrival_rate_per_s=0.02, mean_service_s=150.0, agents=4, capacity=1,
                        horizon_s=4 * HOUR, interval_s=HOUR / 2)


@pytest.fixture(scope="module")
def curve() -> pd.DataFrame:
    return service_level_curve(erlang_c_desk(), GOALS, AGENTS, models=["tab"], seed=5)


def test_every_point_is_within_five_points_or_marked(curve: pd.DataFrame) -> None:
    simulated = curve[curve["model"] == "tab"]
    assert list(simulated["agents"]) == AGENTS
    assert simulated["ci_met"].all()
    assert (simulated["service_level_ci95"] <= CI_TARGET + 1e-12).all()
    assert (simulated["service_level_ci95"] > 0).all()
    # Adaptive: the points near the middle of the curve needed more replications than
    # the one near 100%.
    replications = dict(zip(simulated["agents"], simulated["replications"], strict=True))
    assert replications[AGENTS[0]] > replications[AGENTS[-1]]
    assert curve.attrs["ci_target"] == CI_TARGET
    assert curve.attrs["measured_s"] == MEASURED_S


def test_the_points_agree_with_erlang_c(curve: pd.DataFrame) -> None:
    """A stationary M/M/n: simulation and Erlang C within the CI (plus a point for bias)."""
    simulated = curve[curve["model"] == "tab"].set_index("agents")
    erlang = curve[curve["model"] == "erlang"].set_index("agents")
    difference = (simulated["service_level"] - erlang["service_level"]).abs()
    assert (difference <= simulated["service_level_ci95"] + 0.01).all(), difference


def test_a_point_that_cannot_reach_the_target_is_marked() -> None:
    table = service_level_curve(erlang_c_desk(), GOALS, [4], models=["tab"], seed=5,
                                ci_target=0.001, max_replications=5)
    row = table[table["model"] == "tab"].iloc[0]
    assert row["replications"] == 5
    assert not row["ci_met"]
    assert row["service_level_ci95"] > 0.001


def test_same_seed_same_curve(curve: pd.DataFrame) -> None:
    again = service_level_curve(erlang_c_desk(), GOALS, AGENTS, models=["tab"], seed=5)
    pd.testing.assert_frame_equal(curve, again)


def test_stationary_interval_measures_four_hours_after_a_warm_up() -> None:
    scenario = erlang_c_desk()
    stationary = stationary_interval(scenario, 2)
    assert stationary.horizon == scenario.interval + MEASURED_S
    assert stationary.warmup == 0.0
    # A day-to-day multiplier is held at its mean in a stationary interval.
    varying = scenario.derive(arrival_scale={"kind": "gamma", "mean": 1.5, "sd": 0.3})
    rates = stationary_interval(varying, 2).channels[0].arrivals.rates
    assert rates == pytest.approx([0.02 * 1.5 * HOUR])
    assert stationary_interval(varying, 2).arrival_scale == 1.0


# ------------------------------------------------------------------------------- pieces
def test_point_service_level_weights_intervals_by_offered() -> None:
    run = np.full((len(MEASURES), 4), np.nan)
    run[MEASURES.index("service_level")] = [0.0, 1.0, 0.5, np.nan]
    run[MEASURES.index("offered")] = [50, 10, 30, 0]
    # The warm-up (first) interval is left out; (1.0 x 10 + 0.5 x 30) / 40.
    assert point_service_level(run) == pytest.approx(25.0 / 40.0)
    run[MEASURES.index("offered")] = [50, 0, 0, 0]
    assert math.isnan(point_service_level(run))


def test_replications_wanted() -> None:
    narrow = [0.80, 0.81, 0.79, 0.80]
    assert ci95_half_width(narrow) <= CI_TARGET
    assert replications_wanted(narrow, CI_TARGET, 40) == 4
    wide = [0.2, 0.9, 0.4, 0.7]
    # sd 0.31: (2.1 x 0.31 / 0.05)^2 is about 170, at most twice the count per round.
    assert replications_wanted(wide, CI_TARGET, 40) == 8
    assert replications_wanted(wide * 8, CI_TARGET, 40) == 40  # capped
    assert replications_wanted(wide * 10, CI_TARGET, 40) == 40  # at the cap already
    assert replications_wanted([0.5], CI_TARGET, 40) == 3  # one value: two more
    assert replications_wanted([math.nan, math.nan], CI_TARGET, 40) == 2  # nothing offered
