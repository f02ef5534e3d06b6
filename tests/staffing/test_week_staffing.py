"""A week (issue 22): a one-day profile shaped per day (day_factors), a shift worked every
day (days: 7), staffed for seven days: requirements per day and interval, a shift cover per
day, agent-hours per day and for the week."""

from __future__ import annotations

import numpy as np
import pytest

from sim.scenario.arrival_rates import interval_rates_per_second
from sim.scenario.loading import ScenarioError
from sim.scenario.schema import Scenario
from sim.staffing.plan import StaffingGoals, staff

DAY = 86400.0
FACTORS = [1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 0.25]  # Mon-Fri, a busy Saturday, a quiet Sunday


def week(**arrivals) -> dict:
    """Web chat 09:00-13:00 at 60/h (an M/M/n reduction, 100 s each), one team on a
    09:00-13:00 shift every day of the week starting Monday 2026-03-02."""
    rates = [0.0] * 9 + [60.0] * 4 + [0.0] * 11
    return {
        "name": "week", "start": "2026-03-02 00:00", "horizon": "7d", "interval": "1h",
        "channels": [{"name": "web", "type": "enhanced_web_chat", "queue": "q",
                      "auto_accept": True, "capacity_weight": 1,
                      "arrivals": {"rates": rates, "repeat": True, **arrivals},
                      "customers": {"exchanges": 1}}],
        "queues": [{"name": "q"}],
        "agent_groups": [{"name": "team", "capacity": 1, "queues": ["q"],
                          "behaviour": {"reply_time": {"kind": "exponential", "mean": 100},
                                        "close_tab_delay": "0s",
                                        "concurrency_slowdown": 0},
                          "shifts": [{"start": "09:00", "end": "13:00", "agents": 1,
                                      "days": 7}]}],
    }


def test_a_shift_worked_every_day_and_a_factor_per_day():
    scenario = Scenario.model_validate(week(day_factors=FACTORS))
    shifts = scenario.agent_groups[0].shifts
    assert [(s.start - 9 * 3600) / DAY for s in shifts] == list(range(7))
    assert {s.end - s.start for s in shifts} == {4 * 3600.0}
    _, rates = interval_rates_per_second(scenario.channels[0].arrivals, 3600.0, 7 * DAY)
    per_day = rates.reshape(7, 24).sum(axis=1) * 3600.0
    np.testing.assert_allclose(per_day, np.array(FACTORS) * 240.0)
    assert Scenario.model_validate(scenario.model_dump()) == scenario  # reads back
    with pytest.raises((ValueError, ScenarioError), match="day_factors scale a profile"):
        Scenario.model_validate(week() | {"channels": [{
            **week()["channels"][0], "arrivals": {"times": [10.0], "day_factors": [1.0]}}]})


@pytest.fixture(scope="module")
def staffed_week():
    scenario = Scenario.model_validate(week(day_factors=FACTORS))
    return staff(scenario, StaffingGoals.parse("80/20s"), replications=2, seed=4,
                 models=["tab"], verification_replications=4, curve=False,
                 max_iterations=6)


@pytest.mark.slow
def test_a_week_is_staffed_for_seven_days(staffed_week):
    report = staffed_week
    required = report.results["tab"].required[0].reshape(7, 24)
    works = np.zeros(24, dtype=bool)
    works[9:13] = True
    assert (required[:, ~works] == 0).all()  # never outside the shifts
    assert (required[:, works] > 0).all()  # every day staffed in its hours
    # A Saturday twice as busy needs more, a quiet Sunday fewer, than a weekday.
    assert required[5].sum() > required[0].sum() > required[6].sum()
    # One shift per day in the cover, each with its own agents.
    counts = report.group_shifts["tab"]["team"]
    assert len(counts) == 7 and all(count > 0 for count in counts)
    assert counts[5] > counts[0] >= counts[6]


@pytest.mark.slow
def test_agent_hours_per_day_and_for_the_week(staffed_week):
    report = staffed_week
    hours = report.day_hours("tab")
    assert list(hours) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "week"]
    scheduled = report.results["tab"].scheduled[0].reshape(7, 24)
    counts = report.group_shifts["tab"]["team"]
    for day, name in enumerate(list(hours)[:7]):
        assert hours[name]["required"] == pytest.approx(scheduled[day].sum())
        assert hours[name]["paid"] == pytest.approx(4.0 * counts[day])
    assert hours["week"]["required"] == pytest.approx(report.results["tab"].agent_hours)
    assert hours["week"]["paid"] == pytest.approx(sum(report.paid_hours("tab").values()))
    assert report.clock(5 * DAY + 9 * 3600) == "Sat 09:00"
