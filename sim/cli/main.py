"""The ``ccsim`` command line: parse arguments, call the library, print results.

Exit codes: 0 success, 2 bad input (scenario problems, bad options, unwritable output),
130 interrupted by Ctrl-C (finished replications are still written), 1 an internal error
(reported in one line; ``CCSIM_DEBUG=1`` shows the traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.cli.common import (
    add_safety_options,
    add_share_options,
    check_environment,
    check_work,
    load_checked,
    positive_int,
    say,
    seed_number,
    share_options,
    usable_jobs,
)
from sim.model.capacity import CAPACITY_MODEL_NAMES
from sim.scenario.user_text import printable

if TYPE_CHECKING:
    import pandas as pd
    from rich.table import Table

    from sim.reports.output_folder import ReportFolder
    from sim.scenario.schema import Scenario

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 1

RUN_FILES = ("intervals.csv", "groups.csv", "sessions.parquet", "sessions.csv", "agents.csv",
             "arrivals_throughput.png", "wait_times.png", "service_level.png", "occupancy.png",
             "summary.json", "report.xlsx", "report.html")
"""Every file ``ccsim run`` may write (a new run replaces all of them, keeps the others)."""

COMPARISON_FILES = ("comparison.csv", "comparison_service_level.png",
                    "comparison_differences.png", "comparison.json", "report.xlsx",
                    "report.html", "whatif.csv", "whatif.png")
"""Every file ``ccsim compare`` may write."""

SWEEP_FILES = ("sweep.png", "skipped.csv", "sweep.csv", "sweep.json", "report.xlsx",
               "report.html")
"""Every file ``ccsim sweep`` may write."""

# --------------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    """The argument parser with its subcommands (run, compare, sweep, validate, staff)."""
    parser = argparse.ArgumentParser(
        prog="ccsim",
        description="Simulate a messaging contact center on Omni-Channel from a scenario file.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = commands.add_parser(
        "run", help="run a scenario and write reports",
        description="Run replications of a scenario, print a summary table and write the "
        "report files (summary.json, intervals.csv, sessions, agents.csv, charts).",
    )
    _add_common(run)
    run.add_argument("--capacity-model", choices=CAPACITY_MODEL_NAMES,
                     help="override the scenario's capacity model")
    run.add_argument("--salesforce-export", type=Path, metavar="DIR",
                     help="also write replication 0 as an Omni-Channel export into DIR "
                     "(AgentWork, MessagingSession, UserServicePresence, "
                     "ServicePresenceStatus and ConversationEntry CSVs with their field "
                     "names; see examples/salesforce-export/README.md)")
    run.set_defaults(handler=_run)

    compare = commands.add_parser(
        "compare", help="compare tab-based and status-based capacity",
        description="Run a scenario under tab-based and status-based capacity on the same "
        "customers (common random numbers) and report each figure for both, the "
        "difference (status - tab) and its 95% confidence interval.",
    )
    _add_common(compare, out_help="output directory (default: out/<scenario file name>-compare)")
    compare.add_argument(
        "--what-if", dest="what_if", action="append", default=[], metavar="KNOB",
        help="also compare the models as one setting changes, for every channel or group: "
        "'response patience' (customers' mean patience for a reply: 2, 10, 30, 120 min), "
        "'disconnections', 'close-tab delay' or 'silent customers' (repeatable; writes "
        "whatif.csv and whatif.png)")
    compare.set_defaults(handler=_compare)

    sweep = commands.add_parser(
        "sweep", help="run a grid of scenario values and chart the figures",
        description="Run every combination of the --grid values (any scenario key paths, "
        "e.g. agents x capacity x capacity model), each with the same replications and "
        "seeds (common random numbers), as one batch. Writes sweep.csv (a tidy table: one "
        "row per cell and figure with mean, sd, 95% CI half-width and n) and sweep.png "
        "(service level and ASA against the first grid key, one line per value of the "
        "other keys). Invalid cells stop the sweep before it runs unless --skip-invalid.",
    )
    _add_common(sweep, out_help="output directory (default: out/<scenario file name>-sweep)")
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

    validate = commands.add_parser(
        "validate", help="check scenario files",
        description="Check scenario files against the schema and sanity rules, "
        "without running them. Exit code 2 if any file has a problem.",
    )
    validate.add_argument("scenarios", nargs="+", metavar="SCENARIO", type=Path,
                          help="scenario YAML files")
    add_safety_options(validate, force=False)
    validate.set_defaults(handler=_validate)

    from sim.cli.calibrate import add_calibration_commands
    from sim.cli.staff import add_staff_command

    add_staff_command(commands)
    add_calibration_commands(commands)
    return parser


def _add_common(parser: argparse.ArgumentParser, out_help: str | None = None) -> None:
    parser.add_argument("scenario", metavar="SCENARIO", type=Path,
                        help="scenario YAML file")
    parser.add_argument("--replications", "-r", type=positive_int, default=10, metavar="N",
                        help="independent replications (default: 10)")
    parser.add_argument("--seed", type=seed_number, metavar="S",
                        help="root random seed (default: the scenario's seed)")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help=out_help or "output directory (default: out/<scenario file name>)")
    parser.add_argument("--jobs", "-j", type=positive_int, default=1, metavar="N",
                        help="worker processes (default: 1, serial); results are identical")
    parser.add_argument("--scheduler", metavar="ADDR",
                        help="address of a Dask distributed scheduler (tcp://HOST:PORT) to run "
                        "on instead of local processes (default: $CCSIM_SCHEDULER if set; "
                        "--jobs is then ignored); results are identical")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="KEY.PATH=VALUE",
                        help="override a scenario value, e.g. agent_groups[0].agents=8 "
                        "(repeatable; validated like the file)")
    parser.add_argument("--quiet", "-q", action="store_true",
                        help="no progress bar, summary table or warnings")
    add_share_options(parser)
    add_safety_options(parser)


# ----------------------------------------------------------------------------------- main
def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``ccsim`` and ``python -m sim``; returns the exit code."""
    args = build_parser().parse_args(argv)
    args.argv = list(argv) if argv is not None else sys.argv[1:]  # shown in shared reports
    from sim.scenario.loading import ScenarioError

    try:
        return args.handler(args)
    except ScenarioError as error:
        for line in error.problems:
            say(line)
        return EXIT_USAGE
    except OSError as error:  # disk full, unwritable folder: name the file
        say(f"ccsim: error: {_os_error_text(error, args)}")
        return EXIT_USAGE
    except (NotImplementedError, ValueError) as error:
        say(f"ccsim: error: {_one_line(error)}")
        return EXIT_USAGE
    except RecursionError:
        say("ccsim: error: input nested too deeply; expected the few levels of a scenario")
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("ccsim: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:  # a bug: still one line, unless debugging
        if os.environ.get("CCSIM_DEBUG"):
            raise
        say(f"ccsim: error: internal error ({type(error).__name__}: {_one_line(error)}); "
            "set CCSIM_DEBUG=1 for the traceback")
        return EXIT_INTERNAL


def _one_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    text = " ".join(text.split())
    return text if len(text) <= 600 else text[:597] + "..."


def _os_error_text(error: OSError, args: argparse.Namespace) -> str:
    """``<file>: <reason>`` for an operating-system error; the output folder if no file."""
    reason = error.strerror or _one_line(error)
    if error.filename is not None:
        return _one_line(OSError(f"{os.fsdecode(error.filename)}: {reason}"))
    if error.errno is not None and getattr(args, "scenario", None) is not None:
        out = getattr(args, "out", None)
        where = str(out) if out is not None else "the output folder (out/)"
        return f"{where}: {reason}"
    return _one_line(error)


# ------------------------------------------------------------------------------- commands
def _validate(args: argparse.Namespace) -> int:
    from sim.scenario.loading import ScenarioError
    from sim.scenario.workload_limits import scenario_problems

    status = EXIT_OK
    for path in args.scenarios:
        try:
            scenario = load_checked(path, [], quiet=False,
                                    allow_outside_paths=args.allow_outside_paths)
            too_large = scenario_problems(scenario, str(path))  # the limits every runner checks
            if too_large:
                raise ScenarioError(too_large)
        except ScenarioError as error:
            for line in error.problems:
                say(line)
            status = EXIT_USAGE
            continue
        print(printable(f"ok: {path}"))
    return status


def _run(args: argparse.Namespace) -> int:
    overrides = list(args.overrides)
    if args.capacity_model is not None:
        overrides.append(f"capacity_model={args.capacity_model}")
    scenario = _load(args, overrides)
    # Heavy imports (scipy, matplotlib) only after each check, so bad input fails fast.
    from sim.experiments.executors import make_executor
    from sim.experiments.runner import replicate
    from sim.reports.files import write_reports

    with (make_executor(args.jobs, args.scheduler) as executor,
          _report_folder(args, RUN_FILES) as folder,
          _export_folder(args) as export_folder):
        with _progress(args.quiet, args.replications, "replications") as progress:
            runset = replicate(scenario, args.replications, seed=args.seed,
                               executor=executor, progress=progress)
            folder.hold_interrupts()  # from here a Ctrl-C no longer loses the results
        executor.close()
        if runset.replications == 0:
            print("ccsim: interrupted before any replication finished; nothing written",
                  file=sys.stderr)
            return EXIT_INTERRUPTED
        staged = write_reports(runset, folder.path, scenario)
        share = share_options(args)
        if share.wanted:
            from sim.reports.shared_report import run_report, write_shared

            staged += write_shared(folder.path, run_report(runset, scenario), share, staged)
        exported = []
        if export_folder is not None:
            from sim.salesforce.export import export_run

            exported = export_folder.commit(export_run(scenario, runset.seed, export_folder.path))
        written = folder.commit(staged) + exported
    if not args.quiet:
        from sim.reports.verdict import runset_verdict

        _print_summary(scenario, runset.summary(), runset.replications, runset.seed,
                       runset.interrupted, written, _breakdown_tables(runset, scenario),
                       runset_verdict(runset, scenario))
    return _exit_code(runset.interrupted, folder)


def _compare(args: argparse.Namespace) -> int:
    knobs = _what_if_knobs(args.what_if)
    # both models, then both at each value of each knob: for the work limit
    args.runs_per_replication = 2 * (1 + sum(len(knob.chosen(4)) for knob in knobs))
    scenario = _load(args, list(args.overrides))
    from sim.experiments.executors import make_executor
    from sim.experiments.runner import compare, status_variant

    status_variant(scenario)  # fail before any work if status-based is invalid

    from sim.reports.files import write_comparison

    with (make_executor(args.jobs, args.scheduler) as executor,
          _report_folder(args, COMPARISON_FILES, "-compare") as folder):
        with _progress(args.quiet, 2 * args.replications, "runs (both models)") as progress:
            comparison = compare(scenario, args.replications, seed=args.seed,
                                 executor=executor, progress=progress)
            folder.hold_interrupts()
        executor.close()
        if comparison.replications == 0:
            print("ccsim: interrupted before any replication finished under both models; "
                  "nothing written", file=sys.stderr)
            return EXIT_INTERRUPTED
        staged = write_comparison(comparison, folder.path)
        grid = None
        if knobs:
            grid, what_if_files = _what_if(scenario, knobs, args, executor, folder.path)
            staged += what_if_files
        share = share_options(args)
        if share.wanted:
            from sim.reports.shared_report import comparison_report, write_shared

            staged += write_shared(folder.path, comparison_report(comparison), share, staged)
        written = folder.commit(staged)
    if not args.quiet:
        from sim.reports.verdict import comparison_verdict

        _print_comparison(scenario, comparison.table, comparison.replications,
                          comparison.tab.seed, comparison.interrupted, written,
                          comparison_verdict(comparison.table, scenario), grid)
    return _exit_code(comparison.interrupted, folder)


def _what_if_knobs(names: list[str]) -> list[Any]:
    """The what-if knobs named by ``--what-if``, checked before any work."""
    if not names:
        return []
    from sim.analysis.whatif import KNOBS

    by_name = {knob.name: knob for knob in KNOBS}
    for name in names:
        if name not in by_name:
            allowed = ", ".join(f"'{known}'" for known in by_name)
            raise ValueError(f"--what-if {name!r}: unknown setting; allowed: {allowed}")
    return [by_name[name] for name in dict.fromkeys(names)]


def _what_if(scenario: Scenario, knobs: list[Any], args: argparse.Namespace,
             executor: Any, out_dir: Path) -> tuple[pd.DataFrame, list[Path]]:
    """Both models at each value of each knob: the grid, ``whatif.csv`` and its chart."""
    from sim.analysis.compare_charts import whatif_chart
    from sim.analysis.whatif import whatif_grid
    from sim.reports.files import write_csv, write_figure

    seed = scenario.seed if args.seed is None else args.seed
    grid = whatif_grid(scenario, args.replications, seed, executor=executor, knobs=knobs)
    return grid, [write_csv(out_dir / "whatif.csv", grid),
                  write_figure(out_dir / "whatif.png", whatif_chart(grid, args.replications))]


def _sweep(args: argparse.Namespace) -> int:
    from sim.experiments.sweep import parse_grid, parse_labels

    grid = parse_grid(args.grid)
    labels = parse_labels(args.label, grid)
    scenario = _load(args, list(args.overrides))
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

    total = len(plan.cells) * args.replications
    with (make_executor(args.jobs, args.scheduler) as executor,
          _report_folder(args, SWEEP_FILES, "-sweep") as folder):
        with _progress(args.quiet, total, f"runs ({len(plan.cells)} cells)") as progress:
            table = run_sweep(plan, args.replications, seed=args.seed, executor=executor,
                              progress=progress)
            folder.hold_interrupts()
        executor.close()
        interrupted = bool(table.attrs["interrupted"])
        if table.empty:
            print("ccsim: interrupted before any run finished; nothing written",
                  file=sys.stderr)
            return EXIT_INTERRUPTED
        document = {**_sweep_document(table, plan, scenario), "labels": labels}
        staged = _write_sweep(table, plan, folder.path, scenario, document, labels)
        share = share_options(args)
        if share.wanted:
            from sim.reports.shared_report import sweep_report, write_shared

            staged += write_shared(folder.path, sweep_report(table, scenario, document, labels,
                                                             plan.skipped), share, staged)
        written = folder.commit(staged)
    if interrupted:
        print(f"ccsim: interrupted: {len(document['cells_run'])} of {document['cells']} cells "
              f"ran ({len(document['cells_complete'])} with every replication); sweep.json "
              'says "interrupted": true', file=sys.stderr)
    if not args.quiet:
        _print_sweep(scenario, table, len(plan.cells), interrupted, written, labels)
    return _exit_code(interrupted, folder)


def _cell_text(values: dict[str, Any], grid: dict[str, list[Any]]) -> str:
    from sim.experiments.sweep import cell_label

    return cell_label({key: values[key] for key in grid})


def _sweep_document(table: pd.DataFrame, plan: Any, scenario: Scenario) -> dict[str, Any]:
    """The content of ``sweep.json``: the grid, the cells that ran, whether interrupted."""
    replications = int(table.attrs["replications"])
    # a cell's runs: the most any figure counted (a bot's figures count none without a bot)
    ran = table.groupby("cell")["n"].max()
    return {
        "scenario": scenario.name,
        "grid": {key: [value if isinstance(value, (bool, int, float, str)) or value is None
                       else str(value) for value in values]
                 for key, values in plan.grid.items()},
        "replications": replications,
        "seed": table.attrs["seed"],
        "interrupted": bool(table.attrs["interrupted"]),
        "cells": len(plan.cells),
        "cells_run": [int(cell) for cell in ran.index.tolist()],
        "cells_complete": [int(cell) for cell in ran.index[ran >= replications]],
        "skipped": len(plan.skipped),
    }


def _write_sweep(table: pd.DataFrame, plan: Any, out_dir: Path, scenario: Scenario,
                 document: dict[str, Any], labels: dict[str, str]) -> list[Path]:
    """sweep.png, skipped.csv (if any cell was skipped), sweep.csv, then sweep.json last."""
    import pandas as pd

    from sim.reports.files import write_csv, write_figure, write_json
    from sim.reports.sweep_charts import sweep_chart
    from sim.results.figures import in_reported_units, measured_days

    level = scenario.service_level
    names = [labels.get(key, key) for key in plan.grid]
    chart = sweep_chart(table, target=level.target, threshold_s=level.threshold,
                        title=f"{scenario.name}: service level and ASA by "
                        f"{', '.join(names)} (mean of {table.attrs['replications']} "
                        "replications, 95% CI)", labels=labels)
    written = [write_figure(out_dir / "sweep.png", chart)]
    if plan.skipped:
        written.append(write_csv(out_dir / "skipped.csv", pd.DataFrame(plan.skipped)))
    written.append(write_csv(out_dir / "sweep.csv", in_reported_units(
        table, measured_days(scenario), values=["mean", "sd", "ci95"], figure_column="figure",
        rename=True)))
    written.append(write_json(out_dir / "sweep.json", document))
    return written


def _load(args: argparse.Namespace, overrides: list[str]) -> Scenario:
    """Load the scenario and refuse work too large to run (run, compare, sweep)."""
    check_environment(args.scheduler)
    if args.command == "sweep" and not args.force:
        _check_grid_size(args)
    scenario = load_checked(args.scenario, overrides, args.quiet, args.allow_outside_paths)
    if args.command in ("run", "compare"):
        check_work([(str(args.scenario), scenario)], args.replications,
                   source=str(args.scenario), force=args.force, keep_sessions=True,
                   runs_per_replication=getattr(args, "runs_per_replication", 1))
    args.jobs = usable_jobs(args.jobs, args.quiet)
    return scenario


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


def _check_sweep_work(args: argparse.Namespace, plan: Any) -> None:
    """Refuse a sweep whose cells or runs are too large (every cell's scenario counts)."""
    where = str(args.scenario)
    check_work([(f"{where} [grid cell {cell.index}]", cell.scenario) for cell in plan.cells],
               args.replications, source=where, force=args.force)


def _report_folder(args: argparse.Namespace, owned: Sequence[str],
                   suffix: str = "") -> ReportFolder:
    """The output folder of a command (``--out``, else ``out/<scenario stem><suffix>``)."""
    from sim.reports.output_folder import ReportFolder, default_out_dir

    return ReportFolder(args.out or default_out_dir(args.scenario, suffix), owned)


def _export_folder(args: argparse.Namespace) -> AbstractContextManager[ReportFolder | None]:
    """The ``--salesforce-export`` folder of ``run``, or nothing; never inside ``--out``."""
    from sim.reports.output_folder import ReportFolder, default_out_dir
    from sim.salesforce.fields import FILE_COLUMNS

    if args.salesforce_export is None:
        return nullcontext(None)
    export = Path(os.path.realpath(args.salesforce_export))
    out = Path(os.path.realpath(args.out or default_out_dir(args.scenario, "")))
    if export == out or out in export.parents or export in out.parents:
        raise ValueError(f"--salesforce-export {args.salesforce_export}: expected a folder "
                         "outside the --out folder and not holding it")
    return ReportFolder(args.salesforce_export, FILE_COLUMNS)


def _exit_code(interrupted: bool, folder: ReportFolder) -> int:
    """130 if Ctrl-C stopped the runs or came while the reports were written, else 0."""
    if folder.interrupted and not interrupted:
        print(f"ccsim: interrupted while writing the reports; they are complete in "
              f"{folder.out}/", file=sys.stderr)
    return EXIT_INTERRUPTED if interrupted or folder.interrupted else EXIT_OK


# ------------------------------------------------------------------------------- printing
@contextmanager
def _progress(quiet: bool, total: int, what: str) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr (``None`` when quiet)."""
    if quiet:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    bar = Progress("[progress.description]{task.description}", BarColumn(),
                   MofNCompleteColumn(), TimeElapsedColumn(),
                   console=Console(stderr=True), transient=True)
    task = bar.add_task(what, total=total)
    with bar:
        yield lambda done, _total: bar.update(task, completed=done)


def _print_summary(scenario: Scenario, summary: pd.DataFrame, replications: int, seed: int,
                   interrupted: bool, written: list[Path],
                   breakdowns: Sequence[Table] = (), verdict: Sequence[str] = ()) -> None:
    """The verdict, then a table of the figures by label (zero figures named in a note)."""
    from sim.results.figures import FIGURE_LABELS, in_reported_units, measured_days

    _print_verdict(verdict)
    table = _titled_table(f"{scenario.name}: {scenario.capacity_model}-based capacity, "
                          f"{_replications(replications)}, seed {seed}", interrupted)
    table.add_column("figure", overflow="fold")
    table.add_column("mean", justify="right", no_wrap=True)
    table.add_column("± 95% CI", justify="right", no_wrap=True)
    table.add_column("unit", no_wrap=True)
    shown = in_reported_units(summary, measured_days(scenario))
    zero = []
    for name, row in shown.iterrows():
        key = str(name)
        if _is_zero(row, ("mean",)):
            zero.append(FIGURE_LABELS.get(key, key))
            continue
        table.add_row(FIGURE_LABELS.get(key, key), _number(row["mean"], key),
                      _number(row["ci95"], key), _unit(key))
    _print_table(table, _zero_note(zero), written, breakdowns)


def _print_verdict(lines: Sequence[str]) -> None:
    """The command's answer, before any table."""
    for line in lines:
        print(printable(line))


def _is_zero(row: pd.Series, columns: Sequence[str]) -> bool:
    """Every one of ``columns`` is exactly zero (a figure with nothing to show)."""
    return all(float(row[column]) == 0.0 for column in columns)


def _zero_note(labels: list[str]) -> list[str]:
    """A line naming the figures left out of a table for being zero, if any."""
    if not labels:
        return []
    return [f"zero in every replication, so not shown: {', '.join(labels)}"]


CHANNEL_TABLE_FIGURES = {
    "offered": "offered",
    "service_level": "SL %",
    "asa_s": "ASA s",
    "abandonment_rate": "abandoned %",
    "handle_time_s": "handle s",
}
"""Figures of the printed per-channel table, with short headers (summary.json has more)."""

GROUP_TABLE_FIGURES = {
    "agents_online": "online",
    "agents_available": "available",
    "agents_on_break": "on break",
    "occupancy": "occup. %",
    "concurrency": "sessions/agent",
}
"""Figures of the printed per-group table (means after the warm-up, over the group's own
shift hours)."""


def _breakdown_tables(runset: Any, scenario: Scenario) -> list[Table]:
    """The per-channel and per-group tables printed after the headline figures."""
    from sim.results.breakdowns import group_totals, session_breakdown, wide

    tables = []
    if runset.sessions is not None and len(scenario.channels) > 1:
        rows = wide(session_breakdown(runset.sessions, scenario, "channel"), "channel")
        tables.append(_means_table("per channel (mean after the warm-up)", "channel", rows,
                                   CHANNEL_TABLE_FIGURES))
    if not runset.groups.empty and len(scenario.agent_groups) > 1:
        rows = wide(group_totals(runset.groups, scenario), "group")
        tables.append(_means_table("per agent group (mean over its shift hours after the "
                                   "warm-up)", "group", rows, GROUP_TABLE_FIGURES))
    return tables


def _means_table(title: str, key: str, rows: pd.DataFrame, figures: dict[str, str]) -> Table:
    """A small table: one row per ``key`` value, each figure's mean (shares in percent)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title))
    table.add_column(key, overflow="fold")
    for header in figures.values():
        table.add_column(header, justify="right", no_wrap=True)
    for _, row in rows.iterrows():
        table.add_row(Text(printable(str(row[key]))),
                      *[_number(row[name], name) for name in figures])
    return table


def _print_comparison(scenario: Scenario, comparison: pd.DataFrame, replications: int,
                      seed: int, interrupted: bool, written: list[Path],
                      verdict: Sequence[str] = (), grid: pd.DataFrame | None = None) -> None:
    """The verdict, then both models and the difference by figure label (zeros folded).

    Then the mixed center's note, and the what-if table when ``grid`` is given.
    """
    from sim.experiments.runner import mixed_center_note
    from sim.results.figures import FIGURE_LABELS, in_reported_units, measured_days

    _print_verdict(verdict)
    table = _titled_table(f"{scenario.name}: status- vs tab-based capacity, same customers, "
                          f"{_replications(replications)}, seed {seed}", interrupted)
    # The difference and its CI share a column, as in the sweep table, and the unit goes
    # with the label, so that the table fits an 80-column terminal.
    for column in ("figure (unit)", "tab", "status", "status - tab\n± 95% CI"):
        table.add_column(column, justify="left" if column.startswith("figure") else "right",
                         no_wrap=not column.startswith("figure"), overflow="fold")
    shown = in_reported_units(comparison, measured_days(scenario))
    zero = []
    for name, row in shown.iterrows():
        key = str(name)
        if _is_zero(row, ("tab_mean", "status_mean", "diff_mean")):
            zero.append(FIGURE_LABELS.get(key, key))
            continue
        difference = (f"{_number(row['diff_mean'], key, signed=True)} "
                      f"±{_number(row['diff_ci95'], key)}")
        table.add_row(f"{FIGURE_LABELS.get(key, key)} ({_unit(key)})",
                      _number(row["tab_mean"], key), _number(row["status_mean"], key),
                      difference)
    note = mixed_center_note(scenario)
    notes = [*_zero_note(zero), *([f"Note: {note}."] if note else [])]
    more = [] if grid is None else [_what_if_table(grid, replications)]
    _print_table(table, notes, written, more)


def _what_if_table(grid: pd.DataFrame, replications: int) -> Table:
    """Status - tab ± 95% CI by each criterion at each what-if value, and who is better."""
    table = _titled_table(f"What-if: status - tab ± 95% CI ({_replications(replications)} "
                          "per point; the better model where the CI says so)", False)
    from sim.analysis.whatif import knob_named

    decided = grid[grid["preferred"] != ""]
    criteria = dict(zip(decided["measure"], decided["unit"], strict=False))
    table.add_column("setting", no_wrap=True)
    for name, unit in criteria.items():
        table.add_column(f"{name} ({unit})", justify="right", no_wrap=False)
    for (knob, _), rows in grid.groupby(["knob", "value"], sort=False):
        setting = knob_named(str(knob))
        by_measure = rows.set_index("measure")
        cells = []
        for name in criteria:
            row = by_measure.loc[name]
            verdict = f" {row['preferred']}" if row["preferred"] in ("tab", "status") else ""
            cells.append(f"{row['diff']:+.3g} ±{row['ci95']:.2g}{verdict}")
        table.add_row(f"{knob} {setting.text(float(rows['value'].iloc[0]))}", *cells)
    return table


SWEEP_TABLE_FIGURES = {
    "service_level": "SL",
    "asa_s": "ASA",
    "abandonment_rate": "abandoned",
    "occupancy": "occupancy",
}
"""Figures in the printed sweep table, with short headers (sweep.csv has them all)."""


def _print_sweep(scenario: Scenario, table: pd.DataFrame, cells: int, interrupted: bool,
                 written: list[Path], labels: dict[str, str] | None = None) -> None:
    from rich.text import Text

    from sim.experiments.sweep import grid_keys, wide

    keys = grid_keys(table)
    rows = wide(table, SWEEP_TABLE_FIGURES)
    replications = table.attrs["replications"]
    result = _titled_table(f"{scenario.name}: {cells} cells x {_replications(replications)}, "
                           f"seed {table.attrs['seed']}", interrupted, fit_title=False)
    texts_by_row = [[f"{_number(row[f'{name}_mean'], name)} ±{_number(row[f'{name}_ci95'], name)}"
              for name in SWEEP_TABLE_FIGURES] for _, row in rows.iterrows()]
    short = {key: key.rsplit(".", 1)[-1] for key in keys}
    if len(set(short.values())) < len(short):
        short = {key: key for key in keys}
    short.update({key: label for key, label in (labels or {}).items() if key in short})
    for key in keys:
        # capacity_model as "capacity model", a line per word where they fit: a header
        # breaks between words, never inside one ("capacity_mo del"), and the table keeps
        # to 80 columns
        words = printable(short[key]).replace("_", " ").split() or [""]
        header = textwrap.fill(" ".join(words), width=max(map(len, words)))
        result.add_column(Text(header), overflow="fold")
    renamed = [f"{name} = {key}" for key, name in short.items() if name != key]
    for number, (name, header) in enumerate(SWEEP_TABLE_FIGURES.items()):
        unit = _unit(name)
        width = max([len(f"{header} {unit}")] + [len(texts[number]) for texts in texts_by_row])
        result.add_column(f"{header} {unit}", justify="right", no_wrap=True, min_width=width)
    complete = bool((rows["n"] == replications).all())
    if not complete:
        result.add_column("n", justify="right")
    # Column by column: a row of mixed columns would turn whole grid values into floats.
    key_texts = rows[keys].astype(str).to_numpy().tolist()
    counts = rows["n"].astype(int).astype(str).tolist()
    for values, texts, count in zip(key_texts, texts_by_row, counts, strict=True):
        result.add_row(*[Text(printable(value)) for value in values], *texts,
                       *([] if complete else [count]))
    _print_table(result, ["; ".join([*renamed, "± is the 95% CI half-width; every figure is "
                                               "in sweep.csv"])], written)


def _replications(count: int) -> str:
    return f"{count} replication{'s' if count != 1 else ''}"


def _titled_table(title: str, interrupted: bool, fit_title: bool = True) -> Table:
    """A rich table titled ``title`` (marked when interrupted), as wide as it when asked."""
    from rich.table import Table
    from rich.text import Text

    title = printable(title)  # user text: a Text, never read as rich markup
    return Table(title=Text(title + (" (INTERRUPTED)" if interrupted else "")),
                 min_width=len(title) if fit_title else None)


def _print_table(table: Table, notes: list[str], written: list[Path],
                 more: Sequence[Table] = ()) -> None:
    """Print ``table``, the ``more`` tables, the ``notes`` lines, and where the files went."""
    from rich.console import Console
    from rich.text import Text

    console = Console()
    console.print(table)
    for extra in more:
        console.print(extra)
    for line in notes:
        console.print(Text(printable(line)))
    console.print(Text(printable(f"reports written to {written[0].parent}/ "
                                 f"({len(written)} files)")))


def _number(value: Any, figure: str, signed: bool = False) -> str:
    """A figure for the table: shares as percent, counts whole, others to 3 digits."""
    number = float(value)
    if number != number:  # NaN: nothing to measure, or too few replications for a CI
        return "-"
    if _is_share(figure):
        number *= 100.0
    if abs(number) < 1e-9:  # float noise of equal values, e.g. a CI of identical pairs
        number = 0.0
    sign = "+" if signed and abs(number) > 0 else ""
    if abs(number) >= 1e6:  # e.g. stranded seconds over a campaign: keep the column narrow
        return f"{number:{sign}.3g}"
    if abs(number) >= 100 or number == round(number):
        return f"{number:{sign},.0f}"
    if abs(number) >= 1:
        return f"{number:{sign}.2f}"
    return f"{number:{sign}.3g}"


def _is_share(figure: str) -> bool:
    """Shares (0-1) are printed as percentages."""
    from sim.results.figures import FIGURE_UNITS

    return FIGURE_UNITS.get(figure) == "share"


def _unit(figure: str) -> str:
    """The unit a figure is printed in (``%`` for shares, hours per day for totals)."""
    from sim.results.figures import reported_unit

    return "%" if _is_share(figure) else reported_unit(figure)
