"""Reading and checking an Omni-Channel export: the CSV files a Salesforce admin can produce.

The files are Data Loader / Bulk API 2.0 query results: a header of field API names, UTF-8
with or without a byte-order mark, comma-separated by default (the other Bulk API
delimiters by name: ``TAB``, ``SEMICOLON``, ``PIPE``, ``CARET``, ``BACKQUOTE``), LF or CRLF
line ends, date-times in ISO 8601 with ``Z`` or an offset. Columns beyond those used are
ignored and never kept in memory (``usecols``).

A bad export raises :class:`ExportError`, one line per problem naming the file, the row
(the header is row 1) and the column; nothing is computed from it. Date-times are read as
UTC timestamps (a file whose date-times all lack an offset is read as UTC, and said so).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from sim.salesforce import fields

DELIMITERS: dict[str, str] = {
    "COMMA": ",",
    "TAB": "\t",
    "SEMICOLON": ";",
    "PIPE": "|",
    "CARET": "^",
    "BACKQUOTE": "`",
}
"""The Bulk API 2.0 ``columnDelimiter`` names and the character each stands for."""

REPORT_DATE_FORMATS: dict[str, tuple[str, ...]] = {
    "us": ("%m/%d/%Y %I:%M %p", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S"),
    "day-first": ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %I:%M %p",
                  "%d/%m/%Y %I:%M:%S %p", "%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S"),
}
"""Report-export date-time forms by ``--date-format`` name (``us``: ``11/2/2026 8:00 AM``,
month first; ``day-first``: ``2/11/2026 08:00``), besides ISO 8601. They carry no offset:
read in the zone given with them."""

DATE_FORMATS = ("iso", *REPORT_DATE_FORMATS)
"""Every ``--date-format`` name; ``iso`` (the default) reads ISO 8601 only."""

REPORT_DATE = re.compile(r"^\d{1,2}[/.]\d{1,2}[/.]\d{4}[ T]\d{1,2}:\d{2}")
"""A value that looks like a report's date-time (for the hint to ``--date-format``)."""

ID_COLUMNS = frozenset({
    "Id", "WorkItemId", "UserId", "ServiceChannelId", "OriginalQueueId", "OriginalGroupId",
    "OwnerId", "MessagingChannelId", "ServicePresenceStatusId", "ConversationId",
})
"""Columns holding Salesforce record Ids (a report writes them in their 15-character form)."""

SHORT_ID = re.compile(r"^[0-9A-Za-z]{15}$")
"""A 15-character (case-sensitive) Salesforce Id."""

ISO_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?"
    r"(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?$"
)
"""An ISO 8601 date-time with an optional ``Z`` or offset (``+01:00``, ``+0100``, ``+01``)."""

_ZONED = ISO_DATETIME.match("2000-01-01T00:00Z")
"""A match standing for a report date-time: read in a given zone, so it has one."""

MAX_LISTED = 3
"""Rows named per problem and column; the rest are counted."""

EARLIEST = pd.Timestamp("1678-01-01", tz="UTC")
LATEST = pd.Timestamp("2262-01-01", tz="UTC")
"""The date-times an export may hold (what a nanosecond time stamp can)."""

MAX_SPAN_DAYS = 366
"""Days an export's work and sessions may span (the longest horizon of a scenario)."""

SPAN_FILES = ("AgentWork.csv", "MessagingSession.csv", "ConversationEntry.csv",
              "UserServicePresence.csv")
"""The files whose date-times set the calibrated scenario's clock and horizon."""

POSITIVE_NUMBERS = ("CapacityWeight", "CapacityPercentage")
"""Numeric columns that must be above 0 where given; every other one at least 0."""


