"""Forecast uncertainty: ``arrival_scale`` as a day-to-day volume multiplier.

A number scales every day alike; a distribution (or a list of observed day multipliers) is
drawn once per replication from its own stream, so every interval and channel of one
replication is scaled by the same factor and the other streams are left as they were.
Staffing may then ask the goals to hold on a share of days (sim.staffing.day_goals).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from cli_helpers import one_error_line
from scenario_builders import t_half_width, tiny_desk
from scipy import stats

from sim.cli.main import main
from sim.cli.staff import default_replications
from sim.model.day_volume import day_arrival_scale
from sim.model.simulate import replication_seed_sequence, simulate
from sim.model.streams import RandomStreams
from sim.scenario.day_volume import mean_arrival_scale, varies_by_day
from sim.scenario.loading import ScenarioError
from sim.scenario.schema import Empirical, Gamma, LogNormal, Scenario
from sim.staffing.day_goals import (
    allowed_misses,
    check_days_replications,
    daily_margins,
    days_replications,
    deciding_day_margins,
    parse_days,
)
from sim.staffing.day_measures import MEASURE_INDEX, measure_day
from sim.staffing.goals import StaffingGoals, queue_goals
from sim.staffing.plan import StaffingReport, staff
from sim.staffing.search import DayEstimates, GoalCheck


def desk(arrival_scale: Any = 1.0, **changes: Any) -> Scenario:
    """Two channels (web and sms-like web) so 'every channel alike' can be seen, 4 h."""
    raw = tiny_desk("day volume", "4h", "40/h", exchanges=2, patience_s=300.0, agents=3,
                    capacity=2)
    second = {**raw["channels"][0], "name": "web2", "arrivals": {"rates": ["10/h", "30/h"],
                                                                  "repeat": True}}
    raw["channels"].append(second)
    raw["arrival_scale"] = arrival_scale
    return Scenario.model_validate(raw).derive(changes) if changes else Scenario.model_validate(
        raw)


def drawn_scale(scenario: Scenario, replication: int, seed: int | None = None) -> float:
    """The multiplier the model draws for one replication (from its own stream)."""
    root = scenario.seed if seed is None else seed
    streams = RandomStreams(replication_seed_sequence(root, replication))
    return day_arrival_scale(scenario.arrival_scale, streams)


# ------------------------------------------------------------------------------ the input
@pytest.mark.parametrize(("written", "expected"), [
    (1.2, 1.2),
    ("120%", 1.2),
    ([0.9, 1, "115%"], Empirical(kind="empirical", values=[0.9, 1.0, 1.15])),
    ({"kind": "lognormal", "mean": 1, "sd": "10%"}, LogNormal(kind="lognormal", mean=1, sd=0.1)),
    ({"kind": "gamma", "mean": 1, "sd": 0.2}, Gamma(kind="gamma", mean=1, sd=0.2)),
])
def test_arrival_scale_is_a_number_a_list_of_days_or_a_distribution(
        written: Any, expected: Any) -> None:
    assert desk(written).arrival_scale == expected


@pytest.mark.parametrize(("written", "message"), [
    (0, "arrival_scale: found 0; expected a number greater than 0"),
    (True, "arrival_scale: found true; expected a number (true and false are not numbers)"),
    ({"kind": "lognormal", "mean": 1}, "arrival_scale.sd: required key is missing"),
    ({"kind": "normal", "mean": 1, "sd": 0.1}, "arrival_scale: found kind 'normal'; allowed kinds"),
    ([], "arrival_scale: found []; expected at least 1 entry"),
])
def test_a_bad_arrival_scale_is_one_line_naming_the_key(written: Any, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        desk().derive(arrival_scale=written)
    lines = str(caught.value).splitlines()
    assert len(lines) == 1
    assert message in lines[0]


def test_mean_and_whether_it_varies() -> None:
    assert mean_arrival_scale(1.3) == 1.3
    assert mean_arrival_scale(desk([0.8, 1.0, 1.5]).arrival_scale) == pytest.approx(1.1)
    assert mean_arrival_scale(desk({"kind": "gamma", "mean": 1.2, "sd": 0.1}).arrival_scale) \
        == 1.2
    assert not varies_by_day(1.3)
    assert not varies_by_day(desk({"kind": "fixed", "value": 1.3}).arrival_scale)
    assert varies_by_day(desk([0.8, 1.2]).arrival_scale)


# ----------------------------------------------------------------------------- the model
def test_one_draw_per_replication_scales_every_interval_and_channel_alike() -> None:
    """A replication with a drawn multiplier is exactly the run with that number.

    Every interval and both channels get the same factor (else the runs would differ), and
    no other stream moved: the same customers, patience and replies.
    """
    varying = desk({"kind": "lognormal", "mean": 1.0, "sd": 0.3})
    draws = []
    for replication in range(3):
        scale = drawn_scale(varying, replication)
        draws.append(scale)
        drawn = simulate(varying, replication=replication)
        fixed = simulate(desk(scale), replication=replication)
        pd.testing.assert_frame_equal(drawn.sessions, fixed.sessions)
        pd.testing.assert_frame_equal(drawn.intervals, fixed.intervals)
    assert len(set(draws)) == 3  # a new day each replication
    # The same day under both capacity models (common random numbers): tab and status
    # draw the same multiplier.
    assert drawn_scale(varying.derive(capacity_model="status"), 1) == draws[1]


def test_multiplier_fixed_at_one_leaves_every_other_stream_unchanged() -> None:
    """A one-value list draws from the multiplier's stream, yet the run is the plain one."""
    plain = simulate(desk(1.0), replication=2)
    drawn = simulate(desk([1.0]), replication=2)
    pd.testing.assert_frame_equal(plain.sessions, drawn.sessions)
    pd.testing.assert_frame_equal(plain.agents, drawn.agents)
    pd.testing.assert_frame_equal(plain.intervals, drawn.intervals)


