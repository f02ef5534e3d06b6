"""The ``ccsim staff`` subcommand: staffing requirements per interval for both models.

Registered from ``sim/cli.py`` with::

    from sim.cli.staff import add_staff_command
    add_staff_command(subparsers)   # sets handler=run_staff on the parser

Errors propagate to :func:`sim.cli.main.main`, which prints them as one ``ccsim: error:`` line
(scenario problems: one line per problem, as for the other subcommands) with exit code 2.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sim.cli.common import (
    add_safety_options,
    add_share_options,
    check_environment,
    check_output_file,
    check_work,
    exit_code,
    load_checked,
    positive_int,
    report_folder,
    say,
    seed_number,
    share_options,
    usable_jobs,
)
from sim.scenario.units import parse_duration
from sim.scenario.user_text import printable
from sim.staffing.shift_cover import ShiftTemplate

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario
    from sim.staffing.goals import StaffingGoals
    from sim.staffing.group_search import GroupStaffingResult
    from sim.staffing.plan import StaffingOptions
    from sim.staffing.report import StaffingReport

GROUP_HELP = (
    "agent groups whose per-interval staffing is searched, comma separated (default: every "
    "group with shifts or staffing); any other group keeps its agents"
)

DEFAULT_REPLICATIONS = 6
"""``--replications`` when not given (without ``--days``, or when it needs no more)."""

SHRINKAGE_HELP = (
    "share of paid time off the queues (breaks, training): one share such as 30%%, one "
    "per interval (30%%,25%%,...), or a CSV column FILE.csv[:COLUMN] with one row per "
    "interval (column 'shrinkage' by default; a regular file inside the scenario's "
    "folder, as arrival CSVs); scheduled = online / (1 - shrinkage) "
    "(default: 0)"
)


DAYS_HELP = (
    "hold every goal on at least this share of days, e.g. 90%%: each replication is one "
    "day (its own volume when arrival_scale is a distribution) and every interval must "
    "meet all goals on that share of them, not on their mean (default: on the mean); "
    "needs enough replications for a day to miss (10 for 90%%, 20 for 95%%)"
)


def add_staff_command(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``staff`` to a CLI's subparsers; its ``handler`` default is :func:`run_staff`."""
    parser = subparsers.add_parser(
        "staff",
        help="agents needed per interval (Erlang baseline + simulation, both capacity models)",
        description="Staffing requirements per reporting interval: an Erlang C/A baseline, "
        "then an iterative simulation search (Feldman, Mandelbaum, Massey & Whitt 2008) "
        "under tab-based and status-based capacity on the same customers, verified with "
        "confidence intervals, with the verified result of one agent fewer per interval and "
        "group. Every queue meets its own goals (queues[].service_level, max_asa, "
        "max_abandon in the scenario, else the options below); every group with shifts is "
        "staffed (--group). Writes staffing.csv (per interval and group), "
        "staffing_queues.csv (per interval and queue), staffing.json and PNG charts; "
        "--write-scenario writes the answer as a scenario that runs as is.",
    )
    parser.add_argument("scenario", metavar="SCENARIO", type=Path, help="scenario YAML file")
    goals = parser.add_argument_group(
        "goals of every queue without its own (every interval must meet all)")
    goals.add_argument("--target", metavar="SL/THRESHOLD",
                       help="service level, e.g. 80/60s (80%% answered within 60 s)")
    goals.add_argument("--max-asa", metavar="TIME", help="largest average speed of answer, "
                       "e.g. 30s")
    goals.add_argument("--max-abandon", metavar="SHARE",
                       help="largest abandonment rate, e.g. 5%%")
    goals.add_argument("--max-response", metavar="TIME",
                       help="largest mean agent response time to a customer message, "
                       "e.g. 2m (by the interval the customer wrote in)")
    goals.add_argument("--max-occupancy", metavar="SHARE", help="largest occupancy, e.g. 85%%")
    goals.add_argument("--shrinkage", default="0", metavar="SHARE", help=SHRINKAGE_HELP)
    goals.add_argument("--days", metavar="SHARE", help=DAYS_HELP)
    parser.add_argument("--group", metavar="NAME[,NAME]", help=GROUP_HELP)
    parser.add_argument("--write-scenario", type=Path, metavar="FILE.yaml",
                        help="also write the answer as a scenario: each staffed group's "
                        "online agents per interval (staffing lists) under the scenario's "
                        "capacity model (the first staffed model if it was skipped)")
    parser.add_argument("--models", default="tab,status", metavar="M1,M2",
                        help="capacity models, comma separated (default: tab,status)")
    parser.add_argument("--replications", "-r", type=positive_int, default=None, metavar="N",
                        help="replications per lowering iteration, half as many while "
                        "raising (default: 6, at least 2; with --days at least those for "
                        "a day to miss, all of them while raising)")
    parser.add_argument("--verify-replications", type=positive_int, default=None,
                        metavar="N", help="replications of the verification run "
                        "(default: 2 x --replications)")
    parser.add_argument("--max-iterations", type=positive_int, default=20, metavar="N",
                        help="search iterations at most (default: 20)")
    parser.add_argument("--seed", type=seed_number, metavar="S",
                        help="root random seed (default: the scenario's seed)")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="output directory (default: out/<scenario file name>-staffing)")
    parser.add_argument("--jobs", "-j", type=positive_int, default=1, metavar="N",
                        help="worker processes (default: 1, serial); results are identical")
    parser.add_argument("--scheduler", metavar="ADDR",
                        help="address of a Dask distributed scheduler to run on instead of "
                        "local processes (default: $CCSIM_SCHEDULER if set)")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="KEY.PATH=VALUE",
                        help="override a scenario value, e.g. arrival_scale=1.2 "
                        "(repeatable; validated like the file)")
    parser.add_argument("--shift", action="append", default=[], metavar="START/LENGTH",
                        help="shift template for the covering, e.g. 7h/8h (repeatable; "
                        "default: each staffed group's own shifts)")
    parser.add_argument("--extra-replications", action="store_true",
                        help="give the one-agent-fewer runs whose 95%% CI straddles a goal "
                        "twice the verification's replications (more clear decisions, "
                        "about 30%% more runs)")
    parser.add_argument("--no-curve", action="store_true",
                        help="skip the service level vs agents simulation")
    parser.add_argument("--quiet", "-q", action="store_true",
                        help="no progress lines, results or warnings")
    add_share_options(parser)
    add_safety_options(parser)
    parser.set_defaults(handler=run_staff)
    return parser


