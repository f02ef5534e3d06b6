"""sim.analysis: the notebooks' computations, each checked against its definition.

Small runs (a 3-hour day, 2 replications) of the bundled unstable-connections desk give
real tables; synthetic tables pin exact values (preferences, flips, held capacity).
Every chart the notebooks draw is checked against the chart rules here, not in the
notebook: a title, labelled axes with units, a legend, clock-time ticks on time axes.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from chart_rules import chart_problems, clock_tick_labels

from sim import analysis, compare, interval_summary, load_scenario
from sim.analysis.breakdown_comparison import channel_values, group_values
from sim.analysis.conclusion import weighing
from sim.analysis.preference import preferred
from sim.analysis.silent import HELD_INACTIVE, HELD_SILENT, RETURN_WAIT, held_capacity_s
from sim.analysis.whatif import KNOBS, customer_wait, flip_points
from sim.results.breakdowns import group_totals
from sim.results.figures import headline_figures, significant_costs

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
HHMM = re.compile(r"^(?:\w+ )?\d{2}:\d{2}$")


@pytest.fixture(scope="module")
def desk():
    return load_scenario(SCENARIOS / "unstable_connections.yaml").derive(horizon="3h")


@pytest.fixture(scope="module")
def comparison(desk):
    return compare(desk, 2, seed=3)


@pytest.fixture(scope="module")
def traced(comparison):
    return analysis.traced_runs(comparison)


@pytest.fixture(scope="module")
def grid(desk):
    return analysis.whatif_grid(desk, 2, 3, values=2, knobs=KNOBS[:1])


def test_preferred_calls_only_clear_differences() -> None:
    assert preferred(2.0, 1.0, True) == "status"
    assert preferred(2.0, 1.0, False) == "tab"
    assert preferred(-2.0, 1.0, False) == "status"
    assert preferred(0.5, 1.0, True) == "neither"
    assert preferred(1.0, 1.0, True) == "neither"  # a CI touching zero is not clear
    assert preferred(3.0, math.nan, True) == "neither"


def test_headline_table_leaves_out_zero_rows_and_shows_shares_in_percent() -> None:
    table = pd.DataFrame({
        "tab_mean": [0.8, 0.0, 30.0], "tab_ci95": [0.02, 0.0, 1.0],
        "status_mean": [0.85, 0.0, 30.5], "status_ci95": [0.02, 0.0, 1.0],
        "diff_mean": [0.05, 0.0, 0.5], "diff_ci95": [0.01, 0.0, 2.0],
    }, index=["service_level", "timed_out", "asa_s"])
    shown, zero = analysis.headline_table(table)
    assert zero == ["timed_out"]
    assert shown.loc["service_level", "status − tab (mean ± CI)"] == "+5 ± 1 pp"
    assert shown.loc["service_level", "unit"] == "%"
    assert shown["clear"].to_dict() == {"service_level": "yes", "asa_s": "no"}


def test_customer_wait_is_queue_time_plus_waits_after_answer_per_offered_session() -> None:
    figures = {"offered": 200.0, "mean_queue_time_s": 12.0, "wait_after_answer_s": 3000.0}
    assert customer_wait(figures) == {"customer_wait_s": 27.0, "first_wait_s": 12.0,
                                      "after_answer_s": 15.0}


@pytest.mark.slow
def test_traced_runs_are_the_comparisons_replications(comparison, traced) -> None:
    for model, runset in (("tab", comparison.tab), ("status", comparison.status)):
        assert len(traced[model]) == runset.replications
        assert all(result.trace is not None for result in traced[model])
        offered = [float((r.sessions["direction"] == "inbound").sum()) for r in traced[model]]
        assert offered == [f["offered"] for f in runset.figures]


def test_offline_effect_adds_up_to_the_sessions_waits(traced, desk) -> None:
    for results in traced.values():
        effect = analysis.offline_effect(results)
        total_s = sum(float(r.sessions.loc[r.sessions["arrival_time"] >= desk.warmup,
                                           ["requeued_wait_s", "stranded_s"]].sum().sum())
                      for r in results) / len(results)
        assert effect["customer wait (min)"].sum() * 60 == pytest.approx(total_s)
        per_interval = analysis.offline_per_interval(results, desk)
        assert len(per_interval) == desk.n_intervals
        assert per_interval.sum() * 60 == pytest.approx(total_s)
    tab = analysis.offline_effect(traced["tab"])
    status = analysis.offline_effect(traced["status"])
    assert tab.loc["stranded with the offline agent", "customer wait (min)"] == 0
    assert status.loc["stranded with the offline agent", "customer wait (min)"] > 0


def test_held_capacity_from_a_trace() -> None:
    trace = pd.DataFrame({
        "session_id": [1, 1, 1, 1, 2, 2],
        "event": ["accepted", "agent_message", "inactive", "tab_closed", "agent_message",
                  "inactive"],
        "time": [0.0, 10.0, 490.0, 600.0, 20.0, 520.0],
    })
    assert held_capacity_s(trace, "tab") == (980.0, 110.0, {1, 2})
    assert held_capacity_s(trace, "status") == (980.0, 0.0, {1, 2})


def test_silent_effect_counts_returns_and_frees_inactive_capacity_status_based(traced) -> None:
    table = analysis.silent_table(traced)
    assert table.loc[HELD_INACTIVE, "status"] == 0
    assert table.loc[HELD_SILENT, "tab"] > 0
    returns = np.mean([(r.trace["event"] == "customer_returned").sum() for r in traced["tab"]])
    assert table.loc["returns", "tab"] == returns
    waited = np.mean([r.sessions["return_wait_s"].sum() / 60 for r in traced["tab"]])
    assert table.loc[RETURN_WAIT, "tab"] == pytest.approx(waited)
    untraced = traced["tab"][0]
    with pytest.raises(ValueError, match="trace=True"):
        analysis.silent_effect(type(untraced)(**{**untraced.__dict__, "trace": None}))


def test_knobs_change_every_group_and_channel(desk) -> None:
    disconnections, close_tab, silent, response_patience = KNOBS
    changed = disconnections.apply(desk, 3.0)
    assert [g.disconnections.rate for g in changed.agent_groups] == [3.0, 3.0]
    assert {g.disconnections.duration.mean for g in changed.agent_groups} == {600.0}
    delayed = close_tab.apply(desk, 300.0)
    assert {g.behaviour.close_tab_delay.mean for g in delayed.agent_groups} == {300.0}
    assert {g.behaviour.after_conversation_work.max for g in delayed.agent_groups} == {900.0}
    assert [c.customers.silent_probability for c in silent.apply(desk, 0.4).channels] == [0.4]
    assert desk.agent_groups[0].disconnections.rate == 1.5  # the scenario is unchanged
    assert close_tab.text(300.0) == "5 min" and silent.text(0.15) == "15%"
    assert disconnections.chosen(2) == (0.0, 6.0)
    assert disconnections.chosen(9) == disconnections.values
    leaving = response_patience.apply(desk, 600.0)
    assert {c.customers.response_patience.mean for c in leaving.channels} == {600.0}
    assert response_patience.text(600.0) == "10 min"


def test_flip_points_pass_over_undecided_values() -> None:
    grid = pd.DataFrame({"knob": "disconnections", "measure": "SL",
                         "value": [0.0, 1.0, 3.0, 6.0],
                         "preferred": ["tab", "neither", "status", "status"]})
    flips = flip_points(grid, "disconnections", "SL")
    assert [(f.before, f.before_value, f.after, f.after_value) for f in flips] == [
        ("tab", 0.0, "status", 3.0)]
    same = grid.assign(preferred=["tab", "neither", "tab", "neither"])
    assert flip_points(same, "disconnections", "SL") == []


@pytest.mark.slow
def test_whatif_grid_is_paired_differences_of_both_models(grid) -> None:
    assert len(grid) == 2 * 6  # two values, four criteria and two wait parts
    assert list(grid["x"].unique()) == [0.0, 6.0]
    criteria = grid[grid["measure"].isin(analysis.CRITERIA)]
    for _, row in criteria.iterrows():
        higher = analysis.CRITERIA[row["measure"]].higher_is_better
        assert row["diff"] == pytest.approx(row["status"] - row["tab"])
        assert row["preferred"] == preferred(row["diff"], row["ci95"], higher)
    wait = grid[grid["measure"] == "customer wait"].set_index("x")
    parts = grid[grid["measure"].isin(["first_wait_s", "after_answer_s"])]
    summed = parts.groupby("x")[["tab", "status"]].sum()
    assert np.allclose(wait[["tab", "status"]], summed)
    # More disconnections strand status-based customers: its waits after answer grow.
    after = parts[parts["measure"] == "after_answer_s"].set_index("x")
    assert after.loc[6.0, "status"] > after.loc[0.0, "status"]


def test_weighing_names_the_better_model_or_the_trade_off() -> None:
    rows = ["service_level", "asa_s", "abandonment_rate", "wait_after_answer_s"]
    table = pd.DataFrame({"tab_mean": [0.8, 30, 0.05, 100], "status_mean": [0.9, 20, 0.05, 100],
                          "diff_mean": [0.1, -10, 0, 0], "diff_ci95": [0.02, 2, 0.01, 5]},
                         index=rows)
    assert "status-based is better on service level" in weighing(table, significant_costs(table))
    assert "it is the better model here" in weighing(table, significant_costs(table))
    costly = table.copy()
    costly.loc["wait_after_answer_s", ["status_mean", "diff_mean"]] = [400, 300]
    text = weighing(costly, significant_costs(costly))
    assert "a trade-off, not a win; tab-based is the choice" in text


def test_conclusion_is_written_from_the_figures(desk, comparison, traced, grid) -> None:
    findings = analysis.ComparisonFindings(
        scenario=desk, table=comparison.table, replications=2, seed=3,
        offline={m: analysis.offline_effect(r) for m, r in traced.items()},
        silent=analysis.silent_table(traced), timeouts=comparison.table,
        customer_wait=analysis.paired_customer_wait(comparison), grid=grid,
        whatif_replications=2)
    text = analysis.comparison_conclusion(findings)
    level = comparison.table.loc["service_level"]
    assert f"{level['tab_mean'] * 100:.3g}% tab-based" in text
    for knob_line in ("disconnections, by SL", "disconnections, by customer wait"):
        assert knob_line in text
    flips = [f for c in analysis.CRITERIA for f in flip_points(grid, "disconnections", c)]
    assert ("**Where the preference flips**" in text) == bool(flips)
    costs = analysis.cost_table(comparison.table, desk)
    assert costs.loc["agent time over capacity", "unit"] == "min per replication"


@pytest.mark.slow
def test_comparison_charts_follow_the_chart_rules(desk, comparison, traced, grid) -> None:
    intervals = {"tab": interval_summary(comparison.tab.intervals),
                 "status": interval_summary(comparison.status.intervals)}
    online = analysis.all_channels(intervals["tab"])["agents_online"].to_numpy(dtype=float)
    timed = {
        "throughput": analysis.throughput_chart(intervals, desk),
        "service level": analysis.service_level_per_interval_chart(intervals, desk),
        "occupancy": analysis.occupancy_concurrency_chart(intervals, desk),
        "offline": analysis.offline_chart(
            {m: analysis.offline_per_interval(r, desk) for m, r in traced.items()}, online, desk),
    }
    level = desk.service_level
    others = {
        "speed": analysis.speed_to_answer_chart(
            {m: analysis.answered_waits(r) for m, r in traced.items()}, level.threshold,
            level.target, 2),
        "silent": analysis.silent_chart(analysis.silent_table(traced)),
        "what-if": analysis.whatif_chart(grid, 2),
        "differences": analysis.compare_differences_chart(comparison.table),
    }
    for name, figure in {**timed, **others}.items():
        assert chart_problems(figure) == [], name
    for name, figure in timed.items():
        ticks = clock_tick_labels(figure)
        assert ticks and all(HHMM.match(tick) for tick in ticks), name
        assert ticks[0] == "08:00", name


@pytest.mark.slow
def test_png_shows_a_figure(comparison) -> None:
    png = analysis.Png(analysis.compare_differences_chart(comparison.table))
    assert png._repr_png_().startswith(b"\x89PNG")


def test_one_channel_is_the_center_and_groups_weigh_up_to_it(desk, traced) -> None:
    """The desk has one channel: its figures are the headline's; its two groups' busy
    capacity over their online capacity is the center's occupancy."""
    for run in traced["tab"] + traced["status"]:
        headline = headline_figures(run)
        mine = channel_values(run, desk, "web_chat")
        for name in ("offered", "service_level", "asa_s", "abandonment_rate"):
            assert mine[name] == pytest.approx(headline[name], nan_ok=True), name
        totals = group_totals(run.groups, desk).set_index(["group", "figure"])["mean"]
        busy = sum(totals[(group.name, "busy_capacity_h")] for group in desk.agent_groups)
        online = sum(totals[(group.name, "capacity_online_h")] for group in desk.agent_groups)
        assert busy / online == pytest.approx(headline["occupancy"])
        shares = [figures["occupancy"] for figures in group_values(run, desk).values()]
        assert min(shares) <= headline["occupancy"] <= max(shares)