@dataclass(frozen=True)
class FileSpec:
    """What calibration reads from one export file.

    Attributes:
        name: the file name in the export folder.
        required: columns that must be in the header; a tuple inside is a set of
            alternatives of which one must be there (``("OriginalQueueId",
            "OriginalGroupId")``).
        optional: columns read when present.
        datetimes: date-time columns (ISO 8601).
        numbers: numeric columns.
        id_column: the column whose values must be unique, if any.
        ordered: ``(earlier, later)`` pairs: ``later`` must not be before ``earlier``.
        needed: the export must contain this file.
    """

    name: str
    required: tuple[str | tuple[str, ...], ...]
    optional: tuple[str, ...] = ()
    datetimes: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    id_column: str | None = None
    ordered: tuple[tuple[str, str], ...] = ()
    needed: bool = True

    @property
    def columns(self) -> list[str]:
        """Every column this spec may read."""
        names: list[str] = []
        for entry in self.required:
            names.extend(entry if isinstance(entry, tuple) else (entry,))
        names.extend(self.optional)
        return names


AGENT_WORK = FileSpec(
    name=fields.AGENT_WORK_FILE,
    required=(
        "Id", "WorkItemId", "UserId", "ServiceChannelId", ("OriginalQueueId", "OriginalGroupId"),
        "RequestDateTime", "AssignedDateTime", "AcceptDateTime", "CloseDateTime",
        "CapacityModel", "Status",
    ),
    optional=(
        "DeclineDateTime", "PushTimeoutDateTime", "CancelDateTime", "SpeedToAnswer",
        "HandleTime", "ActiveTime", "AfterConversationActualTime", "CapacityWeight",
        "CapacityPercentage",
    ),
    datetimes=(
        "RequestDateTime", "AssignedDateTime", "AcceptDateTime", "DeclineDateTime",
        "PushTimeoutDateTime", "CancelDateTime", "CloseDateTime",
    ),
    numbers=(
        "SpeedToAnswer", "HandleTime", "ActiveTime", "AfterConversationActualTime",
        "CapacityWeight", "CapacityPercentage",
    ),
    id_column="Id",
    ordered=(("RequestDateTime", "AssignedDateTime"), ("AssignedDateTime", "AcceptDateTime"),
             ("AcceptDateTime", "CloseDateTime")),
)
MESSAGING_SESSION = FileSpec(
    name=fields.MESSAGING_SESSION_FILE,
    required=(
        "Id", "ChannelType", "Origin", "Status", "StartTime", "AcceptTime", "EndTime",
        "AgentMessageCount", "EndUserMessageCount",
    ),
    optional=("MessagingChannelId", "ChannelName", "ChannelKind", "EndedByType", "OwnerId",
              "AgentType"),
    datetimes=("StartTime", "AcceptTime", "EndTime"),
    numbers=("AgentMessageCount", "EndUserMessageCount"),
    id_column="Id",
    ordered=(("StartTime", "AcceptTime"), ("StartTime", "EndTime")),
)
USER_SERVICE_PRESENCE = FileSpec(
    name=fields.USER_SERVICE_PRESENCE_FILE,
    required=("UserId", "ServicePresenceStatusId", "StatusStartDate", "ConfiguredCapacity"),
    optional=("Id", "StatusEndDate", "StatusDuration", "IsAway", "AtCapacityDuration",
              "IdleDuration"),
    datetimes=("StatusStartDate", "StatusEndDate"),
    numbers=("StatusDuration", "ConfiguredCapacity", "AtCapacityDuration", "IdleDuration"),
    id_column="Id",
    ordered=(("StatusStartDate", "StatusEndDate"),),
)
SERVICE_PRESENCE_STATUS = FileSpec(
    name=fields.SERVICE_PRESENCE_STATUS_FILE,
    required=("Id", "DeveloperName"),
    optional=("MasterLabel",),
    id_column="Id",
)
CONVERSATION_ENTRY = FileSpec(
    name=fields.CONVERSATION_ENTRY_FILE,
    required=("ConversationId", "ActorType", "EntryTime"),
    optional=("Seq", "Id"),
    datetimes=("EntryTime",),
    numbers=("Seq",),
    id_column="Id",
    needed=False,
)
USERS = FileSpec(
    name=fields.USERS_FILE,
    required=("UserId", "Group"),
    id_column="UserId",
    needed=False,
)
MESSAGING_CHANNEL = FileSpec(
    name=fields.MESSAGING_CHANNEL_FILE,
    required=("Id", "DeveloperName"),
    optional=("MasterLabel", "MessageType"),
    id_column="Id",
    needed=False,
)
QUEUES = FileSpec(
    name=fields.QUEUE_FILE,
    required=("Id", "DeveloperName"),
    id_column="Id",
    needed=False,
)
EXPORT_FILES: tuple[FileSpec, ...] = (
    AGENT_WORK, MESSAGING_SESSION, USER_SERVICE_PRESENCE, SERVICE_PRESENCE_STATUS,
    CONVERSATION_ENTRY, USERS, MESSAGING_CHANNEL, QUEUES,
)
"""Every file calibration reads, in reading order."""


