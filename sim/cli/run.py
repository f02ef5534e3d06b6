"""The commands ``ccsim run``, ``ccsim compare`` and ``ccsim validate``.

:func:`add_run_commands` and :func:`add_validate_command` add them to the ``ccsim`` parser
(:func:`sim.cli.main.build_parser`); errors propagate to :func:`sim.cli.main.main`, which
prints them as one line with exit code 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from sim.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    add_run_options,
    add_safety_options,
    check_environment,
    check_work,
    exit_code,
    load_checked,
    report_folder,
    say,
    share_options,
    usable_jobs,
)
from sim.cli.tables import breakdown_tables, print_comparison, print_summary, progress_bar
from sim.model.capacity import CAPACITY_MODEL_NAMES
from sim.scenario.user_text import printable

if TYPE_CHECKING:
    import pandas as pd

    from sim.analysis.whatif import Knob
    from sim.experiments.executors import Executor
    from sim.reports.output_folder import ReportFolder
    from sim.scenario.schema import Scenario

RUN_FILES = ("intervals.csv", "groups.csv", "sessions.parquet", "sessions.csv", "agents.csv",
             "arrivals_throughput.png", "wait_times.png", "service_level.png", "occupancy.png",
             "summary.json", "report.xlsx", "report.html")
"""Every file ``ccsim run`` may write (a new run replaces all of them, keeps the others)."""

COMPARISON_FILES = ("comparison.csv", "comparison_service_level.png",
                    "comparison_differences.png", "comparison.json", "report.xlsx",
                    "report.html", "whatif.csv", "whatif.png")
"""Every file ``ccsim compare`` may write."""


def add_run_commands(commands: argparse._SubParsersAction) -> None:
    """Add ``run`` and ``compare`` to the ``ccsim`` subcommands."""
    run = commands.add_parser(
        "run", help="run a scenario and write reports",
        description="Run replications of a scenario, print a summary table and write the "
        "report files (summary.json, intervals.csv, sessions, agents.csv, charts).",
    )
    add_run_options(run)
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
    add_run_options(compare,
                    out_help="output directory (default: out/<scenario file name>-compare)")
    compare.add_argument(
        "--what-if", dest="what_if", action="append", default=[], metavar="KNOB",
        help="also compare the models as one setting changes, for every channel or group: "
        "'response patience' (customers' mean patience for a reply: 2, 10, 30, 120 min), "
        "'disconnections', 'close-tab delay' or 'silent customers' (repeatable; writes "
        "whatif.csv and whatif.png)")
    compare.set_defaults(handler=_compare)


def add_validate_command(commands: argparse._SubParsersAction) -> None:
    """Add ``validate`` to the ``ccsim`` subcommands."""
    validate = commands.add_parser(
        "validate", help="check scenario files",
        description="Check scenario files against the schema and sanity rules, "
        "without running them. Exit code 2 if any file has a problem.",
    )
    validate.add_argument("scenarios", nargs="+", metavar="SCENARIO", type=Path,
                          help="scenario YAML files")
    add_safety_options(validate, force=False)
    validate.set_defaults(handler=_validate)


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
          report_folder(args, RUN_FILES) as folder,
          _export_folder(args) as export_folder):
        with progress_bar(args.quiet, args.replications, "replications") as progress:
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

        print_summary(scenario, runset.summary(), runset.replications, runset.seed,
                      runset.interrupted, written, breakdown_tables(runset, scenario),
                      runset_verdict(runset, scenario))
    return exit_code(runset.interrupted, folder)


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
          report_folder(args, COMPARISON_FILES, "-compare") as folder):
        with progress_bar(args.quiet, 2 * args.replications, "runs (both models)") as progress:
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

        print_comparison(scenario, comparison.table, comparison.replications,
                         comparison.tab.seed, comparison.interrupted, written,
                         comparison_verdict(comparison.table, scenario), grid)
    return exit_code(comparison.interrupted, folder)


def _what_if_knobs(names: list[str]) -> list[Knob]:
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


def _what_if(scenario: Scenario, knobs: list[Knob], args: argparse.Namespace,
             executor: Executor, out_dir: Path) -> tuple[pd.DataFrame, list[Path]]:
    """Both models at each value of each knob: the grid, ``whatif.csv`` and its chart."""
    from sim.analysis.compare_charts import whatif_chart
    from sim.analysis.whatif import whatif_grid
    from sim.reports.files import write_csv, write_figure

    seed = scenario.seed if args.seed is None else args.seed
    grid = whatif_grid(scenario, args.replications, seed, executor=executor, knobs=knobs)
    return grid, [write_csv(out_dir / "whatif.csv", grid),
                  write_figure(out_dir / "whatif.png", whatif_chart(grid, args.replications))]


def _load(args: argparse.Namespace, overrides: list[str]) -> Scenario:
    """Load the scenario and refuse work too large to run (run, compare)."""
    check_environment(args.scheduler)
    scenario = load_checked(args.scenario, overrides, args.quiet, args.allow_outside_paths)
    check_work([(str(args.scenario), scenario)], args.replications,
               source=str(args.scenario), force=args.force, keep_sessions=True,
               runs_per_replication=getattr(args, "runs_per_replication", 1))
    args.jobs = usable_jobs(args.jobs, args.quiet)
    return scenario


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

