"""What the ``ccsim`` subcommands share: argument types, loading, the output folder."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario


def whole_number(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a whole number, found {text!r}"
            ) from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected at least {minimum}, found {value}")
        return value

    return parse


positive_int = whole_number(1)
"""Replications, jobs, iterations."""

seed_number = whole_number(0)
"""A root random seed."""


def load_checked(path: Path, overrides: Sequence[str], quiet: bool) -> Scenario:
    """Load and validate a scenario; print its sanity warnings unless ``quiet``."""
    from sim.scenario.loading import load_scenario, scenario_warnings

    scenario = load_scenario(path, overrides)
    if not quiet:
        for warning in scenario_warnings(scenario):
            print(f"{path}: warning: {warning}", file=sys.stderr)
    return scenario


def prepare_out(out_dir: Path) -> Path:
    """Create the output directory before running, so a bad one fails fast (OSError)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OSError(f"cannot create output directory {out_dir}: {error.strerror}") from None
    probe = out_dir / ".ccsim-write-test"
    try:
        probe.write_text("", encoding="utf-8")
        probe.unlink()
    except OSError as error:
        raise OSError(f"cannot write to output directory {out_dir}: {error.strerror}") from None
    return out_dir
