"""Replications, comparisons and headline figures: determinism, CRN and hand computations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scenario_builders import tiny_desk
from scipy import stats

from sim import Scenario, simulate
from sim.experiments.executors import LocalExecutor
from sim.experiments.runner import (
    ComparisonError,
    compare,
    replicate,
    status_variant,
)
from sim.model.tables import SESSION_COLUMNS, SESSION_DTYPES, Result
from sim.results.confidence import ci95_half_width
from sim.results.figures import (
    FIGURES,
    headline_figures,
    intervals_with_service_level,
    paired_difference,
    summarize,
)

SMALL = tiny_desk("tiny desk", "4h", "60/h", 3, 120, agents=3, capacity=2, group="a")


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return Scenario.model_validate(SMALL)


# -------------------------------------------------------------------------- replicate
@pytest.mark.slow
def test_parallel_replications_equal_serial(scenario: Scenario) -> None:
    serial = replicate(scenario, 3, seed=7, executor=LocalExecutor(1))
    parallel = replicate(scenario, 3, seed=7, executor=LocalExecutor(2))
    # NaN-aware (a figure with nothing to measure, such as a bot's, is NaN)
    pd.testing.assert_frame_equal(pd.DataFrame(serial.figures), pd.DataFrame(parallel.figures))
    pd.testing.assert_frame_equal(serial.intervals, parallel.intervals)
    pd.testing.assert_frame_equal(serial.agents, parallel.agents)
    pd.testing.assert_frame_equal(serial.sessions, parallel.sessions)
    assert serial.intervals["replication"].unique().tolist() == [0, 1, 2]
    assert not serial.interrupted and serial.replications == 3


def test_replication_is_the_same_alone(scenario: Scenario) -> None:
    runset = replicate(scenario, 2, seed=3, keep_sessions=False)
    alone = headline_figures(simulate(scenario, seed=3, replication=1))
    pd.testing.assert_series_equal(pd.Series(runset.figures[1]), pd.Series(alone))
    assert runset.sessions is None
    assert set(runset.figures[0]) == set(FIGURES)


def test_progress_is_reported(scenario: Scenario) -> None:
    calls: list[tuple[int, int]] = []
    replicate(scenario, 2, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 2), (2, 2)]


def test_interrupt_keeps_finished_replications(scenario: Scenario) -> None:
    calls = []

    def progress(done: int, total: int) -> None:
        calls.append(done)
        if done == 2:
            raise KeyboardInterrupt

    runset = replicate(scenario, 5, progress=progress)
    assert runset.interrupted
    assert runset.replications == 2 and runset.requested == 5
    assert runset.intervals["replication"].unique().tolist() == [0, 1]


def test_bad_arguments(scenario: Scenario) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        replicate(scenario, 0)
    with pytest.raises(ValueError, match="at least 1"):
        LocalExecutor(0)


def test_executor_map_keeps_input_order() -> None:
    assert LocalExecutor(1).map(abs, [-3, 2, -1]) == [3, 2, 1]


# ---------------------------------------------------------------------------- compare
def test_compare_uses_common_random_numbers(scenario: Scenario) -> None:
    comparison = compare(scenario, 3, seed=11)
    tab, status = comparison.tab, comparison.status
    assert tab.scenario.capacity_model == "tab"
    assert status.scenario.capacity_model == "status"
    for first, second in zip(tab.figures, status.figures, strict=True):
        assert first["offered"] == second["offered"]
    pd.testing.assert_series_equal(
        tab.intervals["offered"], status.intervals["offered"], check_names=False
    )
    table = comparison.table
    assert table.loc["offered", "diff_mean"] == 0
    assert table.loc["offered", "diff_ci95"] == 0
    assert list(table.columns) == [
        "tab_mean", "tab_ci95", "status_mean", "status_ci95", "diff_mean", "diff_ci95", "n"
    ]
    pairs = zip(tab.figures, status.figures, strict=True)
    expected = np.mean([b["asa_s"] - a["asa_s"] for a, b in pairs])
    assert table.loc["asa_s", "diff_mean"] == pytest.approx(expected)


def test_compare_rejects_standard_channel() -> None:
    data = {**SMALL, "channels": [{**SMALL["channels"][0], "type": "standard_messenger"}]}
    scenario = Scenario.model_validate(data)
    with pytest.raises(ComparisonError, match="every channel is standard"):
        status_variant(scenario)
    with pytest.raises(ComparisonError, match=r"\(web \(standard_messenger\)\), always tab"):
        compare(scenario, 2)


# ------------------------------------------------------------------------- statistics
def test_summarize_ci_matches_hand_computation() -> None:
    values = [{"x": 1.0, "y": 5.0}, {"x": 2.0, "y": math.nan}, {"x": 4.0, "y": 7.0}]
    summary = summarize(values)
    mean = 7.0 / 3.0
    sd = math.sqrt(((1 - mean) ** 2 + (2 - mean) ** 2 + (4 - mean) ** 2) / 2)
    half = stats.t.ppf(0.975, 2) * sd / math.sqrt(3)
    assert summary.loc["x", "mean"] == pytest.approx(mean)
    assert summary.loc["x", "sd"] == pytest.approx(sd)
    assert summary.loc["x", "ci95"] == pytest.approx(half)
    assert summary.loc["x", "ci95"] == pytest.approx(4.303 * sd / math.sqrt(3), rel=1e-3)
    assert summary.loc["x", "n"] == 3
    assert summary.loc["y", "n"] == 2  # NaN left out
    assert math.isnan(ci95_half_width([3.0]))


def test_paired_difference() -> None:
    a = [{"x": 1.0}, {"x": 2.0}, {"x": 3.0}]
    b = [{"x": 2.0}, {"x": 4.0}, {"x": 3.0}]
    diff = paired_difference(a, b)
    assert diff.loc["x", "mean"] == pytest.approx(1.0)
    assert diff.loc["x", "ci95"] == pytest.approx(stats.t.ppf(0.975, 2) * 1.0 / math.sqrt(3))
    with pytest.raises(ValueError):
        paired_difference(a, b[:2])


# ---------------------------------------------------------------- headline figures
def _session(**values: object) -> dict[str, object]:
    row: dict[str, object] = {name: math.nan for name in SESSION_COLUMNS}
    row.update(channel="web", channel_kind="enhanced", queue="q", direction="inbound",
               agent_id=-1, agents=0, reroutes=0, stranded_s=0.0, customer_messages=0,
               agent_messages=0, conversation_s=math.nan, queued_on_arrival=False,
               requeued_wait_s=0.0, return_wait_s=0.0, wait_after_answer_s=0.0,
               responses=0, response_total_s=0.0, transfers=0, skill_index=-1)
    row.update(values)
    if math.isnan(row["request_time"]):
        row["request_time"] = row["arrival_time"]
    return row


def test_headline_service_level_matches_hand_computation(scenario: Scenario) -> None:
    horizon = scenario.horizon  # 4 h; threshold 60 s
    rows = [
        _session(session_id=0, arrival_time=10.0, wait_s=0.0, outcome="completed"),  # warm-up
        _session(session_id=1, arrival_time=200.0, wait_s=10.0, outcome="completed",
                 conversation_s=300.0, first_response_time=230.0),  # hit
        _session(session_id=2, arrival_time=300.0, wait_s=60.0, outcome="completed",
                 conversation_s=500.0, first_response_time=400.0),  # hit (at the threshold)
        _session(session_id=3, arrival_time=400.0, wait_s=61.0, outcome="completed",
                 stranded_s=20.0, reroutes=1, queued_on_arrival=True,
                 requeued_wait_s=5.0, wait_after_answer_s=25.0),  # miss
        _session(session_id=4, arrival_time=500.0, outcome="abandoned",
                 queued_on_arrival=True),  # miss
        _session(session_id=5, arrival_time=horizon - 30, outcome="open_at_horizon"),  # undecided
        _session(session_id=6, arrival_time=horizon - 100, outcome="open_at_horizon"),  # miss
        _session(session_id=7, arrival_time=600.0, direction="outbound", outcome="timed_out"),
    ]
    sessions = pd.DataFrame(rows, columns=list(SESSION_COLUMNS)).astype(SESSION_DTYPES)
    base = simulate(scenario, seed=1)
    result = Result(scenario=scenario, replication=0, sessions=sessions, agents=base.agents,
                    intervals=base.intervals, trace=None, events=0)
    figures = headline_figures(result, warmup_s=100.0)
    assert figures["offered"] == 6
    assert figures["outbound_sent"] == 1
    assert figures["answered"] == 3
    assert figures["service_level"] == pytest.approx(2 / 5)
    assert figures["abandonment_rate"] == pytest.approx(1 / 6)
    assert figures["asa_s"] == pytest.approx((10 + 60 + 61) / 3)
    assert figures["wait_p50_s"] == pytest.approx(60.0)
    assert figures["first_response_s"] == pytest.approx((30 + 100) / 2)
    assert figures["conversation_s"] == pytest.approx(400.0)
    assert figures["wait_probability"] == pytest.approx(2 / 6)  # abandoners count
    assert figures["requeued_wait_s"] == 5.0 and figures["wait_after_answer_s"] == 25.0
    assert figures["completed"] == 3 and figures["timed_out"] == 1
    assert figures["open_at_horizon"] == 2
    # throughput counts every end (3 completed, 1 abandoned, 1 timed out), not only completed
    assert figures["throughput_per_h"] == pytest.approx(5 / ((horizon - 100) / 3600))
    assert figures["completed_per_h"] == pytest.approx(3 / ((horizon - 100) / 3600))
    assert figures["stranded_s"] == 20.0 and figures["stranded_sessions"] == 1
    assert figures["reroutes"] == pytest.approx(1 / 7)
    # occupancy: the intervals that start after the warm-up
    iv = base.intervals
    iv = iv[(iv["channel"] == "all") & (iv["start_s"] >= 100.0)]
    assert figures["occupancy"] == pytest.approx(
        iv["busy_capacity_s"].sum() / iv["capacity_online_s"].sum()
    )
    agents = base.agents  # no warm-up in the scenario: the whole horizon
    assert headline_figures(result, warmup_s=0.0)["occupancy"] == pytest.approx(
        agents["busy_capacity_s"].sum() / (agents["capacity"] * agents["online_s"]).sum()
    )
    # without warm-up the early session counts: one more hit
    assert headline_figures(result, warmup_s=0.0)["service_level"] == pytest.approx(3 / 6)


def _short_abandon_result(scenario: Scenario) -> Result:
    """Six inbound sessions, threshold 60 s: one hit, one late answer, abandons after 20 s,
    100 s and 5 s, and one still waiting 30 s at the horizon (undecided)."""
    horizon = scenario.horizon
    rows = [
        _session(session_id=1, arrival_time=100.0, wait_s=10.0, outcome="completed"),  # hit
        _session(session_id=2, arrival_time=200.0, wait_s=90.0, outcome="completed"),  # miss
        _session(session_id=3, arrival_time=300.0, end_time=320.0, outcome="abandoned"),
        _session(session_id=4, arrival_time=400.0, end_time=500.0, outcome="abandoned"),
        _session(session_id=5, arrival_time=horizon - 30, outcome="open_at_horizon"),
        _session(session_id=6, arrival_time=600.0, end_time=605.0, outcome="abandoned"),
    ]
    sessions = pd.DataFrame(rows, columns=list(SESSION_COLUMNS)).astype(SESSION_DTYPES)
    base = simulate(scenario, seed=1)
    return Result(scenario=scenario, replication=0, sessions=sessions, agents=base.agents,
                  intervals=base.intervals, trace=None, events=0)


def test_short_abandons_miss_or_exclude(scenario: Scenario) -> None:
    """miss: 1 hit of 5 decided; exclude: the abandons after 20 s and 5 s leave, 1 of 3."""
    miss = _short_abandon_result(scenario)
    excluded = scenario.derive({"service_level.short_abandons": "exclude"})
    exclude = _short_abandon_result(excluded)
    assert scenario.service_level.short_abandons == "miss"  # the default
    assert headline_figures(miss)["service_level"] == pytest.approx(1 / 5)
    assert headline_figures(exclude)["service_level"] == pytest.approx(1 / 3)
    # the interval table follows the same rule: all six arrived in the first interval
    assert intervals_with_service_level(miss) is miss.intervals  # the simulation's own
    intervals = intervals_with_service_level(exclude)
    first = intervals[intervals["interval"] == 0].set_index("channel")["service_level"]
    assert first.to_dict() == {"web": pytest.approx(1 / 3), "all": pytest.approx(1 / 3)}
    last = intervals[intervals["interval"] == scenario.n_intervals - 1]
    assert last["service_level"].isna().all()  # only the undecided session arrived then


def test_short_abandon_convention_changes_only_the_figure() -> None:
    """Same run under both conventions; exclude = hits / (decided - short abandons)."""
    miss = Scenario.model_validate(
        tiny_desk("impatient", "4h", "120/h", 3, 30, agents=1, capacity=1))
    exclude = miss.derive({"service_level.short_abandons": "exclude"})
    a, b = simulate(miss, seed=3), simulate(exclude, seed=3)
    pd.testing.assert_frame_equal(a.sessions, b.sessions)
    inbound = a.sessions[a.sessions["direction"] == "inbound"]
    short = int(((inbound["outcome"] == "abandoned")
                 & (inbound["end_time"] - inbound["request_time"] < 60.0)).sum())
    undecided = int(((inbound["outcome"] == "open_at_horizon") & inbound["wait_s"].isna()
                     & (miss.horizon - inbound["request_time"] <= 60.0)).sum())
    decided = len(inbound) - undecided
    assert short > 10
    ratio = headline_figures(b)["service_level"] / headline_figures(a)["service_level"]
    assert ratio == pytest.approx(decided / (decided - short))


def test_mean_queue_time_counts_every_offered_session(scenario: Scenario) -> None:
    """ASA is over answered sessions; the mean queue time over all six offered ones."""
    figures = headline_figures(_short_abandon_result(scenario), warmup_s=0.0)
    assert figures["asa_s"] == pytest.approx((10 + 90) / 2)
    assert figures["mean_queue_time_s"] == pytest.approx((10 + 90 + 20 + 100 + 5 + 30) / 6)


def test_headline_figures_of_a_real_run_are_consistent(scenario: Scenario) -> None:
    figures = headline_figures(simulate(scenario, seed=5))
    assert figures["answered"] + figures["abandoned"] <= figures["offered"]
    assert 0 <= figures["service_level"] <= 1
    assert 0 < figures["occupancy"] <= 1
    assert figures["wait_p50_s"] <= figures["wait_p90_s"] <= figures["wait_p99_s"]
    assert figures["peak_concurrency"] <= 2
