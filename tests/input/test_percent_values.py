"""Percent everywhere: ``80%`` in a scenario file means what it means on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario.loading import ScenarioError, load_scenario
from sim.scenario.reference import EXAMPLE
from sim.scenario.units import parse_share
from sim.staffing.goals import StaffingGoals, parse_fraction

# Every share of the schema, written as a percentage and as the number it stands for.
SHARES = [
    ("service_level.target", "80%", 0.8),
    ("arrival_scale", "120%", 1.2),
    ("channels[0].customers.silent_probability", "35%", 0.35),
    ("channels[0].customers.return_probability", "60 %", 0.6),
    ("agent_groups[0].behaviour.decline_probability", "2.5%", 0.025),
    ("agent_groups[0].behaviour.concurrency_slowdown", "25%", 0.25),
]


def _scenario(tmp_path: Path, overrides: tuple[str, ...] = (), text: str = EXAMPLE):
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(path, overrides)


def _get(scenario: object, key: str) -> object:
    node = scenario
    for part in key.replace("[0]", ".0").split("."):
        node = node[int(part)] if part.isdigit() else getattr(node, part)  # type: ignore[index]
    return node


@pytest.mark.parametrize(("key", "written", "share"), SHARES)
def test_a_percentage_is_the_share_it_names(tmp_path: Path, key: str, written: str,
                                            share: float) -> None:
    as_percent = _scenario(tmp_path, (f"{key}={written}",))
    as_number = _scenario(tmp_path, (f"{key}={share}",))
    assert _get(as_percent, key) == pytest.approx(share)
    assert as_percent == as_number


def test_percent_in_the_yaml_file(tmp_path: Path) -> None:
    text = EXAMPLE + "service_level: {threshold: 2m, target: 80%}\n"
    assert _scenario(tmp_path, text=text).service_level.target == pytest.approx(0.8)


def test_outbound_answer_probability_takes_percent(tmp_path: Path) -> None:
    text = EXAMPLE.replace(
        "    arrivals: {rate: 30/h}\n",
        "    arrivals: {rate: 30/h}\n"
        "    outbound: {arrivals: {rate: 5/h}, answer_probability: 40%}\n",
    )
    scenario = _scenario(tmp_path, text=text)
    assert scenario.channels[0].outbound is not None
    assert scenario.channels[0].outbound.answer_probability == pytest.approx(0.4)


def test_capacity_percentages_take_percent_points(tmp_path: Path) -> None:
    text = EXAMPLE.replace("queue: support\n", "queue: support\n    capacity_percentage: 25%\n")
    text = text.replace("capacity: 3", "capacity_percent: 100%")
    scenario = _scenario(tmp_path, text=text)
    assert scenario.channels[0].capacity_percentage == 25.0
    assert scenario.agent_groups[0].capacity_percent == 100.0


@pytest.mark.parametrize(("override", "problem"), [
    pytest.param(
        "service_level.target=80",
        "service_level.target: found 80; expected a number less than or equal to 1 (a share: "
        "write 80% for percent)",
        id="a bare number keeps its meaning",
    ),
    pytest.param(
        "service_level.target=180%",
        "service_level.target: found '180%'; expected a number less than or equal to 1",
        id="a percentage above the bound is refused",
    ),
    pytest.param(
        "agent_groups[0].behaviour.decline_probability=a few%",
        "agent_groups[0].behaviour.decline_probability: found 'a few%'; expected a share such "
        "as 80% or 0.8",
        id="a malformed percentage names what is allowed",
    ),
])
def test_a_bad_share_is_refused(tmp_path: Path, override: str, problem: str) -> None:
    with pytest.raises(ScenarioError) as info:
        _scenario(tmp_path, (override,))
    assert info.value.problems == [f"{tmp_path / 's.yaml'}: {problem} (from --set {override})"]


def test_one_parser_for_the_command_line_and_the_file() -> None:
    assert parse_share("80%") == parse_fraction("80%") == pytest.approx(0.8)
    assert parse_share(0.05) == parse_fraction("5") == pytest.approx(0.05)  # CLI: 5 is 5%
    assert parse_share(5) == 5.0  # a file keeps a bare number as it is
    goals = StaffingGoals.parse(target="80%/60s", max_abandon="5%", shrinkage="30%")
    assert (goals.service_level, goals.max_abandon, goals.shrinkage) == pytest.approx(
        (0.8, 0.05, 0.3)
    )
    with pytest.raises(ValueError, match=r"^expected a share such as 80% or 0.8, found 'x'$"):
        parse_share("x")
