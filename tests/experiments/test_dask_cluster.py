"""Runs on a Dask LocalCluster give exactly the local results: sweeps, replications, CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip(
    "distributed", reason='dask.distributed is not installed (pip install -e ".[dask]")'
)

from distributed import LocalCluster  # noqa: E402
from scenario_builders import tiny_desk  # noqa: E402

from sim.cli.main import main  # noqa: E402
from sim.experiments.dask_executor import DaskExecutor  # noqa: E402
from sim.experiments.executors import LocalExecutor, make_executor
from sim.experiments.runner import replicate  # noqa: E402
from sim.experiments.sweep import sweep  # noqa: E402
from sim.scenario.schema import Scenario  # noqa: E402

AGENTS = "agent_groups[0].agents"

pytestmark = pytest.mark.slow  # a LocalCluster of worker processes

SCENARIO = tiny_desk("dask desk", "2h", "50/h", 2, 180, agents=2, capacity=2, seed=21)


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def executor(scheduler: str) -> Iterator[DaskExecutor]:
    with DaskExecutor(scheduler) as dask_executor:
        yield dask_executor


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return Scenario.model_validate(SCENARIO)


def test_sweep_on_dask_equals_local_cell_by_cell(scenario: Scenario,
                                                 executor: DaskExecutor) -> None:
    grid = {AGENTS: [1, 3], "capacity_model": ["tab", "status"]}
    local_result = sweep(scenario, grid, 2, seed=8, executor=LocalExecutor(1))
    done: list[int] = []
    distributed_result = sweep(scenario, grid, 2, seed=8, executor=executor,
                               progress=lambda count, total: done.append(total))
    local, distributed = local_result.table, distributed_result.table
    assert done == [8] * 8  # one batch of 4 cells x 2 replications
    assert len(local) == len(distributed) > 0
    for (cell, figure), rows in local.groupby(["cell", "figure"], sort=False):
        other = distributed[(distributed["cell"] == cell) & (distributed["figure"] == figure)]
        pd.testing.assert_frame_equal(rows.reset_index(drop=True),
                                      other.reset_index(drop=True), check_exact=True)
    pd.testing.assert_frame_equal(local, distributed, check_exact=True)
    assert (distributed_result.seed, distributed_result.replications,
            distributed_result.interrupted) == (8, 2, False)
    assert (local_result.seed, local_result.replications, local_result.interrupted) == (8, 2, False)


def test_replicate_on_dask_equals_serial(scenario: Scenario, executor: DaskExecutor) -> None:
    serial = replicate(scenario, 3, seed=5)
    distributed = replicate(scenario, 3, seed=5, executor=executor)
    pd.testing.assert_frame_equal(pd.DataFrame(distributed.figures),
                                  pd.DataFrame(serial.figures), check_exact=True)
    assert distributed.replication_ids == [0, 1, 2]
    pd.testing.assert_frame_equal(distributed.intervals, serial.intervals, check_exact=True)
    pd.testing.assert_frame_equal(distributed.agents, serial.agents, check_exact=True)
    assert distributed.sessions is not None and serial.sessions is not None
    pd.testing.assert_frame_equal(distributed.sessions, serial.sessions, check_exact=True)


def test_executor_protocol(executor: DaskExecutor) -> None:
    assert executor.map(abs, [-3, 2, -1]) == [3, 2, 1]
    assert executor.map(abs, []) == []
    assert sorted(executor.as_completed(abs, [-5, -6])) == [(0, 5), (1, 6)]
    stream = executor.as_completed(abs, list(range(-20, 0)))
    first = next(stream)
    stream.close()  # stopping early cancels the rest without error
    assert first[1] == -(-20 + first[0])
    with pytest.raises(ZeroDivisionError):
        executor.map(_invert, [1, 0])


def _invert(value: int) -> float:
    return 1 / value


def test_environment_variable_selects_dask(scheduler: str, monkeypatch) -> None:
    monkeypatch.setenv("CCSIM_SCHEDULER", scheduler)
    chosen = make_executor(4)
    try:
        assert isinstance(chosen, DaskExecutor) and chosen.address == scheduler
    finally:
        chosen.close()


def test_cli_compare_on_scheduler_equals_local(tmp_path: Path, scheduler: str,
                                               monkeypatch) -> None:
    monkeypatch.delenv("CCSIM_SCHEDULER", raising=False)
    path = tmp_path / "desk.yaml"
    path.write_text(json.dumps(SCENARIO), encoding="utf-8")  # JSON is YAML
    common = ["compare", str(path), "-r", "2", "--quiet"]
    assert main([*common, "--out", str(tmp_path / "local")]) == 0
    assert main([*common, "--scheduler", scheduler, "--out", str(tmp_path / "dask")]) == 0
    monkeypatch.setenv("CCSIM_SCHEDULER", scheduler)
    assert main([*common, "--out", str(tmp_path / "env")]) == 0
    local = (tmp_path / "local" / "comparison.csv").read_text()
    assert (tmp_path / "dask" / "comparison.csv").read_text() == local
    assert (tmp_path / "env" / "comparison.csv").read_text() == local


def test_unreachable_scheduler_is_one_error_line(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("CCSIM_SCHEDULER", raising=False)
    with pytest.raises(OSError, match="cannot connect to tcp://127.0.0.1:9"):
        DaskExecutor("tcp://127.0.0.1:9", timeout_s=1)
    path = tmp_path / "desk.yaml"
    path.write_text(json.dumps(SCENARIO), encoding="utf-8")
    code = main(["sweep", str(path), "--grid", f"{AGENTS}=1,2", "--quiet",
                 "--scheduler", "tcp://127.0.0.1:9", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert err.strip().splitlines() == [err.strip()]
    assert err.startswith("ccsim: error: distributed runs need a reachable Dask scheduler")
