"""The scenario file reference, generated from the schema so it never goes stale.

``render_reference()`` walks the models of :mod:`sim.scenario.schema` and pairs each field with the
docstring written under it (read with :mod:`ast`, since pydantic does not keep them).
Regenerate the checked-in page with::

    python -m sim.scenario.reference > docs/scenario-reference.md
"""

from __future__ import annotations

import ast
import inspect
import re
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel, BeforeValidator
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from sim.scenario import schema
from sim.scenario.units import SECONDS_PER_UNIT, format_duration

DISTRIBUTIONS: tuple[type[BaseModel], ...] = (
    schema.Fixed,
    schema.Exponential,
    schema.LogNormal,
    schema.Gamma,
    schema.Uniform,
    schema.Empirical,
)

EXAMPLE = """\
horizon: 8h
channels:
  - name: web
    type: enhanced_web_chat
    queue: support
    arrivals: {rate: 30/h}
queues:
  - name: support
agent_groups:
  - {name: team, agents: 5, capacity: 3, queues: [support]}
"""
"""The minimal scenario shown in the reference (the tests load it)."""

RULES_PAGE = "omni-channel-rules.md"
"""The Omni-Channel rules page, beside the reference in ``docs/``."""

RULES_SECTIONS: dict[str, str] = {
    "1": "1-objects-and-words",
    "2": "2-routing",
    "3": "3-tab-based-capacity",
    "4": "4-status-based-capacity",
    "5": "5-timeouts-and-automatic-ends",
    "6": "6-presence",
    "7": "7-figures-planners-use",
    "8": "8-bots-transfers-and-skills",
}
"""Anchor of each numbered section of the rules page (``## 4. Status-based capacity``)."""

_RULES_CITATION = re.compile(r"rules (§\d(?:(?:, | and )§\d)*)")

_VALIDATOR_KINDS = {
    "parse_duration": "duration",
    "parse_time_point": "time point",
    "normalize_start": "start time",
    "parse_rate_per_hour": "rate",
    "_duration_distribution": "duration distribution",
    "_count_distribution": "count distribution",
    "percent_sign_as_share": "share",
    "percent_sign_as_points": "percentage",
    "_csv_short_form": "file name or [ArrivalCsv](#arrivalcsv)",
    "_arrival_scale": "share (> 0), list of day shares or distribution",
}


# ------------------------------------------------------------------------------ docstrings
def field_docstrings() -> dict[str, dict[str, str]]:
    """Docstrings written under fields and type aliases of ``sim/scenario/schema.py``.

    Returns:
        ``{class name: {field name: text}}``; module-level aliases are under ``""``.
    """
    tree = ast.parse(inspect.getsource(schema))
    docs: dict[str, dict[str, str]] = {"": _pairs(tree.body)}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            docs[node.name] = _pairs(node.body)
    return docs


def _pairs(body: list[ast.stmt]) -> dict[str, str]:
    """Pair each assignment with the string literal right after it."""
    found: dict[str, str] = {}
    for statement, following in zip(body, body[1:], strict=False):
        target = None
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            target = statement.target.id
        elif isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Name):
            target = statement.targets[0].id
        if (
            target is not None
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            found[target] = _markdown(following.value.value)
    return found


def _markdown(text: str) -> str:
    """One-line markdown from a docstring: joined lines, ``code`` as `code`, rule links."""
    line = " ".join(inspect.cleandoc(text).split()).replace("``", "`").replace("|", "\\|")
    return _RULES_CITATION.sub(_link_rules, line)


def _link_rules(match: re.Match[str]) -> str:
    """``rules §3 and §4`` as links to those sections of the rules page."""
    linked = re.sub(
        r"§(\d)",
        lambda section: f"[§{section[1]}]({RULES_PAGE}#{RULES_SECTIONS[section[1]]})",
        match[1],
    )
    return f"rules {linked}"


# ----------------------------------------------------------------------------- type facts
def _describe(annotation: Any, metadata: list[Any]) -> tuple[str, list[str]]:
    """A readable type and its bounds for a field annotation and its metadata."""
    bounds: list[str] = []
    kind: str | None = None
    items = list(metadata)
    tp = annotation
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            items.extend(get_args(tp)[1:])
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType) and type(None) in get_args(tp):
            members = [arg for arg in get_args(tp) if arg is not type(None)]
            tp = members[0] if len(members) == 1 else Union[tuple(members)]
        else:
            break
    for item in _flatten(items):
        if isinstance(item, BeforeValidator):
            kind = _VALIDATOR_KINDS.get(getattr(item.func, "__name__", ""), kind)
        bounds.extend(_bound(item))
    if get_origin(tp) is list:
        inner, inner_bounds = _describe(get_args(tp)[0], [])
        each = f" (each {', '.join(inner_bounds)})" if inner_bounds else ""
        return f"list of {_plural(inner)}{each}", bounds
    if get_origin(tp) is dict:
        key, _ = _describe(get_args(tp)[0], [])
        value, value_bounds = _describe(get_args(tp)[1], [])
        each = f" (each {', '.join(value_bounds)})" if value_bounds else ""
        return f"mapping of {key} to {value}{each}", bounds
    if kind is None:
        kind = _name(tp)
    return kind, bounds


