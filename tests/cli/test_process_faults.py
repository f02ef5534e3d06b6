"""Faults against the command line: kill -9, Ctrl-C while writing, two runs into one folder,
a crash's leftovers, a chart error, bad scheduler addresses, interrupted sweeps, file names
that would climb out of ``out/``. The process faults run ``ccsim`` as a subprocess."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import ccsim, one_error_line
from scenario_builders import tiny_desk

from sim.cli.main import main
from sim.cli.run import RUN_FILES
from sim.reports.output_folder import ReportFolder, default_out_dir

ROOT = Path(__file__).resolve().parents[2]
DESK = ROOT / "scenarios" / "web_chat_desk.yaml"
RUN_SET = {"intervals.csv", "groups.csv", "sessions.parquet", "agents.csv",
           "arrivals_throughput.png", "wait_times.png", "service_level.png", "occupancy.png",
           "summary.json"}


GENEROUS_S = 300
"""How long a test waits for what it expects to happen (seconds): minutes, because on a loaded
host it happens late; the tests check that it happens, never how fast."""


def _scenario(folder: Path, name: str = "desk.yaml", horizon: str = "3h") -> Path:
    path = folder / name
    path.write_text(json.dumps(tiny_desk("fault desk", horizon, "60/h", 2, 180, agents=2,
                                         capacity=2, seed=5)), encoding="utf-8")
    return path


def _start(*args: str | Path, cwd: Path, **env: str) -> subprocess.Popen[str]:
    environment = {**os.environ, "COLUMNS": "120", **env}
    environment.pop("CCSIM_SCHEDULER", None)
    return subprocess.Popen([sys.executable, "-m", "sim", *map(str, args)], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=environment)


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (from /proc/<pid>/task/*/children)."""
    found: list[int] = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found.extend(int(child) for child in children.read_text().split())
        except OSError:
            continue
    return found + [grandchild for child in found for grandchild in _descendants(child)]


def _alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting for its new parent to reap it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _complete_run(folder: Path, replications: int) -> dict:
    """Assert ``folder`` holds one run's whole set; return its summary."""
    assert {path.name for path in folder.iterdir()} == RUN_SET
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["replications"] == replications
    assert pd.read_csv(folder / "intervals.csv")["replications"].eq(replications).all()
    agents = pd.read_csv(folder / "agents.csv")
    assert sorted(agents["replication"].unique()) == list(range(replications))
    return summary


def _leftovers(parent: Path) -> list[str]:
    return sorted(path.name for path in parent.iterdir()
                  if ".tmp-" in path.name or ".old-" in path.name)


# ------------------------------------------------------------------------------ kill -9
@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_kill_9_leaves_no_worker_alive(tmp_path: Path, method: str) -> None:
    process = _start("run", DESK, "-r", "20", "-j", "2", "--quiet", "--out", "o",
                     cwd=tmp_path, CCSIM_START_METHOD=method)
    deadline = time.monotonic() + GENEROUS_S
    workers: list[int] = []
    while time.monotonic() < deadline and process.poll() is None:
        workers = _descendants(process.pid)
        if len(workers) >= 2:
            break
        time.sleep(0.05)
    time.sleep(0.5)  # the workers are simulating
    workers = _descendants(process.pid)
    assert len(workers) >= 2 and process.poll() is None, process.communicate()
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    # What is checked is that the workers go, not how fast: a loaded host may take seconds
    # to schedule them. A worker that outlived its parent would never go (it would run its
    # 20 replications, then wait on the dead parent's queue).
    deadline = time.monotonic() + GENEROUS_S
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if _alive(pid)], "workers outlived their parent"
    process.communicate(timeout=GENEROUS_S)  # nobody holds the pipes any more
    assert not (tmp_path / "o").exists()


# ------------------------------------------------------------------- Ctrl-C while writing
@pytest.mark.slow
def test_ctrl_c_while_writing_keeps_the_replications(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path)
    assert ccsim("run", scenario, "-r", "2", "--quiet", "--out", "o", cwd=tmp_path).returncode == 0
    process = _start("run", scenario, "-r", "3", "--quiet", "--out", "o", cwd=tmp_path)
    deadline = time.monotonic() + GENEROUS_S
    sent = False
    while time.monotonic() < deadline and process.poll() is None:
        staging = [path for path in tmp_path.glob(".o.tmp-*") if any(path.iterdir())]
        if staging:  # the first report file is being written
            process.send_signal(signal.SIGINT)
            sent = True
            break
        time.sleep(0.002)
    out, err = process.communicate(timeout=GENEROUS_S)
    assert sent, "the run ended before its reports were being written"
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert "finishing the reports" in err and "they are complete" in err
    summary = _complete_run(tmp_path / "o", 3)  # the new set, whole: never mixed with -r 2
    assert summary["interrupted"] is False  # every replication ran; only writing was hit
    assert _leftovers(tmp_path) == []


