"""Argument types shared by the ``ccsim`` subcommands."""

from __future__ import annotations

import argparse
from collections.abc import Callable


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
