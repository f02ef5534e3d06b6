"""Issue 12 items 2-5: waits after the first answer, P(wait), handle time, warm-up.

Exact traces of tiny scenarios (fixed times) and, for the warm-up, replications of the
M/M/n desk of the theory tests.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from scenario_builders import HOUR, ONE_AGENT_DESK, mmn_scenario, t_half_width

from sim.model.simulate import simulate
from sim.results.figures import headline_figures
from sim.scenario.schema import Scenario


def scenario(capacity_model: str, **changes: object) -> Scenario:
    raw = copy.deepcopy(ONE_AGENT_DESK)
    raw["capacity_model"] = capacity_model
    for key, value in changes.items():
        if key == "group":
            raw["agent_groups"][0].update(value)
        elif key == "channel":
            raw["channels"][0].update(value)
        elif key == "channels":
            raw["channels"].extend(value)
        else:
            raw[key] = value
    return Scenario.model_validate(raw)


# --------------------------------------------------------------------------- item 4
@pytest.mark.parametrize(
    ("capacity_model", "close", "acw"), [("tab", 240.0, 20.0), ("status", 220.0, 0.0)]
)
def test_handle_time_is_accept_to_close(capacity_model: str, close: float, acw: float) -> None:
    # accepted 100, agent 130, customer 190, agent 220 + End Chat; the tab closes 20 s later
    result = simulate(scenario(capacity_model))
    row = result.sessions.iloc[0]
    assert row["conversation_s"] == 120.0  # accept to End Chat
    assert row["handle_time_s"] == close - 100.0  # AgentWork HandleTime: accept to close
    assert row["acw_s"] == acw  # AfterConversationActualTime: End Chat to close
    agent = result.agents.iloc[0]
    assert agent["at_capacity_s"] == close - 100.0  # AtCapacityDuration: used >= capacity
    figures = headline_figures(result)
    assert (figures["conversation_s"], figures["handle_time_s"], figures["acw_s"]) == (
        120.0, close - 100.0, acw)
    assert figures["at_capacity_s"] == close - 100.0


def test_handle_time_is_nan_for_sessions_not_completed() -> None:
    result = simulate(scenario("tab", horizon=210))  # still talking at the horizon
    row = result.sessions.iloc[0]
    assert np.isnan(row["conversation_s"]) and np.isnan(row["handle_time_s"])
    assert np.isnan(row["acw_s"])


# --------------------------------------------------------------------------- item 3
def test_queued_on_arrival_is_no_agent_with_room_at_the_arrival() -> None:
    # one agent of capacity 1; the second customer (t=150) finds it full and queues,
    # the third (t=1000) finds it free; with a 5 s accept delay nobody's wait is 0
    result = simulate(scenario(
        "tab", channel={"auto_accept": False, "arrivals": {"times": [100, 150, 1000]}}))
    sessions = result.sessions
    assert sessions["queued_on_arrival"].tolist() == [False, True, False]
    assert (sessions["wait_s"] >= 5.0).all()
    assert headline_figures(result)["wait_probability"] == pytest.approx(1 / 3)


def test_wait_probability_counts_abandoners() -> None:
    raw_channel = {
        "arrivals": {"times": [100, 150]},
        "customers": {"exchanges": 2, "reply_time": "60s", "patience": "10s"},
    }
    result = simulate(scenario("tab", channel=raw_channel))
    sessions = result.sessions
    assert sessions["outcome"].tolist() == ["completed", "abandoned"]
    assert headline_figures(result)["wait_probability"] == pytest.approx(1 / 2)


# --------------------------------------------------------------------------- item 2
def _outage(capacity_model: str) -> Scenario:
    return scenario(
        capacity_model, group={"disconnections": {"outages": [{"start": 110, "duration": "10m"}]}}
    )


def test_tab_based_requeue_after_offline_is_a_wait_after_the_answer() -> None:
    # rules §3: the agent drops at 110, the session waits for it until 710 (nobody else)
    result = simulate(_outage("tab"))
    row = result.sessions.iloc[0]
    assert row["wait_s"] == 0.0 and row["reroutes"] == 1
    assert (row["requeued_wait_s"], row["stranded_s"], row["return_wait_s"]) == (600.0, 0.0, 0.0)
    assert row["wait_after_answer_s"] == 600.0
    figures = headline_figures(result)
    assert figures["requeued_wait_s"] == 600.0 and figures["wait_after_answer_s"] == 600.0


def test_status_based_stranded_time_is_the_same_cost_in_the_same_figure() -> None:
    # rules §4: the session stays with the offline agent: 600 s stranded, no requeue
    row = simulate(_outage("status")).sessions.iloc[0]
    assert (row["requeued_wait_s"], row["stranded_s"], row["return_wait_s"]) == (0.0, 600.0, 0.0)
    assert row["wait_after_answer_s"] == 600.0


def test_requeued_wait_still_open_at_the_horizon_counts_to_the_horizon() -> None:
    row = simulate(scenario(
        "tab", horizon=500,
        group={"disconnections": {"outages": [{"start": 110, "duration": "10m"}]}},
    )).sessions.iloc[0]
    assert row["requeued_wait_s"] == pytest.approx(390.0)


def test_tab_based_return_from_inactive_waits_for_an_agent() -> None:
    # Session 0 goes silent after the agent's 130 s message: Inactive at 730, tab closed
    # at 750; it returns at 3730 while the only agent serves session 1 (3650-3770, its
    # tab closing at 3790), and waits 60 s for it.
    silent = {"exchanges": 3, "reply_time": "60s", "silent_probability": 1.0,
              "return_probability": 1.0, "return_delay": "1h"}
    other = {"name": "web2", "type": "enhanced_web_chat", "queue": "q", "auto_accept": True,
             "arrivals": {"times": [3650]}, "customers": {"exchanges": 2, "reply_time": "60s"}}
    result = simulate(scenario(
        "tab", channel={"customers": silent}, channels=[other],
        group={"behaviour": {"reply_time": "30s", "close_tab_delay": "20s",
                             "inactivate_after": "10m"}},
    ))
    row = result.sessions.set_index("session_id").loc[0]
    assert row["return_wait_s"] == pytest.approx(60.0)
    assert row["requeued_wait_s"] == 0.0 and row["wait_after_answer_s"] == pytest.approx(60.0)


# --------------------------------------------------------------------------- item 5
def test_agent_statistics_and_occupancy_start_after_the_warm_up() -> None:
    # one always-on agent, busy 100-240: a warm-up of 30 min leaves that out
    result = simulate(scenario("tab", warmup="30m"))
    agent = result.agents.iloc[0]
    assert agent["online_s"] == 4 * HOUR - 1800.0
    assert agent["busy_capacity_s"] == 0.0 and agent["at_capacity_s"] == 0.0
    assert agent["max_concurrency"] == 0 and agent["sessions_handled"] == 1
    assert headline_figures(result)["occupancy"] == 0.0
    assert headline_figures(result, warmup_s=0.0)["occupancy"] == pytest.approx(140 / (4 * HOUR))


@pytest.mark.slow
def test_a_long_warm_up_does_not_move_the_steady_state_figures() -> None:
    """M/M/10 at 85%: occupancy, concurrency and waits are the same after 2 h or 24 h of
    warm-up (paired replications, 95% CI of the difference covers 0), and occupancy is
    the offered load per server."""
    def runs(warmup_s: float) -> list[dict[str, float]]:
        sc = mmn_scenario(arrival_rate_per_s=8.5 / 240.0, mean_service_s=240.0, agents=5,
                          capacity=2, horizon_s=3 * 24 * HOUR, warmup_s=warmup_s)
        return [headline_figures(simulate(sc, seed=7, replication=r)) for r in range(12)]

    short, long = runs(2 * HOUR), runs(24 * HOUR)
    for name in ("occupancy", "avg_concurrency", "wait_probability", "asa_s"):
        diff = [b[name] - a[name] for a, b in zip(short, long, strict=True)]
        mean, half = t_half_width(diff)
        assert abs(mean) <= 1.3 * half + 1e-4, (name, mean, half)
    mean, half = t_half_width([f["occupancy"] for f in long])
    assert abs(mean - 0.85) <= 1.3 * half + 1e-4
