"""One self-contained web page of a report (``report.html``), written atomically.

The page needs nothing else: CSS is inline, charts are ``data:image/png;base64,`` images
and tables are HTML. It makes no request (no fonts, scripts, style sheets or links out),
and a Content-Security-Policy meta tag forbids any, so it opens the same from an e-mail
attachment, a file share or a machine without network.

User text (the scenario's name and description, channel, queue and group names, grid
values) is text: it is HTML-escaped everywhere (``DataFrame.to_html(escape=True)`` for
tables, :func:`html.escape` elsewhere), so a name such as ``<script>`` is shown, not run.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim.reports.files import atomic_write
from sim.results.report_tables import column_unit, setting_text
from sim.scenario.user_text import printable

MAX_ROWS = 5000
"""Rows of a table shown on the page at most (the CSV files have them all)."""

CONTENT_SECURITY_POLICY = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
                           "base-uri 'none'; form-action 'none'")

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
       margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #222; line-height: 1.4; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
p.description { white-space: pre-wrap; color: #444; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.85rem; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: right; }
th { background: #f2f4f7; position: sticky; top: 0; }
td:first-child, th:first-child { text-align: left; }
table.settings td, table.settings th { text-align: left; }
table.figures td:nth-child(-n+2), table.figures th:nth-child(-n+2) { text-align: left; }
tbody tr:nth-child(even) { background: #fafafa; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.85rem; color: #555; }
details { margin: 0.5rem 0; }
summary { cursor: pointer; font-weight: 600; }
.scroll { overflow-x: auto; max-height: 40rem; overflow-y: auto; }
.note { font-size: 0.85rem; color: #555; }
.verdict { font-size: 1.1rem; background: #eef5ee; border-left: 4px solid #2c7a2c;
           padding: 0.5rem 1rem; margin: 1rem 0; }
.verdict p { margin: 0.2rem 0; }
.verdict p:first-child { font-weight: 600; }
"""


def write_html(path: str | Path, *, title: str, description: str,
               settings: Mapping[str, Any], summary: pd.DataFrame,
               tables: Mapping[str, pd.DataFrame], charts: Sequence[tuple[str, Path]],
               notes: Mapping[str, str] | None = None, open_tables: Sequence[str] = (),
               verdict: Sequence[str] = ()) -> Path:
    """Write the page atomically.

    Args:
        path: the ``.html`` file.
        title: the page's heading (user text).
        description: the scenario's description (user text; may be empty).
        settings: what was run (shown as a two-column table).
        summary: the headline figures; shares (its ``unit`` column) shown as percent.
        tables: heading -> table; each under a collapsible heading (open when named in
            ``open_tables``), headers with their units, shares as percent.
        charts: caption -> PNG file, embedded in this order.
        notes: heading -> a sentence shown under the table's heading.
        open_tables: tables shown open.
        verdict: the command's answer, a line or two shown under the title.

    Returns:
        The path written.
    """
    page = render_html(title=title, description=description, settings=settings,
                       summary=summary, tables=tables, charts=charts, notes=notes,
                       open_tables=open_tables, verdict=verdict)
    return atomic_write(path, lambda temporary: temporary.write_text(page, encoding="utf-8"))


