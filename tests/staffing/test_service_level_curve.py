"""The service-level-against-agents curve and the staffing charts.

Each simulated point gets replications until its 95% CI half-width is at most 5 points
(or the cap, and then the row says so); on an M/M/n reduction the points agree with
Erlang C. The charts (curve, shift cover, requirement) draw in clock time, one panel per
agent group, with titles, units and legends.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from scenario_builders import HOUR, mmn_scenario

from sim.reports.staffing_charts import (
    required_agents_chart,
    service_level_curve_chart,
    shift_cover_chart,
    staffing_figures,
)
from sim.results.confidence import ci95_half_width
from sim.scenario.clock import clock_of, normalize_start
from sim.scenario.schema import Scenario
from sim.staffing.curve import (
    CI_TARGET,
    MEASURED_S,
    point_service_level,
    replications_wanted,
    service_level_curve,
    stationary_interval,
)
from sim.staffing.day_measures import MEASURES
from sim.staffing.goals import StaffingGoals
from sim.staffing.plan import staff
from sim.staffing.shift_cover import SHIFT_COVER_COLUMNS, cover_shifts, shift_cover_table

GOALS = StaffingGoals.parse("80/20s")
AGENTS = [4, 5, 6, 7]


def erlang_c_desk() -> Scenario:
    """M/M/n: 0.02 sessions a second, 150 s of service (3 Erlangs), no abandonment."""
    return mmn_scenario(arrival_rate_per_s=0.02, mean_service_s=150.0, agents=4, capacity=1,
                        horizon_s=4 * HOUR, interval_s=HOUR / 2)


@pytest.fixture(scope="module")
def curve() -> pd.DataFrame:
    return service_level_curve(erlang_c_desk(), GOALS, AGENTS, models=["tab"], seed=5)


@pytest.mark.slow
def test_every_point_is_within_five_points_or_marked(curve: pd.DataFrame) -> None:
    simulated = curve[curve["model"] == "tab"]
    assert list(simulated["agents"]) == AGENTS
    assert simulated["ci_met"].all()
    assert (simulated["service_level_ci95"] <= CI_TARGET + 1e-12).all()
    assert (simulated["service_level_ci95"] > 0).all()
    # Adaptive: the points near the middle of the curve needed more replications than
    # the one near 100%.
    replications = dict(zip(simulated["agents"], simulated["replications"], strict=True))
    assert replications[AGENTS[0]] > replications[AGENTS[-1]]
    assert curve.attrs["ci_target"] == CI_TARGET
    assert curve.attrs["measured_s"] == MEASURED_S


def test_the_points_agree_with_erlang_c(curve: pd.DataFrame) -> None:
    """A stationary M/M/n: simulation and Erlang C within the CI (plus a point for bias)."""
    simulated = curve[curve["model"] == "tab"].set_index("agents")
    erlang = curve[curve["model"] == "erlang"].set_index("agents")
    difference = (simulated["service_level"] - erlang["service_level"]).abs()
    assert (difference <= simulated["service_level_ci95"] + 0.01).all(), difference


def test_a_point_that_cannot_reach_the_target_is_marked() -> None:
    table = service_level_curve(erlang_c_desk(), GOALS, [4], models=["tab"], seed=5,
                                ci_target=0.001, max_replications=5)
    row = table[table["model"] == "tab"].iloc[0]
    assert row["replications"] == 5
    assert not row["ci_met"]
    assert row["service_level_ci95"] > 0.001


@pytest.mark.slow
def test_same_seed_same_curve(curve: pd.DataFrame) -> None:
    again = service_level_curve(erlang_c_desk(), GOALS, AGENTS, models=["tab"], seed=5)
    pd.testing.assert_frame_equal(curve, again)


def test_stationary_interval_measures_four_hours_after_a_warm_up() -> None:
    scenario = erlang_c_desk()
    stationary = stationary_interval(scenario, 2)
    assert stationary.horizon == scenario.interval + MEASURED_S
    assert stationary.warmup == 0.0
    # A day-to-day multiplier is held at its mean in a stationary interval.
    varying = scenario.derive(arrival_scale={"kind": "gamma", "mean": 1.5, "sd": 0.3})
    rates = stationary_interval(varying, 2).channels[0].arrivals.rates
    assert rates == pytest.approx([0.02 * 1.5 * HOUR])
    assert stationary_interval(varying, 2).arrival_scale == 1.0


# ------------------------------------------------------------------------------- pieces
def test_point_service_level_weights_intervals_by_offered() -> None:
    run = np.full((len(MEASURES), 4), np.nan)
    run[MEASURES.index("service_level")] = [0.0, 1.0, 0.5, np.nan]
    run[MEASURES.index("offered")] = [50, 10, 30, 0]
    # The warm-up (first) interval is left out; (1.0 x 10 + 0.5 x 30) / 40.
    assert point_service_level(run) == pytest.approx(25.0 / 40.0)
    run[MEASURES.index("offered")] = [50, 0, 0, 0]
    assert math.isnan(point_service_level(run))


def test_replications_wanted() -> None:
    narrow = [0.80, 0.81, 0.79, 0.80]
    assert ci95_half_width(narrow) <= CI_TARGET
    assert replications_wanted(narrow, CI_TARGET, 40) == 4
    wide = [0.2, 0.9, 0.4, 0.7]
    # sd 0.31: (2.1 x 0.31 / 0.05)^2 is about 170, at most twice the count per round.
    assert replications_wanted(wide, CI_TARGET, 40) == 8
    assert replications_wanted(wide * 8, CI_TARGET, 40) == 40  # capped
    assert replications_wanted(wide * 10, CI_TARGET, 40) == 40  # at the cap already
    assert replications_wanted([0.5], CI_TARGET, 40) == 3  # one value: two more
    assert replications_wanted([math.nan, math.nan], CI_TARGET, 40) == 2  # nothing offered


# ------------------------------------------------------------------------------- charts
EIGHT_AM = clock_of(normalize_start("08:00"))


def _legend_texts(axes: Axes) -> list[str]:
    """The entries of the axes' legend, or of the figure's one legend under the panels."""
    legend = axes.get_legend() or (axes.figure.legends[0] if axes.figure.legends else None)
    assert legend is not None
    return [text.get_text() for text in legend.get_texts()]


def _panels(figure: Figure) -> list[Axes]:
    """The panels of a staffing chart (one per group; twin axes left out)."""
    return [axes for axes in figure.axes if axes.get_title(loc="left").startswith("agent group")]


def _assert_chart_basics(figure: Figure) -> None:
    title = figure.get_suptitle() or figure.axes[0].get_title()
    assert title
    assert len(figure.legends) + sum(axes.get_legend() is not None for axes in figure.axes) == 1
    for axes in figure.axes:
        assert "(" in axes.get_ylabel()  # a unit, twin axes too
    time_labels = [axes.get_xlabel() for axes in figure.axes if axes.get_xlabel()]
    assert len(time_labels) == 1 and "(" in time_labels[0]  # one x label, with its unit


def test_shift_cover_table_puts_the_plan_next_to_the_requirement() -> None:
    templates = [(0, 4), (2, 4), (4, 2)]
    required = {"tab": np.array([2, 2, 5, 5, 3, 1]), "status": np.array([1, 2, 4, 4, 3, 0])}
    counts = {model: cover_shifts(need, templates) for model, need in required.items()}
    table = shift_cover_table(required, counts, templates, 1800.0, group="team")
    assert list(table.columns) == list(SHIFT_COVER_COLUMNS)
    tab = table[table["model"] == "tab"]
    # On shift: template j covers intervals start .. start + length - 1.
    expected = np.zeros(6, dtype=int)
    for (start, length), agents in zip(templates, counts["tab"], strict=True):
        expected[start:start + length] += agents
    assert tab["on_shift"].tolist() == expected.tolist()
    assert (table["surplus"] >= 0).all()
    assert (table["surplus"] == table["on_shift"] - table["required"]).all()
    assert tab["start_s"].tolist() == [i * 1800.0 for i in range(6)]
    assert set(table["group"]) == {"team"}


def test_shift_cover_chart_one_panel_per_group_in_clock_time() -> None:
    templates = [(0, 4), (2, 4)]
    parts = []
    for group, need in (("chat", [1, 3, 3, 2, 2, 1]), ("messaging", [2, 2, 1, 1, 1, 1])):
        required = {"tab": np.array(need)}
        parts.append(shift_cover_table(required, {"tab": cover_shifts(need, templates)},
                                       templates, 1800.0, group=group))
    figure = shift_cover_chart(pd.concat(parts), 1800.0, EIGHT_AM)
    panels = _panels(figure)
    assert len(panels) == 2
    assert [axes.get_title(loc="left") for axes in panels] == ["agent group chat",
                                                               "agent group messaging"]
    _assert_chart_basics(figure)
    labels = [tick.get_text() for tick in panels[-1].get_xticklabels()]
    assert labels[0] == "08:00"  # clock time from the scenario's start, not hours
    assert any("surplus" in text for text in _legend_texts(panels[0]))
    assert any(text.startswith("on shift") for text in _legend_texts(panels[0]))


def test_curve_chart_draws_points_outside_the_target_hollow_with_a_legend_entry() -> None:
    rows = [{"model": "tab", "agents": agents, "service_level": level,
             "service_level_ci95": half, "replications": reps, "ci_met": met}
            for agents, level, half, reps, met in ((3, 0.4, 0.04, 12, True),
                                                    (4, 0.7, 0.08, 40, False),
                                                    (5, 0.9, 0.02, 4, True))]
    rows += [{"model": "erlang", "agents": agents, "service_level": level,
              "service_level_ci95": 0.0, "replications": 0, "ci_met": True}
             for agents, level in ((3, 0.5), (4, 0.8), (5, 0.95))]
    curve = pd.DataFrame(rows)
    curve.attrs.update(start_s=3600.0, interval_s=1800.0, group="team", ci_target=0.05,
                       max_replications=40, measured_s=4 * HOUR)
    figure = service_level_curve_chart(curve, 0.8, 60.0, clock=EIGHT_AM)
    axes = figure.axes[0]
    assert "(09:00-09:30, held stationary)" in axes.get_title()
    texts = _legend_texts(axes)
    assert "CI wider than ±5 points after 40 replications" in texts
    hollow = [line for line in axes.get_lines() if line.get_markerfacecolor() == "white"
              and len(line.get_xdata())]
    assert len(hollow) == 1 and list(hollow[0].get_xdata()) == [4]
    assert "at most ±5 points where filled" in axes.get_legend().get_title().get_text()
    _assert_chart_basics(figure)
    # Every point narrow enough: no hollow points and no such legend entry.
    narrow = curve[curve["ci_met"]].copy()
    narrow.attrs = curve.attrs
    again = service_level_curve_chart(narrow, 0.8, 60.0).axes[0]
    assert not any(text.startswith("CI wider") for text in _legend_texts(again))
    assert "(at most ±5 points, 4 h per replication)" in again.get_legend().get_title().get_text()


def test_required_agents_chart_one_panel_per_group() -> None:
    table = pd.DataFrame({
        "group": ["chat"] * 3 + ["messaging"] * 3, "start_s": [0.0, 1800.0, 3600.0] * 2,
        "arrivals": [10.0, 30.0, 20.0, 5.0, 8.0, 4.0], "analytic_scheduled": [2, 4, 3, 1, 2, 1],
        "scheduled_tab": [3, 5, 4, 1, 2, 2]})
    figure = required_agents_chart(table, 1800.0, clock=EIGHT_AM)
    panels = _panels(figure)
    assert [axes.get_title(loc="left") for axes in panels] == ["agent group chat",
                                                               "agent group messaging"]
    assert figure.get_suptitle()
    for axes in panels:
        tab = next(line for line in axes.get_lines() if line.get_label() == "required, tab-based")
        assert max(tab.get_ydata()) == (5 if axes is panels[0] else 2)
    _assert_chart_basics(figure)


def test_staffing_figures_of_several_groups_have_a_panel_per_group() -> None:
    """A staffing of two groups with a shift plan: a panel per group in every chart."""
    data = erlang_c_desk().derive(start="08:00", horizon=2 * HOUR).model_dump()
    first = data["agent_groups"][0]
    data["agent_groups"] = [{**first, "name": "chat"}, {**first, "name": "messaging"}]
    templates = [(0, 2), (2, 2)]  # two shifts of an hour: 08:00 and 09:00
    report = staff(Scenario.model_validate(data), GOALS, replications=2, seed=5,
                   models=["tab"], verification_replications=2, max_iterations=3,
                   curve=False, groups=["chat", "messaging"], shift_templates=templates)
    figures = staffing_figures(report)
    assert set(figures) == {"required_agents", "achieved_service_level", "shift_cover"}
    for figure in figures.values():
        panels = _panels(figure)
        assert [axes.get_title(loc="left") for axes in panels] == ["agent group chat",
                                                                   "agent group messaging"]
        assert [tick.get_text() for tick in panels[-1].get_xticklabels()][0] == "08:00"
        _assert_chart_basics(figure)
    cover = report.shift_cover_table()
    for group in ("chat", "messaging"):
        rows = cover[cover["group"] == group]
        plan = report.group_shifts["tab"][group]
        assert rows["on_shift"].tolist() == [plan[0], plan[0], plan[1], plan[1]]
        assert (rows["on_shift"] >= rows["required"]).all()