@pytest.mark.slow
def test_offered_across_days_matches_the_multiplier() -> None:
    """Mean offered over replications = multiplier mean x expected arrivals, within the CI.

    The spread is the Poisson variance plus the multiplier's: var N = m E[S] + m^2 var S
    for m expected arrivals at scale 1 (a chi-square 99% interval for the sample variance).
    """
    mean, sd = 1.2, 0.25
    scenario = desk({"kind": "gamma", "mean": mean, "sd": sd}, horizon="2h")
    expected_at_one = 2 * 40.0 + (10.0 + 30.0)  # web 40/h for 2 h, web2 10/h then 30/h
    offered = []
    for replication in range(60):
        intervals = simulate(scenario, replication=replication).intervals
        offered.append(float(intervals.loc[intervals["channel"] == "all", "offered"].sum()))
    ratio = np.array(offered) / expected_at_one
    centre, half = t_half_width(ratio)
    assert abs(centre - mean) <= half
    variance = expected_at_one * mean + expected_at_one**2 * sd**2
    n = len(offered)
    sample = float(np.var(offered, ddof=1))
    low = sample * (n - 1) / stats.chi2.ppf(0.995, n - 1)
    high = sample * (n - 1) / stats.chi2.ppf(0.005, n - 1)
    assert low <= variance <= high
    # The Poisson variance alone is well outside: the multiplier's spread is there.
    assert expected_at_one * mean < low


def test_a_list_of_days_draws_only_those_days() -> None:
    scenario = desk([0.5, 2.0])
    draws = {drawn_scale(scenario, replication) for replication in range(20)}
    assert draws == {0.5, 2.0}
    assert math.isclose(mean_arrival_scale(scenario.arrival_scale), 1.25)


# ------------------------------------------------------------------ goals on a share of days
def held_on(met: np.ndarray, days: float, confident: bool = False) -> np.ndarray:
    """Reference: per interval, whether ``met`` (``[day, interval]``) holds on ``days``.

    By counting days; ``confident`` asks the 95% Clopper-Pearson lower bound of the share
    to reach ``days``.
    """
    count, successes = met.shape[0], met.sum(axis=0)
    if not confident:
        return successes >= days * count - 1e-9
    return np.array([stats.binomtest(int(k), count).proportion_ci(0.95).low >= days - 1e-12
                     for k in successes])


def rank_margin(margins: np.ndarray, days: float, side: int = 0) -> np.ndarray:
    """Reference: the margin of rank :func:`allowed_misses` (0-based, smallest first)."""
    count = margins.shape[0]
    misses = allowed_misses(count, days, side)
    if misses < 0:
        return np.full(margins.shape[1:], -math.inf)
    return np.sort(margins, axis=0)[min(count - 1, misses)]