def parse_shift(text: str, interval_s: float, horizon_s: float | None = None) -> ShiftTemplate:
    """``'7h/8h'`` -> ``(start_interval, length_intervals)`` for the given interval.

    Raises:
        ValueError: Naming ``--shift`` and its text, for a malformed shift, a start that is
            negative, not finite or (given ``horizon_s``) not before the horizon, or a
            length that is not greater than 0 or not finite.
    """
    shown = repr(text if len(text) <= 40 else text[:37] + "...")
    allowed = "START/LENGTH such as 7h/8h (a start from 0 before the horizon, a length above 0)"
    start_text, _, length_text = text.partition("/")
    try:
        start, length = parse_duration(start_text), parse_duration(length_text)
    except ValueError:
        raise ValueError(f"--shift {shown}: expected {allowed}") from None
    horizon = horizon_s if horizon_s is not None else math.inf
    if not (math.isfinite(length) and 0 < length <= 366 * 86400.0):
        raise ValueError(f"--shift {shown}: the length must be greater than 0 (and at most "
                         f"366 days); expected {allowed}")
    if not (math.isfinite(start) and 0 <= start < horizon):
        raise ValueError(f"--shift {shown}: the start is outside the horizon; expected {allowed}")
    return (int(start // interval_s), max(1, round(length / interval_s)))


def parse_shrinkage(text: str, n_intervals: int, scenario_folder: Path | None = None,
                    allow_outside: bool | None = None) -> str | tuple[float, ...]:
    """``--shrinkage``: one share (returned as text), a comma list or a CSV column.

    The CSV file (relative to the working folder) is read under the rules of arrival CSV
    files: inside ``scenario_folder`` unless ``allow_outside`` (``--allow-outside-paths``,
    by default ``$CCSIM_ALLOW_OUTSIDE_PATHS``), a regular file (never a FIFO or a device) of
    at most 50 MB.

    Raises:
        ValueError: naming ``--shrinkage``: a share out of [0, 1), a list or column of
            another length than the intervals, a file outside the scenario's folder, not
            a regular file, too large or unreadable, or a missing column.
    """
    from sim.staffing.plan import parse_fraction

    shown = repr(text if len(text) <= 40 else text[:37] + "...")
    allowed = ("a share from 0 up to 100% (30%), one per interval (30%,25%,...) or "
               "FILE.csv[:COLUMN]")
    path_text, _, column = text.partition(":")
    if path_text.lower().endswith(".csv"):
        import pandas as pd

        from sim.scenario.loading import confined_path, read_csv_input

        column = column or "shrinkage"
        try:
            path = Path(path_text) if scenario_folder is None else confined_path(
                scenario_folder, str(Path(path_text).absolute()), allow_outside)
            content = read_csv_input(path, found_in="(relative to the working folder)")
        except ValueError as error:
            raise ValueError(f"--shrinkage {shown}: {error}") from None
        try:
            table = pd.read_csv(io.StringIO(content))
        except (ValueError, csv.Error) as error:  # pandas' ParserError is a ValueError
            raise ValueError(f"--shrinkage {shown}: cannot read {path_text} as CSV "
                             f"({type(error).__name__}); expected a CSV file with a header "
                             "row") from None
        if column not in table.columns:
            raise ValueError(f"--shrinkage {shown}: {path_text} has no column {column!r} "
                             f"(columns: {', '.join(map(str, table.columns))})")
        items = [str(value) for value in table[column].tolist()]
        where = f"{path_text}:{column}"
    elif "," in text:
        items, where = [item.strip() for item in text.split(",")], "the list"
    else:
        return text
    try:
        shares = tuple(parse_fraction(item) for item in items)
    except ValueError:
        raise ValueError(f"--shrinkage {shown}: expected {allowed}") from None
    bad = [index for index, share in enumerate(shares) if not 0 <= share < 1]
    if bad:
        raise ValueError(f"--shrinkage {shown}: row {bad[0] + 1} of {where} is not a share "
                         f"from 0 up to 100%")
    if len(shares) != n_intervals:
        raise ValueError(f"--shrinkage {shown}: {len(shares)} shares in {where} for "
                         f"{n_intervals} reporting intervals; give one per interval")
    return shares


def default_replications(requested: int | None, days: float | None, quiet: bool) -> int:
    """``--replications`` as given, else 6, or with ``--days`` enough for a day to miss.

    Says so (a ``ccsim: note:`` line, unless ``quiet``) when ``--days`` raised the default.
    """
    from sim.staffing.plan import days_replications

    if requested is not None:
        return requested
    if days is None or days_replications(days) <= DEFAULT_REPLICATIONS:
        return DEFAULT_REPLICATIONS
    needed = days_replications(days)
    if not quiet:
        say(f"ccsim: note: --days {days:.0%} needs at least {needed} replications for a day "
            f"to miss; using --replications {needed}")
    return needed


def note_fixed_volume(scenario: Scenario) -> None:
    """A ``ccsim: note:`` line when ``arrival_scale`` does not vary from day to day."""
    from sim.scenario.day_volume import varies_by_day

    if not varies_by_day(scenario.arrival_scale):
        say("ccsim: note: --days: arrival_scale is a fixed number, so the volume does not "
            "vary by day; days differ only by chance (give arrival_scale a distribution, "
            "e.g. {kind: lognormal, mean: 1, sd: 0.1}, for day-to-day volume)")


def run_staff(args: argparse.Namespace) -> int:
    """Run ``ccsim staff``; returns the exit status (errors are raised, see the module)."""
    days, models = parse_staff_options(args)
    request = check_staff_request(args, days, models)
    return run_staff_request(args, request)


@dataclass(frozen=True)
class StaffRequest:
    """A ``ccsim staff`` command line, parsed and checked: ready to run.

    Attributes:
        scenario: the loaded scenario (``--set`` applied).
        goals: the goals of every queue without its own (``--target`` ...).
        options: how to search: replications, ``--models``, ``--group``, ``--shift`` ...
    """

    scenario: Scenario
    goals: StaffingGoals
    options: StaffingOptions


def parse_staff_options(args: argparse.Namespace) -> tuple[float | None, list[str]]:
    """The options read before any file: ``(--days as a share or None, --models)``.

    Raises:
        ValueError: fewer than 2 ``--replications``, a malformed ``--days``, an unknown
            or no capacity model.
    """
    from sim.staffing.plan import CAPACITY_MODEL_NAMES, parse_days

    if args.replications is not None and args.replications < 2:
        raise ValueError("--replications must be at least 2 for confidence intervals")
    days = parse_days(args.days) if args.days is not None else None  # before any loading
    models = [model.strip() for model in args.models.split(",") if model.strip()]
    unknown = [model for model in models if model not in CAPACITY_MODEL_NAMES]
    if unknown or not models:
        raise ValueError(f"unknown capacity model(s) {', '.join(unknown) or '(none)'}; "
                         f"choose from {', '.join(CAPACITY_MODEL_NAMES)}")
    return days, models


def check_staff_request(args: argparse.Namespace, days: float | None,
                        models: list[str]) -> StaffRequest:
    """Load the scenario and check every option against it, before any run.

    Sets ``args.replications`` (the default for ``--days``), ``args.max_iterations``
    (within the work limits) and ``args.jobs`` (within the CPUs).

    Raises:
        ScenarioError: scenario problems or work over the limits.
        ValueError: a bad goal, ``--shrinkage``, ``--group``, ``--write-scenario`` or
            ``--shift``, or too few replications for the goals.
    """
    from sim.staffing.plan import (
        StaffingGoals,
        StaffingOptions,
        check_replications,
        queue_goals,
        staffed_groups,
    )

    check_environment(args.scheduler)
    scenario = load_checked(args.scenario, args.overrides, args.quiet, args.allow_outside_paths)
    shrinkage = parse_shrinkage(args.shrinkage, scenario.n_intervals,
                                args.scenario.parent, args.allow_outside_paths or None)
    goals = StaffingGoals.parse(args.target, args.max_asa, args.max_abandon, shrinkage,
                                args.max_occupancy, days, args.max_response)
    args.replications = default_replications(args.replications, days, args.quiet)
    check_replications(goals, args.replications,
                       args.verify_replications or 2 * args.replications)
    if days is not None and not args.quiet:
        note_fixed_volume(scenario)
    groups = [name.strip() for name in (args.group or "").split(",") if name.strip()]
    chosen = staffed_groups(scenario, groups or None)  # a bad --group fails before any run
    queue_goals(scenario, goals)  # so does a queue without a goal
    if args.write_scenario is not None:
        _check_scenario_file(args)
    _check_staff_work(args, scenario, len(models), len(chosen))
    args.jobs = usable_jobs(args.jobs, args.quiet)
    templates = [parse_shift(text, scenario.interval, scenario.horizon)
                 for text in args.shift] or None
    options = StaffingOptions(
        replications=args.replications, seed=args.seed, models=models,
        max_iterations=args.max_iterations,
        verification_replications=args.verify_replications, curve=not args.no_curve,
        shift_templates=templates, groups=chosen, extend_unclear=args.extra_replications)
    return StaffRequest(scenario, goals, options)


def _check_scenario_file(args: argparse.Namespace) -> None:
    """``--write-scenario``: a file in an existing folder, none of the command's inputs."""
    target = args.write_scenario
    if not target.parent.is_dir() or target.is_dir():
        raise ValueError(f"--write-scenario {printable(str(target))}: expected a file in "
                         "an existing directory")
    check_output_file(target, "--write-scenario", _input_files(args))


def _check_staff_work(args: argparse.Namespace, scenario: Scenario, models: int,
                      groups: int) -> None:
    """Cap ``args.max_iterations`` within the work limits, then refuse work still over them."""
    verify = args.verify_replications or 2 * args.replications
    # Per model, at most: every step the day and a probe per group; the verification the
    # day and two probes per group (doubled with --extra-replications).
    verification = (1 + 2 * groups) * -(-verify // args.replications) * (
        2 if args.extra_replications else 1)

    def runs(iterations: int) -> int:
        return models * (iterations * (1 + groups) + verification)

    checked = [(str(args.scenario), scenario)]
    args.max_iterations = iterations_within_limits(
        checked, args.replications, runs, args.max_iterations, force=args.force,
        quiet=args.quiet)
    check_work(checked, args.replications, source=str(args.scenario), force=args.force,
               runs_per_replication=runs(args.max_iterations))


def run_staff_request(args: argparse.Namespace, request: StaffRequest) -> int:
    """Search the staffing, write the report files (and the staffed scenario), print them."""
    from sim.experiments.executors import make_executor
    from sim.reports.shared_report import SHARED_FILES, staffing_report, write_shared
    from sim.reports.staffing_files import STAFFING_FILES, write_staffed_scenario, write_staffing
    from sim.staffing.plan import staff

    share = share_options(args)
    out = report_folder(args, (*STAFFING_FILES, *SHARED_FILES), "-staffing")
    with make_executor(args.jobs, args.scheduler) as executor, out as folder:  # one executor
        report = staff(request.scenario, request.goals, request.options, executor=executor,
                       log=None if args.quiet else _log)
        folder.hold_interrupts()  # from here a Ctrl-C no longer loses the results
        executor.close()
        staged = write_staffing(report, folder.path)
        if share.wanted:
            for path in write_shared(folder.path, staffing_report(report), share,
                                     list(staged.values())):
                staged[path.suffix.lstrip(".")] = path  # "xlsx", "html"
        written = dict(zip(staged, folder.commit(staged.values()), strict=True))
    scenario_file = (write_staffed_scenario(report, args.write_scenario, args.seed)
                     if args.write_scenario else None)
    if not args.quiet:
        _print_report(report, written, scenario_file)
    return exit_code(False, folder)


def iterations_within_limits(scenarios: list[tuple[str, Scenario]], replications: int,
                             runs: Callable[[int], int], requested: int, *, force: bool,
                             quiet: bool) -> int:
    """The search iterations to allow: ``requested``, or as many as the work limits allow.

    ``--max-iterations`` is a cap, not runs that will happen (the search stops when it has
    settled): a cap above what the limits allow is lowered to that (with a note) instead of
    refusing the command; a search whose first iteration is already too large is left to
    :func:`check_work` to refuse.

    Args:
        scenarios: the scenario, as :func:`check_work` takes it.
        replications: replications per run.
        runs: simulation runs per replication for a number of iterations.
        requested: ``--max-iterations``.
        force: ``--force`` (no limits).
        quiet: no note.
    """
    from sim.scenario.workload_limits import run_problems

    def fits(iterations: int) -> bool:
        return not run_problems(scenarios, replications, source=scenarios[0][0],
                                runs_per_replication=runs(iterations))

    if force or fits(requested) or not fits(1):
        return requested if force or fits(requested) else 1
    low, high = 1, requested  # fits(low), not fits(high)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    if not quiet:
        say(f"ccsim: note: --max-iterations {requested:,}: the work limits allow {low:,} "
            "search iterations; the search stops there if it has not settled (--force lifts "
            "the limits)")
    return low


def _input_files(args: argparse.Namespace) -> list[Path]:
    """What ``ccsim staff`` reads: the scenario, its arrival CSV files, a shrinkage CSV."""
    from sim.scenario.loading import arrival_csv_paths, load_raw

    files = [args.scenario, *arrival_csv_paths(load_raw(args.scenario), args.scenario.parent)]
    path_text = args.shrinkage.partition(":")[0]
    if path_text.lower().endswith(".csv"):
        files.append(Path(path_text))
    return files


def _log(line: str) -> None:
    print(printable(line), file=sys.stderr, flush=True)


def days_text(report: StaffingReport, result: GroupStaffingResult,
              missing: list[str]) -> str:
    """On a share of days: where the goals hold on it, and the lowest share of days met."""
    import numpy as np

    share = result.share_of_days()
    lowest = int(np.argmin(share))
    held = (f"every queue meets its goals on at least {result.days:.0%} of days in every "
            "interval" if not missing else
            f"goals held on fewer than {result.days:.0%} of days in the intervals starting "
            f"{', '.join(missing)}")
    return (f"{held} (verification: {result.estimates.replications} days; lowest share "
            f"{share[lowest]:.0%} at {report.clock(lowest * report.scenario.interval)})")


def certainty_text(report: StaffingReport, result: GroupStaffingResult) -> str:
    """How sure the answer is: intervals within noise, the lowest chance a day meets."""
    import numpy as np

    noise = result.within_noise()
    share = result.share_of_days()
    lowest = int(np.argmin(share))
    return (f"{int(noise.sum())} of {len(noise)} intervals within noise (the 95% CI of a "
            "queue's figure straddles its goal); chance a day meets every goal: lowest "
            f"{share[lowest]:.0%} at {report.clock(lowest * report.scenario.interval)}, "
            f"median {float(np.median(share)):.0%} (staffing.csv days_met_*)")


def _print_report(report: StaffingReport, written: dict[str, Path],
                  scenario_file: Path | None) -> None:
    """The results in a few lines: agent-hours per model and group, shifts, effort, files."""
    import numpy as np

    from sim.reports.verdict import staffing_verdict

    for line in staffing_verdict(report):  # the answer first
        print(printable(line))
    fixed = report.fixed_groups
    print(printable(f"{report.scenario.name}: staffing agent group(s) {report.group}"
                    + (f" ({', '.join(fixed)} keep their agents)" if fixed else "")
                    + f"; goals: {report.goals.describe() or 'per queue'}"))
    from sim.staffing.skill_sets import separate_skill_sets

    skill_rows = {skill_set.name for skill_set in separate_skill_sets(report.scenario)}
    for queue, goals in report.per_queue.items():  # a skill set's row is named "skills ..."
        named = queue if queue in skill_rows else f"queue {queue}"
        print(printable(f"  {named}: {goals.describe()}"))
    for what, reason in report.skipped.items():
        print(printable(f"{what}: skipped ({reason})"))
    for model, result in report.results.items():
        missing = [report.clock(i * report.scenario.interval)
                   for i in np.flatnonzero(~result.meets())]
        met = ("every queue meets its goals in every interval" if not missing
               else f"goals missed in the intervals starting {', '.join(missing)}")
        if result.days is not None:
            met = days_text(report, result, missing)
        groups = ", ".join(f"{name} {hours:.1f}"
                           for name, hours in result.group_agent_hours().items())
        breaks = result.breaks_with_one_fewer().sum(axis=1)
        fewer = ", ".join(f"{name} {int(count)}/{int((row > 0).sum())}" for name, count, row
                          in zip(result.groups, breaks, result.required, strict=True))
        paid = report.paid_hours(model)
        pays = (f"; the shift plan pays {sum(paid.values()):.1f} agent-hours (surplus "
                f"{sum(report.surplus_hours(model).values()):.1f})" if paid else "")
        print(printable(f"{model}: {result.agent_hours:.1f} scheduled agent-hours required "
                        f"({groups}){pays}, peak {int(result.scheduled.sum(axis=0).max())} "
                        f"agents, {result.iterations} steps; goals judged "
                        f"{report.judged_on(model)}: {met}; one agent fewer misses a goal "
                        f"in {fewer} staffed intervals"))
        print(printable(f"{model}: {certainty_text(report, result)}"))
        if report.scenario.horizon > 86400.0 + 1e-6:
            days = "; ".join(f"{day} {hours['required']:.1f}"
                             + (f" / {hours['paid']:.1f}" if paid else "")
                             for day, hours in report.day_hours(model).items())
            print(printable(f"{model}: agent-hours per day, required"
                            + (" / paid by the shift plan" if paid else "") + f": {days}"))
        carried = "; ".join(f"{name} {', '.join(spans) or 'none'}"
                            for name, spans in report.carried(model).items())
        print(printable(f"{model}: groups carry the intervals {carried}"))
        for line in result.out_of_reach_lines(report.clock):
            print(printable(f"{model}: {line}"))
    difference = report.agent_hours_difference()
    if difference is not None:
        print(f"status - tab: {difference:+.1f} agent-hours")
    for model, plans in report.group_shifts.items():
        for name, counts in plans.items():
            pairs = ", ".join(f"{label}: {count}" for label, count in zip(
                report.shift_labels(name), counts, strict=True))
            print(printable(f"{model} {name} agents per shift: {pairs}"))
        if model in report.shift_estimates:
            missing = report.shift_plan_missing(model)
            print(printable(f"{model}: the shift plan, simulated with its breaks: "
                            + (f"goals missed in the intervals starting {', '.join(missing)}"
                               if missing else "every queue meets its goals in every "
                               "interval")))
    print(f"simulated {report.simulated_days:.1f} days ({report.simulated_runs} runs) in "
          f"{report.runtime_s:.1f}s")
    print(printable(f"wrote {len(written)} files to {next(iter(written.values())).parent}/"))
    if scenario_file is not None:
        print(printable(f"wrote the staffed scenario to {scenario_file}"))
