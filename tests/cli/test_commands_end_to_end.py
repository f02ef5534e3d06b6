"""The ``ccsim`` command line, end to end: real subprocesses, files read back."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import PNG_SIGNATURE, ccsim, one_error_line, write
from matplotlib.image import imread

from sim.cli.main import main
from sim.results.figures import FIGURES, reported_name

REPORTED = {reported_name(name) for name in FIGURES}
"""The figures as report files name them (totals over a replication per day)."""

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = sorted((ROOT / "scenarios").glob("*.yaml"))

SCENARIO = """\
name: cli desk
horizon: 3h
warmup: 30m
interval: 30m
channels:
  - name: web
    type: enhanced_web_chat
    queue: support
    arrivals: {rate: 40/h}
    customers: {exchanges: 3, patience: {kind: exponential, mean: 2m}}
queues:
  - name: support
agent_groups:
  - {name: team, agents: 3, capacity: 2, queues: [support]}
"""

RUN_FILES = (
    "summary.json",
    "intervals.csv",
    "agents.csv",
    "arrivals_throughput.png",
    "wait_times.png",
    "service_level.png",
    "occupancy.png",
)


def assert_one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    return one_error_line(result.returncode, result.stderr)


def check_run_outputs(out: Path, replications: int) -> dict:
    for name in RUN_FILES:
        assert (out / name).is_file(), name
    assert not [path.name for path in out.iterdir() if path.name.endswith(".tmp")]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["replications"] == replications
    assert summary["interrupted"] is False
    assert set(summary["figures"]) == REPORTED
    for figure in summary["figures"].values():
        assert {"mean", "ci95", "sd", "n", "unit"} <= set(figure)
    intervals = pd.read_csv(out / "intervals.csv")
    assert {"interval", "start_s", "channel", "offered", "service_level",
            "service_level_ci95", "asa_s", "asa_s_ci95", "occupancy",
            "throughput_per_h", "replications"} <= set(intervals.columns)
    assert (intervals["replications"] == replications).all()
    if (out / "sessions.parquet").exists():
        sessions = pd.read_parquet(out / "sessions.parquet")
    else:  # pyarrow absent
        sessions = pd.read_csv(out / "sessions.csv")
    assert sorted(sessions["replication"].unique()) == list(range(replications))
    agents = pd.read_csv(out / "agents.csv")
    assert {"replication", "agent_id", "occupancy"} <= set(agents.columns)
    for chart in out.glob("*.png"):
        assert chart.read_bytes()[:8] == PNG_SIGNATURE
        assert imread(chart).shape[0] > 100
    return summary


# ------------------------------------------------------------------------------- run
@pytest.mark.slow
def test_run_writes_every_report(tmp_path: Path) -> None:
    scenario = write(tmp_path, SCENARIO)
    result = ccsim("run", scenario, "--replications", "2", "--seed", "4", "--out", "reports",
                   cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "service level" in result.stdout and "± 95% CI" in result.stdout
    assert result.stdout.startswith("goal 80% in 60 s: ")  # the answer first
    summary = check_run_outputs(tmp_path / "reports", 2)
    assert summary["scenario"] == "cli desk"
    assert summary["seed"] == 4
    assert summary["capacity_model"] == "tab"
    offered = summary["figures"]["offered"]
    assert offered["mean"] > 0 and offered["ci95"] is not None


@pytest.mark.slow
def test_run_default_out_dir_and_overrides(tmp_path: Path, monkeypatch, capsys) -> None:
    scenario = write(tmp_path, SCENARIO)
    monkeypatch.chdir(tmp_path)
    code = main(["run", str(scenario), "-r", "1", "--quiet", "--capacity-model", "status",
                 "--set", "agent_groups[0].agents=4"])
    assert code == 0
    assert capsys.readouterr().out == ""
    summary = json.loads((tmp_path / "out" / "desk" / "summary.json").read_text())
    assert summary["capacity_model"] == "status"
    assert summary["figures"]["offered"]["ci95"] is None  # one replication: no CI
    agents = pd.read_csv(tmp_path / "out" / "desk" / "agents.csv")
    assert len(agents) == 4


@pytest.mark.slow
def test_ctrl_c_writes_finished_replications(tmp_path: Path, monkeypatch, capsys) -> None:
    import sim.experiments.runner

    real_simulate = sim.experiments.runner.simulate

    def interrupted_at_third(scenario, seed=None, replication=0, trace=False):
        if replication == 2:
            raise KeyboardInterrupt
        return real_simulate(scenario, seed=seed, replication=replication)

    monkeypatch.setattr(sim.experiments.runner, "simulate", interrupted_at_third)
    out = tmp_path / "o"
    code = main(["run", str(write(tmp_path, SCENARIO)), "-r", "5", "--quiet", "--out", str(out)])
    assert code == 130
    summary = json.loads((out / "summary.json").read_text())
    assert summary["interrupted"] is True
    assert summary["replications"] == 2 and summary["requested_replications"] == 5
    assert pd.read_csv(out / "intervals.csv")["replications"].eq(2).all()


# --------------------------------------------------------------------------- compare
@pytest.mark.slow
def test_compare_writes_comparison(tmp_path: Path) -> None:
    scenario = write(tmp_path, SCENARIO)
    result = ccsim("compare", scenario, "-r", "2", "--out", "cmp", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "status - tab" in result.stdout
    out = tmp_path / "cmp"
    document = json.loads((out / "comparison.json").read_text())
    assert document["replications"] == 2
    assert set(document["figures"]) == REPORTED
    offered = document["figures"]["offered"]
    assert offered["tab_mean"] == offered["status_mean"]  # same customers
    assert offered["diff_mean"] == 0
    table = pd.read_csv(out / "comparison.csv")
    assert list(table.columns) == ["figure", "unit", "tab_mean", "tab_ci95", "status_mean",
                                   "status_ci95", "diff_mean", "diff_ci95", "n"]
    units = dict(zip(table["figure"], table["unit"], strict=True))
    assert (units["service_level"], units["asa_s"], units["offered"]) == ("share", "s",
                                                                          "sessions")
    for chart in ("comparison_service_level.png", "comparison_differences.png"):
        assert (out / chart).read_bytes()[:8] == PNG_SIGNATURE


def test_compare_rejects_a_standard_channel(tmp_path: Path, capsys) -> None:
    scenario = write(tmp_path, SCENARIO.replace("enhanced_web_chat", "standard_messenger"))
    code = main(["compare", str(scenario), "--out", str(tmp_path / "cmp")])
    line = one_error_line(code, capsys.readouterr().err)
    assert line.startswith("ccsim: error: ")
    assert "channels: every channel is standard (web (standard_messenger))" in line
    assert not (tmp_path / "cmp").exists()


@pytest.mark.slow
def test_compare_runs_a_mixed_center_and_says_which_channels_stay_tab_based(
    tmp_path: Path, capsys
) -> None:
    # rules §1.5: the standard channel stays tab-based, the enhanced one switches.
    mixed = SCENARIO.replace(
        "channels:\n",
        "channels:\n  - {name: sms, type: standard_sms, queue: support, "
        "arrivals: {rate: 10/h}}\n",
        1,
    )
    scenario = write(tmp_path, mixed)
    out = tmp_path / "cmp"
    code = main(["compare", str(scenario), "-r", "2", "--out", str(out), "--set", "horizon=1h"])
    assert code == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert ("Note: standard channel sms stays tab-based under status-based capacity "
            "(only enhanced channels can switch; rules §1.5).") in printed
    document = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    assert document["tab_based_channels"] == ["sms"]


# -------------------------------------------------------------------------- validate
@pytest.mark.slow
def test_validate_good_and_bad_files(tmp_path: Path) -> None:
    good = write(tmp_path, SCENARIO)
    bad = write(tmp_path, SCENARIO.replace("capacity: 2", "capacty: 2"), "bad.yaml")
    result = ccsim("validate", good, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"ok: {good}"

    result = ccsim("validate", good, bad, cwd=tmp_path)
    assert result.returncode == 2
    assert f"ok: {good}" in result.stdout
    assert "Traceback" not in result.stderr
    assert f"{bad}: agent_groups[0]" in result.stderr
    assert "capacty" in result.stderr or "unknown key" in result.stderr


# ---------------------------------------------------------------------------- errors
@pytest.mark.slow
def test_bad_set_value_is_one_line(tmp_path: Path) -> None:
    scenario = write(tmp_path, SCENARIO)
    result = ccsim("run", scenario, "--set", "agent_groups[0].agents=-1", "--out", "o",
                   cwd=tmp_path)
    line = assert_one_error_line(result)
    assert "agent_groups[0].agents" in line
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_missing_file(tmp_path: Path) -> None:
    line = assert_one_error_line(ccsim("run", "nowhere.yaml", cwd=tmp_path))
    assert "nowhere.yaml" in line and "not found" in line


def test_unwritable_out_dir(tmp_path: Path, capsys) -> None:
    scenario = write(tmp_path, SCENARIO)
    (tmp_path / "afile").write_text("x")
    code = main(["run", str(scenario), "--out", str(tmp_path / "afile" / "sub")])
    line = one_error_line(code, capsys.readouterr().err)
    assert line.startswith("ccsim: error: cannot create output directory")


def test_bad_options(tmp_path: Path, capsys) -> None:
    scenario = write(tmp_path, SCENARIO)
    code = main(["run", str(scenario), "--scheduler", "tcp://127.0.0.1:9", "--out", "o"])
    line = one_error_line(code, capsys.readouterr().err)
    assert line.startswith("ccsim: error: distributed runs")
    with pytest.raises(SystemExit) as exit_info:
        main(["run", str(scenario), "--replications", "0"])
    assert exit_info.value.code == 2
    assert "expected at least 1" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["run", "compare", "validate"])
def test_help_on_every_subcommand(command: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: ccsim {command}")


# ---------------------------------------------------------------- bundled scenarios
@pytest.fixture(scope="module")
def bundled_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, tuple]:
    """Start every bundled scenario at once, in the background (slow tests only ask for it).

    They are independent processes; each test below collects its own.
    """
    folder = tmp_path_factory.mktemp("bundled")
    runs = {}
    for scenario in BUNDLED:
        out = folder / scenario.stem
        process = subprocess.Popen(
            [sys.executable, "-m", "sim", "run", str(scenario), "--replications", "2",
             "--quiet", "--out", str(out)],
            cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        runs[scenario] = (process, out)
    yield runs
    for process, _ in runs.values():
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.slow
@pytest.mark.parametrize("scenario", BUNDLED, ids=[path.stem for path in BUNDLED])
def test_bundled_scenario_runs(bundled_runs: dict[Path, tuple], scenario: Path) -> None:
    process, out = bundled_runs[scenario]
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    summary = check_run_outputs(out, 2)
    figures = summary["figures"]
    assert figures["offered"]["mean"] + figures["outbound_sent"]["mean"] > 0


@pytest.mark.slow
def test_compare_what_if_over_response_patience(tmp_path: Path, capsys) -> None:
    # issue 21: planners do not know the customers' response patience, so compare shows
    # how the answer moves with it: both models at each value, on the same customers.
    scenario = write(tmp_path, SCENARIO)
    out = tmp_path / "cmp"
    code = main(["compare", str(scenario), "-r", "2", "--out", str(out), "--set", "horizon=1h",
                 "--what-if", "response patience"])
    assert code == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert "What-if: status - tab ± 95% CI" in printed
    grid = pd.read_csv(out / "whatif.csv")
    assert sorted(grid["x"].unique()) == [2.0, 10.0, 30.0, 120.0]  # minutes
    assert {"SL", "ASA", "customer wait", "lost customers"} <= set(grid["measure"])
    assert (out / "whatif.png").read_bytes()[:8] == PNG_SIGNATURE

    code = main(["compare", str(scenario), "--out", str(tmp_path / "bad"),
                 "--what-if", "patience"])
    line = one_error_line(code, capsys.readouterr().err)
    assert line.startswith("ccsim: error: --what-if 'patience': unknown setting; allowed: ")
    assert not (tmp_path / "bad").exists()
