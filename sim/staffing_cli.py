"""The ``ccsim staff`` subcommand: staffing requirements per interval for both models.

Register it from ``sim/cli.py`` with::

    from sim.staffing_cli import add_staff_command
    add_staff_command(subparsers)   # sets handler=run_staff on the parser
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.shift_cover import ShiftTemplate
from sim.staffing import (
    CAPACITY_MODELS,
    StaffingError,
    StaffingGoals,
    staff,
    write_staffing,
)
from sim.units import parse_duration


def add_staff_command(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``staff`` to a CLI's subparsers; the parser's ``handler`` default is :func:`run_staff`."""
    parser = subparsers.add_parser(
        "staff",
        help="agents needed per interval (Erlang baseline + simulation, both capacity models)",
        description="Staffing requirements per reporting interval: an Erlang C/A baseline, "
        "then an iterative simulation search (Feldman, Mandelbaum, Massey & Whitt 2008) "
        "under tab-based and status-based capacity on the same customers, verified with "
        "confidence intervals.",
    )
    parser.add_argument("scenario", type=Path, help="scenario YAML file")
    parser.add_argument("--target", help="service level, e.g. 80/60s (80%% within 60 s)")
    parser.add_argument("--max-asa", help="largest average speed of answer, e.g. 30s")
    parser.add_argument("--max-abandon", help="largest abandonment rate, e.g. 5%%")
    parser.add_argument("--shrinkage", default="0", help="share of paid time off the phones")
    parser.add_argument("--max-occupancy", help="largest occupancy, e.g. 85%%")
    parser.add_argument("--models", default="tab,status",
                        help="capacity models, comma separated (default tab,status)")
    parser.add_argument("-r", "--replications", type=int, default=10,
                        help="replications per search iteration (default 10)")
    parser.add_argument("--verify-replications", type=int, default=None,
                        help="replications of the verification run (default 2x)")
    parser.add_argument("--max-iterations", type=int, default=10)
    parser.add_argument("--seed", type=int, default=None, help="root seed (scenario's default)")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="local worker processes")
    parser.add_argument("--scheduler", default=None, help="distributed scheduler address")
    parser.add_argument("--shift", action="append", default=[], metavar="START/LENGTH",
                        help="shift template, e.g. 7h/8h (repeatable); default: the "
                        "scenario's shifts")
    parser.add_argument("--no-curve", action="store_true",
                        help="skip the service level vs agents simulation")
    parser.add_argument("-o", "--out", type=Path, default=Path("staffing-out"),
                        help="output directory")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="scenario override (as for the other commands)")
    parser.set_defaults(handler=run_staff)
    return parser


def parse_shift(text: str, interval_s: float) -> ShiftTemplate:
    """``'7h/8h'`` -> ``(start_interval, length_intervals)`` for the given interval."""
    start, _, length = text.partition("/")
    if not length:
        raise ValueError(f"expected a shift as START/LENGTH such as 7h/8h, found {text!r}")
    return (int(parse_duration(start) // interval_s),
            max(1, round(parse_duration(length) / interval_s)))


def run_staff(args: argparse.Namespace) -> int:
    """Run ``ccsim staff``; returns the exit status."""
    from sim.loader import ScenarioError, load_scenario
    from sim.runner import make_executor

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        goals = StaffingGoals.parse(args.target, args.max_asa, args.max_abandon,
                                    args.shrinkage, args.max_occupancy)
        scenario = load_scenario(args.scenario, args.set)
        models = [m.strip() for m in args.models.split(",") if m.strip()]
        unknown = [m for m in models if m not in CAPACITY_MODELS]
        if unknown:
            raise ValueError(f"unknown capacity model(s) {unknown}; choose from tab, status")
        templates = [parse_shift(text, scenario.interval) for text in args.shift] or None
        report = staff(
            scenario, goals, replications=args.replications, seed=args.seed,
            models=models, executor=make_executor(args.jobs, args.scheduler),
            max_iterations=args.max_iterations,
            verification_replications=args.verify_replications,
            curve=not args.no_curve, shift_templates=templates, log=log,
        )
        written = write_staffing(report, args.out)
    except ScenarioError as error:
        print(str(error), file=sys.stderr)
        return 2
    except (StaffingError, ValueError, NotImplementedError) as error:
        print(f"ccsim: error: {' '.join(str(error).split())}", file=sys.stderr)
        return 2
    for model, reason in report.skipped.items():
        print(f"{model}: skipped ({reason})")
    for model, result in report.results.items():
        met = "every interval meets the goals" if result.verification["meets"].all() else (
            "some intervals miss the goals")
        print(f"{model}: {result.agent_hours:.1f} scheduled agent-hours, peak "
              f"{int(result.scheduled.max())} agents, {result.iterations} iterations; {met}")
    difference = report.agent_hours_difference()
    if difference is not None:
        print(f"status - tab: {difference:+.1f} agent-hours")
    for model, counts in report.shifts.items():
        pairs = ", ".join(f"{t}: {c}" for t, c in zip(report.shift_templates, counts,
                                                      strict=True))
        print(f"{model} shifts (start interval, length): {pairs}")
    print(f"simulated {report.simulated_days:.1f} days in {report.runtime_s:.1f}s; "
          f"wrote {', '.join(str(path) for path in written.values())}")
    return 0

