"""Staffing overlapping teams on shared queues (issue 22): each group is staffed only where
its shifts can work, a shared queue's load is split among the groups working, each group is
covered with its own shifts (breaks kept) and the written scenario is that shift plan."""

from __future__ import annotations

import numpy as np
import pytest
from scenario_builders import mmn_scenario

from sim.reports.staffing_files import write_staffed_scenario
from sim.scenario.loading import load_scenario
from sim.scenario.schema import Scenario
from sim.staffing.analytic import queue_owners
from sim.staffing.day_measures import measure_day
from sim.staffing.plan import StaffingGoals, staff
from sim.staffing.search import DayEstimates
from sim.staffing.shift_cover import cover_shifts
from sim.staffing.shift_plan import availability_matrix, group_hours, group_patterns

HOUR = 3600.0
SEED = 3
GOALS = StaffingGoals.parse("80/30s")


def shared_queues(shifts: dict[str, list[dict]]) -> Scenario:
    """Two queues (0.02/s x 200 s each), every group serving both, on the given shifts."""
    base = mmn_scenario(arrival_rate_per_s=0.02, mean_service_s=200.0, agents=1,
                        capacity=1, horizon_s=4 * HOUR).model_dump()
    channel, group = base["channels"][0], base["agent_groups"][0]
    base["channels"] = [channel | {"queue": "q1"},
                        channel | {"name": "web2", "queue": "q2"}]
    base["queues"] = [{"name": "q1"}, {"name": "q2"}]
    base["agent_groups"] = [
        {**group, "name": name, "agents": 0, "queues": ["q1", "q2"], "shifts": mine}
        for name, mine in shifts.items()]
    return Scenario.model_validate(base)


TWO = {"early": [{"start": 0, "end": 3 * HOUR, "agents": 1}],
       "late": [{"start": HOUR, "end": 4 * HOUR, "agents": 1}]}
THREE = {"early": [{"start": 0, "end": 2 * HOUR, "agents": 1}],
         "middle": [{"start": HOUR, "end": 4 * HOUR, "agents": 1,
                     "breaks": [{"after": HOUR, "duration": HOUR}]}],
         "late": [{"start": 2 * HOUR, "end": 4 * HOUR, "agents": 1}]}
HOURS = {"two": {"early": [1, 1, 1, 0], "late": [0, 1, 1, 1]},
         "three": {"early": [1, 1, 0, 0], "middle": [0, 1, 0, 1], "late": [0, 0, 1, 1]}}


@pytest.fixture(scope="module", params=["two", "three"])
def roster(request):
    scenario = shared_queues(TWO if request.param == "two" else THREE)
    report = staff(scenario, GOALS, replications=4, seed=SEED, models=["tab"],
                   verification_replications=6, curve=False)
    return request.param, scenario, report


def test_a_group_can_work_where_its_shifts_have_an_agent_off_a_break():
    scenario = shared_queues(THREE)
    hours = group_hours(scenario, ["early", "middle", "late"])
    assert hours.astype(int).tolist() == list(HOURS["three"].values())


def test_a_shared_queue_is_split_among_the_groups_working():
    scenario = shared_queues(TWO)
    hours = group_hours(scenario, ["early", "late"])
    shares = queue_owners(scenario, "q1", ["early", "late"], hours)
    assert shares.tolist() == [[1.0, 0.5, 0.5, 0.0], [0.0, 0.5, 0.5, 1.0]]


@pytest.mark.slow
def test_each_group_is_staffed_inside_its_own_hours_and_none_outside(roster):
    case, _, report = roster
    result = report.results["tab"]
    for name, row, analytic in zip(result.groups, result.required, result.analytic,
                                   strict=True):
        works = np.array(HOURS[case][name], dtype=bool)
        assert (row[~works] == 0).all(), (name, row)
        assert (analytic[~works] == 0).all() and (analytic[works] > 0).all(), (name, analytic)
        assert (row[works] > 0).any(), (name, row)
    assert result.meets().all()
    # Every group has its own shift plan, covering its requirement where it works.
    assert set(report.group_shifts["tab"]) == set(result.groups)
    cover = report.shift_cover_table()
    assert (cover["available"] >= cover["required"] - 1e-9).all()


