"""Both capacity models per channel and per group: each model's figure, the paired difference.

The center's headline figures can hide a channel that pays for the other's gain, or a team
that runs hot while the other idles. These tables split the comparison's replications by
channel (the sessions it offered) and by agent group (the capacity it had online); the
difference *status - tab* is paired replication by replication (common random numbers).
"""

from __future__ import annotations

import math

import pandas as pd

from sim.analysis.headline import mean_with_ci
from sim.model.tables import Result
from sim.results.breakdowns import GROUP_TOTAL_UNITS, group_totals
from sim.results.figures import FIGURE_UNITS, paired_difference, session_figures, summarize
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


def group_values(result: Result, scenario: Scenario, group: str) -> dict[str, float]:
    """One replication's :data:`GROUP_FIGURES` of ``group`` (intervals after the warm-up)."""
    totals = group_totals(result.groups, scenario)
    mine = totals[totals["group"] == group].set_index("figure")["mean"]
    return {name: float(mine[name]) for name in GROUP_FIGURES}


def mean_and_ci(stats: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """``{figure: (mean, 95% CI half-width)}`` of a :func:`summarize`-shaped frame."""
    means, halves = stats["mean"].to_numpy(dtype=float), stats["ci95"].to_numpy(dtype=float)
    return {str(figure): (float(mean), float(half))
            for figure, mean, half in zip(stats.index, means, halves, strict=True)}


def comparison_rows(key: str, tab: list[dict[str, float]], status: list[dict[str, float]],
                    units: dict[str, str]) -> list[dict[str, object]]:
    """Display rows of one channel or group: both means ± CI and the paired difference."""
    tab_stats, status_stats = mean_and_ci(summarize(tab)), mean_and_ci(summarize(status))
    difference = mean_and_ci(paired_difference(tab, status))
    rows: list[dict[str, object]] = []
    for figure in tab[0]:
        unit = units.get(figure, "")
        delta, half = difference[figure]
        rows.append({
            "key": key,
            "figure": figure,
            "unit": "%" if unit == "share" else unit,
            "tab-based": mean_with_ci(*tab_stats[figure], unit),
            "status-based": mean_with_ci(*status_stats[figure], unit),
            "status − tab": mean_with_ci(delta, half, unit, True)
            + (" pp" if unit == "share" else ""),
            "clear": "yes" if math.isfinite(half) and abs(delta) > half else "no",
        })
    return rows


def channel_comparison(results: dict[str, list[Result]], scenario: Scenario) -> pd.DataFrame:
    """Per channel: offered, service level, ASA, abandonment and handle time of both models.

    Args:
        results: ``{"tab": [...], "status": [...]}``, the same replications in the same
            order (:func:`sim.analysis.traced.traced_runs`).
        scenario: the scenario compared (channel order, warm-up, service level).

    Returns:
        Indexed by ``(channel, figure)``: ``unit``, ``tab-based`` and ``status-based``
        (mean ± 95% CI), ``status − tab`` (paired, pp for shares) and ``clear``.
    """
    rows = []
    for channel in scenario.channels:
        tab = [channel_values(run, scenario, channel.name) for run in results["tab"]]
        status = [channel_values(run, scenario, channel.name) for run in results["status"]]
        rows += comparison_rows(channel.name, tab, status, FIGURE_UNITS)
    return pd.DataFrame(rows).rename(columns={"key": "channel"}).set_index(
        ["channel", "figure"])


def group_comparison(results: dict[str, list[Result]], scenario: Scenario) -> pd.DataFrame:
    """Per agent group: agents online, occupancy and concurrency of both models.

    Args:
        results: as for :func:`channel_comparison`.
        scenario: the scenario compared (group order, interval, warm-up).

    Returns:
        Indexed by ``(group, figure)``, the columns of :func:`channel_comparison`.
    """
    rows = []
    for group in scenario.agent_groups:
        tab = [group_values(run, scenario, group.name) for run in results["tab"]]
        status = [group_values(run, scenario, group.name) for run in results["status"]]
        rows += comparison_rows(group.name, tab, status, GROUP_TOTAL_UNITS)
    return pd.DataFrame(rows).rename(columns={"key": "group"}).set_index(["group", "figure"])
