"""The answer of each command in one or two sentences, the first lines of every output.

:func:`run_verdict` says whether the service-level goal was met overall and in which
intervals it was missed, then the waits beside each other (ASA of answered sessions, the
mean wait of every offered session); :func:`comparison_verdict` says on which figures one
capacity model is better than the other, naming only differences whose 95% confidence
interval excludes zero; :func:`staffing_verdict` gives the scheduled agent-hours and the
peak of each capacity model. The terminal, ``report.html`` and ``report.xlsx`` open with
the same lines.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.results.figures import (
    FIGURE_BETTER,
    FIGURE_LABELS,
    in_reported_units,
    measured_days,
    reported_unit,
)

if TYPE_CHECKING:
    from sim.calibration.backtest import Backtest
    from sim.experiments.runner import RunSet
    from sim.scenario.schema import Scenario
    from sim.staffing.report import StaffingReport

MAX_NAMED = 4
"""Intervals or figures named in a verdict at most; the rest are counted."""

SERVICE_FIRST = ("service_level", "asa_s", "abandonment_rate", "mean_queue_time_s")
"""Figures named first in the comparison's verdict: what the customer sees."""


def figure_value(value: float, unit: str, signed: bool = False) -> str:
    """A figure's value with its unit, as a sentence shows it (shares in %, pp signed).

    Args:
        value: in the unit of :func:`sim.results.figures.reported_unit` (shares 0-1).
        unit: that unit.
        signed: a difference: ``+`` before positive values, shares in percentage points.
    """
    if not math.isfinite(value):
        return "–"
    sign = "+" if signed else ""
    if unit == "share":
        return f"{value * 100:{sign}.1f} {'pp' if signed else '%'}".replace(" %", "%")
    if unit == "sessions":
        return f"{value:{sign},.0f} sessions"
    number = f"{value:{sign},.0f}" if abs(value) >= 100 else f"{value:{sign}.3g}"
    return f"{number} {unit}" if unit else number


def _at(table: pd.DataFrame, row: object, column: str) -> float:
    """One number of a per-figure table (NaN when missing)."""
    value = table[column].astype(float).get(row)
    return math.nan if value is None else float(value)


def _listed(names: list[str]) -> str:
    """``a, b and c`` of at most :data:`MAX_NAMED` items, the rest counted."""
    shown, more = names[:MAX_NAMED], len(names) - MAX_NAMED
    if more > 0:
        return ", ".join(shown) + f" and {more} more"
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


# --------------------------------------------------------------------------------- run
def goal_text(scenario: Scenario) -> str:
    """``goal 80% in 60 s``: the scenario's service-level goal."""
    level = scenario.service_level
    return f"goal {level.target:.0%} in {level.threshold:g} s"


def run_verdict(summary: pd.DataFrame, intervals: pd.DataFrame, scenario: Scenario
                ) -> list[str]:
    """Whether the service-level goal was met, overall and per interval; the waits.

    Args:
        summary: the run's figures over replications (indexed by figure; ``mean``,
            ``ci95``), as :meth:`sim.experiments.runner.RunSet.summary`.
        intervals: the interval means over replications (``intervals.csv``: ``channel``,
            ``start_s``, ``service_level``).
        scenario: for the goal, the warm-up and the clock.

    Returns:
        Two lines: the goal's verdict, then ASA beside the mean wait of all offered
        sessions, abandonment and occupancy (or, without inbound sessions, what ended).
    """
    level = scenario.service_level
    mean = _at(summary, "service_level", "mean")
    half = _at(summary, "service_level", "ci95")
    if not math.isfinite(mean):
        ended = ", ".join(f"{figure_value(_at(summary, name, 'mean'), 'sessions')} "
                          f"{FIGURE_LABELS[name].removeprefix('sessions ')}"
                          for name in ("completed", "timed_out", "abandoned")
                          if name in summary.index)
        return [f"no inbound session to measure the {goal_text(scenario)} on; {ended}",
                _waits_line(summary)]
    band = f" ± {half * 100:.1f}" if math.isfinite(half) else ""
    low = mean - (half if math.isfinite(half) else 0.0)
    high = mean + (half if math.isfinite(half) else 0.0)
    if low >= level.target:
        state = "met overall"
    elif high < level.target:
        state = "missed overall"
    elif mean >= level.target:
        state = "met on the mean overall, not clearly"
        band += f"; the 95% CI reaches below {level.target:.0%}"
    else:
        state = "missed on the mean overall, not clearly"
        band += f"; the 95% CI reaches {level.target:.0%}"
    rows = intervals[(intervals["channel"] == "all")
                     & (intervals["start_s"] >= scenario.warmup)]
    rows = rows[np.isfinite(rows["service_level"].to_numpy(dtype=float))]
    missed = rows[rows["service_level"].to_numpy(dtype=float) < level.target]
    with_day = scenario.clock.multi_day(scenario.horizon)
    if missed.empty:
        where = f"met in every one of the {len(rows)} intervals"
    else:
        times = [scenario.clock.label(float(start), with_day=with_day)
                 for start in missed["start_s"]]
        where = f"missed in {len(missed)} of {len(rows)} intervals ({_listed(times)})"
    return [f"{goal_text(scenario)}: {state} ({mean * 100:.1f}%{band}), {where}",
            _waits_line(summary)]


def _waits_line(summary: pd.DataFrame) -> str:
    """ASA of answered sessions beside the mean wait of all offered, abandonment, occupancy."""
    def value(name: str) -> str:
        return figure_value(_at(summary, name, "mean"), reported_unit(name))

    parts = []
    if math.isfinite(_at(summary, "asa_s", "mean")):
        parts.append(f"ASA {value('asa_s')} (answered sessions only), mean wait of all "
                     f"offered {value('mean_queue_time_s')} (an Erlang calculator's ASA)")
    parts.append(f"abandoned {value('abandonment_rate')}")
    parts.append(f"occupancy {value('occupancy')}")
    return "; ".join(part for part in parts if "–" not in part)


