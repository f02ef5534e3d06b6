"""The shape of an Omni-Channel export: file names, field API names, picklist values, Ids.

One place that says what ``ccsim run --salesforce-export`` writes and what calibration reads.
The files are what Data Loader or a Bulk API 2.0 query writes: a header of field API names,
UTF-8, comma-separated, date-times in ISO 8601 UTC with milliseconds and ``Z``
(``2026-03-02T08:00:05.000Z``), durations in whole seconds as Salesforce stores them.

Field meanings (Object Reference, ``AgentWork``, ``MessagingSession``, ``UserServicePresence``,
``ServicePresenceStatus``, ``ConversationEntry``; rules §1 and §7):

- ``AgentWork``: one row per routing of a session to an agent (a decline or a push timeout
  is its own row; the re-route is a new row). ``SpeedToAnswer`` = accept − request,
  ``HandleTime`` = close − accept, ``ActiveTime`` = the time the agent had the work open
  and in focus (ccsim: accept → End Chat), ``AfterConversationActualTime`` = close − End
  Chat, all in seconds.
- ``MessagingSession``: one row per session, its last status.
- ``UserServicePresence``: one row per period an agent spent in one online presence status
  (logging out or dropping offline ends the row; offline time has no row, as in Salesforce).
- ``ConversationEntry``: one row per message; ``ConversationId`` is the MessagingSession Id.

ccsim adds two mapping files that are not Salesforce objects: ``users.csv`` (``UserId``,
``Group``: the agent group of each user) and the small name maps ``MessagingChannel.csv``,
``Group.csv`` (queues) and ``ServiceChannel.csv`` for the Ids the other files refer to.
"""

from __future__ import annotations

from typing import Final

from sim.model.entities import WorkStatus

# --------------------------------------------------------------------------- file names
AGENT_WORK_FILE: Final = "AgentWork.csv"
MESSAGING_SESSION_FILE: Final = "MessagingSession.csv"
USER_SERVICE_PRESENCE_FILE: Final = "UserServicePresence.csv"
SERVICE_PRESENCE_STATUS_FILE: Final = "ServicePresenceStatus.csv"
CONVERSATION_ENTRY_FILE: Final = "ConversationEntry.csv"
USERS_FILE: Final = "users.csv"
MESSAGING_CHANNEL_FILE: Final = "MessagingChannel.csv"
QUEUE_FILE: Final = "Group.csv"
SERVICE_CHANNEL_FILE: Final = "ServiceChannel.csv"

# --------------------------------------------------------------------------- columns
AGENT_WORK_COLUMNS: Final = (
    "Id", "WorkItemId", "UserId", "ServiceChannelId", "OriginalQueueId",
    "RequestDateTime", "AssignedDateTime", "AcceptDateTime", "DeclineDateTime",
    "PushTimeoutDateTime", "CancelDateTime", "CloseDateTime",
    "SpeedToAnswer", "HandleTime", "ActiveTime", "AfterConversationActualTime",
    "CapacityWeight", "CapacityPercentage", "CapacityModel", "Status",
)
MESSAGING_SESSION_COLUMNS: Final = (
    "Id", "ChannelType", "MessagingChannelId", "Origin", "Status", "StartTime",
    "AcceptTime", "EndTime", "EndedByType", "AgentMessageCount", "EndUserMessageCount",
    "OwnerId", "AgentType",
)
USER_SERVICE_PRESENCE_COLUMNS: Final = (
    "Id", "UserId", "ServicePresenceStatusId", "StatusStartDate", "StatusEndDate",
    "StatusDuration", "IsAway", "ConfiguredCapacity", "AtCapacityDuration", "IdleDuration",
)
SERVICE_PRESENCE_STATUS_COLUMNS: Final = ("Id", "DeveloperName", "MasterLabel")
CONVERSATION_ENTRY_COLUMNS: Final = ("Id", "ConversationId", "ActorType", "EntryTime", "Seq")
USERS_COLUMNS: Final = ("UserId", "Group")
MESSAGING_CHANNEL_COLUMNS: Final = ("Id", "DeveloperName", "MasterLabel", "MessageType")
QUEUE_COLUMNS: Final = ("Id", "DeveloperName", "Type")
SERVICE_CHANNEL_COLUMNS: Final = ("Id", "DeveloperName", "RelatedEntity")

FILE_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    AGENT_WORK_FILE: AGENT_WORK_COLUMNS,
    MESSAGING_SESSION_FILE: MESSAGING_SESSION_COLUMNS,
    USER_SERVICE_PRESENCE_FILE: USER_SERVICE_PRESENCE_COLUMNS,
    SERVICE_PRESENCE_STATUS_FILE: SERVICE_PRESENCE_STATUS_COLUMNS,
    CONVERSATION_ENTRY_FILE: CONVERSATION_ENTRY_COLUMNS,
    USERS_FILE: USERS_COLUMNS,
    MESSAGING_CHANNEL_FILE: MESSAGING_CHANNEL_COLUMNS,
    QUEUE_FILE: QUEUE_COLUMNS,
    SERVICE_CHANNEL_FILE: SERVICE_CHANNEL_COLUMNS,
}
"""Every file the export writes and its header, in order."""

DATETIME_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    AGENT_WORK_FILE: (
        "RequestDateTime", "AssignedDateTime", "AcceptDateTime", "DeclineDateTime",
        "PushTimeoutDateTime", "CancelDateTime", "CloseDateTime",
    ),
    MESSAGING_SESSION_FILE: ("StartTime", "AcceptTime", "EndTime"),
    USER_SERVICE_PRESENCE_FILE: ("StatusStartDate", "StatusEndDate"),
    CONVERSATION_ENTRY_FILE: ("EntryTime",),
}
"""The date-time columns of each file (ISO 8601 UTC, milliseconds, ``Z``)."""