# ----------------------------------------------------------------- two runs, one folder
@pytest.mark.slow
def test_second_run_into_the_same_folder_is_refused(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, horizon="1d")
    first = _start("run", scenario, "-r", "4", "--quiet", "--out", "o", cwd=tmp_path)
    deadline = time.monotonic() + GENEROUS_S
    while not list(tmp_path.glob(".o.tmp-*")) and time.monotonic() < deadline:
        time.sleep(0.01)  # the first run holds the lock
    # Stopped while it holds the lock, the first run cannot finish before the second one is
    # answered, however busy the host: the second is refused, not made to wait (a waiting
    # second run would hang here until the generous timeout of ccsim()).
    first.send_signal(signal.SIGSTOP)
    try:
        assert first.poll() is None, "the first run ended before its lock was seen"
        second = ccsim("run", scenario, "-r", "2", "--quiet", "--out", "o", cwd=tmp_path)
    finally:
        first.send_signal(signal.SIGCONT)
    line = one_error_line(second.returncode, second.stderr)
    assert "another ccsim run" in line and f"(pid {first.pid}) is writing to o" in line
    _, err = first.communicate(timeout=GENEROUS_S)
    assert first.returncode == 0, err
    _complete_run(tmp_path / "o", 4)
    assert _leftovers(tmp_path) == []


# ------------------------------------------------------------------------ crash leftovers
@pytest.mark.slow
def test_leftovers_of_a_killed_run_are_cleaned(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".o.tmp-{dead.pid}-deadbeef"
    stale.mkdir()
    (stale / "intervals.csv").write_text("half,a,file\n")
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "summary.json").write_text("{}")  # an older run's
    aside = tmp_path / f".o.old-{dead.pid}-deadbeef"  # a swap cut between its two renames
    aside.mkdir()
    result = ccsim("run", _scenario(tmp_path), "-r", "2", "--quiet", "--out", "o", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    _complete_run(tmp_path / "o", 2)
    assert _leftovers(tmp_path) == []


def test_a_set_aside_folder_is_put_back_when_out_is_missing(tmp_path: Path) -> None:
    aside = tmp_path / ".o.old-999999999-cafe"
    aside.mkdir()
    (aside / "notes.txt").write_text("kept")
    with ReportFolder(tmp_path / "o") as folder:
        assert (tmp_path / "o" / "notes.txt").read_text() == "kept"
        (folder.path / "summary.json").write_text("{}")
        folder.commit([folder.path / "summary.json"])
    assert sorted(path.name for path in (tmp_path / "o").iterdir()) == ["notes.txt",
                                                                         "summary.json"]
    assert _leftovers(tmp_path) == []


# --------------------------------------------------------------------- errors while writing
@pytest.mark.slow
def test_chart_error_leaves_the_previous_folder_untouched(tmp_path: Path, monkeypatch,
                                                          capsys) -> None:
    import sim.reports.files

    scenario = _scenario(tmp_path)
    out = tmp_path / "o"
    assert main(["run", str(scenario), "-r", "2", "--quiet", "--out", str(out)]) == 0
    before = {path.name: path.read_bytes() for path in out.iterdir()}

    def broken_chart(*args, **kwargs):
        raise RuntimeError("chart drawing failed")

    monkeypatch.setattr(sim.reports.files.charts, "occupancy_chart", broken_chart)
    code = main(["run", str(scenario), "-r", "3", "--quiet", "--out", str(out)])
    assert code == 1
    assert "chart drawing failed" in capsys.readouterr().err
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before
    assert _leftovers(tmp_path) == []


def test_other_commands_files_are_kept_and_own_files_replaced(tmp_path: Path) -> None:
    out = tmp_path / "o"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "wait_times.png").write_bytes(b"stale")  # a run's file: replaced or dropped
    with ReportFolder(out, owned=RUN_FILES) as folder:
        (folder.path / "summary.json").write_text("{}")
        written = folder.commit([folder.path / "summary.json"])
    assert written == [out / "summary.json"]
    assert sorted(path.name for path in out.iterdir()) == ["notes.txt", "summary.json"]
    assert (out / "notes.txt").read_text() == "mine"