def deciding_margin(margins: np.ndarray, days: float, side: int = 0) -> np.ndarray:
    """The search's margin on ``days`` of the days for one row: ``margins`` ``[day, interval]``."""
    return deciding_day_margins(margins[:, None, :], days, side)[0]


def test_a_share_of_days_holds_by_count_and_its_confident_bound() -> None:
    met = np.array([[True, True], [True, False], [True, True], [True, True]] * 5)  # 20 days
    margins = np.where(met, 1.0, -1.0)
    # Interval 0 held on 20 of 20 days, interval 1 on 15 of 20.
    assert (deciding_margin(margins, 0.75) >= 0).tolist() == [True, True]
    assert (deciding_margin(margins, 0.8) >= 0).tolist() == [True, False]
    # Clopper-Pearson: all n days met gives the lower bound 0.025^(1/n): 0.83 for 20 days,
    # 0.91 for 40, so 90% of days is shown with confidence only by the second.
    assert 0.025 ** (1 / 20) < 0.9 < 0.025 ** (1 / 40)
    assert (deciding_margin(margins, 0.9, side=-1) >= 0).tolist() == [False, False]
    assert (deciding_margin(np.ones((40, 1)), 0.9, side=-1) >= 0).tolist() == [True]
    assert held_on(np.ones((40, 1), dtype=bool), 0.9, confident=True).tolist() == [True]


def test_parse_days() -> None:
    assert parse_days("90%") == 0.9
    assert parse_days(0.95) == 0.95
    assert parse_days("90") == 0.9
    with pytest.raises(ValueError, match="--days '0': expected a share of days above 0"):
        parse_days("0")
    with pytest.raises(ValueError, match="--days 'often'"):
        parse_days("often")


@pytest.mark.slow
def test_holding_the_goal_on_90_percent_of_days_needs_more_agents_with_volume_spread() -> None:
    """80/60s on 90% of days: the day-to-day spread of volume costs agents.

    At the fewest agents meeting the goal on the mean, the goal misses on more than a
    tenth of the days; the fewest agents holding it on 90% of the days in every interval
    are more with a spread volume (sd 30%) than with the same volume every day.
    """
    goals = StaffingGoals.parse(target="80/60s")
    on_days = StaffingGoals.parse(target="80/60s", days="90%")

    def runs(agents: int, scale: Any) -> tuple[DayEstimates, dict[str, StaffingGoals]]:
        raw = tiny_desk("days", "3h", "60/h", exchanges=2, patience_s=600.0, agents=agents,
                        capacity=1)
        raw["arrival_scale"] = scale
        scenario = Scenario.model_validate(raw)
        estimates = DayEstimates.from_runs([measure_day((scenario, 3, replication))
                                            for replication in range(40)])
        return estimates, queue_goals(scenario, goals)

    def held(estimates: DayEstimates, per_queue: dict[str, StaffingGoals]) -> bool:
        return bool((GoalCheck.of(per_queue, on_days).margins(estimates) >= 0).all())

    spread = {"kind": "gamma", "mean": 1, "sd": 0.3}
    on_mean, per_queue = runs(5, spread)
    assert GoalCheck.of(per_queue, goals).meets(on_mean).all()
    assert not held(on_mean, per_queue)
    assert GoalCheck.of(per_queue, on_days).share_of_days(on_mean).min() < 0.9

    def fewest(scale: Any) -> int:
        return next(agents for agents in range(5, 10) if held(*runs(agents, scale)))

    assert fewest(spread) > fewest(1.0)


def test_the_deciding_margin_is_non_negative_exactly_when_the_share_of_days_holds() -> None:
    rng = np.random.default_rng(4)
    for count in (5, 10, 20, 37):
        margins = rng.normal(0.05, 0.1, size=(count, 6))
        margins[rng.random(size=margins.shape) < 0.1] = np.inf  # nothing offered that day
        for days in (0.5, 0.8, 0.85, 0.9, 0.95, 1.0):
            held = held_on(margins >= 0, days)
            assert ((deciding_margin(margins, days) >= 0) == held).all(), (count, days)
    # 90% of 20 days: at most two may miss, so the third smallest margin decides.
    margins = np.array([[-0.2], [-0.1], [0.03]] + [[0.1]] * 17)
    assert deciding_margin(margins, 0.9).tolist() == [0.03]