@pytest.mark.slow
def test_the_written_scenario_is_the_shift_plan_and_reproduces_its_verification(
        roster, tmp_path):
    case, scenario, report = roster
    path = write_staffed_scenario(report, tmp_path / "staffed.yaml", SEED)
    staffed = load_scenario(path)
    for group, original in zip(staffed.agent_groups, scenario.agent_groups, strict=True):
        assert group.staffing is None and group.shifts is not None
        plan = report.group_shifts["tab"][group.name]
        assert sum(shift.agents for shift in group.shifts) == sum(plan)
        for shift in group.shifts:  # its own shifts, breaks kept
            assert shift.model_dump(exclude={"agents"}) in [
                own.model_dump(exclude={"agents"}) for own in original.shifts or []]
    result = report.results["tab"]
    runs = [measure_day((staffed, staffed.seed, r))
            for r in range(result.verification_replications)]
    again = DayEstimates.from_runs(runs)
    np.testing.assert_array_equal(again.mean, report.shift_estimates["tab"].mean)
    np.testing.assert_array_equal(again.ci95, report.shift_estimates["tab"].ci95)


def test_the_cover_places_window_breaks_where_the_requirement_leaves_room():
    """One shift 00:00-04:00 with a 1-hour break in the window 01:00-03:00 (slots at 01:00
    and 02:00); 3 agents are needed at 00:00, 02:00 and 03:00 and 1 at 01:00. Four agents
    do it only with three breaks at 01:00 and one at 02:00 (staggered evenly, two and two,
    02:00 would have two agents)."""
    scenario = shared_queues({"team": [{"start": 0, "end": 4 * HOUR, "agents": 4, "breaks": [
        {"window": "01:00-03:00", "duration": "1h"}]}]})
    patterns = group_patterns(scenario, "team")
    assert [pattern.shift.breaks[0].after for pattern in patterns] == [HOUR, 2 * HOUR]
    counts = cover_shifts([3, 1, 3, 3], [p.template for p in patterns],
                          availability=availability_matrix(patterns, 4))
    assert counts == [3, 1]
    even = group_patterns(scenario, "team", place_breaks=False)
    assert availability_matrix(even, 4)[:, 0].tolist() == [1.0, 0.5, 0.5, 1.0]


@pytest.mark.slow
def test_the_headline_gives_paid_shift_hours_surplus_and_how_sure_it_is(roster):
    _, scenario, report = roster
    result = report.results["tab"]
    paid = report.paid_hours("tab")
    for name, counts in report.group_shifts["tab"].items():
        shifts = report.group_patterns[name]
        assert paid[name] == pytest.approx(sum(
            count * (shift.shift.end - shift.shift.start) / HOUR
            for shift, count in zip(shifts, counts, strict=True)))
        assert report.surplus_hours("tab")[name] == pytest.approx(
            paid[name] - result.group_agent_hours()[name])
    assert report.judged_on("tab") == "on the mean of 6 replications"
    # Within noise: the verification's 95% CI of some queue's margin straddles 0.
    low = result.check.margins(result.estimates, -1).min(axis=0)
    high = result.check.margins(result.estimates, 1).min(axis=0)
    assert result.within_noise().tolist() == ((low < 0) & (high >= 0)).tolist()
    table = report.table()
    assert table["within_noise_tab"].tolist() == result.within_noise().tolist() * len(
        result.groups)
    days = table["days_met_tab"].to_numpy()
    assert ((days >= 0) & (days <= 1)).all()
    assert np.all(np.isclose(days * 6, np.round(days * 6), atol=1e-3))  # whole days of 6
    summary = report.summary()
    assert summary["paid_shift_hours"]["tab"] == paid
    assert summary["goals_judged"]["tab"] == "on the mean of 6 replications"
