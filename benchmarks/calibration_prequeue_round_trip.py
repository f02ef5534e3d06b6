"""Round trip of a center with a bot in front of its queue and shifts with breaks.

Simulates ``prequeue_truth`` of ``tests/calibration_helpers.py`` (a bot stage: lognormal
90 s handling time, 20% resolved, 5% leave; two shifts whose agents take a short break and
a staggered lunch) for ``--days`` days, exports it with ``sim.salesforce.export``,
calibrates the export, simulates the fitted center and prints the ASA and abandonment of
the export (the exported run's own figures: inbound sessions offered to the agents, waits
from the request) against the fitted center's, with the % error; then backtests the
calibrated center and the same center with agents replying 20% slower (the backtest's
verdict and exit code, 3 when it fails)::

    .venv/bin/python benchmarks/calibration_prequeue_round_trip.py [--days 60] [-r 9]
        [--plain-delay] [--no-backtest] [--fitted-runs 2]

Runs against whichever ``sim`` is importable first (``PYTHONPATH=/other/checkout`` measures
an older calibration on the same center).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from calibration_helpers import PLAIN_DELAY, export_truth, prequeue_truth  # noqa: E402

import sim  # noqa: E402
from sim.calibration.backtest import backtest  # noqa: E402
from sim.calibration.center import calibrate  # noqa: E402
from sim.model.simulate import simulate  # noqa: E402
from sim.salesforce.read import read_export  # noqa: E402
from sim.scenario.schema import Scenario  # noqa: E402


def queue_figures(sessions: pd.DataFrame) -> tuple[float, float, int]:
    """ASA (s, answered offered sessions, from the request) and abandonment (of offered)."""
    offered = sessions[(sessions["direction"] == "inbound")
                       & sessions["request_time"].notna()]
    waits = (offered["accept_time"] - offered["request_time"]).dropna()
    abandoned = (offered["outcome"] == "abandoned").sum()
    return float(waits.mean()), float(abandoned / len(offered)), len(offered)


def fitted_figures(scenario: Scenario, replications: int) -> tuple[float, float, int]:
    """The fitted center's figures pooled over ``replications`` runs."""
    frames = [simulate(scenario, replication=r).sessions for r in range(replications)]
    return queue_figures(pd.concat(frames, ignore_index=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("-r", "--replications", type=int, default=9,
                        help="backtest replications (default 9)")
    parser.add_argument("--fitted-runs", type=int, default=2,
                        help="runs of the fitted center pooled (default 2)")
    parser.add_argument("--no-backtest", action="store_true", help="skip the backtests")
    parser.add_argument("--plain-delay", action="store_true",
                        help="a flow that only delays routing (no resolved, nobody leaves)")
    args = parser.parse_args()
    print(f"sim from {Path(sim.__file__).parent}")
    truth = prequeue_truth(args.days, bot=PLAIN_DELAY if args.plain_delay else None)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        result = export_truth(Path(folder), truth)
        exported = time.perf_counter()
        calibration = calibrate(read_export(Path(folder)))
        fitted_at = time.perf_counter()
    assert calibration.scenario is not None
    fitted = calibration.scenario
    observed = queue_figures(result.sessions)
    simulated = fitted_figures(fitted, args.fitted_runs)
    simulated_at = time.perf_counter()
    print(f"{args.days} days: simulate+export {exported - started:.0f} s, calibrate "
          f"{fitted_at - exported:.0f} s, fitted center x{args.fitted_runs} "
          f"{simulated_at - fitted_at:.0f} s")
    bot = fitted.channels[0].bot
    print(f"fitted bot: {bot.model_dump(exclude_none=True) if bot else None}")
    group = fitted.agent_groups[0]
    print(f"fitted group: {'shifts with breaks' if group.shifts else 'staffing per interval'}"
          f" ({sum(len(s.breaks) for s in group.shifts or [])} breaks over "
          f"{len(group.shifts or [])} shift entries)")
    print(f"\n{'':14} {'export':>9} {'fitted':>9} {'error':>8}   (offered: export "
          f"{observed[2]}, fitted {simulated[2] / args.fitted_runs:.0f} per run)")
    for label, index in (("ASA (s)", 0), ("abandonment", 1)):
        error = simulated[index] / observed[index] - 1
        print(f"{label:14} {observed[index]:9.4g} {simulated[index]:9.4g} {error:+8.1%}")
    if args.no_backtest:
        return
    reply = group.behaviour.reply_time
    slower = fitted.derive({"agent_groups[0].behaviour.reply_time.mean": reply.mean * 1.2},
                           source="20% off")
    print()
    for label, scenario in (("calibrated", fitted), ("reply time x1.2", slower)):
        run = backtest(scenario, calibration, replications=args.replications)
        verdict = "fail (exit 3)" if run.failed else "pass (exit 0)"
        summary = run.summary.loc[["asa_s", "abandonment_rate"],
                                  ["observed", "simulated", "relative_bias", "verdict"]]
        print(f"backtest, {label}: {verdict}")
        print(summary.to_string(float_format=lambda value: f"{value:.4g}"))
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
