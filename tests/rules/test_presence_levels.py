"""Who is available (issue 22): the agents online split into available, on a break, away
after a decline, draining, and offline beside them, per interval and group; break windows
staggering a shift's agents."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scenario_builders import mmn_scenario

from sim.model.simulate import simulate
from sim.model.tables import PRESENCE_COLUMNS
from sim.results.breakdowns import group_totals
from sim.scenario.loading import load_scenario
from sim.scenario.schema import Scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
HOUR = 3600.0
ONLINE_PARTS = ["agents_available", "agents_on_break", "agents_away", "agents_draining"]


@pytest.fixture(scope="module")
def runs():
    """Lunches and a 14:00 outage (two_shift_center); declines, disconnections and drains
    (multichannel_center, its first 16 hours)."""
    two_shift = load_scenario(SCENARIOS / "two_shift_center.yaml")
    multichannel = load_scenario(SCENARIOS / "multichannel_center.yaml").derive(horizon="16h")
    return [simulate(two_shift), simulate(multichannel)]


def test_availability_columns_add_up_to_online_at_every_interval(runs):
    seen = dict.fromkeys(PRESENCE_COLUMNS, 0.0)
    for result in runs:
        for table in (result.groups, result.intervals):
            parts = table[ONLINE_PARTS].sum(axis=1).to_numpy()
            np.testing.assert_allclose(parts, table["agents_online"].to_numpy(), atol=1e-9)
            assert (table[list(PRESENCE_COLUMNS)] >= -1e-12).all().all()
            for column in PRESENCE_COLUMNS:
                seen[column] = max(seen[column], float(table[column].max()))
        # The center's rows are the sum of the groups'.
        center = result.intervals[result.intervals["channel"] == "all"]
        by_group = result.groups.groupby("interval")[list(PRESENCE_COLUMNS)].sum()
        np.testing.assert_allclose(center[list(PRESENCE_COLUMNS)].to_numpy(),
                                   by_group.to_numpy(), atol=1e-9)
    assert all(value > 0 for value in seen.values()), seen  # every state was exercised


def test_the_outage_takes_everyone_offline_and_the_lunch_everyone_on_break(runs):
    groups = runs[0].groups.set_index(["group", "interval"])
    # 14:00 (interval 12): both teams offline 20 of the 30 minutes, all 8 agents each.
    for team in ("early_team", "late_team"):
        assert groups.loc[(team, 12), "agents_offline"] == pytest.approx(8 * 20 / 30)
    # 12:00 (interval 8): the early team's exact lunch takes all 8 at once.
    assert groups.loc[("early_team", 8), "agents_on_break"] == pytest.approx(8.0)
    assert groups.loc[("early_team", 8), "agents_available"] == pytest.approx(0.0)


def one_shift(breaks: list[dict]) -> Scenario:
    """Eight agents 00:00-04:00 with the given breaks; 30-minute intervals, light load."""
    base = mmn_scenario(arrival_rate_per_s=0.005, mean_service_s=60.0, agents=0,
                        capacity=1, horizon_s=4 * HOUR, interval_s=1800.0).model_dump()
    base["agent_groups"][0]["shifts"] = [
        {"start": 0, "end": 4 * HOUR, "agents": 8, "breaks": breaks}]
    return Scenario.model_validate(base)


def test_a_break_window_spreads_its_agents_no_interval_loses_more_than_its_share():
    """A 30-minute break in the window 01:00-02:30: three slots (01:00, 01:30, 02:00), the
    eight agents dealt 3, 3, 2; the exact break at 01:00 takes all eight."""
    window = simulate(one_shift([{"window": "01:00-02:30", "duration": "30m"}])).groups
    on_break = window["agents_on_break"].to_numpy()
    share = math.ceil(8 / 3)
    assert on_break.max() <= share + 1e-9
    np.testing.assert_allclose(on_break, [0, 0, 3, 3, 2, 0, 0, 0], atol=1e-9)
    assert on_break.sum() * 1800.0 == pytest.approx(8 * 1800.0)  # every agent took it
    exact = simulate(one_shift([{"at": "01:00", "duration": "30m"}])).groups
    np.testing.assert_allclose(exact["agents_on_break"], [0, 0, 8, 0, 0, 0, 0, 0],
                               atol=1e-9)


def test_group_means_are_over_the_groups_own_shift_hours(runs):
    totals = group_totals(runs[0].groups, runs[0].scenario).set_index(["group", "figure"])
    for team in ("early_team", "late_team"):
        assert totals.loc[(team, "shift_hours"), "mean"] == pytest.approx(8.0)
        # 8 agents for 8 hours, less the outage's 20 minutes (offline is not online) and
        # the early team's drain after 16:00 (online outside its shift hours).
        online = totals.loc[(team, "agents_online"), "mean"]
        offline = totals.loc[(team, "agents_offline"), "mean"]
        assert offline == pytest.approx(8 * (20 / 60) / 8)
        groups = runs[0].groups
        drained_h = float(groups.loc[groups["group"] == team, "agents_draining"].sum()) * 0.5
        assert online == pytest.approx(8.0 - offline + drained_h / 8.0)
    assert drained_h == 0.0  # the late team ends at the horizon


def test_an_agent_logging_in_during_its_groups_outage_is_offline_until_it_ends():
    """Outage 00:50-01:10; eight agents from 00:00 and two more from 01:00: at 01:00 the
    two log in offline and come online with the others at 01:10."""
    base = one_shift([]).model_dump()
    group = base["agent_groups"][0]
    group["shifts"].append({"start": HOUR, "end": 4 * HOUR, "agents": 2})
    group["disconnections"] = {"outages": [{"start": "50m", "duration": "20m"}]}
    groups = simulate(Scenario.model_validate(base)).groups
    np.testing.assert_allclose(groups["agents_offline"], [0, 8 / 3, 10 / 3, 0, 0, 0, 0, 0],
                               atol=1e-9)
    np.testing.assert_allclose(groups["agents_online"][:4], [8, 8 - 8 / 3, 10 - 10 / 3, 10],
                               atol=1e-9)
