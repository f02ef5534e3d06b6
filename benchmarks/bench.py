"""Speed benchmark of the simulator against bare SimPy, a plain SimPy M/M/n and Ciw.

Run by hand from the repository root::

    python benchmarks/bench.py            # full run (a few minutes)
    python benchmarks/bench.py --quick    # smoke run (< 30 s)
    python benchmarks/bench.py --week     # also a week of a 500-agent center
    python benchmarks/bench.py --profile  # also cProfile the busy day (top functions)
    python benchmarks/bench.py --instructions  # M/M/n instructions per customer (valgrind)

Every measurement runs in its own forked child process, so the peak memory (ru_maxrss) of
one run is not inflated by another; the parent only prints the table.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import math
import multiprocessing as mp
import os
import platform
import pstats
import random
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import simpy  # noqa: E402

from scenarios import busy_day_scenario, mmn_scenario, week_scenario  # noqa: E402
from sim.erlang import erlang_c_mean_wait, erlang_c_wait_probability  # noqa: E402

MMN_SERVERS, MMN_RHO, MMN_SERVICE_MEAN_S = 20, 0.9, 60.0
"""The M/M/n every engine runs: servers, load per server, mean service (s)."""
MMN_ARRIVALS_PER_S = MMN_RHO * MMN_SERVERS / MMN_SERVICE_MEAN_S

# ---------------------------------------------------------------------------- helpers


def maxrss_mb() -> float:
    """Peak resident set size of this process so far (MB; Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def events_scheduled(env: simpy.Environment) -> int:
    """Events scheduled in ``env`` (SimPy keeps no public counter; its id counter)."""
    return next(env._eid)


def _child(target: Callable[..., dict], args: tuple, conn: Any) -> None:
    try:
        result = target(*args)
        result["rss_mb"] = maxrss_mb()
        conn.send(result)
    except BaseException as error:  # report, do not hang the parent
        conn.send({"error": f"{type(error).__name__}: {error}"})
    finally:
        conn.close()


def in_child(target: Callable[..., dict], *args: Any) -> dict:
    """Run ``target(*args)`` in a forked child; return its dict plus its peak RSS."""
    ctx = mp.get_context("fork")
    parent_conn, child_conn = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(target, args, child_conn))
    process.start()
    child_conn.close()
    result = parent_conn.recv()
    process.join()
    if "error" in result:
        raise RuntimeError(f"{target.__name__}{args}: {result['error']}")
    return result


# ---------------------------------------------------------------------------- bare SimPy


def bare_simpy(processes: int, target_events: int, seed: int = 1) -> dict:
    """``processes`` processes each looping ``yield env.timeout(random)``; the ceiling."""
    env = simpy.Environment()
    rng = random.Random(seed)
    expo = rng.expovariate

    def loop(env: simpy.Environment) -> Any:
        timeout = env.timeout
        while True:
            yield timeout(expo(1.0))

    for _ in range(processes):
        env.process(loop(env))
    until = target_events / processes  # each process fires ~once per time unit
    start, cpu_start = time.perf_counter(), time.process_time()
    env.run(until=until)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    events = events_scheduled(env)
    return {"wall_s": wall, "cpu_s": cpu, "events": events, "events_per_s": events / cpu}


# ---------------------------------------------------------------------------- M/M/n peers


def plain_simpy_mmn(servers: int, lam: float, mu: float, horizon_s: float, seed: int = 1) -> dict:
    """The textbook SimPy M/M/n: a Resource of ``servers``, a source, one process each."""
    env = simpy.Environment()
    rng = random.Random(seed)
    server = simpy.Resource(env, capacity=servers)
    waits: list[float] = []

    def customer(env: simpy.Environment, service_s: float) -> Any:
        arrived = env.now
        with server.request() as request:
            yield request
            waits.append(env.now - arrived)
            yield env.timeout(service_s)

    def source(env: simpy.Environment) -> Any:
        while True:
            yield env.timeout(rng.expovariate(lam))
            env.process(customer(env, rng.expovariate(mu)))

    env.process(source(env))
    start, cpu_start = time.perf_counter(), time.process_time()
    env.run(until=horizon_s)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    customers = len(waits)
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "customers": customers,
        "customers_per_s": customers / cpu,
        "mean_wait_s": sum(waits) / customers,
        "p_wait": sum(1 for w in waits if w > 1e-9) / customers,
        "events": events_scheduled(env),
    }


