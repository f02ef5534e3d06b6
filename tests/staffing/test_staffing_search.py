"""Staffing: Erlang baseline, simulation-based search, verification, shift covering, charts."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import matplotlib.image
import numpy as np
import pandas as pd
import pytest
from chart_helpers import assert_inside_figure
from matplotlib.figure import Figure
from scenario_builders import mmn_scenario

from sim.cli.main import main
from sim.erlang import erlang_a_servers, erlang_c_servers_for_service_level
from sim.reports.staffing_charts import required_agents_chart, staffing_figures
from sim.reports.staffing_files import write_staffing
from sim.scenario.loading import load_scenario
from sim.scenario.schema import Scenario
from sim.staffing.day_measures import measure_day
from sim.staffing.plan import (
    GroupStaffingResult,
    StaffingError,
    StaffingGoals,
    analytic_requirements,
    capacity_time_s,
    parse_service_level,
    staff,
    staffing_group,
    with_staffing,
)
from sim.staffing.search import DayEstimates
from sim.staffing.shift_cover import cover_shifts, covered_agents

HOUR = 3600.0
RATE = 0.04  # per second: 144 sessions an hour
SERVICE = 200.0  # seconds: 8 Erlangs
PATIENCE = 300.0
GOALS = StaffingGoals.parse("80/30s")
SEED = 11
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def stationary(mean_patience_s: float | None = None) -> Scenario:
    return mmn_scenario(arrival_rate_per_s=RATE, mean_service_s=SERVICE, agents=1, capacity=1,
                        horizon_s=4 * HOUR, interval_s=HOUR, mean_patience_s=mean_patience_s)


def staffed(scenario: Scenario, goals: StaffingGoals, **options: Any) -> GroupStaffingResult:
    """The staffing of the scenario's own capacity model, without the curve."""
    model = scenario.capacity_model
    return staff(scenario, goals, models=[model], curve=False, **options).results[model]


@pytest.fixture(scope="module")
def erlang_c_case():
    return staffed(stationary(), GOALS, replications=8, seed=SEED, max_iterations=8)


# ------------------------------------------------------------------------------ goals
def test_goals_parse_and_shrinkage():
    assert parse_service_level("80/60s") == (0.8, 60.0)
    assert parse_service_level("90%/2m") == (0.9, 120.0)
    goals = StaffingGoals.parse("80/60s", max_asa="30s", max_abandon="5%", shrinkage="30%")
    assert (goals.max_asa_s, goals.max_abandon, goals.shrinkage) == (30.0, 0.05, 0.3)
    assert goals.scheduled(np.array([7, 0, 10])).tolist() == [10, 0, 15]
    assert not StaffingGoals().has_goal  # every queue may bring its own
    with pytest.raises(ValueError, match="together"):
        StaffingGoals(service_level=0.8)


def test_capacity_time_reduces_to_service_time_for_mmn():
    scenario = stationary()
    group = scenario.agent_groups[0]
    assert capacity_time_s(scenario.channels[0], group, "tab") == pytest.approx(SERVICE)


# ---------------------------------------------------------------------------- analytic
def test_analytic_is_erlang_c_and_erlang_a():
    expected_c = erlang_c_servers_for_service_level(RATE, SERVICE, 30.0, 0.8)
    assert analytic_requirements(stationary(), GOALS)["agents"].tolist() == [expected_c] * 4
    expected_a = erlang_a_servers(RATE, SERVICE, PATIENCE, threshold_s=30.0, target=0.8)
    table = analytic_requirements(stationary(PATIENCE), GOALS)
    assert table["agents"].tolist() == [expected_a] * 4


def time_varying(scale: float) -> Scenario:
    base = stationary().model_dump()
    base["channels"][0]["arrivals"] = {"rates": [40, 150, 300, 90]}
    base["arrival_scale"] = scale
    base["channels"][0]["customers"]["exchanges"] = 3
    return Scenario.model_validate(base)


@pytest.mark.parametrize("goals", [GOALS, StaffingGoals.parse(max_asa="20s"),
                                   StaffingGoals.parse("90/20s", max_occupancy="80%")])
def test_analytic_requirements_never_fall_when_arrivals_rise(goals):
    scales = [0.25, 0.5, 0.8, 1.0, 1.3, 2.0, 3.5]
    tables = [analytic_requirements(time_varying(s), goals)["agents"].to_numpy() for s in scales]
    for lower, higher in itertools.pairwise(tables):
        assert np.all(higher >= lower)


