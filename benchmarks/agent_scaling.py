"""Per-session cost against the number of agents, at the same load per agent (issue 27 item 7).

Run by hand from the repository root::

    python benchmarks/agent_scaling.py                      # 100, 300, 1000, 3000 agents
    python benchmarks/agent_scaling.py --agents 100 3000 --rounds 3 --hours 4

Each size runs the busy day's center (``busy_center``: capacity 3, 8 exchanges) with a
flat arrival rate of ``--load`` times its peak, scaled to the agents, so every agent carries
the same load at every size. Two runs per size, in forked children: a warm-up of
``--warmup-hours`` alone, and the warm-up plus as many hours as make ``--sessions`` more
sessions; the difference of their CPU times (``time.process_time()`` around ``simulate``)
over the difference of their sessions is the cost per session, with the start-up (streams,
an empty center filling up) and the fixed part of the tables left out. The rounds alternate
the sizes and the best round of each is kept, as ``bench.py`` does.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from scenarios import CAPACITY, HOLD_S, PEAK_OCCUPANCY, busy_center  # noqa: E402
from sim import simulate  # noqa: E402
from sim.scenario.schema import Scenario  # noqa: E402


def flat_center(agents: int, capacity_model: str, load: float, hours: float) -> Scenario:
    """``busy_center`` with a flat arrival rate of ``load`` times its peak, over ``hours``."""
    data = busy_center(agents, capacity_model, horizon_s=hours * 3600.0).model_dump(
        mode="json", exclude_unset=True
    )
    data["channels"][0]["arrivals"] = {"rate": round(arrivals_per_h(agents, load), 3)}
    return Scenario.model_validate(data)


def arrivals_per_h(agents: int, load: float) -> float:
    """Sessions per hour that load ``agents`` agents to ``load`` times the peak occupancy."""
    return load * PEAK_OCCUPANCY * agents * CAPACITY / HOLD_S * 3600.0


def run_size(agents: int, hours: float, capacity_model: str, load: float, conn: Any) -> None:
    """Simulate ``agents`` agents for ``hours``; send (CPU s, sessions) through ``conn``."""
    scenario = flat_center(agents, capacity_model, load, hours)
    start = time.process_time()
    result = simulate(scenario, seed=1)
    conn.send((time.process_time() - start, len(result.sessions)))
    conn.close()


def measure(agents: int, hours: float, capacity_model: str, load: float) -> tuple[float, int]:
    """CPU seconds and sessions of one run, in a forked child."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=run_size, args=(agents, hours, capacity_model, load, child))
    process.start()
    child.close()
    cpu_s, sessions = parent.recv()
    process.join()
    return cpu_s, sessions


def main(argv: list[str] | None = None) -> int:
    """Print microseconds per session for each number of agents."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--agents", type=int, nargs="+", default=[100, 300, 1000, 3000])
    parser.add_argument("--sessions", type=int, default=20000,
                        help="sessions measured per size, after the warm-up")
    parser.add_argument("--warmup-hours", type=float, default=1.0)
    parser.add_argument("--load", type=float, default=0.9,
                        help="arrival rate as a share of the busy day's peak")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--model", default="tab", choices=["tab", "status"])
    args = parser.parse_args(argv)
    best: dict[int, tuple[float, int]] = {}
    for _ in range(args.rounds):
        for agents in args.agents:
            hours = args.warmup_hours + args.sessions / arrivals_per_h(agents, args.load)
            warm_cpu_s, warm_sessions = measure(agents, args.warmup_hours, args.model, args.load)
            cpu_s, sessions = measure(agents, hours, args.model, args.load)
            delta = (cpu_s - warm_cpu_s, sessions - warm_sessions)
            if agents not in best or delta[0] / delta[1] < best[agents][0] / best[agents][1]:
                best[agents] = delta
    base_cpu_s, base_sessions = best[args.agents[0]]
    base_us = base_cpu_s / base_sessions * 1e6
    print(f"{args.model}-based, flat load {args.load:g} of the peak, "
          f"{args.warmup_hours:g} h warm-up, best of {args.rounds} rounds")
    print("| agents | sessions measured | CPU s | µs per session | vs first |")
    print("|---:|---:|---:|---:|---:|")
    for agents in args.agents:
        cpu_s, sessions = best[agents]
        us = cpu_s / sessions * 1e6
        print(f"| {agents:,} | {sessions:,} | {cpu_s:.2f} | {us:.1f} | {us / base_us:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
