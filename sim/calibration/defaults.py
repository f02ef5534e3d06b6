"""Every key calibration fits, and the reason each one left at its default was kept.

No key is left at its default silently: after the fits, :func:`defaulted_keys` walks the
keys a calibration is expected to fit for each channel, queue and agent group; each that is
not in the fitted scenario is listed with its default value and the reason the fit gave
(or, if it gave none, that nothing in the export sets it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from sim.calibration.fitted import Path
from sim.scenario.schema import Scenario

CHANNEL_KEYS: tuple[Path, ...] = (
    ("customers", "patience"), ("customers", "exchanges"), ("customers", "reply_time"),
    ("customers", "silent_probability"), ("customers", "return_probability"),
    ("customers", "return_delay"), ("customers", "end_probability"),
    ("customers", "response_patience"),
)
"""Keys fitted for every channel (a handle-time channel also fits ``handle_time``)."""

OUTBOUND_KEYS: tuple[Path, ...] = (("outbound", "answer_probability"),
                                   ("outbound", "answer_delay"))
"""Keys fitted for a channel with outbound sessions."""

BOT_KEYS: tuple[Path, ...] = (("bot", "resolves"), ("bot", "leaves"))
"""Keys fitted for a channel with time before routing (its bot stage); without it the
whole ``bot`` is expected (and listed, left out, with its reason)."""

QUEUE_KEYS: tuple[Path, ...] = (("push_timeout",), ("priority",), ("routing_model",))
"""Keys of every queue."""

GROUP_KEYS: tuple[Path, ...] = (
    ("capacity",), ("behaviour", "accept_delay"), ("behaviour", "decline_probability"),
    ("behaviour", "decline_delay"), ("behaviour", "away_after_decline"),
    ("behaviour", "reply_time"), ("behaviour", "concurrency_slowdown"),
    ("behaviour", "close_tab_delay"), ("behaviour", "after_conversation_work"),
    ("disconnections", "rate"), ("disconnections", "duration"),
)
"""Keys fitted for every agent group."""

NOT_IN_EXPORTS = "not in the exports (a routing configuration)"
"""The reason of the queue keys no export holds."""


def defaulted_keys(values: Mapping[str, Any], scenario: Scenario,
                   reasons: Mapping[Path, str]) -> list[str]:
    """One line per expected key left at its default: ``path = default: reason``.

    Args:
        values: the fitted scenario mapping.
        scenario: the same, validated (for the default values).
        reasons: key path (whole scenario) to why its default was kept.
    """
    lines = []
    for path in _expected(values):
        if _has(values, path):
            continue
        reason = reasons.get(path) or ("nothing in the export sets it" if path[-1] not in
                                       ("priority", "routing_model") else NOT_IN_EXPORTS)
        lines.append(f"{_label(values, path)} = {_shown(_default(scenario, path))}: {reason}")
    return lines


def _expected(values: Mapping[str, Any]) -> list[Path]:
    paths: list[Path] = []
    for index, channel in enumerate(values.get("channels", [])):
        keys = (CHANNEL_KEYS + (OUTBOUND_KEYS if "outbound" in channel else ())
                + (BOT_KEYS if "bot" in channel else (("bot",),)))
        paths.extend(("channels", index, *key) for key in keys)
    for index, _ in enumerate(values.get("queues", [])):
        paths.extend(("queues", index, *key) for key in QUEUE_KEYS)
    for index, group in enumerate(values.get("agent_groups", [])):
        keys = tuple(key for key in GROUP_KEYS
                     if not (key == ("capacity",) and "capacity_percent" in group))
        paths.extend(("agent_groups", index, *key) for key in keys)
    return paths


def _has(values: Any, path: Path) -> bool:
    target = values
    for key in path:
        if isinstance(key, int):
            if not isinstance(target, list) or key >= len(target):
                return False
        elif not isinstance(target, Mapping) or key not in target:
            return False
        target = target[key]
    return True


def _label(values: Mapping[str, Any], path: Path) -> str:
    """``channels[web_chat].customers.exchanges``: list items by their name."""
    section, index, *rest = path
    assert isinstance(section, str) and isinstance(index, int)
    name = values[section][index].get("name", index)
    return f"{section}[{name}]." + ".".join(str(key) for key in rest)


def _default(scenario: Scenario, path: Path) -> Any:
    target: Any = scenario
    for key in path:
        target = target[key] if isinstance(key, int) else getattr(target, str(key), None)
        if target is None:
            return None
    return target


def _shown(value: Any) -> str:
    """A default as a short YAML-like text (``{kind: fixed, value: 4}``, ``0``, ``none``)."""
    if value is None:
        return "none"
    if isinstance(value, BaseModel):
        value = value.model_dump(exclude_none=True)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}: {_shown(item)}" for key, item in value.items()) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
