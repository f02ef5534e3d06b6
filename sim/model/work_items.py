"""Work items (AgentWork): push, accept, decline, push timeout, close and capacity use.

Times are seconds. The capacity a work item uses is whatever the capacity model says
(:mod:`sim.model.capacity`); :meth:`WorkItems.refresh` brings it in line after every
change and keeps the agent's and the center's levels.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from sim.model.capacity import Release
from sim.model.context import Collaborator, ModelContext
from sim.model.conversation_state import Phase
from sim.model.entities import (
    INBOUND,
    Agent,
    MessagingSession,
    Presence,
    Rewait,
    SessionStatus,
    WorkItem,
    WorkStatus,
)
from sim.model.timer import Timer


class WorkItems(Collaborator):
    """Creates, opens and closes work items, and keeps their capacity use current.

    The router pushes through :meth:`push`, so it is made after the work items.
    """

    def __init__(self, context: ModelContext) -> None:
        super().__init__(context)
        self.levels = levels = context.levels
        self.next_item_id = 0
        # Bound once: called at every change of capacity in use.
        self._change_work = levels.change_work
        self._n_channels = levels.n_channels
        self._rerank: Callable[[Agent], None]
        self._ranks_by_work_items = False
        self._work_items_changed: Callable[[Agent], None]
        self._start_conversation: Callable[[MessagingSession, float], None]
        self._wake: Callable[[MessagingSession], None]

    def bind(self) -> None:
        """The router's and conversations' methods called at every change."""
        router, conversations = self.router, self.conversations
        self._rerank = router.update
        self._work_items_changed = router.work_items_changed
        self._ranks_by_work_items = router.ranks_by_work_items
        self._start_conversation = conversations.start
        self._wake = conversations.wake

    # ------------------------------------------------------------------ push and answer
    def push(self, session: MessagingSession, agent: Agent) -> None:
        """Route ``session`` to ``agent``: the item holds capacity from the push (rules §2)."""
        now = self.env.now
        agent.last_assigned_time = now
        item = self.new_item(session, agent, now)
        self.refresh(item, now)
        if self.record.enabled:
            self.record.event(session, agent, "assigned")
        channel = session.channel
        if channel.auto_accept:
            self.accept(item, now)
            return
        group = agent.group
        accepts = not (
            group.decline_probability and group.decline_draw() < group.decline_probability
        )
        delay_s = group.accept_delay() if accepts else group.decline_delay()
        target = session.target
        assert target is not None  # set when the session is created
        push_timeout_s = target.push_timeout_s
        action: Callable[[Timer], None]
        if push_timeout_s > 0 and delay_s >= push_timeout_s:
            delay_s, action = push_timeout_s, self.push_timed_out
        elif not accepts:
            action = self.decline
        elif delay_s <= 0:
            self.accept(item, now)
            return
        else:
            action = self.accept_when_due
            item.accept_due = now + delay_s
        Timer(self.env, delay_s, action, item)

    def new_item(self, session: MessagingSession, agent: Agent, now: float) -> WorkItem:
        """A new work item of ``session`` for ``agent``, assigned at ``now`` (s)."""
        item = WorkItem(self.next_item_id, session, agent, session.channel.size, now)
        item.level_slot = agent.group.level_index * self._n_channels + session.channel.level_index
        self.next_item_id += 1
        agent.items.append(item)
        session.work_item = item
        session.release_time = math.nan  # capacity is held again
        if self._ranks_by_work_items:  # else the call would do nothing
            self._work_items_changed(agent)
        return item

    def accept_when_due(self, timer: Timer) -> None:
        """The agent's accept delay for the timer's item ran out: :meth:`accept`."""
        self.accept(timer.subject, self.env.now)

    def accept(self, item: WorkItem, now: float) -> None:
        """The agent accepts a pushed item ``now`` (s): the session becomes Active."""
        if item.status != WorkStatus.ASSIGNED:
            return
        session = item.session
        session.status = SessionStatus.ACTIVE
        if self.record.enabled:
            self.record.event(session, item.agent, "accepted")
        self.open(item, now)

    def open(self, item: WorkItem, now: float) -> None:
        """Open ``item`` ``now`` (s; accepted, or an answer back to its agent); go on talking."""
        session, agent = item.session, item.agent
        item.status = WorkStatus.OPENED
        item.accept_time = now
        session.work_accept_time = now
        first_acceptance = math.isnan(session.accept_time)
        if first_acceptance:
            session.accept_time = now
        elif session.rewait_cause:
            session.end_rewait(now)  # it waited for an agent again (rules §7)
            if session.transfers and math.isnan(session.transfer_accept_time):
                session.transfer_accept_time = now  # the other queue's answer (rules §8.2)
        agent_id = agent.agent_id
        if agent_id not in session.agents_seen:
            session.agents_seen += (agent_id,)
        session.agent_id = agent_id
        agent.sessions_handled += 1
        self.refresh(item, now)
        state = session.conversation
        if state is not None and state.end_when_accepted:
            self.customers.end_chat(session, now)
            state = session.conversation
        if (
            first_acceptance
            and session.direction == INBOUND
            and state is not None
            and state.phase == Phase.NOT_STARTED
        ):
            if session.status != SessionStatus.ENDED:
                self._start_conversation(session, now)
        else:
            self._wake(session)

    def decline(self, timer: Timer) -> None:
        """The agent declines the timer's item: reroute; the agent is busy a while (§2)."""
        self._refuse(timer.subject, WorkStatus.DECLINED, "declined")

    def push_timed_out(self, timer: Timer) -> None:
        """The push timeout of the timer's item expired: treated as a decline (rules §2)."""
        self._refuse(timer.subject, WorkStatus.DECLINED_ON_PUSH_TIMEOUT, "push_timeout")

    def _refuse(self, item: WorkItem, status: str, event: str) -> None:
        if item.status != WorkStatus.ASSIGNED:
            return
        session, agent = item.session, item.agent
        self.record.event(session, agent, event)
        if session.declined_by is None:
            session.declined_by = set()
        session.declined_by.add(agent.agent_id)
        self.close(item, status)
        self.reroute(session)
        if agent.presence == Presence.AVAILABLE and agent.group.away_after_decline_s > 0:
            self.presence.go_away(agent, agent.group.away_after_decline_s)
        self.router.route()

    def reroute(self, session: MessagingSession) -> None:
        """Send the session back to Waiting; it keeps its original age (rules §2)."""
        session.reroutes += 1
        session.status = SessionStatus.WAITING
        session.rewait(Rewait.REQUEUED, self.env.now)
        self.customers.reset_skills(session)
        self.router.enqueue(session, session.request_time)
        self.customers.arm_patience(session)
        self.customers.arm_skill_drop(session)

    def transfer(self, item: WorkItem, now: float) -> None:
        """The agent transfers ``item``'s session ``now`` (s) to its queue's transfer queue.

        The item ends Transferred, releasing its capacity under either model; the session
        waits in the other queue as a new routing request (its age starts now) and its
        wait counts with the waits after a requeue (rules §8.2).
        """
        session = item.session
        target = session.target
        assert target is not None  # set when the session is created
        if self.record.enabled:
            self.record.event(session, item.agent, "transferred")
        self.close(item, WorkStatus.TRANSFERRED)
        session.transfers += 1
        session.transfer_time = now
        session.target = self.router.targets[target.transfer_to]
        session.status = SessionStatus.WAITING
        session.rewait(Rewait.REQUEUED, now)
        self.router.offer(session, now)

    def give_back(self, item: WorkItem) -> None:
        """The item ends Unavailable; its session waits for another agent (rules §2, §3)."""
        self.close(item, WorkStatus.UNAVAILABLE)
        self.reroute(item.session)
        self._wake(item.session)

    # ------------------------------------------------------------------ release
    def close(self, item: WorkItem, status: str) -> None:
        """End a work item with ``status`` and release what it holds."""
        agent, session = item.agent, item.session
        now = self.env.now
        item.status = status
        item.close_time = now
        if status in (WorkStatus.UNAVAILABLE, WorkStatus.CANCELED):
            self.record.event(session, agent, status.lower())
        self.refresh(item, now)
        agent.items.remove(item)
        if self._ranks_by_work_items:
            self._work_items_changed(agent)
        if session.work_item is item:
            session.work_item = None
        session.release_time = now
        if agent.presence == Presence.DRAINING:
            self.presence.finish_drain_if_done(agent)

    def release_at_end(self, item: WorkItem) -> None:
        """The opened ``item``'s conversation ended: release as its capacity model says.

        A tab close (or All Done) after the close-tab delay, capped by the ACW maximum
        (tab-based, rules §3.2-3.3; status-based with ACW on, §4.9); else at once (§4.1).
        """
        release = item.session.channel.end_chat_releases[item.agent.group.level_index]
        if release is Release.CLOSE_TAB_LATER:
            if item.tab_close is None:  # a close planned at inactivation stays as planned
                self.schedule_tab_close(item)
        else:
            self.close(item, WorkStatus.CLOSED)

    def schedule_tab_close(self, item: WorkItem) -> None:
        """Close the tab (All Done) after the close-tab delay, capped by the ACW maximum.

        Rules §3.2, §3.3 and §4.9.
        """
        group = item.agent.group
        delay_s = min(group.close_tab_delay(), group.acw_max_s)
        pending = item.tab_close  # a close planned earlier gives way to this one
        if pending is not None:
            pending.cancel()
            item.tab_close = None
        if delay_s <= 0:
            self.close_tab(item)
            return
        item.tab_close = Timer(self.env, delay_s, self.close_tab_when_due, item)

    def cancel_tab_close(self, item: WorkItem) -> None:
        """Call off a planned tab close: the agent keeps the tab open after all."""
        pending = item.tab_close
        if pending is not None:
            pending.cancel()
            item.tab_close = None

    def close_tab_when_due(self, timer: Timer) -> None:
        """The close-tab delay of the timer's item ran out: :meth:`close_tab`."""
        self.close_tab(timer.subject)

    def close_tab(self, item: WorkItem) -> None:
        """The agent closes the session's tab, freeing its capacity (tab-based, rules §3)."""
        item.tab_close = None
        if item.status != WorkStatus.OPENED or not item.tab_open:
            return
        item.tab_open = False
        if self.record.enabled:
            self.record.event(item.session, item.agent, "tab_closed")
        self.close(item, WorkStatus.CLOSED)
        self.router.route()

    def refresh(self, item: WorkItem, now: float) -> None:
        """Bring the item's capacity use in line with what the capacity model says ``now``.

        ``now`` (s) is the simulation's time, passed by callers that have it (SimPy's
        ``now`` is a property: a Python call per read).
        """
        consumption = item.session.channel.consumption(item)
        consuming = item.consuming
        if consumption == consuming:
            return
        delta = consumption - consuming
        agent = item.agent
        agent.accrue(now)
        agent.used += delta
        # Concurrency counts the work items that use capacity (open work).
        working_delta = (consumption > 0.0) - (consuming > 0.0)
        item.consuming = consumption
        self._rerank(agent)
        if working_delta:
            agent.working_items += working_delta
            if agent.working_items > agent.max_concurrency:
                agent.max_concurrency = agent.working_items
        if agent.online:
            self._change_work(now, item.level_slot, delta, working_delta)
