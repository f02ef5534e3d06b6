"""What-if: which capacity model is preferred as a setting grows, and where it flips.

Disconnections, the close-tab delay, the share of silent customers grow, or customers wait
less long for a reply: which capacity model is preferred, and where does the preference
flip?

Each :class:`Knob` sets one setting for every agent group or channel (everything else as
in the scenario); :func:`whatif_grid` runs both capacity models on the same customers at
each of its values and judges them by service level, ASA and the customers' total waiting
time (:func:`customer_wait`). A model is preferred by a criterion when the 95% CI of the
paired difference excludes zero; the preference flips along a knob where one model is
preferred at one value and the other at the next decided value (:func:`flip_points`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from sim.analysis.preference import preferred
from sim.experiments.executors import Executor
from sim.experiments.runner import Comparison, compare
from sim.results.figures import paired_difference
from sim.scenario.schema import Scenario

DISCONNECTION_MEAN_S = 600.0
"""Mean time offline per disconnection in the disconnections knob (seconds)."""

ACW_MAX_S = 900.0
"""After Conversation Work maximum set with the close-tab knob where ACW is on (seconds),
so the longer delays are not cut at the ACW cap."""


def customer_wait(figures: dict[str, float]) -> dict[str, float]:
    """The customers' waiting time per offered inbound session (seconds), and its parts.

    ``first_wait_s`` is the mean queue time of all offered inbound sessions (speed to
    answer, or until they left or the horizon); ``after_answer_s`` the waits after the
    first answer (requeued, returned, stranded: ``wait_after_answer_s``) per offered
    session; ``customer_wait_s`` their sum. Waits for an online agent's replies are
    handling time, the same rule in both models, and are not counted.

    Args:
        figures: one replication's :func:`sim.results.figures.headline_figures`.
    """
    offered = max(figures["offered"], 1.0)
    first = figures["mean_queue_time_s"]
    first = 0.0 if math.isnan(first) else first
    after = figures["wait_after_answer_s"] / offered
    return {"customer_wait_s": first + after, "first_wait_s": first, "after_answer_s": after}


def customer_measures(figures: dict[str, float]) -> dict[str, float]:
    """:func:`customer_wait` and the customers lost: abandoned plus left unanswered.

    ``lost_customers`` counts the sessions whose customer gave up, in the queue
    (``abandoned``) or waiting for a reply after the first answer (``left_unanswered``,
    rules §5.7), per replication.
    """
    lost = figures["abandoned"] + figures["left_unanswered"]
    return {**customer_wait(figures), "lost_customers": lost}


def paired_customer_wait(comparison: Comparison) -> pd.DataFrame:
    """:func:`customer_measures` of a comparison: both means and the paired difference.

    Returns:
        Indexed by ``customer_wait_s``, ``first_wait_s``, ``after_answer_s``,
        ``lost_customers``; columns ``tab_mean``, ``status_mean``, ``diff_mean``
        (status - tab) and ``diff_ci95``.
    """
    waits = {model: [customer_measures(f) for f in runs.figures]
             for model, runs in (("tab", comparison.tab), ("status", comparison.status))}
    difference = paired_difference(waits["tab"], waits["status"])
    return pd.DataFrame({"tab_mean": pd.DataFrame(waits["tab"]).mean(),
                         "status_mean": pd.DataFrame(waits["status"]).mean(),
                         "diff_mean": difference["mean"], "diff_ci95": difference["ci95"]})


@dataclass(frozen=True)
class Knob:
    """One what-if setting: the changes it makes and the values it takes.

    Attributes:
        name: what it is, in words (``"disconnections"``).
        values: the values tried, lowest first, in the setting's own unit.
        axis: the chart's axis label, with the unit of ``shown``.
        unit: the unit written after a shown value (``"/h"``, ``" min"``, ``"%"``).
        changes: ``(scenario, value) -> {key path: value}`` for :meth:`Scenario.derive`.
        scale: shown value per setting value (60 s -> 1 min: ``1/60``).
    """

    name: str
    values: tuple[float, ...]
    axis: str
    unit: str
    changes: Callable[[Scenario, float], dict[str, Any]]
    scale: float = 1.0

    def shown(self, value: float) -> float:
        """The value in the unit the tables and charts show."""
        return value * self.scale

    def text(self, value: float) -> str:
        """The value with its unit, as text (``3/h``)."""
        return f"{self.shown(value):.3g}{self.unit}"

    def chosen(self, count: int) -> tuple[float, ...]:
        """``count`` of the values, spread from the lowest to the highest (all if more)."""
        if count >= len(self.values):
            return self.values
        picks = np.unique(np.linspace(0, len(self.values) - 1, max(count, 1)).round())
        return tuple(self.values[int(i)] for i in picks)

    def apply(self, scenario: Scenario, value: float) -> Scenario:
        """The scenario with this knob at ``value``."""
        return scenario.derive(self.changes(scenario, value),
                               source=f"what-if {self.name} = {self.text(value)}")


def disconnection_changes(scenario: Scenario, rate: float) -> dict[str, Any]:
    """Every agent drops offline ``rate`` times per online hour, 10 min on average."""
    changes: dict[str, Any] = {}
    for i, _ in enumerate(scenario.agent_groups):
        changes[f"agent_groups[{i}].disconnections.rate"] = rate
        changes[f"agent_groups[{i}].disconnections.duration"] = {
            "kind": "exponential", "mean": DISCONNECTION_MEAN_S}
    return changes


def close_tab_changes(scenario: Scenario, mean_s: float) -> dict[str, Any]:
    """Every group's close-tab delay: at once (0) or exponential with mean ``mean_s``."""
    changes: dict[str, Any] = {}
    for i, group in enumerate(scenario.agent_groups):
        changes[f"agent_groups[{i}].behaviour.close_tab_delay"] = (
            {"kind": "fixed", "value": 0.0} if mean_s == 0
            else {"kind": "exponential", "mean": mean_s})
        acw = group.behaviour.after_conversation_work
        if acw.enabled:
            changes[f"agent_groups[{i}].behaviour.after_conversation_work.max"] = max(
                acw.max, ACW_MAX_S)
    return changes