def ciw_mmn(servers: int, lam: float, mu: float, horizon_s: float, seed: int = 1) -> dict:
    """Ciw on the same M/M/n."""
    import ciw

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=lam)],
        service_distributions=[ciw.dists.Exponential(rate=mu)],
        number_of_servers=[servers],
    )
    ciw.seed(seed)
    start, cpu_start = time.perf_counter(), time.process_time()
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(horizon_s)
    records = simulation.get_all_records()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    waits = [r.waiting_time for r in records]
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "customers": len(waits),
        "customers_per_s": len(waits) / cpu,
        "mean_wait_s": sum(waits) / len(waits),
        "p_wait": sum(1 for w in waits if w > 1e-9) / len(waits),
    }


# ---------------------------------------------------------------------------- the simulator


def run_simulator(scenario: Any, seed: int = 1) -> dict:
    """One replication: time the SimPy run and the table building separately."""
    import numpy as np

    start, cpu_start = time.perf_counter(), time.process_time()
    try:  # split the run from the pandas tables when the internals are as expected
        from sim.model.center import ContactCenter, gc_paused
        from sim.model.simulate import replication_seed_sequence
        from sim.model.streams import RandomStreams
        from sim.model.tables import sessions_table

        center = ContactCenter(scenario, RandomStreams(replication_seed_sequence(seed, 0)))
        built = time.process_time()
        with gc_paused():  # as simulate() does
            center.run()
            ran = time.process_time()
            sessions = sessions_table(center.sessions, scenario.horizon)
        done, cpu_done = time.perf_counter(), time.process_time()
        events = events_scheduled(center.env)
        core_s = ran - built
    except ImportError:
        from sim import simulate

        result = simulate(scenario, seed=seed)
        done, cpu_done = time.perf_counter(), time.process_time()
        sessions, events, core_s = result.sessions, result.events, cpu_done - cpu_start
    wall, cpu = done - start, cpu_done - cpu_start
    messages = int((sessions["customer_messages"] + sessions["agent_messages"]).sum())
    waits = sessions["wait_s"].to_numpy(dtype=float)
    n_sessions = len(sessions)
    outcomes = sessions["outcome"].value_counts()
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "core_s": core_s,
        "sessions": n_sessions,
        "sessions_per_s": n_sessions / cpu,
        "events": int(events),
        "events_per_s": events / core_s,
        "messages": messages,
        "messages_per_s": messages / cpu,
        "mean_wait_s": float(np.nanmean(waits)) if n_sessions else math.nan,
        "p_wait": float((waits[np.isfinite(waits)] > 1e-9).mean()) if n_sessions else math.nan,
        "answered": int(np.isfinite(waits).sum()),
        "abandoned": int(outcomes.get("abandoned", 0)),
        "open_at_horizon": int(outcomes.get("open_at_horizon", 0)),
    }


def profile_simulator(scenario: Any, top: int, seed: int = 1) -> str:
    """cProfile one replication; return the top functions by total (own) time."""
    from sim import simulate

    profiler = cProfile.Profile()
    profiler.enable()
    simulate(scenario, seed=seed)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


# ---------------------------------------------------------------------------- M/M/n engines


def run_engine(engine: str, customers: int, seed: int) -> dict:
    """Run one engine's M/M/n for about ``customers`` customers (in this process)."""
    horizon_s = customers / MMN_ARRIVALS_PER_S
    mu = 1.0 / MMN_SERVICE_MEAN_S
    if engine == "plain":
        return plain_simpy_mmn(MMN_SERVERS, MMN_ARRIVALS_PER_S, mu, horizon_s, seed)
    if engine == "ciw":
        return ciw_mmn(MMN_SERVERS, MMN_ARRIVALS_PER_S, mu, horizon_s, seed)
    scenario = mmn_scenario(MMN_SERVERS, MMN_RHO, MMN_SERVICE_MEAN_S, horizon_s)
    result = run_simulator(scenario, seed)
    result["customers"], result["customers_per_s"] = result["sessions"], result["sessions_per_s"]
    return result


