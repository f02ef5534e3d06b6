"""Conversations: the messages of a session between its agent and its customer.

Times are seconds. A conversation is driven by callbacks rather than a SimPy process per
session: its state (:class:`~sim.model.conversation_state.ConversationState`) is always in
one :class:`~sim.model.conversation_state.Phase`, waiting either for its timer (a run of
messages, the customer's answer, a silence) or for a change of the session's state (an
agent to hold it, an offline agent to come back). :meth:`Conversations.wake` tells a
waiting session to look again; a timer it cuts short is cancelled and the session goes on
at the same time, just as a SimPy ``Interrupt`` would make a process do, in the same order
(the continuation is an urgent event, a change-of-state wake a normal one). This saves the
process start, end and generator resumes of every session.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable
from itertools import accumulate, repeat
from operator import sub

from sim.model.capacity import Destination, Release, WorkFate
from sim.model.context import Collaborator, ModelContext
from sim.model.conversation_state import ConversationState, Phase
from sim.model.entities import (
    OUTBOUND,
    MessagingSession,
    Outcome,
    Presence,
    Rewait,
    SessionStatus,
    WorkStatus,
)
from sim.model.segments import inactivate_after, next_segment
from sim.model.timer import NORMAL, URGENT, Timer


class ResponseLog:
    """The agent's answers to customer messages, kept as flat lists (rules §7).

    One entry per agent message answering a customer message: the session, when the
    customer wrote and the response time (seconds). Flat arrays of machine numbers, not one
    tuple per answer: a run makes hundreds of thousands of them, and the tables read the
    arrays without a copy.
    """

    __slots__ = ("session_ids", "asked_at", "response_s")

    def __init__(self) -> None:
        self.session_ids = array("q")
        self.asked_at = array("d")
        self.response_s = array("d")


class Conversations(Collaborator):
    """The session side: answers, agent and customer turns, silence, returns."""

    def __init__(self, context: ModelContext) -> None:
        super().__init__(context)
        scenario = context.scenario
        self.allow_over_capacity = scenario.allow_over_capacity
        self.logged_out_owner = scenario.logged_out_owner
        self.idle_sessions: dict[MessagingSession, None]
        self._end_chat: Callable[..., None]
        self.responses = ResponseLog()
        """Every agent message answering a customer message (rules §7)."""

    def bind(self) -> None:
        """The customers' end of chat and idle set, called on every conversation."""
        customers = self.customers
        self.idle_sessions = customers.idle_sessions
        self._end_chat = customers.end_chat

    # ------------------------------------------------------------------ the driver
    def start(self, session: MessagingSession, now: float) -> None:
        """Start the conversation ``now`` (s): at creation (outbound) or first acceptance.

        The messages are numbered 0, 1, 2, ...: even ones are the agent's replies, odd ones
        the customer's; the last is the agent's final reply, then End Chat. Runs of messages
        that nothing can disturb are waited for as one segment (see :meth:`talk`).
        """
        state = session.conversation
        assert state is not None and session.plan is not None  # a live session
        state.phase = Phase.RUNNING
        if session.direction != OUTBOUND:
            self._await_reply(session, state, now)  # from the first acceptance (§5.7)
            state.asked_at = session.request_time  # her opening message awaits its answer
            self._converse(session, state, now)
            return
        plan = session.plan
        if not plan.answers_outbound:
            self._finish(session, state)  # stays New until the clean-up job ends it
            return
        self._wait_customer(session, state, Phase.ANSWER, now + plan.answer_delay_s)

    def _converse(self, session: MessagingSession, state: ConversationState, now: float) -> None:
        """Go on ``now`` (s) from the next message until something has to be waited for.

        ``now`` is passed down rather than read again from SimPy (a property).
        """
        plan = session.plan
        if plan is None:  # the session ended
            self._finish(session, state)
            return
        message = state.next_message
        if message > 2 * plan.exchanges - 2:
            self._end_chat(session, now)
            self._finish(session, state)
        elif message % 2 == 0:
            self._talk_when_agent_ready(session, state, now)
        else:
            reply_s = plan.customer_reply_s[message // 2]
            # Decided when the customer's turn starts; a turn cut short goes on as it was.
            inactivate_after_s = inactivate_after(session)
            left_s = state.message_left_s
            if left_s is None and reply_s > inactivate_after_s:
                state.after_silence_s = reply_s - inactivate_after_s
                end_s = now + inactivate_after_s
                self._wait_customer(session, state, Phase.SILENT, end_s)
            elif message // 2 == plan.customer_ends_turn:
                # She ends the conversation instead of answering (rules §5.6).
                state.message_left_s = None
                end_s = now + (reply_s if left_s is None else left_s)
                self._wait_customer(session, state, Phase.ENDING, end_s)
            else:
                self.talk(session, state, now)

    def _finish(self, session: MessagingSession, state: ConversationState) -> None:
        """The conversation stops; an ended session drops its state (only records stay)."""
        self._disarm_reply_timeout(state)
        if session.status == SessionStatus.ENDED:
            session.conversation = None
        else:
            state.phase = Phase.DONE
            state.message_item = None

    def wake(self, session: MessagingSession) -> None:
        """Let the session's conversation look again at the session's state.

        Called whenever something it may depend on changed (the session ended or was
        rerouted, its agent went offline, came back or logged out). A timer running is cut
        short; the session goes on at the same time.
        """
        state = session.conversation
        if state is None:
            return
        phase = state.phase
        if phase == Phase.READY or phase == Phase.STRANDED:
            if state.timer is None:
                state.timer = Timer(self.env, 0.0, self._changed, session, NORMAL)
        elif state.timer is not None:
            state.timer.cancel()
            state.timer = None
            self._disarm_reply_timeout(state)  # planned anew when it goes on
            Timer(self.env, 0.0, self._cut_short, session, URGENT)

    def _arm(
        self, session: MessagingSession, state: ConversationState, phase: int, delay_s: float
    ) -> None:
        """Wait ``delay_s`` seconds in ``phase``, then go on (:meth:`_go_on`)."""
        state.phase = phase
        state.timer = Timer(self.env, delay_s, self._go_on, session)

    def _cut_short(self, timer: Timer) -> None:
        self._go_on(timer, cut_short=True)

    def _go_on(self, timer: Timer, cut_short: bool = False) -> None:
        """The session's timer ran out, or a wake cut it short: go on from there.

        A run of messages cut short counts the messages due by now; a customer's wait cut
        short goes on to the same end unless the session ended.
        """
        session: MessagingSession = timer.subject
        state = session.conversation
        assert state is not None  # dropped only when the conversation stops
        state.timer = None
        phase = state.phase
        state.phase = Phase.RUNNING
        now = self.env.now
        if phase == Phase.SEGMENT:
            self.advance(session, state, now if cut_short else math.inf)
            self._converse(session, state, now)
        elif session.status == SessionStatus.ENDED:
            self._finish(session, state)
        elif cut_short:
            self._wait_customer(session, state, phase, state.wait_end)
        elif phase == Phase.ANSWER:
            self._outbound_answered(session, state, now)
        elif phase == Phase.SILENT:
            self._silence_reached(session, state, now)
        elif phase == Phase.ENDING:
            self._end_chat(session, now, Outcome.ENDED_BY_CUSTOMER)
            self._finish(session, state)
        else:
            self._silence_broken(session, state, now)

    # ------------------------------------------------------------------ agent turns
    def _talk_when_agent_ready(
        self, session: MessagingSession, state: ConversationState, now: float
    ) -> None:
        """Talk once an online agent holds the session, Active (the session is not ended)."""
        item = session.work_item
        if (
            item is None
            or item.status != WorkStatus.OPENED
            or session.status != SessionStatus.ACTIVE
        ):
            state.phase = Phase.READY
            self._arm_reply_timeout(session, state, state.reply_deadline, now)
            return
        agent = item.agent
        if agent.online:
            plan = session.plan
            if (plan is not None and state.message_left_s is None
                    and state.next_message // 2 == plan.transfer_turn):
                # The agent transfers it instead of replying (rules §8.2); the next agent
                # writes this reply.
                plan.transfer_turn = -1
                state.phase = Phase.READY
                self._arm_reply_timeout(session, state, state.reply_deadline, now)
                self.work_items.transfer(item, now)
                return
            self.talk(session, state, now)
            return
        capacity = session.channel.capacity
        if capacity.on_agent_needed_absent(item, self.logged_out_owner) is WorkFate.REQUEUE:
            # Status-based: the agent has logged out and will not reply; the session waits
            # for another agent, keeping its age (rules §4.4).
            state.phase = Phase.READY
            self._arm_reply_timeout(session, state, state.reply_deadline, now)
            self.work_items.give_back(item)
            self.router.route()
            return
        # Status-based: the session stays with an offline agent and the customer's
        # message waits until the agent is back: stranded time (rules §4).
        session.stranded_since = now
        agent.waiting_sessions.append(session)
        self.record.event(session, agent, "stranded")
        state.phase = Phase.STRANDED
        self._arm_reply_timeout(session, state, state.reply_deadline, now)

    def _changed(self, timer: Timer) -> None:
        """Something the session waited for may have changed: look again."""
        session: MessagingSession = timer.subject
        state = session.conversation
        assert state is not None  # dropped only when the conversation stops
        state.timer = None
        now = self.env.now
        self._disarm_reply_timeout(state)  # armed again if it still has to wait
        if state.phase == Phase.STRANDED:
            session.stranded_s += now - session.stranded_since
            session.stranded_since = math.nan
        state.phase = Phase.RUNNING
        self._converse(session, state, now)  # still at an agent's message

    def talk(self, session: MessagingSession, state: ConversationState, now: float) -> None:
        """Wait from ``now`` (s) for the next segment of messages, or an interruption.

        Anything that can change how the conversation goes on (the agent going offline or
        logging out, the session ending, a reroute) wakes the session, which cuts the
        segment short; the messages due by then are counted and the rest is planned anew.
        """
        durations = next_segment(session, state)
        if not durations:  # would wait zero seconds forever
            raise RuntimeError(f"session {session.session_id}: empty conversation segment")
        state.segment_start = now
        state.segment_status = session.status
        state.segment = durations
        state.phase = Phase.SEGMENT  # _arm inlined: once per segment
        state.timer = Timer(self.env, sum(durations), self._go_on, session)
        if session.plan is not None and session.plan.response_patience_s is not None:
            self._arm_reply_timeout(session, state, self._leave_time(session, state), now)

    def advance(self, session: MessagingSession, state: ConversationState, until: float) -> None:
        """Count the segment's messages due by ``until`` (s); keep what is left of the next.

        Also called at the horizon, for the messages of segments still under way.
        """
        durations, state.segment = state.segment, ()
        time = state.segment_start
        if until == math.inf:  # the whole segment: the same running sums, in C
            sent_at = list(accumulate(durations, initial=time))
            del sent_at[0]
            self._messages_sent(session, state, sent_at)
            state.message_left_s = None
            return
        sent_at = []
        left_s: float | None = None
        for duration in durations:
            if time + duration > until:
                left_s = time + duration - until
                break
            time += duration
            sent_at.append(time)
        self._messages_sent(session, state, sent_at)
        state.message_left_s = left_s

    def _messages_sent(
        self, session: MessagingSession, state: ConversationState, sent_at: list[float]
    ) -> None:
        """Messages ``next_message``, ``next_message + 1``, ... were sent at ``sent_at`` (s).

        Even message numbers are the agent's (the first of them may be the first
        response), odd ones the customer's.
        """
        if not sent_at:
            return
        first = state.next_message
        agent_sent = (len(sent_at) + (first % 2 == 0)) // 2
        session.agent_messages += agent_sent
        session.customer_messages += len(sent_at) - agent_sent
        if agent_sent and math.isnan(session.first_response_time):
            session.first_response_time = sent_at[first % 2]
        # The agent's response time to each customer message (rules §7): messages alternate,
        # so each agent message answers the customer message before it.
        agent_at = sent_at[first % 2 :: 2]
        customer_at = sent_at[1 - first % 2 :: 2]
        if first % 2 == 0:  # the first agent message answers the one asked before, if any
            asked_at = state.asked_at
            if asked_at == asked_at:  # not NaN
                customer_at.insert(0, asked_at)
            else:
                del agent_at[0]
        if len(customer_at) > len(agent_at):  # the last message was the customer's
            state.asked_at = customer_at.pop()
        else:
            state.asked_at = math.nan
        if agent_at:  # each agent message with the customer message it answers
            responses = self.responses
            responses.session_ids.extend(repeat(session.session_id, len(agent_at)))
            responses.asked_at.extend(customer_at)
            responses.response_s.extend(map(sub, agent_at, customer_at))
        state.next_message = first + len(sent_at)
        session.last_activity = sent_at[-1]
        state.message_left_s = None
        plan = session.plan
        if plan is not None and plan.response_patience_s is not None:
            if state.next_message % 2 == 0:  # the customer's message was last (§5.7)
                self._await_reply(session, state, sent_at[-1])
            else:
                state.reply_deadline = math.inf
        if self.record.enabled:
            # Recorded with the agent and status of the segment the messages belonged to.
            item = state.message_item
            agent = item.agent if item is not None else None
            status = state.segment_status
            for number, time in enumerate(sent_at, start=first):
                if number % 2 == 0:
                    self.record.event_at(time, session, agent, "agent_message", status)
                else:
                    self.record.event_at(time, session, None, "customer_message", status)

    # ------------------------------------------------------------------ response patience
    def _await_reply(
        self, session: MessagingSession, state: ConversationState, since: float
    ) -> None:
        """The customer waits for the agent's next message from ``since`` (s; rules §5.7).

        Sets when she gives up: ``since`` plus her patience for that message.
        """
        plan = session.plan
        if plan is not None and plan.response_patience_s is not None:
            state.reply_deadline = since + plan.response_patience_s[state.next_message // 2]

    def _leave_time(self, session: MessagingSession, state: ConversationState) -> float:
        """When the customer leaves during the segment just planned, or ``inf``.

        The first agent message of the segment that would come after its deadline; each
        customer message of the segment starts the wait for the next agent message.
        """
        plan = session.plan
        assert plan is not None and plan.response_patience_s is not None
        patience_s = plan.response_patience_s
        deadline = state.reply_deadline
        time = state.segment_start
        message = state.next_message
        for duration in state.segment:
            time += duration
            if message % 2 == 0:
                if time > deadline:
                    return deadline
                deadline = math.inf
            else:
                deadline = time + patience_s[(message + 1) // 2]
            message += 1
        return math.inf

    def _arm_reply_timeout(
        self, session: MessagingSession, state: ConversationState, leave_s: float, now: float
    ) -> None:
        """Let the customer leave at ``leave_s`` (s) unless the wait ends first."""
        self._disarm_reply_timeout(state)
        if leave_s != math.inf:
            state.reply_timeout = Timer(
                self.env, max(0.0, leave_s - now), self._customer_leaves, session
            )

    @staticmethod
    def _disarm_reply_timeout(state: ConversationState) -> None:
        timeout = state.reply_timeout
        if timeout is not None:
            timeout.cancel()
            state.reply_timeout = None

    def _customer_leaves(self, timer: Timer) -> None:
        """The customer's response patience ran out: she leaves, the session ends (§5.7).

        The messages due by now count; a stranded wait counts up to now.
        """
        session: MessagingSession = timer.subject
        state = session.conversation
        if state is None or state.reply_timeout is not timer:
            return
        state.reply_timeout = None
        if session.status == SessionStatus.ENDED:
            return
        now = self.env.now
        if state.timer is not None:  # its segment, or a wake due now
            state.timer.cancel()
            state.timer = None
        if state.phase == Phase.SEGMENT:
            self.advance(session, state, now)
        elif state.phase == Phase.STRANDED:
            session.stranded_s += now - session.stranded_since
            session.stranded_since = math.nan
        state.phase = Phase.RUNNING
        self._end_chat(session, now, Outcome.LEFT_UNANSWERED)
        self._finish(session, state)

    # ------------------------------------------------------------------ customer turns
    def _wait_customer(
        self, session: MessagingSession, state: ConversationState, phase: int, end_s: float
    ) -> None:
        """Let the customer's time run to ``end_s`` (s) in ``phase`` (answer or silence).

        A wake that does not end the session meanwhile does not change when it ends.
        """
        state.wait_end = end_s
        self._arm(session, state, phase, end_s - self.env.now)

    def _outbound_answered(
        self, session: MessagingSession, state: ConversationState, now: float
    ) -> None:
        """The customer answers a business-initiated session ``now`` (s; rules §4, §5)."""
        self.idle_sessions.pop(session, None)
        session.customer_messages += 1
        session.last_activity = now
        session.request_time = now
        state.asked_at = now  # the answer waits for the agent's reply
        self._await_reply(session, state, now)
        owner = session.owner
        match session.channel.capacity.answer_goes_to(
            session, owner, self.allow_over_capacity, self.logged_out_owner
        ):
            case Destination.SAME_AGENT if owner is not None:
                # Status-based: the answer goes back to the agent who wrote (rules §4).
                item = self.work_items.new_item(session, owner, now)
                session.status = SessionStatus.ACTIVE
                self.record.event(session, owner, "customer_answered")
                self.work_items.open(item, now)
            case _:  # to the queue, also when the owner has logged out (§4.4)
                session.status = SessionStatus.WAITING
                session.rewait(Rewait.RETURNED, now)
                self.record.event(session, None, "customer_answered")
                self.router.offer(session, now)
        self._converse(session, state, now)

    def _silence_reached(
        self, session: MessagingSession, state: ConversationState, now: float
    ) -> None:
        """A customer silent past the inactivation delay: Inactive, then maybe back."""
        self.customer_silent(session, state, now)
        if session.status == SessionStatus.ENDED or state.after_silence_s == math.inf:
            self._finish(session, state)  # an Inactive session waits for the clean-up (rules §5)
            return
        end_s = now + state.after_silence_s
        self._wait_customer(session, state, Phase.RETURNING, end_s)

    def _silence_broken(
        self, session: MessagingSession, state: ConversationState, now: float
    ) -> None:
        """The silent customer's reply arrives ``now`` (s), or she ends the conversation."""
        plan = session.plan
        if plan is not None and state.next_message // 2 == plan.customer_ends_turn:
            self._end_chat(session, now, Outcome.ENDED_BY_CUSTOMER)  # rules §5.6
            self._finish(session, state)
            return
        self.customer_returns(session, state, now)
        state.segment_status = session.status
        self._messages_sent(session, state, [now])
        self._converse(session, state, now)

    def customer_silent(
        self, session: MessagingSession, state: ConversationState, now: float
    ) -> None:
        """The customer has been silent for the inactivation delay, ``now`` (s; rules §4).

        Enhanced channels: the agent marks the session Inactive. Standard channels have no
        Inactive status (rules §1), so the agent ends the chat.
        """
        if session.status == SessionStatus.ENDED:
            return
        work_items = self.work_items
        if session.channel.kind == "standard":
            item = session.work_item
            if item is not None and item.status == WorkStatus.OPENED:
                self._end_chat(session, now)
            else:
                # Nobody holds it (sent back to Waiting): the agent who accepts it next
                # finds the customer silent and ends the chat.
                state.end_when_accepted = True
            return
        self.router.remove(session)
        item = session.work_item
        if item is not None and item.status == WorkStatus.ASSIGNED:
            work_items.close(item, WorkStatus.CANCELED)
        session.status = SessionStatus.INACTIVE
        session.inactive_since = now
        self.idle_sessions[session] = None
        item = session.work_item
        self.record.event(session, item.agent if item else None, "inactive")
        if item is not None:
            work_items.refresh(item, now)
            match session.channel.capacity.on_inactive(item):
                case Release.CLOSE_TAB_LATER:  # the agent closes the tab (rules §3)
                    work_items.schedule_tab_close(item)
                case Release.BY_STATUS if item.agent.presence == Presence.DRAINING:
                    # Inactive work may no longer hold a draining agent (rules §4, §6).
                    self.presence.finish_drain_if_done(item.agent)
        self.router.route()

    def customer_returns(
        self, session: MessagingSession, state: ConversationState, now: float
    ) -> None:
        """A silent customer writes again ``now`` (s; rules §3, §4)."""
        self.idle_sessions.pop(session, None)
        if session.status != SessionStatus.INACTIVE:
            # Standard channel, still Waiting for an agent: the reply simply arrives.
            state.end_when_accepted = False
            self.record.event(session, None, "customer_returned")
            return
        item = session.work_item
        if item is not None and item.status == WorkStatus.OPENED:
            match session.channel.capacity.return_goes_to(
                item, self.allow_over_capacity, self.logged_out_owner
            ):
                case Destination.SAME_AGENT:
                    # Back to the same agent, even over capacity when allowed (rules §4).
                    session.status = SessionStatus.ACTIVE
                    self.work_items.cancel_tab_close(item)  # the agent keeps the tab open
                    self.record.event(session, item.agent, "customer_returned")
                    self.work_items.refresh(item, now)
                    self.wake(session)
                    return
                case _:
                    # Routed afresh, even from a tab still open (rules §3.7) or from an
                    # agent who has logged out (§4.4): the old work item closes.
                    self.work_items.cancel_tab_close(item)
                    self.work_items.close(item, WorkStatus.CLOSED)
        session.status = SessionStatus.WAITING
        session.rewait(Rewait.RETURNED, now)
        self.record.event(session, None, "customer_returned")
        self.router.offer(session, now)
