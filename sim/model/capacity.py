"""Capacity models: how much of an agent's capacity a work item uses, and what follows.

One small policy object per Omni-Channel capacity model (DOMAIN.md sections 3 and 4). The
simulation asks the policy; it never branches on the model's name. A third model is one
more class here and one more entry in ``CAPACITY_MODELS``.
"""

from __future__ import annotations

from typing import ClassVar, Protocol

from sim.model.entities import MessagingSession, SessionStatus, WorkItem, WorkStatus


class CapacityModel(Protocol):
    """What a capacity model decides."""

    name: ClassVar[str]
    closes_tab_after_end_chat: ClassVar[bool]
    """End Chat leaves capacity held until the agent closes the tab (else it frees it)."""
    closes_tab_after_inactive: ClassVar[bool]
    """After marking a session Inactive the agent closes its tab, freeing capacity."""
    work_stays_with_offline_agent: ClassVar[bool]
    """Accepted work stays with an agent who goes offline (else it is rerouted)."""
    work_stays_after_logout: ClassVar[bool]
    """Accepted work stays with an agent who logs out (else the logout closes it)."""
    returns_to_same_agent: ClassVar[bool]
    """A customer answering an Inactive or outbound session goes back to its agent."""

    def consumption(self, item: WorkItem) -> float:
        """Capacity ``item`` uses now (units or percent points)."""
        ...

    def supervisor_may_end(self, session: MessagingSession) -> bool:
        """Whether the list-view bulk End Sessions may end ``session`` (DOMAIN.md 6)."""
        ...


class TabBasedCapacity:
    """Tab-based: a work item uses its size from the push until its tab closes (DOMAIN 3)."""

    name: ClassVar[str] = "tab"
    closes_tab_after_end_chat: ClassVar[bool] = True
    closes_tab_after_inactive: ClassVar[bool] = True
    work_stays_with_offline_agent: ClassVar[bool] = False
    work_stays_after_logout: ClassVar[bool] = False
    returns_to_same_agent: ClassVar[bool] = False

    def consumption(self, item: WorkItem) -> float:
        """The item's size while it is pushed or opened and its tab is open, else 0."""
        if item.tab_open and item.status in (WorkStatus.ASSIGNED, WorkStatus.OPENED):
            return item.size
        return 0.0

    def supervisor_may_end(self, session: MessagingSession) -> bool:
        """Standard channels only (the seed article)."""
        return session.channel.kind == "standard"


class StatusBasedCapacity:
    """Status-based: capacity follows the status of accepted work (DOMAIN.md section 4)."""

    name: ClassVar[str] = "status"
    closes_tab_after_end_chat: ClassVar[bool] = False
    closes_tab_after_inactive: ClassVar[bool] = False
    work_stays_with_offline_agent: ClassVar[bool] = True
    work_stays_after_logout: ClassVar[bool] = True
    returns_to_same_agent: ClassVar[bool] = True

    def consumption(self, item: WorkItem) -> float:
        """Size while pushed or Active, the paused weight while Inactive, else 0."""
        if item.status == WorkStatus.ASSIGNED:
            return item.size  # a pushed item holds capacity from the push (DOMAIN.md 2)
        if item.status != WorkStatus.OPENED:
            return 0.0
        status = item.session.status
        if status == SessionStatus.ACTIVE:
            return item.size
        if status == SessionStatus.INACTIVE:
            return item.session.channel.paused_capacity_weight
        return 0.0

    def supervisor_may_end(self, session: MessagingSession) -> bool:
        """Standard channels only, and never an Inactive session (the seed article)."""
        return session.channel.kind == "standard" and session.status != SessionStatus.INACTIVE


CAPACITY_MODELS: dict[str, CapacityModel] = {
    TabBasedCapacity.name: TabBasedCapacity(),
    StatusBasedCapacity.name: StatusBasedCapacity(),
}
"""The capacity models by the scenario's ``capacity_model`` value."""

CAPACITY_MODEL_NAMES: tuple[str, ...] = tuple(CAPACITY_MODELS)
"""The capacity model names, the baseline (tab-based) first."""
