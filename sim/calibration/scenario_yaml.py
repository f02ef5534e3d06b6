"""Writing a calibrated scenario as YAML with a comment above every fitted key.

The YAML is written by hand (block mappings, flow style for distributions and number
lists) so that each comment sits above its key: the estimate, its sample size and its CI.
Strings are written as JSON strings, which YAML reads as they are.
"""

from __future__ import annotations

import json
import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from sim.calibration.fitted import Path

WIDTH = 96
"""Longest line aimed at (comments and number lists wrap)."""


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
            lines.append(f"{prefix}{key}:")
            _mapping(value, key_path, indent + 2, comments, lines)
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            lines.append(f"{prefix}{key}:")
            for position, item in enumerate(value):
                _mapping(item, (*key_path, position), indent + 4, comments, lines,
                         first_prefix=" " * (indent + 2) + "- ")
        elif isinstance(value, list):
            _number_list(f"{prefix}{key}: ", value, indent + 2, lines)
        else:
            lines.append(f"{prefix}{key}: {_scalar(value)}")


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
        return "{" + ", ".join(f"{key}: {_scalar(item)}" for key, item in value.items()) + "}"
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
    return json.dumps(str(value), ensure_ascii=False)


def _wrapped(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, max(20, width), break_long_words=False) or [""]
