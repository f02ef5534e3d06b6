r"""User text made safe for a terminal, a chart, a YAML comment and a spreadsheet.

Names, descriptions, grid values and file names come from the user. They are text, never
instructions: an escape sequence must not reach the terminal, a ``[/x]`` must not be read
as rich markup and a ``$\\foo$`` must not be read as matplotlib mathtext. The command line
prints user text through :func:`printable` (and builds rich ``Text`` objects, which take
no markup); every chart module draws user text through :func:`chart_text`. Every CSV file
is written from :func:`spreadsheet_table` (a name such as ``=HYPERLINK(...)`` must not be
run as a formula when the file is opened in Excel or LibreOffice).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 (but tab and newline), DEL and C1 controls
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"  # bidirectional overrides
)
_LINE_BREAKS = re.compile("[\t\n]")


def printable(text: object, *, one_line: bool = True) -> str:
    r"""``text`` with control characters shown as ``\\xNN`` (``\\uNNNN``) escapes.

    Args:
        text: Any value; it is turned into text with ``str``.
        one_line: Also show tabs and newlines as escapes (for one-line messages).
    """
    result = _CONTROL.sub(_escape, str(text))
    return _LINE_BREAKS.sub(_escape, result) if one_line else result


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def yaml_comment(text: object) -> str:
    r"""``text`` safe inside a YAML ``#`` comment: every character that is not printable escaped.

    YAML ends a comment at any line break, and PyYAML counts U+0085, U+2028 and U+2029 as
    line breaks; a control character such as ESC makes the file unreadable. Every character
    :meth:`str.isprintable` refuses (line breaks, controls, format and unassigned characters,
    lone surrogates) is shown as a ``\\xNN`` / ``\\uNNNN`` / ``\\UNNNNNNNN`` escape, so text
    from an export or a path stays inside its comment and the file stays readable.
    """
    return "".join(character if character.isprintable() else _escape_code(ord(character))
                   for character in str(text))


def _escape_code(code: int) -> str:
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def chart_text(text: object) -> str:
    r"""``text`` for a matplotlib title, label or legend: no mathtext, no control characters.

    Every ``$`` is escaped as ``\\$``, so a name such as ``$\\foo$`` is drawn as written
    instead of being parsed (and failing) as mathtext.
    """
    return printable(text).replace("$", r"\$")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a CSV cell as a formula."""

_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_cell(value: Any) -> Any:
    """``value``, with an apostrophe in front if it is text a spreadsheet would run.

    Text starting with one of :data:`FORMULA_STARTS` gets a leading ``'`` (the OWASP advice
    against CSV injection; a spreadsheet shows the text as it was). Numbers, and text that
    is just a number (``-5``, ``+1.5e3``), are returned unchanged.
    """
    if (isinstance(value, str) and value.startswith(FORMULA_STARTS)
            and not _PLAIN_NUMBER.fullmatch(value)):
        return "'" + value
    return value


def spreadsheet_table(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` whose text cells, column names and index labels are safe.

    Each goes through :func:`spreadsheet_cell`; numeric, boolean and date-time columns are
    untouched (a ``-5`` stays the number -5).
    """
    safe: pd.DataFrame = table.copy()
    safe.columns = list(range(table.shape[1]))  # by position: names may repeat
    for position, dtype in enumerate(table.dtypes):
        if dtype.kind not in "biufcmM":  # text, mixed or categorical: not a number or time
            safe[position] = safe[position].map(spreadsheet_cell)
    safe.columns = table.columns.map(spreadsheet_cell)
    safe.index = table.index.map(spreadsheet_cell)
    return safe