def silent_changes(scenario: Scenario, share: float) -> dict[str, Any]:
    """Every channel's share of customers who fall silent mid-conversation."""
    return {f"channels[{i}].customers.silent_probability": share
            for i, _ in enumerate(scenario.channels)}


def response_patience_changes(scenario: Scenario, mean_s: float) -> dict[str, Any]:
    """Every channel's customers wait for a reply exponential(``mean_s``) s (rules §5.7)."""
    return {f"channels[{i}].customers.response_patience": {"kind": "exponential",
                                                           "mean": mean_s}
            for i, _ in enumerate(scenario.channels)}


KNOBS: tuple[Knob, ...] = (
    Knob("disconnections", (0.0, 1.0, 3.0, 6.0), "disconnections (per agent per online hour)",
         "/h", disconnection_changes),
    Knob("close-tab delay", (0.0, 120.0, 300.0, 600.0), "mean close-tab delay (min)", " min",
         close_tab_changes, scale=1.0 / 60.0),
    Knob("silent customers", (0.0, 0.15, 0.4), "share of silent customers (%)", "%",
         silent_changes, scale=100.0),
    Knob("response patience", (120.0, 600.0, 1800.0, 7200.0),
         "customers' mean patience for a reply (min)", " min", response_patience_changes,
         scale=1.0 / 60.0),
)
"""The what-if knobs, each replacing the scenario's setting for every group or channel."""


class Criterion(NamedTuple):
    """How a figure judges the models: its name, unit, scale and which way is better."""

    figure: str
    unit: str
    scale: float
    higher_is_better: bool
    axis: str


CRITERIA: dict[str, Criterion] = {
    "SL": Criterion("service_level", "pp", 100.0, True, "service level difference (pp)"),
    "ASA": Criterion("asa_s", "s", 1.0, False, "ASA difference (s)"),
    "customer wait": Criterion("customer_wait_s", "s", 1.0, False,
                               "customer wait difference (s per offered session)"),
    "lost customers": Criterion("lost_customers", "sessions", 1.0, False,
                                "lost customers difference (sessions)"),
}
"""The criteria the what-if judges the models by."""

PARTS = ("first_wait_s", "after_answer_s")
"""The parts of the customer wait kept in the grid (seconds per offered session)."""


