"""The bundled scenarios in ``scenarios/``: each loads cleanly, runs and conserves sessions.

Parametrized over every ``scenarios/*.yaml`` found at collection time, so a new scenario file
is tested without touching this file.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from sim.model.entities import OUTCOMES, Outcome
from sim.model.simulate import simulate
from sim.model.tables import offered_mask
from sim.results.figures import headline_figures
from sim.scenario.loading import load_raw, load_scenario, scenario_warnings

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"
SCENARIOS = sorted(SCENARIO_DIR.glob("*.yaml"))
IDS = [path.stem for path in SCENARIOS]

REQUIRED = {
    "web_chat_desk",
    "multichannel_center",
    "outbound_campaign",
    "unstable_connections",
}
"""The scenarios the README and issue 3 promise."""

EXPECTED_WARNINGS: dict[str, list[str]] = {}
"""Warnings a scenario is allowed to have, by file stem (none so far)."""

MODELS = ("tab", "status")


def _models(path: Path) -> list[str]:
    """Capacity models a scenario can run under: status-based needs an enhanced channel."""
    raw = load_raw(path)
    enhanced = any(
        not str(channel.get("type", "")).startswith("standard_") for channel in raw["channels"]
    )
    return list(MODELS) if enhanced else ["tab"]


RUNS = [(path, model) for path in SCENARIOS for model in _models(path)]
RUN_IDS = [f"{path.stem}-{model}" for path, model in RUNS]


def test_the_promised_scenarios_are_bundled() -> None:
    assert REQUIRED <= set(IDS)


@pytest.mark.parametrize("path", SCENARIOS, ids=IDS)
def test_scenario_loads_without_warnings(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario_warnings(scenario) == EXPECTED_WARNINGS.get(path.stem, [])
    assert scenario.description.strip(), "say what question the scenario answers"


@pytest.mark.parametrize("path", SCENARIOS, ids=IDS)
def test_scenario_has_a_header_saying_how_to_run_it(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = []
    for line in lines:
        if not line.startswith("#"):
            break
        header.append(line)
    text = "\n".join(header)
    assert len(header) >= 5, "start with a comment header of several lines"
    assert "Question:" in text
    assert "What to look at:" in text
    assert f"ccsim run scenarios/{path.name}" in text


@pytest.mark.parametrize("path", SCENARIOS, ids=IDS)
def test_status_based_switches_the_enhanced_channels_and_says_so(path: Path) -> None:
    # rules §1.5: every bundled scenario has an enhanced channel; a standard one stays
    # tab-based under status-based capacity, and the file's header says so.
    assert "status" in _models(path)
    status = load_scenario(path, ["capacity_model=status"])
    assert "ccsim compare" in path.read_text(encoding="utf-8")
    fixed = status.tab_based_channels()
    assert fixed == [c.name for c in status.channels if c.type.startswith("standard_")]
    if fixed:
        assert "MIXED CENTER" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("path", "model"), RUNS, ids=RUN_IDS)
def test_scenario_runs_and_conserves_sessions(path: Path, model: str) -> None:
    scenario = load_scenario(path, [f"capacity_model={model}"])
    result = simulate(scenario)
    sessions = result.sessions

    # Something happens: inbound customers or an outbound campaign.
    inbound = sessions[sessions["direction"] == "inbound"]
    outbound = sessions[sessions["direction"] == "outbound"]
    assert len(inbound) > 0 or len(outbound) > 0
    assert len(inbound) + len(outbound) == len(sessions)
    assert sessions["session_id"].is_unique

    # Every offered session has exactly one outcome from the allowed set.
    assert sessions["outcome"].notna().all()
    assert set(sessions["outcome"].astype(str)) <= set(OUTCOMES)
    outcome = sessions["outcome"].astype(str)
    counts = outcome.value_counts()
    assert int(counts.sum()) == len(sessions)

    # Ended sessions end inside the horizon, sessions still open have no end.
    ended = outcome != Outcome.OPEN_AT_HORIZON
    end_time = sessions["end_time"].to_numpy(dtype=float)
    assert not np.isnan(end_time[ended.to_numpy()]).any()
    assert (end_time[ended.to_numpy()] <= scenario.horizon + 1e-6).all()
    assert np.isnan(end_time[~ended.to_numpy()]).all()
    completed = sessions[outcome == Outcome.COMPLETED]
    assert completed["accept_time"].notna().all()
    assert (completed["end_time"] >= completed["accept_time"]).all()

    # The interval table adds up to the session table.
    everything = result.intervals[result.intervals["channel"] == "all"]
    # offered to the agents: every inbound session but those a bot ended (rules §8.1)
    assert int(everything["offered"].sum()) == int(offered_mask(sessions).sum())
    bot_ended = outcome.isin([Outcome.RESOLVED_BY_BOT, Outcome.LEFT_IN_BOT]).to_numpy()
    assert int(offered_mask(sessions).sum()) + int(bot_ended.sum()) <= len(inbound)
    assert int(everything["outbound_sent"].sum()) == len(outbound)
    assert int(everything["completed"].sum()) == int(counts.get(Outcome.COMPLETED, 0))
    assert int(everything["timed_out"].sum()) == int(counts.get(Outcome.TIMED_OUT, 0))

    # Non-degenerate: some customers wait too long, most do not; agents are busy, not saturated.
    figures = headline_figures(result)
    assert 0.0 < figures["service_level"] < 1.0
    assert 0.2 < figures["occupancy"] < 0.95
    assert figures["completed"] > 0
    assert not math.isnan(figures["asa_s"])
