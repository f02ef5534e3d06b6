"""Calibration round trip: truth against fitted (with CIs), backtest figures and timings.

Simulates the known desk of ``tests/calibration_helpers.py`` (or calibrates the shipped
``examples/salesforce-export`` with ``--example``), exports it, calibrates and backtests it,
and prints what was recovered and how long each step took::

    .venv/bin/python benchmarks/calibration_round_trip.py [--example] [-r 20]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from calibration_helpers import TRUTH, export_truth  # noqa: E402

from sim.calibration.backtest import backtest  # noqa: E402
from sim.calibration.center import calibrate  # noqa: E402
from sim.salesforce.read import read_export  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--example", action="store_true",
                        help="calibrate examples/salesforce-export instead")
    parser.add_argument("-r", "--replications", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        if args.example:
            export_dir = ROOT / "examples" / "salesforce-export"
        else:
            export_dir = Path(folder)
            export_truth(export_dir)
        exported = time.perf_counter()
        export = read_export(export_dir)
        read = time.perf_counter()
        calibration = calibrate(export)
        fitted = time.perf_counter()
        assert calibration.scenario is not None
        result = backtest(calibration.scenario, calibration, replications=args.replications)
        done = time.perf_counter()
    print(f"export {exported - started:.2f} s, read {read - exported:.2f} s, calibrate "
          f"{fitted - read:.2f} s, backtest ({args.replications} replications) "
          f"{done - fitted:.2f} s")
    if not args.example:
        _truth_against_fitted(calibration)
    print("\nbacktest:")
    print(result.summary.to_string(float_format=lambda value: f"{value:.4g}"))


def _truth_against_fitted(calibration: object) -> None:
    from sim.calibration.center import Calibration

    assert isinstance(calibration, Calibration)
    fits = calibration.fits
    rows = [
        ("patience mean (s)", TRUTH.channels[0].customers.patience.mean,
         fits[("channels", 0, "customers", "patience")]),
        ("exchanges mean", TRUTH.channels[0].customers.exchanges.mean,
         fits[("channels", 0, "customers", "exchanges")]),
        ("customer reply mean (s)", TRUTH.channels[0].customers.reply_time.mean,
         fits[("channels", 0, "customers", "reply_time")]),
        ("agent reply mean (s)", TRUTH.agent_groups[0].behaviour.reply_time.mean,
         fits[("agent_groups", 0, "behaviour", "reply_time")]),
        ("accept delay mean (s)", 9.0, fits[("agent_groups", 0, "behaviour", "accept_delay")]),
        ("close-tab delay mean (s)", TRUTH.agent_groups[0].behaviour.close_tab_delay.mean,
         fits[("agent_groups", 0, "behaviour", "close_tab_delay")]),
    ]
    print(f"{'':26} {'truth':>9} {'fitted':>9} {'95% CI':>19} {'n':>7} {'error':>7}")
    for label, truth, fit in rows:
        print(f"{label:26} {truth:9.4g} {fit.mean:9.4g} {fit.ci[0]:9.4g}-{fit.ci[1]:<9.4g} "
              f"{fit.n:7d} {fit.mean / truth - 1:+7.1%}")
    arrivals = calibration.arrivals[("web_chat", "inbound")]
    truth = np.resize(np.asarray(TRUTH.channels[0].arrivals.volumes), len(arrivals.volumes))
    open_hours = truth > 0
    inside = (truth >= arrivals.low) & (truth <= arrivals.high)
    print(f"arrival rates inside their 95% CI: {inside[open_hours].mean():.1%} of "
          f"{open_hours.sum()} open intervals ({inside.mean():.1%} of all {len(inside)})")
    values = calibration.values
    print(f"exact: capacity {values['agent_groups'][0]['capacity']:g} (truth "
          f"{TRUTH.agent_groups[0].capacity:g}), work size "
          f"{values['channels'][0]['capacity_weight']:g}, capacity model "
          f"{values['capacity_model']}, abandonments "
          f"{int(fits[('channels', 0, 'customers', 'patience')].observed.sum())}")


if __name__ == "__main__":
    main()