DATETIME_FORMAT: Final = "%Y-%m-%dT%H:%M:%S.%fZ"
"""strftime form of an exported date-time before its microseconds are cut to milliseconds."""

# --------------------------------------------------------------------------- picklists
AgentWorkStatus = WorkStatus
"""``AgentWork.Status`` as Omni-Channel writes it (Object Reference, AgentWork): the
model's own work statuses, one definition (:class:`sim.model.entities.WorkStatus`)."""


class CapacityModel:
    """``AgentWork.CapacityModel``."""

    TAB_BASED = "TabBased"
    STATUS_BASED = "StatusBased"


class SessionStatus:
    """``MessagingSession.Status`` (ccsim writes the last status of each session)."""

    NEW = "New"
    WAITING = "Waiting"
    ACTIVE = "Active"
    INACTIVE = "Inactive"
    PAUSED = "Paused"
    ENDED = "Ended"


class Origin:
    """``MessagingSession.Origin``: who started the session."""

    INBOUND = "InboundInitiated"
    TRIGGERED_OUTBOUND = "TriggeredOutbound"


class EndedByType:
    """``MessagingSession.EndedByType``: who ended the session (empty while not ended)."""

    END_USER = "EndUser"
    AGENT = "Agent"
    SYSTEM = "System"


class ActorType:
    """``ConversationEntry.ActorType``: who wrote a message."""

    END_USER = "EndUser"
    AGENT = "Agent"


CHANNEL_TYPES: Final[dict[str, str]] = {
    "standard_messenger": "Facebook",
    "standard_sms": "Text",
    "enhanced_web_chat": "EmbeddedMessaging",
    "enhanced_web_chat_v2": "EmbeddedMessaging",
    "enhanced_in_app_chat": "EmbeddedMessaging",
    "enhanced_whatsapp": "WhatsApp",
    "enhanced_messenger": "Facebook",
    "enhanced_sms": "Text",
    "enhanced_apple_messages": "AppleBusinessChat",
    "enhanced_line": "Line",
    "bring_your_own_channel": "Custom",
}
"""ccsim channel type → ``MessagingSession.ChannelType`` / ``MessagingChannel.MessageType``."""

# --------------------------------------------------------------------------- presence statuses
ONLINE_STATUS: Final = "Available_Messaging"
"""``ServicePresenceStatus.DeveloperName`` of an available agent (takes new work)."""
BUSY_STATUS: Final = "Busy"
"""An away or busy agent (no new work, open work goes on): ``IsAway`` true."""
DRAINING_STATUS: Final = "Finishing_Shift"
"""A draining agent (end of shift, finishes open work, takes none): ``IsAway`` true."""
PRESENCE_STATUS_LABELS: Final[dict[str, str]] = {
    ONLINE_STATUS: "Available - Messaging",
    BUSY_STATUS: "Busy",
    DRAINING_STATUS: "Finishing Shift",
}
"""The exported ServicePresenceStatus rows (offline has no status: no presence row)."""
AWAY_STATUSES: Final = frozenset({BUSY_STATUS, DRAINING_STATUS})
"""Statuses whose ``UserServicePresence.IsAway`` is true."""

SERVICE_CHANNEL_NAME: Final = "sfdc_livemessage"
"""The one service channel every Messaging session is routed on (``RelatedEntity``
MessagingSession)."""

# --------------------------------------------------------------------------- Ids
class KeyPrefix:
    """The three-character key prefix of each object's Ids.

    Salesforce's prefixes, except ``CONVERSATION_ENTRY``: ccsim's choice (the export's
    readers join on ``ConversationId``, never on an entry's own Id).
    """

    AGENT_WORK = "0Bz"
    MESSAGING_SESSION = "0Mw"
    USER_SERVICE_PRESENCE = "0Hn"
    SERVICE_PRESENCE_STATUS = "0N5"
    CONVERSATION_ENTRY = "0XE"
    USER = "005"
    MESSAGING_CHANNEL = "0Mj"
    QUEUE = "00G"
    SERVICE_CHANNEL = "0N9"


ID_SUFFIX_ALPHABET: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def salesforce_id(prefix: str, number: int) -> str:
    """Return the deterministic 18-character Id number ``number`` of an object.

    The 15-character Id is the key prefix followed by the zero-padded number, then the
    three-character case checksum Salesforce appends (:func:`with_checksum`).

    Args:
        prefix: the object's three-character key prefix (``KeyPrefix``).
        number: a non-negative counter, unique within the object.
    """
    if len(prefix) != 3 or number < 0 or len(str(number)) > 12:
        raise ValueError(f"no 15-character Id from prefix {prefix!r} and number {number}")
    return with_checksum(f"{prefix}{number:012d}")


def with_checksum(short: str) -> str:
    """The 18-character form of a 15-character Id.

    One checksum character per five characters: the bits of their upper-case letters,
    lowest first, as a letter of ``ID_SUFFIX_ALPHABET``.
    """
    if len(short) != 15:
        raise ValueError(f"a 15-character Id expected, not {short!r}")
    suffix = ""
    for start in range(0, 15, 5):
        bits = sum(1 << i for i, char in enumerate(short[start:start + 5]) if "A" <= char <= "Z")
        suffix += ID_SUFFIX_ALPHABET[bits]
    return short + suffix
