"""Per-channel and per-group figures (issue 9 item 4) on the multichannel center.

The multichannel center has two groups: ``chat_team`` serves web chat, WhatsApp and SMS,
``messaging_team`` only WhatsApp and SMS. So the web chat rows of the interval table count
the chat team alone, and the center's levels are the sums of the groups'.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.cli.main import main
from sim.experiments.runner import RunSet
from sim.model.tables import Result

ROOT = Path(__file__).resolve().parents[2]
CENTER = ROOT / "scenarios" / "multichannel_center.yaml"


@pytest.fixture(scope="module")
def result() -> Result:
    return sim.simulate(sim.load_scenario(CENTER), seed=3)


def _rows(intervals: pd.DataFrame, channel: str) -> pd.DataFrame:
    return intervals[intervals["channel"] == channel].set_index("interval")


def test_channel_rows_are_not_copies_of_the_center(result: Result) -> None:
    """At 00:00 only the messaging team works: web chat has nobody, the center 2 agents."""
    intervals = result.intervals
    web, center = _rows(intervals, "web_chat"), _rows(intervals, "all")
    assert center.loc[0, "agents_online"] == pytest.approx(2.0)
    assert web.loc[0, "agents_online"] == 0.0
    assert web.loc[0, "busy_capacity_s"] == 0.0
    assert np.isnan(web.loc[0, "occupancy"]) and np.isnan(web.loc[0, "concurrency"])
    for column in ("agents_online", "busy_capacity_s", "occupancy", "concurrency"):
        differs = ~np.isclose(web[column], center[column], equal_nan=True)
        assert differs.sum() >= 10, column


def test_channel_agents_are_the_groups_serving_its_queue(result: Result) -> None:
    """Web chat: the chat team's agents; WhatsApp and SMS: both teams (the center)."""
    intervals, groups = result.intervals, result.groups
    chat_team = groups[groups["group"] == "chat_team"].set_index("interval")
    center = _rows(intervals, "all")
    np.testing.assert_allclose(_rows(intervals, "web_chat")["agents_online"],
                               chat_team["agents_online"])
    np.testing.assert_allclose(_rows(intervals, "web_chat")["capacity_online_s"],
                               chat_team["capacity_online_s"])
    for channel in ("whatsapp", "sms"):
        np.testing.assert_allclose(_rows(intervals, channel)["agents_online"],
                                   center["agents_online"])
    # 10:00-10:30: the early (5) and day (6) chat shifts, logged in since 06:30 and 09:00
    assert chat_team.loc[20, "agents_online"] == pytest.approx(11.0)
    assert chat_team.loc[20, "capacity_online_s"] == pytest.approx(11 * 4 * 1800.0)


def test_channel_work_adds_up_to_the_center(result: Result) -> None:
    """Each channel's own busy capacity; summed over channels, the center's."""
    intervals = result.intervals
    center = _rows(intervals, "all")
    channels = intervals[intervals["channel"] != "all"].groupby("interval")
    np.testing.assert_allclose(channels["busy_capacity_s"].sum(), center["busy_capacity_s"],
                               rtol=1e-12, atol=1e-6)
    # a channel's occupancy is its work over the capacity able to serve it
    for channel in ("web_chat", "whatsapp", "sms"):
        rows = _rows(intervals, channel)
        online = rows["capacity_online_s"] > 0
        np.testing.assert_allclose(
            rows.loc[online, "occupancy"],
            rows.loc[online, "busy_capacity_s"] / rows.loc[online, "capacity_online_s"])
        assert (rows["busy_capacity_s"] <= rows["capacity_online_s"] + 1e-6).all()


def test_group_occupancy_weighted_by_capacity_is_the_center(result: Result) -> None:
    """Per interval: every group's occupancy in [0, 1]; Σ occupancy × capacity = center."""
    groups, center = result.groups, _rows(result.intervals, "all")
    assert list(groups["group"].unique()) == ["chat_team", "messaging_team"]
    assert len(groups) == 2 * len(center)
    occupancy = groups["occupancy"].dropna()
    assert len(occupancy) > 40
    assert ((occupancy >= 0) & (occupancy <= 1)).all()
    weighted = (groups["occupancy"].fillna(0.0) * groups["capacity_online_s"]).groupby(
        groups["interval"]).sum()
    np.testing.assert_allclose(weighted, center["busy_capacity_s"], rtol=1e-12, atol=1e-6)
    totals = groups.groupby("interval")[["capacity_online_s", "agents_online"]].sum()
    np.testing.assert_allclose(totals["capacity_online_s"], center["capacity_online_s"])
    np.testing.assert_allclose(totals["agents_online"], center["agents_online"])
    in_progress = (groups["concurrency"].fillna(0.0) * groups["agents_online"]).groupby(
        groups["interval"]).sum()
    np.testing.assert_allclose(in_progress, (center["concurrency"] * center["agents_online"])
                               .fillna(0.0), rtol=1e-9, atol=1e-9)


