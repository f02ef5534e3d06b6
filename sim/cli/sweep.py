"""The command ``ccsim sweep``: every combination of a grid of scenario values, replicated.

:func:`add_sweep_command` adds it to the ``ccsim`` parser; the sweep itself is
:mod:`sim.experiments.sweep`, its files :mod:`sim.reports.sweep_files`.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from sim.cli.common import (
    EXIT_INTERRUPTED,
    add_run_options,
    check_environment,
    check_work,
    exit_code,
    load_checked,
    report_folder,
    say,
    share_options,
    usable_jobs,
)
from sim.cli.tables import print_sweep, progress_bar

if TYPE_CHECKING:
    from sim.experiments.sweep import SweepPlan


def add_sweep_command(commands: argparse._SubParsersAction) -> None:
    """Add ``sweep`` to the ``ccsim`` subcommands."""
    sweep = commands.add_parser(
        "sweep", help="run a grid of scenario values and chart the figures",
        description="Run every combination of the --grid values (any scenario key paths, "
        "e.g. agents x capacity x capacity model), each with the same replications and "
        "seeds (common random numbers), as one batch. Writes sweep.csv (a tidy table: one "
        "row per cell and figure with mean, sd, 95% CI half-width and n) and sweep.png "
        "(service level and ASA against the first grid key, one line per value of the "
        "other keys). Invalid cells stop the sweep before it runs unless --skip-invalid.",
    )
    add_run_options(sweep, out_help="output directory (default: out/<scenario file name>-sweep)")
    sweep.add_argument("--grid", action="append", default=[], required=True,
                       metavar="KEY.PATH=V1,V2,...",
                       help="values to try for a scenario key, e.g. "
                       "agent_groups[0].agents=8,10,12 or capacity_model=tab,status "
                       "(repeatable; the first key is the chart's x axis)")
    sweep.add_argument("--label", action="append", default=[], metavar="KEY.PATH=TEXT",
                       help="what the chart and the table call a --grid key, e.g. "
                       "'agent_groups[0].shifts[0].agents=Agents on the day shift' "
                       "(repeatable; default: the key path)")
    sweep.add_argument("--skip-invalid", action="store_true",
                       help="leave out grid cells whose scenario is invalid (listed in "
                       "skipped.csv) instead of stopping")
    sweep.set_defaults(handler=_sweep)


def _sweep(args: argparse.Namespace) -> int:
    """Run ``ccsim sweep``; returns the exit status (errors are raised)."""
    from sim.experiments.sweep import parse_grid, parse_labels

    grid = parse_grid(args.grid)
    labels = parse_labels(args.label, grid)
    check_environment(args.scheduler)
    if not args.force:
        _check_grid_size(args)
    scenario = load_checked(args.scenario, list(args.overrides), args.quiet,
                            args.allow_outside_paths)
    args.jobs = usable_jobs(args.jobs, args.quiet)
    from sim.experiments.sweep import plan_sweep

    plan = plan_sweep(scenario, grid, skip_invalid=args.skip_invalid,
                      source=str(args.scenario))
    _check_sweep_work(args, plan)
    if not args.quiet:
        for skipped in plan.skipped:
            say(f"{args.scenario}: warning: skipping grid cell {skipped['cell']} "
                f"({_cell_text(skipped, plan.grid)}): {skipped['reason']}")
        for warning, cells in plan.cell_warnings().items():
            say(f"{args.scenario}: warning: grid cell{'s' if len(cells) > 1 else ''} "
                f"{', '.join(map(str, cells))}: {warning}")
    from sim.experiments.executors import make_executor
    from sim.experiments.sweep import run_sweep
    from sim.reports.sweep_files import SWEEP_FILES, sweep_document, write_sweep

    total = len(plan.cells) * args.replications
    with (make_executor(args.jobs, args.scheduler) as executor,
          report_folder(args, SWEEP_FILES, "-sweep") as folder):
        with progress_bar(args.quiet, total, f"runs ({len(plan.cells)} cells)") as progress:
            result = run_sweep(plan, args.replications, seed=args.seed, executor=executor,
                               progress=progress)
            folder.hold_interrupts()
        executor.close()
        if result.table.empty:
            print("ccsim: interrupted before any run finished; nothing written",
                  file=sys.stderr)
            return EXIT_INTERRUPTED
        document = sweep_document(result, labels)
        staged = write_sweep(result, folder.path, document, labels)
        share = share_options(args)
        if share.wanted:
            from sim.reports.shared_report import sweep_report, write_shared

            staged += write_shared(folder.path, sweep_report(result, document, labels), share,
                                   staged)
        written = folder.commit(staged)
    if result.interrupted:
        print(f"ccsim: interrupted: {len(document['cells_run'])} of {document['cells']} cells "
              f"ran ({len(document['cells_complete'])} with every replication); sweep.json "
              'says "interrupted": true', file=sys.stderr)
    if not args.quiet:
        print_sweep(result, written, labels)
    return exit_code(result.interrupted, folder)


def _cell_text(values: dict[str, Any], grid: dict[str, list[Any]]) -> str:
    from sim.experiments.sweep import cell_label

    return cell_label({key: values[key] for key in grid})


def _check_grid_size(args: argparse.Namespace) -> None:
    """Refuse a grid with too many cells before any cell is built."""
    import math

    from sim.experiments.sweep import parse_grid
    from sim.scenario.loading import ScenarioError
    from sim.scenario.workload_limits import grid_problems

    cells = math.prod(len(values) for values in parse_grid(args.grid).values())
    problems = grid_problems(cells, str(args.scenario))
    if problems:
        raise ScenarioError(problems)


def _check_sweep_work(args: argparse.Namespace, plan: SweepPlan) -> None:
    """Refuse a sweep whose cells or runs are too large (every cell's scenario counts)."""
    where = str(args.scenario)
    check_work([(f"{where} [grid cell {cell.index}]", cell.scenario) for cell in plan.cells],
               args.replications, source=where, force=args.force)

