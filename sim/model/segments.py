"""Segments: runs of a conversation's messages that nothing but an interruption can change.

A conversation waits for a whole run of messages as one timer
(:meth:`sim.model.conversation.Conversations.talk`); this module plans the runs. Times are
seconds.
"""

from __future__ import annotations

from sim.model.conversation_state import ConversationState
from sim.model.entities import Agent, MessagingSession, SessionStatus, WorkStatus


def next_segment(session: MessagingSession, state: ConversationState) -> list[float]:
    """Durations (s) of the next messages that nothing but an interruption can change.

    A segment stops before a customer turn long enough for the agent to mark the
    session Inactive, before the turn at which the customer ends the conversation, and
    after the last message. An agent reply belongs to it only
    while an online agent holds the session; with a concurrency slowdown, only as the
    first message, since each reply's speed is set by the concurrency when it starts.
    """
    plan = session.plan
    assert plan is not None  # a live session
    message = state.next_message
    last_message = 2 * plan.exchanges - 2
    item = session.work_item
    agent = (  # the online agent holding it, Active, if any
        item.agent
        if item is not None
        and item.status == WorkStatus.OPENED
        and session.status == SessionStatus.ACTIVE
        and item.agent.online
        else None
    )
    if state.message_left_s is not None and message % 2 == 0:
        if item is not state.message_item:
            state.message_left_s = None  # another agent starts the reply afresh
    factor = reply_factor(agent, session) if agent is not None else 0.0
    agent_replies, customer_replies = plan.agent_reply_s, plan.customer_reply_s
    # The first message: the one under way, or a new one the caller found due (an
    # agent reply only with an agent ready, a customer reply only if not a silence).
    if state.message_left_s is not None:
        durations = [state.message_left_s]
    elif message % 2 == 0:
        durations = [agent_replies[message // 2] * factor]
    else:
        durations = [customer_replies[message // 2]]
    message += 1
    state.message_item = item
    # Then customer and agent messages in turn (message 2k is the agent's reply k,
    # 2k + 1 the customer's reply k), up to a long customer silence, and agent replies
    # only at a fixed speed.
    inactivate_after_s = inactivate_after(session)
    ends_turn = plan.customer_ends_turn
    exchange = message // 2
    if message % 2 == 1 and message <= last_message:
        duration = customer_replies[exchange]
        if duration > inactivate_after_s or exchange == ends_turn:
            return durations
        durations.append(duration)
        message += 1
        exchange += 1
    if agent is None or agent.group.slows_with_concurrency:
        return durations
    while message <= last_message:  # message is an agent's (even)
        if exchange == plan.transfer_turn:
            break  # the agent transfers instead (Conversations._talk_when_agent_ready)
        durations.append(agent_replies[exchange] * factor)
        if message == last_message:
            break
        duration = customer_replies[exchange]
        if duration > inactivate_after_s or exchange == ends_turn:
            break
        durations.append(duration)
        message += 2
        exchange += 1
    return durations


def reply_factor(agent: Agent, session: MessagingSession) -> float:
    """Group reply-time scale times the slowdown with the agent's active sessions.

    A channel given by its handle time is not scaled by the group's reply time.
    """
    group = agent.group
    channel = session.channel
    scale = group.reply_mean_s / channel.reply_mean_s if channel.scales_by_group else 1.0
    if group.slows_with_concurrency:
        active = sum(
            1 for item in agent.items if item.session.status == SessionStatus.ACTIVE
        )
        scale *= group.slowdown(active)
    return scale


def inactivate_after(session: MessagingSession) -> float:
    """Seconds of customer silence after which the agent marks the session Inactive."""
    item = session.work_item
    if item is not None:
        return item.agent.group.inactivate_after_s
    return session.channel.inactivate_after_s
