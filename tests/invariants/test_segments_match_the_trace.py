"""Conversations advance in segments; counting with and without a trace must agree."""

from __future__ import annotations

import pandas as pd
import pytest
from scenario_builders import rich_scenario

from sim.model.simulate import simulate


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


@pytest.mark.parametrize(
    ("capacity_model", "logged_out_owner"),
    [("tab", "requeue"), ("status", "requeue"), ("status", "keep")],
)
def test_every_conversation_rests_in_a_consistent_phase_at_the_horizon(
    capacity_model, logged_out_owner
):
    # Conversations are driven by callbacks: between events each session must be waiting
    # for exactly one thing. Ended sessions have dropped their conversation state; open
    # ones wait for a timer they hold, or for a change of state, never "running".
    from sim.model.center import ContactCenter
    from sim.model.conversation_state import CHANGE_PHASES, TIMER_PHASES, Phase
    from sim.model.entities import SessionStatus
    from sim.model.simulate import replication_seed_sequence
    from sim.model.streams import RandomStreams

    scenario = rich_scenario(capacity_model, logged_out_owner=logged_out_owner)
    center = ContactCenter(scenario, RandomStreams(replication_seed_sequence(3, 0)))
    center.run()
    ended = [session.status == SessionStatus.ENDED for session in center.sessions]
    assert any(ended)
    states = [
        session.conversation for session, done in zip(center.sessions, ended, strict=True)
        if not done
    ]
    for session, done in zip(center.sessions, ended, strict=True):
        if done:
            assert session.conversation is None, session
    assert all(state is not None for state in states)
    phases = pd.Series([state.phase for state in states if state is not None])
    assert not (phases == Phase.RUNNING).any()
    for session, done in zip(center.sessions, ended, strict=True):
        state = session.conversation
        if done or state is None:
            continue
        # A pending wake (a change phase holding a timer) would have run before the horizon.
        assert (state.timer is not None) == (state.phase in TIMER_PHASES), session
        if state.phase in TIMER_PHASES:
            assert state.timer is not None and state.timer.callbacks  # not cancelled
    # The scenario is rich enough to leave sessions in several kinds of wait (a run of
    # messages and an outbound answer at least; status-based keeping the work of agents who
    # logged out also strands some until the horizon).
    waiting = set(phases) & (TIMER_PHASES | CHANGE_PHASES | {Phase.NOT_STARTED})
    assert {Phase.SEGMENT, Phase.ANSWER} <= waiting, waiting
    if logged_out_owner == "keep":
        assert Phase.STRANDED in waiting
    else:  # rules §4.4: nobody waits for an agent who has logged out
        from sim.model.entities import Presence

        for session in center.sessions:
            state, item = session.conversation, session.work_item
            if state is not None and state.phase == Phase.STRANDED and item is not None:
                assert item.agent.presence == Presence.OFFLINE, session
