"""sim.analysis for the staffing notebook: hours per group, clock times, the conclusion.

A small staffing run (a 3-hour day of the bundled unstable-connections desk, both of its
agent groups staffed, 2 replications) gives a real report.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from chart_rules import chart_problems, clock_tick_labels

from sim import analysis, load_scenario
from sim.staffing.plan import StaffingGoals, staff

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.fixture(scope="module")
def desk():
    return load_scenario(SCENARIOS / "unstable_connections.yaml").derive(horizon="3h")


@pytest.fixture(scope="module")
def staffing(desk):
    goals = StaffingGoals.parse(target="80/60s")
    return staff(desk, goals, replications=2, seed=1, max_iterations=2, curve=False)


@pytest.mark.slow
def test_staffing_hours_add_up_per_group(staffing) -> None:
    hours = analysis.staffing_hours_table(staffing)
    assert list(hours.index) == ["home_agents", "office_agents", "all"]
    for model, total in staffing.agent_hours().items():
        assert hours.loc["all", model] == pytest.approx(total)
        assert hours.loc["all", model] == pytest.approx(hours[model].iloc[:-1].sum())
    assert hours.loc["all", "status - tab"] == pytest.approx(
        staffing.agent_hours_difference())


@pytest.mark.slow
def test_staffing_view_and_conclusion_speak_clock_time(staffing) -> None:
    view = analysis.staffing_view(staffing)
    assert view.index.names == ["group", "time"]
    assert view.index.get_level_values("time")[0] == "08:00"
    text = analysis.staffing_conclusion(staffing)
    for model, result in staffing.results.items():
        total = result.scheduled.sum(axis=0)
        at = staffing.clock(int(np.argmax(total)) * staffing.scenario.interval)
        assert f"peak {int(total.max())} agents at {at}" in text, model
    assert "home_agents" in text and "office_agents" in text


def test_curve_crossings_are_the_fewest_agents_meeting_the_target() -> None:
    curve = pd.DataFrame({"model": ["tab"] * 3 + ["status"] * 3,
                          "agents": [5, 6, 7, 5, 6, 7],
                          "service_level": [0.5, 0.79, 0.85, 0.81, 0.9, 0.95]})
    assert analysis.curve_crossings(curve, 0.8) == {"tab": 7, "status": 5}
    assert analysis.curve_crossings(curve, 0.99) == {"tab": None, "status": None}


@pytest.mark.slow
def test_agent_hours_chart_follows_the_chart_rules(staffing) -> None:
    figure = analysis.agent_hours_chart(staffing)
    assert chart_problems(figure) == []
    assert clock_tick_labels(figure)[0] == "08:00"


# ------------------------------------------------------------------------ recommendation
def _comparison(desk, tab_waits, status_waits, tab_levels, status_levels):
    from sim.experiments.runner import Comparison, RunSet, comparison_table

    def runs(waits, levels):
        figures = [{"offered": 100.0, "mean_queue_time_s": wait, "wait_after_answer_s": 0.0,
                    "service_level": level, "abandoned": 0.0, "left_unanswered": 0.0}
                   for wait, level in zip(waits, levels, strict=True)]
        return RunSet(scenario=desk, seed=1, requested=len(figures), figures=figures,
                      intervals=pd.DataFrame(), agents=pd.DataFrame(), sessions=None)

    tab, status = runs(tab_waits, tab_levels), runs(status_waits, status_levels)
    return Comparison(tab=tab, status=status, table=comparison_table(tab, status))


@pytest.mark.slow
def test_the_model_customers_wait_less_under_is_recommended(desk) -> None:
    from sim.analysis.recommendation import choose_model

    clear = _comparison(desk, [30, 31, 32], [20, 21, 22], [0.8] * 3, [0.8] * 3)
    model, reason = choose_model(clear, "tab")
    assert model == "status" and "wait 10.0 s less per offered session" in reason
    by_level = _comparison(desk, [30, 31, 32], [30, 32, 31], [0.9, 0.91, 0.92],
                           [0.8, 0.8, 0.81])
    assert choose_model(by_level, "status")[0] == "tab"
    unclear = _comparison(desk, [30, 31, 32], [30, 32, 31], [0.8, 0.9, 0.85],
                          [0.85, 0.8, 0.9])
    assert choose_model(unclear, "status") == (
        "status", "neither the customers' total wait nor the service level is clearly "
        "different, so the model in use stays")


@pytest.mark.slow
def test_headcount_is_the_verified_staffing_against_todays(desk, staffing) -> None:
    comparison = _comparison(desk, [30, 31, 32], [20, 21, 22], [0.8] * 3, [0.8] * 3)
    choice = analysis.recommend(comparison, staffing, current="tab")
    assert choice.capacity_model == "status"
    hours = staffing.results["status"].group_agent_hours()
    assert {c.group: c.agent_hours for c in choice.headcount} == pytest.approx(hours)
    home = next(c for c in choice.headcount if c.group == "home_agents")
    agents = desk.agent_groups[0]
    assert agents.shifts is None and agents.staffing is None  # the same agents all day
    assert (home.observed_peak, home.observed_hours) == (agents.agents, agents.agents * 3.0)
    assert choice.other_model_hours == pytest.approx(staffing.results["tab"].agent_hours)
    text = choice.text()
    assert text.startswith("**Use status-based capacity** (switch from tab-based)")
    assert f"peaking at {home.peak} agents at {home.peak_at}" in text
