"""Clock time in scenarios: the Clock, time points written as clock times, chart axes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from sim.model.simulate import simulate  # noqa: E402
from sim.reports.time_axis import clock_ticks, clock_time_axis  # noqa: E402
from sim.scenario.arrival_csv import CsvColumns, arrival_volumes  # noqa: E402
from sim.scenario.clock import Clock, clock_of, normalize_start  # noqa: E402
from sim.scenario.loading import ScenarioError, load_scenario, scenario_warnings  # noqa: E402


def test_undated_default_clock_is_midnight_day_one() -> None:
    clock = clock_of(None)
    assert not clock.dated
    assert clock.hhmm(7 * 3600) == "07:00"
    assert clock.offset_of("07:00") == 7 * 3600
    assert clock.label(30 * 3600, with_day=True) == "day 2 06:00"
    assert clock.label(30 * 3600, with_day=False) == "06:00"
    assert not clock.multi_day(86400)
    assert clock.multi_day(86401)


def test_dated_clock_datetimes_and_labels() -> None:
    clock = clock_of(normalize_start("2026-03-02 08:00"))  # a Monday
    assert clock.dated
    assert clock.datetime_at(3600) == datetime(2026, 3, 2, 9, 0)
    assert clock.label(0, with_day=True) == "Mon 08:00"
    assert clock.label(24 * 3600, with_day=True) == "Tue 08:00"
    index = clock.datetimes(np.array([0.0, 1800.0]))
    assert list(index.strftime("%Y-%m-%d %H:%M")) == ["2026-03-02 08:00", "2026-03-02 08:30"]
    assert clock.offset_of("10:30") == 2.5 * 3600
    assert clock.offset_of("2026-03-03 07:00") == 23 * 3600
    assert clock.multi_day(16 * 3600 + 1)  # past midnight
    assert not clock.multi_day(16 * 3600)


def test_clock_columns_by_kind_of_run() -> None:
    dated = clock_of(normalize_start("2026-03-02 08:00"))
    one_day = dated.clock_columns([0.0, 3600.0], horizon_s=8 * 3600)
    assert set(one_day) == {"clock", "datetime"}
    assert list(one_day["clock"]) == ["08:00", "09:00"]
    assert list(one_day["datetime"]) == ["2026-03-02T08:00:00", "2026-03-02T09:00:00"]
    week = dated.clock_columns([0.0, 86400.0 * 6], horizon_s=7 * 86400)
    assert list(week["weekday"]) == ["Mon", "Sun"]
    undated = clock_of(normalize_start("08:00")).clock_columns([0.0, 20 * 3600], 2 * 86400)
    assert set(undated) == {"clock", "day"}
    assert list(undated["day"]) == [1, 2]
    assert list(undated["clock"]) == ["08:00", "04:00"]


def test_zone_gives_offsets_and_elapsed_time_across_dst() -> None:
    # Europe/Paris moves from +01:00 to +02:00 at 02:00 on Sunday 2026-03-29.
    clock = clock_of(normalize_start("2026-03-28 12:00 Europe/Paris"))
    assert clock.zone_name == "Europe/Paris"
    columns = clock.clock_columns([0.0, 24 * 3600.0], horizon_s=2 * 86400)
    assert list(columns["datetime"]) == ["2026-03-28T12:00:00+01:00", "2026-03-29T13:00:00+02:00"]
    # 12:00 the next day is 23 elapsed hours later.
    assert clock.offset_of("2026-03-29 12:00") == 23 * 3600
    fixed = clock_of(normalize_start("2026-03-02T08:00+01:00"))
    assert fixed.datetime_at(0).utcoffset() == timedelta(hours=1)
    assert fixed.offset_of("2026-03-02 07:00Z") == 0.0
    assert fixed.datetime_at(0).astimezone(timezone.utc).hour == 7


def test_start_forms_are_normalized() -> None:
    assert normalize_start("8:00") == "08:00"
    assert normalize_start("2026-03-02") == "2026-03-02 00:00"
    assert normalize_start("2026-03-02T08:00:00") == "2026-03-02 08:00"
    assert normalize_start("2026-3-2 08:00 Europe/Paris") == "2026-03-02 08:00 Europe/Paris"
    assert normalize_start("2026-03-02 08:00 +0100") == "2026-03-02 08:00+01:00"
    assert normalize_start(datetime(2026, 3, 2, 8)) == "2026-03-02 08:00"
    for bad in ("tomorrow", "25:00", "2026-13-02 08:00", "2026-03-02 08:00 Mars/Olympus"):
        with pytest.raises(ValueError):
            normalize_start(bad)


def test_offset_before_the_start_is_refused_naming_the_start() -> None:
    clock = clock_of(normalize_start("2026-03-02 08:00"))
    with pytest.raises(ValueError, match=r"07:00 is before the start \(Mon 2026-03-02 08:00\).*"
                       r"23h.*\"2026-03-03 07:00\""):
        clock.offset_of("07:00")
    with pytest.raises(ValueError, match="before the start"):
        clock.offset_of("2026-03-01 09:00")
    with pytest.raises(ValueError, match="has no date"):
        clock_of("08:00").offset_of("2026-03-02 09:00")


def test_clock_axis_one_day_from_eight() -> None:
    clock = clock_of(normalize_start("2026-03-02 08:00"))
    figure, ax = plt.subplots()
    ax.plot([0, 10], [1, 2])
    ticks = clock_time_axis(ax, clock, 10 * 3600)
    labels = [label.get_text() for label in ax.get_xticklabels()]
    assert "10:00" in labels and labels[0] == "08:00"
    assert ticks.seconds[labels.index("10:00")] == 2 * 3600
    assert ax.get_xlabel().startswith("time of day")
    plt.close(figure)


def test_clock_axis_multi_day_shows_weekdays() -> None:
    clock = clock_of(normalize_start("2026-03-02 08:00"))
    ticks = clock_ticks(clock, 3 * 86400)
    assert any(label.startswith("Tue") for label in ticks.labels)
    assert any(label.startswith("Wed") for label in ticks.labels)
    assert ticks.axis_label.startswith("clock time")
    undated = clock_ticks(Clock(), 2 * 86400)
    assert "day 2 00:00" in undated.labels
    week = clock_ticks(clock, 7 * 86400)
    assert len(week.labels) <= 13 and all(label[:3] in
                                          ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
                                          for label in week.labels)


# ------------------------------------------------------- clock-time scenarios = durations
DURATIONS = """\
name: desk
start: "2026-03-02 08:00"
horizon: 10h
interval: 30m
seed: 7
channels:
  - name: web
    type: enhanced_web_chat
    queue: support
    arrivals: {rate: 40/h}
  - name: log
    type: enhanced_whatsapp
    queue: support
    arrivals: {times: [0, 1h, 2.5h, 5h, 9.75h]}
  - name: sheet
    type: enhanced_sms
    queue: support
    arrivals: {csv: SHEET, interval: 1h}