def test_daily_margins_apply_a_check_to_each_day() -> None:
    runs = [np.full((len(MEASURE_INDEX), 3), value) for value in (0.7, 0.9)]
    goals = StaffingGoals.parse(target="80/60s")

    def margin(run: np.ndarray) -> np.ndarray:
        return run[MEASURE_INDEX["service_level"]] - goals.service_level

    margins = daily_margins(runs, margin)
    assert margins.shape == (2, 3)
    assert np.allclose(margins[:, 0], [-0.1, 0.1])
    assert (margins >= 0).tolist() == [[False] * 3, [True] * 3]  # 70% misses, 90% meets


@pytest.mark.slow
def test_the_confident_deciding_margin_agrees_with_the_clopper_pearson_check() -> None:
    rng = np.random.default_rng(9)
    for count in (10, 20, 40, 60):
        margins = rng.normal(0.08, 0.06, size=(count, 2, 5))  # [day, row, interval]
        for days in (0.8, 0.9):
            for row in range(2):
                one = margins[:, row]
                confident = deciding_margin(one, days, side=-1)
                held = held_on(one >= 0, days, confident=True)
                assert ((confident >= 0) == held).all(), (count, days)
                assert (confident <= deciding_margin(one, days)).all()
                assert (deciding_margin(one, days) <= deciding_margin(one, days, side=1)).all()
    # 90% of days cannot be shown with 95% confidence from 20 days: 0.025^(1/20) < 0.9.
    assert allowed_misses(20, 0.9, side=-1) == -1
    assert deciding_margin(np.ones((20, 3)), 0.9, side=-1).tolist() == [-math.inf] * 3
    assert allowed_misses(40, 0.9, side=-1) == 0
    assert allowed_misses(20, 0.9) == 2


# ----------------------------------------------------------- the deciding day of the search
def test_the_deciding_days_rows_give_the_days_margin_and_the_rows_to_raise() -> None:
    """Its smallest row margin is the days-margin of the days' smallest margins, per interval.

    A day counts as met only when every row (queue) meets its goals that day: two queues
    each missing on a different tenth of the days miss "90% of days" together.
    """
    rng = np.random.default_rng(2)
    daily = rng.normal(0.05, 0.1, size=(20, 3, 4))  # [day, row, interval]
    for days, side in ((0.9, 0), (0.8, 0), (0.8, 1), (0.9, -1)):
        rows = deciding_day_margins(daily, days, side)
        assert rows.shape == (3, 4)
        np.testing.assert_array_equal(rows.min(axis=0),
                                      rank_margin(daily.min(axis=1), days, side))
    apart = np.full((10, 2, 1), 0.1)
    apart[0, 0], apart[1, 1] = -0.1, -0.2  # queue 0 misses day 0, queue 1 day 1
    assert (rank_margin(apart[:, 0], 0.9) >= 0).all()
    assert (rank_margin(apart[:, 1], 0.9) >= 0).all()
    # The second worst day (one of ten may miss) decides: day 0, where queue 0 missed.
    assert deciding_day_margins(apart, 0.9)[:, 0].tolist() == [-0.1, 0.1]
    # Per goal ([day, row, goal, interval]): the same deciding day as on the rows' minimum.
    per_goal = rng.normal(0.05, 0.1, size=(20, 3, 4, 5))
    rows_only = deciding_day_margins(per_goal.min(axis=2), 0.9)
    np.testing.assert_array_equal(deciding_day_margins(per_goal, 0.9).min(axis=1), rows_only)