# ---------------------------------------------------------------------------- instructions


def count_instructions(engine: str, customers: int, seed: int) -> tuple[int, int]:
    """Instructions the whole ``--engine`` run executes under callgrind, and its customers."""
    command = [
        "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
        sys.executable, os.path.abspath(__file__),
        "--engine", engine, "--customers", str(customers), "--seed", str(seed),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    collected = [line for line in done.stderr.splitlines() if "Collected :" in line]
    return int(collected[-1].split(":")[-1]), int(done.stdout.split()[-1])


def instructions_per_customer(engines: list[str], sizes: tuple[int, int], seed: int) -> dict:
    """Instructions per M/M/n customer of each engine, by callgrind (noise-free).

    Each engine runs at two sizes; the difference of the instruction counts over the
    difference of the customers leaves out start-up (interpreter, imports, scenario).
    """
    jobs = [(engine, size) for engine in engines for size in sizes]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        counts = dict(
            zip(jobs, pool.map(lambda job: count_instructions(*job, seed), jobs), strict=True)
        )
    per_customer = {}
    for engine in engines:
        (small, small_customers), (large, large_customers) = (
            counts[(engine, size)] for size in sizes
        )
        per_customer[engine] = (large - small) / (large_customers - small_customers)
    return per_customer


# ---------------------------------------------------------------------------- report


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SimPy {simpy.__version__}, load average {os.getloadavg()[0]:.2f} at start"
    )


def fmt(value: float, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.{digits}f}"