queues:
  - name: support
agent_groups:
  - name: team
    capacity: 3
    queues: [support]
    shifts:
      - start: 0h
        end: 6h
        agents: 3
        breaks: [{after: 2h, duration: 15m}]
      - {start: 4h, end: 10h, agents: 3}
    disconnections:
      outages: [{start: 3.5h, duration: 10m}]
"""

CLOCK_TIMES = """\
name: desk
start: "2026-03-02 08:00"
horizon: 10h
interval: 30m
seed: 7
channels:
  - name: web
    type: enhanced_web_chat
    queue: support
    arrivals: {rate: 40/h}
  - name: log
    type: enhanced_whatsapp
    queue: support
    arrivals: {times: ["08:00", "09:00", "10:30", "2026-03-02 13:00", "17:45"]}
  - name: sheet
    type: enhanced_sms
    queue: support
    arrivals: {csv: SHEET, interval: 1h}
queues:
  - name: support
agent_groups:
  - name: team
    capacity: 3
    queues: [support]
    shifts:
      - start: "08:00"
        end: "14:00"
        agents: 3
        breaks: [{at: "10:00", duration: 15m}]
      - {start: "12:00", end: "2026-03-02 18:00", agents: 3}
    disconnections:
      outages: [{start: "11:30", duration: 10m}]