def test_breakdown_tables_pair_the_same_customers(desk, traced) -> None:
    channels = analysis.channel_comparison(traced, desk)
    groups = analysis.group_comparison(traced, desk)
    assert list(channels.index.get_level_values("channel").unique()) == ["web_chat"]
    assert list(groups.index.get_level_values("group").unique()) == [
        group.name for group in desk.agent_groups]
    # Common random numbers: both models were offered the very same sessions.
    assert channels.loc[("web_chat", "offered"), "status − tab (mean ± CI)"] == "+0 ± 0"
    assert channels.loc[("web_chat", "service_level"), "unit"] == "%"
    tab = [channel_values(run, desk, "web_chat")["asa_s"] for run in traced["tab"]]
    status = [channel_values(run, desk, "web_chat")["asa_s"] for run in traced["status"]]
    difference = float(np.mean(np.subtract(status, tab)))
    shown = channels.loc[("web_chat", "asa_s"), "status − tab (mean ± CI)"]
    assert shown.startswith(f"{difference:+.4g}")
    assert groups.loc[(desk.agent_groups[0].name, "agents_online"), "unit"] == "agents"


@pytest.mark.slow
def test_containment_staffing_needs_fewer_agents_as_the_bot_resolves_more() -> None:
    # issue 24: "if the bot resolves 30% more, how many agents, under each model?"
    from sim.analysis import containment_chart, containment_staffing, with_containment
    from sim.scenario.loading import load_scenario
    from sim.staffing.plan import StaffingGoals

    desk = load_scenario(SCENARIOS / "modern_center.yaml", ["horizon=3h"])
    assert with_containment(desk, 0.5).channels[0].bot.resolves == 0.5
    with pytest.raises(ValueError, match="no channel has a bot"):
        with_containment(load_scenario(SCENARIOS / "web_chat_desk.yaml"), 0.5)
    goals = StaffingGoals.parse("80/60s")
    table = containment_staffing(desk, goals, [0.0, 0.6], replications=2, seed=5,
                                 max_iterations=4)
    hours = table.pivot(index="containment", columns="model", values="agent_hours")
    assert sorted(hours.columns) == ["status", "tab"]
    assert (hours.loc[0.6] < hours.loc[0.0]).all()
    figure = containment_chart(table, goals)
    axes = figure.axes[0]
    assert axes.get_xlabel().startswith("bot containment (%")
    assert [line.get_label() for line in axes.get_lines()] == [
        "tab-based capacity", "status-based capacity"]
