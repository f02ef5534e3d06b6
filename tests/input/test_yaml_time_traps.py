"""YAML 1.1 time traps: unquoted times and dates are read as written, never as numbers.

PyYAML (YAML 1.1) reads an unquoted ``12:00`` as the base-60 integer 720, ``12:00.5`` as
720.5 and ``2026-03-02`` as a date: ``start: 12:00`` would validate and hide a 22-hour gap.
ccsim reads them as the text written (YAML 1.2), so a time point reads a clock time and a
duration or a number refuses it with one line showing how to write it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario.loading import ScenarioError, load_scenario
from sim.scenario.reference import EXAMPLE
from sim.scenario.yaml_input import load_yaml

SHIFTS = EXAMPLE.replace(
    "  - {name: team, agents: 5, capacity: 3, queues: [support]}\n",
    "  - name: team\n    capacity: 3\n    queues: [support]\n"
    "    shifts:\n      - {start: START, end: END, agents: 5}\n",
)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "trap.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path, overrides: tuple[str, ...] = ()) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    return info.value.problems


def test_unquoted_start_clock_time_is_the_clock_time_not_720(tmp_path: Path) -> None:
    assert load_yaml("start: 12:00") == {"start": "12:00"}
    scenario = load_scenario(_write(tmp_path, "start: 12:00\n" + EXAMPLE))
    assert scenario.start == "12:00"
    assert scenario.clock.hhmm(0) == "12:00"


def test_unquoted_shift_clock_times_read_on_the_start_day(tmp_path: Path) -> None:
    text = "start: 7:30\n" + SHIFTS.replace("START", "8:00").replace("END", "15:30")
    shift = load_scenario(_write(tmp_path, text)).agent_groups[0].shifts[0]
    assert (shift.start, shift.end) == (1800.0, 8 * 3600.0)


def test_unquoted_clock_time_as_a_duration_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, EXAMPLE.replace("horizon: 8h", "horizon: 12:00"))
    assert _problems(path) == [
        f"{path}: horizon: found '12:00', a clock time; a duration is written 12h or 720m"
    ]


def test_unquoted_h_mm_ss_is_a_clock_time_not_5400(tmp_path: Path) -> None:
    assert load_yaml("t: 1:30:00") == {"t": "1:30:00"}
    path = _write(tmp_path, EXAMPLE + "service_level: {threshold: 1:30:00}\n")
    assert _problems(path) == [
        f"{path}: service_level.threshold: found '1:30:00', a clock time; a duration is "
        "written 1.5h or 90m"
    ]
    shift = load_scenario(_write(tmp_path, SHIFTS.replace("START", "1:30:00")
                                 .replace("END", "9:30:00"))).agent_groups[0].shifts[0]
    assert (shift.start, shift.end) == (5400.0, 9.5 * 3600)


def test_unquoted_sexagesimal_float_is_refused(tmp_path: Path) -> None:
    assert load_yaml("t: 12:00.5") == {"t": "12:00.5"}
    path = _write(tmp_path, EXAMPLE.replace("horizon: 8h", "horizon: 12:00.5"))
    assert _problems(path) == [
        f"{path}: horizon: found '12:00.5', written with colons (not a duration); a duration "
        "is written with a unit, such as 12h, 90m or 45s"
    ]
    shifts = _write(tmp_path, SHIFTS.replace("START", "12:00.5").replace("END", "13:00"))
    assert _problems(shifts) == [
        f"{shifts}: agent_groups[0].shifts[0].start: found '12:00.5'; expected a duration "
        'from the start (7h, 25200), a clock time ("07:00") or a date-time '
        '("2026-03-02 07:00")'
    ]


def test_unquoted_date_is_text_and_a_start_at_midnight(tmp_path: Path) -> None:
    assert load_yaml("d: 2026-03-02") == {"d": "2026-03-02"}
    scenario = load_scenario(_write(tmp_path, "start: 2026-03-02\n" + EXAMPLE))
    assert scenario.start == "2026-03-02 00:00"
    assert scenario.clock.label(0, with_day=True) == "Mon 00:00"
    path = _write(tmp_path, EXAMPLE.replace("horizon: 8h", "horizon: 2026-03-02"))
    assert _problems(path) == [
        f"{path}: horizon: found '2026-03-02', a date or date-time; expected a duration such "
        "as 45s, 5m, 1.5h or 2d (a bare number means seconds)"
    ]


def test_unquoted_timestamp_is_text_and_a_dated_start(tmp_path: Path) -> None:
    assert load_yaml("d: 2026-03-02 08:00:00") == {"d": "2026-03-02 08:00:00"}
    assert load_yaml("d: 2026-03-02T08:00:00+01:00") == {"d": "2026-03-02T08:00:00+01:00"}
    text = "start: 2026-03-02 08:00:00\n" + SHIFTS.replace("START", "2026-03-02 09:00:00")
    shift = load_scenario(_write(tmp_path, text.replace("END", "17:00"))).agent_groups[0].shifts[0]
    assert (shift.start, shift.end) == (3600.0, 9 * 3600.0)
    path = _write(tmp_path, EXAMPLE + "seed: 2026-03-02 08:00:00\n")
    assert _problems(path) == [
        f"{path}: seed: found '2026-03-02 08:00:00'; expected a whole number"
    ]


def test_set_override_clock_time_is_read_as_written(tmp_path: Path) -> None:
    path = _write(tmp_path, "start: '06:00'\n" + SHIFTS.replace("START", "7h")
                  .replace("END", "15h"))
    scenario = load_scenario(path, ["agent_groups[0].shifts[0].start=07:00"])
    assert scenario.agent_groups[0].shifts[0].start == 3600.0
    assert _problems(path, ("horizon=12:00",)) == [
        f"{path}: horizon: found '12:00', a clock time; a duration is written 12h or 720m "
        "(from --set horizon=12:00)"
    ]


def test_numbers_still_read_as_numbers() -> None:
    assert load_yaml("a: 720\nb: 1.5\nc: 1_000\nd: -3\ne: .inf\nf: 0x10") == {
        "a": 720, "b": 1.5, "c": 1000, "d": -3, "e": float("inf"), "f": 16}
