"""Scenario messages in the user's words: the file they named, clock times they wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario.loading import ScenarioError, load_scenario
from sim.scenario.sanity import scenario_warnings

DESK = """\
name: words desk
start: "08:00"
horizon: 13h
interval: 30m
channels:
  - name: web
    type: enhanced_web_chat
    queue: support
    arrivals: {rate: 20/h}
queues:
  - name: support
agent_groups:
  - name: team
    capacity: 2
    queues: [support]
    shifts:
      - {start: "08:00", end: "17:00", agents: 3, breaks: [{at: "12:00", duration: 30m}]}
"""


def write(folder: Path, text: str, name: str = "desk.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    return error.value.problems


def test_a_short_arrival_csv_is_named_with_clock_times(tmp_path: Path) -> None:
    rows = "\n".join(f"{8 + i // 2:02d}:{30 * (i % 2):02d},10" for i in range(24))
    (tmp_path / "volumes.csv").write_text("interval_start,volume\n" + rows + "\n")
    path = write(tmp_path, DESK.replace("{rate: 20/h}", "{csv: volumes.csv}"))
    assert problems(path) == [
        f"{path}: channels[0].arrivals.csv (volumes.csv): 24 rows of 30m cover 08:00 to "
        "20:00 but the run lasts until 21:00 (horizon 13h); add rows up to 21:00 or set "
        "repeat: true"]


def test_a_break_past_the_shift_is_said_in_clock_time(tmp_path: Path) -> None:
    path = write(tmp_path, DESK.replace('at: "12:00"', 'at: "17:00"'))
    assert problems(path) == [
        f"{path}: agent_groups[0].shifts[0].breaks[0]: the break at 17:00 lasting 30m ends "
        "at 17:30, after the shift's end (17:00); start it earlier or shorten it"]


def test_a_break_without_its_start_names_every_key(tmp_path: Path) -> None:
    path = write(tmp_path, DESK.replace('at: "12:00", ', ""))
    assert problems(path) == [
        f"{path}: agent_groups[0].shifts[0].breaks[0]: a break needs its start: give at (a "
        "time point, such as \"12:30\"), after (a duration from the shift's start, such "
        "as 4h) or window (such as \"15:30-17:00\"), and duration"]


def test_a_shift_past_the_horizon_is_warned_about(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, DESK.replace('end: "17:00"', 'end: "22:00"')))
    assert ("agent_groups[0].shifts[0].end: the shift ends at 22:00, after the run ends "
            "(21:00, horizon 13h); its agents are simulated only until then; lengthen "
            "horizon to see the rest") in scenario_warnings(scenario)
    assert not [line for line in scenario_warnings(load_scenario(write(tmp_path, DESK)))
                if "shifts" in line]


@pytest.mark.parametrize("written", ["standard_web_chat", "web_chat"])
def test_web_chat_is_said_to_be_enhanced_only(tmp_path: Path, written: str) -> None:
    path = write(tmp_path, DESK.replace("type: enhanced_web_chat", f"type: {written}"))
    (line,) = problems(path)
    assert line.startswith(f"{path}: channels[0].type: found '{written}'; allowed: ")
    assert line.endswith("(web chat exists only as an enhanced channel: write "
                         "'enhanced_web_chat'; the standard channels are messenger, sms)")


def test_a_channel_in_both_kinds_gets_both_names(tmp_path: Path) -> None:
    path = write(tmp_path, DESK.replace("type: enhanced_web_chat", "type: sms"))
    (line,) = problems(path)
    assert line.endswith("(did you mean 'standard_sms' or 'enhanced_sms'?)")
