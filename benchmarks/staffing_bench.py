"""How long ``ccsim staff`` takes, and what it finds (issue 15, item 7).

Two cases, each under both capacity models with 2 worker processes:

- ``multichannel_center``: both agent groups staffed at once, per-queue goals (web chat
  80% within 60 s, its own; WhatsApp and SMS the command line's 80% within 2 minutes, SMS
  also at most 10% abandoned);
- ``web_chat_desk``: its one group, 80% within 60 s.

Printed as Markdown: wall and CPU seconds (this process and its workers), search steps,
runs and simulated days, agent-hours per model and group, and the verification: the
lowest service level of any queue in any interval with its CI, the widest CI half-width,
how many staffed intervals per group break a goal with one agent fewer, and how many of
those decisions are clear (the whole CI on one side). Run by hand; not a test::

    python benchmarks/staffing_bench.py            # both cases
    python benchmarks/staffing_bench.py --case desk --jobs 1
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

import numpy as np

from sim.experiments.executors import make_executor
from sim.scenario.loading import load_scenario
from sim.staffing.day_measures import MEASURE_INDEX
from sim.staffing.plan import StaffingGoals, StaffingReport, staff

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def multichannel() -> tuple[object, StaffingGoals]:
    """``multichannel_center`` with per-queue goals, and the command line's goals."""
    scenario = load_scenario(SCENARIOS / "multichannel_center.yaml").derive({
        "queues[0].service_level": {"target": 0.8, "threshold": "60s"},
        "queues[2].max_abandon": "10%",
    })
    return scenario, StaffingGoals.parse("80/2m")


def desk() -> tuple[object, StaffingGoals]:
    """``web_chat_desk`` and its goal."""
    return load_scenario(SCENARIOS / "web_chat_desk.yaml"), StaffingGoals.parse("80/60s")


CASES = {"multichannel": multichannel, "desk": desk}


def cpu_seconds() -> float:
    """CPU seconds of this process and of its finished children (the workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(name: str, jobs: int, replications: int, extend: bool) -> StaffingReport:
    """Staff one case; print its figures."""
    scenario, goals = CASES[name]()
    cpu, started = cpu_seconds(), time.perf_counter()
    with make_executor(jobs) as executor:
        report = staff(scenario, goals, replications=replications, executor=executor,
                       curve=False, extend_unclear=extend)  # type: ignore[arg-type]
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    print(f"\n### {report.scenario.name}: groups {report.group}; {jobs} worker(s), "
          f"-r {replications}{', --extra-replications' if extend else ''}\n")
    print(f"wall {wall:.1f} s, CPU {cpu:.1f} s (load average at the end "
          f"{os.getloadavg()[0]:.2f}); {report.simulated_runs} runs, "
          f"{report.simulated_days:.0f} simulated days\n")
    print("| model | steps | agent-hours (scheduled) | per group | all intervals meet | "
          "lowest queue SL (95% CI) | widest SL CI | one fewer breaks (clear) |")
    print("|---|---:|---:|---|---|---|---:|---|")
    for model, result in report.results.items():
        level = result.estimates.mean[:-1, MEASURE_INDEX["service_level"]]
        half = result.estimates.ci95[:-1, MEASURE_INDEX["service_level"]]
        row, interval = np.unravel_index(np.nanargmin(level), level.shape)
        lowest = (f"{level[row, interval]:.1%} ± {half[row, interval]:.1%} "
                  f"({result.queues[row]} {report.clock(interval * scenario.interval)})")
        table = report.table()
        breaks = []
        for name_ in result.groups:
            rows = table[table["group"] == name_]
            staffed = rows[f"required_{model}"] > 0
            broken = rows[f"one_fewer_breaks_{model}"] & staffed
            clear = broken & rows[f"decision_clear_{model}"]
            breaks.append(f"{name_} {int(broken.sum())}/{int(staffed.sum())} "
                          f"({int(clear.sum())})")
        per_group = ", ".join(f"{g} {h:.1f}" for g, h in result.group_agent_hours().items())
        print(f"| {model} | {result.iterations} | {result.agent_hours:.1f} | {per_group} | "
              f"{'yes' if result.meets().all() else 'no'} | {lowest} | "
              f"{np.nanmax(half):.1%} | {'; '.join(breaks)} |")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=[*CASES, "all"], default="all")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--replications", "-r", type=int, default=6)
    parser.add_argument("--extra-replications", action="store_true",
                        help="doubled replications for unclear one-fewer decisions")
    args = parser.parse_args()
    for name in CASES if args.case == "all" else [args.case]:
        measure(name, args.jobs, args.replications, args.extra_replications)


if __name__ == "__main__":
    main()