# --------------------------------------------------------------------------- compare
def comparison_verdict(table: pd.DataFrame, scenario: Scenario) -> list[str]:
    """On which figures status-based capacity is clearly better or worse than tab-based.

    A figure counts only where the 95% CI of the paired difference (status - tab)
    excludes zero and it has a better direction (:data:`FIGURE_BETTER`); session counts
    are left to the rates and waits they make up.

    Args:
        table: :attr:`sim.experiments.runner.Comparison.table` (indexed by figure).
        scenario: for the days the totals are reported per.

    Returns:
        One or two lines: better on, worse on (or that no figure differs clearly), then
        how many figures show no clear difference.
    """
    shown = in_reported_units(table, measured_days(scenario))
    better: list[str] = []
    worse: list[str] = []
    unclear = 0
    order = [name for name in SERVICE_FIRST if name in shown.index] + [
        name for name in shown.index if name not in SERVICE_FIRST]
    for name in order:
        direction = FIGURE_BETTER.get(str(name))
        if direction is None or reported_unit(str(name)) == "sessions":
            continue  # counts follow the rates and waits that are named
        diff, half = _at(shown, name, "diff_mean"), _at(shown, name, "diff_ci95")
        if not (math.isfinite(diff) and math.isfinite(half) and abs(diff) > half):
            if math.isfinite(diff) and diff != 0:
                unclear += 1
            continue
        text = f"{FIGURE_LABELS[str(name)]} ({figure_value(diff, reported_unit(str(name)), True)})"
        (better if (diff > 0) == (direction == "higher") else worse).append(text)
    if not better and not worse:
        return ["tab- and status-based capacity: no figure differs clearly (every 95% CI "
                "of the paired difference includes 0)"]
    parts = []
    if better:
        parts.append(f"better on {_listed(better)}")
    if worse:
        parts.append(f"worse on {_listed(worse)}")
    lines = ["status-based vs tab-based capacity, same customers: " + "; ".join(parts)]
    if unclear:
        lines.append(f"no clear difference on {unclear} other figure"
                     f"{'s' if unclear != 1 else ''} (the 95% CI includes 0); status − tab "
                     "in brackets")
    else:
        lines.append("status − tab in brackets; only differences whose 95% CI excludes 0")
    return lines


# ------------------------------------------------------------------------------ backtest
def backtest_verdict(result: Backtest) -> list[str]:
    """How much of the observed day the simulation's band holds, and the weakest measure.

    Returns:
        One line: the share of compared interval values inside the band over every
        measure, then the measure with the smallest share and its mean absolute error.
    """
    from sim.calibration.observed import MEASURE_LABELS

    summary = result.summary[result.summary["intervals"] > 0]
    if summary.empty:
        return ["backtest: no interval has both an observed and a simulated value to compare"]
    counts = summary["intervals"].to_numpy(dtype=float)
    inside = float((summary["inside_share"].to_numpy(dtype=float) * counts).sum() / counts.sum())
    weakest = str(summary["inside_share"].astype(float).idxmin())
    row = summary.loc[weakest]
    unit = str(row["unit"])
    error = (f"{float(row['mae']) * 100:.3g} points" if unit == "share"
             else f"{float(row['mae']):.3g} {unit}")
    return [f"backtest: {inside:.0%} of {int(counts.sum())} observed interval values lie "
            f"inside the simulated 95% band; weakest: "
            f"{MEASURE_LABELS.get(weakest, weakest)} ({float(row['inside_share']):.0%} "
            f"inside, mean absolute error {error})"]


# --------------------------------------------------------------------------------- staff
def staffing_verdict(report: StaffingReport) -> list[str]:
    """Scheduled agent-hours and the peak per capacity model, and whether goals hold.

    Returns:
        One line per the models together: hours, peak agents and when; a second line on
        the goals (every interval meets them, or how many intervals do not).
    """
    interval = report.scenario.interval
    with_day = report.scenario.clock.multi_day(report.scenario.horizon)
    parts, goals = [], []
    for model, result in report.results.items():
        per_interval = result.scheduled.sum(axis=0)
        peak = int(np.argmax(per_interval)) if len(per_interval) else 0
        when = report.scenario.clock.label(peak * interval, with_day=with_day)
        parts.append(f"{model}-based {result.agent_hours:,.1f} scheduled agent-hours, peak "
                     f"{int(per_interval[peak]) if len(per_interval) else 0} agents at {when}")
        missing = int((~result.meets()).sum())
        goals.append(f"{model}-based: " + ("every interval meets the goals" if not missing
                                           else f"goals missed in {missing} intervals"))
    difference = report.agent_hours_difference()
    extra = f" (status − tab {difference:+,.1f} h)" if difference is not None else ""
    first = f"staffing {report.group}: " + "; ".join(parts) + extra
    described = report.goals.describe() or "the queues' goals"
    if not parts:
        first = f"staffing {report.group}: no capacity model could be staffed"
    return [first, f"goals {described}: " + "; ".join(goals)]


def runset_verdict(runset: RunSet, scenario: Scenario | None = None) -> list[str]:
    """:func:`run_verdict` of a run set (its summary and interval means)."""
    from sim.reports.files import run_interval_tables

    scenario = runset.scenario if scenario is None else scenario
    intervals, _ = run_interval_tables(runset, scenario)
    return run_verdict(runset.summary(), intervals, scenario)
