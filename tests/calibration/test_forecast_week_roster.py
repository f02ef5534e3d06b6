"""--for-week with a fitted roster: shifts with breaks move onto the target week by weekday."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from forecast_helpers import export_weeks, weekly_desk

from sim.calibration.target_week import last_week_shifts, last_whole_days
from sim.calibration.timeline import ExportClock
from sim.cli.main import main
from sim.scenario.loading import load_scenario
from sim.scenario.schema import Scenario

DAY = 86400.0
LUNCH = {"after": "4h", "duration": "30m", "spread": "1h"}


def test_each_target_day_gets_the_shifts_of_its_weekday_observed_last() -> None:
    shifts = [{"start": "8h", "end": "18h", "agents": 6, "days": 21, "breaks": [LUNCH]},
              {"start": "457h", "end": "465h", "agents": 2}]  # day 19 only, 01:00-09:00
    # Target days 0-6 read the export's days 14-20; no observation for the last one.
    moved = last_week_shifts(shifts, [14, 15, 16, 17, 18, 19, -1])
    assert [(entry["start"], entry["end"], entry["agents"]) for entry in moved] == [
        ("8h", "18h", 6), ("32h", "42h", 6), ("56h", "66h", 6), ("80h", "90h", 6),
        ("104h", "114h", 6), ("121h", "129h", 2), ("128h", "138h", 6)]
    assert all(entry.get("breaks") == [LUNCH] for entry in moved if entry["agents"] == 6)
    assert all("days" not in entry for entry in moved)


def test_a_weekday_is_read_from_its_last_whole_day_not_a_partial_last_one() -> None:
    # Monday 2026-10-19 to Monday 2026-11-02 12:00: day 14 is a Monday seen until noon.
    clock = ExportClock(start=pd.Timestamp("2026-10-19", tz="UTC"), interval_s=1800.0,
                        horizon_s=14.5 * DAY)
    assert last_whole_days(clock, [0, 1, 6]) == [7, 8, 13]
    short = ExportClock(start=clock.start, interval_s=1800.0, horizon_s=0.5 * DAY)
    assert last_whole_days(short, [0, 1]) == [0, -1]  # only a partial Monday: taken


@pytest.mark.slow
def test_a_forecast_week_runs_the_last_weeks_shifts_and_breaks(tmp_path: Path) -> None:
    raw = weekly_desk(3).model_dump(mode="json", exclude_unset=True)
    group = raw["agent_groups"][0]
    group.pop("staffing")
    group["shifts"] = [{"start": "8h", "end": "18h", "agents": 6, "days": 21,
                        "breaks": [{"after": "2h", "duration": "15m"}]}]
    export_weeks(tmp_path / "export", Scenario.model_validate(raw))
    out = tmp_path / "next.yaml"
    assert main(["calibrate", str(tmp_path / "export"), "--for-week", "2026-11-16",
                 "--out", str(out), "--quiet"]) == 0
    shutil.rmtree(tmp_path / "export")
    shifts = load_scenario(out).agent_groups[0].shifts
    assert [(shift.start, shift.end) for shift in shifts] == [
        (day * DAY + 8 * 3600, day * DAY + 18 * 3600) for day in range(7)]
    assert all(shift.agents == 6 and len(shift.breaks) == 1 for shift in shifts)