def test_goals_on_days_check_each_days_own_figures() -> None:
    """GoalCheck on a share of days: service level per day, not of the mean."""
    goals = StaffingGoals.parse("80/60s")
    runs = []
    for level in [0.7] + [0.9] * 9:  # one bad day of ten
        run = np.full((2, len(MEASURE_INDEX), 1), np.nan)
        run[:, MEASURE_INDEX["service_level"]] = level
        runs.append(run)
    estimates = DayEstimates.from_runs(runs)
    on_mean = GoalCheck(("q",), (goals,))
    assert on_mean.margins(estimates)[0, 0] == pytest.approx(0.88 - 0.8)
    on_days = GoalCheck(("q",), (goals,), days=0.9)
    assert on_days.margins(estimates)[0, 0] == pytest.approx(0.1)  # one miss allowed
    assert on_days.share_of_days(estimates).tolist() == [0.9]
    assert GoalCheck(("q",), (goals,), days=0.95).margins(estimates)[0, 0] == pytest.approx(
        -0.1)  # 95% of 10 days: none may miss
    assert GoalCheck.of({"q": goals}, replace_days(goals, 0.9)).days == 0.9


def replace_days(goals: StaffingGoals, days: float) -> StaffingGoals:
    return StaffingGoals(goals.service_level, goals.threshold_s, days=days)


def test_a_share_of_days_needs_days_that_may_miss() -> None:
    assert days_replications(0.9) == 10
    assert days_replications(0.95) == 20
    assert days_replications(0.5) == 2
    assert days_replications(1.0) == 1
    check_days_replications(0.9, 10, "-r")
    with pytest.raises(ValueError, match="-r 9: too few replications .* for --days 90%"):
        check_days_replications(0.9, 9, "-r")
    with pytest.raises(ValueError, match="--replications 6: too few"):
        staff(peaked_desk(), StaffingGoals.parse("80/60s", days="90%"), replications=6,
              models=["tab"], curve=False)
    with pytest.raises(ValueError, match="--verify-replications 8: too few"):
        staff(peaked_desk(), StaffingGoals.parse("80/60s", days="90%"), replications=10,
              verification_replications=8, models=["tab"], curve=False)
    assert StaffingGoals.parse("80/60s", days="90%").describe() == (
        "service level 80% within 60s, on 90% of days")


# ------------------------------------------------------------------- staffing on 90% of days
PEAK = (2, 3)
"""The peaked desk's busiest intervals (100 sessions an hour)."""


def peaked_desk() -> Scenario:
    """One queue, 3 h, a peak of 100/h in the middle hour, volume lognormal sd 15% by day."""
    raw = tiny_desk("days desk", "3h", "60/h", exchanges=2, patience_s=600.0, agents=1,
                    capacity=1)
    raw["channels"][0]["arrivals"] = {"rates": ["30/h", "60/h", "100/h", "100/h", "60/h",
                                                "30/h"]}
    raw["arrival_scale"] = {"kind": "lognormal", "mean": 1, "sd": 0.15}
    return Scenario.model_validate(raw)


def staffed(days: float | None, executor: Any = None) -> StaffingReport:
    return staff(peaked_desk(), StaffingGoals.parse("80/60s", days=days), replications=10,
                 seed=3, models=["tab"], curve=False, executor=executor)


@pytest.fixture(scope="module")
def on_mean_and_days() -> tuple[StaffingReport, StaffingReport]:
    return staffed(None), staffed(0.9)


@pytest.mark.slow
def test_ninety_percent_of_days_needs_at_least_the_mean_staffing_and_more_in_the_peak(
        on_mean_and_days: tuple[StaffingReport, StaffingReport]) -> None:
    on_mean, on_days = (report.results["tab"] for report in on_mean_and_days)
    assert (on_days.required >= on_mean.required).all()
    assert on_days.required[0, list(PEAK)].sum() > on_mean.required[0, list(PEAK)].sum()
    assert on_days.agent_hours > on_mean.agent_hours
    # On the mean, some interval's goal holds on fewer than 90% of the verification's days.
    assert on_mean.share_of_days().min() < 0.9


