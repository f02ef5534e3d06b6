"""What the ``ccsim`` subcommands share: exit codes, options, loading, the output folder."""

from __future__ import annotations

import argparse
import math
import os
import stat
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sim.scenario.user_text import printable

if TYPE_CHECKING:
    from sim.reports.output_folder import ReportFolder
    from sim.reports.shared_report import ShareOptions
    from sim.scenario.schema import Scenario

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 1


def whole_number(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            shown = printable(text if len(text) <= 40 else text[:37] + "...")
            raise argparse.ArgumentTypeError(
                f"expected a whole number, found {shown!r}"
            ) from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected at least {minimum}, found {value}")
        return value

    return parse


positive_int = whole_number(1)
"""Replications, jobs, iterations."""

seed_number = whole_number(0)
"""A root random seed."""


def load_checked(path: Path, overrides: Sequence[str], quiet: bool,
                 allow_outside_paths: bool | None = None) -> Scenario:
    """Load and validate a scenario; print its sanity warnings unless ``quiet``.

    ``allow_outside_paths`` lets arrival CSV files lie outside the scenario's folder
    (``--allow-outside-paths``; by default ``$CCSIM_ALLOW_OUTSIDE_PATHS``).
    """
    from sim.scenario.loading import load_scenario, scenario_warnings

    scenario = load_scenario(path, overrides, allow_outside_paths=allow_outside_paths or None)
    if not quiet:
        for warning in scenario_warnings(scenario):
            say(f"{path}: warning: {warning}")
    return scenario


def check_output_file(path: Path, option: str, inputs: Iterable[Path]) -> None:
    """Refuse an output file that would replace one of the command's inputs or a non-file.

    The writers replace their file by a rename, which would turn a device node, a FIFO or a
    socket into a regular file, and overwrite an input read moments before. Symbolic links
    are followed, and an input is recognised by its device and inode (a hard link or another
    spelling of the same path is the same file).

    Args:
        path: The file to write; it may not exist yet.
        option: The option that named it (``--out``), for the message.
        inputs: The files the command reads (missing ones are skipped).

    Raises:
        ValueError: One line naming the option, the path and what is allowed.
    """
    from sim.scenario.yaml_input import file_kind

    shown = printable(str(path))
    allowed = "expected a new file, or a regular file that the command does not read"
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return  # a new file (or a dangling link, which the rename replaces)
    except OSError as error:
        raise ValueError(f"{option} {shown}: cannot check it ({error.strerror}); "
                         f"{allowed}") from None
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(f"{option} {shown}: is {file_kind(info.st_mode)}, not a regular "
                         f"file; {allowed}")
    for source in inputs:
        try:
            same = os.path.samefile(path, source)
        except OSError:
            continue
        if same:
            raise ValueError(f"{option} {shown}: is {printable(str(source))}, one of the "
                             f"command's inputs; {allowed}")


def say(line: str) -> None:
    """Print one line of user-facing text on stderr, control characters escaped."""
    print(printable(line), file=sys.stderr)


def add_safety_options(parser: argparse.ArgumentParser, *, force: bool = True) -> None:
    """``--allow-outside-paths`` and (for commands that run) ``--force``."""
    parser.add_argument("--allow-outside-paths", action="store_true",
                        help="let arrival (and --shrinkage) CSV files lie outside the "
                        "scenario's folder "
                        "(absolute paths or ..; also CCSIM_ALLOW_OUTSIDE_PATHS=1)")
    if force:
        parser.add_argument("--force", action="store_true",
                            help="run even when the estimated work (sessions, messages, "
                            "agents, runs, memory) is over ccsim's limits")


def add_share_options(parser: argparse.ArgumentParser) -> None:
    """``--xlsx`` and ``--html``: the reports to share, written with the others."""
    parser.add_argument("--xlsx", action="store_true",
                        help="also write report.xlsx: one Excel workbook with a summary "
                        "sheet (figure, label, unit, numbers), every table (units in the "
                        "headers) and the run settings")
    parser.add_argument("--html", action="store_true",
                        help="also write report.html: one self-contained page (charts "
                        "embedded, tables, the scenario's description, run settings; no "
                        "external files or network)")


def share_options(args: argparse.Namespace) -> ShareOptions:
    """The ``--xlsx``/``--html`` choice of a command, with its command line to show."""
    import shlex

    from sim.reports.shared_report import ShareOptions

    argv = getattr(args, "argv", None)
    words = list(argv) if argv is not None else sys.argv[1:]
    return ShareOptions(xlsx=bool(getattr(args, "xlsx", False)),
                        html=bool(getattr(args, "html", False)),
                        command=printable(shlex.join(["ccsim", *map(str, words)])))


def usable_jobs(jobs: int, quiet: bool) -> int:
    """``jobs`` capped at this machine's CPUs (with a note on stderr unless ``quiet``)."""
    cpus = os.cpu_count() or 1
    if jobs <= cpus:
        return jobs
    if not quiet:
        say(f"ccsim: note: --jobs {jobs} is more than the {cpus} CPUs here; using {cpus}")
    return cpus


def check_environment(scheduler: str | None) -> None:
    """Refuse a bad ``CCSIM_SCHEDULER_TIMEOUT`` before anything starts (when it is used)."""
    from sim.experiments.executors import scheduler_address

    text = os.environ.get(SCHEDULER_TIMEOUT_ENV)
    if text is None or scheduler_address(scheduler) is None:
        return
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (0 < value <= 86400):
        raise ValueError(f"{SCHEDULER_TIMEOUT_ENV}={printable(text)[:40]}: expected a number "
                         "of seconds greater than 0 (at most 86400), e.g. 10")


SCHEDULER_TIMEOUT_ENV = "CCSIM_SCHEDULER_TIMEOUT"


def check_work(scenarios: Sequence[tuple[str, Scenario]], replications: int, *, source: str,
               force: bool, runs_per_replication: int = 1, keep_sessions: bool = False,
               option: str = "--replications") -> None:
    """Refuse work too large to run (see :mod:`sim.scenario.workload_limits`) unless forced.

    Raises:
        ScenarioError: One line per excess, naming the key or option and the limit.
    """
    if force:
        return
    from sim.scenario.loading import ScenarioError
    from sim.scenario.workload_limits import run_problems

    problems = run_problems(scenarios, replications, source=source,
                            runs_per_replication=runs_per_replication,
                            keep_sessions=keep_sessions, option=option)
    if problems:
        raise ScenarioError(problems)


def add_run_options(parser: argparse.ArgumentParser, out_help: str | None = None) -> None:
    """The scenario and the options of the commands that run it (run, compare, sweep)."""
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


def report_folder(args: argparse.Namespace, owned: Sequence[str],
                  suffix: str = "") -> ReportFolder:
    """The output folder of a command (``--out``, else ``out/<scenario stem><suffix>``)."""
    from sim.reports.output_folder import ReportFolder, default_out_dir

    return ReportFolder(args.out or default_out_dir(args.scenario, suffix), owned)


def exit_code(interrupted: bool, folder: ReportFolder) -> int:
    """130 if Ctrl-C stopped the runs or came while the reports were written, else 0."""
    if folder.interrupted and not interrupted:
        print(f"ccsim: interrupted while writing the reports; they are complete in "
              f"{folder.out}/", file=sys.stderr)
    return EXIT_INTERRUPTED if interrupted or folder.interrupted else EXIT_OK
