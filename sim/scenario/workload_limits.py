"""How much work a scenario asks for, estimated before anything runs, and the limits on it.

A valid scenario can still ask for more than a machine can do: 8 million sessions a day,
a billion exchanges per conversation, four trillion agents, a profile interval of a
nanosecond, a million replications. :func:`estimate_workload` computes, from the scenario
alone and without building any per-interval array, what one replication will create:
sessions (arrival rates x horizon x ``arrival_scale``), messages (sessions x exchanges),
agents, profile intervals (horizon / interval), clean-up passes and disconnections.
:func:`run_problems` and :func:`grid_problems` compare a planned batch with the limits and
return one line per excess, naming the key or option to change; the command line refuses
the batch with them unless ``--force`` is given.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from sim.scenario.day_volume import mean_arrival_scale
from sim.scenario.schema import (
    ArrivalProfile,
    DistributionSpec,
    Scenario,
)

MAX_SESSIONS = 2_000_000
"""Sessions in one replication (about a minute or two of simulation each)."""

MAX_MESSAGES = 50_000_000
"""Customer and agent messages in one replication."""

MAX_AGENTS = 100_000
"""Agents in one replication, all groups together."""

MAX_PROFILE_INTERVALS = 1_000_000
"""Intervals of one arrival profile over the horizon (horizon / interval)."""

MAX_CLEAN_UPS = 1_000_000
"""Passes of the idle-session clean-up or the supervisor bulk end in one replication."""

MAX_DISCONNECTIONS = 10_000_000
"""Agent disconnections in one replication."""

MAX_RUNS = 100_000
"""Simulation runs in one command (replications x grid cells x capacity models)."""

MAX_TOTAL_SESSIONS = 100_000_000
"""Sessions over all runs of one command (an hour or more of computing)."""

MAX_GRID_CELLS = 10_000
"""Cells of one sweep grid."""

BYTES_PER_KEPT_SESSION = 500
"""Memory a session row held until the reports are written takes (about 400 bytes)."""

FORCE_HINT = "or pass --force to run it anyway"


@dataclass(frozen=True)
class Workload:
    """What one replication of a scenario creates (expected values).

    Attributes:
        sessions: Inbound and outbound sessions.
        messages: Customer and agent messages (sessions x mean exchanges x 2).
        agents: Agents of every group (shift agents summed, the staffing maximum).
        profile_intervals: The most intervals of one arrival profile over the horizon.
        clean_ups: Passes of the clean-up job and the supervisor bulk end.
        disconnections: Random disconnections and outages of all agents.
        keys: For each figure above, the key path that contributes most to it.
    """

    sessions: float
    messages: float
    agents: float
    profile_intervals: float
    clean_ups: float
    disconnections: float
    keys: dict[str, str] = field(default_factory=dict)


def estimate_workload(scenario: Scenario) -> Workload:
    """Estimate what one replication of ``scenario`` creates, in O(size of the file)."""
    horizon = scenario.horizon
    keys: dict[str, str] = {}
    sessions = messages = intervals = 0.0
    top_sessions = top_messages = top_intervals = -1.0
    for index, channel in enumerate(scenario.channels):
        exchanges = max(1.0, _mean(channel.customers.exchanges))
        for path, profile in channel.arrival_profiles:
            key = f"channels[{index}]." + ".".join(path)
            count = _expected_arrivals(profile, scenario)
            sessions += count
            if count > top_sessions:
                top_sessions, keys["sessions"] = count, key
            sent = _product(count, exchanges, 2.0)
            messages += sent
            if sent > top_messages:
                top_messages, keys["messages"] = sent, f"channels[{index}].customers.exchanges"
            if profile.times is None:
                length = profile.interval or scenario.interval
                steps = horizon / length
                intervals = max(intervals, steps)
                if steps > top_intervals:
                    top_intervals = steps
                    keys["profile_intervals"] = (
                        f"{key}.interval" if profile.interval is not None else "interval"
                    )
    agents = disconnections = 0.0
    top_agents = top_disconnections = -1.0
    for index, group in enumerate(scenario.agent_groups):
        if group.shifts is not None:
            count, key = sum(_number(shift.agents) for shift in group.shifts), "shifts"
        elif group.staffing is not None:
            count, key = max((_number(n) for n in group.staffing), default=0.0), "staffing"
        else:
            count, key = _number(group.agents), "agents"
        agents += count
        if count > top_agents:
            top_agents, keys["agents"] = count, f"agent_groups[{index}].{key}"
        drops = _product(group.disconnections.rate, count, horizon / 3600.0)
        drops += len(group.disconnections.outages)
        disconnections += drops
        if drops > top_disconnections:
            top_disconnections = drops
            keys["disconnections"] = f"agent_groups[{index}].disconnections.rate"
    clean_ups = horizon / scenario.timeouts.sweep_period
    keys["clean_ups"] = "timeouts.sweep_period"
    if scenario.supervisor.enabled:
        bulk_ends = horizon / scenario.supervisor.period
        if bulk_ends > clean_ups:
            keys["clean_ups"] = "supervisor.period"
        clean_ups += bulk_ends
    return Workload(sessions, messages, agents, intervals, clean_ups, disconnections, keys)


def _expected_arrivals(profile: ArrivalProfile, scenario: Scenario) -> float:
    """Expected arrivals of a profile within the horizon, without per-interval arrays."""
    horizon, scale = scenario.horizon, mean_arrival_scale(scenario.arrival_scale)
    if profile.times is not None:
        return float(sum(1 for time in profile.times if time < horizon))
    if profile.rate is not None:
        return _product(profile.rate / 3600.0, horizon, scale)
    length = profile.interval or scenario.interval
    if profile.rates is not None:
        per_interval = [rate / 3600.0 * length for rate in profile.rates]
    else:
        per_interval = [float(volume) for volume in profile.volumes or []]
    if not per_interval:
        return 0.0
    steps = horizon / length
    if not math.isfinite(steps) or steps > 1e15:
        return _product(sum(per_interval) / len(per_interval), steps, scale)
    needed = max(1, math.ceil(steps - 1e-9))
    if needed <= len(per_interval) or not profile.repeat:
        return sum(per_interval[:needed]) * scale
    cycles, rest = divmod(needed, len(per_interval))
    return _product(sum(per_interval) * cycles + sum(per_interval[:rest]), scale)


def _mean(spec: DistributionSpec) -> float:
    """Mean of a distribution (a count, for exchanges); ``inf`` beyond a float."""
    try:
        return _number(spec.expected())
    except (OverflowError, ZeroDivisionError):
        return math.inf


def _number(value: float) -> float:
    """A float, ``inf`` for an integer too large for one."""
    try:
        return float(value)
    except OverflowError:
        return math.inf


def _product(*factors: float) -> float:
    result = 1.0
    for factor in factors:
        result *= factor
    return 0.0 if math.isnan(result) else result


# ----------------------------------------------------------------------------- limits
def _within(value: float, limit: float) -> bool:
    return value <= limit  # False for NaN and inf


def amount(value: float) -> str:
    """``8.0 million``, ``1.2 billion``, ``12,345``: a count for a message."""
    if not math.isfinite(value):
        return "more than 1e308"
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if value >= size:
            number = value / size
            return f"{number:.3g} {word}" if number < 1e6 else f"{value:.2g}"
    return f"{value:,.0f}"


def scenario_problems(scenario: Scenario, source: str) -> list[str]:
    """Lines for each per-replication figure of ``scenario`` that is over its limit."""
    work = estimate_workload(scenario)
    checks = (
        ("sessions", work.sessions, MAX_SESSIONS, "sessions per replication",
         "lower the arrival rates, arrival_scale or horizon"),
        ("messages", work.messages, MAX_MESSAGES, "messages per replication",
         "lower the exchanges per conversation, the arrivals or the horizon"),
        ("agents", work.agents, MAX_AGENTS, "agents", "give fewer agents"),
        ("profile_intervals", work.profile_intervals, MAX_PROFILE_INTERVALS,
         "arrival profile intervals over the horizon", "give a longer interval"),
        ("clean_ups", work.clean_ups, MAX_CLEAN_UPS, "clean-up passes per replication",
         "give a longer period"),
        ("disconnections", work.disconnections, MAX_DISCONNECTIONS,
         "disconnections per replication", "lower the disconnection rate"),
    )
    return [
        f"{source}: {work.keys.get(name, '(top level)')}: about {amount(value)} {what} "
        f"(at most {amount(limit)}); {fix}, {FORCE_HINT}"
        for name, value, limit, what, fix in checks
        if not _within(value, limit)
    ]


def memory_limit_bytes() -> float:
    """Half of this machine's memory (8 GB when it cannot be read)."""
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        total = 16 * 1024**3
    return max(total, 1024**3) / 2.0


