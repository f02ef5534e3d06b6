"""One Excel workbook of a report (``report.xlsx``), written atomically.

Sheets, in order: ``answer`` (the command's verdict, when given), ``summary`` (the
headline figures: ``figure``, ``label``, ``unit`` and
the command's numbers), then one sheet per table (``intervals``, ``channels``, ``groups``,
``agents``; ``requirement`` and ``shifts`` for staffing; ``cells`` for a sweep), then
``settings`` (what was run: scenario, command, seed, replications, version, date).

Units: the summary sheet has a ``unit`` column; every other sheet puts a column's unit in
its header, ``name (unit)`` (``asa_s (s)``, ``occupancy (share)``), from
:func:`sim.results.report_tables.column_unit`; a column without a unit keeps its bare name.
Shares are stored as fractions (0-1), shown as percentages by the cell format; other
numbers get the format of their unit (:data:`UNIT_FORMATS`), capacity time is in
capacity × hours, ``HH:MM`` clock columns are Excel times and ``datetime`` columns Excel
date-times. The header row is bold, frozen and filtered, columns are as wide as their text
(within limits), and user text (names, descriptions) is always stored as text, never as a
formula.

A new table is one more entry of the ``tables`` mapping.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim.reports.files import atomic_write
from sim.results.report_tables import column_unit, setting_text
from sim.scenario.user_text import printable

ANSWER_SHEET = "answer"
SUMMARY_SHEET = "summary"
SETTINGS_SHEET = "settings"
PERCENT_FORMAT = "0.0%"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
TIME_FORMAT = "hh:mm"
UNIT_FORMATS: dict[str, str] = {
    "share": PERCENT_FORMAT,
    "s": "#,##0.0",
    "h": "#,##0.00",
    "h/day": "#,##0.00",
    "capacity × h": "#,##0.00",
    "sessions/h": "#,##0.0",
    "sessions/agent": "0.00",
    "per session": "0.000",
}
"""Excel number format of a number column by its unit; other numbers: :data:`PLAIN_FORMATS`."""
PLAIN_FORMATS = ("#,##0", "#,##0.00")
"""Number formats of whole-number and other numeric columns without a format of their unit."""
MAX_WIDTH = 60
_SHEET_NAME_BAD = set("[]:*?/\\")


def header_with_unit(column: str, unit: Callable[[str], str] = column_unit) -> str:
    """``name (unit)``, or ``name`` for a column without a unit."""
    text = unit(column)
    return f"{column} ({text})" if text and text != column else str(column)


def write_workbook(path: str | Path, summary: pd.DataFrame, tables: Mapping[str, pd.DataFrame],
                   settings: Mapping[str, Any], verdict: Sequence[str] = ()) -> Path:
    """Write the workbook atomically (a temporary name in the same folder, then renamed).

    Args:
        path: the ``.xlsx`` file.
        summary: the summary sheet; its ``unit`` column (when present) gives each row's
            unit, and rows in ``share`` get a percent format.
        tables: sheet name -> table, in sheet order (headers get their units).
        settings: the ``settings`` sheet, one row per setting.
        verdict: the command's answer; when given, the first sheet (``answer``) holds it,
            one line per row, so the workbook opens on it.

    Returns:
        The path written.
    """
    sheets: dict[str, pd.DataFrame] = {}
    if verdict:
        sheets[ANSWER_SHEET] = pd.DataFrame({"answer": list(verdict)})
    sheets[SUMMARY_SHEET] = summary
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
            plain = name in (ANSWER_SHEET, SUMMARY_SHEET, SETTINGS_SHEET)
            frame = _text_safe(table) if plain else _in_hours(_text_safe(table))
            formats = {} if plain else _column_formats(frame)
            if not plain:
                frame = _excel_times(frame)
                frame = frame.rename(columns=lambda column: header_with_unit(str(column)))
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "A2"
            if name != ANSWER_SHEET and sheet.max_row > 1:
                sheet.auto_filter.ref = sheet.dimensions
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for row in sheet.iter_rows(min_row=2):
                for cell in row:
                    if cell.data_type == "f":  # text such as "=1+1" stays text
                        cell.data_type = "s"
            for position, number_format in formats.items():
                times = (frame.iloc[:, position].tolist()
                         if number_format in (TIME_FORMAT, DATETIME_FORMAT) else None)
                for offset, (cell,) in enumerate(sheet.iter_rows(
                        min_row=2, min_col=position + 1, max_col=position + 1)):
                    if times is not None:  # pandas writes a time of day as text
                        cell.value = times[offset]
                    cell.number_format = number_format
            if name == SUMMARY_SHEET and "unit" in frame.columns:
                _row_formats(sheet, frame)
            for position, column in enumerate(frame.columns, start=1):
                sheet.column_dimensions[get_column_letter(position)].width = (
                    100.0 if name == ANSWER_SHEET else _width(frame[column], str(column)))


def _column_formats(frame: pd.DataFrame) -> dict[int, str]:
    """Column position -> Excel number format, by the column's unit and kind."""
    formats = {}
    for position, column in enumerate(frame.columns):
        series = frame[column]
        name = str(column)
        if _is_clock(name, series):
            formats[position] = TIME_FORMAT
        elif _is_datetime(name):
            formats[position] = DATETIME_FORMAT
        elif pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
            continue
        elif column_unit(name) in UNIT_FORMATS:
            formats[position] = UNIT_FORMATS[column_unit(name)]
        else:
            whole = pd.api.types.is_integer_dtype(series) or bool(
                (series.dropna() == series.dropna().round()).all())
            formats[position] = PLAIN_FORMATS[0] if whole else PLAIN_FORMATS[1]
    return formats


