"""Conversations advance in segments; counting with and without a trace must agree."""

from __future__ import annotations

import pandas as pd
import pytest
from scenario_builders import rich_scenario

from sim.simulate import simulate


@pytest.mark.parametrize("capacity_model", ["tab", "status"])
def test_trace_does_not_change_the_results(capacity_model):
    # With a trace every message is recorded one by one; without it the counts, the first
    # response and the last activity are worked out per segment. Both must agree exactly.
    scenario = rich_scenario(capacity_model)
    traced = simulate(scenario, seed=3, trace=True)
    plain = simulate(scenario, seed=3)
    pd.testing.assert_frame_equal(traced.sessions, plain.sessions)
    pd.testing.assert_frame_equal(traced.intervals, plain.intervals)
    messages = traced.trace[traced.trace["event"].isin(["agent_message", "customer_message"])]
    per_session = messages.groupby(["session_id", "event"]).size().unstack(fill_value=0)
    sessions = plain.sessions.set_index("session_id")
    inbound = sessions["direction"] == "inbound"
    # The trace has no row for the customer's first message (it is the arrival itself) nor
    # for the agent's first message of an outbound session (it is the outbound send).
    expected_customer = sessions["customer_messages"] - inbound.astype(int)
    expected_agent = sessions["agent_messages"] - (~inbound).astype(int)
    counted = per_session.reindex(sessions.index, fill_value=0)
    outbound_answered = (~inbound) & (sessions["customer_messages"] > 0)
    expected_customer[outbound_answered] -= 1  # the answer is traced as customer_answered
    assert (counted["agent_message"] == expected_agent).all()
    assert (counted["customer_message"] == expected_customer).all()
