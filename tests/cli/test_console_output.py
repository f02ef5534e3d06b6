"""What ``ccsim`` prints: help texts, tables in an 80-column terminal, sweep labels."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import desk_yaml, write

from sim.cli.main import build_parser, main
from sim.experiments.sweep import parse_grid, parse_labels
from sim.reports.sweep_charts import sweep_chart

DESK = desk_yaml()

SUBCOMMANDS = ("run", "compare", "sweep", "validate", "staff")


@pytest.mark.parametrize("command", ["", *SUBCOMMANDS])
def test_help_shows_percent_signs_once(command: str, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([*([command] if command else []), "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert "%%" not in text and "%(" not in text
    if command in ("compare", "sweep"):
        assert "95% " in text


def _table_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line[:1] in "┏┃┡│└"]


@pytest.mark.slow
def test_compare_table_fits_80_columns(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    path = write(tmp_path, DESK)
    assert main(["compare", str(path), "-r", "2", "--out", str(tmp_path / "cmp")]) == 0
    lines = _table_lines(capsys.readouterr().out)
    assert lines and max(map(len, lines)) <= 80
    assert all(line.endswith(("┓", "┃", "┩", "│", "┘")) for line in lines)  # never cut
    # labels, not identifiers, with the unit; the verdict before the table
    assert any(line.startswith("│ mean concurrency per agent ") for line in lines)
    assert any("(sessions/agent)" in line for line in lines)
    assert not any("avg_concurrency" in line for line in lines)
    assert any("status - tab" in line for line in lines)
    assert any("± 95% CI" in line for line in lines)
    table = pd.read_csv(tmp_path / "cmp" / "comparison.csv")
    assert table.set_index("figure").loc["avg_concurrency", "unit"] == "sessions/agent"


@pytest.mark.slow
def test_sweep_table_headers_break_between_words(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    path = write(tmp_path, DESK)
    assert main(["sweep", str(path), "-r", "2", "--out", str(tmp_path / "sweep"),
                 "--grid", "agent_groups[0].agents=2,3", "--grid", "capacity_model=tab,status",
                 "--label", "agent_groups[0].agents=Agents on the team"]) == 0
    output = capsys.readouterr().out
    lines = _table_lines(output)
    assert lines and max(map(len, lines)) <= 80
    assert all(line.endswith(("┓", "┃", "┩", "│", "┘")) for line in lines)
    header = " ".join(lines[1:lines.index(next(line for line in lines if line[0] == "┡"))])
    for word in ("Agents", "team", "capacity", "model", "SL", "ASA", "occupancy"):
        assert re.search(rf"[┃ ]{word}[ ┃]", header), word
    assert "Agents on the team = agent_groups[0].agents" in output
    document = json.loads((tmp_path / "sweep" / "sweep.json").read_text())
    assert document["labels"] == {"agent_groups[0].agents": "Agents on the team"}


def test_sweep_chart_axis_uses_the_label() -> None:
    table = pd.DataFrame(
        [{"cell": cell, "agent_groups[0].shifts[0].agents": agents, "figure": figure,
          "mean": mean, "sd": 0.0, "ci95": 0.0, "n": 2}
         for cell, agents in enumerate([4, 6])
         for figure, mean in (("service_level", 0.8), ("asa_s", 20.0))]
    )
    key = "agent_groups[0].shifts[0].agents"
    default = sweep_chart(table)
    assert default.axes[0].get_xlabel() == f"{key} (agents)"
    labelled = sweep_chart(table, labels={key: "Agents on the day shift"})
    assert [axes.get_xlabel() for axes in labelled.axes] == ["Agents on the day shift"] * 2
    assert sweep_chart(table, labels={key: "Day shift"}).axes[0].get_xlabel() == (
        "Day shift (agents)"
    )


def test_labels_name_grid_keys() -> None:
    grid = parse_grid(["agent_groups.0.agents=8,10", "capacity_model=tab,status"])
    assert parse_labels(["agent_groups[0].agents=  Day   agents "], grid) == {
        "agent_groups[0].agents": "Day agents"
    }
    with pytest.raises(ValueError) as info:
        parse_labels(["seed=Seed"], grid)
    assert str(info.value) == ("--label seed=Seed: seed is not a --grid key; expected one of "
                               "agent_groups[0].agents, capacity_model")
    with pytest.raises(ValueError, match=r"^--label capacity_model: malformed; expected "):
        parse_labels(["capacity_model"], grid)


@pytest.mark.slow
def test_run_prints_channel_and_group_tables_in_80_columns(tmp_path: Path, capsys,
                                                           monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    center = Path(__file__).resolve().parents[2] / "scenarios" / "multichannel_center.yaml"
    out = tmp_path / "run"
    assert main(["run", str(center), "-r", "2", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    lines = _table_lines(text)
    assert lines and max(map(len, lines)) <= 80
    assert all(line.endswith(("┓", "┃", "┩", "│", "┘")) for line in lines)  # never cut
    assert "per channel" in text and "per agent group" in text
    assert any(re.search(r"channel .* SL % .* ASA s .* abandoned % .* handle s", line)
               for line in lines)
    rows = {line.split("│")[1].strip(): line.split("│")[2:-1] for line in lines
            if line.startswith("│") and len(line.split("│")) == 8}
    assert {"web_chat", "whatsapp", "sms", "all"} <= set(rows)
    document = json.loads((out / "summary.json").read_text())
    level = document["figures"]["service_level"]["mean"] * 100
    assert float(rows["all"][1]) == pytest.approx(level, abs=0.006)  # SL % of "all"
    group_rows = [line for line in lines if line.startswith(("│ chat_team", "│ messaging"))]
    assert len(group_rows) == 2
