"""From data to decision: the capacity model and the headcount to plan with.

The calibration notebook ends here. :func:`recommend` takes the comparison of both
capacity models on the calibrated center and its staffing, and answers two questions
with the figures:

* **which capacity model** — the one the customers wait less under in total (queue wait
  plus the waits after the first answer, :func:`sim.analysis.whatif.customer_wait`) when
  that paired difference is clear; else the one with the clearly higher service level;
  else the one the center uses today (nothing clearly better);
* **how many agents** — under that model, the verified staffing per group: agent-hours,
  the peak and when it falls, against the staffing observed in the export.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.analysis.preference import MODEL_NAMES, number, preferred
from sim.analysis.staffing_summary import when
from sim.analysis.whatif import paired_customer_wait
from sim.experiments.runner import Comparison
from sim.staffing.report import StaffingReport
from sim.staffing.variants import online_agents


@dataclass(frozen=True)
class GroupHeadcount:
    """One agent group's staffing under the recommended model, against today's.

    Attributes:
        group: the agent group.
        agent_hours: scheduled agent-hours over the scenario's horizon.
        peak: the most agents scheduled at once.
        peak_at: when the peak first falls (clock time).
        observed_hours: agent-hours the group is online in the scenario as it stands (the
            export's observed staffing after calibration): its schedule, without shrinkage.
        observed_peak: the most agents it has online at once.
    """

    group: str
    agent_hours: float
    peak: int
    peak_at: str
    observed_hours: float
    observed_peak: int


@dataclass(frozen=True)
class Recommendation:
    """The capacity model to use, why, and the headcount per group under it."""

    capacity_model: str
    current_model: str
    reason: str
    headcount: list[GroupHeadcount]
    other_model_hours: float | None

    def text(self) -> str:
        """The recommendation in a few lines of Markdown."""
        name = MODEL_NAMES[self.capacity_model]
        change = ("keep it" if self.capacity_model == self.current_model
                  else f"switch from {MODEL_NAMES[self.current_model]}")
        lines = [f"**Use {name} capacity** ({change}): {self.reason}.", ""]
        for count in self.headcount:
            more = count.agent_hours - count.observed_hours
            lines.append(
                f"- **{count.group}**: schedule {count.agent_hours:g} agent-hours "
                f"({more:+.4g} h against the {count.observed_hours:.4g} h online today), "
                f"peaking at {count.peak} agents at {count.peak_at} (today's peak "
                f"{count.observed_peak}).")
        if self.other_model_hours is not None:
            total = sum(count.agent_hours for count in self.headcount)
            other = [m for m in MODEL_NAMES if m != self.capacity_model][0]
            lines.append(f"- Under {MODEL_NAMES[other]} capacity the same goals would need "
                         f"{self.other_model_hours:g} agent-hours "
                         f"({self.other_model_hours - total:+g} h).")
        return "\n".join(lines)


def choose_model(comparison: Comparison, current: str) -> tuple[str, str]:
    """The capacity model the figures favour, and why (see the module)."""
    wait = paired_customer_wait(comparison).loc["customer_wait_s"]
    by_wait = preferred(float(wait["diff_mean"]), float(wait["diff_ci95"]), False)
    if by_wait != "neither":
        less = abs(float(wait["diff_mean"]))
        return by_wait, (f"its customers wait {less:.1f} s less per offered session in total "
                         f"(± {float(wait['diff_ci95']):.2g} s; queue wait plus waits after "
                         "the first answer)")
    table = comparison.table
    by_level = preferred(number(table, "service_level", "diff_mean"),
                         number(table, "service_level", "diff_ci95"), True)
    if by_level != "neither":
        gain = abs(number(table, "service_level", "diff_mean")) * 100.0
        return by_level, (f"the customers' total wait is not clearly different, and its "
                          f"service level is {gain:.3g} points higher")
    return current, ("neither the customers' total wait nor the service level is clearly "
                     "different, so the model in use stays")


def headcount(report: StaffingReport, model: str) -> list[GroupHeadcount]:
    """Each staffed group's staffing under ``model`` against its staffing in the scenario."""
    result, scenario = report.results[model], report.scenario
    interval_h = scenario.interval / 3600.0
    groups = {group.name: group for group in scenario.agent_groups}
    counts = []
    for name, row in zip(result.groups, result.scheduled, strict=True):
        observed = online_agents(groups[name], scenario)
        at = int(np.argmax(row))
        counts.append(GroupHeadcount(
            group=name, agent_hours=float(row.sum() * interval_h), peak=int(row.max()),
            peak_at=when(report, at * scenario.interval),
            observed_hours=float(observed.sum() * interval_h),
            observed_peak=int(np.ceil(observed.max() - 1e-9))))
    return counts


def recommend(comparison: Comparison, report: StaffingReport, current: str) -> Recommendation:
    """The capacity model and the headcount to plan with (see the module).

    Args:
        comparison: both capacity models on the calibrated center.
        report: the staffing of the calibrated center under both models (a model the
            staffing skipped cannot be recommended a headcount: the other is used).
        current: the capacity model the center uses today (the calibrated one).
    """
    model, reason = choose_model(comparison, current)
    if model not in report.results:
        model, reason = next(iter(report.results)), f"{reason}; only it was staffed"
    other = [m for m in report.results if m != model]
    return Recommendation(
        capacity_model=model, current_model=current, reason=reason,
        headcount=headcount(report, model),
        other_model_hours=report.results[other[0]].agent_hours if other else None)