"""


def _desk(tmp_path: Path, text: str, name: str, rows: list[str]) -> Path:
    sheet = tmp_path / f"{name}.csv"
    sheet.write_text("interval_start,volume\n" + "\n".join(
        f"{when},{4 + index % 3}" for index, when in enumerate(rows)) + "\n", encoding="utf-8")
    path = tmp_path / f"{name}.yaml"
    path.write_text(text.replace("SHEET", sheet.name), encoding="utf-8")
    return path


def test_clock_time_scenario_runs_as_the_one_written_in_durations(tmp_path: Path) -> None:
    by_duration = load_scenario(_desk(tmp_path, DURATIONS, "durations",
                                      [f"{hour}h" for hour in range(10)]))
    by_clock = load_scenario(_desk(tmp_path, CLOCK_TIMES, "clock",
                                   [f"{8 + hour:02d}:00" for hour in range(10)]))
    assert by_clock.agent_groups[0].shifts[0].breaks[0].after == 2 * 3600
    assert by_clock.channels[1].arrivals.times == [0, 3600, 9000, 18000, 35100]
    assert by_clock.model_dump() == by_duration.model_dump()
    first, second = simulate(by_duration), simulate(by_clock)
    assert len(first.sessions) > 300
    pd.testing.assert_frame_equal(first.sessions, second.sessions)
    pd.testing.assert_frame_equal(first.agents, second.agents)


def test_clock_times_without_a_start_count_from_midnight(tmp_path: Path) -> None:
    text = DURATIONS.replace('start: "2026-03-02 08:00"\n', "")
    text = text.replace("{start: 4h, end: 10h", '{start: "04:00", end: "10:00"')
    scenario = load_scenario(_desk(tmp_path, text, "undated",
                                   [f"{hour:02d}:00" for hour in range(10)]))
    assert scenario.start is None and scenario.clock == Clock()
    assert (scenario.agent_groups[0].shifts[1].start, scenario.agent_groups[0].shifts[1].end) == (
        4 * 3600, 10 * 3600)
    assert scenario.channels[2].arrivals.volumes[:3] == [4, 5, 6]
    # Without a start an arrival CSV keeps reading 30:00 as a duration (30 hours); with a
    # start it is not a time of day.
    sheet = "interval_start,volume\n30:00,4\n"
    assert arrival_volumes(sheet, "a.csv", CsvColumns(), 3600.0) == [0.0] * 30 + [4.0]
    with pytest.raises(ValueError, match=r"^a.csv:2: the time in column interval_start is not "
                       r"a time of day \(00:00 to 24:00\)"):
        arrival_volumes(sheet, "a.csv", CsvColumns(), 3600.0, clock_of("08:00"))


def test_set_override_writes_a_clock_time(tmp_path: Path) -> None:
    path = _desk(tmp_path, DURATIONS, "durations", [f"{hour}h" for hour in range(10)])
    scenario = load_scenario(path, ["agent_groups[0].shifts[1].start=09:30"])
    assert scenario.agent_groups[0].shifts[1].start == 1.5 * 3600
    derived = scenario.derive({"agent_groups[0].shifts[1].start": "11:00"})
    assert derived.agent_groups[0].shifts[1].start == 3 * 3600
    assert derived.derive(seed=8).agent_groups[0].shifts[1].start == 3 * 3600


def _problems(path: Path, overrides: tuple[str, ...] = ()) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    return info.value.problems


def test_time_points_before_the_start_or_undated_are_refused(tmp_path: Path) -> None:
    path = _desk(tmp_path, DURATIONS, "durations", [f"{hour}h" for hour in range(10)])
    assert _problems(path, ("agent_groups[0].shifts[1].end=02:00",)) == [
        f"{path}: agent_groups[0].shifts[1].end: found '02:00', which is before the start "
        "(Mon 2026-03-02 08:00); a time on a later day is written as a duration from the "
        'start such as 18h or a date-time such as "2026-03-03 02:00" '
        "(from --set agent_groups[0].shifts[1].end=02:00)"
    ]
    undated = _desk(tmp_path, DURATIONS.replace('"2026-03-02 08:00"', '"08:00"'), "undated",
                    [f"{hour}h" for hour in range(10)])
    assert _problems(undated, ("channels[1].arrivals.times=[2026-03-02 09:00]",)) == [
        f"{undated}: channels[1].arrivals.times[0]: found '2026-03-02 09:00', which is a "
        "date-time but the scenario's start (08:00) has no date; give start a date "
        '(start: "2026-03-02 08:00") or write a clock time or a duration '
        "(from --set channels[1].arrivals.times=[2026-03-02 09:00])"
    ]
    assert _problems(path, ("agent_groups[0].shifts[1].breaks=[{at: 09:00, duration: 5m}]",
                            )) == [
        f"{path}: agent_groups[0].shifts[1].breaks[0].at: the break at 09:00 is before the "
        "shift's start (4h) (from --set agent_groups[0].shifts[1].breaks=[{at: 09:00, "
        "duration: 5m}])"
    ]


def test_csv_clock_times_follow_the_start(tmp_path: Path) -> None:
    path = _desk(tmp_path, DURATIONS, "early", ["07:00", "08:00"])
    assert _problems(path) == [
        f"{path}: channels[2].arrivals.csv: {tmp_path / 'early.csv'}:2: the time in column "
        "interval_start is before the scenario start (Mon 2026-03-02 08:00); expected a clock "
        "time from the start on, a duration from the start or a date-time for a later day"
    ]
    dated = _desk(tmp_path, DURATIONS, "dated",
                  [f"2026-03-02 {hour:02d}:00" for hour in range(9, 18)])
    volumes = load_scenario(dated).channels[2].arrivals.volumes
    assert volumes[:3] == [0.0, 4.0, 5.0] and len(volumes) == 10
    zoned = _desk(tmp_path, DURATIONS.replace('08:00"', '08:00 Europe/Paris"'), "zoned",
                  [f"2026-03-02T{hour:02d}:00:00+01:00" for hour in range(7, 18)])
    assert _problems(zoned)[0].endswith(
        "zoned.csv:2: the time in column interval_start is before the scenario start; "
        "expected a time from the start on")
    local = _desk(tmp_path, DURATIONS.replace('08:00"', '08:00 Europe/Paris"'), "local",
                  [f"2026-03-02 {hour:02d}:00" for hour in range(8, 18)])
    assert load_scenario(local).channels[2].arrivals.volumes[:2] == [4.0, 5.0]


def test_clock_columns_leave_unknown_times_empty_and_keep_negative_offsets() -> None:
    west = clock_of(normalize_start("2026-03-02T08:00-05:30"))
    columns = west.clock_columns([0.0, np.nan, 1e30, 90.0], horizon_s=3600)
    assert list(columns["clock"]) == ["08:00", None, None, "08:01"]
    assert list(columns["datetime"]) == [
        "2026-03-02T08:00:00-05:30", None, None, "2026-03-02T08:01:30-05:30"]
    undated = Clock().clock_columns(np.array([np.nan, 90000.0]), horizon_s=2 * 86400)
    assert list(undated["day"]) == [None, 2]


def test_break_after_written_as_a_clock_time_points_at_at(tmp_path: Path) -> None:
    path = _desk(tmp_path, DURATIONS, "durations", [f"{hour}h" for hour in range(10)])
    assert _problems(path, ("agent_groups[0].shifts[0].breaks[0].after=12:30",)) == [
        f"{path}: agent_groups[0].shifts[0].breaks[0].after: found '12:30', a clock time; "
        'after is a duration from the shift\'s start (such as 4h or 90m); for a clock time '
        'write at: "12:30" (from --set agent_groups[0].shifts[0].breaks[0].after=12:30)'
    ]


def test_dates_outside_the_supported_years_are_refused(tmp_path: Path) -> None:
    path = _desk(tmp_path, DURATIONS, "durations", [f"{hour}h" for hour in range(10)])
    assert _problems(path, ("start=9999-12-31 23:00",)) == [
        f"{path}: start: found '9999-12-31 23:00'; expected a date-time between 1900 and 2200"
        " (from --set start=9999-12-31 23:00)"
    ]


def test_csv_grid_problems_show_the_scenario_clock() -> None:
    sheet = "interval_start,volume\n08:00,1\n08:20,2\n"
    with pytest.raises(ValueError, match=r"^a.csv:3: the interval at 08:20 is off the profile's "
                       r"30m grid; expected interval starts 08:00, 08:30, 09:00 and so on"):
        arrival_volumes(sheet, "a.csv", CsvColumns(), 1800.0, clock_of("2026-03-02 08:00"))


def test_warnings_show_clock_times_when_the_scenario_has_a_start(tmp_path: Path) -> None:
    path = _desk(tmp_path, DURATIONS, "durations", [f"{hour}h" for hour in range(10)])
    late = load_scenario(path, ["agent_groups[0].shifts=[{start: '09:00', end: '18:00', "
                                "agents: 2}]"])
    assert ("channels[0].arrivals: sessions arrive from 08:00 to 09:00 while no agent serving "
            "queue 'support' is online") in scenario_warnings(late)