def whatif_point(variant: Scenario, replications: int, seed: int,
                 executor: Executor | None = None) -> pd.DataFrame:
    """Both capacity models on the same customers: the criteria and wait parts.

    Returns:
        Indexed by figure (each criterion's figure, then :data:`PARTS`); columns
        ``tab_mean``, ``status_mean``, ``diff_mean`` (status - tab), ``diff_ci95``.
    """
    comparison = compare(variant, replications, seed=seed, executor=executor)
    columns = ["tab_mean", "status_mean", "diff_mean", "diff_ci95"]
    figures = [c.figure for c in CRITERIA.values() if c.figure in comparison.table.index]
    return pd.concat([comparison.table.loc[figures, columns],
                      paired_customer_wait(comparison)[columns]])


def whatif_grid(scenario: Scenario, replications: int, seed: int, values: int = 4,
                executor: Executor | None = None,
                knobs: Sequence[Knob] = KNOBS) -> pd.DataFrame:
    """Every knob at ``values`` of its values, both models, judged by every criterion.

    Args:
        scenario: the scenario (each knob replaces one of its settings).
        replications: paired replications per capacity model and point.
        seed: root seed (the same customers at every point).
        values: values per knob, spread from its lowest to its highest.
        executor: where the runs happen; serial in this process when omitted.
        knobs: the knobs to turn.

    Returns:
        One row per knob, value and measure (the :data:`CRITERIA` names, then
        :data:`PARTS`): ``knob``, ``value`` (setting unit), ``x`` (shown unit),
        ``measure``, ``unit``, ``tab``, ``status``, ``diff``, ``ci95`` (scaled to
        ``unit``) and ``preferred`` (``tab``, ``status`` or ``neither``; criteria only).
    """
    rows = []
    measures = {name: c for name, c in CRITERIA.items()}
    for knob in knobs:
        for value in knob.chosen(values):
            point = whatif_point(knob.apply(scenario, value), replications, seed, executor)
            base = {"knob": knob.name, "value": value, "x": knob.shown(value)}
            for name, criterion in measures.items():
                rows.append({**base, **_row(point, criterion.figure, name, criterion.unit,
                                            criterion.scale, criterion.higher_is_better)})
            for part in PARTS:
                rows.append({**base, **_row(point, part, part, "s", 1.0, None)})
    return pd.DataFrame(rows)


def _row(point: pd.DataFrame, figure: str, measure: str, unit: str, scale: float,
         higher_is_better: bool | None) -> dict[str, Any]:
    line = point.loc[figure] if figure in point.index else pd.Series(
        math.nan, index=point.columns)
    diff, half = float(line["diff_mean"]), float(line["diff_ci95"])
    choice = ("" if higher_is_better is None else preferred(diff, half, higher_is_better))
    return {"measure": measure, "unit": unit, "tab": float(line["tab_mean"]) * scale,
            "status": float(line["status_mean"]) * scale, "diff": diff * scale,
            "ci95": half * scale, "preferred": choice}


class Flip(NamedTuple):
    """Where the preferred model changes along a knob.

    From one model at a value to the other at the next value where a model is preferred
    (values in the setting's units).
    """

    knob: str
    criterion: str
    before: str
    before_value: float
    after: str
    after_value: float


def flip_points(grid: pd.DataFrame, knob: str, criterion: str) -> list[Flip]:
    """Consecutive clear preferences that differ along ``knob`` by ``criterion``.

    Values where neither model is preferred are passed over: tab at 0, neither at 1 and
    status at 3 is one flip, from tab at 0 to status at 3.
    """
    rows = grid[(grid["knob"] == knob) & (grid["measure"] == criterion)].sort_values("value")
    decided = [(c, float(v)) for c, v in zip(rows["preferred"], rows["value"], strict=True)
               if c in ("tab", "status")]
    return [Flip(knob, criterion, a[0], a[1], b[0], b[1])
            for a, b in zip(decided, decided[1:], strict=False) if a[0] != b[0]]


def knob_named(name: str, knobs: Sequence[Knob] = KNOBS) -> Knob:
    """The knob called ``name``.

    Raises:
        KeyError: if there is none.
    """
    for knob in knobs:
        if knob.name == name:
            return knob
    raise KeyError(name)