class ExportError(ValueError):
    """A bad export: one line per problem, ``<file>:<row>:<column>: <what is wrong>``."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass
class Export:
    """The tables of one export, each with only the columns used.

    Date-time columns are UTC ``Timestamp`` columns (``NaT`` where empty); numbers are
    floats; every other column is text (``None`` where empty). The ``row`` column is each
    record's row in its file (the header is row 1).

    Attributes:
        directory: the export folder.
        agent_work: ``AgentWork.csv``; ``OriginalGroupId`` is renamed ``OriginalQueueId``.
        sessions: ``MessagingSession.csv``.
        presence: ``UserServicePresence.csv``.
        statuses: ``ServicePresenceStatus.csv``.
        entries: ``ConversationEntry.csv`` when the export has it.
        users: ``users.csv`` (``UserId`` to ``Group``) when the export has it.
        channels: ``MessagingChannel.csv`` (channel Ids to names) when present.
        queues: ``Group.csv`` (queue Ids to names) when present.
        notes: what the reading assumed (date-times without offset read as UTC).
    """

    directory: Path
    agent_work: pd.DataFrame
    sessions: pd.DataFrame
    presence: pd.DataFrame
    statuses: pd.DataFrame
    entries: pd.DataFrame | None = None
    users: pd.DataFrame | None = None
    channels: pd.DataFrame | None = None
    queues: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


def delimiter_character(name: str) -> str:
    """The character of a Bulk API delimiter name (case-insensitive).

    Raises:
        ValueError: for a name that is not a Bulk API delimiter.
    """
    found = DELIMITERS.get(name.upper())
    if found is None:
        raise ValueError(
            f"--delimiter: found {name!r}; allowed: {', '.join(DELIMITERS)}"
        )
    return found


def read_export(directory: str | Path, delimiter: str = "COMMA", date_format: str = "iso",
                report_zone: str = "UTC", need_presence: bool = True) -> Export:
    """Read and check every file of an export folder.

    Headers match the field API names case-insensitively (``ACCEPTDATETIME``, the older
    ``AcceptDatetime``); 15-character Ids (a report's) are read as their 18-character form,
    so they join with the 18-character Ids of a Data Loader export.

    Args:
        directory: the folder holding ``AgentWork.csv``, ``MessagingSession.csv``,
            ``UserServicePresence.csv``, ``ServicePresenceStatus.csv`` and optionally
            ``ConversationEntry.csv`` and ``users.csv``.
        delimiter: the Bulk API delimiter name of every file (``COMMA`` by default).
        date_format: ``iso`` (ISO 8601 only, the default) or a report form of
            :data:`REPORT_DATE_FORMATS` (``us``: ``11/2/2026 8:00 AM``), also accepted.
        report_zone: the IANA zone that report-form date-times are in (they carry none).
        need_presence: whether ``UserServicePresence.csv`` and ``ServicePresenceStatus.csv``
            must be there (not when the staffing comes from elsewhere); without them the
            export's ``presence`` and ``statuses`` are empty tables.

    Returns:
        The checked tables.

    Raises:
        ExportError: one line per problem (missing file or column, unreadable text, not
            CSV, bad date-times or numbers, duplicate Ids, a close before its accept).
        ValueError: for an unknown delimiter name.
    """
    folder = Path(directory)
    separator = delimiter_character(delimiter)
    if date_format not in DATE_FORMATS:
        raise ValueError(f"--date-format: found {date_format!r}; allowed: "
                         f"{', '.join(DATE_FORMATS)}")
    if not folder.is_dir():
        raise ExportError([f"{folder}: not a folder; expected the folder of the export CSVs"])
    problems: list[str] = []
    tables: dict[str, pd.DataFrame | None] = {}
    zones: dict[str, tuple[str, int, str, bool]] = {}
    notes: list[str] = []
    for spec in EXPORT_FILES:
        path = folder / spec.name
        needed = spec.needed and (need_presence or spec not in PRESENCE_FILES)
        if not path.is_file():
            if needed:
                problems.append(
                    f"{path}: missing; an export needs "
                    + ", ".join(s.name for s in EXPORT_FILES if s.needed)
                    + (" (without presence: give --schedule FILE or --staffing-from-work)"
                       if spec in PRESENCE_FILES else "")
                )
            tables[spec.name] = None
            continue
        reader = _FileReader(path, spec, separator, date_format, report_zone)
        table = reader.read()
        problems.extend(reader.problems)
        notes.extend(reader.notes)
        tables[spec.name] = table
        zones.update(reader.zones)
    problems.extend(_mixed_zone_problems(zones))
    if not problems:
        problems.extend(_span_problems(tables, folder))
        problems.extend(rowless_file_problems(folder, tables, need_presence))
    if problems:
        raise ExportError(problems)
    if zones and not any(has_zone for *_, has_zone in zones.values()):
        notes.append("date-times carry no offset: read as UTC")
    agent_work = tables[AGENT_WORK.name]
    sessions = tables[MESSAGING_SESSION.name]
    presence = tables[USER_SERVICE_PRESENCE.name]
    statuses = tables[SERVICE_PRESENCE_STATUS.name]
    assert agent_work is not None and sessions is not None  # needed files, no problems
    if presence is None:
        presence = _empty(USER_SERVICE_PRESENCE)
    if statuses is None:
        statuses = _empty(SERVICE_PRESENCE_STATUS)
    if "OriginalGroupId" in agent_work.columns and "OriginalQueueId" not in agent_work.columns:
        agent_work = agent_work.rename(columns={"OriginalGroupId": "OriginalQueueId"})
    return Export(
        directory=folder,
        agent_work=agent_work,
        sessions=sessions,
        presence=presence,
        statuses=statuses,
        entries=tables[CONVERSATION_ENTRY.name],
        users=tables[USERS.name],
        channels=tables[MESSAGING_CHANNEL.name],
        queues=tables[QUEUES.name],
        notes=notes,
    )


PRESENCE_FILES = (USER_SERVICE_PRESENCE, SERVICE_PRESENCE_STATUS)
"""The files of the agents' presence (not needed when the staffing comes from elsewhere)."""

ROWS_NEEDED = (AGENT_WORK, MESSAGING_SESSION, USER_SERVICE_PRESENCE, SERVICE_PRESENCE_STATUS)
"""Files that must hold at least one record: calibration has nothing to fit without them."""


def rowless_file_problems(folder: Path, tables: dict[str, pd.DataFrame | None],
                          need_presence: bool = True) -> list[str]:
    """One problem line per needed file that has a header and no rows.

    A header-only ``AgentWork.csv`` (a query that matched nothing: a wrong date filter)
    would otherwise calibrate a center without work; the export is refused instead.
    """
    problems = []
    for spec in ROWS_NEEDED:
        if not need_presence and spec in PRESENCE_FILES:
            continue
        table = tables.get(spec.name)
        if table is not None and table.empty:
            problems.append(f"{folder / spec.name}: a header and no rows; expected one row "
                            "per record (did the query's filter match nothing?)")
    return problems


def _empty(spec: FileSpec) -> pd.DataFrame:
    """A table of ``spec`` with its required columns and no rows."""
    columns = ["row", *(entry[0] if isinstance(entry, tuple) else entry
                        for entry in spec.required)]
    table = pd.DataFrame({column: pd.Series(dtype=object) for column in columns})
    for column in spec.datetimes:
        if column in table.columns:
            table[column] = pd.Series(dtype="datetime64[ns, UTC]")
    for column in spec.numbers:
        if column in table.columns:
            table[column] = pd.Series(dtype=float)
    return table


class _FileReader:
    """Reads one file against its spec, collecting problem lines."""

    def __init__(self, path: Path, spec: FileSpec, separator: str, date_format: str = "iso",
                 report_zone: str = "UTC") -> None:
        self.path = path
        self.spec = spec
        self.separator = separator
        self.date_format = date_format
        self.report_zone = report_zone
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.renamed: dict[str, str] = {}
        """Header name to the field API name it stands for (another case or spelling)."""
        self.zones: dict[str, tuple[str, int, str, bool]] = {}
        """Per date-time column: (file, first row, column, whether it has an offset)."""

    def problem(self, row: int | None, column: str | None, text: str) -> None:
        where = str(self.path)
        if row is not None:
            where += f":{row}"
        if column is not None:
            where += f":{column}"
        self.problems.append(f"{where}: {text}")

    def read(self) -> pd.DataFrame | None:
        header = self.header()
        if header is None:
            return None
        wanted = [name for name in header if name in self.spec.columns
                  or name in self.renamed]
        try:
            table = pd.read_csv(
                self.path,
                sep=self.separator,
                usecols=wanted,
                dtype=str,
                keep_default_na=False,
                encoding="utf-8-sig",
                engine="c",
                skip_blank_lines=True,
            )
        except UnicodeDecodeError as error:
            self.problem(self.row_of_offset(error.start), None,
                         f"not UTF-8 text (byte 0x{error.object[error.start]:02x}); expected a "
                         "UTF-8 CSV (with or without BOM)")
            return None
        except (pd.errors.ParserError, csv.Error) as error:
            self.problem(_parser_row(str(error)), None,
                         f"not CSV with {self.delimiter_name()} delimiters ({_short(error)})")
            return None
        table = table.replace("", None).rename(columns=self.renamed)
        table.insert(0, "row", np.arange(2, len(table) + 2))
        self.normalise_ids(table)
        self.convert(table)
        if self.problems:
            return None
        self.check_unique(table)
        self.check_order(table)
        return table

    def delimiter_name(self) -> str:
        return next(name for name, char in DELIMITERS.items() if char == self.separator)

    def row_of_offset(self, offset: int) -> int:
        with self.path.open("rb") as handle:
            return handle.read(offset).count(b"\n") + 1

    def header(self) -> list[str] | None:
        """The header's column names, or ``None`` (with a problem) if the file is unusable.

        One streaming pass checks the whole file: UTF-8 text, no binary data, and every
        record with as many fields as the header (the table itself is read by pandas with
        only the columns used).
        """
        with self.path.open("rb") as handle:
            head = handle.read(4096)
        if not head.removeprefix(b"\xef\xbb\xbf").strip():
            self.problem(None, None, "empty file; expected a header of field API names "
                         "and one row per record")
            return None
        if b"\x00" in head:
            self.problem(1, None, "not CSV (binary data); expected a UTF-8 CSV export")
            return None
        names: list[str] | None = None
        row = 0
        line_number = 0

        def decoded(handle: BinaryIO) -> Iterator[str]:
            nonlocal line_number
            for line_number, raw in enumerate(handle, start=1):
                yield raw.decode("utf-8-sig" if line_number == 1 else "utf-8")

        try:
            with self.path.open("rb") as handle:
                for row, fields in enumerate(csv.reader(decoded(handle),
                                                        delimiter=self.separator,
                                                        strict=True), start=1):
                    if names is None:
                        names = [name.strip() for name in fields]
                        if not self.match_names(names) or not self.header_usable(
                                [self.renamed.get(name, name) for name in names]):
                            return None
                    elif fields and len(fields) != len(names):
                        self.problem(row, None, f"not CSV: {len(fields)} fields where the "
                                     f"header has {len(names)} (with "
                                     f"{self.delimiter_name()} delimiters)")
                        return None
        except UnicodeDecodeError:
            self.problem(line_number, None, "not UTF-8 text; expected a UTF-8 CSV (with or "
                         "without BOM)")
            return None
        except csv.Error as error:
            self.problem(row + 1, None, f"not CSV ({_short(error)})")
            return None
        return names

    def match_names(self, names: list[str]) -> bool:
        """Match header names to the field API names case-insensitively.

        Fills :attr:`renamed` and notes each name read in another case or spelling
        (``AcceptDatetime``, the older spelling, is ``AcceptDateTime``); two header
        columns standing for one field are a problem.
        """
        known = {name.lower(): name for name in self.spec.columns}
        taken: dict[str, str] = {}
        for name in names:
            field_name = name if name in self.spec.columns else known.get(name.lower())
            if field_name is None:
                continue
            if field_name in taken:
                self.problem(1, name, f"the header has both {taken[field_name]!r} and "
                             f"{name!r}; expected one column per field")
                return False
            taken[field_name] = name
            if field_name != name:
                self.renamed[name] = field_name
        if self.renamed:
            self.notes.append(f"{self.path.name}: header " + ", ".join(
                f"{name} read as {field_name}" for name, field_name in self.renamed.items()))
        return True

    def normalise_ids(self, table: pd.DataFrame) -> None:
        """15-character Ids to their 18-character form (a report's Ids join a query's)."""
        changed = []
        for column in ID_COLUMNS.intersection(table.columns):
            text = table[column]
            short = text.str.fullmatch(SHORT_ID).fillna(False).to_numpy(dtype=bool)
            if short.any():
                table.loc[short, column] = [fields.with_checksum(value)
                                            for value in text[short]]
                changed.append(f"{column} ({int(short.sum())})")
        if changed:
            self.notes.append(f"{self.path.name}: 15-character Ids read as their "
                              f"18-character form in {', '.join(sorted(changed))}")

    def header_usable(self, names: list[str]) -> bool:
        """Whether the header has every required column (else one problem line)."""
        present = [
            entry for entry in self.spec.required
            if any(name in names for name in (entry if isinstance(entry, tuple) else (entry,)))
        ]
        missing = [entry for entry in self.spec.required if entry not in present]
        if not missing:
            return True
        labels = [" or ".join(e) if isinstance(e, tuple) else e for e in missing]
        first = self.separator.join(names)
        if not present:
            other = [name for name, char in DELIMITERS.items()
                     if char != self.separator and char in first]
            hint = f"; give --delimiter {other[0]}" if len(names) == 1 and other else ""
            self.problem(1, None, f"not a {self.spec.name} export with "
                         f"{self.delimiter_name()} delimiters: the header "
                         f"({_short(first)}) has none of the field API names "
                         f"{', '.join(labels)}{hint}")
            return False
        self.problem(1, labels[0], "missing required column" + (
            f" (and {', '.join(labels[1:])})" if len(labels) > 1 else ""
        ) + "; the header needs the field API names " + ", ".join(
            " or ".join(e) if isinstance(e, tuple) else e for e in self.spec.required))
        return False

    def convert(self, table: pd.DataFrame) -> None:
        rows = table["row"].to_numpy()
        for column in self.spec.datetimes:
            if column in table.columns:
                table[column] = self.datetimes(table[column], column, rows)
        for column in self.spec.numbers:
            if column in table.columns:
                text = table[column]
                values = pd.to_numeric(text, errors="coerce").astype(float)
                bad = np.flatnonzero(values.isna().to_numpy() & text.notna().to_numpy())
                if len(bad):
                    self.listed(rows[bad], column, [f"found {text.iloc[i]!r}" for i in bad],
                                "expected a number")
                numbers = values.to_numpy()
                positive = column in POSITIVE_NUMBERS
                with np.errstate(invalid="ignore"):
                    wrong = ~np.isnan(numbers) & (~np.isfinite(numbers) | (
                        numbers <= 0 if positive else numbers < 0))
                if wrong.any():
                    at = np.flatnonzero(wrong)
                    self.listed(rows[at], column, [f"found {text.iloc[i]!r}" for i in at],
                                "expected a finite number "
                                + ("above 0" if positive else "of at least 0"))
                table[column] = values

    def datetimes(self, text: pd.Series, column: str, rows: np.ndarray) -> pd.Series:
        present = text.notna().to_numpy()
        values = text.to_numpy(dtype=object)
        matches = [ISO_DATETIME.match(str(value)) if ok else None
                   for value, ok in zip(values, present, strict=True)]
        bad = [i for i, (match, ok) in enumerate(zip(matches, present, strict=True))
               if ok and match is None]
        parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
        good = np.array([match is not None for match in matches], dtype=bool)
        if good.any():
            converted = pd.to_datetime(text[good], format="ISO8601", utc=True, errors="coerce")
            inside = (converted >= EARLIEST) & (converted < LATEST)
            far = np.flatnonzero(good)[(converted.notna() & ~inside).to_numpy()]
            if len(far):
                self.listed(rows[far], column, [f"found {values[i]!r}" for i in far],
                            f"expected a date-time from {EARLIEST.year} to {LATEST.year - 1}")
                return parsed
            parsed[good] = converted
            bad.extend(np.flatnonzero(good)[converted.isna().to_numpy()].tolist())
        reported = np.zeros(len(values), dtype=bool)
        if bad and self.date_format in REPORT_DATE_FORMATS:
            bad, reported = self.report_datetimes(text, bad, parsed)
        if bad:
            bad.sort()
            hint = ""
            if self.date_format == "iso" and any(REPORT_DATE.match(str(values[i])) for i in bad):
                hint = (" (a report's date-times such as 11/2/2026 8:00 AM: give --date-format "
                        "us, or day-first)")
            allowed = ("expected an ISO 8601 date-time such as 2026-03-02T08:00:00.000Z"
                       if self.date_format == "iso" else
                       f"expected ISO 8601 or the {self.date_format} report form "
                       f"({', '.join(REPORT_DATE_FORMATS[self.date_format][:2])})")
            self.listed(rows[bad], column, [f"found {values[i]!r}" for i in bad],
                        allowed + hint)
            return parsed
        if reported.any():
            good = good | reported
            matches = [match if match is not None or not is_report else _ZONED
                       for match, is_report in zip(matches, reported, strict=True)]
        zoned = np.array([match is not None and match.group("zone") is not None
                          for match in matches], dtype=bool)
        naive = good & ~zoned
        if zoned.any() and naive.any():
            first_naive = int(np.flatnonzero(naive)[0])
            first_zoned = int(np.flatnonzero(zoned)[0])
            self.problem(int(rows[first_naive]), column,
                         f"date-time {values[first_naive]!r} has no offset but row "
                         f"{rows[first_zoned]} has one ({values[first_zoned]!r}); expected "
                         "Z or an offset on every date-time")
        elif good.any():
            first = int(np.flatnonzero(good)[0])
            self.zones[f"{self.path.name}:{column}"] = (
                str(self.path), int(rows[first]), column, bool(zoned.any())
            )
        return parsed

    def report_datetimes(self, text: pd.Series, bad: list[int], parsed: pd.Series
                         ) -> tuple[list[int], np.ndarray]:
        """Parse the values at ``bad`` in the report form, in :attr:`report_zone`.

        Returns the positions still unreadable and a mask of those read (``parsed`` is
        filled in place).
        """
        reported = np.zeros(len(text), dtype=bool)
        left = list(bad)
        for form in REPORT_DATE_FORMATS[self.date_format]:
            if not left:
                break
            converted = pd.to_datetime(text.iloc[left], format=form, errors="coerce")
            ok = converted.notna().to_numpy()
            if ok.any():
                try:
                    local = converted[ok].dt.tz_localize(self.report_zone, ambiguous="NaT",
                                                         nonexistent="NaT")
                except Exception as error:  # an unknown zone name
                    raise ValueError(f"--time-zone {self.report_zone!r}: not a known time "
                                     "zone; expected an IANA name such as Europe/Paris"
                                     ) from error
                at = np.asarray(left)[ok]
                placed = local.notna().to_numpy()
                parsed.iloc[at[placed]] = local[placed].dt.tz_convert("UTC").to_numpy()
                reported[at[placed]] = True
            # Unread, or a clock time the zone skips or repeats (daylight saving): bad.
            left = [i for i in left if not reported[i]]
            if ok.all():
                break
        if reported.any() and not any("report form" in note for note in self.notes):
            self.notes.append(f"{self.path.name}: date-times in the {self.date_format} report "
                              f"form read as clock times in {self.report_zone}")
        return left, reported

    def listed(self, rows: Sequence[int] | np.ndarray, column: str, found: list[str],
               allowed: str) -> None:
        """One line for the first bad rows of a column, counting the others."""
        for row, what in list(zip(rows, found, strict=True))[:MAX_LISTED]:
            self.problem(int(row), column, f"{what}; {allowed}")
        if len(found) > MAX_LISTED:
            self.problem(None, column, f"{len(found) - MAX_LISTED} more rows like these")

    def check_unique(self, table: pd.DataFrame) -> None:
        column = self.spec.id_column
        if column is None or column not in table.columns:
            return
        values = table[column]
        repeated = values.duplicated(keep="first") & values.notna()
        if not repeated.any():
            return
        first_row = table.groupby(column, sort=False)["row"].first()
        rows = table.loc[repeated, "row"].to_numpy()
        found = [f"duplicate {column} {value!r} (first at row {first_row[value]})"
                 for value in values[repeated]]
        self.listed(rows, column, found, f"each {column} must appear once")

    def check_order(self, table: pd.DataFrame) -> None:
        for earlier, later in self.spec.ordered:
            if earlier not in table.columns or later not in table.columns:
                continue
            before = (table[later] < table[earlier]).to_numpy()
            if not before.any():
                continue
            at = np.flatnonzero(before)
            found = [
                f"{_iso(table[later].iloc[i])} is before {earlier} {_iso(table[earlier].iloc[i])}"
                for i in at
            ]
            self.listed(table["row"].to_numpy()[at], later, found,
                        f"{later} must not precede {earlier}")


def _span_problems(tables: dict[str, pd.DataFrame | None], folder: Path) -> list[str]:
    """Date-times far from the export's others (a 2099 among 2026 rows).

    Each date-time of :data:`SPAN_FILES` more than :data:`MAX_SPAN_DAYS` days from the
    median of them all is named (file, row, column).
    """
    columns: list[tuple[str, str, pd.DataFrame]] = []
    for spec in EXPORT_FILES:
        table = tables.get(spec.name)
        if spec.name in SPAN_FILES and table is not None:
            columns.extend((spec.name, column, table) for column in spec.datetimes
                           if column in table.columns)
    stamps = [table[column].dropna() for _, column, table in columns]
    every = pd.concat(stamps) if stamps else pd.Series(dtype="datetime64[ns, UTC]")
    if every.empty:
        return []
    middle = every.sort_values().iloc[len(every) // 2]
    limit = pd.Timedelta(days=MAX_SPAN_DAYS)
    problems: list[str] = []
    for name, column, table in columns:
        far = ((table[column] - middle).abs() > limit).to_numpy()
        for index in np.flatnonzero(far)[:MAX_LISTED]:
            problems.append(
                f"{folder / name}:{table['row'].iloc[index]}:{column}: "
                f"{_iso(table[column].iloc[index])} is more than {MAX_SPAN_DAYS} days from the "
                f"export's other date-times (their median is {_iso(middle)}); expected an "
                f"export of at most {MAX_SPAN_DAYS} days")
        if far.sum() > MAX_LISTED:
            problems.append(f"{folder / name}:{column}: {far.sum() - MAX_LISTED} more rows "
                            "like these")
    return problems


def _mixed_zone_problems(zones: dict[str, tuple[str, int, str, bool]]) -> list[str]:
    """A naive date-time column in an export whose other date-times carry offsets."""
    zoned = [entry for entry in zones.values() if entry[3]]
    naive = [entry for entry in zones.values() if not entry[3]]
    if not zoned or not naive:
        return []
    path, row, column, _ = naive[0]
    zoned_path, zoned_row, zoned_column, _ = zoned[0]
    return [
        f"{path}:{row}:{column}: date-times without offset but {Path(zoned_path).name} "
        f"row {zoned_row} {zoned_column} has one; expected Z or an offset on every date-time"
    ]


def _parser_row(message: str) -> int | None:
    """The file row named in a pandas parser message (``... in line 5 ...``), if any."""
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def _short(value: object, limit: int = 80) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _iso(value: pd.Timestamp) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")
