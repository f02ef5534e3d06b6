"""Real-org shapes of an Omni-Channel export, built from the bundled one.

Each builder copies ``examples/salesforce-export`` into a folder and rewrites it the way a
real org's export differs from the one ccsim writes: 15-character Ids (a report), upper-case
headers and the older spellings, report date-times, blank message counts (enhanced
Messaging), custom presence status names, unknown channel types, no presence.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "salesforce-export"
"""The bundled export (three days of the web chat desk)."""


def copy_example(folder: Path, keep_entries: bool = True) -> Path:
    """The bundled export copied into ``folder/salesforce-export``; returns the copy.

    The folder keeps the example's name (the scenario is named after it); without
    ConversationEntry.csv if asked.
    """
    folder = folder / EXAMPLE.name
    shutil.copytree(EXAMPLE, folder)
    if not keep_entries:
        (folder / "ConversationEntry.csv").unlink()
    return folder


def rewrite(folder: Path, name: str, change: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    """Read ``name`` as text, apply ``change`` and write it back (empty cells stay empty)."""
    table = pd.read_csv(folder / name, dtype=str, keep_default_na=False)
    change(table).to_csv(folder / name, index=False)


def short_ids(table: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """The 15-character form of every Id in ``columns`` (as a report writes them)."""
    for column in columns:
        table[column] = table[column].str[:15]
    return table


def report_date(text: str) -> str:
    """An ISO date-time as an en_US report writes it: ``3/2/2026 8:00:41 AM``."""
    if not text:
        return text
    moment = pd.Timestamp(text)
    clock = moment.strftime("%I:%M:%S %p").lstrip("0")
    return f"{moment.month}/{moment.day}/{moment.year} {clock}"


def report_dates(table: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Every date-time of ``columns`` in the report form."""
    for column in columns:
        table[column] = table[column].map(report_date)
    return table
