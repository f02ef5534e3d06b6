"""Reading scenario files: YAML, ``--set`` overrides and CSV arrival profiles, then validation.

:func:`load_scenario` is the one entry point from a file to a validated
:class:`~sim.scenario.schema.Scenario`. Every problem with the input becomes one line of a
:class:`ScenarioError`, of the form ``<file>: <key.path>: <what is wrong>; <what is allowed>``,
so that a user never sees a traceback for a bad scenario.
"""

from __future__ import annotations

import copy
import difflib
import math
import os
import re
import reprlib
import types
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, TypeGuard, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, Tag, ValidationError

from sim.scenario.arrival_csv import MAX_CSV_ROWS, CsvColumns, arrival_volumes
from sim.scenario.clock import Clock, clock_of, normalize_start
from sim.scenario.schema import ArrivalCsv, Scenario, ScenarioRuleError, Seconds
from sim.scenario.units import format_duration, parse_duration
from sim.scenario.yaml_input import (
    MAX_SCENARIO_BYTES,
    YamlInputError,
    is_inside,
    load_yaml,
    read_input_file,
)

PathSegment = Union[str, int]

_FOUND_WIDTH = 60


class ScenarioError(Exception):
    """A scenario file cannot be used; ``problems`` holds one line per problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: list[str] = [_bounded_line(line) for line in problems]
        super().__init__("\n".join(self.problems))

    def __str__(self) -> str:
        return "\n".join(self.problems)


# ------------------------------------------------------------------------------ entry point
def load_scenario(
    path: str | Path, overrides: Sequence[str] = (), *, allow_outside_paths: bool | None = None
) -> Scenario:
    """Read, override, resolve and validate a scenario file.

    Args:
        path: The YAML scenario file.
        overrides: ``key.path=value`` strings (as given to ``--set``), applied in order;
            the value is read as YAML, so ``4``, ``status``, ``80/h`` and ``[1, 2]`` work.
        allow_outside_paths: Let arrival CSV files lie outside the scenario's folder
            (absolute paths, ``..``); by default only when the environment variable
            ``CCSIM_ALLOW_OUTSIDE_PATHS`` is ``1``.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: With one line per problem, each starting with the file name.
    """
    source = str(path)
    raw = load_raw(path)
    raw, origins = _apply(raw, overrides, source)
    csv_files = csv_profile_files(raw)
    problems = resolve_csv_profiles(
        raw, Path(path).parent, source, allow_outside=allow_outside_paths
    )
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as error:
        problems += [_named_csv(line, source, csv_files)
                     for line in validation_problems(error, raw, source, origins)]
    except RecursionError:
        problems.append(f"{source}: (top level): nested too deeply to validate; expected the "
                        "few levels of keys and lists of a scenario")
    except Exception as error:  # a bad input must never end in a traceback
        problems.append(f"{source}: (top level): cannot validate: {_bounded_line(str(error))}; "
                        f"{_report_hint()}")
    if problems:
        raise ScenarioError(problems)
    return scenario


def load_raw(path: str | Path) -> dict[str, Any]:
    """Return the YAML mapping of a scenario file, unvalidated.

    Raises:
        ScenarioError: If the file is missing, unreadable, not YAML or not a mapping.
    """
    source = str(path)
    try:
        data = read_input_file(Path(path), what="a YAML scenario file", limit=MAX_SCENARIO_BYTES)
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise ScenarioError(
            [f"{source}: (file): file not found; expected a YAML scenario file"]
        ) from None
    except UnicodeDecodeError:
        raise ScenarioError(
            [f"{source}: (file): cannot read (not UTF-8 text); expected a UTF-8 YAML file"]
        ) from None
    except ValueError as error:
        raise ScenarioError([f"{source}: (file): {error}"]) from None
    try:
        raw = load_yaml(text)
    except YamlInputError as error:
        raise ScenarioError([f"{source}: {error}"]) from None
    except yaml.YAMLError as error:
        raise ScenarioError([f"{source}: (file): {_yaml_message(error)}"]) from None
    if not isinstance(raw, dict):
        found = "an empty file" if raw is None else f"a {type(raw).__name__} ({_show(raw)})"
        raise ScenarioError(
            [
                f"{source}: (top level): found {found}; expected a mapping of keys such as "
                "channels, queues and agent_groups"
            ]
        )
    return raw


def _yaml_message(error: yaml.YAMLError) -> str:
    """One line for a YAML syntax error, with its line and column."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    context = getattr(error, "context", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    detail = f"{problem} ({context})" if context else problem
    return f"{where}YAML syntax error: {detail}; expected valid YAML"


