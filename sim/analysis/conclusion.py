"""The comparison notebook's conclusion, written from the figures computed before it.

:func:`comparison_conclusion` turns a :class:`ComparisonFindings` (the comparison table,
the offline and silent-customer effects, the timeouts of a shortened clean-up, the
customers' total waiting time and the what-if grid) into Markdown: each headline figure
with its paired difference and verdict, the costs each model pays significantly more of,
a weighing of service against those costs and where the what-if preference flips.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sim.analysis.preference import CHOICE_TEXT, MODEL_NAMES, MODELS, number, preferred
from sim.analysis.silent import HELD_SILENT, OVER_CAPACITY, held_total
from sim.analysis.whatif import CRITERIA, flip_points, knob_named
from sim.results.figures import FIGURE_BETTER, FIGURE_LABELS, significant_costs
from sim.scenario.schema import Scenario

TOTALS = ("wait_after_answer_s", "stranded_s", "over_capacity_s")
"""Cost figures that are totals per replication (seconds; shown in minutes)."""

SERVICE = {"service_level": True, "asa_s": False, "abandonment_rate": False}
"""The service figures weighed against the costs, and whether higher is better."""


@dataclass
class ComparisonFindings:
    """What the comparison notebook computed, for its conclusion.

    Attributes:
        scenario: the scenario compared.
        table: :attr:`sim.experiments.runner.Comparison.table`.
        replications: paired replications of the comparison.
        seed: its root seed.
        offline: capacity model -> :func:`sim.analysis.offline.offline_effect`.
        silent: :func:`sim.analysis.silent.silent_table` (columns ``tab``, ``status``).
        timeouts: the comparison table of a run with a shortened clean-up.
        customer_wait: :func:`sim.analysis.whatif.paired_customer_wait`.
        grid: :func:`sim.analysis.whatif.whatif_grid`.
        whatif_replications: paired replications per what-if point.
    """

    scenario: Scenario
    table: pd.DataFrame
    replications: int
    seed: int
    offline: dict[str, pd.DataFrame]
    silent: pd.DataFrame
    timeouts: pd.DataFrame
    customer_wait: pd.DataFrame
    grid: pd.DataFrame
    whatif_replications: int


def capacity_of(scenario: Scenario) -> float:
    """The most capacity units any agent has."""
    return max(group.capacity_units for group in scenario.agent_groups)


def figure_text(table: pd.DataFrame, name: str, scale: float = 1.0, unit: str = "") -> str:
    """Both means of a figure and their paired difference ± CI, as text."""
    row = table.loc[name]
    return (f"{row['tab_mean'] * scale:.3g}{unit} tab-based vs "
            f"{row['status_mean'] * scale:.3g}{unit} status-based (difference "
            f"{row['diff_mean'] * scale:+.3g} ± {row['diff_ci95'] * scale:.2g}"
            f"{' pp' if unit == '%' else unit})")


def verdict(table: pd.DataFrame, name: str, higher_is_better: bool) -> str:
    """Which model the paired difference of a figure favours, in words."""
    row = table.loc[name]
    return CHOICE_TEXT[preferred(row["diff_mean"], row["diff_ci95"], higher_is_better)]


def cost_units(name: str, unit: str, capacity: float) -> tuple[float, str, str]:
    """Scale, unit and difference unit a cost figure is shown in (totals in minutes)."""
    if unit == "share":
        return 100.0, "%", " pp"
    if name in TOTALS:
        return 1.0 / 60.0, "min per replication", " min"
    if name == "peak_concurrency":
        return 1.0, f"sessions (capacity {capacity:g})", " sessions"
    return 1.0, unit, f" {unit}"


def cost_table(table: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """What each model costs: both means, status - tab ± CI, significant, higher under."""
    costs, capacity = significant_costs(table), capacity_of(scenario)
    rows = []
    for name, row in costs.iterrows():
        scale, unit, _ = cost_units(str(name), row["unit"], capacity)
        rows.append({"figure": row["label"], "unit": unit,
                     "tab-based": f"{row['tab'] * scale:.4g}",
                     "status-based": f"{row['status'] * scale:.4g}",
                     "status − tab": f"{row['diff'] * scale:+.4g} ± {row['ci95'] * scale:.2g}",
                     "significant": "yes" if row["significant"] else "no",
                     "higher under": MODEL_NAMES.get(row["costlier"], "—")})
    return pd.DataFrame(rows).set_index("figure")


def paid(costs: pd.DataFrame, model: str, capacity: float) -> str:
    """The costs ``model`` pays significantly more of, each with how much more ± CI."""
    parts = []
    for name in costs.index[costs["costlier"] == model]:
        row = costs.loc[name]
        scale, _, unit = cost_units(str(name), row["unit"], capacity)
        more = row["diff"] * scale * (1.0 if model == "status" else -1.0)
        parts.append(f"{row['label']} {more:+.3g} ± {row['ci95'] * scale:.2g}{unit}")
    return "; ".join(parts) or "none"


def weighing(table: pd.DataFrame, costs: pd.DataFrame) -> str:
    """Service (service level, ASA, abandonment) weighed against the costs, in words."""
    service = {name: preferred(number(table, name, "diff_mean"),
                               number(table, name, "diff_ci95"), up)
               for name, up in SERVICE.items() if name in table.index}
    serves = {m: [FIGURE_LABELS[n] for n, c in service.items() if c == m] for m in MODELS}
    losses = {m: [n for n in costs.index[costs["costlier"] == m]
                  if FIGURE_BETTER.get(str(n)) == "lower"] for m in MODELS}
    other = {"tab": "status", "status": "tab"}
    said = []
    for model in MODELS:
        name = MODEL_NAMES[model]
        if serves[model] and not losses[model]:
            said.append(f"{name} is better on {', '.join(serves[model])} and pays no "
                        "customer or over-capacity cost more: it is the better model here.")
        elif serves[model]:
            said.append(f"{name} is better on {', '.join(serves[model])}, but pays for it in "
                        + ", ".join(FIGURE_LABELS[n] for n in losses[model])
                        + f": a trade-off, not a win; {MODEL_NAMES[other[model]]} is the "
                        "choice when those costs matter more than the speed to answer.")
    if said:
        return " ".join(said)
    pay = [MODEL_NAMES[m] for m in MODELS if losses[m]]
    tail = {0: "nor in customer or over-capacity cost: no clear difference.",
            1: f"{' and '.join(pay)} pays more in customer or over-capacity cost, so the "
               "other is preferable."}.get(len(pay), "both pay costs of their own, as listed.")
    return "Neither model is clearly better on service level, ASA or abandonment; " + tail


def offline_wait(offline: dict[str, pd.DataFrame], model: str) -> float:
    """Waits after the first answer caused by offline agents (s per answered session)."""
    return float(offline[model]["wait per answered session (s)"].sum())


def service_lines(findings: ComparisonFindings) -> list[str]:
    """Service level, ASA, abandonment, throughput, occupancy and concurrency."""
    table, level = findings.table, findings.scenario.service_level
    less = "status-based" if number(table, "occupancy", "diff_mean") < 0 else "tab-based"
    return [
        f"- **Service level** (within {level.threshold:g} s, target {level.target:.0%}): "
        f"{figure_text(table, 'service_level', 100, '%')}: "
        f"{verdict(table, 'service_level', True)}.",
        f"- **Average speed to answer**: {figure_text(table, 'asa_s', 1, ' s')}: "
        f"{verdict(table, 'asa_s', False)}; 90th percentile "
        f"{figure_text(table, 'wait_p90_s', 1, ' s')}.",
        f"- **Abandonment**: {figure_text(table, 'abandonment_rate', 100, '%')}; "
        f"**throughput** {figure_text(table, 'throughput_per_h', 1, ' sessions/h')}.",
        f"- **Occupancy** {figure_text(table, 'occupancy', 100, '%')} and **concurrency** "
        f"{figure_text(table, 'avg_concurrency', 1, ' sessions/agent')}: the same work "
        f"holds less capacity under {less} capacity.",
    ]


def waits_lines(findings: ComparisonFindings) -> list[str]:
    """Offline agents and the customers' total waiting time."""
    table, offline, wait = findings.table, findings.offline, findings.customer_wait
    tab_s, status_s = offline_wait(offline, "tab"), offline_wait(offline, "status")
    after = ("status-based customers wait longer after being answered" if status_s > tab_s
             else "status-based customers also wait less after being answered")
    row = wait.loc["customer_wait_s"]
    choice = preferred(row["diff_mean"], row["diff_ci95"], False)
    return [
        "- **Offline agents**: tab-based reroutes "
        f"{number(table, 'reroutes', 'tab_mean'):.3f} work items per session and its "
        f"answered customers wait {tab_s:.1f} s per answered session in the queue again; "
        "status-based strands "
        f"{number(table, 'stranded_sessions', 'status_mean'):.0f} sessions per day for "
        f"{number(table, 'stranded_s', 'status_mean') / 60:.0f} min in total, "
        f"{status_s:.1f} s per answered session: {after} (speed to answer: "
        f"{verdict(table, 'asa_s', False)}).",
        "- **Customer wait** (queue wait + waits after the first answer, per offered "
        f"session): {row['tab_mean']:.1f} s tab-based vs {row['status_mean']:.1f} s "
        f"status-based (difference {row['diff_mean']:+.1f} ± {row['diff_ci95']:.2g} s): "
        f"{CHOICE_TEXT[choice]}.",
    ]


