"""Per-channel and per-group figures (issue 9 item 4) on the multichannel center.

The multichannel center has two groups: ``chat_team`` serves web chat, WhatsApp and SMS,
``messaging_team`` only WhatsApp and SMS. So the web chat rows of the interval table count
the chat team alone, and the center's levels are the sums of the groups'.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.model.tables import Result

ROOT = Path(__file__).resolve().parents[1]
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
