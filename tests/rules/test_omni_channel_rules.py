"""One exact-trace test per Omni-Channel rule of docs/omni-channel-rules.md.

Each test builds a tiny scenario with fixed times (explicit arrival times, fixed reply
times, scheduled outages) so the whole event trace is known in advance.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pandas as pd
import pytest
from scenario_builders import ONE_AGENT_DESK

from sim.model.capacity import CAPACITY_MODELS
from sim.model.entities import MessagingSession, Presence, SessionStatus
from sim.model.simulate import simulate
from sim.scenario.schema import Scenario

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"


def build(changes: dict | None = None, **top: object) -> Scenario:
    """The base scenario with nested ``changes`` ("channels.0.x" style keys) applied."""
    raw = copy.deepcopy(ONE_AGENT_DESK)
    raw.update(top)
    for dotted, value in (changes or {}).items():
        node = raw
        *parents, last = dotted.split(".")
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
        if isinstance(node, list) and int(last) == len(node):
            node.append(value)
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return Scenario.model_validate(raw)


def events(result, session_id: int | None = None) -> list[tuple]:
    """The trace as (time, agent, event, status) rows, for one session or for agents."""
    trace = result.trace
    rows = trace[trace["session_id"] == (-1 if session_id is None else session_id)]
    return [
        (round(t, 6), agent, event, status)
        for t, agent, event, status in rows[["time", "agent_id", "event", "status"]].itertuples(
            index=False
        )
    ]


def test_conversation_trace_tab_based_close_tab_releases_capacity():
    # rules §3: End Chat does not free capacity; closing the tab does. The second
    # customer (t=150) waits for the tab of the first to close, not for End Chat.
    scenario = build({"channels.0.arrivals": {"times": [100, 150]}})
    result = simulate(scenario, trace=True)
    assert events(result, 0) == [
        (100, -1, "arrived", "Waiting"),
        (100, 0, "assigned", "Waiting"),
        (100, 0, "accepted", "Active"),
        (130, 0, "agent_message", "Active"),
        (190, -1, "customer_message", "Active"),
        (220, 0, "agent_message", "Active"),
        (220, 0, "end_chat", "Ended"),
        (240, 0, "tab_closed", "Ended"),
    ]
    second = result.sessions.iloc[1]
    assert second["accept_time"] == 240
    assert second["wait_s"] == 90
    first = result.sessions.iloc[0]
    assert (first["end_time"], first["release_time"], first["outcome"]) == (220, 240, "completed")


def test_status_based_end_chat_releases_capacity_at_once():
    # rules §4: Ended work consumes nothing; closing a tab is irrelevant.
    scenario = build({"channels.0.arrivals": {"times": [100, 150]}}, capacity_model="status")
    result = simulate(scenario, trace=True)
    assert [e for e in events(result, 0) if e[2] in ("end_chat", "tab_closed")] == [
        (220, 0, "end_chat", "Ended")
    ]
    assert result.sessions.iloc[0]["release_time"] == 220
    assert result.sessions.iloc[1]["accept_time"] == 220


def test_acw_maximum_caps_the_close_tab_delay():
    scenario = build(
        {
            "agent_groups.0.behaviour.close_tab_delay": "10m",
            "agent_groups.0.behaviour.after_conversation_work": {"enabled": True, "max": "45s"},
        }
    )
    result = simulate(scenario, trace=True)
    assert result.sessions.iloc[0]["release_time"] == 220 + 45


def test_offline_tab_based_session_returns_to_waiting_and_is_rerouted():
    # rules §3: the old work item ends Unavailable, capacity is released, the session
    # becomes Waiting and goes to an available agent, keeping its age.
    scenario = build(
        {
            "agent_groups.0.disconnections": {"outages": [{"start": 110, "duration": "10m"}]},
            "agent_groups.1": {
                "name": "b",
                "shifts": [{"start": 0, "end": "4h", "agents": 1}],
                "capacity": 1,
                "queues": ["q"],
                "behaviour": {"reply_time": "30s", "close_tab_delay": "20s"},
            },
        }
    )
    result = simulate(scenario, trace=True)
    # Agent 0 gets the session (ties go to the agent idle longest; both never had work).
    assert events(result, 0)[:6] == [
        (100, -1, "arrived", "Waiting"),
        (100, 0, "assigned", "Waiting"),
        (100, 0, "accepted", "Active"),
        (110, 0, "unavailable", "Active"),
        (110, 1, "assigned", "Waiting"),
        (110, 1, "accepted", "Active"),
    ]
    # Agent 1 answers with a fresh reply time from the moment it accepts.
    assert events(result, 0)[6] == (140, 1, "agent_message", "Active")
    row = result.sessions.iloc[0]
    assert (row["reroutes"], row["agents"], row["stranded_s"]) == (1, 2, 0.0)
    assert row["wait_s"] == 0.0  # speed to answer is measured at the first acceptance


def test_offline_status_based_session_stays_and_is_stranded():
    # rules §4: the session stays with the offline agent and still counts against
    # its capacity; the customer's message waits until the agent is back.
    scenario = build(
        {
            "agent_groups.0.disconnections": {"outages": [{"start": 110, "duration": "10m"}]},
            "channels.0.arrivals": {"times": [100, 120]},
        },
        capacity_model="status",
    )
    result = simulate(scenario, trace=True)
    first = events(result, 0)
    assert first[:5] == [
        (100, -1, "arrived", "Waiting"),
        (100, 0, "assigned", "Waiting"),
        (100, 0, "accepted", "Active"),
        (110, 0, "stranded", "Active"),
        (730, 0, "agent_message", "Active"),  # back at 710, then the 20 s left of 30 s
    ]
    assert result.sessions.iloc[0]["stranded_s"] == pytest.approx(600.0)
    assert result.sessions.iloc[0]["reroutes"] == 0
    # Capacity stayed held: the second customer is only served after the first ends.
    assert result.sessions.iloc[1]["accept_time"] == result.sessions.iloc[0]["end_time"]
    agents = events(result)
    assert (110, 0, "offline", "offline") in agents
    assert (710, 0, "available", "available") in agents


def test_logout_tab_based_ends_ongoing_sessions():
    # rules §3: logging out closes assigned work and ongoing sessions end.
    scenario = build(
        {
            "agent_groups.0.shifts": [{"start": 0, "end": 150, "agents": 1}],
            "agent_groups.0.shift_end": "logout",
        }
    )
    result = simulate(scenario, trace=True)
    assert events(result, 0)[-2:] == [
        (130, 0, "agent_message", "Active"),
        (150, 0, "ended_by_logout", "Ended"),
    ]
    assert (150, 0, "logout", "logged_out") in events(result)
    row = result.sessions.iloc[0]
    assert (row["outcome"], row["end_time"], row["release_time"]) == ("ended_by_logout", 150, 150)


def test_logout_requeue_option_sends_sessions_back_to_waiting():
    scenario = build(
        {
            "agent_groups.0.shifts": [{"start": 0, "end": 150, "agents": 1}],
            "agent_groups.0.shift_end": "logout",
            "agent_groups.1": {
                "name": "late",
                "shifts": [{"start": 400, "end": "4h", "agents": 1}],
                "capacity": 1,
                "queues": ["q"],
                "behaviour": {"reply_time": "30s"},
            },
        },
        logout_sessions="requeue",
    )
    result = simulate(scenario, trace=True)
    trace = events(result, 0)
    assert (150, 0, "unavailable", "Active") in trace
    assert (400, 1, "accepted", "Active") in trace
    assert result.sessions.iloc[0]["outcome"] == "completed"


def test_logout_status_based_keeps_sessions_with_the_agent():
    # rules §4.7: logging out does not release status-based capacity; with
    # logged_out_owner: keep the session also stays with the agent when it needs a reply.
    scenario = build(
        {
            "agent_groups.0.shifts": [
                {"start": 0, "end": 150, "agents": 1},
            ],
            "agent_groups.0.shift_end": "logout",
        },
        capacity_model="status",
        logged_out_owner="keep",
    )
    result = simulate(scenario, trace=True)
    row = result.sessions.iloc[0]
    assert row["outcome"] == "open_at_horizon"
    assert row["stranded_s"] > 0
    assert result.agents.iloc[0]["online_s"] == 150


def test_drain_finishes_open_sessions_then_logs_out():
    scenario = build({"agent_groups.0.shifts": [{"start": 0, "end": 150, "agents": 1}]})
    result = simulate(scenario, trace=True)
    assert result.sessions.iloc[0]["outcome"] == "completed"
    agents = events(result)
    assert (150, 0, "draining", "draining") in agents
    assert (240, 0, "logout", "logged_out") in agents  # after the tab closes at 240


def test_push_timeout_reroutes_and_sets_agent_away():
    # rules §2: the push timeout expires, the item goes to another agent, not back to
    # the first while others are eligible, and the first agent turns away for 2 minutes.
    scenario = build(
        {
            "channels.0.auto_accept": False,
            "queues.0.push_timeout": "20s",
            "agent_groups.0.agents": 2,
            "agent_groups.0.behaviour.accept_delay": "25s",
        }
    )
    result = simulate(scenario, trace=True)
    trace = events(result, 0)
    assert trace[:6] == [
        (100, -1, "arrived", "Waiting"),
        (100, 0, "assigned", "Waiting"),
        (120, 0, "push_timeout", "Waiting"),
        (120, 1, "assigned", "Waiting"),  # not back to agent 0 while agent 1 has room
        (140, 1, "push_timeout", "Waiting"),
        (240, 0, "assigned", "Waiting"),  # both away: it waits until agent 0 is back
    ]
    agents = events(result)
    assert (120, 0, "away", "away") in agents
    assert (240, 0, "available", "available") in agents
    # These agents never accept in time: every push ends on the timeout and is rerouted.
    timeouts = sum(1 for row in trace if row[2] == "push_timeout")
    assert result.sessions.iloc[0]["reroutes"] == timeouts
    assert result.sessions.iloc[0]["outcome"] == "open_at_horizon"


def test_decline_goes_to_another_agent_with_room():
    scenario = build(
        {
            "channels.0.auto_accept": False,
            "agent_groups.0.agents": 2,
            "agent_groups.0.behaviour.decline_probability": 1.0,
            "agent_groups.0.behaviour.away_after_decline": "0s",
        }
    )
    result = simulate(scenario, trace=True)
    trace = events(result, 0)
    assert trace[1:6] == [
        (100, 0, "assigned", "Waiting"),
        (105, 0, "declined", "Waiting"),
        (105, 1, "assigned", "Waiting"),
        (110, 1, "declined", "Waiting"),
        (110, 0, "assigned", "Waiting"),  # only decliners remain: back to the first
    ]


def _silent_scenario(capacity_model: str, returns: bool) -> Scenario:
    return build(
        {
            "channels.0.customers": {
                "exchanges": 3,
                "reply_time": "60s",
                "silent_probability": 1.0,
                "return_probability": 1.0 if returns else 0.0,
                "return_delay": "1h",
            },
            "channels.0.arrivals": {"times": [100, 200]},
            "agent_groups.0.agents": 2,
            "agent_groups.0.behaviour.inactivate_after": "10m",
        },
        capacity_model=capacity_model,
        horizon="3d",
    )


def test_status_based_inactive_returns_to_same_agent_over_capacity():
    # rules §4: Inactive work consumes the paused weight (0); the customer's return
    # goes back to the same agent and consumes capacity again, even over capacity.
    result = simulate(_silent_scenario("status", returns=True), trace=True)
    trace = events(result, 0)
    inactive = [e for e in trace if e[2] == "inactive"]
    assert inactive == [(130 + 600, 0, "inactive", "Inactive")]
    returned = [e for e in trace if e[2] == "customer_returned"]
    assert returned == [(130 + 3600, 0, "customer_returned", "Active")]
    assert result.sessions.iloc[0]["agents"] == 1


def test_tab_based_inactive_return_is_routed_afresh():
    # rules §3: the agent closes the Inactive session's tab; a reply sends the session
    # to Waiting and it is routed to an available agent.
    result = simulate(_silent_scenario("tab", returns=True), trace=True)
    trace = events(result, 0)
    assert (730, 0, "inactive", "Inactive") in trace
    assert (750, 0, "tab_closed", "Inactive") in trace
    assert [e[2:] for e in trace if e[0] == 3730] == [
        ("customer_returned", "Waiting"),
        ("assigned", "Waiting"),
        ("accepted", "Active"),
        ("customer_message", "Active"),
    ]


@pytest.mark.parametrize("capacity_model", ["tab", "status"])
def test_inactive_session_times_out_after_24_to_30_hours(capacity_model):
    # rules §5: an Inactive session ends at the first clean-up run after 24 h.
    result = simulate(_silent_scenario(capacity_model, returns=False), trace=True)
    row = result.sessions.iloc[0]
    assert row["outcome"] == "timed_out"
    inactive_at = 730
    assert 24 * 3600 <= row["end_time"] - inactive_at < 30 * 3600


@pytest.mark.parametrize(
    ("channel_type", "low_h", "high_h"),
    [("standard_sms", 24, 30), ("enhanced_whatsapp", 48, 54)],
)
def test_unanswered_outbound_times_out_by_channel_kind(channel_type, low_h, high_h):
    # rules §5 (the seed article): 24 h on standard channels, 48-54 h on enhanced ones.
    scenario = build(
        {
            "channels.0.type": channel_type,
            "channels.0.arrivals": None,
            "channels.0.outbound": {
                "arrivals": {"times": [1000 * k for k in range(20)]},
                "answer_probability": 0.0,
            },
        },
        horizon="4d",
    )
    for seed in range(3):  # the sweep's phase differs per seed
        result = simulate(scenario, seed=seed, trace=True)
        ages = (result.sessions["end_time"] - result.sessions["arrival_time"]) / 3600
        assert set(result.sessions["outcome"]) == {"timed_out"}
        assert ages.min() >= low_h and ages.max() < high_h
        assert result.sessions["release_time"].notna().all()
        first = events(result, 0)
        assert first[0] == (0, 0, "outbound_sent", "New")
        assert first[-1][2:] == ("timed_out", "Ended")


def test_outbound_answer_status_based_goes_to_owner_without_queueing():
    # rules §4: outbound sessions use no capacity until the customer answers; the
    # answer routes back to the same agent.
    scenario = build(
        {
            "channels.0.arrivals": None,
            "channels.0.outbound": {
                "arrivals": {"times": [100]},
                "answer_probability": 1.0,
                "answer_delay": "5m",
            },
        },
        capacity_model="status",
    )
    result = simulate(scenario, trace=True)
    trace = events(result, 0)
    assert trace[:3] == [
        (100, 0, "outbound_sent", "New"),
        (400, 0, "customer_answered", "Active"),
        (430, 0, "agent_message", "Active"),
    ]


@pytest.mark.parametrize(
    ("channel_type", "model", "action", "ended"),
    [
        ("standard_sms", "tab", "per_row", True),  # per-row End Session: standard only
        ("enhanced_sms", "tab", "per_row", False),
        ("enhanced_sms", "tab", "bulk", True),  # End Sessions on a selection: any channel
        ("enhanced_sms", "status", "bulk", True),  # a New session is not Inactive
        ("enhanced_sms", "status", "per_row", False),
        ("standard_sms", "status", "per_row", True),  # a standard channel stays tab-based
    ],
)
def test_supervisor_list_view_end(channel_type, model, action, ended):
    # Seed article (rules §6.4): End Session per row in standard channels only; End
    # Sessions on a selection, except an Inactive session under status-based capacity.
    scenario = build(
        {
            "channels.0.type": channel_type,
            "channels.0.arrivals": None,
            "channels.0.outbound": {"arrivals": {"times": [100]}, "answer_probability": 0},
        },
        supervisor={"enabled": True, "period": "1h", "idle_limit": "2h", "action": action},
        horizon="10h",
        capacity_model=model,
    )
    session = simulate(scenario, trace=True).sessions.iloc[0]
    if ended:
        assert session["outcome"] == "ended_by_supervisor"
        assert session["end_time"] == 3 * 3600  # first supervisor run with 2 h of idleness
    else:
        assert session["outcome"] == "open_at_horizon"


def test_supervisor_never_ends_inactive_sessions_under_status_based():
    # Seed article: under status-based capacity End Session is not available for Inactive.
    status = CAPACITY_MODELS["status"]
    tab = CAPACITY_MODELS["tab"]

    class EnhancedChannel:
        kind = "enhanced"

    session = MessagingSession(0, EnhancedChannel(), "inbound", 0.0, plan=None)  # type: ignore[arg-type]
    session.status = SessionStatus.INACTIVE
    assert not status.supervisor_may_end(session, "bulk")
    assert tab.supervisor_may_end(session, "bulk")
    assert not tab.supervisor_may_end(session, "per_row")  # per row: standard only
    session.status = SessionStatus.NEW
    assert status.supervisor_may_end(session, "bulk")
    assert not status.supervisor_may_end(session, "per_row")


def test_capacity_models_decide_what_follows_end_chat_offline_logout_and_answers():
    # Rules 3 and 4 as decisions: tab-based closes the tab later and reroutes or ends the
    # work of an agent who leaves; status-based keeps it with the agent.
    from sim.model.capacity import Destination, Release, WorkFate
    from sim.model.entities import Agent, WorkItem, WorkStatus

    class Group:
        pass

    class Channel:
        kind = "enhanced"
        size = 1.0
        paused_capacity_weight = 0.0

    agent = Agent(0, Group(), 2.0, frozenset({"q"}))  # type: ignore[arg-type]
    session = MessagingSession(0, Channel(), "inbound", 0.0, plan=None)  # type: ignore[arg-type]
    item = WorkItem(0, session, agent, 1.0, 0.0)
    status, tab = CAPACITY_MODELS["status"], CAPACITY_MODELS["tab"]
    assert tab.on_agent_offline(item) is WorkFate.REQUEUE  # pushed, not yet accepted
    assert status.on_agent_offline(item) is WorkFate.REQUEUE
    item.status = WorkStatus.OPENED
    session.status = SessionStatus.ACTIVE
    assert tab.end_chat_release(False) is Release.CLOSE_TAB_LATER
    assert tab.end_chat_release(True) is Release.CLOSE_TAB_LATER
    assert status.end_chat_release(False) is Release.BY_STATUS
    assert status.end_chat_release(True) is Release.CLOSE_TAB_LATER  # wrap-up (rules §4.9)
    assert tab.on_inactive(item) is Release.CLOSE_TAB_LATER
    assert status.on_inactive(item) is Release.BY_STATUS
    assert tab.on_agent_offline(item) is WorkFate.REQUEUE
    assert status.on_agent_offline(item) is WorkFate.KEEP
    assert tab.on_agent_logout(item, "end") is WorkFate.END_SESSION
    assert tab.on_agent_logout(item, "requeue") is WorkFate.REQUEUE
    assert status.on_agent_logout(item, "end") is WorkFate.KEEP
    assert tab.holds_during_drain(item) and status.holds_during_drain(item)
    session.status = SessionStatus.INACTIVE
    assert tab.on_agent_offline(item) is WorkFate.CLOSE
    assert tab.on_agent_logout(item, "end") is WorkFate.CLOSE
    assert tab.holds_during_drain(item) and not status.holds_during_drain(item)
    agent.presence = Presence.AVAILABLE
    assert status.return_goes_to(item, False, "requeue") is Destination.SAME_AGENT
    assert tab.return_goes_to(item, True, "requeue") is Destination.QUEUE  # tab still open
    agent.used = 2.0  # full: the return fits only over capacity
    assert status.return_goes_to(item, False, "requeue") is Destination.QUEUE
    assert status.return_goes_to(item, True, "requeue") is Destination.SAME_AGENT
    assert tab.answer_goes_to(session, agent, True, "requeue") is Destination.QUEUE
    assert status.answer_goes_to(session, agent, True, "requeue") is Destination.SAME_AGENT
    assert status.answer_goes_to(session, None, True, "requeue") is Destination.QUEUE
    assert status.on_agent_needed_absent(item, "requeue") is WorkFate.KEEP
    agent.presence = Presence.OFFLINE  # coming back: the work stays (rules §4.6)
    assert status.on_agent_needed_absent(item, "requeue") is WorkFate.KEEP
    assert status.return_goes_to(item, True, "requeue") is Destination.SAME_AGENT
    agent.presence = Presence.LOGGED_OUT  # never coming back for it (rules §4.4)
    assert status.on_agent_needed_absent(item, "requeue") is WorkFate.REQUEUE
    assert status.on_agent_needed_absent(item, "keep") is WorkFate.KEEP
    assert status.return_goes_to(item, True, "requeue") is Destination.REQUEUE
    assert status.return_goes_to(item, True, "keep") is Destination.SAME_AGENT
    assert status.answer_goes_to(session, agent, True, "requeue") is Destination.REQUEUE
    assert status.answer_goes_to(session, agent, True, "keep") is Destination.SAME_AGENT


def test_standard_channel_stays_tab_based_in_a_status_based_center():
    # rules §1.5: status-based capacity is set per service channel and exists for enhanced
    # channels only; a standard SMS session holds capacity until its tab closes.
    def release_times(first: str) -> tuple[float, float]:
        scenario = build(
            {
                "channels.0.arrivals": {"times": [100] if first == "web" else [150]},
                "channels.1": {
                    "name": "sms", "type": "standard_sms", "queue": "q", "auto_accept": True,
                    "arrivals": {"times": [100] if first == "sms" else [150]},
                    "customers": {"exchanges": 2, "reply_time": "60s"},
                },
            },
            capacity_model="status",
        )
        assert scenario.tab_based_channels() == ["sms"]
        sessions = simulate(scenario, trace=True).sessions.set_index("channel")
        return sessions.loc[first, "release_time"], sessions.loc[first, "acw_s"]

    assert release_times("sms") == (240, 20)  # End Chat 220, tab closed 20 s later
    assert release_times("web") == (220, 0)  # status-based: released at End Chat


def test_patience_abandons_waiting_session():
    scenario = build(
        {
            "channels.0.arrivals": {"times": [100, 110]},
            "channels.0.customers.patience": "60s",
        }
    )
    result = simulate(scenario, trace=True)
    assert events(result, 1) == [
        (110, -1, "arrived", "Waiting"),
        (170, -1, "abandoned", "Ended"),
    ]
    row = result.sessions.iloc[1]
    assert row["outcome"] == "abandoned" and math.isnan(row["wait_s"])


def test_routing_priority_then_age():
    # rules §2: lower priority number first, then oldest first.
    raw_channels = [
        {
            "name": "low",
            "type": "enhanced_web_chat",
            "queue": "q_low",
            "auto_accept": True,
            "arrivals": {"times": [10]},
            "customers": {"exchanges": 1},
        },
        {
            "name": "high",
            "type": "enhanced_whatsapp",
            "queue": "q_high",
            "auto_accept": True,
            "arrivals": {"times": [20]},
            "customers": {"exchanges": 1},
        },
    ]
    scenario = build(
        {
            "agent_groups.0.queues": ["q_low", "q_high"],
            "agent_groups.0.shifts": [{"start": 60, "end": "4h", "agents": 1}],
        },
        channels=raw_channels,
        queues=[{"name": "q_low", "priority": 2}, {"name": "q_high", "priority": 1}],
    )
    sessions = simulate(scenario).sessions.set_index("channel")
    assert sessions.loc["high", "accept_time"] == 60
    assert sessions.loc["low", "accept_time"] == 60 + 30 + 20  # after the tab closes


@pytest.mark.parametrize(
    ("routing_model", "first_three", "fourth"),
    [("most_available", [0, 0, 1], 0), ("least_active", [0, 1, 0], 1)],
)
def test_routing_models_choose_differently(routing_model, first_three, fourth):
    # rules §2. Agent 0 has capacity 4, agent 1 capacity 2; work never ends here.
    # Most available: largest free capacity (4>2, 3>2, tie 2=2 goes to agent 1 who never
    # had work, then 2>1). Least active: fewest open items (tie 0=0 to the first, 1>0,
    # tie 1=1 to agent 0 who got work longest ago, then 2>1).
    scenario = build(
        {
            "queues.0.routing_model": routing_model,
            "channels.0.arrivals": {"times": [10, 11, 12, 50]},
            "channels.0.customers": {"exchanges": 1},
            "agent_groups.0.capacity": 4,
            "agent_groups.0.behaviour.reply_time": "1h",
            "agent_groups.1": {
                "name": "b",
                "agents": 1,
                "capacity": 2,
                "queues": ["q"],
                "behaviour": {"reply_time": "1h"},
            },
        }
    )
    sessions = simulate(scenario).sessions
    assert sessions["agent_id"].tolist() == [*first_three, fourth]


def test_status_based_drain_ends_when_only_inactive_work_remains():
    # rules §4 and §6: a draining agent finishes its Active sessions; Inactive ones stay
    # with it (status-based) and do not keep it logged in.
    scenario = build(
        {
            "channels.0.customers": {
                "exchanges": 3,
                "reply_time": "60s",
                "silent_probability": 1.0,
                "return_probability": 0.0,
            },
            "agent_groups.0.shifts": [{"start": 0, "end": 300, "agents": 1}],
            "agent_groups.0.behaviour.inactivate_after": "10m",
        },
        capacity_model="status",
    )
    result = simulate(scenario, trace=True)
    agents = events(result)
    assert (300, 0, "draining", "draining") in agents
    assert (730, 0, "logout", "logged_out") in agents  # when the session turns Inactive
    assert result.sessions.iloc[0]["outcome"] == "open_at_horizon"


def test_break_makes_agent_away_and_open_work_continues():
    # rules §6: busy/away takes no new work; existing work continues.
    scenario = build(
        {
            "agent_groups.0.shifts": [
                {"start": 0, "end": "4h", "agents": 1, "breaks": [{"after": 110, "duration": 200}]}
            ],
            "channels.0.arrivals": {"times": [100, 150]},
            "agent_groups.0.capacity": 2,
        }
    )
    result = simulate(scenario, trace=True)
    agents = events(result)
    assert (110, 0, "away", "away") in agents
    assert (310, 0, "available", "available") in agents
    assert result.sessions.iloc[0]["end_time"] == 220  # the open chat went on
    assert result.sessions.iloc[1]["accept_time"] == 310  # new work waited for the break


LATE_AGENT: dict = {
    "name": "late",
    "shifts": [{"start": 400, "end": "4h", "agents": 1}],
    "capacity": 1,
    "queues": ["q"],
    "behaviour": {"reply_time": "30s"},
}


def _logout_mid_reply(logged_out_owner: str) -> Scenario:
    return build(
        {
            "agent_groups.0.shifts": [{"start": 0, "end": 120, "agents": 1}],
            "agent_groups.0.shift_end": "logout",
            "agent_groups.1": LATE_AGENT,
        },
        capacity_model="status",
        horizon="1h",
        logged_out_owner=logged_out_owner,
    )


def test_status_based_logout_mid_reply_requeues_the_session():
    # rules §4.4: no reply waits for an agent who has logged out. At its agent's next
    # reply (due at 130) the session goes back to Waiting, keeping its age, and the next
    # agent to log in (t=400) takes it.
    result = simulate(_logout_mid_reply("requeue"), trace=True)
    assert events(result, 0) == [
        (100, -1, "arrived", "Waiting"),
        (100, 0, "assigned", "Waiting"),
        (100, 0, "accepted", "Active"),
        (120, 0, "unavailable", "Active"),  # the logout at 120 cuts the reply short
        (400, 1, "assigned", "Waiting"),
        (400, 1, "accepted", "Active"),
        (430, 1, "agent_message", "Active"),
        (490, -1, "customer_message", "Active"),
        (520, 1, "agent_message", "Active"),
        (520, 1, "end_chat", "Ended"),
    ]
    row = result.sessions.iloc[0]
    assert (row["outcome"], row["reroutes"], row["stranded_s"]) == ("completed", 1, 0.0)
    assert row["wait_s"] == 0.0  # speed to answer is measured at the first acceptance


def test_status_based_logout_mid_reply_keep_strands_the_customer():
    # logged_out_owner: keep (the old rule): the session stays with the logged-out agent,
    # who cannot reply; the agent who logs in later never gets it.
    result = simulate(_logout_mid_reply("keep"), trace=True)
    assert events(result, 0) == [
        (100, -1, "arrived", "Waiting"),
        (100, 0, "assigned", "Waiting"),
        (100, 0, "accepted", "Active"),
        (120, 0, "stranded", "Active"),
    ]
    row = result.sessions.iloc[0]
    assert row["agent_messages"] == 0
    assert row["stranded_s"] == 3600 - 120
    assert row["outcome"] == "open_at_horizon"


DAY_AGENT: dict = {
    "name": "day",
    "shifts": [{"start": 150, "end": "3d", "agents": 1}],
    "capacity": 1,
    "queues": ["q"],
    "behaviour": {"reply_time": "30s"},
}


def _inactive_at_logout(logged_out_owner: str) -> Scenario:
    # Agent 0 drains at 300 and logs out when its session turns Inactive (730); the
    # customer writes again at 3730.
    return build(
        {
            "channels.0.customers": {
                "exchanges": 3,
                "reply_time": "60s",
                "silent_probability": 1.0,
                "return_probability": 1.0,
                "return_delay": "1h",
            },
            "agent_groups.0.shifts": [{"start": 0, "end": 300, "agents": 1}],
            "agent_groups.0.behaviour.inactivate_after": "10m",
            "agent_groups.1": DAY_AGENT,
        },
        capacity_model="status",
        horizon="2h",
        logged_out_owner=logged_out_owner,
    )


def test_status_based_return_to_logged_out_owner_is_routed():
    # rules §4.4: the customer writes again after its agent logged out: the session goes
    # to Waiting and is routed to an agent who is there.
    result = simulate(_inactive_at_logout("requeue"), trace=True)
    assert (730, 0, "logout", "logged_out") in events(result)
    assert events(result, 0) == [
        (100, -1, "arrived", "Waiting"),
        (100, 0, "assigned", "Waiting"),
        (100, 0, "accepted", "Active"),
        (130, 0, "agent_message", "Active"),
        (730, 0, "inactive", "Inactive"),
        (3730, -1, "customer_returned", "Waiting"),
        (3730, 1, "assigned", "Waiting"),
        (3730, 1, "accepted", "Active"),
        (3730, -1, "customer_message", "Active"),
        (3760, 1, "agent_message", "Active"),
        (3820, -1, "customer_message", "Active"),
        (3850, 1, "agent_message", "Active"),
        (3850, 1, "end_chat", "Ended"),
    ]
    row = result.sessions.iloc[0]
    assert (row["outcome"], row["agents"], row["stranded_s"]) == ("completed", 2, 0.0)


def test_status_based_return_to_logged_out_owner_keep_strands():
    result = simulate(_inactive_at_logout("keep"), trace=True)
    assert events(result, 0)[-3:] == [
        (3730, 0, "customer_returned", "Active"),
        (3730, -1, "customer_message", "Active"),
        (3730, 0, "stranded", "Active"),
    ]
    assert result.sessions.iloc[0]["stranded_s"] == 7200 - 3730


def _outbound_after_logout(logged_out_owner: str) -> Scenario:
    # Agent 0 sends at 100 and logs out at 200 (nothing holds it); the answer comes at 400.
    return build(
        {
            "channels.0.arrivals": None,
            "channels.0.outbound": {
                "arrivals": {"times": [100]},
                "answer_probability": 1.0,
                "answer_delay": "5m",
            },
            "agent_groups.0.shifts": [{"start": 0, "end": 200, "agents": 1}],
            "agent_groups.1": DAY_AGENT,
        },
        capacity_model="status",
        horizon="1h",
        logged_out_owner=logged_out_owner,
    )


def test_status_based_outbound_answer_to_logged_out_owner_is_routed():
    # rules §4.4: the answer to an outbound session whose agent logged out is routed.
    result = simulate(_outbound_after_logout("requeue"), trace=True)
    assert (200, 0, "logout", "logged_out") in events(result)
    assert events(result, 0) == [
        (100, 0, "outbound_sent", "New"),
        (400, -1, "customer_answered", "Waiting"),
        (400, 1, "assigned", "Waiting"),
        (400, 1, "accepted", "Active"),
        (430, 1, "agent_message", "Active"),
        (490, -1, "customer_message", "Active"),
        (520, 1, "agent_message", "Active"),
        (520, 1, "end_chat", "Ended"),
    ]
    assert result.sessions.iloc[0]["outcome"] == "completed"


def test_status_based_outbound_answer_to_logged_out_owner_keep_strands():
    result = simulate(_outbound_after_logout("keep"), trace=True)
    assert events(result, 0) == [
        (100, 0, "outbound_sent", "New"),
        (400, 0, "customer_answered", "Active"),
        (400, 0, "stranded", "Active"),
    ]
    assert result.sessions.iloc[0]["stranded_s"] == 3600 - 400


def test_status_based_offline_owner_at_shift_end_strands_then_requeues():
    # rules §4.4, §4.6: an offline agent keeps the session (stranded); when it reconnects
    # after its shift ended it logs out, and the waiting reply is routed to another agent.
    scenario = build(
        {
            "agent_groups.0.shifts": [{"start": 0, "end": 300, "agents": 1}],
            "agent_groups.0.shift_end": "logout",
            "agent_groups.0.disconnections": {"outages": [{"start": 110, "duration": "10m"}]},
            "agent_groups.1": DAY_AGENT,
        },
        capacity_model="status",
    )
    result = simulate(scenario, trace=True)
    assert events(result, 0) == [
        (100, -1, "arrived", "Waiting"),
        (100, 0, "assigned", "Waiting"),
        (100, 0, "accepted", "Active"),
        (110, 0, "stranded", "Active"),
        (710, 0, "unavailable", "Active"),
        (710, 1, "assigned", "Waiting"),
        (710, 1, "accepted", "Active"),
        (740, 1, "agent_message", "Active"),
        (800, -1, "customer_message", "Active"),
        (830, 1, "agent_message", "Active"),
        (830, 1, "end_chat", "Ended"),
    ]
    row = result.sessions.iloc[0]
    assert (row["stranded_s"], row["reroutes"]) == (600.0, 1)


def test_tab_based_return_while_tab_open_is_routed_to_any_agent():
    # rules §3.7: the customer writes again before the agent closed the Inactive
    # session's tab; the session still goes to Waiting and is routed (here to the other
    # agent, idle longest). The old work item closes and its tab close (due at 7930) is
    # called off.
    scenario = build(
        {
            "channels.0.customers": {
                "exchanges": 3,
                "reply_time": "60s",
                "silent_probability": 1.0,
                "return_probability": 1.0,
                "return_delay": "1h",
            },
            "agent_groups.0.agents": 2,
            "agent_groups.0.behaviour.inactivate_after": "10m",
            "agent_groups.0.behaviour.close_tab_delay": "2h",
        },
    )
    result = simulate(scenario, trace=True)
    assert events(result, 0) == [
        (100, -1, "arrived", "Waiting"),
        (100, 0, "assigned", "Waiting"),
        (100, 0, "accepted", "Active"),
        (130, 0, "agent_message", "Active"),
        (730, 0, "inactive", "Inactive"),
        (3730, -1, "customer_returned", "Waiting"),
        (3730, 1, "assigned", "Waiting"),
        (3730, 1, "accepted", "Active"),
        (3730, -1, "customer_message", "Active"),
        (3760, 1, "agent_message", "Active"),
        (3820, -1, "customer_message", "Active"),
        (3850, 1, "agent_message", "Active"),
        (3850, 1, "end_chat", "Ended"),
        (11050, 1, "tab_closed", "Ended"),
    ]
    row = result.sessions.iloc[0]
    assert (row["agents"], row["release_time"]) == (2, 11050)


def test_segments_count_messages_due_before_the_horizon():
    # A conversation cut by the horizon counts exactly the messages sent before it.
    scenario = build(horizon=200)  # messages at 130 (agent) and 190 (customer); next at 220
    row = simulate(scenario).sessions.iloc[0]
    assert (row["agent_messages"], row["customer_messages"]) == (1, 2)
    assert row["outcome"] == "open_at_horizon"


# ------------------------------------------------------- wrap-up and customers who leave
@pytest.mark.parametrize("model", ["tab", "status"])
def test_after_conversation_work_holds_capacity_under_both_models(model):
    # rules §3.3 and §4.9: ACW is a setting of the service channel, not of the capacity
    # model; status-based work stays applied to capacity until the wrap-up ends.
    scenario = build(
        {
            "channels.0.arrivals": {"times": [100, 150]},
            "agent_groups.0.behaviour.after_conversation_work": {"enabled": True, "max": "60s"},
        },
        capacity_model=model,
    )
    result = simulate(scenario, trace=True)
    assert [e for e in events(result, 0) if e[2] in ("end_chat", "tab_closed")] == [
        (220, 0, "end_chat", "Ended"),
        (240, 0, "tab_closed", "Ended"),  # All Done 20 s after End Chat
    ]
    first, second = result.sessions.iloc[0], result.sessions.iloc[1]
    assert (first["release_time"], first["acw_s"], first["handle_time_s"]) == (240, 20, 140)
    assert second["accept_time"] == 240
    capped = build(
        {
            "agent_groups.0.behaviour.close_tab_delay": "10m",
            "agent_groups.0.behaviour.after_conversation_work": {"enabled": True, "max": "45s"},
        },
        capacity_model=model,
    )
    assert simulate(capped).sessions.iloc[0]["acw_s"] == 45


def test_status_based_drain_waits_for_the_wrap_up():
    # rules §4.9, §6.2: a draining agent logs out after All Done, not at End Chat.
    def logout_times(acw: bool) -> list[float]:
        scenario = build(
            {
                "agent_groups.0": {
                    "name": "a", "capacity": 1, "queues": ["q"],
                    "shifts": [{"start": 0, "end": 200, "agents": 1}],
                    "behaviour": {"reply_time": "30s", "close_tab_delay": "20s",
                                  "after_conversation_work": {"enabled": acw, "max": "60s"}},
                },
            },
            capacity_model="status",
        )
        return [e[0] for e in events(simulate(scenario, trace=True)) if e[2] == "logout"]

    assert logout_times(acw=True) == [240]  # End Chat at 220, All Done 20 s later
    assert logout_times(acw=False) == [220]


@pytest.mark.parametrize(("model", "release"), [("tab", 210), ("status", 190)])
def test_customer_ends_the_conversation(model, release):
    # rules §5.6: instead of answering the agent's first message (at 130), the customer
    # ends the conversation after her reply time (60 s): EndedByType EndUser.
    scenario = build({"channels.0.customers.end_probability": 1.0}, capacity_model=model)
    result = simulate(scenario, trace=True)
    closed = [(release, 0, "tab_closed", "Ended")] if model == "tab" else []
    assert events(result, 0)[3:] == [
        (130, 0, "agent_message", "Active"),
        (190, 0, "ended_by_customer", "Ended"),
        *closed,
    ]
    session = result.sessions.iloc[0]
    assert (session["outcome"], session["end_time"]) == ("ended_by_customer", 190)
    assert (session["customer_messages"], session["agent_messages"]) == (1, 1)
    assert session["release_time"] == release  # as after End Chat: tab close 20 s later


@pytest.mark.parametrize("model", ["tab", "status"])
def test_response_patience_ends_a_slow_reply(model):
    # rules §5.7: the agent's first reply takes 30 s from the acceptance at 100; a customer
    # who waits 20 s for it leaves at 120.
    scenario = build({"channels.0.customers.response_patience": "20s"}, capacity_model=model)
    result = simulate(scenario, trace=True)
    closed = [(140, 0, "tab_closed", "Ended")] if model == "tab" else []
    assert events(result, 0)[2:] == [
        (100, 0, "accepted", "Active"),
        (120, 0, "left_unanswered", "Ended"),
        *closed,
    ]
    session = result.sessions.iloc[0]
    assert (session["outcome"], session["end_time"], session["agent_messages"]) == (
        "left_unanswered", 120, 0)
    patient = simulate(build({"channels.0.customers.response_patience": "31s"},
                             capacity_model=model)).sessions.iloc[0]
    assert (patient["outcome"], patient["end_time"]) == ("completed", 220)


@pytest.mark.parametrize(("model", "wait_column"), [("tab", "requeued_wait_s"),
                                                    ("status", "stranded_s")])
def test_response_patience_ends_the_wait_for_an_offline_agent(model, wait_column):
    # rules §5.7 with §3.4 / §4.6: the only agent drops offline at 110 for 10 minutes;
    # the customer, waiting for the first reply since 100, leaves at 100 + 5 min either way
    # (tab-based: Waiting in the queue again; status-based: stranded with the agent).
    scenario = build(
        {
            "channels.0.customers.response_patience": "5m",
            "agent_groups.0.disconnections": {"outages": [{"start": 110, "duration": "10m"}]},
        },
        capacity_model=model,
    )
    session = simulate(scenario, trace=True).sessions.iloc[0]
    assert (session["outcome"], session["end_time"]) == ("left_unanswered", 400)
    assert session[wait_column] == pytest.approx(290)
    assert session["wait_after_answer_s"] == pytest.approx(290)


def test_silent_turn_first_makes_silent_abandoners():
    # rules §5.5: with silent_turn first, a silent customer never answers the agent's
    # first message, so the session goes Inactive after the inactivation delay.
    scenario = build(
        {
            "channels.0.customers.exchanges": 4,
            "channels.0.customers.silent_probability": 1.0,
            "channels.0.customers.silent_turn": "first",
        },
        capacity_model="status",
    )
    session_events = events(simulate(scenario, trace=True), 0)
    assert [e[2] for e in session_events][-3:] == ["accepted", "agent_message", "inactive"]
    assert session_events[-1][0] == 130 + 600


@pytest.mark.parametrize("model", ["tab", "status"])
def test_response_patience_longer_than_any_wait_changes_nothing(model):
    # The reduction to the model without it (so Erlang A still holds with it switched
    # off): a patience no wait reaches leaves every table as it was, bit for bit.
    from sim.scenario.loading import load_scenario

    scenario = load_scenario(
        SCENARIO_DIR / "unstable_connections.yaml", [f"capacity_model={model}", "horizon=4h"]
    )
    patient = scenario.derive({
        f"channels[{index}].customers.response_patience": "300d"
        for index in range(len(scenario.channels))
    })
    plain, with_patience = simulate(scenario), simulate(patient)
    for table in ("sessions", "intervals", "agents", "groups"):
        pd.testing.assert_frame_equal(getattr(plain, table), getattr(with_patience, table))
    pd.testing.assert_frame_equal(plain.responses, with_patience.responses)


@pytest.mark.parametrize(("model", "responses"), [
    # tab-based: the offline agent's session is requeued; nobody else: it waits for the
    # agent's return at 710, who answers 30 s after accepting again
    ("tab", [(100.0, 640.0)]),
    # status-based: it stays with the offline agent; the reply under way resumes at 710
    ("status", [(100.0, 630.0)]),
])
def test_response_time_per_customer_message(model, responses):
    # rules §7: every agent message answering a customer message, the opening one from
    # its request; the wait for an offline agent is in it under either model.
    plain = simulate(build(capacity_model=model))
    assert list(plain.responses[["asked_time", "response_s"]].itertuples(index=False,
                                                                        name=None)) == [
        (100.0, 30.0), (190.0, 30.0)]
    assert plain.sessions.iloc[0][["responses", "response_total_s"]].tolist() == [2, 60.0]
    offline = simulate(build(
        {"agent_groups.0.disconnections": {"outages": [{"start": 110, "duration": "10m"}]}},
        capacity_model=model))
    first = offline.responses.iloc[:1]
    assert list(first[["asked_time", "response_s"]].itertuples(index=False, name=None)) == (
        responses)


def test_handle_time_channel_slowed_by_the_concurrency_table():
    # A channel given by its handle time (AHT 100 s) and an agent with two chats at once:
    # planners' concurrency factor 1.6 for two chats makes the second take 2 / 1.6 x 100 s.
    scenario = build(
        {
            "channels.0.arrivals": {"times": [100, 100]},
            "channels.0.handle_time": "100s",
            "agent_groups.0.capacity": 2,
            "agent_groups.0.behaviour.concurrency_efficiency": [1, 1.6],
        }
    )
    sessions = simulate(scenario).sessions
    assert sessions["end_time"].tolist() == [200.0, 225.0]
    assert sessions["agent_messages"].tolist() == [1, 1]
    assert sessions["release_time"].tolist() == [220.0, 245.0]  # the close-tab delay on top


# ------------------------------------------------------------------------ a bot in front
def test_a_bot_hands_the_session_over_and_the_wait_starts_there():
    # rules §8.1: the bot answers first; after its handling time it hands the session to
    # the queue, whose wait (RequestDateTime) starts at the hand-over.
    scenario = build({"channels.0.bot": {"handling_time": "60s"}})
    result = simulate(scenario, trace=True)
    assert events(result, 0)[:5] == [
        (100, -1, "arrived", "Active"),
        (160, -1, "escalated", "Waiting"),
        (160, 0, "assigned", "Waiting"),
        (160, 0, "accepted", "Active"),
        (190, 0, "agent_message", "Active"),
    ]
    session = result.sessions.iloc[0]
    assert (session["arrival_time"], session["request_time"], session["bot_s"]) == (100, 160, 60)
    assert (session["wait_s"], session["outcome"]) == (0.0, "completed")


@pytest.mark.parametrize(("shares", "outcome"), [({"resolves": 1.0}, "resolved_by_bot"),
                                                 ({"leaves": 1.0}, "left_in_bot")])
def test_a_bot_resolves_or_its_customer_leaves(shares, outcome):
    # rules §8.1: no agent is asked; the queue's figures do not count the session.
    from sim.results.figures import headline_figures

    scenario = build({"channels.0.bot": {"handling_time": "60s", **shares}})
    result = simulate(scenario, trace=True)
    assert events(result, 0) == [(100, -1, "arrived", "Active"), (160, -1, outcome, "Ended")]
    assert result.sessions.iloc[0][["outcome", "end_time", "bot_s"]].tolist() == [
        outcome, 160.0, 60.0]
    figures = headline_figures(result)
    assert (figures["offered"], figures["escalated"], figures[outcome]) == (0, 0, 1)
    assert figures["containment_rate"] == (1.0 if outcome == "resolved_by_bot" else 0.0)
    assert math.isnan(figures["service_level"])


@pytest.mark.parametrize("model", ["tab", "status"])
def test_a_bot_that_resolves_nothing_and_takes_no_time_changes_nothing(model):
    # The reduction: the queue, the agents and every figure of the queue are as without it.
    from sim.results.figures import headline_figures
    from sim.scenario.loading import load_scenario

    scenario = load_scenario(SCENARIO_DIR / "web_chat_desk.yaml", [f"capacity_model={model}"])
    with_bot = scenario.derive({"channels[0].bot": {"handling_time": "0s"}})
    plain, bot = simulate(scenario), simulate(with_bot)
    pd.testing.assert_frame_equal(plain.intervals, bot.intervals)
    pd.testing.assert_frame_equal(plain.agents, bot.agents)
    pd.testing.assert_frame_equal(plain.sessions.drop(columns="bot_s"),
                                  bot.sessions.drop(columns="bot_s"))
    assert (bot.sessions["bot_s"] == 0).all()
    mine, theirs = headline_figures(plain), headline_figures(bot)
    differ = {name for name in mine if not (mine[name] == theirs[name]
                                             or (math.isnan(mine[name])
                                                 and math.isnan(theirs[name])))}
    assert differ == {"escalated", "containment_rate", "bot_time_s"}


# ---------------------------------------------------------------------------- transfers
TRANSFER_DESK = {
    "channels.0.customers.exchanges": 3,
    "channels.0.arrivals": {"times": [100, 150]},
    "queues.0.transfer": {"share": 1.0, "to": "q2"},
    "queues.1": {"name": "q2"},
    "agent_groups.1": {"name": "b", "agents": 1, "capacity": 1, "queues": ["q2"],
                       "behaviour": {"reply_time": "30s", "close_tab_delay": "20s"}},
}


@pytest.mark.parametrize("model", ["tab", "status"])
def test_an_agent_transfers_the_conversation_to_another_queue(model):
    # rules §8.2: instead of its second reply the agent transfers the session: its work
    # item ends Transferred and frees the capacity at once under either model (the second
    # customer, waiting since 150, is accepted then); the other queue's agent writes on.
    result = simulate(build(TRANSFER_DESK, capacity_model=model), trace=True)
    assert events(result, 0)[3:9] == [
        (130, 0, "agent_message", "Active"),
        (190, -1, "customer_message", "Active"),
        (190, 0, "transferred", "Active"),
        (190, 1, "assigned", "Waiting"),
        (190, 1, "accepted", "Active"),
        (220, 1, "agent_message", "Active"),
    ]
    first, second = result.sessions.iloc[0], result.sessions.iloc[1]
    assert (first["transfers"], first["agents"], first["outcome"]) == (1, 2, "completed")
    assert (first["transfer_time"], first["transfer_wait_s"]) == (190, 0)  # the other queue's
    assert second["accept_time"] == 190  # agent 0's capacity came back at the transfer
    assert result.work.loc[result.work["session_id"] == 0, "status"].tolist()[0] == (
        "Transferred")


def test_a_transfer_to_a_queue_nobody_serves_waits_there():
    # The transferred session waits in the other queue (a new routing request), counted
    # as a wait after the first answer; with nobody there it is still waiting at the end.
    changes = {**TRANSFER_DESK, "agent_groups.1.queues": ["q"]}  # b serves q, not q2
    result = simulate(build(changes), trace=True)
    first = result.sessions.iloc[0]
    assert first["outcome"] == "open_at_horizon" and first["transfers"] == 1
    assert first["requeued_wait_s"] == pytest.approx(4 * 3600 - 190)
    assert first["transfer_time"] == 190 and math.isnan(first["transfer_wait_s"])


# ------------------------------------------------------------------ skills-based routing
SKILLED_DESK = {
    "agent_groups.0.skills": {"billing": 1},
    "agent_groups.1": {"name": "experts", "agents": 1, "capacity": 1, "queues": ["q"],
                       "skills": {"billing": 5, "spanish": 1},
                       "behaviour": {"reply_time": "30s", "close_tab_delay": "20s"}},
}


def test_skills_route_to_an_agent_with_every_skill_at_its_level():
    # rules §8.3: billing at level 3 or more: only the expert qualifies, although agent 0
    # would win the tie under queue routing.
    plain = simulate(build(SKILLED_DESK), trace=True)
    assert events(plain, 0)[1] == (100, 0, "assigned", "Waiting")
    skilled = simulate(build({**SKILLED_DESK, "channels.0.skills": [
        {"share": 1.0, "skills": {"billing": 3}}]}), trace=True)
    assert events(skilled, 0)[1] == (100, 1, "assigned", "Waiting")


def test_additional_skills_are_dropped_after_the_time_out():
    # rules §8.3: billing 1 and, as an additional skill, spanish 2: nobody has spanish 2,
    # so the session waits until the Drop Additional Skills time-out (60 s), then goes to
    # the first agent with billing 1 (agent 0, idle longest).
    scenario = build({**SKILLED_DESK, "channels.0.skills": [
        {"share": 1.0, "skills": {"billing": 1}, "additional": {"spanish": 2},
         "drop_after": "60s"}]})
    assert events(simulate(scenario, trace=True), 0)[:4] == [
        (100, -1, "arrived", "Waiting"),
        (160, -1, "skills_dropped", "Waiting"),
        (160, 0, "assigned", "Waiting"),
        (160, 0, "accepted", "Active"),
    ]
    never = build({**SKILLED_DESK, "channels.0.skills": [
        {"share": 1.0, "skills": {"billing": 1}, "additional": {"spanish": 2}}]})
    session = simulate(never).sessions.iloc[0]  # no time-out: it waits to the horizon
    assert session["outcome"] == "open_at_horizon" and math.isnan(session["accept_time"])


@pytest.mark.parametrize("model", ["tab", "status"])
def test_every_agent_with_every_skill_is_queue_routing(model):
    # The reduction: when every agent has the skill, skills-based routing chooses as the
    # queue does, every table bit for bit (so a one-skill center is Erlang C's M/M/n).
    from sim.scenario.loading import load_scenario

    scenario = load_scenario(SCENARIO_DIR / "web_chat_desk.yaml", [f"capacity_model={model}"])
    skilled = scenario.derive({
        "channels[0].skills": [{"share": 1.0, "skills": {"chat": 2}}],
        "agent_groups[0].skills": {"chat": 3},
    })
    plain, by_skill = simulate(scenario), simulate(skilled)
    # Only the record of what each session required differs: none, or requirement 0.
    assert (plain.sessions["skill_index"] == -1).all()
    assert (by_skill.sessions["skill_index"] == 0).all()
    by_skill.sessions["skill_index"] = -1
    for table in ("sessions", "intervals", "agents", "groups"):
        pd.testing.assert_frame_equal(getattr(plain, table), getattr(by_skill, table))
