"""Reproducibility and common random numbers: same seed, same tables; named streams."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from scenario_builders import rich_scenario_dict, run_recorded

from sim.model.simulate import simulate
from sim.scenario.schema import Scenario


def scenario(model: str = "tab", **changes: object) -> Scenario:
    raw = rich_scenario_dict(model, horizon="12h")
    raw.update(changes)
    return Scenario.model_validate(raw)


@pytest.mark.parametrize("model", ["tab", "status"])
def test_same_seed_same_tables(model: str) -> None:
    sc = scenario(model)
    first = simulate(sc, seed=42, replication=1, trace=True)
    second = simulate(sc, seed=42, replication=1, trace=True)
    pd.testing.assert_frame_equal(first.sessions, second.sessions)
    pd.testing.assert_frame_equal(first.agents, second.agents)
    pd.testing.assert_frame_equal(first.intervals, second.intervals)
    pd.testing.assert_frame_equal(first.trace, second.trace)
    assert first.events == second.events


def test_scenario_seed_is_the_default_seed() -> None:
    sc = scenario(seed=7)
    pd.testing.assert_frame_equal(simulate(sc).sessions, simulate(sc, seed=7).sessions)


def test_different_seed_or_replication_differs() -> None:
    sc = scenario()
    base = simulate(sc, seed=42).sessions
    for other in (simulate(sc, seed=43).sessions, simulate(sc, seed=42, replication=1).sessions):
        same_length = len(other) == len(base)
        assert not (
            same_length
            and np.allclose(other["arrival_time"].to_numpy(), base["arrival_time"].to_numpy())
        )
        with pytest.raises(AssertionError):
            pd.testing.assert_frame_equal(other, base)


def _plan_key(plan: object) -> tuple:
    return (
        plan.exchanges,
        tuple(plan.agent_reply_s),
        tuple(plan.customer_reply_s),
        plan.patience_s,
        plan.answers_outbound,
        plan.answer_delay_s,
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_capacity_models_see_the_same_customers(seed: int) -> None:
    """Common random numbers: tab and status runs get identical arrivals and plans."""
    tab = run_recorded(scenario("tab"), seed=seed, trace=False)
    status = run_recorded(scenario("status"), seed=seed, trace=False)
    a, b = tab.result.sessions, status.result.sessions
    assert len(a) == len(b)
    np.testing.assert_array_equal(a["arrival_time"].to_numpy(), b["arrival_time"].to_numpy())
    np.testing.assert_array_equal(a["channel"].to_numpy(), b["channel"].to_numpy())
    np.testing.assert_array_equal(a["direction"].to_numpy(), b["direction"].to_numpy())
    # the customers plan the same conversations (messages, reply times, patience, answers)
    assert [_plan_key(p) for p in tab.plans] == [_plan_key(p) for p in status.plans]
    # inbound sessions of the enhanced channel (web) completed in both runs: the customer
    # wrote every planned message (on the standard sms channel of the tab run a silent
    # customer's chat is ended early, rules §1, so only web is compared)
    both = (
        (a["outcome"] == "completed")
        & (b["outcome"] == "completed")
        & (a["direction"] == "inbound")
        & (a["channel"] == "web")
    )
    assert both.sum() > 50
    planned = np.array([p.exchanges for p in tab.plans])
    np.testing.assert_array_equal(a.loc[both, "customer_messages"], planned[both.to_numpy()])
    np.testing.assert_array_equal(b.loc[both, "customer_messages"], planned[both.to_numpy()])


def test_unrelated_group_does_not_shift_arrivals() -> None:
    """Named streams: changing a group's parameters leaves customer draws untouched."""
    raw = rich_scenario_dict("tab", horizon="12h")
    changed = copy.deepcopy(raw)
    texters = changed["agent_groups"][1]
    texters["behaviour"].update(
        {
            "accept_delay": {"kind": "exponential", "mean": "40s"},
            "decline_probability": 0.5,
            "close_tab_delay": "2m",
        }
    )
    texters["disconnections"] = {"rate": "3/h", "duration": "10m"}
    texters["shifts"] = [{"start": "0h", "end": "12h", "agents": 5}]
    texters["shift_end"] = "drain"
    base = run_recorded(Scenario.model_validate(raw), seed=9, trace=False)
    other = run_recorded(Scenario.model_validate(changed), seed=9, trace=False)
    a, b = base.result.sessions, other.result.sessions
    np.testing.assert_array_equal(a["arrival_time"].to_numpy(), b["arrival_time"].to_numpy())
    np.testing.assert_array_equal(a["channel"].to_numpy(), b["channel"].to_numpy())
    assert [_plan_key(p) for p in base.plans] == [_plan_key(p) for p in other.plans]
    # ... while the run itself did change
    with pytest.raises(AssertionError):
        pd.testing.assert_frame_equal(a, b)


def test_adding_a_channel_does_not_shift_other_arrivals() -> None:
    raw = rich_scenario_dict("tab", horizon="12h")
    more = copy.deepcopy(raw)
    extra = copy.deepcopy(raw["channels"][0])
    extra.update({"name": "app", "type": "enhanced_in_app_chat"})
    more["channels"].insert(0, extra)
    a = simulate(Scenario.model_validate(raw), seed=5).sessions
    b = simulate(Scenario.model_validate(more), seed=5).sessions
    for name in ("web", "sms"):
        for direction in ("inbound", "outbound"):
            x = a[(a["channel"] == name) & (a["direction"] == direction)]["arrival_time"]
            y = b[(b["channel"] == name) & (b["direction"] == direction)]["arrival_time"]
            np.testing.assert_array_equal(np.sort(x.to_numpy()), np.sort(y.to_numpy()))
    assert (b["channel"] == "app").sum() > 0


def test_sampler_many_gives_the_values_of_single_draws():
    import numpy as np

    from sim.model.sampling import Sampler
    from sim.scenario.schema import Exponential

    spec = Exponential(kind="exponential", mean=3.0)
    one_by_one = Sampler(spec, np.random.default_rng(1))
    in_groups = Sampler(spec, np.random.default_rng(1))
    expected = [one_by_one() for _ in range(3000)]
    drawn: list[float] = []
    for count in [0, 1, 7, 0, 1000, 5, 1987]:
        drawn.extend(in_groups.many(count))
    assert drawn == expected[: len(drawn)]
