"""The concurrency slowdown in the analytic start: the handle-time-per-level reading.

An agent with ``k`` active sessions replies ``slowdown(k)`` times slower
(``behaviour.concurrency_slowdown`` s: ``1 + s (k - 1)``; ``concurrency_efficiency`` e:
``k / e[k]``; :meth:`sim.model.runtime.GroupRuntime.slowdown`). Plain Erlang counts every
slot as a server with the one-chat holding time, so with a slowdown it promises more than
the agents deliver. Here the agent-reply part of the holding time is stretched by the
slowdown at the mean number of busy slots per agent that the Erlang staffing itself
implies, ``k = rate x holding / agents`` (at most the slots), and the staffing is sized
again with that holding time until it no longer changes (a fixed point; the larger
staffing when it alternates). The mean busy slots stand for the level every session sees
(a session-weighted mean would be a little higher: the reading is slightly optimistic).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from sim.scenario.schema import AgentBehaviour

FIXED_POINT_ROUNDS = 8
"""Sizings at most per interval (it settles in two or three)."""


def slowdown_at(behaviour: AgentBehaviour, active: float) -> float:
    """Reply-time factor with ``active`` busy slots (a mean: fractional levels interpolate)."""
    if active <= 1.0:
        return 1.0
    efficiency = behaviour.concurrency_efficiency
    if not efficiency:
        return 1.0 + behaviour.concurrency_slowdown * (active - 1.0)

    def factor(level: int) -> float:
        return level / efficiency[min(level, len(efficiency)) - 1]

    low = math.floor(active)
    weight = active - low
    return (1.0 - weight) * factor(low) + weight * factor(low + 1) if weight else factor(low)


def slowed_servers(size: Callable[[float], int], rate_per_s: float, holding_s: float,
                   reply_s: float, slots: float, behaviour: AgentBehaviour
                   ) -> tuple[int, float]:
    """Servers (slots) meeting the goals with the reply slowed at the implied level.

    Args:
        size: holding time (seconds) -> the fewest servers meeting the goals (Erlang C/A).
        rate_per_s: arrival rate (sessions per second).
        holding_s: mean capacity time of a session at one chat (seconds).
        reply_s: the part of ``holding_s`` that is the agent's replies (seconds).
        slots: work items one agent holds at once.
        behaviour: the agents' behaviour (their slowdown).

    Returns:
        ``(servers, holding_s)``: the servers and the slowed holding time they were sized on.
    """
    servers = size(holding_s)
    if rate_per_s <= 0 or reply_s <= 0 or (
            not behaviour.concurrency_slowdown and not behaviour.concurrency_efficiency):
        return servers, holding_s
    hold, seen = holding_s, {servers: holding_s}
    for _ in range(FIXED_POINT_ROUNDS):
        agents = max(servers / slots, 1e-9)
        level = min(slots, rate_per_s * hold / agents)
        hold = holding_s + reply_s * (slowdown_at(behaviour, level) - 1.0)
        again = size(hold)
        if again in seen:  # settled (or alternating): the larger staffing
            best = max(again, servers)
            return best, seen.get(best, hold)
        seen[again] = hold
        servers = again
    return servers, hold


def slowed_holding_s(rate_per_s: float, holding_s: float, reply_s: float, agents: float,
                     slots: float, behaviour: AgentBehaviour) -> float:
    """Mean holding time (seconds) of ``agents`` agents with the reply slowed at their level.

    The least fixed point of ``h = holding_s + reply_s (slowdown(k) - 1)`` with
    ``k = min(slots, rate x h / agents)``, the mean busy slots per agent (at most the
    slots: beyond them the center is overloaded and every agent works at its capacity).
    """
    if agents <= 0:
        return holding_s
    hold = holding_s
    for _ in range(100):
        level = min(slots, rate_per_s * hold / agents)
        again = holding_s + reply_s * (slowdown_at(behaviour, level) - 1.0)
        if abs(again - hold) < 1e-9 * max(1.0, hold):
            return again
        hold = again
    return hold
