"""Clock time in scenarios: the Clock, time points written as clock times, chart axes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from sim.reports.time_axis import clock_ticks, clock_time_axis  # noqa: E402
from sim.scenario.clock import Clock, clock_of, normalize_start  # noqa: E402


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