def render_html(*, title: str, description: str, settings: Mapping[str, Any],
                summary: pd.DataFrame, tables: Mapping[str, pd.DataFrame],
                charts: Sequence[tuple[str, Path]], notes: Mapping[str, str] | None = None,
                open_tables: Sequence[str] = (), verdict: Sequence[str] = ()) -> str:
    """The page as text (see :func:`write_html`)."""
    notes = notes or {}
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_text(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{_text(title)}</h1>",
    ]
    if verdict:
        lines = "".join(f"<p>{_text(line)}</p>" for line in verdict)
        parts.append(f'<div class="verdict">{lines}</div>')
    if description.strip():
        parts.append(f'<p class="description">{_text(description, one_line=False)}</p>')
    parts.append("<h2>Run settings</h2>")
    parts.append(_settings_table(settings))
    parts.append("<h2>Headline figures</h2>")
    if "summary" in notes:
        parts.append(f'<p class="note">{_text(notes["summary"])}</p>')
    parts.append(_summary_table(summary))
    if charts:
        parts.append("<h2>Charts</h2>")
        for caption, chart in charts:
            parts.append(_figure(caption, Path(chart)))
    if tables:
        parts.append("<h2>Tables</h2>")
    for name, table in tables.items():
        shown = table.head(MAX_ROWS)
        more = (f" (first {MAX_ROWS:,} of {len(table):,} rows)" if len(table) > MAX_ROWS
                else f" ({len(table):,} rows)")
        opened = " open" if name in open_tables else ""
        parts.append(f"<details{opened}><summary>{_text(name)}{more}</summary>")
        if name in notes:
            parts.append(f'<p class="note">{_text(notes[name])}</p>')
        parts.append(f'<div class="scroll">{_table(shown, units_in_headers=True)}</div>')
        parts.append("</details>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _text(value: object, one_line: bool = True) -> str:
    return html.escape(printable(value, one_line=one_line), quote=True)


def _settings_table(settings: Mapping[str, Any]) -> str:
    rows = "".join(f"<tr><th>{_text(key)}</th><td>{_text(setting_text(value), one_line=False)}"
                   "</td></tr>" for key, value in settings.items())
    return f'<table class="settings"><tbody>{rows}</tbody></table>'


def _summary_table(summary: pd.DataFrame) -> str:
    """Headline figures by label: numbers formatted per row, shares as percent ("%" unit).

    With a ``label`` column the figure's identifier (``figure``) is left out, and figures
    that are zero in every number are named in a sentence under the table, not shown.
    """
    frame = summary.reset_index(drop=True)
    if "unit" not in frame.columns:
        return _table(frame, units_in_headers=False)
    zero_note = ""
    if "label" in frame.columns and "figure" in frame.columns:
        # the means (run: mean; compare: tab_mean, status_mean, diff_mean); a sweep's
        # rows (one per cell) and the staffing summary have none and keep every row
        means = [column for column in frame.columns
                 if (column == "mean" or str(column).endswith("_mean"))
                 and pd.api.types.is_float_dtype(frame[column])]
        zero = (frame[means].fillna(1.0) == 0.0).all(axis=1) if means and not frame[
            "figure"].duplicated().any() else pd.Series(False, index=frame.index)
        if zero.any():
            zero_note = ('<p class="note">Zero in every replication, so not shown: '
                         f'{_text(", ".join(map(str, frame.loc[zero, "label"])))}.</p>')
        frame = frame.loc[~zero].drop(columns="figure").rename(columns={"label": "figure"})
        frame = frame.reset_index(drop=True)
    shown = frame.astype(object)
    for row, unit in enumerate(frame["unit"].tolist()):
        share = unit == "share"
        for column in frame.columns:
            value = frame.at[row, column]
            if column != "n" and isinstance(value, float):
                shown.at[row, column] = _number(value * 100.0 if share else value)
        if share:
            shown.at[row, "unit"] = "%"
    return _table(shown, units_in_headers=False, css_class="figures") + zero_note


def _table(frame: pd.DataFrame, units_in_headers: bool, css_class: str = "") -> str:
    shown = frame.copy()
    if units_in_headers:  # shares as percent, as in the headline figures
        for column in shown.columns:
            if column_unit(str(column)) == "share" and pd.api.types.is_numeric_dtype(
                    shown[column]) and not pd.api.types.is_bool_dtype(shown[column]):
                shown[column] = shown[column].astype(float) * 100.0
        shown.columns = [_header(str(column)) for column in shown.columns]
    for column in shown.columns:
        series = shown[column]
        if pd.api.types.is_float_dtype(series):
            shown[column] = [_number(value) for value in series]
        elif not pd.api.types.is_numeric_dtype(series):
            shown[column] = [printable(value, one_line=False) if isinstance(value, str)
                             else value for value in series]
    shown.columns = [printable(column) for column in shown.columns]
    return shown.to_html(index=False, escape=True, na_rep="–", border=0,
                         classes=css_class or None)


def _header(column: str) -> str:
    unit = column_unit(column)
    unit = "%" if unit == "share" else unit
    return f"{column} ({unit})" if unit and unit != column else column


def _number(value: Any) -> str:
    """A number to read: whole numbers plain, others with 4 significant digits."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return "–"
    if math.isinf(number):
        return "∞" if number > 0 else "−∞"
    if abs(number) < 1e-9:
        return "0"
    if number == round(number) and abs(number) < 1e15:
        return f"{number:,.0f}"
    if abs(number) >= 1000:
        return f"{number:,.1f}"
    return f"{number:.4g}"


def _figure(caption: str, chart: Path) -> str:
    data = base64.b64encode(chart.read_bytes()).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{_text(caption)}">'
            f"<figcaption>{_text(caption)} ({_text(chart.name)})</figcaption></figure>")
