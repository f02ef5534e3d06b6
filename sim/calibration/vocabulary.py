"""The picklist values of an Omni-Channel export that calibration tells apart.

Values are compared case-insensitively. Channel types map to the scenario's channel
types; a ``ChannelKind`` column (``standard``/``enhanced``) or a ``ChannelName`` starting
with ``standard_`` picks the standard variant where one exists.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sim.salesforce import fields


def normal(value: object) -> str:
    """A picklist value as compared here: lower case, no spaces or underscores."""
    if value is None or (isinstance(value, float) and value != value):  # None or NaN
        return ""
    return str(value).lower().replace(" ", "").replace("_", "")


INBOUND_ORIGINS = frozenset({normal(fields.Origin.INBOUND)})
"""``MessagingSession.Origin`` of sessions the customer started."""

CAPACITY_MODELS = {normal(fields.CapacityModel.TAB_BASED): "tab",
                   normal(fields.CapacityModel.STATUS_BASED): "status"}
"""``AgentWork.CapacityModel`` to the scenario's ``capacity_model``."""

_STATUS = fields.AgentWorkStatus
ACCEPTED_STATUSES = frozenset(normal(value) for value in (
    _STATUS.OPENED, _STATUS.CLOSED, _STATUS.UNAVAILABLE, _STATUS.TRANSFERRED))
"""``AgentWork.Status`` of work an agent accepted."""
DECLINED = normal(_STATUS.DECLINED)
PUSH_TIMEOUT = normal(_STATUS.DECLINED_ON_PUSH_TIMEOUT)
CANCELED = normal(_STATUS.CANCELED)

AGENT_ACTOR = frozenset({normal(fields.ActorType.AGENT)})
CUSTOMER_ACTOR = frozenset({normal(fields.ActorType.END_USER)})
"""``ConversationEntry.ActorType`` of agents and of customers."""

ENDED_BY_AGENT = frozenset({normal(fields.EndedByType.AGENT)})
ENDED_BY_CUSTOMER = frozenset({normal(fields.EndedByType.END_USER)})
"""``MessagingSession.EndedByType`` values; anything else (System) is an automatic end."""

CHANNEL_TYPES: dict[str, str] = {}
for _scenario_type, _salesforce_type in fields.CHANNEL_TYPES.items():
    if not _scenario_type.startswith("standard"):
        CHANNEL_TYPES.setdefault(normal(_salesforce_type), _scenario_type)
"""``MessagingSession.ChannelType`` to the scenario's (first, enhanced) channel type."""

STANDARD_VARIANTS = {"enhanced_messenger": "standard_messenger",
                     "enhanced_sms": "standard_sms"}
"""The standard channel type of an enhanced one, where Salesforce has both."""


def channel_type(value: object, kind: object = None, name: object = None) -> str:
    """The scenario channel type of an export's ``ChannelType`` (and kind, if known)."""
    if isinstance(value, str) and value.lower() in (
        "standard_messenger", "standard_sms", "enhanced_web_chat", "enhanced_web_chat_v2",
        "enhanced_in_app_chat", "enhanced_whatsapp", "enhanced_messenger", "enhanced_sms",
        "enhanced_apple_messages", "enhanced_line", "bring_your_own_channel",
    ):
        return value.lower()
    enhanced = CHANNEL_TYPES.get(normal(value), "bring_your_own_channel")
    standard = normal(kind) == "standard" or str(name or "").lower().startswith("standard")
    return STANDARD_VARIANTS.get(enhanced, enhanced) if standard else enhanced


PRESENCE_ROLES = ("available", "away", "break", "draining")
"""What a presence status means to calibration: takes new work (``available``); takes
none, open work goes on (``away``: busy; ``break``: a break inside the shift); finishing
the shift's work past its end (``draining``)."""