def _report_hint() -> str:
    return "please report this input to the scenario schema owners"


# -------------------------------------------------------------------------------- overrides
_PART = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)?((?:\[\d+\])*)$")


def parse_key_path(key: str) -> list[PathSegment]:
    """Split ``agent_groups[0].capacity`` or ``agent_groups.0.capacity`` into segments.

    Raises:
        ValueError: If the key path is malformed.
    """
    segments: list[PathSegment] = []
    for part in key.strip().split("."):
        if part.isdigit():
            segments.append(int(part))
            continue
        match = _PART.match(part)
        if not part or match is None or (match.group(1) is None and not segments):
            raise ValueError(f"malformed key path {key!r}")
        if match.group(1):
            segments.append(match.group(1))
        segments.extend(int(index) for index in re.findall(r"\[(\d+)\]", match.group(2)))
    return segments


def apply_overrides(
    raw: dict[str, Any], overrides: Sequence[str], source: str = "--set"
) -> dict[str, Any]:
    """Return a copy of ``raw`` with ``key.path=value`` overrides applied in order.

    A missing section that the schema knows (``timeouts``, ``channels[0].customers``) is
    created empty; any other missing parent is a problem.

    Args:
        raw: The scenario mapping as read from YAML (not modified).
        overrides: ``key.path=value`` strings; values are read as YAML.
        source: The name problems start with (the scenario file).

    Raises:
        ScenarioError: Naming every malformed override or one whose parent does not exist.
    """
    return _apply(raw, overrides, source)[0]


def derive_scenario(
    scenario: Scenario, updates: Mapping[str, Any], source: str = "derived scenario"
) -> Scenario:
    """A re-validated copy of ``scenario`` with values changed (see :meth:`Scenario.derive`).

    Args:
        scenario: The validated scenario to start from (not modified).
        updates: ``{key path: value}``; a key path is what ``--set`` takes
            (``capacity_model``, ``agent_groups[0].agents``, ``service_level.threshold``) and
            a value what the YAML file would hold there (``"80/h"``, ``12``, a mapping, or a
            scenario section such as a :class:`~sim.scenario.schema.Channel`).
        source: The name problem lines start with.

    Raises:
        ScenarioError: One line per problem, ``<source>: <key.path>: <what is wrong>``: a key
            path that does not exist, or a copy that breaks a rule of the schema (such as
            status-based capacity with a standard channel).
    """
    raw = scenario.model_dump()
    problems: list[str] = []
    for key, value in updates.items():
        try:
            _set(raw, parse_key_path(key), _plain(value))
        except ValueError as error:
            problems.append(f"{source}: {key}: {error}")
    if problems:
        raise ScenarioError(problems)
    try:
        return Scenario.model_validate(raw)
    except ValidationError as error:
        raise ScenarioError(validation_problems(error, raw, source)) from None
    except Exception as error:  # a bad copy must never end in a traceback
        raise ScenarioError(
            [f"{source}: (top level): cannot validate: {error}; {_report_hint()}"]
        ) from None


