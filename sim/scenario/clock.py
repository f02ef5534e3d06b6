"""Clock time of a scenario: when a run starts and what wall-clock time a model time is.

Inside the model every time is in seconds from the start. A scenario may say when that
start is (``start: "2026-03-02 08:00"``, ``"2026-03-02 08:00 Europe/Paris"``,
``"2026-03-02T08:00+01:00"`` or a clock time ``"08:00"``); a :class:`Clock` turns seconds
into date-times and ``HH:MM`` labels for tables and charts, and turns the clock times and
date-times a user writes for shifts, outages and arrivals into seconds from the start
(:meth:`Clock.offset_of`).

A scenario without a start runs from 00:00 on day 1, undated: seconds and clock times then
agree (``07:00`` is 25 200 s), so older scenarios keep their meaning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

SECONDS_PER_DAY = 86400.0

UNDATED_DAY = date(2000, 1, 3)
"""The date an undated clock counts from (never shown: undated labels say ``day N``)."""

MIN_YEAR, MAX_YEAR = 1900, 2200
"""Years a start or a date-time may name (so every date-time of a run can be shown)."""

MAX_CLOCK_SECONDS = 100 * 366 * SECONDS_PER_DAY
"""Times further from the start than a century have no date-time (``NaT``)."""

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

CLOCK_TIME = re.compile(r"^\s*([0-9]{1,2}):([0-5][0-9])(?::([0-5][0-9](?:\.[0-9]+)?))?\s*$")
"""``H:MM``, ``HH:MM`` or ``HH:MM:SS`` (seconds may have a fraction)."""

_DATE_TIME = re.compile(
    r"^\s*(?P<date>[0-9]{4}-[0-9]{1,2}-[0-9]{1,2})"
    r"(?:(?:[Tt]|\s+)(?P<time>[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?))?"
    r"\s*(?P<offset>Z|z|[-+][0-9]{2}(?::?[0-9]{2})?)?"
    r"(?:\s+(?P<zone>[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*))?\s*$"
)
"""``2026-03-02``, ``2026-03-02 08:00[:SS]``, ``T`` as separator, an offset and/or a zone."""

START_HELP = (
    "a start such as \"2026-03-02 08:00\", \"2026-03-02 08:00 Europe/Paris\", "
    "\"2026-03-02T08:00+01:00\" or a clock time \"08:00\" (quoted)"
)
TIME_POINT_HELP = (
    "a duration from the start (7h, 25200), a clock time (\"07:00\") or a date-time "
    "(\"2026-03-02 07:00\")"
)


def is_clock_time(text: str) -> bool:
    """Whether ``text`` is written as a clock time (``07:00``, ``7:30``, ``07:00:30``)."""
    return CLOCK_TIME.match(text) is not None


def parse_clock_time(text: str) -> float:
    """Seconds after midnight of a clock time ``HH:MM[:SS]`` (``24:00`` is the next midnight).

    Raises:
        ValueError: If ``text`` is not a clock time or names an hour past 24:00.
    """
    match = CLOCK_TIME.match(text)
    if match is None:
        raise ValueError(f"expected a clock time such as 07:00 or 07:00:30, found {text!r}")
    hours, minutes = int(match.group(1)), int(match.group(2))
    seconds = float(match.group(3) or 0.0)
    total = hours * 3600.0 + minutes * 60.0 + seconds
    if hours > 24 or (hours == 24 and total > SECONDS_PER_DAY):
        raise ValueError(
            f"{text.strip()} is not a time of day (00:00 to 24:00); a later day is written "
            "as a date-time such as \"2026-03-03 01:00\" or a duration from the start"
        )
    return total


def parse_date_time(text: str, default_zone: tzinfo | None = None) -> datetime:
    """A date-time as written in a scenario (see :data:`_DATE_TIME`); a date means 00:00.

    Args:
        text: ``2026-03-02 08:00``, ``2026-03-02T08:00:00+01:00``,
            ``2026-03-02 08:00 Europe/Paris`` or ``2026-03-02``.
        default_zone: The zone of a date-time that names none (naive stays naive if None).

    Raises:
        ValueError: If ``text`` is not such a date-time or names an unknown zone.
    """
    match = _DATE_TIME.match(text)
    if match is None:
        raise ValueError(f"expected a date-time such as 2026-03-02 08:00, found {text!r}")
    clock = match.group("time") or "00:00"
    try:
        day = date.fromisoformat(_padded_date(match.group("date")))
        seconds = parse_clock_time(clock)
    except ValueError:
        raise ValueError(
            f"expected a date-time such as 2026-03-02 08:00, found {text.strip()!r}"
        ) from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValueError(
            f"expected a date-time between {MIN_YEAR} and {MAX_YEAR}, found {text.strip()!r}"
        )
    moment = datetime.combine(day, time()) + timedelta(seconds=seconds)
    offset, zone = match.group("offset"), match.group("zone")
    if zone is not None:
        moment = moment.replace(tzinfo=zone_named(zone))
    if offset is not None:
        aware = datetime.fromisoformat(f"2000-01-01T00:00{_iso_offset(offset)}")
        if moment.tzinfo is not None and moment.utcoffset() != aware.utcoffset():
            raise ValueError(
                f"{text.strip()!r}: the offset {offset} is not the offset of {zone} then"
            )
        moment = moment.replace(tzinfo=moment.tzinfo or aware.tzinfo)
    if moment.tzinfo is None and default_zone is not None:
        moment = moment.replace(tzinfo=default_zone)
    return moment


def _padded_date(text: str) -> str:
    year, month, day = text.split("-")
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _iso_offset(offset: str) -> str:
    if offset in ("Z", "z"):
        return "+00:00"
    digits = offset[1:].replace(":", "")
    return f"{offset[0]}{digits[:2]}:{digits[2:] or '00'}"


@lru_cache(maxsize=64)
def zone_named(name: str) -> tzinfo:
    """The IANA time zone ``name`` (``Europe/Paris``; ``UTC``).

    Raises:
        ValueError: If the zone is unknown.
    """
    if name.upper() == "UTC":
        return timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}; expected an IANA zone such as Europe/Paris or UTC"
        ) from None


@dataclass(frozen=True)
class Clock:
    """Wall-clock time of a run: the start (``origin``) and whether it has a date.

    Attributes:
        origin: When the run starts (model time 0); aware when the start names a zone or
            an offset. Undated clocks count from :data:`UNDATED_DAY`.
        dated: Whether the start names a date (False for a clock time only or no start).
        zone_name: The zone as the start named it (``Europe/Paris``, ``+01:00``), or ``""``.
    """

    origin: datetime = datetime.combine(UNDATED_DAY, time())
    dated: bool = False
    zone_name: str = ""

    # ------------------------------------------------------------------ seconds -> clock
    def datetime_at(self, seconds: float) -> datetime:
        """The date-time ``seconds`` after the start (elapsed time, across DST changes).

        Raises:
            OverflowError: For a time past the year 9999 (times in a run are within a
                year of the start; see :meth:`datetimes` for columns that may hold more).
        """
        if self.origin.tzinfo is None:
            return self.origin + timedelta(seconds=float(seconds))
        utc = self.origin.astimezone(timezone.utc) + timedelta(seconds=float(seconds))
        return utc.astimezone(self.origin.tzinfo)

    def datetimes(self, seconds: Iterable[float] | np.ndarray | pd.Series) -> pd.DatetimeIndex:
        """The date-times of many model times (seconds from the start).

        NaN, infinite and absurd times (beyond :data:`MAX_CLOCK_SECONDS`) give ``NaT``.
        """
        values = np.array(seconds, dtype=float, copy=True).reshape(-1)
        values[~(np.abs(values) <= MAX_CLOCK_SECONDS)] = np.nan
        offsets = pd.to_timedelta(values, unit="s")
        index: pd.DatetimeIndex = pd.DatetimeIndex(pd.Timestamp(self.origin) + offsets)
        return index

    def hhmm(self, seconds: float) -> str:
        """The time of day ``HH:MM`` of a model time (seconds from the start)."""
        return self.datetime_at(seconds).strftime("%H:%M")

    def day_number(self, seconds: float) -> int:
        """The calendar day of a model time, 1 on the start's day."""
        return (self.datetime_at(seconds).date() - self.origin.date()).days + 1

    def label(self, seconds: float, *, with_day: bool) -> str:
        """``Mon 08:00`` (dated) or ``day 2 08:00`` (undated); ``08:00`` without the day."""
        text = self.hhmm(seconds)
        if not with_day:
            return text
        if self.dated:
            return f"{WEEKDAYS[self.datetime_at(seconds).weekday()]} {text}"
        return f"day {self.day_number(seconds)} {text}"

    def multi_day(self, horizon_s: float) -> bool:
        """Whether a run of ``horizon_s`` seconds reaches past the start's calendar day."""
        last = max(float(horizon_s) - 1e-6, 0.0)
        return self.day_number(last) > 1

    def clock_columns(
        self, seconds: Iterable[float] | np.ndarray | pd.Series, horizon_s: float
    ) -> dict[str, np.ndarray]:
        """Clock columns for a table whose rows start at ``seconds`` from the start.

        Returns:
            One object array per column, ``None`` where a time is NaN: ``clock``
            (``HH:MM``) always; ``datetime`` (ISO 8601, with the offset when the
            start names a zone) when dated; ``weekday`` (Mon..Sun) when dated and the run
            spans several days; ``day`` (1, 2, ...) when undated and multi-day.
        """
        moments = self.datetimes(seconds)
        known = np.logical_not(np.asarray(moments.isna()))
        local = moments.tz_localize(None) if moments.tz is not None else moments  # wall time
        local = local.as_unit("s")
        epoch_s = np.where(known, local.asi8, 0)
        minute_of_day = (epoch_s // 60) % 1440
        columns: dict[str, np.ndarray] = {"clock": _texts(_HHMM[minute_of_day], known)}
        several = self.multi_day(horizon_s)
        if self.dated:
            text = np.datetime_as_string(local.to_numpy(), unit="s").astype(object)
            if moments.tz is not None:
                utc = moments.tz_convert("UTC").tz_localize(None).as_unit("s")
                offset_s = np.where(known, local.asi8 - utc.asi8, 0)
                zones, which = np.unique(offset_s, return_inverse=True)
                names = np.asarray([_offset_text(int(value)) for value in zones], dtype=object)
                text = text + names[which]
            columns["datetime"] = _texts(text, known)
            if several:
                days = np.nan_to_num(np.asarray(local.day_of_week, dtype=float)).astype(int)
                columns["weekday"] = _texts(np.asarray(WEEKDAYS, dtype=object)[days], known)
        elif several:
            first = pd.Timestamp(self.origin.date())
            days = np.asarray((local.normalize() - first).days, dtype=float) + 1
            columns["day"] = (days.astype(np.int64) if bool(known.all())
                              else _texts(np.nan_to_num(days).astype(np.int64).astype(object),
                                          known))
        return columns

    # ------------------------------------------------------------------ clock -> seconds
    def offset_of(self, text: str) -> float:
        """Seconds from the start of a clock time or a date-time written in a scenario.

        A clock time (``07:00``, ``07:00:30``, ``24:00``) is that time on the start's day;
        a date-time (``2026-03-02 07:00``, needs a dated start) is converted with the
        start's zone when it names none.

        Raises:
            ValueError: For a time before the start (naming the start and how to write a
                later day), a date-time with an undated start, or text that is neither.
        """
        written = text.strip()
        if is_clock_time(written):
            of_day = parse_clock_time(written)
            origin = self.origin.replace(tzinfo=None)
            since_midnight = (origin - datetime.combine(origin.date(), time())).total_seconds()
            offset = of_day - since_midnight
            if offset < -1e-9:
                raise ValueError(
                    f"{written} is before the start ({self.describe_start()}); a time on a "
                    f"later day is written as a duration from the start such as "
                    f"{_duration_hint(offset + SECONDS_PER_DAY)}"
                    + (" or a date-time such as "
                       f"\"{(origin.date() + timedelta(days=1)).isoformat()} {written}\""
                       if self.dated else "")
                )
            if self.origin.tzinfo is not None:  # elapsed seconds, across a DST change
                moment = datetime.combine(origin.date(), time()) + timedelta(seconds=of_day)
                return self.elapsed_to(moment.replace(tzinfo=self.origin.tzinfo))
            return offset
        if not _DATE_TIME.match(written):
            raise ValueError(f"expected {TIME_POINT_HELP}, found {written!r}")
        if not self.dated:
            raise ValueError(
                f"{written} is a date-time but the scenario's start "
                f"({self.describe_start()}) has no date; give start a date "
                "(start: \"2026-03-02 08:00\") or write a clock time or a duration"
            )
        moment = parse_date_time(written, default_zone=self.origin.tzinfo)
        if moment.tzinfo is not None and self.origin.tzinfo is None:
            raise ValueError(
                f"{written} names a time zone but the start ({self.describe_start()}) "
                "names none; give the start a zone or write the date-time without one"
            )
        offset = self.elapsed_to(moment)
        if offset < -1e-9:
            raise ValueError(f"{written} is before the start ({self.describe_start()})")
        return offset

    def elapsed_to(self, moment: datetime) -> float:
        """Seconds from the start to ``moment`` (aware when the clock is)."""
        if self.origin.tzinfo is None:
            return (moment - self.origin).total_seconds()
        return (moment.astimezone(timezone.utc)
                - self.origin.astimezone(timezone.utc)).total_seconds()

    def describe_start(self) -> str:
        """The start as a person reads it: ``Mon 2026-03-02 08:00 Europe/Paris`` or ``08:00``."""
        if not self.dated:
            return self.origin.strftime("%H:%M")
        text = f"{WEEKDAYS[self.origin.weekday()]} {self.origin.strftime('%Y-%m-%d %H:%M')}"
        return f"{text} {self.zone_name}" if self.zone_name else text


_HHMM = np.asarray([f"{minute // 60:02d}:{minute % 60:02d}" for minute in range(1440)],
                   dtype=object)


def _offset_text(seconds: int) -> str:
    """``+01:00`` for 3600 s east of UTC."""
    sign = "-" if seconds < 0 else "+"
    minutes = abs(seconds) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _texts(values: Iterable[object], known: np.ndarray) -> np.ndarray:
    """An object array of texts, ``None`` where the time is unknown (NaN seconds)."""
    out = np.asarray(list(values), dtype=object)
    out[~np.asarray(known, dtype=bool)] = None
    return out


def _duration_hint(seconds: float) -> str:
    hours = seconds / 3600.0
    if abs(hours - round(hours, 2)) < 1e-9:
        return f"{hours:g}h"
    return f"{seconds / 60.0:g}m"


# -------------------------------------------------------------------------- the start
def normalize_start(value: object) -> object:
    """The ``start`` of a scenario in one canonical text, or ``value`` for pydantic to refuse.

    Accepts the text forms of :data:`START_HELP` and Python ``datetime``/``date``/``time``
    objects; returns ``"2026-03-02 08:00"`` (seconds when given), with `` Europe/Paris``
    or ``+01:00`` when the start names a zone, or ``"08:00"`` for a clock time.

    Raises:
        ValueError: ``expected a start such as ...`` for anything else.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return _canonical(value, _zone_text(value))
    if isinstance(value, date):
        return value.isoformat() + " 00:00"
    if isinstance(value, time):
        return _hhmm_text(value.hour * 3600.0 + value.minute * 60 + value.second)
    if isinstance(value, str):
        text = value.strip()
        if is_clock_time(text):
            seconds = parse_clock_time(text)
            if seconds >= SECONDS_PER_DAY:
                raise ValueError(f"expected {START_HELP}; 24:00 is the next day's 00:00")
            return _hhmm_text(seconds)
        match = _DATE_TIME.match(text)
        if match is not None:
            moment = parse_date_time(text)
            zone = match.group("zone") or (
                _iso_offset(match.group("offset")) if match.group("offset") else ""
            )
            return _canonical(moment, zone)
    raise ValueError(f"expected {START_HELP}, found {value!r}")


def _zone_text(moment: datetime) -> str:
    """``Europe/Paris`` for a ZoneInfo, ``+01:00`` for a fixed offset, ``""`` when naive."""
    if moment.tzinfo is None:
        return ""
    key = getattr(moment.tzinfo, "key", None)
    if isinstance(key, str):
        return key
    offset = moment.utcoffset() or timedelta()
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _hhmm_text(seconds: float) -> str:
    whole, fraction = divmod(seconds, 60.0)
    text = f"{int(whole) // 60:02d}:{int(whole) % 60:02d}"
    return f"{text}:{fraction:02g}" if fraction else text


def _canonical(moment: datetime, zone: str) -> str:
    of_day = moment.hour * 3600.0 + moment.minute * 60 + moment.second
    text = f"{moment.date().isoformat()} {_hhmm_text(of_day)}"
    if not zone:
        return text
    return f"{text}{zone}" if zone[0] in "+-" else f"{text} {zone}"


@lru_cache(maxsize=256)
def clock_of(start: str | None) -> Clock:
    """The :class:`Clock` of a scenario's (normalized) ``start``; 00:00 undated if None."""
    if start is None:
        return Clock()
    if is_clock_time(start):
        seconds = parse_clock_time(start)
        return Clock(origin=datetime.combine(UNDATED_DAY, time()) + timedelta(seconds=seconds))
    match = _DATE_TIME.match(start)
    if match is None:
        raise ValueError(f"expected {START_HELP}, found {start!r}")
    moment = parse_date_time(start)
    zone = match.group("zone") or (
        _iso_offset(match.group("offset")) if match.group("offset") else ""
    )
    return Clock(origin=moment, dated=True, zone_name=zone)


# ------------------------------------------------------------- time points in a schema
_VALIDATING_CLOCK: ContextVar[Clock | None] = ContextVar("validating_clock", default=None)


@contextmanager
def validating_with(clock: Clock) -> Iterator[None]:
    """Read the time points validated inside the ``with`` block against ``clock``."""
    token = _VALIDATING_CLOCK.set(clock)
    try:
        yield
    finally:
        _VALIDATING_CLOCK.reset(token)


def parse_time_point(value: object) -> object:
    """A time point as seconds from the start: a duration, a clock time or a date-time.

    A pydantic ``BeforeValidator``: numbers and durations (``7h``) pass to the duration
    parser's result; text written as a clock time or a date-time is read with the clock of
    the scenario being validated (00:00 undated outside one, see :func:`validating_with`).

    Raises:
        ValueError: For a time before the start, a date-time with an undated start, or
            text that is none of the three.
    """
    from sim.scenario.units import parse_duration  # units imports this module's patterns

    if isinstance(value, (datetime, date, time)):
        value = normalize_start(value)
    if isinstance(value, str) and (is_clock_time(value) or _DATE_TIME.match(value)):
        clock = _VALIDATING_CLOCK.get() or Clock()
        written = value.strip()
        try:
            return clock.offset_of(written)
        except ValueError as error:
            reason = str(error)
            if reason.startswith(f"{written} "):  # "07:00 is before the start ..."
                reason = f"found {written!r}, which {reason[len(written) + 1:]}"
            raise ValueError(reason) from None
    try:
        return parse_duration(value)
    except ValueError:
        raise ValueError(f"expected {TIME_POINT_HELP}, found {value!r}") from None
