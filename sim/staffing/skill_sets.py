"""Skill sets as staffing rows: requirements, goals and measures per skill set (rules §8.3).

A channel's ``skills`` route a share of its inbound sessions by the skills they require
instead of by its queue. For staffing, the sessions' distinct required-skill combinations
are the **skill sets**; each can be served by the agent groups holding every skill at its
level (:func:`skill_sets`). A skill set whose groups are exactly the groups serving its
channel's queue is routed as the queue routes (every agent has every skill: rules §8.3), so
it is *pooled* with that queue: its sessions stay in the queue's row. Every other skill set
is a row of its own, next to the queues, in the analytic start (its own Erlang C/A pool,
:func:`sim.staffing.analytic.queue_requirements`), in the goals (its channel's queue's,
:func:`with_skill_set_goals`) and in the simulated days' measures
(:func:`session_rows`); a queue's row then holds only the sessions its queue routes.

Which skill requirement a session drew is its ``skill_index`` column (the sessions table).

This module imports only numpy and pandas: worker processes import it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TypeVar

import numpy as np
import pandas as pd

from sim.scenario.schema import AgentGroup, Scenario, SkillRequirement

Goals = TypeVar("Goals")


@dataclass(frozen=True)
class SkillSet:
    """One distinct combination of required skills and who can serve it.

    Attributes:
        name: the row name, e.g. ``"skills spanish>=2"``.
        required: skill -> minimum level a serving agent needs.
        queue: the queue of its (first) channel; its goals are this queue's.
        channels: (channel name, index of the channel's skill requirement) requiring it.
        groups: the agent groups holding every required skill at its level.
        pooled: its groups are exactly those serving ``queue``: measured and sized in the
            queue's row.
    """

    name: str
    required: tuple[tuple[str, int], ...]
    queue: str
    channels: tuple[tuple[str, int], ...]
    groups: tuple[str, ...]
    pooled: bool

    @property
    def row(self) -> str:
        """The staffing row its sessions count in: its own name, or its queue's if pooled."""
        return self.queue if self.pooled else self.name


def required_skills(requirement: SkillRequirement) -> dict[str, int]:
    """The skills a session of ``requirement`` needs to be served at all.

    Additional skills count only when they are never dropped (no ``drop_after``): with a
    time-out the session is served by the agents with the required skills alone in the end.
    """
    if requirement.drop_after is None:
        return {**requirement.skills, **requirement.additional}
    return dict(requirement.skills)


def holds(group: AgentGroup, required: dict[str, int] | tuple[tuple[str, int], ...]) -> bool:
    """Whether the group's agents have every skill of ``required`` at least at its level."""
    items = required.items() if isinstance(required, dict) else required
    return all(group.skills.get(skill, 0) >= level for skill, level in items)


def skill_set_name(required: tuple[tuple[str, int], ...]) -> str:
    """``skills a>=1+b>=2``: a skill set's row name (skills sorted by name)."""
    return "skills " + "+".join(f"{skill}>={level}" for skill, level in required)


def skill_sets(scenario: Scenario) -> list[SkillSet]:
    """The scenario's distinct skill sets, in the order the channels first require them.

    A skill set is a set of required skills on one queue: the same skills required on two
    queues are two skill sets (each judged by its own queue's groups and goals), named
    ``skills a>=1 in <queue>`` then.
    """
    keys = [(tuple(sorted(required_skills(requirement).items())), channel.queue)
            for channel in scenario.channels for requirement in channel.skills]
    queues_of: dict[tuple[tuple[str, int], ...], set[str]] = {}
    for skills, queue in keys:
        queues_of.setdefault(skills, set()).add(queue)
    found: dict[tuple[tuple[tuple[str, int], ...], str], SkillSet] = {}
    for channel in scenario.channels:
        for index, requirement in enumerate(channel.skills):
            key = tuple(sorted(required_skills(requirement).items()))
            if (key, channel.queue) in found:
                known = found[key, channel.queue]
                found[key, channel.queue] = replace(
                    known, channels=(*known.channels, (channel.name, index)))
                continue
            groups = tuple(group.name for group in scenario.agent_groups if holds(group, key))
            serving = {group.name for group in scenario.agent_groups
                       if channel.queue in group.queues}
            name = skill_set_name(key)
            if len(queues_of[key]) > 1:
                name = f"{name} in {channel.queue}"
            found[key, channel.queue] = SkillSet(name, key, channel.queue,
                                                 ((channel.name, index),), groups,
                                                 pooled=set(groups) == serving)
    return list(found.values())


def separate_skill_sets(scenario: Scenario) -> list[SkillSet]:
    """The skill sets that are rows of their own (not pooled with their queue)."""
    return [skill_set for skill_set in skill_sets(scenario) if not skill_set.pooled]


def measured_rows(scenario: Scenario, queues: list[str]) -> list[str]:
    """The measured queues, then every skill set with a row of its own."""
    return [*queues, *(skill_set.name for skill_set in separate_skill_sets(scenario))]


def row_queue(scenario: Scenario, row: str) -> str:
    """The queue whose goals and threshold ``row`` (a queue or a skill set) keeps."""
    for skill_set in skill_sets(scenario):
        if skill_set.name == row:
            return skill_set.queue
    return row


def row_groups(scenario: Scenario, row: str | None) -> list[str]:
    """The agent groups that can serve ``row``: its skill set's, else the queue's servers.

    ``None`` (the center as a whole) is every group.
    """
    for skill_set in separate_skill_sets(scenario):
        if skill_set.name == row:
            return list(skill_set.groups)
    return [group.name for group in scenario.agent_groups
            if row is None or row in group.queues]


def group_skill_sets(scenario: Scenario) -> dict[str, int]:
    """Group -> how many separate skill sets it can serve (its scarce skills)."""
    separate = separate_skill_sets(scenario)
    return {group.name: sum(group.name in skill_set.groups for skill_set in separate)
            for group in scenario.agent_groups}


def row_channel_shares(scenario: Scenario, row: str) -> list[tuple[int, float]]:
    """(channel position, share of its inbound sessions) that count in ``row``.

    A queue's row keeps its channels' sessions routed by the queue (and those of pooled
    skill sets) and the share of another queue's channels transferred to it (rules §8.2:
    for the analytic start, each with its whole conversation); a skill set's row takes its
    share of each channel requiring it.
    """
    separate = separate_skill_sets(scenario)
    own = {skill_set.name: skill_set for skill_set in separate}
    transferred = {queue.name: queue.transfer.share for queue in scenario.queues
                   if queue.transfer is not None and queue.transfer.to == row}
    shares = []
    for position, channel in enumerate(scenario.channels):
        if row in own:
            share = sum(channel.skills[index].share for name, index in own[row].channels
                        if name == channel.name)
            if share > 0:
                shares.append((position, share))
        elif channel.queue == row:
            moved = sum(channel.skills[index].share for skill_set in separate
                        for name, index in skill_set.channels if name == channel.name)
            shares.append((position, max(0.0, 1.0 - moved)))
        elif row not in own and channel.queue in transferred:
            shares.append((position, transferred[channel.queue]))
    return shares


def with_skill_set_goals(scenario: Scenario, per_queue: dict[str, Goals]) -> dict[str, Goals]:
    """``per_queue`` goals with a row per separate skill set, its queue's goals."""
    result = dict(per_queue)
    for skill_set in separate_skill_sets(scenario):
        result[skill_set.name] = per_queue[skill_set.queue]
    return result


def session_rows(sessions: pd.DataFrame, scenario: Scenario) -> np.ndarray:
    """Per session row of the sessions table: the staffing row it counts in.

    Its queue's name, or the name of the separate skill set its drawn requirement
    (``skill_index``, the index in its channel's ``skills``) belongs to.
    """
    rows = sessions["queue"].to_numpy(dtype=object).copy()
    separate = separate_skill_sets(scenario)
    if not separate:
        return rows
    channel = sessions["channel"].to_numpy(dtype=object)
    skill_index = sessions["skill_index"].to_numpy()
    for skill_set in separate:
        for name, index in skill_set.channels:
            rows[(channel == name) & (skill_index == index)] = skill_set.name
    return rows


def row_requirements(scenario: Scenario, analytic: pd.DataFrame, rows: list[str],
                     required: dict[str, np.ndarray], groups: list[str]) -> pd.DataFrame:
    """Per row (queue, then separate skill set) and interval: its requirement.

    Args:
        scenario: the scenario.
        analytic: :func:`sim.staffing.analytic.queue_requirements` (one row per queue or
            skill set, owner group and interval).
        rows: the rows, in order (:func:`measured_rows`).
        required: capacity model -> ``[group, interval]`` online agents the search chose.
        groups: the staffed groups (``required``'s rows).

    Returns:
        One row per row and interval: ``row``, ``kind`` (``queue`` or ``skill set``),
        ``groups`` (the agent groups able to serve it, ``;``-separated), ``interval``,
        ``start_s``, ``arrivals`` (expected sessions), ``load_erlangs``, ``erlang_agents``
        (the Erlang C/A agents of its owners, for it alone: the baseline) and per model
        ``able_agents_<model>`` (online agents the search chose in the staffed groups able
        to serve it; they may serve other rows too).
    """
    n = scenario.n_intervals
    starts = np.arange(n) * scenario.interval
    separate = {skill_set.name for skill_set in separate_skill_sets(scenario)}
    frames = []
    for row in rows:
        mine = analytic[analytic["queue"] == row]
        by_interval = mine.groupby("interval")
        able = row_groups(scenario, row)
        frame = pd.DataFrame({
            "row": row, "kind": "skill set" if row in separate else "queue",
            "groups": ";".join(able), "interval": np.arange(n), "start_s": starts,
            "arrivals": by_interval["arrivals"].sum().reindex(range(n), fill_value=0.0)
            .to_numpy().round(3),
            "load_erlangs": (by_interval["load_erlangs"].max().reindex(range(n))
                             .fillna(0.0).to_numpy().round(3)
                             if "load_erlangs" in mine else np.zeros(n)),
            "erlang_agents": by_interval["agents"].sum().reindex(range(n), fill_value=0)
            .to_numpy().astype(int),
        })
        mask = np.array([name in able for name in groups], dtype=bool)
        for model, agents in required.items():
            frame[f"able_agents_{model}"] = np.asarray(agents)[mask].sum(axis=0).astype(int)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def skill_set_summary(scenario: Scenario, requirements: pd.DataFrame) -> list[dict[str, object]]:
    """The separate and pooled skill sets for ``staffing.json``.

    Each: ``name``, ``required`` (skill -> level), ``queue`` (whose goals it keeps),
    ``channels`` (channel -> share of its inbound sessions), ``groups`` (able to serve it),
    ``pooled`` (sized and measured in its queue's row), ``row``, and for a separate one
    ``erlang_agent_hours`` (the Erlang baseline, online) and ``erlang_peak_agents`` from
    ``requirements`` (:func:`row_requirements`).
    """
    summary: list[dict[str, object]] = []
    by_name = {channel.name: channel for channel in scenario.channels}
    for skill_set in skill_sets(scenario):
        shares: dict[str, float] = {}
        for name, index in skill_set.channels:  # a channel may list the same set twice
            shares[name] = shares.get(name, 0.0) + by_name[name].skills[index].share
        entry: dict[str, object] = {
            "name": skill_set.name, "required": dict(skill_set.required),
            "queue": skill_set.queue,
            "channels": shares,
            "groups": list(skill_set.groups), "pooled": skill_set.pooled,
            "row": skill_set.row,
        }
        mine = requirements[requirements["row"] == skill_set.name]
        if not skill_set.pooled and len(mine):
            entry["erlang_agent_hours"] = round(
                float(mine["erlang_agents"].sum()) * scenario.interval / 3600.0, 2)
            entry["erlang_peak_agents"] = int(mine["erlang_agents"].max())
        summary.append(entry)
    return summary