def print_instructions(timed_jobs: list[str], quick: bool, seed: int) -> None:
    """Print the M/M/n instructions per customer of every engine, and ccsim's ratios."""
    print("## M/M/n instructions per customer (valgrind callgrind: the same on a busy host)")
    if shutil.which("valgrind") is None:
        print("(skipped: valgrind is not installed; `apt-get install valgrind`)")
        return
    engines = ["plain"] + (["ciw"] if "ciw" in timed_jobs else []) + ["ccsim"]
    sizes = (1_000, 4_000) if quick else (2_000, 12_000)
    per_customer = instructions_per_customer(engines, sizes, seed)
    names = {"plain": "plain SimPy", "ciw": "Ciw", "ccsim": "ccsim"}
    print()
    print("| engine | instructions per customer | ccsim speed ratio by instructions |")
    print("|---|---:|---:|")
    ours = per_customer["ccsim"]
    for engine in engines:
        count = per_customer[engine]
        print(f"| {names[engine]} | {fmt(count)} | {count / ours:.2f} |")
    print()
    print(
        f"Each engine ran {sizes[0]:,} and {sizes[1]:,} customers under callgrind; the "
        "difference of the counts over the difference of the customers served leaves out "
        "start-up. ccsim includes its sessions table. Ratio = the engine's instructions ÷ "
        "ccsim's (above 1: ccsim executes fewer). Instructions are not seconds: ccsim's "
        "Python touches more memory per instruction, so its time ratios run lower."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="scaled-down smoke run (< 30 s)")
    parser.add_argument("--week", action="store_true", help="also a week of a 500-agent center")
    parser.add_argument("--profile", action="store_true", help="cProfile the busy day (tab)")
    parser.add_argument("--top", type=int, default=15, help="functions shown by --profile")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-ciw", action="store_true", help="leave Ciw out")
    parser.add_argument(
        "--repeat", type=int, default=0,
        help="rounds of measurements, best kept (default 3; 1 with --quick)",
    )
    parser.add_argument(
        "--instructions", action="store_true",
        help="also count M/M/n instructions per customer under valgrind's callgrind",
    )
    parser.add_argument("--engine", choices=("plain", "ciw", "ccsim"), help=argparse.SUPPRESS)
    parser.add_argument("--customers", type=int, default=10_000, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.engine:  # one engine's M/M/n alone, for --instructions
        print(run_engine(args.engine, args.customers, args.seed)["customers"])
        return 0

    quick = args.quick
    bare_events = 200_000 if quick else 1_500_000
    mmn_customers = 10_000 if quick else 100_000
    day_agents = 20 if quick else 160
    week_agents = 500

    print(f"# ccsim benchmark ({'quick' if quick else 'full'}) — {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"# {machine()}")
    print()

    # Each measurement is repeated in rounds (every engine once per round, so a noisy
    # spell of the shared machine hits all of them) and the run with the least CPU time
    # is kept, as timeit does.
    jobs: dict[str, tuple[Callable[..., dict], tuple]] = {
        "bare": (bare_simpy, (1000, bare_events, args.seed)),
        "plain": (run_engine, ("plain", mmn_customers, args.seed)),
        "ciw": (run_engine, ("ciw", mmn_customers, args.seed)),
        "ours_mmn": (run_engine, ("ccsim", mmn_customers, args.seed)),
        "day_tab": (run_simulator, (busy_day_scenario(day_agents, "tab"), args.seed)),
        "day_status": (run_simulator, (busy_day_scenario(day_agents, "status"), args.seed)),
    }
    if args.skip_ciw:
        del jobs["ciw"]
    repeats = args.repeat or (1 if quick else 3)
    runs_of: dict[str, list[dict]] = {name: [] for name in jobs}
    for _ in range(repeats):
        for name, (target, job_args) in list(jobs.items()):
            try:
                runs_of[name].append(in_child(target, *job_args))
            except RuntimeError as error:
                if name != "ciw":
                    raise
                print(f"(Ciw skipped: {error})")
                del jobs[name], runs_of[name]
    best = {name: min(runs, key=lambda run: run["cpu_s"]) for name, runs in runs_of.items()}
    bare, plain, ours_mmn = best["bare"], best["plain"], best["ours_mmn"]
    peer_ciw = best.get("ciw")
    day = {"tab": best["day_tab"], "status": best["day_status"]}
    ceiling = bare["events_per_s"]
    p_wait = erlang_c_wait_probability(MMN_SERVERS, MMN_ARRIVALS_PER_S, MMN_SERVICE_MEAN_S)
    erlang_wait = erlang_c_mean_wait(MMN_SERVERS, MMN_ARRIVALS_PER_S, MMN_SERVICE_MEAN_S)
    week, week_runs = None, []
    if args.week:  # its rounds after the others: a minute each
        for _ in range(repeats):
            week_runs.append(in_child(run_simulator, week_scenario(week_agents, "tab"), args.seed))
        week = min(week_runs, key=lambda run: run["cpu_s"])

    # ---- bare SimPy
    print("## Bare SimPy (1,000 processes, `yield env.timeout(expovariate)` loop)")
    print("| events | wall s | CPU s | events/s (CPU) | peak RSS MB |")
    print("|---:|---:|---:|---:|---:|")
    print(
        f"| {fmt(bare['events'])} | {fmt(bare['wall_s'], 2)} | {fmt(bare['cpu_s'], 2)} "
        f"| {fmt(ceiling)} | {fmt(bare['rss_mb'])} |"
    )
    print()

    # ---- M/M/n
    print(
        f"## M/M/{MMN_SERVERS}, rho={MMN_RHO}, mean service {MMN_SERVICE_MEAN_S:g} s, "
        f"horizon {mmn_customers / MMN_ARRIVALS_PER_S / 3600:.1f} h "
        f"(~{mmn_customers:,} customers)"
    )
    print(f"Erlang C: P(wait)={p_wait:.3f}, mean wait={erlang_wait:.2f} s")
    print()
    print(
        "| engine | customers | wall s | CPU s | customers/s (CPU) | P(wait) | mean wait s "
        "| vs Erlang C | ccsim speed ratio |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    rows = [("plain SimPy", plain)]
    if peer_ciw is not None:
        rows.append(("Ciw", peer_ciw))
    rows.append(("ccsim", ours_mmn))
    for name, row in rows:
        count, per_s = row["customers"], row["customers_per_s"]
        deviation = row["mean_wait_s"] / erlang_wait - 1.0
        ratio = ours_mmn["customers_per_s"] / per_s
        print(
            f"| {name} | {fmt(count)} | {fmt(row['wall_s'], 2)} | {fmt(row['cpu_s'], 2)} "
            f"| {fmt(per_s)} "
            f"| {row['p_wait']:.3f} | {row['mean_wait_s']:.2f} | {deviation:+.1%} | {ratio:.2f} |"
        )
    print()
    print(
        "One run at rho=0.9 has a mean wait within roughly ±15% of Erlang C (seeds 1-4 of the "
        "ccsim run gave 13.8, 18.6, 17.0, 17.4 s); P(wait) is the tighter check."
    )
    print(
        "ccsim speed ratio = ccsim customers/s ÷ the engine's customers/s "
        "(targets: ≥ 1.0 vs Ciw, ≥ 0.5 vs plain SimPy)."
    )
    print(f"Best of {repeats} round(s) by CPU time; customers/s in every round:")
    for name, key in (("plain SimPy", "plain"), ("Ciw", "ciw"), ("ccsim", "ours_mmn")):
        if key in runs_of:
            rates = ", ".join(fmt(run["customers_per_s"]) for run in runs_of[key])
            print(f"  {name}: {rates}")
    print()

    # ---- busy day / week
    print(
        f"## Busy messaging day ({day_agents} agents × capacity 3, 8 exchanges) and week "
        f"({week_agents} agents × 7 d)"
    )
    print()
    print(
        "| run | sessions | messages | SimPy events | wall s | CPU s | sim-only CPU s "
        "| sessions/s | events/s | messages/s | events/s ÷ bare | messages/s ÷ bare "
        "| peak RSS MB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    runs = [("day, tab-based", day["tab"]), ("day, status-based", day["status"])]
    if week is not None:
        runs.append(("week, tab-based", week))
    for name, row in runs:
        print(
            f"| {name} | {fmt(row['sessions'])} | {fmt(row['messages'])} | {fmt(row['events'])} "
            f"| {fmt(row['wall_s'], 1)} | {fmt(row['cpu_s'], 1)} | {fmt(row['core_s'], 1)} "
            f"| {fmt(row['sessions_per_s'])} "
            f"| {fmt(row['events_per_s'])} | {fmt(row['messages_per_s'])} "
            f"| {row['events_per_s'] / ceiling:.3f} | {row['messages_per_s'] / ceiling:.3f} "
            f"| {fmt(row['rss_mb'])} |"
        )
    print()
    print(
        "All rates are per CPU second (time.process_time of the single-threaded child), so a "
        "busy shared machine inflates wall s but not the rates. events/s uses the sim-only "
        "CPU time (SimPy run, no tables); sessions/s and messages/s use the whole CPU time "
        "(scenario build + run + sessions table)."
    )
    print("Target: messages/s ÷ bare ≥ 0.25.", end=" ")
    if week is not None:
        verdict = "meets" if week["cpu_s"] < 60 and week["rss_mb"] < 2048 else "misses"
        week_rounds = ", ".join(f"{run['cpu_s']:.1f}" for run in week_runs)
        print(
            f"Week target (< 60 s on one core, < 2 GB): {verdict} "
            f"({week['cpu_s']:.1f} CPU s, {week['wall_s']:.1f} wall s, {week['rss_mb']:.0f} MB; "
            f"CPU s in every round: {week_rounds}).",
            end="",
        )
    print()
    for name, row in runs:
        print(
            f"  {name}: answered {row['answered']:,}, abandoned {row['abandoned']:,}, "
            f"open at horizon {row['open_at_horizon']:,}, mean wait {row['mean_wait_s']:.1f} s"
        )

    if args.instructions:
        print()
        print_instructions(list(jobs), quick, args.seed)

    if args.profile:
        print()
        print(
            f"## cProfile of the busy day (tab-based, {day_agents} agents), "
            f"top {args.top} by tottime"
        )
        scenario = busy_day_scenario(day_agents, "tab")
        text = in_child(lambda: {"text": profile_simulator(scenario, args.top, args.seed)})["text"]
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
