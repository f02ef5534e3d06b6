"""Parameter sweeps: grid parsing, cell building, direction checks and the ``sweep`` command."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from chart_helpers import assert_inside_figure
from cli_helpers import PNG_SIGNATURE, ccsim, desk_yaml, one_error_line, write
from matplotlib.image import imread
from scenario_builders import tiny_desk

from sim.cli.main import main
from sim.experiments.executors import LocalExecutor, make_executor
from sim.experiments.runner import replicate
from sim.experiments.sweep import (
    grid_keys,
    parse_grid,
    plan_sweep,
    sweep,
    wide,
)
from sim.reports.sweep_charts import sweep_chart
from sim.results.figures import FIGURES, summarize
from sim.scenario.loading import ScenarioError
from sim.scenario.schema import Scenario

AGENTS = "agent_groups[0].agents"

TINY = tiny_desk("tiny sweep desk", "2h", "50/h", 2, 180, agents=2, capacity=1, seed=7)

STANDARD = {
    **TINY,
    "name": "standard sms desk",
    "channels": [{**TINY["channels"][0], "name": "sms", "type": "standard_sms"}],
}

SCENARIO_YAML = desk_yaml(
    "cli sweep desk", rate="40/h", agents=2,
    customers="{exchanges: 2, patience: {kind: exponential, mean: 2m}}",
)


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return Scenario.model_validate(TINY)


# ---------------------------------------------------------------------------- parse_grid
def test_parse_grid_reads_values_as_yaml() -> None:
    grid = parse_grid(["agent_groups[0].agents=8,10,12", "capacity_model=tab,status"])
    assert grid == {AGENTS: [8, 10, 12], "capacity_model": ["tab", "status"]}
    assert list(grid) == [AGENTS, "capacity_model"]  # order kept: first key is the x axis


def test_parse_grid_normalises_paths_and_keeps_brackets_together() -> None:
    grid = parse_grid([
        "agent_groups.0.capacity = 1, 2",
        "agent_groups[0].staffing=[1, 2],[3, 4]",
        "channels[0].arrivals.rate=80/h,0.5",
        "name='a, b',c",
    ])
    assert grid["agent_groups[0].capacity"] == [1, 2]
    assert grid["agent_groups[0].staffing"] == [[1, 2], [3, 4]]
    assert grid["channels[0].arrivals.rate"] == ["80/h", 0.5]
    assert grid["name"] == ["a, b", "c"]


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        ([], "at least one --grid"),
        (["capacity_model"], "--grid capacity_model: malformed"),
        (["=1,2"], "malformed"),
        (["agent_groups[x].agents=1"], "malformed key path"),
        (["a..b=1"], "malformed key path"),
        (["capacity_model=tab,,status"], "empty value"),
        (["capacity_model="], "empty value"),
        (["agent_groups[0].staffing=[1,2"], "unbalanced"),
        (["agent_groups[0].agents=8,8"], "given twice"),
        (["capacity_model=tab", "capacity_model=status"], "already in the grid"),
        (["agent_groups.0.agents=1", "agent_groups[0].agents=2"], "already in the grid"),
        (["name=a: b: c"], "cannot read value"),
    ],
)
def test_parse_grid_rejects_bad_input(specs: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[")):
        parse_grid(specs)


# --------------------------------------------------------------------------------- cells
def test_plan_builds_every_combination_in_order(tiny: Scenario) -> None:
    plan = plan_sweep(tiny, {AGENTS: [1, 2, 3], "capacity_model": ["tab", "status"]})
    assert [cell.index for cell in plan.cells] == list(range(6))
    assert [cell.values for cell in plan.cells[:2]] == [
        {AGENTS: 1, "capacity_model": "tab"}, {AGENTS: 1, "capacity_model": "status"}]
    last = plan.cells[-1].scenario
    assert last.agent_groups[0].agents == 3 and last.capacity_model == "status"
    assert tiny.agent_groups[0].agents == 2  # the base scenario is untouched
    assert plan.cells[-1].label == f"{AGENTS}=3, capacity_model=status"


def test_unknown_grid_key_fails_naming_the_key(tiny: Scenario) -> None:
    with pytest.raises(ScenarioError) as error:
        plan_sweep(tiny, {"agent_groups[5].agents": [1, 2]}, source="desk.yaml")
    assert error.value.problems == [
        "desk.yaml: --grid agent_groups[5].agents: agent_groups[5] does not exist; "
        "agent_groups has 1 entries (indexes start at 0)"
    ]
    with pytest.raises(ScenarioError, match=r"agent_groups\[0\]\.agentz: unknown key"):
        plan_sweep(tiny, {"agent_groups[0].agentz": [1]})


def test_invalid_cells_fail_early_naming_each_cell() -> None:
    standard = Scenario.model_validate(STANDARD)
    with pytest.raises(ScenarioError) as error:
        plan_sweep(standard, {AGENTS: [1, 2], "warmup": ["0s", "3h"]}, source="sms.yaml")
    problems = error.value.problems
    assert len(problems) == 3
    assert problems[0] == (f"sms.yaml [grid cell 1: {AGENTS}=1, warmup=3h]: warmup: warmup "
                           "(10800s) must be shorter than the horizon")
    assert problems[1].startswith(f"sms.yaml [grid cell 3: {AGENTS}=2, warmup=3h]")
    assert problems[2] == ("sms.yaml: 2 of 4 grid cells are invalid; change the grid, or "
                           "skip invalid cells (--skip-invalid)")
    with pytest.raises(ScenarioError, match="found -1"):
        plan_sweep(standard, {AGENTS: [-1]})


def test_invalid_cells_can_be_skipped_with_the_reason() -> None:
    standard = Scenario.model_validate(STANDARD)
    result = sweep(standard, {"warmup": ["0s", "3h"]}, 1, skip_invalid=True,
                   figures=["offered"])
    assert result.table["warmup"].tolist() == ["0s"]
    [skipped] = result.skipped
    assert skipped["cell"] == 1 and skipped["warmup"] == "3h"
    assert skipped["reason"] == "warmup: warmup (10800s) must be shorter than the horizon"
    with pytest.raises(ScenarioError, match="every"):
        plan_sweep(standard, {"warmup": ["3h"]}, skip_invalid=True)


# ------------------------------------------------------------------------------ running
def test_sweep_table_is_tidy_and_matches_replicate(tiny: Scenario) -> None:
    result = sweep(tiny, {AGENTS: [1, 3]}, 3, seed=5)
    table = result.table
    assert list(table.columns) == ["cell", AGENTS, "figure", "unit", "mean", "sd", "ci95", "n"]
    assert len(table) == 2 * len(FIGURES)
    assert table["figure"].tolist()[: len(FIGURES)] == list(FIGURES)
    assert (table["n"] <= 3).all() and (table[table["figure"] == "offered"]["n"] == 3).all()
    assert result.grid == [AGENTS] and result.seed == 5
    assert result.replications == 3 and result.interrupted is False
    assert grid_keys(table) == [AGENTS]

    # Cell agents=3 is exactly replicate() of that scenario on the same seed.
    three = Scenario.model_validate(TINY).derive({AGENTS: 3})
    expected = summarize(replicate(three, 3, seed=5, keep_sessions=False).figures)
    cell = table[table[AGENTS] == 3].set_index("figure")
    pd.testing.assert_series_equal(cell["mean"], expected["mean"], check_names=False)
    pd.testing.assert_series_equal(cell["ci95"], expected["ci95"], check_names=False)


def test_sweep_chart_title_over_three_long_keys_stays_inside(tiny: Scenario) -> None:
    grid = {AGENTS: [1, 2], "agent_groups[0].capacity": [1, 2], "capacity_model": ["tab", "status"]}
    figure = sweep_chart(sweep(tiny, grid, 1, seed=5).table, target=0.8, threshold_s=60.0)
    (title,) = [text for text in figure.texts if text.get_text() == figure.get_suptitle()]
    assert "agent_groups[0].capacity" in title.get_text()
    assert_inside_figure(figure, title)


def test_more_agents_never_serve_worse_on_the_same_seeds(tiny: Scenario) -> None:
    result = sweep(tiny, {AGENTS: [1, 2, 4], "capacity_model": ["tab", "status"]}, 3)
    cells = wide(result.table, ["service_level", "asa_s", "offered"])
    assert len(cells) == 6
    assert result.seed == tiny.seed  # the scenario's seed when none is given
    for _, rows in cells.groupby("capacity_model"):
        rows = rows.sort_values(AGENTS)
        assert rows["offered_mean"].nunique() == 1  # same customers in every cell (CRN)
        assert rows["service_level_mean"].is_monotonic_increasing
        assert rows["asa_s_mean"].is_monotonic_decreasing
        assert rows["service_level_mean"].iloc[-1] > rows["service_level_mean"].iloc[0]


@pytest.mark.slow
def test_sweep_is_identical_in_worker_processes(tiny: Scenario) -> None:
    grid = {AGENTS: [1, 2], "capacity_model": ["tab", "status"]}
    serial = sweep(tiny, grid, 2, seed=3, executor=LocalExecutor(1)).table
    pooled = sweep(tiny, grid, 2, seed=3, executor=LocalExecutor(2)).table
    pd.testing.assert_frame_equal(serial, pooled, check_exact=True)


def test_progress_and_ctrl_c_keep_finished_runs(tiny: Scenario) -> None:
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        calls.append((done, total))
        if done == 3:
            raise KeyboardInterrupt

    result = sweep(tiny, {AGENTS: [1, 2]}, 2, progress=progress, figures=["offered"])
    assert calls == [(1, 4), (2, 4), (3, 4)]
    assert result.interrupted is True
    assert result.table["n"].tolist() == [2, 1]


def test_sweep_bad_arguments(tiny: Scenario) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        sweep(tiny, {AGENTS: [1]}, 0)
    with pytest.raises(ValueError, match="unknown figure"):
        sweep(tiny, {AGENTS: [1]}, 1, figures=["nope"])
    with pytest.raises(ValueError, match="no values"):
        sweep(tiny, {AGENTS: []}, 1)
    with pytest.raises(ValueError, match="at least one grid key"):
        sweep(tiny, {}, 1)


def test_make_executor_is_local_without_scheduler(monkeypatch) -> None:
    monkeypatch.delenv("CCSIM_SCHEDULER", raising=False)
    assert isinstance(make_executor(3), LocalExecutor)
    monkeypatch.setenv("CCSIM_SCHEDULER", "  ")
    assert isinstance(make_executor(2), LocalExecutor)


def test_missing_dask_gives_an_install_hint(monkeypatch) -> None:
    from sim.experiments import dask_executor

    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails
    with pytest.raises(ImportError, match=r'pip install -e "\.\[dask\]"'):
        dask_executor.DaskExecutor("tcp://127.0.0.1:8786")


# ---------------------------------------------------------------------------------- CLI
@pytest.mark.slow
def test_cli_sweep_end_to_end(tmp_path: Path) -> None:
    scenario = write(tmp_path, SCENARIO_YAML)
    result = ccsim("sweep", scenario, "--grid", "agent_groups[0].agents=1,3",
                   "--grid", "capacity_model=tab,status", "-r", "2", "--seed", "9",
                   "--set", "horizon=90m", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "SL %" in result.stdout and "ASA s" in result.stdout
    out = tmp_path / "out" / "desk-sweep"
    assert sorted(path.name for path in out.iterdir()) == ["sweep.csv", "sweep.json", "sweep.png"]
    table = pd.read_csv(out / "sweep.csv")
    assert list(table.columns) == ["cell", AGENTS, "capacity_model", "figure", "unit", "mean",
                                   "sd", "ci95", "n"]
    assert len(table) == 4 * len(FIGURES)
    assert sorted(table["capacity_model"].unique()) == ["status", "tab"]
    assert (table[table["figure"] == "offered"]["n"] == 2).all()
    level = wide(table, ["service_level"])
    assert level.loc[level[AGENTS] == 3, "service_level_mean"].min() >= \
        level.loc[level[AGENTS] == 1, "service_level_mean"].max()
    chart = out / "sweep.png"
    assert chart.read_bytes()[:8] == PNG_SIGNATURE
    assert imread(chart).shape[0] > 100


def test_grid_values_the_scenario_ignores_are_warned_about(tmp_path: Path, capsys) -> None:
    # The group works shifts, so its agents count is ignored: sweeping it changes nothing.
    shifted = {**TINY, "agent_groups": [{**TINY["agent_groups"][0],
                                         "shifts": [{"start": 0, "end": "2h", "agents": 2}]}]}
    plan = plan_sweep(Scenario.model_validate(shifted), {AGENTS: [1, 3]})
    ignored = "agent_groups[0].agents: {} is ignored; the group's shifts set who is online"
    assert plan.cell_warnings() == {ignored.format(1): [0], ignored.format(3): [1]}
    assert plan_sweep(Scenario.model_validate(TINY), {AGENTS: [1, 3]}).cell_warnings() == {}

    path = write(tmp_path, yaml.safe_dump(shifted))
    code = main(["sweep", str(path), "--grid", f"{AGENTS}=1,3", "-r", "1",
                 "--out", str(tmp_path / "out")])
    assert code == 0
    assert f"{path}: warning: grid cell 0: {ignored.format(1)}" in capsys.readouterr().err


def test_cli_sweep_bad_grid_key(tmp_path: Path, capsys) -> None:
    scenario = write(tmp_path, SCENARIO_YAML)
    code = main(["sweep", str(scenario), "--grid", "agent_groups[4].agents=1,2", "-r", "1",
                 "--out", str(tmp_path / "o")])
    line = one_error_line(code, capsys.readouterr().err)
    assert "--grid agent_groups[4].agents" in line and "does not exist" in line
    assert not (tmp_path / "o").exists()  # nothing ran or was created

    code = main(["sweep", str(scenario), "--grid", "agent_groups[0].agents"])
    line = one_error_line(code, capsys.readouterr().err)
    assert line.startswith("ccsim: error: --grid agent_groups[0].agents: malformed")


def test_cli_sweep_invalid_cells_and_skip(tmp_path: Path, capsys) -> None:
    scenario = write(tmp_path, SCENARIO_YAML.replace("enhanced_web_chat", "standard_sms"))
    code = main(["sweep", str(scenario), "--grid", "warmup=0s,2h", "-r", "1",
                 "--quiet", "--set", "horizon=1h", "--out", str(tmp_path / "o")])
    assert code == 2
    err = capsys.readouterr().err
    assert "[grid cell 1: warmup=2h]: warmup: warmup (7200s) must be shorter" in err
    assert "Traceback" not in err

    code = main(["sweep", str(scenario), "--grid", "warmup=0s,2h", "-r", "1",
                 "--quiet", "--skip-invalid", "--set", "horizon=1h",
                 "--out", str(tmp_path / "o")])
    assert code == 0
    assert capsys.readouterr().out == ""
    skipped = pd.read_csv(tmp_path / "o" / "skipped.csv")
    assert skipped["warmup"].tolist() == ["2h"]
    assert "must be shorter than the horizon" in skipped["reason"].iloc[0]
    assert pd.read_csv(tmp_path / "o" / "sweep.csv")["warmup"].unique().tolist() == ["0s"]
