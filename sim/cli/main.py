"""The ``ccsim`` command line: parse arguments, call the library, print results.

The commands live in :mod:`sim.cli.run` (run, compare, validate), :mod:`sim.cli.sweep`,
:mod:`sim.cli.staff` and :mod:`sim.cli.calibrate`; their console tables in
:mod:`sim.cli.tables`. Exit codes: 0 success, 2 bad input (scenario problems, bad options,
unwritable output), 130 interrupted by Ctrl-C (finished replications are still written),
1 an internal error (reported in one line; ``CCSIM_DEBUG=1`` shows the traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from sim.cli.common import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE, say


# --------------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    """The argument parser with its subcommands (run, compare, sweep, validate, staff)."""
    parser = argparse.ArgumentParser(
        prog="ccsim",
        description="Simulate a messaging contact center on Omni-Channel from a scenario file.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    from sim.cli.calibrate import add_calibration_commands
    from sim.cli.run import add_run_commands, add_validate_command
    from sim.cli.staff import add_staff_command
    from sim.cli.sweep import add_sweep_command

    add_run_commands(commands)
    add_sweep_command(commands)
    add_validate_command(commands)
    add_staff_command(commands)
    add_calibration_commands(commands)
    return parser


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

