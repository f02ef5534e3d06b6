"""Both capacity models per channel and per group: each model's figure, the paired difference.

The center's headline figures can hide a channel that pays for the other's gain, or a team
that runs hot while the other idles. These tables split the comparison's replications by
channel (the sessions it offered) and by agent group (the capacity it had online); the
difference *status - tab* is paired replication by replication (common random numbers).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from sim.analysis.headline import headline_table
from sim.model.tables import Result
from sim.results.breakdowns import GROUP_TOTAL_UNITS, group_totals
from sim.results.figures import FIGURE_UNITS, paired_comparison, session_figures
from sim.scenario.schema import Scenario

CHANNEL_FIGURES = ("offered", "service_level", "asa_s", "abandonment_rate", "handle_time_s")
"""The per-channel figures compared (session figures of :mod:`sim.results.figures`)."""

GROUP_FIGURES = ("agents_online", "occupancy", "concurrency")
"""The per-group figures compared (:data:`sim.results.breakdowns.GROUP_TOTALS`)."""


def channel_values(result: Result, scenario: Scenario, channel: str) -> dict[str, float]:
    """One replication's :data:`CHANNEL_FIGURES` of ``channel`` (after the warm-up)."""
    sessions = result.sessions
    rows = sessions[(sessions["channel"] == channel)
                    & (sessions["arrival_time"] >= scenario.warmup)]
    figures = session_figures(rows, scenario)
    return {name: figures[name] for name in CHANNEL_FIGURES}


def group_values(result: Result, scenario: Scenario) -> dict[str, dict[str, float]]:
    """One replication's :data:`GROUP_FIGURES` of every group (intervals after the warm-up)."""
    totals = group_totals(result.groups, scenario).set_index(["group", "figure"])["mean"]
    return {group.name: {name: float(totals[(group.name, name)]) for name in GROUP_FIGURES}
            for group in scenario.agent_groups}


def keyed_table(key: str, tables: dict[str, pd.DataFrame],
                units: Mapping[str, str] = FIGURE_UNITS) -> pd.DataFrame:
    """:func:`sim.analysis.headline.headline_table` of each key's comparison, stacked."""
    shown = {name: headline_table(table, units)[0] for name, table in tables.items()}
    return pd.concat(shown, names=[key, "figure"])


def channel_comparison(results: dict[str, list[Result]], scenario: Scenario) -> pd.DataFrame:
    """Per channel: offered, service level, ASA, abandonment and handle time of both models.

    Args:
        results: ``{"tab": [...], "status": [...]}``, the same replications in the same
            order (:func:`sim.analysis.traced.traced_runs`).
        scenario: the scenario compared (channel order, warm-up, service level).

    Returns:
        Indexed by ``(channel, figure)``: the columns of the headline table (unit, both
        means ± 95% CI, the paired difference status - tab, ``clear``); figures zero under
        both models left out.
    """
    return keyed_table("channel", {
        channel.name: paired_comparison(
            [channel_values(run, scenario, channel.name) for run in results["tab"]],
            [channel_values(run, scenario, channel.name) for run in results["status"]])
        for channel in scenario.channels})


def group_comparison(results: dict[str, list[Result]], scenario: Scenario) -> pd.DataFrame:
    """Per agent group: agents online, occupancy and concurrency of both models.

    Args:
        results: as for :func:`channel_comparison`.
        scenario: the scenario compared (group order, interval, warm-up).

    Returns:
        Indexed by ``(group, figure)``, the columns of :func:`channel_comparison`.
    """
    runs = {model: [group_values(run, scenario) for run in results[model]]
            for model in ("tab", "status")}
    return keyed_table("group", {
        group.name: paired_comparison([run[group.name] for run in runs["tab"]],
                                      [run[group.name] for run in runs["status"]])
        for group in scenario.agent_groups}, GROUP_TOTAL_UNITS)