def _plain(value: Any) -> Any:
    """A value as YAML would hold it: scenario sections (models) become mappings."""
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _apply(
    raw: dict[str, Any], overrides: Sequence[str], source: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """Apply overrides; also return which key path each override set (for messages)."""
    result = copy.deepcopy(raw)
    origins: dict[str, str] = {}
    problems: list[str] = []
    for override in overrides:
        try:
            segments, value = _parse_override(override)
            _set(result, segments, value)
        except ValueError as error:
            problems.append(f"{source}: --set {override}: {error}")
            continue
        origins[format_path(segments)] = override
    if problems:
        raise ScenarioError(problems)
    return result, origins


def _parse_override(override: str) -> tuple[list[PathSegment], Any]:
    key, sep, text = override.partition("=")
    if not sep or not key.strip():
        raise ValueError("malformed override; expected key.path=value, e.g. capacity_model=status")
    try:
        segments = parse_key_path(key)
    except ValueError as error:
        raise ValueError(
            f"{error}; expected names and indexes such as agent_groups[0].capacity"
        ) from None
    try:
        value = load_yaml(text)
    except (yaml.YAMLError, YamlInputError):
        raise ValueError(
            f"cannot read value {text!r}; expected a YAML scalar or list, e.g. 4, 80/h, [1, 2]"
        ) from None
    return segments, value


def _set(raw: dict[str, Any], segments: list[PathSegment], value: Any) -> None:
    node: Any = raw
    model: Any = Scenario
    for depth, segment in enumerate(segments):
        where = format_path(segments[:depth]) or "the top level"
        last = depth == len(segments) - 1
        field_type = _child_type(model, segment)
        if isinstance(node, dict) and isinstance(segment, str):
            if last:
                node[segment] = value
                return
            if node.get(segment) is None and _model_of(field_type) is not None:
                node[segment] = {}
            if segment not in node:
                raise ValueError(
                    f"{format_path(segments[: depth + 1])} does not exist; "
                    f"keys at {where} are {_keys(node)}"
                )
        elif isinstance(node, list) and isinstance(segment, int):
            if segment >= len(node):
                raise ValueError(
                    f"{format_path(segments[: depth + 1])} does not exist; "
                    f"{where} has {len(node)} entries (indexes start at 0)"
                )
            if last:
                node[segment] = value
                return
        else:
            kind = "a list" if isinstance(node, list) else f"not a mapping ({_show(node)})"
            raise ValueError(
                f"{format_path(segments[: depth + 1])} does not exist; {where} is {kind}"
            )
        if not last and not isinstance(node[segment], (dict, list)):
            raise ValueError(
                f"{format_path(segments[: depth + 2])} does not exist; "
                f"{format_path(segments[: depth + 1])} is not a mapping ({_show(node[segment])})"
            )
        node, model = node[segment], field_type


def _keys(node: dict[str, Any]) -> str:
    return ", ".join(str(key) for key in node) or "none"


# ------------------------------------------------------------------------- CSV arrivals
def resolve_csv_profiles(
    raw: dict[str, Any], folder: Path, source: str, *, allow_outside: bool | None = None
) -> list[str]:
    """Replace every ``csv:`` arrival profile in ``raw`` by its ``volumes`` list, in place.

    Looks at ``channels[i].arrivals`` and ``channels[i].outbound.arrivals``. The CSV file
    is read relative to ``folder``: a count column (``volume``) and a time column
    (``interval_start``) that places each row on the profile's interval grid (see
    :mod:`sim.scenario.arrival_csv`); ``csv:`` is a file name or an
    :class:`~sim.scenario.schema.ArrivalCsv` mapping naming the columns. It must lie
    inside ``folder`` (symbolic links followed) unless
    ``allow_outside`` is true (default: ``$CCSIM_ALLOW_OUTSIDE_PATHS`` is ``1``), be a
    regular file (not a FIFO or a device) and hold at most 50 MB and
    :data:`MAX_CSV_ROWS` rows.

    Returns:
        Problems, one line each; a profile with a problem keeps its ``csv`` key.
    """
    problems: list[str] = []
    channels = raw.get("channels")
    if not isinstance(channels, list):
        return problems
    for index, channel in enumerate(channels):
        if not isinstance(channel, dict):
            continue
        outbound = channel.get("outbound")
        places: list[tuple[tuple[PathSegment, ...], Any]] = [
            (("channels", index, "arrivals"), channel.get("arrivals"))
        ]
        if isinstance(outbound, dict):
            places.append((("channels", index, "outbound", "arrivals"), outbound.get("arrivals")))
        for loc, profile in places:
            if not _is_csv_profile(profile):
                continue
            where = f"{source}: {format_path([*loc, 'csv'])}"
            spec = _csv_spec(profile["csv"])
            if spec is None:
                continue  # a malformed mapping: validation names its keys
            try:
                csv_path = confined_path(folder, spec.path, allow_outside)
                columns = CsvColumns(
                    time_column=spec.time_column,
                    count_column=spec.count_column,
                    time_format=spec.time_format,
                    time_required="time_column" in profile["csv"]
                    if isinstance(profile["csv"], dict) else False,
                )
                volumes = read_volumes(
                    csv_path, columns, _profile_interval(profile, raw), _start_clock(raw)
                )
            except ValueError as error:
                problems.append(f"{where}: {error}")
                continue
            del profile["csv"]
            profile["volumes"] = volumes
    return problems


def csv_profile_files(raw: dict[str, Any]) -> dict[str, str]:
    """``channels[0].arrivals`` -> the CSV file named there, for every ``csv:`` profile."""
    files: dict[str, str] = {}
    channels = raw.get("channels")
    for index, channel in enumerate(channels if isinstance(channels, list) else []):
        if not isinstance(channel, dict):
            continue
        outbound = channel.get("outbound")
        places: list[tuple[tuple[PathSegment, ...], Any]] = [
            (("channels", index, "arrivals"), channel.get("arrivals"))]
        if isinstance(outbound, dict):
            places.append((("channels", index, "outbound", "arrivals"), outbound.get("arrivals")))
        for loc, profile in places:
            if _is_csv_profile(profile):
                spec = _csv_spec(profile["csv"])
                if spec is not None:
                    files[format_path(loc)] = spec.path
    return files


def _named_csv(line: str, source: str, files: Mapping[str, str]) -> str:
    """A problem with a CSV profile's volumes named as the CSV file the user wrote.

    The file was read into ``volumes`` before validation; the user wrote ``csv:``, so the
    line says ``channels[0].arrivals.csv (file.csv)``, and rows where it says entries.
    """
    for where, file in files.items():
        prefix = f"{source}: {where}.volumes: "
        if line.startswith(prefix):
            text = line[len(prefix):].replace("intervals of", "rows of").replace(
                "add entries", "add rows")
            return f"{source}: {where}.csv ({file}): {text}"
    return line


def arrival_csv_paths(raw: dict[str, Any], folder: Path) -> list[Path]:
    """The arrival CSV files ``raw`` names (``csv:`` profiles), relative to ``folder``.

    Read nothing: for a writer that must not replace one of the scenario's inputs.
    """
    paths: list[Path] = []
    channels = raw.get("channels")
    for channel in channels if isinstance(channels, list) else []:
        if not isinstance(channel, dict):
            continue
        outbound = channel.get("outbound")
        profiles = [channel.get("arrivals"),
                    outbound.get("arrivals") if isinstance(outbound, dict) else None]
        for profile in profiles:
            spec = _csv_spec(profile["csv"]) if _is_csv_profile(profile) else None
            if spec is not None:
                paths.append(folder / spec.path)
    return paths


def _is_csv_profile(profile: Any) -> TypeGuard[dict[str, Any]]:
    """Whether ``profile`` is a mapping whose only arrival source is a CSV file."""
    if not isinstance(profile, dict) or not isinstance(profile.get("csv"), (str, dict)):
        return False
    return all(profile.get(other) is None for other in ("rate", "rates", "volumes", "times"))


def _csv_spec(value: str | dict[str, Any]) -> ArrivalCsv | None:
    """The ``csv:`` value as a mapping; ``None`` when it is not a valid one."""
    try:
        return ArrivalCsv.model_validate({"path": value} if isinstance(value, str) else value)
    except ValidationError:
        return None


def _start_clock(raw: dict[str, Any]) -> Clock | None:
    """The clock of the scenario's ``start``; ``None`` without one or when it is invalid."""
    try:
        start = normalize_start(raw.get("start"))
        return clock_of(start) if isinstance(start, str) else None
    except (ValueError, TypeError):
        return None  # validation reports the start's problem


def _profile_interval(profile: dict[str, Any], raw: dict[str, Any]) -> float | None:
    """The profile's interval in seconds (its own or the scenario's); ``None`` if invalid."""
    value = profile.get("interval")
    if value is None:
        value = raw.get("interval", Scenario.model_fields["interval"].default)
    try:
        seconds = parse_duration(value)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds > 0 else None


ALLOW_OUTSIDE_PATHS_ENV = "CCSIM_ALLOW_OUTSIDE_PATHS"
"""Set to ``1`` to let arrival CSV files lie outside the scenario's folder."""

def outside_paths_allowed(allow: bool | None = None) -> bool:
    """``allow`` if given, else whether ``$CCSIM_ALLOW_OUTSIDE_PATHS`` is ``1`` (or true)."""
    if allow is not None:
        return allow
    return os.environ.get(ALLOW_OUTSIDE_PATHS_ENV, "").strip().lower() in ("1", "true", "yes")


def confined_path(folder: Path, name: str, allow_outside: bool | None) -> Path:
    """The CSV path ``name`` relative to ``folder``, refused when it leaves the folder.

    Symbolic links are followed; ``allow_outside`` (default: ``$CCSIM_ALLOW_OUTSIDE_PATHS``)
    lets it lie anywhere.

    Raises:
        ValueError: One line naming the path, the folder and how to allow it.
    """
    path = folder / name
    if not outside_paths_allowed(allow_outside) and not is_inside(path, folder):
        raise ValueError(
            f"{path} is outside the scenario's folder {_resolved(folder)}; expected a CSV file in "
            "that "
            f"folder or below (--allow-outside-paths or {ALLOW_OUTSIDE_PATHS_ENV}=1 allows "
            "others)"
        )
    return path


def _resolved(folder: Path) -> str:
    try:
        return str(folder.resolve())
    except (OSError, RuntimeError, ValueError):
        return str(folder)


def read_volumes(
    path: Path,
    columns: CsvColumns | None = None,
    interval_s: float | None = None,
    clock: Clock | None = None,
) -> list[float]:
    """Return the volumes of an arrival CSV file, one value per profile interval.

    Only a regular file of at most 50 MB is read (a FIFO or a device is refused without
    waiting), and no message ever quotes the file's content. The rows are placed by their
    time column (see :mod:`sim.scenario.arrival_csv`).

    Args:
        path: The file.
        columns: The columns to read (default ``interval_start`` and ``volume``).
        interval_s: The profile's interval, for the grid check (none when ``None``).
        clock: The scenario's clock when it gives a ``start`` (for clock times and
            date-times); ``None`` without one.

    Raises:
        ValueError: With a one-line message naming the file, row and what is allowed.
    """
    name = str(path)
    try:
        text = read_csv_input(path)
        return arrival_volumes(text, name, columns or CsvColumns(), interval_s, clock)
    except ValueError as error:
        message = str(error)
        raise ValueError(message if name in message else f"{name} {message}") from None


def read_csv_input(path: Path, *, found_in: str = "relative to the scenario's folder") -> str:
    """The text of a CSV input file: a regular UTF-8 file of at most 50 MB.

    A FIFO, a device or a folder is refused without waiting (see
    :func:`~sim.scenario.yaml_input.read_input_file`); the rules of arrival CSV files, for
    every CSV file ccsim reads (``--shrinkage`` too).

    Args:
        path: The file (confined first with :func:`confined_path` where that applies).
        found_in: Where the file is looked for, for the message when it is missing.

    Raises:
        ValueError: A one-line message naming the file and what is allowed.
    """
    name = str(path)
    try:
        return read_input_file(path, what="a UTF-8 CSV file").decode("utf-8-sig")
    except FileNotFoundError:
        raise ValueError(f"file {name} not found; expected a CSV file {found_in}") from None
    except UnicodeDecodeError:
        raise ValueError(
            f"cannot read {name} (not UTF-8 text); expected a UTF-8 CSV file"
        ) from None
    except ValueError as error:
        raise ValueError(f"{name} {error}") from None


# ----------------------------------------------------------------- validation messages
def validation_problems(
    error: ValidationError,
    raw: dict[str, Any],
    source: str,
    origins: dict[str, str] | None = None,
) -> list[str]:
    """Turn a pydantic ``ValidationError`` on ``raw`` into problem lines.

    Args:
        error: The error from ``Scenario.model_validate(raw)``.
        raw: The mapping that was validated (used to shorten key paths to what was written).
        source: The file name each line starts with.
        origins: Key paths set by ``--set`` overrides, mapped to the override text.
    """
    problems: list[str] = []
    for details in error.errors():
        loc = tuple(details["loc"])
        if details["type"] == "invalid_key":  # a YAML key that is not text, e.g. ``1: 2``
            loc = (*loc[:-1], str(loc[-1]))
        cause = (details.get("ctx") or {}).get("error")
        if isinstance(cause, ScenarioRuleError):
            loc = (*loc, *cause.loc)
        path, field_type, model = _walk(loc)
        path, written = _written_part(path, raw)
        if written is not _MISSING and not isinstance(written, (dict, list)):
            details = {**details, "input": written}
        message = _message(details, field_type, model, cause)
        key = format_path(path) or "(top level)"
        line = f"{source}: {key}: {message}"
        origin = _origin(key, origins or {})
        if origin is not None:
            line += f" (from --set {origin})"
        if line not in problems:
            problems.append(line)
    return problems


def _origin(key: str, origins: dict[str, str]) -> str | None:
    """The override that set ``key`` or a section holding it, if any (the last one wins)."""
    found = None
    for path, override in origins.items():
        if key == path or key.startswith((f"{path}.", f"{path}[")):
            found = override
    return found


def _channel_type_hint(value: Any, ctx: Mapping[str, Any]) -> str:
    """For a channel type that exists only in the other kind: say so, and which to write.

    ``standard_web_chat`` and ``web_chat`` are refused because web chat is an enhanced
    channel only; the hint names ``enhanced_web_chat`` (and the standard ones there are).
    """
    if not isinstance(value, str):
        return ""
    expected = str(ctx.get("expected", ""))
    name = value.strip().lower().removeprefix("standard_").removeprefix("enhanced_")
    enhanced, standard = f"enhanced_{name}", f"standard_{name}"
    if f"'{enhanced}'" not in expected or value == enhanced:
        return ""
    if f"'{standard}'" in expected:
        return f" (did you mean {standard!r} or {enhanced!r}?)"
    only = ", ".join(re.findall(r"'standard_(\w+)'", expected))
    return (f" ({name.replace('_', ' ')} exists only as an enhanced channel: write "
            f"{enhanced!r}; the standard channels are {only})")


def _message(details: Any, field_type: Any, model: Any, cause: Any) -> str:
    kind = details["type"]
    ctx = details.get("ctx") or {}
    found = f"found {_show(details.get('input'))}"
    if isinstance(cause, ScenarioRuleError):
        return cause.message
    if kind == "missing":
        return "required key is missing"
    if kind == "invalid_key":
        return "found a key that is not text; keys must be names"
    if kind == "extra_forbidden":
        return _unknown_key(details["loc"][-1], model)
    if kind == "value_error" and cause is not None:
        text = str(cause)
        if text.startswith("found "):  # the message shows the value itself
            return text
        match = re.match(r"^(expected .*), found (.*)$", text)
        if match:
            return f"found {match.group(2)}; {match.group(1)}"
        return text if isinstance(details.get("input"), dict) else f"{found}; {text}"
    if kind == "literal_error":
        return (f"{found}; allowed: {_literal_choices(field_type, ctx)}"
                + _channel_type_hint(details.get("input"), ctx))
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        kinds = ", ".join(repr(tag) for tag in _union_tags(field_type)) or ctx.get(
            "expected_tags", ""
        )
        if kind == "union_tag_invalid":
            return f"found kind {ctx.get('tag')!r}; allowed kinds: {kinds}"
        return f"{found}; a distribution needs kind: one of {kinds}"
    bound = _BOUNDS.get(kind)
    if bound is not None:
        limit = ctx.get(_BOUND_KEYS[kind])
        text = f"{found}; expected a number {bound} {_number(limit)}"
        if (kind.startswith("less") and _is_duration(field_type, model, details["loc"])
                and isinstance(limit, (int, float))):  # 366d, not 3.16224e+07
            text = f"{found}; expected a duration {bound} {format_duration(limit)}"
        value = details.get("input")
        if kind == "less_than_equal" and limit == 1 and isinstance(value, (int, float)):
            text += f" (a share: write {_number(value)}% for percent)"
        return text
    if kind in ("too_short", "too_long"):
        size = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        word = "at least" if kind == "too_short" else "at most"
        return f"{found}; expected {word} {size} entr{'y' if size == 1 else 'ies'}"
    expected = _EXPECTED.get(kind)
    if expected is not None:
        return f"{found}; expected {expected}"
    return f"{found}; {details['msg']}"


def _is_duration(field_type: Any, model: Any, loc: Sequence[PathSegment]) -> bool:
    """Whether the value at ``loc`` is a duration (a :data:`Seconds` field, maybe optional)."""
    if Seconds in get_args(field_type):
        return True
    field = getattr(model, "model_fields", {}).get(loc[-1]) if loc else None
    return field is not None and any(
        getattr(item, "func", None) is parse_duration for item in field.metadata)


_BOUNDS = {
    "greater_than": "greater than",
    "greater_than_equal": "greater than or equal to",
    "less_than": "less than",
    "less_than_equal": "less than or equal to",
}
_BOUND_KEYS = {
    "greater_than": "gt",
    "greater_than_equal": "ge",
    "less_than": "lt",
    "less_than_equal": "le",
}
_EXPECTED = {
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_parsing": "a number",
    "float_type": "a number",
    "finite_number": "a finite number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "text",
    "list_type": "a list",
    "model_type": "a mapping of keys",
    "model_attributes_type": "a mapping of keys (or, for a distribution, a number)",
    "dict_type": "a mapping of keys",
}


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def _show(value: Any) -> str:
    """``repr`` of a found value, shortened to about 60 characters."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    text = _BOUNDED_REPR.repr(value)  # never the repr of a whole (alias-expanded) value
    return text if len(text) <= _FOUND_WIDTH else text[: _FOUND_WIDTH - 3] + "..."


def _bounded_repr() -> reprlib.Repr:
    shown = reprlib.Repr()
    shown.maxlevel, shown.maxlist, shown.maxtuple, shown.maxdict = 3, 12, 12, 8
    shown.maxset = shown.maxfrozenset = shown.maxdeque = shown.maxarray = 12
    shown.maxstring = shown.maxlong = shown.maxother = _FOUND_WIDTH + 10
    return shown


_BOUNDED_REPR = _bounded_repr()

MAX_LINE = 600
"""Longest problem line; longer ones (a huge name quoted in a message) are cut."""


def _bounded_line(line: str) -> str:
    line = str(line)
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 3] + "..."


def _unknown_key(key: Any, model: Any) -> str:
    if model is None:
        return "unknown key"
    allowed = list(model.model_fields)
    close = difflib.get_close_matches(str(key), allowed, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"unknown key{hint}; allowed keys are {', '.join(allowed)}"


def _literal_choices(field_type: Any, ctx: dict[str, Any]) -> str:
    base = _unwrap(field_type)
    if get_origin(base) is Literal:
        return ", ".join(repr(choice) for choice in get_args(base))
    return str(ctx.get("expected", "")).replace(" or ", ", ")


# ------------------------------------------------------------------------ key path walk
def format_path(path: Sequence[PathSegment]) -> str:
    """Render a key path as ``agent_groups[0].capacity``."""
    text = ""
    for segment in path:
        if isinstance(segment, int):
            text += f"[{segment}]"
        else:
            text += f".{segment}" if text else str(segment)
    return text


def _unwrap(tp: Any) -> Any:
    """Strip ``Annotated`` and ``Optional``; a real union stays a ``Union``."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            members = [arg for arg in get_args(tp) if arg is not type(None)]
            if len(members) != 1:
                return Union[tuple(members)]
            tp = members[0]
        else:
            return tp


def _model_of(tp: Any) -> type[BaseModel] | None:
    base = _unwrap(tp)
    return base if isinstance(base, type) and issubclass(base, BaseModel) else None


def _union_members(tp: Any) -> list[Any]:
    base = _unwrap(tp)
    return list(get_args(base)) if get_origin(base) is Union else []


def _union_tags(tp: Any) -> list[str]:
    return [tag for member in _union_members(tp) if (tag := _tag_of(member)) is not None]


def _tag_of(member: Any) -> str | None:
    if get_origin(member) is Annotated:  # a member of a union with a callable discriminator
        return next((item.tag for item in get_args(member)[1:] if isinstance(item, Tag)), None)
    field = getattr(member, "model_fields", {}).get("kind")
    if field is not None and get_origin(field.annotation) is Literal:
        tag: str | None = get_args(field.annotation)[0]
        return tag
    return None


def _child_type(tp: Any, segment: PathSegment) -> Any:
    """The declared type one step down from ``tp``, or ``None`` when unknown."""
    model = _model_of(tp)
    if model is not None:
        field = model.model_fields.get(segment) if isinstance(segment, str) else None
        return field.annotation if field is not None else None
    base = _unwrap(tp)
    if get_origin(base) is list and isinstance(segment, int):
        return get_args(base)[0]
    return None


def _is_tag(segment: PathSegment, tp: Any) -> Any:
    """The union member selected by a pydantic tag segment, or ``None``."""
    for member in _union_members(tp):
        if _tag_of(member) == segment:
            return member
    return None


def _walk(loc: Sequence[PathSegment]) -> tuple[list[PathSegment], Any, Any]:
    """Follow a pydantic ``loc`` through the schema.

    Returns:
        The key path with pydantic's union and validator tags dropped, the declared type
        at its end (``None`` when unknown) and the model holding its last key.
    """
    path: list[PathSegment] = []
    tp: Any = Scenario
    parent: Any = None
    for segment in loc:
        member = _is_tag(segment, tp)
        if member is not None:
            tp = member
            continue
        if isinstance(segment, str) and re.match(r"^function-\w+\[", segment):
            continue
        parent = _model_of(tp)
        path.append(segment)
        tp = _child_type(tp, segment)
    return path, tp, parent


_MISSING = object()


def _written_part(path: list[PathSegment], raw: Any) -> tuple[list[PathSegment], Any]:
    """Cut a path where the file has a plain value (``accept_delay: -5`` not ``.value``).

    Returns:
        The path as written in the file and the value found there (``_MISSING`` if none).
    """
    node = raw
    for depth, segment in enumerate(path):
        if isinstance(node, dict):
            if segment not in node:
                return path, _MISSING
            node = node[segment]
        elif isinstance(node, list) and isinstance(segment, int) and segment < len(node):
            node = node[segment]
        else:
            return path[:depth], node
    return path, node


# Sanity warnings live in sim.scenario.sanity; kept importable from here for the CLI and tests.
from sim.scenario.sanity import scenario_warnings, unstaffed_arrivals  # noqa: E402

__all__ = [
    "MAX_CSV_ROWS",
    "ScenarioError",
    "apply_overrides",
    "format_path",
    "load_raw",
    "load_scenario",
    "parse_key_path",
    "read_volumes",
    "resolve_csv_profiles",
    "scenario_warnings",
    "unstaffed_arrivals",
    "validation_problems",
]