@pytest.mark.slow
def test_simulated_requirements_never_fall_when_arrivals_rise():
    small = {"replications": 4, "seed": SEED, "max_iterations": 4,
             "verification_replications": 4}
    base = stationary().derive(horizon=2 * HOUR)
    low = base.derive(arrival_scale=0.5)
    high = base.derive(arrival_scale=1.5)
    required_low = staffed(low, GOALS, **small).required
    required_high = staffed(high, GOALS, **small).required
    assert np.all(required_high >= required_low)
    assert required_high.sum() > required_low.sum()


# -------------------------------------------------------------------------- simulation
@pytest.mark.slow
def test_simulated_requirement_matches_erlang_c_within_one_agent(erlang_c_case):
    expected = erlang_c_servers_for_service_level(RATE, SERVICE, 30.0, 0.8)
    # Interval 0 starts empty (less load than stationary); the others are stationary.
    required = erlang_c_case.required[0]
    assert np.all(np.abs(required[1:] - expected) <= 1)
    assert expected - 2 <= required[0] <= expected + 1
    assert erlang_c_case.iterations >= 1


@pytest.mark.slow
def test_simulated_requirement_matches_erlang_a_within_one_agent():
    result = staffed(stationary(PATIENCE), GOALS, replications=6, seed=SEED, max_iterations=5)
    expected = erlang_a_servers(RATE, SERVICE, PATIENCE, threshold_s=30.0, target=0.8)
    assert np.all(np.abs(result.required[0][1:] - expected) <= 1)


@pytest.mark.slow
def test_verification_meets_target_and_one_agent_fewer_breaks_it(erlang_c_case):
    assert erlang_c_case.meets().all()
    assert (erlang_c_case.estimates.measure("service_level")[0] >= 0.8).all()
    breaks = erlang_c_case.breaks_with_one_fewer()[0]
    assert breaks.any()
    binding = int(np.argmin(np.where(breaks, erlang_c_case.probe.margin[0], np.inf)))
    fewer = erlang_c_case.required[0].copy()
    fewer[binding] -= 1
    scenario = with_staffing(stationary(), fewer, GOALS)
    runs = [measure_day((scenario, SEED, r))
            for r in range(erlang_c_case.verification_replications)]
    achieved = DayEstimates.from_runs(runs).measure("service_level")[0][-1, binding]
    assert achieved < 0.8


def two_groups(second_queues: list[str] | None = None, second_agents: int = 3) -> Scenario:
    data = stationary().model_dump()
    first = data["agent_groups"][0]
    data["agent_groups"].append({**first, "name": "second", "agents": second_agents,
                                 "queues": second_queues or first["queues"]})
    return Scenario.model_validate(data)


def test_several_groups_staff_one_and_count_the_others_as_fixed():
    single = analytic_requirements(stationary(), GOALS)["agents"].to_numpy()
    table = analytic_requirements(two_groups(), GOALS)
    assert table["other_agents"].tolist() == [3.0] * 4
    assert table["agents"].tolist() == (single - 3).tolist()
    assert staffing_group(two_groups())[1].name == stationary().agent_groups[0].name
    assert staffing_group(two_groups(), "second")[0] == 1
    scenario = with_staffing(two_groups(), [5] * 4, GOALS, group="second")
    assert scenario.agent_groups[1].staffing == [5] * 4
    assert scenario.agent_groups[0].agents == stationary().agent_groups[0].agents


def test_a_group_that_cannot_be_staffed_is_a_clear_error():
    with pytest.raises(StaffingError, match="no agent group 'nobody'"):
        analytic_requirements(two_groups(), GOALS, group="nobody")
    data = two_groups().model_dump()
    data["queues"].append({**data["queues"][0], "name": "other_q"})
    data["agent_groups"][1]["queues"] = ["other_q"]
    with pytest.raises(StaffingError, match="does not serve queue"):
        staffing_group(Scenario.model_validate(data), "second")


