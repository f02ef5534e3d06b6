"""The ``ccsim`` command line: parse arguments, call the library, print results.

Exit codes: 0 success, 2 bad input (scenario problems, bad options, unwritable output),
130 interrupted by Ctrl-C (finished replications are still written), 1 an internal error
(reported in one line; ``CCSIM_DEBUG=1`` shows the traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from sim.scenario import Scenario

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 1

PERCENT_FIGURES = {"service_level", "abandonment_rate", "wait_probability", "occupancy"}
"""Figures that are shares (0-1) and are printed as percentages."""


class CliError(Exception):
    """An expected problem: printed as one ``ccsim: error:`` line, exit code 2."""


# --------------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    """The argument parser with the ``run``, ``compare`` and ``validate`` subcommands."""
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
    run.add_argument("--capacity-model", choices=("tab", "status"),
                     help="override the scenario's capacity model")
    run.add_argument("--scheduler", metavar="ADDR",
                     help="address of a distributed (Dask) scheduler to run replications on")
    run.set_defaults(handler=_run)

    compare = commands.add_parser(
        "compare", help="compare tab-based and status-based capacity",
        description="Run a scenario under tab-based and status-based capacity on the same "
        "customers (common random numbers) and report each figure for both, the "
        "difference (status - tab) and its 95%% confidence interval.",
    )
    _add_common(compare)
    compare.set_defaults(handler=_compare)

    validate = commands.add_parser(
        "validate", help="check scenario files",
        description="Check scenario files against the schema and sanity rules, "
        "without running them. Exit code 2 if any file has a problem.",
    )
    validate.add_argument("scenarios", nargs="+", metavar="SCENARIO", type=Path,
                          help="scenario YAML files")
    validate.set_defaults(handler=_validate)

    from sim.staffing_cli import add_staff_command

    add_staff_command(commands)
    return parser


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", metavar="SCENARIO", type=Path,
                        help="scenario YAML file")
    parser.add_argument("--replications", "-r", type=_positive_int, default=10, metavar="N",
                        help="independent replications (default: 10)")
    parser.add_argument("--seed", type=_seed, metavar="S",
                        help="root random seed (default: the scenario's seed)")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="output directory (default: out/<scenario file name>)")
    parser.add_argument("--jobs", "-j", type=_positive_int, default=1, metavar="N",
                        help="worker processes (default: 1, serial); results are identical")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="KEY.PATH=VALUE",
                        help="override a scenario value, e.g. agent_groups[0].agents=8 "
                        "(repeatable; validated like the file)")
    parser.add_argument("--quiet", "-q", action="store_true",
                        help="no progress bar, summary table or warnings")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, found {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, found {value}")
    return value


# ----------------------------------------------------------------------------------- main
def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``ccsim`` and ``python -m sim``; returns the exit code."""
    args = build_parser().parse_args(argv)
    from sim.loader import ScenarioError

    try:
        return args.handler(args)
    except ScenarioError as error:
        for line in error.problems:
            print(line, file=sys.stderr)
        return EXIT_USAGE
    except (CliError, NotImplementedError, ValueError, OSError) as error:
        print(f"ccsim: error: {_one_line(error)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("ccsim: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:  # a bug: still one line, unless debugging
        if os.environ.get("CCSIM_DEBUG"):
            raise
        print(f"ccsim: error: internal error ({type(error).__name__}: {_one_line(error)}); "
              "set CCSIM_DEBUG=1 for the traceback", file=sys.stderr)
        return EXIT_INTERNAL


def _one_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return " ".join(text.split())


# ------------------------------------------------------------------------------- commands
def _validate(args: argparse.Namespace) -> int:
    from sim.loader import ScenarioError, load_scenario, scenario_warnings

    status = EXIT_OK
    for path in args.scenarios:
        try:
            scenario = load_scenario(path)
        except ScenarioError as error:
            for line in error.problems:
                print(line, file=sys.stderr)
            status = EXIT_USAGE
            continue
        for warning in scenario_warnings(scenario):
            print(f"{path}: warning: {warning}", file=sys.stderr)
        print(f"ok: {path}")
    return status


def _run(args: argparse.Namespace) -> int:
    overrides = list(args.overrides)
    if args.capacity_model is not None:
        overrides.append(f"capacity_model={args.capacity_model}")
    scenario = _load(args, overrides)
    # Heavy imports (scipy, matplotlib) only after each check, so bad input fails fast.
    from sim.runner import make_executor, replicate

    executor = make_executor(args.jobs, args.scheduler)
    out_dir = _prepare_out(args)
    from sim.reports import write_reports

    with _progress(args.quiet, args.replications, "replications") as progress:
        runset = replicate(scenario, args.replications, seed=args.seed, executor=executor,
                           progress=progress)
    if runset.replications == 0:
        print("ccsim: interrupted before any replication finished; nothing written",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    written = write_reports(runset, out_dir, scenario)
    if not args.quiet:
        _print_summary(scenario, runset.summary(), runset.replications, runset.seed,
                       runset.interrupted, written)
    return EXIT_INTERRUPTED if runset.interrupted else EXIT_OK


def _compare(args: argparse.Namespace) -> int:
    scenario = _load(args, list(args.overrides))
    from sim.runner import compare, make_executor, status_variant

    status_variant(scenario)  # fail before any work if status-based is invalid
    out_dir = _prepare_out(args)
    from sim.reports import write_comparison

    executor = make_executor(args.jobs)
    with _progress(args.quiet, 2 * args.replications, "runs (both models)") as progress:
        comparison = compare(scenario, args.replications, seed=args.seed, executor=executor,
                             progress=progress)
    if comparison.replications == 0:
        print("ccsim: interrupted before any replication finished under both models; "
              "nothing written", file=sys.stderr)
        return EXIT_INTERRUPTED
    written = write_comparison(comparison, out_dir)
    if not args.quiet:
        _print_comparison(scenario, comparison.table, comparison.replications,
                          comparison.tab.seed, comparison.interrupted, written)
    return EXIT_INTERRUPTED if comparison.interrupted else EXIT_OK


def _load(args: argparse.Namespace, overrides: list[str]) -> Scenario:
    from sim.loader import load_scenario, scenario_warnings

    scenario = load_scenario(args.scenario, overrides)
    if not args.quiet:
        for warning in scenario_warnings(scenario):
            print(f"{args.scenario}: warning: {warning}", file=sys.stderr)
    return scenario


def _prepare_out(args: argparse.Namespace) -> Path:
    """Create the output directory before running, so a bad one fails fast."""
    out_dir = args.out if args.out is not None else Path("out") / args.scenario.stem
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CliError(f"cannot create output directory {out_dir}: {error.strerror}") from None
    probe = out_dir / ".ccsim-write-test"
    try:
        probe.write_text("", encoding="utf-8")
        probe.unlink()
    except OSError as error:
        raise CliError(f"cannot write to output directory {out_dir}: {error.strerror}") from None
    return out_dir


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
                   interrupted: bool, written: list[Path]) -> None:
    from rich.console import Console
    from rich.table import Table

    from sim.figures import FIGURE_UNITS

    title = (f"{scenario.name}: {scenario.capacity_model}-based capacity, "
             f"{replications} replication{'s' if replications != 1 else ''}, seed {seed}")
    table = Table(title=title + (" (INTERRUPTED)" if interrupted else ""))
    table.add_column("figure", no_wrap=True)
    table.add_column("mean", justify="right")
    table.add_column("± 95% CI", justify="right")
    table.add_column("unit")
    for name, row in summary.iterrows():
        unit = "%" if name in PERCENT_FIGURES else FIGURE_UNITS.get(str(name), "")
        table.add_row(str(name), _number(row["mean"], str(name)), _number(row["ci95"], str(name)),
                      unit)
    console = Console()
    console.print(table)
    console.print(f"reports written to {written[0].parent}/ ({len(written)} files)")


def _print_comparison(scenario: Scenario, comparison: pd.DataFrame, replications: int,
                      seed: int, interrupted: bool, written: list[Path]) -> None:
    from rich.console import Console
    from rich.table import Table

    from sim.figures import FIGURE_UNITS

    title = (f"{scenario.name}: status- vs tab-based capacity, same customers, "
             f"{replications} replication{'s' if replications != 1 else ''}, seed {seed}")
    table = Table(title=title + (" (INTERRUPTED)" if interrupted else ""))
    for column in ("figure", "tab", "status", "status - tab", "± 95% CI", "unit"):
        table.add_column(column, justify="left" if column in ("figure", "unit") else "right",
                         no_wrap=column == "figure")
    for name, row in comparison.iterrows():
        key = str(name)
        unit = "%" if key in PERCENT_FIGURES else FIGURE_UNITS.get(key, "")
        table.add_row(key, _number(row["tab_mean"], key), _number(row["status_mean"], key),
                      _number(row["diff_mean"], key, signed=True),
                      _number(row["diff_ci95"], key), unit)
    console = Console()
    console.print(table)
    console.print(f"reports written to {written[0].parent}/ ({len(written)} files)")


def _number(value: Any, figure: str, signed: bool = False) -> str:
    """A figure for the table: shares as percent, counts whole, others to 3 digits."""
    number = float(value)
    if number != number:  # NaN: nothing to measure, or too few replications for a CI
        return "-"
    if figure in PERCENT_FIGURES:
        number *= 100.0
    if abs(number) < 1e-9:  # float noise of equal values, e.g. a CI of identical pairs
        number = 0.0
    sign = "+" if signed and abs(number) > 0 else ""
    if abs(number) >= 100 or number == round(number):
        return f"{number:{sign},.0f}"
    if abs(number) >= 1:
        return f"{number:{sign}.2f}"
    return f"{number:{sign}.3g}"