def _flatten(items: list[Any]) -> list[Any]:
    flat: list[Any] = []
    for item in items:
        flat.append(item)
        if isinstance(item, FieldInfo):
            flat.extend(_flatten(item.metadata))
    return flat


def _bound(item: Any) -> list[str]:
    for cls, attribute, sign in (
        (annotated_types.Gt, "gt", ">"),
        (annotated_types.Ge, "ge", "≥"),
        (annotated_types.Lt, "lt", "<"),
        (annotated_types.Le, "le", "≤"),
    ):
        if isinstance(item, cls):
            return [f"{sign} {getattr(item, attribute):g}"]
    if isinstance(item, annotated_types.MinLen):
        return [f"at least {item.min_length} entr{'y' if item.min_length == 1 else 'ies'}"]
    return []


def _name(tp: Any) -> str:
    if get_origin(tp) in (Union, types.UnionType):
        return " or ".join(_name(member) for member in get_args(tp))
    if get_origin(tp) is Literal:
        return "one of " + ", ".join(f"`{choice}`" for choice in get_args(tp))
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return f"[{tp.__name__}](#{tp.__name__.lower()})"
    return {bool: "true/false", int: "integer", float: "number", str: "text"}.get(tp, str(tp))


def _plural(kind: str) -> str:
    if kind.startswith(("[", "one of")):
        return kind
    return {"true/false": "true/false values", "text": "texts"}.get(kind, kind + "s")


def _unit(kind: str) -> str:
    if kind.startswith("time point") or kind.startswith("list of time point"):
        return "seconds from the start"
    if kind.startswith("duration") or kind.startswith("list of duration"):
        return "seconds"
    if kind.startswith("rate") or kind.startswith("list of rate"):
        return "per hour"
    if kind == "percentage":
        return "percent"
    return ""


# -------------------------------------------------------------------------------- defaults
def _default(field: FieldInfo, kind: str) -> str:
    if field.default_factory is not None:
        value = field.default_factory()  # type: ignore[call-arg]
    elif field.default is PydanticUndefined:
        return "**required**"
    else:
        value = field.default
    return _show(value, kind)


def _show(value: Any, kind: str) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, (int, float)):
        if kind == "duration":
            return f"`{format_duration(float(value))}`"
        return f"`{value:g}`" if isinstance(value, float) else f"`{value}`"
    if isinstance(value, str):
        return f'`"{value}"`' if not value else f"`{value}`"
    if isinstance(value, DISTRIBUTIONS):
        return _show_distribution(value, kind)
    if isinstance(value, BaseModel):
        return f"see [{type(value).__name__}](#{type(value).__name__.lower()})"
    return f"`{value!r}`"


def _show_distribution(value: BaseModel, kind: str) -> str:
    durations = kind.startswith("duration")
    parts = []
    for name in type(value).model_fields:
        if name == "kind":
            continue
        number = getattr(value, name)
        shown = format_duration(number) if durations else f"{number:g}"
        parts.append(f"{name}: {shown}")
    if isinstance(value, schema.Fixed):
        return f"`{parts[0].split(': ')[1]}`"
    return f"`{{kind: {value.kind}, {', '.join(parts)}}}`"  # type: ignore[attr-defined]