@pytest.mark.slow
def test_multichannel_scenario_is_staffed_out_of_the_box(tmp_path, monkeypatch):
    # The bundled two-group scenario, trimmed to the night and morning ramp for speed.
    scenario = SCENARIOS / "multichannel_center.yaml"
    monkeypatch.chdir(tmp_path)
    code = main(["staff", str(scenario), "--target", "80/60s", "-r", "2",
                 "--max-iterations", "1", "--verify-replications", "2", "--no-curve", "-q",
                 "--set", "horizon=10h", "--write-scenario", "staffed.yaml"])
    assert code == 0
    out = tmp_path / "out" / "multichannel_center-staffing"
    summary = json.loads((out / "staffing.json").read_text())
    assert summary["staffed_groups"] == ["chat_team", "messaging_team"]
    assert summary["fixed_groups"] == []
    assert set(summary["agent_hours"]) == {"tab", "status"}
    assert set(summary["group_agent_hours"]["tab"]) == {"chat_team", "messaging_team"}
    assert summary["simulated_days"] > 0
    table = pd.read_csv(out / "staffing.csv")
    assert len(table) == 2 * 20 and set(table["group"]) == {"chat_team", "messaging_team"}
    assert (table["required_tab"] >= 0).all()
    queues = pd.read_csv(out / "staffing_queues.csv")
    assert set(queues["queue"]) == {"chat_q", "whatsapp_q", "sms_q", "all"}
    staffed = load_scenario(tmp_path / "staffed.yaml")
    # Both groups have a shift plan: the written scenario is it (shifts, no staffing lists).
    assert [g.staffing for g in staffed.agent_groups] == [None, None]
    assert [sum(shift.agents for shift in g.shifts or []) for g in staffed.agent_groups] == [
        sum(summary["shifts"]["tab"][g.name]) for g in staffed.agent_groups]
    for name in ("required_agents.png", "achieved_service_level.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("extra, message", [
    (["--group", "nobody"], "no agent group 'nobody'"),
    (["--group", "messaging_team"], "chat_q served by no staffed group"),
    (["--models", "tab,queue"], "unknown capacity model"),
    (["--shrinkage", "10%,20%"], "2 shares in the list for 48 reporting intervals"),
    (["--shrinkage", "nothere.csv:weekday"], "nothere.csv is outside the scenario's folder"),
    (["--write-scenario", "/no-such-dir/staffed.yaml"], "expected a file in an existing"),
    ([], "has no goal"),
])
def test_staff_cli_errors_are_one_line(tmp_path, capsys, extra, message):
    goals = ["--target", "80/60s"] if extra else []
    code = main(["staff", str(SCENARIOS / "multichannel_center.yaml"), *goals, *extra,
                 "--out", str(tmp_path / "x")])
    error = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(error) == 1, error
    assert error[0].startswith("ccsim: error: ") and message in error[0]


# ------------------------------------------------------------------------ shift cover
def brute_force(requirements, templates, limit):
    best = None
    for counts in itertools.product(range(limit + 1), repeat=len(templates)):
        cover = covered_agents(counts, templates, len(requirements))
        if np.all(cover >= requirements) and (best is None or sum(counts) < best):
            best = sum(counts)
    return best


@pytest.mark.parametrize(
    "requirements", [[2, 3, 5, 4, 1, 0], [1, 1, 6, 6, 2, 3], [0, 4, 0, 4, 0, 4]]
)
def test_shift_cover_meets_every_interval_with_fewest_agents(requirements):
    templates = [(0, 3), (1, 3), (2, 3), (3, 3), (2, 2)]
    counts = cover_shifts(requirements, templates)
    assert np.all(covered_agents(counts, templates, 6) >= requirements)
    assert sum(counts) == brute_force(np.array(requirements), templates, max(requirements))


def test_shift_cover_rejects_uncovered_interval():
    with pytest.raises(ValueError, match="no shift template"):
        cover_shifts([1, 1, 1], [(0, 2)])