def run_problems(
    scenarios: Sequence[tuple[str, Scenario]],
    replications: int,
    *,
    source: str,
    runs_per_replication: int = 1,
    keep_sessions: bool = False,
    option: str = "--replications",
) -> list[str]:
    """Problems with running every scenario ``replications`` times.

    Args:
        scenarios: ``(where, scenario)`` pairs: the base scenario, or each sweep cell
            (``where`` starts its problem lines).
        replications: Replications of each.
        source: The scenario file, which the lines about the whole batch start with.
        runs_per_replication: Runs each replication makes (2 for compare, more to staff).
        keep_sessions: Whether every run's session table is held until the reports are
            written (``run`` and ``compare``), which bounds memory.
        option: The option that sets the number of replications, for messages.

    Returns:
        One line per problem, each naming a key or option and the limit.
    """
    problems: list[str] = []
    per_scenario = [(where, scenario, scenario_problems(scenario, where))
                    for where, scenario in scenarios]
    bad = [lines for _, _, lines in per_scenario if lines]
    for lines in bad[:3]:
        problems.extend(lines)
    if len(bad) > 3:
        problems.append(f"{source}: --grid: {len(bad) - 3} more grid cells are too large; "
                        f"give smaller values, {FORCE_HINT}")
    runs = float(len(scenarios)) * replications * runs_per_replication
    what = f"{replications:,} replications"
    if len(scenarios) > 1:
        what += f" x {len(scenarios):,} grid cells"
    if runs_per_replication > 1:
        what += f" x {runs_per_replication} runs each"
    if not _within(runs, MAX_RUNS):
        problems.append(f"{source}: {option}: {what} make {amount(runs)} runs (at most "
                        f"{amount(MAX_RUNS)}); give fewer, {FORCE_HINT}")
    sessions = sum(estimate_workload(scenario).sessions for _, scenario, _ in per_scenario)
    total = _product(sessions, replications, runs_per_replication)
    if not bad and not _within(total, MAX_TOTAL_SESSIONS):
        problems.append(f"{source}: {option}: {what} simulate about {amount(total)} sessions "
                        f"(at most {amount(MAX_TOTAL_SESSIONS)}); give fewer replications or "
                        f"a shorter horizon, {FORCE_HINT}")
    if keep_sessions:
        needed = total * BYTES_PER_KEPT_SESSION
        limit = memory_limit_bytes()
        if not bad and not _within(needed, limit):
            problems.append(
                f"{source}: {option}: {what} hold about {needed / 1024**3:,.1f} GB of "
                f"session tables until the reports are written (at most {limit / 1024**3:.1f}"
                f" GB, half this machine's memory); give fewer replications, {FORCE_HINT}"
            )
    return problems


def grid_problems(cells: float, source: str) -> list[str]:
    """Problems with a sweep grid of ``cells`` cells (checked before any cell is built)."""
    if _within(cells, MAX_GRID_CELLS):
        return []
    return [f"{source}: --grid: {amount(cells)} grid cells (at most {amount(MAX_GRID_CELLS)}); "
            f"give fewer values, {FORCE_HINT}"]