def _is_clock(name: str, series: pd.Series) -> bool:
    """A column of ``HH:MM`` times of day (``clock``, ``arrival_clock``)."""
    return column_unit(name) == "HH:MM" and bool(
        series.dropna().astype(str).str.fullmatch(r"\d\d:\d\d").all())


def _is_datetime(name: str) -> bool:
    """A column of ISO 8601 date-times (``datetime``, ``arrival_datetime``)."""
    return name == "datetime" or name.endswith("_datetime")


def _excel_times(frame: pd.DataFrame) -> pd.DataFrame:
    """Clock columns as times of day and date-time columns as Excel date-times.

    Excel has no time zones: a date-time with an offset is written as its wall time (the
    offset is in the CSV files).
    """
    out = frame.copy()
    for column in frame.columns:
        name = str(column)
        if _is_clock(name, frame[column]):
            out[column] = [dt.time(int(text[:2]), int(text[3:5])) if isinstance(text, str)
                           else None for text in frame[column]]
        elif _is_datetime(name):
            out[column] = [dt.datetime.fromisoformat(text[:19]) if isinstance(text, str)
                           else None for text in frame[column]]
    return out


def _in_hours(frame: pd.DataFrame) -> pd.DataFrame:
    """Capacity time in capacity × hours: ``busy_capacity_s`` becomes ``busy_capacity_h``."""
    out = frame.copy()
    for column in frame.columns:
        name = str(column)
        if column_unit(name) == "capacity × s" and pd.api.types.is_numeric_dtype(frame[column]):
            hours = re.sub(r"_s(?=_ci95$|$)", "_h", name)
            if hours not in out.columns:
                out[column] = frame[column].to_numpy(dtype=float) / 3600.0
                out = out.rename(columns={column: hours})
    return out


def _row_formats(sheet: Any, frame: pd.DataFrame) -> None:
    """In the summary sheet, the numbers of each row formatted by the row's unit."""
    numeric = [position for position, column in enumerate(frame.columns, start=1)
               if pd.api.types.is_float_dtype(frame[column]) and str(column) != "n"]
    for offset, unit in enumerate(frame["unit"].tolist()):
        number_format = UNIT_FORMATS.get(str(unit), PLAIN_FORMATS[1])
        if str(unit) == "sessions":
            number_format = "#,##0.0"
        for position in numeric:
            sheet.cell(row=offset + 2, column=position).number_format = number_format


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
