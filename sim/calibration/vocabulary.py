"""The picklist values of an Omni-Channel export that calibration tells apart.

Values are compared case-insensitively. Channel types map to the scenario's channel
types; a ``ChannelKind`` column (``standard``/``enhanced``) or a ``ChannelName`` starting
with ``standard_`` picks the standard variant where one exists.
"""

from __future__ import annotations

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