KNOWN_STATUSES: dict[str, str] = {
    normal(fields.ONLINE_STATUS): "available",
    normal(fields.BUSY_STATUS): "away",
    normal(fields.DRAINING_STATUS): "draining",
}
"""The ``ServicePresenceStatus.DeveloperName`` values ccsim writes, by role."""


@dataclass(frozen=True)
class Vocabulary:
    """The org's own presence-status and channel-type names, mapped to calibration's.

    Attributes:
        statuses: normalized ``DeveloperName`` (:func:`normal`) to a role of
            :data:`PRESENCE_ROLES`, on top of :data:`KNOWN_STATUSES`.
        channel_types: normalized ``ChannelType`` to a scenario channel type, on top of
            the Salesforce values.
    """

    statuses: Mapping[str, str] = field(default_factory=dict)
    channel_types: Mapping[str, str] = field(default_factory=dict)

    def status_role(self, name: object) -> str | None:
        """The role of a presence status, ``None`` for one neither known nor mapped."""
        key = normal(name)
        return self.statuses.get(key) or KNOWN_STATUSES.get(key)

    def scenario_channel_type(self, value: object, kind: object = None, name: object = None
                              ) -> str | None:
        """The scenario channel type of a ``ChannelType``, ``None`` if unknown."""
        mapped = self.channel_types.get(normal(value))
        if mapped is not None:
            return mapped
        if normal(value) not in CHANNEL_TYPES and not (
                isinstance(value, str) and value.lower() in fields.CHANNEL_TYPES):
            return None
        return channel_type(value, kind, name)


def mapping_entry(text: str, option: str) -> tuple[str, str]:
    """``NAME=MEANING`` of ``--status``/``--channel-type``, checked.

    Raises:
        ValueError: one line naming the option and what is allowed.
    """
    name, equals, meaning = text.partition("=")
    name, meaning = name.strip(), meaning.strip()
    allowed = PRESENCE_ROLES if option == "--status" else tuple(fields.CHANNEL_TYPES)
    if not equals or not name or meaning not in allowed:
        raise ValueError(f"{option} {text!r}: expected NAME=MEANING with MEANING one of "
                         f"{', '.join(allowed)}")
    return name, meaning


def vocabulary_from(statuses: Sequence[str] = (), channel_types: Sequence[str] = (),
                    mapping_file: Path | None = None) -> Vocabulary:
    """The vocabulary of ``--status``, ``--channel-type`` and a ``--mapping`` CSV file.

    The file has a header ``field,value,means`` and one row per name: ``field`` is
    ``status`` or ``channel_type``. Options given on the command line win over the file.

    Raises:
        ValueError: one line naming the option, or the file and its line.
    """
    status_map: dict[str, str] = {}
    type_map: dict[str, str] = {}
    if mapping_file is not None:
        _read_mapping(mapping_file, status_map, type_map)
    for text in statuses:
        name, role = mapping_entry(text, "--status")
        status_map[normal(name)] = role
    for text in channel_types:
        name, kind = mapping_entry(text, "--channel-type")
        type_map[normal(name)] = kind
    return Vocabulary(status_map, type_map)


def _read_mapping(path: Path, status_map: dict[str, str], type_map: dict[str, str]) -> None:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"--mapping {path}: cannot read it ({type(error).__name__}); "
                         "expected a UTF-8 CSV file with the header field,value,means"
                         ) from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [cell.strip().lower() for cell in rows[0]] != ["field", "value", "means"]:
        raise ValueError(f"{path}:1: expected the header field,value,means")
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 3 or row[0].strip() not in ("status", "channel_type"):
            raise ValueError(f"{path}:{line}: expected status or channel_type, the org's "
                             "name and its meaning (three fields)")
        option = "--status" if row[0].strip() == "status" else "--channel-type"
        try:
            name, meaning = mapping_entry(f"{row[1]}={row[2]}", option)
        except ValueError as error:
            raise ValueError(f"{path}:{line}: {str(error).split(': ', 1)[1]}") from None
        (status_map if option == "--status" else type_map)[normal(name)] = meaning
