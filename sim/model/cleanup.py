"""Clean-up jobs: the periodic sweep of unanswered and Inactive sessions, the supervisor's.

Times are seconds.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from sim.model.context import Collaborator, ModelContext
from sim.model.entities import Outcome, SessionStatus

Process = Generator[simpy.Event, Any, None]


class CleanupJobs(Collaborator):
    """The jobs that end idle sessions (rules §5, §6)."""

    def __init__(self, context: ModelContext) -> None:
        super().__init__(context)
        self.timeouts = context.scenario.timeouts
        self.supervisor = context.scenario.supervisor

    def unresponsive_sweep(self, phase_rng: np.random.Generator) -> Process:
        """The periodic job ending idle sessions past their minimum age (rules §5)."""
        timeouts = self.timeouts
        customers = self.customers
        yield self.env.timeout(phase_rng.uniform(0.0, timeouts.sweep_period))
        while True:
            now = self.env.now
            for session in list(customers.idle_sessions):
                if session.status == SessionStatus.NEW:
                    limit_s = (
                        timeouts.unanswered_standard
                        if session.channel.kind == "standard"
                        else timeouts.unanswered_enhanced
                    )
                    age_s = now - session.start_time
                else:
                    limit_s, age_s = timeouts.inactive, now - session.inactive_since
                if age_s >= limit_s:
                    customers.end_session(session, Outcome.TIMED_OUT)
            yield self.env.timeout(timeouts.sweep_period)

    def supervisor_sweep(self) -> Process:
        """Bulk End Sessions from the list view on idle sessions (rules §6, seed)."""
        supervisor = self.supervisor
        customers = self.customers
        while True:
            yield self.env.timeout(supervisor.period)
            now = self.env.now
            for session in list(customers.idle_sessions):
                idle_s = now - session.last_activity
                capacity = session.channel.capacity
                if idle_s >= supervisor.idle_limit and capacity.supervisor_may_end(
                    session, supervisor.action
                ):
                    customers.end_session(session, Outcome.ENDED_BY_SUPERVISOR)