# ------------------------------------------------------------------------------ report
@pytest.mark.slow
def test_staff_both_models_writes_table_summary_and_charts(tmp_path):
    base = stationary().model_dump()
    base.update(horizon=2 * HOUR, interval=1800.0)
    base["channels"][0]["arrivals"] = {"rates": [60, 120, 150, 90]}
    scenario = Scenario.model_validate(base)
    report = staff(scenario, GOALS, replications=3, seed=SEED, max_iterations=3,
                   verification_replications=3, curve_replications=2,
                   shift_templates=[(0, 2), (1, 2), (2, 2)])
    assert set(report.results) == {"tab", "status"}
    assert report.simulated_days > 0
    assert report.agent_hours_difference() is not None
    for plans in report.group_shifts.values():
        assert [len(counts) for counts in plans.values()] == [3]
    written = write_staffing(report, tmp_path)
    table = report.table()
    assert {"arrivals", "analytic_agents", "required_tab", "required_status",
            "service_level_tab_ci95", "one_fewer_breaks_status"} <= set(table.columns)
    queues = report.queue_table()
    assert {"asa_s", "abandon_rate_ci95", "occupancy", "meets"} <= set(queues.columns)
    cover = report.shift_cover_table()
    assert (cover["surplus"] >= 0).all() and set(cover["model"]) == {"tab", "status"}
    summary = json.loads(written["json"].read_text())
    assert set(summary["agent_hours"]) == {"tab", "status"}
    for name in ("required_agents", "service_level_curve", "achieved_service_level"):
        image = matplotlib.image.imread(written[name])
        assert image.shape[0] > 100 and image.shape[1] > 100
    figures = staffing_figures(report)
    assert set(figures) == {"required_agents", "service_level_curve", "achieved_service_level",
                            "shift_cover"}
    for figure in figures.values():
        assert isinstance(figure, Figure)
        axes = figure.axes[0]
        assert axes.get_title()
        assert "(" in axes.get_xlabel() and "(" in axes.get_ylabel()  # units
        assert axes.get_legend() is not None or len(figure.legends) == 1
    assert "(" in figures["required_agents"].axes[1].get_ylabel()  # arrivals axis


def test_a_long_required_agents_title_is_wrapped_inside_the_figure():
    table = pd.DataFrame({"start_s": [0.0, 1800.0, 3600.0], "arrivals": [10.0, 30.0, 20.0],
                          "analytic_scheduled": [2, 4, 3], "scheduled_tab": [3, 5, 4],
                          "scheduled_status": [3, 4, 4]})
    title = ("Required agents per interval: chat_team (others on fixed shifts) — service "
             "level 80% within 60s, abandonment <= 5.0%")
    figure = required_agents_chart(table, 1800.0, title=title)
    assert_inside_figure(figure, figure.axes[0].title)
    assert figure.axes[0].get_title() == title


# ------------------------------------------------------------------- response-time goal
def test_response_time_goal_is_measured_per_queue_and_interval():
    # issue 21 item 4: the agent's response time per customer message, a staffing goal
    from sim.model.simulate import simulate
    from sim.staffing.day_measures import MEASURE_INDEX, day_measures
    from sim.staffing.goals import queue_goals
    from sim.staffing.search import GOALS, DayEstimates, GoalCheck

    scenario = load_scenario(SCENARIOS / "web_chat_desk.yaml", ["horizon=3h"])
    result = simulate(scenario, seed=3)
    measures = day_measures(result)
    responses = result.responses
    bins = (responses["asked_time"] // scenario.interval).astype(int)
    expected = responses.groupby(bins)["response_s"].mean()
    measured = measures[0, MEASURE_INDEX["response_s"]]
    assert np.allclose(measured[expected.index], expected.to_numpy())
    assert np.allclose(measures[-1, MEASURE_INDEX["response_s"]], measured, equal_nan=True)

    goals = StaffingGoals.parse(max_response="2m")
    assert goals.max_response_s == 120.0 and goals.has_goal
    assert "response time <= 120s" in goals.describe()
    check = GoalCheck.of(queue_goals(scenario, goals), goals)
    margins = check.goal_margins(DayEstimates.from_runs([measures]))
    column = GOALS.index("max_response")
    with np.errstate(invalid="ignore"):
        assert np.allclose(margins[0, column][np.isfinite(measured)],
                           ((120.0 - measured) / 120.0)[np.isfinite(measured)])
    with pytest.raises(ValueError, match="--max-response '0s': expected a duration greater"):
        StaffingGoals.parse(max_response="0s")


@pytest.mark.slow
def test_staff_with_a_response_time_goal_alone(tmp_path, capsys):
    scenario = SCENARIOS / "web_chat_desk.yaml"
    code = main(["staff", str(scenario), "--max-response", "50s", "-r", "2",
                 "--models", "status", "--set", "horizon=2h", "--out", str(tmp_path / "s"),
                 "--quiet"])
    assert code == 0, capsys.readouterr().err
    staffing = pd.read_csv(tmp_path / "s" / "staffing.csv")
    assert (staffing["required_status"] > 0).all()
    queues = pd.read_csv(tmp_path / "s" / "staffing_queues.csv")
    verified = queues[(queues["queue"] == "support") & (queues["capacity_model"] == "status")]
    assert verified["response_s"].notna().all()  # the opening message counts too
    assert (verified["response_s"] <= 50.0).all()
