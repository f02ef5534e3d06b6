"""Parsing of durations and rates as people write them in scenario files.

Inside the model every duration is in seconds; scenario rates are per hour. These
helpers turn ``"45s"``, ``"5m"``, ``"1.5h"``, ``"2d"`` and ``"60/h"`` into those units, and
``"80%"`` into the share 0.8.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time

from sim.scenario.clock import CLOCK_TIME, is_clock_time

SECONDS_PER_UNIT: dict[str, float] = {
    "ms": 0.001,
    "s": 1.0,
    "sec": 1.0,
    "m": 60.0,
    "min": 60.0,
    "h": 3600.0,
    "hr": 3600.0,
    "d": 86400.0,
    "day": 86400.0,
}

_DURATION = re.compile(r"^\s*(-?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([a-z]+)?\s*$")
_RATE = re.compile(r"^\s*(-?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*/\s*([a-z]+)\s*$")

DURATION_HELP = "a duration such as 45s, 5m, 1.5h or 2d (a bare number means seconds)"
RATE_HELP = "a rate such as 60/h, 2/m or 1440/d (a bare number means per hour)"


def parse_duration(value: object) -> float:
    """Return ``value`` as seconds.

    Accepts a number (seconds) or a string made of a number and a unit
    (ms, s, m, min, h, d). Raises ``ValueError`` with a message naming what is allowed.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected {DURATION_HELP}, found {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        match = _DURATION.match(value.lower())
        if match:
            number, unit = match.groups()
            if unit is None:
                return float(number)
            if unit in SECONDS_PER_UNIT:
                return float(number) * SECONDS_PER_UNIT[unit]
        refusal = not_a_duration(value)
        if refusal is not None:
            raise ValueError(refusal)
    if isinstance(value, (datetime, date, time)):
        raise ValueError(f"found {value.isoformat()!r}, a date or time; expected {DURATION_HELP}")
    raise ValueError(f"expected {DURATION_HELP}, found {value!r}")


_COLONS = re.compile(r"^\s*[0-9]+(?::[0-9]+)+(?:\.[0-9]*)?\s*$")
_DATE_LIKE = re.compile(r"^\s*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")


def not_a_duration(text: str) -> str | None:
    """Why ``text`` is a clock time or a date rather than a duration, or None.

    ``12:00`` (which YAML 1.1 would read as the base-60 number 720) gives ``found '12:00',
    a clock time; a duration is written 12h or 720m``.
    """
    written = text.strip()
    match = CLOCK_TIME.match(written)
    if match is not None and is_clock_time(written):
        hours, minutes = int(match.group(1)), int(match.group(2))
        seconds = float(match.group(3) or 0.0)
        total = hours * 3600 + minutes * 60 + seconds
        hint = _spelled(total)
        return f"found {written!r}, a clock time; a duration is written {hint}"
    if _COLONS.match(written):
        return (f"found {written!r}, written with colons (not a duration); a duration is "
                "written with a unit, such as 12h, 90m or 45s")
    if _DATE_LIKE.match(written):
        return f"found {written!r}, a date or date-time; expected {DURATION_HELP}"
    return None


def _spelled(seconds: float) -> str:
    """``12h or 720m`` for 43 200 s: the duration in the units that write it exactly."""
    forms = []
    for unit, size in (("h", 3600.0), ("m", 60.0), ("s", 1.0)):
        count = seconds / size
        if abs(count - round(count, 2)) < 1e-9 and (count >= 1 or unit == "s"):
            forms.append(f"{count:g}{unit}")
        if len(forms) == 2:
            break
    return " or ".join(forms)


def parse_rate_per_hour(value: object) -> float:
    """Return ``value`` as events per hour.

    Accepts a number (per hour) or ``"N/unit"`` with unit s, m, h or d.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected {RATE_HELP}, found {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        match = _RATE.match(value.lower())
        if match:
            number, unit = match.groups()
            if unit in SECONDS_PER_UNIT:
                return float(number) * 3600.0 / SECONDS_PER_UNIT[unit]
        try:
            return float(value)
        except ValueError:
            pass
    raise ValueError(f"expected {RATE_HELP}, found {value!r}")


def format_duration(seconds: float) -> str:
    """Render seconds in the largest unit that keeps the number short (for reports)."""
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("m", 60.0)):
        if seconds >= size and (seconds / size) == round(seconds / size, 2):
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


def format_clock(seconds: float) -> str:
    """Time of day ``HH:MM`` for seconds from the start; ``d2 HH:MM`` from the second day."""
    days, rest = divmod(int(round(seconds)), 86400)
    text = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}"
    return f"d{days + 1} {text}" if days else text


SHARE_HELP = "a share such as 80% or 0.8"

_PERCENT = re.compile(r"^\s*(-?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*%\s*$")


def parse_share(value: object, *, above_one_is_percent: bool = False) -> float:
    """Return a share (0.8) written as ``"80%"``, ``0.8`` or ``"0.8"``.

    One parser for the command line (``--max-abandon 5%``) and scenario files
    (``target: 80%``). Bounds are the caller's to check.

    Args:
        value: A number, or text holding a number with an optional ``%`` sign.
        above_one_is_percent: Read a bare number above 1 as percent (``5`` as 5%), as the
            command line does; a scenario file keeps a bare number as it is.

    Raises:
        ValueError: ``expected a share such as 80% or 0.8, found ...`` when ``value`` is not
            a finite number or a percentage.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected {SHARE_HELP}, found {value!r}")
    if isinstance(value, (int, float)):
        number, percent = float(value), False
    elif isinstance(value, str):
        match = _PERCENT.match(value)
        percent = match is not None
        try:
            number = float(match.group(1) if match is not None else value.strip())
        except ValueError:
            raise ValueError(f"expected {SHARE_HELP}, found {_short(value)}") from None
    else:
        raise ValueError(f"expected {SHARE_HELP}, found {_short(value)}")
    if not math.isfinite(number):
        raise ValueError(f"expected a finite share such as 80% or 0.8, found {_short(value)}")
    return number / 100.0 if percent or (above_one_is_percent and number > 1) else number


def percent_sign_as_share(value: object) -> object:
    """``"80%"`` as 0.8; any other value unchanged, for the schema to check.

    A pydantic ``BeforeValidator``: a bare number in a scenario file keeps its meaning.
    """
    if isinstance(value, str) and value.strip().endswith("%"):
        return parse_share(value)
    return value


def percent_sign_as_points(value: object) -> object:
    """``"50%"`` as 50 (percent points, for capacity percentages).

    Any other value is returned unchanged, for the schema to check.
    """
    if isinstance(value, str) and value.strip().endswith("%"):
        match = _PERCENT.match(value)
        number = float(match.group(1)) if match is not None else math.nan
        if not math.isfinite(number):
            raise ValueError(f"expected a percentage such as 50%, found {_short(value)}")
        return number
    return value


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