# -------------------------------------------------------------------------------- sections
def _sections() -> list[tuple[type[BaseModel], list[str]]]:
    """Every model reachable from ``Scenario`` (distributions aside) with its key paths."""
    order: list[type[BaseModel]] = []
    paths: dict[type[BaseModel], list[str]] = {}
    queue: list[tuple[type[BaseModel], str]] = [(schema.Scenario, "")]
    while queue:
        model, path = queue.pop(0)
        if model not in paths:
            order.append(model)
            paths[model] = []
        paths[model].append(path or "(top level)")
        for name, field in model.model_fields.items():
            for child, suffix in _child_models(field.annotation):
                child_path = f"{path}.{name}{suffix}" if path else f"{name}{suffix}"
                queue.append((child, child_path))
    return [(model, paths[model]) for model in order]


def _child_models(tp: Any, suffix: str = "") -> list[tuple[type[BaseModel], str]]:
    origin = get_origin(tp)
    if origin is Annotated:
        return _child_models(get_args(tp)[0], suffix)
    if origin in (Union, types.UnionType):
        members = [arg for arg in get_args(tp) if arg is not type(None)]
        # a distribution's members are left out below: documented in their own section
        return [child for member in members for child in _child_models(member, suffix)]
    if origin is list:
        return _child_models(get_args(tp)[0], suffix + "[]")
    if isinstance(tp, type) and issubclass(tp, BaseModel) and tp not in DISTRIBUTIONS:
        return [(tp, suffix)]
    return []


def _table(model: type[BaseModel], docs: dict[str, str]) -> list[str]:
    rows = [
        "| Key | Type | Unit | Allowed | Default | Description |",
        "|---|---|---|---|---|---|",
    ]
    for name, field in model.model_fields.items():
        kind, bounds = _describe(field.annotation, field.metadata)
        rows.append(
            f"| `{name}` | {kind} | {_unit(kind)} | {', '.join(bounds)} | "
            f"{_default(field, kind)} | {docs.get(name, '')} |"
        )
    return rows