def cost_lines(findings: ComparisonFindings) -> list[str]:
    """The costs each model pays significantly more of, and the busiest agent's peak."""
    table, capacity = findings.table, capacity_of(findings.scenario)
    costs = significant_costs(table)
    peaks = {m: number(table, "peak_concurrency", f"{m}_mean") for m in MODELS}
    above = [MODEL_NAMES[m] for m in MODELS if peaks[m] > capacity + 1e-9]
    return [
        f"- **Costs paid significantly more under tab-based** (tab − status ± CI): "
        f"{paid(costs, 'tab', capacity)}.",
        f"- **Costs paid significantly more under status-based** (status − tab ± CI): "
        f"{paid(costs, 'status', capacity)}.",
        "- **Costs not significantly different**: "
        + (", ".join(costs.loc[~costs["significant"], "label"]) or "none") + ".",
        f"- **Peak concurrency**: the busiest agent holds {peaks['tab']:.3g} sessions "
        f"tab-based and {peaks['status']:.3g} status-based at once, against a capacity of "
        f"{capacity:g}: " + (" and ".join(above) + " goes over it" if above
                             else "neither goes over it") + ".",
    ]


def silent_line(findings: ComparisonFindings) -> str:
    """Capacity held by silent customers, over-capacity returns and timeouts."""
    silent, timeouts = findings.silent, findings.timeouts
    tab, status = held_total(silent, "tab"), held_total(silent, "status")
    waiting_tab = tab - number(silent, HELD_SILENT, "tab")
    return (f"- **Silent customers** hold {tab:.0f} capacity-minutes per day under "
            f"tab-based and {status:.0f} under status-based capacity before the slot is "
            f"freed (of which {waiting_tab:.0f} min tab-based waiting for the tab to close); "
            "under status-based, returning customers put agents over capacity for "
            f"{number(silent, OVER_CAPACITY, 'status'):.0f} min per day. With a shortened "
            f"clean-up, {number(timeouts, 'timed_out', 'tab_mean'):.0f} (tab) and "
            f"{number(timeouts, 'timed_out', 'status_mean'):.0f} (status) Inactive sessions "
            "time out.")


