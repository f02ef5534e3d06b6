"""A bot in front of a channel's queue: it takes every inbound session first (rules §8.1).

Times are seconds. The bot's handling time and what it comes to (resolved, the customer
left, handed over) are drawn with the customer's plan, so both capacity models see the same
bot conversations (common random numbers).
"""

from __future__ import annotations

from sim.model.context import Collaborator
from sim.model.entities import MessagingSession, SessionStatus
from sim.model.timer import Timer


class Bots(Collaborator):
    """Greets each inbound session of a channel with a bot, then ends it or hands it over."""

    def greet(self, session: MessagingSession, now: float) -> None:
        """The customer's first message reaches the bot ``now`` (s): the bot answers."""
        plan = session.plan
        assert plan is not None  # a new session
        session.status = SessionStatus.ACTIVE  # MessagingSession.AgentType Bot
        if self.record.enabled:
            self.record.event(session, None, "arrived")
        Timer(self.env, plan.bot_s, self.bot_done, session)

    def bot_done(self, timer: Timer) -> None:
        """The bot's handling time ran out: resolved, the customer left, or handed over.

        A handed-over session asks for an agent from now: its wait starts at the hand-over
        (``RequestDateTime``), its queue patience too.
        """
        session: MessagingSession = timer.subject
        plan = session.plan
        if plan is None or session.status == SessionStatus.ENDED:
            return
        now = self.env.now
        session.bot_s = now - session.start_time
        if plan.bot_outcome:
            self.customers.end_session(session, plan.bot_outcome)
            return
        session.status = SessionStatus.WAITING  # Transfer to Agent
        if self.record.enabled:
            self.record.event(session, None, "escalated")
        self.customers.ask_for_agent(session, now)