def _syntax(docs: dict[str, dict[str, str]]) -> list[str]:
    units = ", ".join(f"`{unit}`" for unit in SECONDS_PER_UNIT)
    aliases = docs[""]
    lines = [
        "## Durations, rates and distributions",
        "",
        f"- **Duration**: {aliases.get('Seconds', '')} Units: {units}. Stored in seconds.",
        f"- **Start time**: {aliases.get('StartTime', '')} Quote it: unquoted, YAML 1.1 "
        "would read `12:00` as the number 720; ccsim reads it as the text written, as YAML "
        "1.2 does, and a duration or number key refuses it (`horizon: found '12:00', a clock "
        "time; a duration is written 12h or 720m`).",
        f"- **Time point**: {aliases.get('TimePoint', '')} A clock time before the start "
        "is refused: a time on a later day is written as a date-time or a duration.",
        f"- **Rate**: {aliases.get('PerHour', '')} Stored per hour.",
        f"- **Share**: {aliases.get('Share', '')} Stored as a number, 0.8 for 80%; a bare "
        "number is never read as percent (`target: 80` is refused, not 80%).",
        f"- **Percentage**: {aliases.get('PercentPoints', '')} Stored in percent points.",
        f"- **Duration distribution**: {aliases.get('DurationDistribution', '')} "
        "Inside a distribution, `value`, `mean`, `sd`, `low`, `high` and `values` may be "
        "durations too: `{kind: exponential, mean: 2m}`.",
        f"- **Count distribution**: {aliases.get('CountDistribution', '')}",
        "",
        "A distribution is a mapping with a `kind`:",
        "",
        "| kind | Keys | Description |",
        "|---|---|---|",
    ]
    for model in DISTRIBUTIONS:
        kind = model.model_fields["kind"].annotation
        keys = ", ".join(
            f"`{name}` ({docs[model.__name__].get(name, '').rstrip('.')})"
            for name in model.model_fields
            if name != "kind"
        )
        lines.append(f"| `{get_args(kind)[0]}` | {keys} | {_markdown(model.__doc__ or '')} |")
    lines += [
        "",
        "`fixed` may omit `kind`: a bare duration such as `accept_delay: 5s` means "
        "`{kind: fixed, value: 5}`.",
        "",
        "## Arrival CSV files",
        "",
        "An arrival profile's `csv:` names a CSV file in the scenario's folder (or below it), "
        "read as the profile's `volumes`: one row per profile interval (the profile's "
        "`interval`, else the scenario's), with the sessions of that interval in the `volume` "
        "column and when it starts in the `interval_start` column.",
        "",
        "- `interval_start` is a duration from the scenario start (`8h`, `480m`, `28800` "
        "seconds), a clock time (`08:00`, `8:30:00`) or a date-time (`2026-03-02 08:00`). "
        "With a scenario `start`, a clock time is that time on the start's day (a time "
        "before the start is an error) and date-times count from the start, in its zone "
        "when they name none. Without one, a clock time is a duration from 00:00 (`30:00` "
        "is 30 hours) and date-times count from midnight of the earliest date in the file.",
        "- Rows are sorted by `interval_start`, so their order in the file does not matter.",
        "- Every interval start must be on the profile's grid (00:00, 00:30, 01:00, ... for "
        "30-minute intervals), each interval may have one row only, and no interval may be "
        "missing between the first row and the last (write 0 for an interval without "
        "sessions). Each of these is an error naming the file and line: "
        "`whatsapp.csv:7: a second row for the interval at 02:30 (the first is at line 6); "
        "expected one row per interval`.",
        "- **Intervals before the first row have no arrivals**: a file starting at 08:00 "
        "means no sessions from 00:00 to 08:00. After the last row the profile ends; the "
        "scenario's horizon must not go past it unless `repeat: true`, which repeats the "
        "profile from 00:00 (so a daily file should hold the whole day).",
        "- Without an `interval_start` column the rows are taken in file order from the start.",
        "",
        "A Salesforce report export is read as it is. Name its columns in the mapping form:",
        "",
        "```yaml",
        "arrivals:",
        "  csv: {path: export.csv, time_column: \"Created Date\", count_column: \"Record Count\"}",
        "```",
        "",
        "Its date-times may be ISO 8601 or the US form of an export (`3/2/2026 8:00 AM`); give "
        "`time_format` (a `strptime` format such as `%d/%m/%Y %H:%M`) for another locale. "
        "Title lines above the header row are skipped, and so are the closing lines after the "
        "last row: blank rows, totals (`Grand Totals (1,234 records)`) and one-cell lines "
        "(the report's name, copyright, \"Generated By\"). A row without a valid time anywhere "
        "else is an error. The export must hold one row per interval (a summary grouped by "
        "the interval); rows of single records are not counted into intervals.",
    ]
    return lines


def render_reference() -> str:
    """Return the scenario reference page as markdown."""
    docs = field_docstrings()
    lines = [
        "# Scenario file reference",
        "",
        "<!-- Generated by `python -m sim.scenario.reference > docs/scenario-reference.md`; "
        "do not edit by hand. -->",
        "",
        "A scenario is a YAML file read by `sim.scenario.loading.load_scenario`. Unknown keys are "
        "errors. Any key can be changed from the command line with "
        "`--set key.path=value`, e.g. `--set agent_groups[0].capacity=4`. In the key paths "
        "below, `[]` marks a list (in a file, a YAML sequence; in `--set`, an index from 0).",
        "",
        f"The Omni-Channel rules behind these keys are in [{RULES_PAGE}]({RULES_PAGE}); "
        "a description citing `rules §N` links to that section, and every modelling "
        "choice there names the key that sets it.",
        "",
        "## A minimal scenario",
        "",
        "```yaml",
        EXAMPLE.rstrip("\n"),
        "```",
        "",
        *_syntax(docs),
    ]
    for model, paths in _sections():
        where = ", ".join(f"`{path}`" for path in paths)
        lines += [
            "",
            f"## {model.__name__}",
            "",
            f"{_markdown(model.__doc__ or '')}",
            "",
            f"Key path: {where}.",
            "",
            *_table(model, docs.get(model.__name__, {})),
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render_reference(), end="")
