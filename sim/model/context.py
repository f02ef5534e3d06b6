"""What every part of the model shares: the run's context, and the parts wired together.

:class:`ModelContext` is built once per replication by
:class:`~sim.model.center.ContactCenter`; each :class:`Collaborator` unpacks it into plain
attributes (read on every event, so one attribute lookup rather than two) and, once all
parts exist, is given the others by :meth:`Collaborator.connect`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

import simpy

from sim.model.monitor import IntervalLevels
from sim.model.recorder import Recorder
from sim.model.streams import RandomStreams
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.model.bots import Bots
    from sim.model.conversation import Conversations
    from sim.model.customers import Customers
    from sim.model.presence import AgentPresence
    from sim.model.routing import Router
    from sim.model.work_items import WorkItems


@dataclass(slots=True, frozen=True)
class ModelContext:
    """The environment, scenario and shared services of one replication."""

    env: simpy.Environment
    scenario: Scenario
    streams: RandomStreams
    record: Recorder
    levels: IntervalLevels


@dataclass(slots=True, frozen=True)
class ModelParts:
    """Every part of one replication's model, wired once by the center.

    A new part is a module, a field here and the line in
    :class:`~sim.model.center.ContactCenter` that makes it; every part can then call it
    (as an attribute of the same name, see :meth:`Collaborator.connect`).
    """

    router: Router
    work_items: WorkItems
    conversations: Conversations
    customers: Customers
    presence: AgentPresence
    bots: Bots


class Collaborator:
    """A part of the model: the context unpacked, and the other parts once connected."""

    router: Router
    work_items: WorkItems
    conversations: Conversations
    customers: Customers
    presence: AgentPresence
    bots: Bots

    def __init__(self, context: ModelContext) -> None:
        self.context = context
        self.env = context.env
        self.record = context.record

    def connect(self, parts: ModelParts) -> None:
        """Give the part the others it calls (set once, after all are made).

        Each part becomes an attribute of the same name: one lookup on every event.
        """
        for part in fields(parts):
            setattr(self, part.name, getattr(parts, part.name))
        self.bind()

    def bind(self) -> None:
        """Bind once the other parts' methods called on every event (after :meth:`connect`)."""