def test_a_folder_holding_a_folder_is_refused(tmp_path: Path, capsys) -> None:
    out = tmp_path / "o"
    (out / "data").mkdir(parents=True)
    code = main(["run", str(_scenario(tmp_path)), "-r", "1", "--quiet", "--out", str(out)])
    line = one_error_line(code, capsys.readouterr().err)
    assert "holds a folder (data)" in line
    assert [path.name for path in out.iterdir()] == ["data"]


# ------------------------------------------------------------------------------- scheduler
def _no_dask_client(monkeypatch) -> None:
    """Make creating a Dask client fail the test: the address check must answer first."""
    distributed = pytest.importorskip("distributed")

    class NoClient:
        def __init__(self, *args, **kwargs) -> None:
            raise AssertionError("a Dask client was created (it would wait for its own timeout)")

    monkeypatch.setattr(distributed, "Client", NoClient)


@pytest.mark.parametrize("address", ["garbage://x", "tcp://127.0.0.1", "tcp://127.0.0.1:1",
                                     "tcp://127.0.0.1:99999", "tcp://:8786"])
def test_bad_scheduler_fails_fast_in_one_line(tmp_path: Path, address: str, monkeypatch,
                                             capsys) -> None:
    # "Fast" is what it means, not a wall clock: the address is refused by the check before
    # any Dask client exists, so nothing waits for the client's connect timeout.
    _no_dask_client(monkeypatch)
    code = main(["run", str(_scenario(tmp_path)), "-r", "1", "--scheduler", address,
                 "--out", str(tmp_path / "o")])
    line = one_error_line(code, capsys.readouterr().err)
    assert line.startswith("ccsim: error:") and address in line
    assert "bad Dask scheduler address" in line or "Connection refused" in line, line
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_a_port_held_by_another_program_fails_within_the_timeout(tmp_path: Path, monkeypatch,
                                                                 capsys) -> None:
    _no_dask_client(monkeypatch)
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never says a word
        address = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
        code = main(["run", str(_scenario(tmp_path)), "-r", "1", "--scheduler", address,
                     "--out", str(tmp_path / "o")])
    line = one_error_line(code, capsys.readouterr().err)
    assert f"cannot connect to {address} (no Dask scheduler answered within 1 s)" in line
    assert not (tmp_path / "o").exists()


# ------------------------------------------------------------------------------------ sweep
@pytest.mark.slow
def test_interrupted_sweep_is_marked(tmp_path: Path, monkeypatch, capsys) -> None:
    import sim.experiments.sweep

    real = sim.experiments.sweep.run_figures
    calls = []

    def interrupted_at_fourth(task):
        calls.append(task)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return real(task)

    monkeypatch.setattr(sim.experiments.sweep, "run_figures", interrupted_at_fourth)
    out = tmp_path / "o"
    code = main(["sweep", str(_scenario(tmp_path)), "--grid", "agent_groups[0].agents=1,2,3",
                 "-r", "2", "--quiet", "--out", str(out)])
    assert code == 130
    err = capsys.readouterr().err
    assert "2 of 3 cells ran (1 with every replication)" in err and '"interrupted": true' in err
    document = json.loads((out / "sweep.json").read_text())
    assert document["interrupted"] is True
    assert document["cells"] == 3 and document["cells_run"] == [0, 1]
    assert document["cells_complete"] == [0]
    assert sorted(pd.read_csv(out / "sweep.csv")["cell"].unique()) == [0, 1]


# -------------------------------------------------------------------- default out folder
@pytest.mark.slow
@pytest.mark.parametrize("name", ["...yaml", "..yaml", ".hidden.yaml", " ..yaml"])
def test_default_out_stays_inside_out(tmp_path: Path, name: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    _scenario(work, name)
    result = ccsim("run", name, "-r", "1", "--quiet", cwd=work)
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in work.iterdir()) == sorted([name, "out"])
    (folder,) = [path for path in (work / "out").iterdir() if not path.name.startswith(".")]
    assert folder.name in ("scenario", "hidden") and (folder / "summary.json").exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["work"]


def test_default_out_dir_names() -> None:
    assert default_out_dir(Path("a/desk.yaml")) == Path("out/desk")
    assert default_out_dir(Path("...yaml"), "-sweep") == Path("out/scenario-sweep")
    assert default_out_dir(Path("..yaml")) == Path("out/scenario")
    assert default_out_dir(Path(".x.yaml"), "-staffing") == Path("out/x-staffing")