def knob_line(grid: pd.DataFrame, knob: str, criterion: str) -> str:
    """The preferred model at each value of a knob by a criterion, and its flips."""
    rows = grid[(grid["knob"] == knob) & (grid["measure"] == criterion)].sort_values("value")
    setting, unit = knob_named(knob), CRITERIA[criterion].unit
    steps = [f"{c} at {setting.text(v)} ({d:+.3g} ± {h:.2g} {unit})" for c, v, d, h in zip(
        rows["preferred"], rows["value"], rows["diff"], rows["ci95"], strict=True)]
    flips = flip_points(grid, knob, criterion)
    if flips:
        head = "; ".join(f"**flips** from {f.before}-based (at {setting.text(f.before_value)})"
                         f" to {f.after}-based (at {setting.text(f.after_value)})"
                         for f in flips)
    elif len(set(rows["preferred"]) - {"neither"}) == 1:
        head = "no flip (one model or no clear winner)"
    else:
        head = "no flip, no clear winner"
    return f"- {knob}, by {criterion}: {head}: " + ", ".join(steps) + "."


def flip_summary(grid: pd.DataFrame) -> list[str]:
    """Where the preference flips, or the closest approach; where the criteria disagree."""
    knobs = list(dict.fromkeys(grid["knob"]))
    flips = [f for k in knobs for c in CRITERIA for f in flip_points(grid, k, c)]
    if flips:
        lines = ["**Where the preference flips**: " + "; ".join(
            f"{f.knob} by {f.criterion}, from {f.before}-based at "
            f"{knob_named(f.knob).text(f.before_value)} to {f.after}-based at "
            f"{knob_named(f.knob).text(f.after_value)}" for f in flips) + "."]
    else:
        waits = grid[grid["measure"] == "customer wait"]
        near = waits.loc[(waits["diff"].abs() - waits["ci95"]).idxmin()]
        lines = ["**No flip** within a criterion at the values tried; the closest approach "
                 f"by customer wait is {near['knob']} at "
                 f"{knob_named(near['knob']).text(near['value'])}: {near['diff']:+.3g} ± "
                 f"{near['ci95']:.2g} s (all points listed above)."]
    by = grid[grid["measure"].isin(["SL", "customer wait"])].pivot_table(
        index=["knob", "value"], columns="measure", values="preferred", aggfunc="first")
    clash = by[(by["SL"] != "neither") & (by["customer wait"] != "neither")
               & (by["SL"] != by["customer wait"])]
    if len(clash):
        lines.append("The criteria disagree at " + ", ".join(
            f"{k} {knob_named(k).text(v)}" for k, v in clash.index)
            + ": service level prefers one model, the customers' total waiting time the "
            "other (speed to answer does not see stranded or re-queued time).")
    return lines


def comparison_conclusion(findings: ComparisonFindings) -> str:
    """The conclusion as Markdown (see the module)."""
    costs = significant_costs(findings.table)
    knobs = list(dict.fromkeys(findings.grid["knob"]))
    lines = [f"**{findings.scenario.name}**, {findings.replications} paired replications "
             f"(same customers under both models), seed {findings.seed}.", "",
             *service_lines(findings), *waits_lines(findings), *cost_lines(findings),
             silent_line(findings), "",
             "**Weighing it up** (service level, ASA and abandonment against the costs "
             "above): " + weighing(findings.table, costs), "",
             "**What-if** (preferred model per knob value, status − tab ± 95% CI):",
             *[knob_line(findings.grid, k, c) for k in knobs for c in CRITERIA], "",
             *flip_summary(findings.grid), "",
             f"Caveat: {findings.whatif_replications} replications per what-if point and "
             f"{findings.replications} for the main comparison; differences whose CI "
             "includes zero are not called."]
    return "\n".join(lines)