def test_groups_differ_where_their_shifts_do(result: Result) -> None:
    """At 00:00 the chat team is offline (NaN occupancy), the messaging team is not."""
    groups = result.groups.set_index(["group", "interval"])
    assert groups.loc[("chat_team", 0), "agents_online"] == 0.0
    assert np.isnan(groups.loc[("chat_team", 0), "occupancy"])
    assert groups.loc[("messaging_team", 0), "agents_online"] == pytest.approx(2.0)
    assert groups.loc[("messaging_team", 0), "occupancy"] > 0


# ------------------------------------------------------------------- over replications
@pytest.fixture(scope="module")
def runset() -> RunSet:
    from sim.experiments.runner import replicate

    return replicate(sim.load_scenario(CENTER), 3, seed=5)


@pytest.mark.slow
def test_channel_figures_add_up_and_the_center_is_the_headline(runset: RunSet) -> None:
    """Per channel and per queue: offered adds up to the total; "all" = headline figures."""
    from sim.results.breakdowns import session_breakdown, wide

    scenario = runset.scenario
    summary = runset.summary()
    for by in ("channel", "queue"):
        table = wide(session_breakdown(runset.sessions, scenario, by), by).set_index(by)
        assert list(table.index) == (["web_chat", "whatsapp", "sms", "all"] if by == "channel"
                                     else ["chat_q", "whatsapp_q", "sms_q", "all"])
        parts = table.drop(index="all")
        for count in ("offered", "answered", "abandoned"):
            assert parts[count].sum() == pytest.approx(table.loc["all", count])
        for figure in ("service_level", "asa_s", "abandonment_rate", "handle_time_s",
                       "wait_p90_s", "offered"):
            assert table.loc["all", figure] == pytest.approx(summary.loc[figure, "mean"])
            assert table.loc["all", f"{figure}_ci95"] == pytest.approx(
                summary.loc[figure, "ci95"], nan_ok=True)
        # the center's ASA is the channels' weighted by answered sessions (replication means
        # of ratios differ a little from the ratio of means: within 1%)
        weighted = (parts["asa_s"] * parts["answered"]).sum() / parts["answered"].sum()
        assert weighted == pytest.approx(table.loc["all", "asa_s"], rel=0.01)
    # web chat (one group, patience 3 min) abandons more than the asynchronous channels
    channel = wide(session_breakdown(runset.sessions, scenario, "channel"), "channel")
    rates = channel.set_index("channel")["abandonment_rate"]
    assert rates["web_chat"] > rates["whatsapp"] and rates["web_chat"] > rates["sms"]


def test_group_totals_weighted_by_capacity_are_the_center(runset: RunSet) -> None:
    from sim.results.breakdowns import group_totals

    totals = group_totals(runset.groups, runset.scenario)
    for replication in range(3):
        totals_r = group_totals(runset.groups[runset.groups["replication"] == replication],
                                runset.scenario).pivot(index="group", columns="figure",
                                                       values="mean")
        weighted = (totals_r["occupancy"] * totals_r["capacity_online_h"]).sum() / \
            totals_r["capacity_online_h"].sum()
        assert weighted == pytest.approx(runset.figures[replication]["occupancy"], rel=1e-9)
    means = totals.pivot(index="group", columns="figure", values="mean")
    assert ((means["occupancy"] > 0) & (means["occupancy"] < 1)).all()
    assert totals["unit"].tolist()[:5] == ["agents", "capacity × h", "capacity × h", "share",
                                           "sessions/agent"]


