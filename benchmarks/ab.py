"""A/B speed comparison of two checkouts of the simulator (e.g. before and after a change).

Run from anywhere::

    python benchmarks/ab.py /path/to/tree_a /path/to/tree_b            # CPU times
    python benchmarks/ab.py A B --rounds 7 --instructions               # plus callgrind

Each measurement runs in a child process with that tree first on ``sys.path``; the rounds
alternate between the trees (A, B, A, B, ...) so that a busy host slows both alike, and the
best round of each is reported. CPU times: the M/M/n (``bench.py --engine ccsim --customers
100000``, the child's whole CPU time from ``getrusage(RUSAGE_CHILDREN)``) and the busy day
(``busy_day_scenario(160, "tab")``, CPU time of ``simulate`` alone). ``--instructions``
also counts the M/M/n instructions per customer under valgrind's callgrind (two sizes, the
difference over the difference of customers), which a shared host does not disturb.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys

BUSY_DAY = """
import sys, time
sys.path[:0] = [{tree!r} + "/benchmarks", {tree!r}]
from scenarios import busy_day_scenario
from sim import simulate
scenario = busy_day_scenario(160, "tab")
start = time.process_time()
result = simulate(scenario, seed=1)
print(time.process_time() - start, len(result.sessions))
"""


def children_cpu_s() -> float:
    """CPU time (user + system, s) of all waited-for children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def mmn_cpu_s(tree: str, customers: int) -> float:
    """CPU time (s) of one ``bench.py --engine ccsim`` M/M/n run of ``tree``."""
    before = children_cpu_s()
    subprocess.run(
        [sys.executable, os.path.join(tree, "benchmarks", "bench.py"),
         "--engine", "ccsim", "--customers", str(customers)],
        check=True, capture_output=True, env={**os.environ, "PYTHONPATH": tree},
    )
    return children_cpu_s() - before


def busy_day_cpu_s(tree: str) -> float:
    """CPU time (s) of ``simulate`` on the busy day in a child process of ``tree``."""
    done = subprocess.run(
        [sys.executable, "-c", BUSY_DAY.format(tree=tree)],
        check=True, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": tree},
    )
    return float(done.stdout.split()[0])


def instructions(tree: str, customers: int) -> tuple[int, int]:
    """Instructions of one M/M/n run of ``tree`` under callgrind, and its customers."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         sys.executable, os.path.join(tree, "benchmarks", "bench.py"),
         "--engine", "ccsim", "--customers", str(customers)],
        check=True, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": tree},
    )
    collected = [line for line in done.stderr.splitlines() if "Collected :" in line]
    return int(collected[-1].split(":")[-1]), int(done.stdout.split()[-1])


def instructions_per_customer(tree: str, sizes: tuple[int, int]) -> float:
    """M/M/n instructions per customer of ``tree``, start-up left out."""
    (small, small_n), (large, large_n) = (instructions(tree, size) for size in sizes)
    return (large - small) / (large_n - small_n)


def instruction_rounds(trees: list[str], sizes: tuple[int, int], repeats: int
                       ) -> dict[str, list[float]]:
    """Instructions per customer of each tree, ``repeats`` times, trees alternating.

    Each count runs with its own ``PYTHONHASHSEED`` (the round number), the same for both
    trees, so that hash order, which moves CPython's count by a percent or two, is paired.
    """
    counts: dict[str, list[float]] = {tree: [] for tree in trees}
    for round_ in range(repeats):
        os.environ["PYTHONHASHSEED"] = str(round_)
        order = trees if round_ % 2 == 0 else trees[::-1]
        for tree in order:
            count = instructions_per_customer(tree, sizes)
            counts[tree].append(count)
            print(f"round {round_ + 1} instructions {tree}: {count:,.0f}", flush=True)
    return counts


def main(argv: list[str] | None = None) -> int:
    """Compare two trees; print best-of-rounds CPU times and the ratio B / A."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree_a")
    parser.add_argument("tree_b")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--instructions", action="store_true")
    parser.add_argument("--no-times", action="store_true", help="only count instructions")
    parser.add_argument("--sizes", type=int, nargs=2, default=(2_000, 12_000),
                        metavar=("SMALL", "LARGE"),
                        help="the two M/M/n sizes whose difference is counted (customers)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="instruction counts per tree (paired hash seeds)")
    args = parser.parse_args(argv)
    trees = [os.path.abspath(args.tree_a), os.path.abspath(args.tree_b)]
    if not args.no_times:
        best: dict[tuple[str, str], float] = {}
        for round_ in range(args.rounds):
            order = trees if round_ % 2 == 0 else trees[::-1]
            for tree in order:
                for name, measure in (
                    ("mmn", lambda t=tree: mmn_cpu_s(t, args.customers)),
                    ("busy_day", lambda t=tree: busy_day_cpu_s(t)),
                ):
                    seconds = measure()
                    key = (name, tree)
                    best[key] = min(best.get(key, float("inf")), seconds)
                    print(f"round {round_ + 1} {name:8} {tree}: {seconds:.3f} s", flush=True)
        print("\n| benchmark | A best CPU s | B best CPU s | B / A |")
        print("|---|---:|---:|---:|")
        for name in ("mmn", "busy_day"):
            a, b = best[(name, trees[0])], best[(name, trees[1])]
            print(f"| {name} | {a:.3f} | {b:.3f} | {b / a:.3f} |")
    if args.instructions:
        counts = instruction_rounds(trees, tuple(args.sizes), args.repeats)
        print("\n| tree | M/M/n instructions per customer: min | median | max |")
        print("|---|---:|---:|---:|")
        for tree in trees:
            values = sorted(counts[tree])
            print(f"| {tree} | {values[0]:,.0f} | {statistics.median(values):,.0f} "
                  f"| {values[-1]:,.0f} |")
        a, b = (counts[tree] for tree in trees)
        ratios = sorted(after / before for before, after in zip(a, b, strict=True))
        print(f"B / A, paired by hash seed: median {statistics.median(ratios):.4f}, "
              f"range {ratios[0]:.4f}-{ratios[-1]:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