@pytest.mark.slow
def test_the_verification_holds_the_goal_on_ninety_percent_of_its_days(
        on_mean_and_days: tuple[StaffingReport, StaffingReport]) -> None:
    """Counted from the verification's runs themselves: 80% within 60 s, day by day."""
    report = on_mean_and_days[1]
    result = report.results["tab"]
    runs = result.estimates.runs
    assert runs is not None and runs.shape[0] == 20  # 2 x 10 verification days
    level = runs[:, 0, MEASURE_INDEX["service_level"], :]  # [day, interval], queue q
    share = ((level >= 0.8 - 1e-12) | np.isnan(level)).mean(axis=0)
    staffed_intervals = result.required.sum(axis=0) > 0
    assert (share[staffed_intervals] >= 0.9).all()
    np.testing.assert_allclose(result.share_of_days(), share)
    assert result.meets().all()
    # "one agent fewer breaks a goal" is judged on the days too: where it breaks, the
    # probe's goal holds on fewer than 90% of its days.
    assert result.breaks_with_one_fewer().any()
    table = report.table()
    np.testing.assert_allclose(table["days_met_tab"], share.round(4))
    summary = report.summary()
    assert summary["days"] == 0.9
    assert summary["days_met_lowest"]["tab"] == pytest.approx(share.min())
    assert "days_met" not in on_mean_and_days[0].summary()
    # On the mean the share of days is still given: the chance a day meets every goal.
    on_mean = on_mean_and_days[0]
    np.testing.assert_allclose(
        on_mean.table()["days_met_tab"],
        np.tile(on_mean.results["tab"].share_of_days().round(4), len(on_mean.groups)))


@pytest.mark.slow
def test_the_same_seed_gives_the_same_days_staffing_serial_or_parallel(
        on_mean_and_days: tuple[StaffingReport, StaffingReport]) -> None:
    from sim.experiments.executors import make_executor

    serial = on_mean_and_days[1].results["tab"]
    with make_executor(2) as executor:
        parallel = staffed(0.9, executor).results["tab"]
    np.testing.assert_array_equal(serial.required, parallel.required)
    np.testing.assert_array_equal(serial.share_of_days(), parallel.share_of_days())
    np.testing.assert_array_equal(serial.probe.margin, parallel.probe.margin)


# ---------------------------------------------------------------------------- command line
DESK_YAML = """\
name: desk
horizon: 1h
interval: 30m
arrival_scale: 1.1
channels:
  - {name: web, type: enhanced_web_chat, queue: support, arrivals: {rate: 20/h}}
queues:
  - name: support
agent_groups:
  - {name: team, agents: 2, capacity: 1, queues: [support]}
"""


@pytest.mark.parametrize(("days", "replications", "message"), [
    ("0", "10", "ccsim: error: --days '0': expected a share of days above 0 and up to 100%"),
    ("150%", "10", "ccsim: error: --days '150%': expected a share of days"),
    ("abc", "10", "ccsim: error: --days 'abc': expected a share of days"),
    ("90%", "6", "ccsim: error: --replications 6: too few replications (days) for --days 90%"),
])
def test_a_bad_days_option_is_one_error_line(tmp_path: Any, capsys: Any, days: str,
                                             replications: str, message: str) -> None:
    path = tmp_path / "desk.yaml"
    path.write_text(DESK_YAML, encoding="utf-8")
    code = main(["staff", str(path), "--target", "80/60s", "--days", days, "-r", replications,
                 "--out", str(tmp_path / "out")])
    assert message in one_error_line(code, capsys.readouterr().err)
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_days_on_a_fixed_volume_runs_with_a_note(tmp_path: Any, capsys: Any) -> None:
    """80% of days: 5 replications by default are too few, so 6 (the usual default) run."""
    path = tmp_path / "desk.yaml"
    path.write_text(DESK_YAML, encoding="utf-8")
    code = main(["staff", str(path), "--target", "80/60s", "--days", "80%", "--models", "tab",
                 "--no-curve", "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    notes = [line for line in captured.err.splitlines() if line.startswith("ccsim: note:")]
    assert any("volume does not vary by day" in line for line in notes)
    assert "on at least 80% of days in every interval" in captured.out
    assert "(verification: 12 days;" in captured.out
    assert "days_met_tab" in (tmp_path / "out" / "staffing.csv").read_text(encoding="utf-8")


def test_days_raise_the_default_replications_with_a_note(capsys: Any) -> None:
    assert default_replications(None, None, quiet=False) == 6
    assert default_replications(None, 0.8, quiet=False) == 6
    assert capsys.readouterr().err == ""
    assert default_replications(None, 0.95, quiet=False) == 20
    assert "using --replications 20" in capsys.readouterr().err
    assert default_replications(7, 0.95, quiet=False) == 7  # refused later, by name