@pytest.mark.slow
def test_run_reports_have_clock_columns_and_group_tables(runset: RunSet, tmp_path: Path) -> None:
    import json

    from sim.reports.files import write_reports

    write_reports(runset, tmp_path)
    intervals = pd.read_csv(tmp_path / "intervals.csv")
    groups = pd.read_csv(tmp_path / "groups.csv")
    for table in (intervals, groups):
        columns = list(table.columns)
        # the scenario starts Monday 2026-03-02 00:00 and runs one day: no weekday column
        assert columns[:4] == ["interval", "start_s", "clock", "datetime"]
        assert "weekday" not in columns
        row = table[table["interval"] == 19].iloc[0]
        assert row["clock"] == "09:30" and row["datetime"] == "2026-03-02T09:30:00"
    assert set(groups["group"]) == {"chat_team", "messaging_team"}
    assert {"agents_online", "capacity_online_s", "busy_capacity_s", "occupancy",
            "occupancy_ci95", "concurrency", "replications"} <= set(groups.columns)
    sessions = pd.read_parquet(tmp_path / "sessions.parquet")
    hour = (sessions["arrival_time"] // 3600).astype(int)
    assert (sessions["arrival_clock"].str[:2].astype(int) == hour).all()
    document = json.loads((tmp_path / "summary.json").read_text())
    assert set(document["channels"]) == {"web_chat", "whatsapp", "sms", "all"}
    assert set(document["queues"]) == {"chat_q", "whatsapp_q", "sms_q", "all"}
    assert set(document["groups"]) == {"chat_team", "messaging_team"}
    web = document["channels"]["web_chat"]["service_level"]
    assert web["unit"] == "share" and web["n"] == 3 and 0 < web["mean"] < 1
    assert document["channels"]["all"]["service_level"]["mean"] == pytest.approx(
        document["figures"]["service_level"]["mean"])
    assert document["groups"]["chat_team"]["occupancy"]["unit"] == "share"


def test_occupancy_chart_has_a_line_per_group(runset: RunSet) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from sim.reports import run_charts
    from sim.reports.files import run_interval_tables

    scenario = runset.scenario
    intervals, groups = run_interval_tables(runset, scenario)
    figure = run_charts.occupancy_chart(
        intervals, clock=run_charts.ChartClock(scenario.clock, scenario.horizon), groups=groups)
    FigureCanvasAgg(figure).draw()
    occupancy, agents = figure.axes
    # one legend for both panels, under them (it covers no line)
    (legend,) = figure.legends
    labels = [text.get_text() for text in legend.get_texts()]
    assert labels[:2] == ["group chat_team", "group messaging_team"]
    assert labels[2:4] == ["whole center (capacity-weighted)", "whole center (sum of the groups)"]
    for axes in (occupancy, agents):
        assert axes.get_legend() is None
        assert "(" in axes.get_ylabel()  # a unit
    assert agents.get_xlabel().endswith("time of day on Mon 2026-03-02 (HH:MM)")
    ticks = [tick.get_text() for tick in agents.get_xticklabels()]
    assert "08:00" in ticks and "12:00" in ticks
    assert figure.get_suptitle().startswith("Occupancy and agents online")
    # the center's line is the capacity-weighted mean of the groups' lines
    center = intervals[intervals["channel"] == "all"]["occupancy"].to_numpy() * 100
    assert np.allclose(occupancy.get_lines()[2].get_ydata(), center, equal_nan=True)


@pytest.mark.parametrize("model", ["tab", "status"])
def test_levels_follow_agents_through_disconnections(model: str) -> None:
    """At the horizon each (group, channel) slot holds what its online agents' items use,
    and each group what its online agents are, through disconnections and logouts."""
    from sim.model.center import ContactCenter
    from sim.model.simulate import replication_seed_sequence
    from sim.model.streams import RandomStreams

    scenario = sim.load_scenario(ROOT / "scenarios" / "unstable_connections.yaml").derive(
        capacity_model=model)
    center = ContactCenter(scenario, RandomStreams(replication_seed_sequence(2, 0)))
    center.run()
    levels = center.levels
    used = [0.0] * len(levels.used)
    working = [0.0] * len(levels.used)
    capacity = [0.0] * levels.n_groups
    agents = [0.0] * levels.n_groups
    for agent in center.agents:
        if not agent.online:
            continue
        capacity[agent.group.level_index] += agent.capacity
        agents[agent.group.level_index] += 1
        for item in agent.items:
            used[item.level_slot] += item.consuming
            working[item.level_slot] += item.consuming > 0
    assert sum(agents) > 0
    np.testing.assert_allclose(levels.used, used, atol=1e-9)
    np.testing.assert_allclose(levels.open_work, working, atol=1e-9)
    np.testing.assert_allclose(levels.capacity, capacity)
    np.testing.assert_allclose(levels.agents, agents)


@pytest.mark.slow
def test_a_run_before_the_first_customer_has_empty_breakdowns(tmp_path: Path) -> None:
    """The campaign opens at 08:00: a 2 h run has no session, every channel row n = 0."""
    code = main(["run", str(ROOT / "scenarios" / "outbound_campaign.yaml"), "--quiet",
                 "-r", "1", "--set", "horizon=2h", "--set", "warmup=0s",
                 "--out", str(tmp_path / "out")])
    assert code == 0
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    for channel in ("sms", "whatsapp", "all"):
        assert summary["channels"][channel]["offered"]["n"] == 0
