"""Writing a calibrated scenario as YAML with a comment above every fitted key.

The YAML is written by hand (block mappings, flow style for distributions and number
lists) so that each comment sits above its key: the estimate, its sample size and its CI.
Text read from an export or a path reaches the file only as data: strings (and any key that
is not a plain name) are written by PyYAML's emitter as double-quoted scalars, which read
back exactly (line breaks such as U+2028 and control characters escaped), and comments go
through :func:`~sim.scenario.user_text.yaml_comment`, so nothing ends a comment early.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from sim.calibration.fitted import Path
from sim.scenario.user_text import yaml_comment

WIDTH = 96
"""Longest line aimed at (comments and number lists wrap)."""

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
"""Keys written without quotes (the scenario's own key names)."""


def scenario_yaml(values: Mapping[str, Any], comments: Mapping[Path, str],
                  header: Sequence[str] = ()) -> str:
    """The scenario ``values`` as YAML, ``comments`` above their keys, ``header`` on top."""
    lines = [f"# {line}".rstrip() for text in header for line in _wrapped(text, WIDTH - 2)]
    if lines:
        lines.append("")
    _mapping(values, (), 0, comments, lines)
    return "\n".join(lines) + "\n"


def _mapping(values: Mapping[str, Any], path: Path, indent: int,
             comments: Mapping[Path, str], lines: list[str], first_prefix: str = "") -> None:
    """Write a block mapping; ``first_prefix`` (``"  - "``) starts a list item's first key."""
    pad = " " * indent
    for index, (key, value) in enumerate(values.items()):
        key_path = (*path, key)
        first = index == 0 and bool(first_prefix)
        comment = comments.get(key_path)
        if comment:
            comment_pad = first_prefix[:-2] if first else pad
            lines.extend(f"{comment_pad}# {line}"
                         for line in _wrapped(comment, WIDTH - len(comment_pad) - 2))
        prefix = first_prefix if first else pad
        if isinstance(value, Mapping) and not _flow_mapping(value, key_path, comments):
            lines.append(f"{prefix}{_key(key)}:")
            _mapping(value, key_path, indent + 2, comments, lines)
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            lines.append(f"{prefix}{_key(key)}:")
            for position, item in enumerate(value):
                _mapping(item, (*key_path, position), indent + 4, comments, lines,
                         first_prefix=" " * (indent + 2) + "- ")
        elif isinstance(value, list):
            _number_list(f"{prefix}{_key(key)}: ", value, indent + 2, lines)
        else:
            lines.append(f"{prefix}{_key(key)}: {_scalar(value)}")


def _flow_mapping(value: Mapping[str, Any], path: Path, comments: Mapping[Path, str]) -> bool:
    """Distributions and other small mappings of scalars, none commented, go on one line."""
    return (all(not isinstance(item, (Mapping, list)) for item in value.values())
            and len(value) <= 4 and not any((*path, key) in comments for key in value))


def _number_list(start: str, values: list[Any], indent: int, lines: list[str]) -> None:
    items = [_scalar(value) for value in values]
    line = start + "["
    for position, item in enumerate(items):
        piece = item + (", " if position < len(items) - 1 else "]")
        if len(line) + len(piece) > WIDTH and not line.endswith("["):
            lines.append(line.rstrip())
            line = " " * (indent + 1)
        line += piece
    if not items:
        line += "]"
    lines.append(line)


def _scalar(value: Any) -> str:
    if isinstance(value, Mapping):
        pairs = (f"{_key(key)}: {_scalar(item)}" for key, item in value.items())
        return "{" + ", ".join(pairs) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write {value!r} in a scenario")
        return f"{value:.10g}"
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(item) for item in value) + "]"
    return _quoted(str(value))


def _key(key: Any) -> str:
    """A mapping key: a plain name as it is, anything else as a quoted string."""
    text = str(key)
    plain = _PLAIN_KEY.fullmatch(text) and yaml.safe_load(text) == text  # not yes, null, ...
    return text if plain else _quoted(text)


_SURROGATE = re.compile("[\ud800-\udfff]")
"""A lone surrogate: a path's undecodable byte; no YAML reader (libyaml) takes one."""


def _quoted(text: str) -> str:
    r"""``text`` as one double-quoted YAML scalar that reads back exactly (never wrapped).

    A lone surrogate (an undecodable byte of a path) is not a character a YAML file can
    hold: it is written as the visible text ``\udcff``.
    """
    text = _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    dumped = yaml.safe_dump(text, default_style='"', allow_unicode=True, width=2**31 - 1)
    return dumped.removesuffix("\n")


def _wrapped(text: str, width: int) -> list[str]:
    """``text`` made safe for a comment, in lines of about ``width`` characters."""
    return textwrap.wrap(yaml_comment(text), max(20, width), break_long_words=False) or [""]
