"""The per-agent scaling benchmark (benchmarks/agent_scaling.py, issue 27 item 7) runs and
measures what it says: the same load per agent at every size, sessions after the warm-up."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import agent_scaling  # noqa: E402


def test_the_arrival_rate_grows_with_the_agents() -> None:
    per_agent = {n: agent_scaling.arrivals_per_h(n, 0.9) / n for n in (100, 300, 3000)}
    assert per_agent[100] == pytest.approx(per_agent[3000], rel=1e-12)
    scenario = agent_scaling.flat_center(300, "tab", 0.9, 2.0)
    assert scenario.horizon == 7200.0
    assert scenario.channels[0].arrivals.rate == round(agent_scaling.arrivals_per_h(300, 0.9), 3)
    assert scenario.agent_groups[0].agents == 300


@pytest.mark.parametrize("model", ["tab", "status"])
def test_it_prints_the_cost_per_session_of_each_size(
    model: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = agent_scaling.main(["--agents", "4", "8", "--sessions", "300", "--warmup-hours",
                               "0.5", "--rounds", "1", "--model", model])
    assert code == 0
    out = capsys.readouterr().out
    rows = [line.split("|") for line in out.splitlines() if line.startswith("| ") and
            line[2].isdigit()]
    assert [row[1].strip() for row in rows] == ["4", "8"]
    for row in rows:
        measured = int(row[2].replace(",", ""))
        assert 150 < measured < 450  # ~300 sessions after the warm-up (Poisson)
        float(row[4])  # µs per session: a number (a difference of CPU times, so at this
        # small size noise may even make it negative; the benchmark, not a test, judges it)
    assert rows[0][5].strip() == "1.00"  # the first size is the reference
    assert f"{model}-based" in out
