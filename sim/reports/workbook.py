"""One Excel workbook of a report (``report.xlsx``), written atomically.

Sheets, in order: ``summary`` (the headline figures: ``figure``, ``label``, ``unit`` and
the command's numbers), then one sheet per table (``intervals``, ``channels``, ``groups``,
``agents``; ``requirement`` and ``shifts`` for staffing; ``cells`` for a sweep), then
``settings`` (what was run: scenario, command, seed, replications, version, date).

Units: the summary sheet has a ``unit`` column; every other sheet puts a column's unit in
its header, ``name (unit)`` (``asa_s (s)``, ``occupancy (share)``), from
:func:`sim.results.report_tables.column_unit`; a column without a unit keeps its bare name.
Shares are stored as fractions (0-1), shown as percentages by the cell format. The header
row is bold and frozen, columns are as wide as their text (within limits), and user text
(names, descriptions) is always stored as text, never as a formula.

A new table is one more entry of the ``tables`` mapping.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sim.reports.files import atomic_write
from sim.results.report_tables import column_unit, setting_text
from sim.scenario.user_text import printable

SUMMARY_SHEET = "summary"
SETTINGS_SHEET = "settings"
PERCENT_FORMAT = "0.0%"
MAX_WIDTH = 60
_SHEET_NAME_BAD = set("[]:*?/\\")


def header_with_unit(column: str, unit: Callable[[str], str] = column_unit) -> str:
    """``name (unit)``, or ``name`` for a column without a unit."""
    text = unit(column)
    return f"{column} ({text})" if text and text != column else str(column)


def write_workbook(path: str | Path, summary: pd.DataFrame, tables: Mapping[str, pd.DataFrame],
                   settings: Mapping[str, Any]) -> Path:
    """Write the workbook atomically (a temporary name in the same folder, then renamed).

    Args:
        path: the ``.xlsx`` file.
        summary: the summary sheet; its ``unit`` column (when present) gives each row's
            unit, and rows in ``share`` get a percent format.
        tables: sheet name -> table, in sheet order (headers get their units).
        settings: the ``settings`` sheet, one row per setting.

    Returns:
        The path written.
    """
    sheets: dict[str, pd.DataFrame] = {SUMMARY_SHEET: summary}
    for name, table in tables.items():
        sheets[_sheet_name(name, sheets)] = table
    sheets[_sheet_name(SETTINGS_SHEET, sheets)] = pd.DataFrame(
        {"setting": list(settings), "value": [setting_text(v) for v in settings.values()]})
    return atomic_write(path, lambda temporary: _write(temporary, sheets))


def _write(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, table in sheets.items():
            plain = name in (SUMMARY_SHEET, SETTINGS_SHEET)
            frame = _text_safe(table)
            shares = [position for position, column in enumerate(frame.columns)
                      if not plain and column_unit(str(column)) == "share"]
            if not plain:
                frame = frame.rename(columns=lambda column: header_with_unit(str(column)))
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "A2"
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for row in sheet.iter_rows(min_row=2):
                for cell in row:
                    if cell.data_type == "f":  # text such as "=1+1" stays text
                        cell.data_type = "s"
            for position in shares:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=position + 1,
                                               max_col=position + 1):
                    cell.number_format = PERCENT_FORMAT
            if name == SUMMARY_SHEET and "unit" in frame.columns:
                _percent_share_rows(sheet, frame)
            for position, column in enumerate(frame.columns, start=1):
                sheet.column_dimensions[get_column_letter(position)].width = _width(
                    frame[column], str(column))


def _percent_share_rows(sheet: Any, frame: pd.DataFrame) -> None:
    """In the summary sheet, numbers of rows whose unit is ``share`` shown as percent."""
    numeric = [position for position, column in enumerate(frame.columns, start=1)
               if pd.api.types.is_float_dtype(frame[column])]
    for offset, unit in enumerate(frame["unit"].tolist()):
        if unit == "share":
            for position in numeric:
                sheet.cell(row=offset + 2, column=position).number_format = PERCENT_FORMAT


def _text_safe(table: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells hold no control characters (Excel refuses them)."""
    frame = table.reset_index(drop=True).copy()
    frame.columns = [printable(column) for column in frame.columns]
    for column in frame.columns:
        if not (pd.api.types.is_numeric_dtype(frame[column])
                or pd.api.types.is_bool_dtype(frame[column])):
            frame[column] = frame[column].map(
                lambda value: printable(value, one_line=False) if isinstance(value, str)
                else value)
    return frame


def _width(values: pd.Series, header: str) -> float:
    sample = values.head(500)
    longest = max([len(header)] + [len(_shown(value)) for value in sample])
    return float(min(MAX_WIDTH, max(8, longest + 2)))


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value).split("\n", 1)[0]



def _sheet_name(name: str, taken: Mapping[str, object]) -> str:
    """An Excel sheet name: at most 31 characters, none that Excel refuses, unique."""
    base = "".join("_" if char in _SHEET_NAME_BAD else char for char in printable(name))
    base = base.strip("'")[:31] or "sheet"
    candidate, number = base, 2
    while candidate.lower() in {key.lower() for key in taken}:
        suffix = f" {number}"
        candidate, number = base[: 31 - len(suffix)] + suffix, number + 1
    return candidate
