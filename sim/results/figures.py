"""Headline figures of a run and their statistics over replications (rules §7).

:func:`headline_figures` turns one replication's tables into a flat ``{figure: value}``
mapping; :func:`summarize` gives mean, standard deviation and 95% confidence half-width
of each figure over replications; :func:`paired_difference` does the same for the
per-replication difference of two configurations run on the same customers (common
random numbers), which is far tighter than comparing two independent means.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from sim.model.entities import OUTCOMES, Outcome
from sim.model.tables import Result, offered_mask, service_level_masks
from sim.results.confidence import ci95_half_width
from sim.scenario.schema import Scenario

TOTAL_UNIT = "s/run"
"""The unit of a figure summed over one replication after the warm-up (seconds), such as
the agents' time at capacity: reports show it in hours per day (:data:`REPORTED_UNITS`)."""

FIGURE_UNITS: dict[str, str] = {
    "offered": "sessions",
    "outbound_sent": "sessions",
    "answered": "sessions",
    "completed": "sessions",
    "abandoned": "sessions",
    "timed_out": "sessions",
    "ended_by_logout": "sessions",
    "ended_by_supervisor": "sessions",
    "ended_by_customer": "sessions",
    "left_unanswered": "sessions",
    "resolved_by_bot": "sessions",
    "left_in_bot": "sessions",
    "escalated": "sessions",
    "containment_rate": "share",
    "bot_time_s": "s",
    "transferred": "sessions",
    "open_at_horizon": "sessions",
    "throughput_per_h": "sessions/h",
    "completed_per_h": "sessions/h",
    "asa_s": "s",
    "mean_queue_time_s": "s",
    "wait_p50_s": "s",
    "wait_p90_s": "s",
    "wait_p99_s": "s",
    "wait_probability": "share",
    "first_response_s": "s",
    "response_time_s": "s",
    "response_p50_s": "s",
    "response_p90_s": "s",
    "service_level": "share",
    "abandonment_rate": "share",
    "conversation_s": "s",
    "handle_time_s": "s",
    "acw_s": "s",
    "occupancy": "share",
    "avg_concurrency": "sessions/agent",
    "peak_concurrency": "sessions",
    "reroutes": "per session",
    "stranded_s": TOTAL_UNIT,
    "stranded_sessions": "sessions",
    "requeued_wait_s": TOTAL_UNIT,
    "return_wait_s": TOTAL_UNIT,
    "wait_after_answer_s": TOTAL_UNIT,
    "over_capacity_s": TOTAL_UNIT,
    "at_capacity_s": TOTAL_UNIT,
}
"""Every headline figure, in report order, with its unit (``share`` is a fraction 0-1;
:data:`TOTAL_UNIT` a sum over the replication, reported per day)."""

FIGURE_LABELS: dict[str, str] = {
    "offered": "offered inbound sessions",
    "outbound_sent": "outbound sessions sent",
    "answered": "answered inbound sessions",
    "completed": "sessions completed",
    "abandoned": "sessions abandoned",
    "timed_out": "sessions timed out",
    "ended_by_logout": "sessions ended by a logout",
    "ended_by_supervisor": "sessions ended by a supervisor",
    "ended_by_customer": "sessions ended by the customer",
    "left_unanswered": "customers who left waiting for a reply",
    "resolved_by_bot": "sessions resolved by a bot",
    "left_in_bot": "customers who left during a bot",
    "escalated": "sessions a bot handed to a queue",
    "containment_rate": "bot containment (resolved of those the bot finished)",
    "bot_time_s": "time with a bot",
    "transferred": "sessions an agent transferred to another queue",
    "open_at_horizon": "sessions open at the horizon",
    "throughput_per_h": "throughput (sessions ended)",
    "completed_per_h": "sessions completed per hour",
    "asa_s": "ASA, mean wait of answered sessions",
    "mean_queue_time_s": "mean wait of all offered (Erlang ASA)",
    "wait_p50_s": "speed to answer, median",
    "wait_p90_s": "speed to answer, 90th percentile",
    "wait_p99_s": "speed to answer, 99th percentile",
    "wait_probability": "offered sessions that queued on arrival",
    "first_response_s": "first response time",
    "response_time_s": "agent response time per message, mean",
    "response_p50_s": "agent response time per message, median",
    "response_p90_s": "agent response time per message, 90th percentile",
    "service_level": "service level",
    "abandonment_rate": "abandonment rate",
    "conversation_s": "conversation time (accept to End Chat)",
    "handle_time_s": "handle time (accept to close, HandleTime)",
    "acw_s": "after-conversation time (End Chat to close)",
    "occupancy": "occupancy",
    "avg_concurrency": "mean concurrency per agent",
    "peak_concurrency": "peak concurrency of an agent",
    "reroutes": "reroutes per session",
    "stranded_s": "time stranded with an offline agent",
    "stranded_sessions": "sessions stranded",
    "requeued_wait_s": "time waiting again after a requeue",
    "return_wait_s": "time waiting again after a return",
    "wait_after_answer_s": "time waiting after the first answer",
    "over_capacity_s": "agent time over capacity",
    "at_capacity_s": "agent time at capacity",
}
"""A readable name of every headline figure, for charts and tables (units apart).

ccsim's ASA is the WFM meaning (answered sessions only); an Erlang calculator's ASA is the
mean wait of every arrival, abandons included, which is ``mean_queue_time_s``: the labels
say which is which wherever both appear."""

FIGURE_BETTER: dict[str, str] = {
    "answered": "higher",
    "service_level": "higher",
    "abandoned": "lower",
    "timed_out": "lower",
    "ended_by_logout": "lower",
    "asa_s": "lower",
    "mean_queue_time_s": "lower",
    "wait_p50_s": "lower",
    "wait_p90_s": "lower",
    "wait_p99_s": "lower",
    "first_response_s": "lower",
    "response_time_s": "lower",
    "response_p50_s": "lower",
    "response_p90_s": "lower",
    "left_unanswered": "lower",
    "abandonment_rate": "lower",
    "reroutes": "lower",
    "stranded_s": "lower",
    "stranded_sessions": "lower",
    "requeued_wait_s": "lower",
    "return_wait_s": "lower",
    "wait_after_answer_s": "lower",
    "over_capacity_s": "lower",
    "wait_probability": "lower",
}
"""Which way a figure is better for the customer and the agents, where one way is.

Occupancy, concurrency and handle time are trade-offs (more work per agent, or agents
held longer) and are not here: a chart shows them without a verdict. Neither are the
counts of ended sessions (throughput, completed): every offered session ends one way or
another, so more completed sessions is fewer abandoned, timed-out or logout ends, which
those rows already count; crediting both would count one difference twice.
"""

FIGURES: tuple[str, ...] = tuple(FIGURE_UNITS)
"""The names of the headline figures, in report order."""

COST_FIGURES: tuple[str, ...] = (
    "wait_after_answer_s",
    "stranded_s",
    "over_capacity_s",
    "peak_concurrency",
    "occupancy",
    "handle_time_s",
)
"""The figures that carry a capacity model's cost; for each, more is the costlier side.

``wait_after_answer_s`` (requeued + returns + stranded) is the customers' one comparable
wait for agents going offline; occupancy and handle time are trade-offs (capacity held
longer for the same work) rather than losses, but more of them is still the cost.
"""


REPORTED_UNITS: dict[str, str] = {TOTAL_UNIT: "h/day"}
"""The unit reports show a figure in, where it differs from the unit it is computed in:
totals over a replication are shown in hours per simulated day (a run of a day or less is
one day), so a 13-hour desk and a 4-day campaign read alike."""


def reported_unit(figure: str) -> str:
    """The unit ``figure`` is shown in by reports (its own unit unless converted)."""
    unit = FIGURE_UNITS.get(figure, "")
    return REPORTED_UNITS.get(unit, unit)


def reported_name(figure: str) -> str:
    """The name a figure has in report files: a total ``x_s`` is ``x_h_per_day``."""
    if FIGURE_UNITS.get(figure) == TOTAL_UNIT:
        return figure.removesuffix("_s") + "_h_per_day"
    return figure


def measured_days(scenario: Scenario) -> float:
    """Days the headline figures cover: horizon less warm-up, at least one day."""
    return max(1.0, (scenario.horizon - scenario.warmup) / 86_400.0)


def reported_factor(figure: str, days: float) -> float:
    """What multiplies a figure's value into its :func:`reported_unit`.

    Args:
        figure: a headline figure's name.
        days: the days the run measured (:func:`measured_days`).
    """
    if FIGURE_UNITS.get(figure) == TOTAL_UNIT:
        return 1.0 / 3600.0 / days
    return 1.0


def in_reported_units(table: pd.DataFrame, days: float, values: Sequence[str] | None = None,
                      figure_column: str | None = None, rename: bool = False
                      ) -> pd.DataFrame:
    """A copy of a per-figure table with every figure in its reported unit.

    Args:
        table: rows per figure (indexed by figure, or naming it in ``figure_column``).
        days: the days the run measured (:func:`measured_days`).
        values: the columns to rescale; every numeric column but ``n`` when omitted.
        figure_column: the column holding the figure's name (the index when omitted).
        rename: also rename totals to :func:`reported_name` (for files).

    Returns:
        The table with values rescaled, a ``unit`` column (when it has one) holding
        :func:`reported_unit`, and totals renamed when asked.
    """
    out = table.copy()
    names = (out[figure_column] if figure_column else out.index.to_series()).astype(str)
    factors = np.array([reported_factor(name, days) for name in names])
    columns = list(values) if values is not None else [
        column for column in out.columns if column != "n"
        and pd.api.types.is_numeric_dtype(out[column])
        and not pd.api.types.is_bool_dtype(out[column])]
    for column in columns:
        out[column] = out[column].to_numpy(dtype=float) * factors
    if "unit" in out.columns:
        out["unit"] = [reported_unit(name) for name in names]
    if rename:
        renamed = [reported_name(name) for name in names]
        if figure_column:
            out[figure_column] = renamed
        else:
            out.index = pd.Index(renamed, name=out.index.name)
    return out


def headline_figures(result: Result, warmup_s: float | None = None) -> dict[str, float]:
    """The headline figures of one replication, leaving out the warm-up.

    Session figures use sessions that arrived at or after the warm-up; interval figures
    (occupancy, mean concurrency) use intervals that start at or after it. Peak
    concurrency and the agent time over and at capacity come from the agents table, whose
    time statistics start at the scenario's warm-up (not at ``warmup_s``).

    Args:
        result: one replication's tables (see :func:`sim.simulate`).
        warmup_s: leading seconds to leave out; the scenario's ``warmup`` when omitted.

    Returns:
        ``{figure: value}`` for every name in :data:`FIGURES`. Counts are sessions, times
        are seconds, ``service_level``, ``abandonment_rate``, ``wait_probability`` and
        ``occupancy`` are shares (0-1); a figure with nothing to measure is NaN.
    """
    scenario = result.scenario
    warmup = scenario.warmup if warmup_s is None else float(warmup_s)
    sessions = result.sessions[result.sessions["arrival_time"] >= warmup]
    inbound = sessions[offered_mask(sessions)]
    outcome = sessions["outcome"].astype(str)
    counts = {name: int((outcome == name).sum()) for name in OUTCOMES}
    hours = (scenario.horizon - warmup) / 3600.0

    waits = inbound["wait_s"].to_numpy(dtype=float)
    answered = waits[~np.isnan(waits)]
    offered = len(inbound)
    figures: dict[str, float] = {
        **{name: float(value) for name, value in counts.items()},
        **session_figures(sessions, scenario),
        # Salesforce's throughput: sessions ended, whichever way (rules §7)
        "throughput_per_h": _ratio(float(len(sessions) - counts[Outcome.OPEN_AT_HORIZON]),
                                   hours),
        "completed_per_h": _ratio(float(counts[Outcome.COMPLETED]), hours),
        "mean_queue_time_s": mean_queue_time(inbound, scenario.horizon),
        "wait_p50_s": _quantile(answered, 0.5),
        "wait_p99_s": _quantile(answered, 0.99),
        "wait_probability": _ratio(float(inbound["queued_on_arrival"].sum()), offered),
        "first_response_s": _mean(
            (inbound["first_response_time"] - inbound["request_time"]).to_numpy(dtype=float)
        ),
        **response_figures(result.responses, warmup),
        **bot_figures(sessions),
        "transferred": float((sessions["transfers"] > 0).sum()),
        "conversation_s": _mean(sessions["conversation_s"].to_numpy(dtype=float)),
        "acw_s": _mean(sessions["acw_s"].to_numpy(dtype=float)),
        **_agent_figures(result.agents),
        "occupancy": _occupancy(result.intervals, warmup),
        "avg_concurrency": _average_concurrency(result.intervals, warmup),
        "reroutes": _mean(sessions["reroutes"].to_numpy(dtype=float)),
        "stranded_s": float(sessions["stranded_s"].sum()),
        "stranded_sessions": float((sessions["stranded_s"] > 0).sum()),
        "requeued_wait_s": float(sessions["requeued_wait_s"].sum()),
        "return_wait_s": float(sessions["return_wait_s"].sum()),
        "wait_after_answer_s": float(sessions["wait_after_answer_s"].sum()),
    }
    return {name: figures[name] for name in FIGURES}


def response_figures(responses: pd.DataFrame, warmup_s: float) -> dict[str, float]:
    """The agent's response time to each customer message: mean, median, 90th percentile.

    Of the sessions that arrived at or after ``warmup_s``; seconds (rules §7).
    """
    kept = responses[responses["arrival_time"] >= warmup_s]
    seconds = kept["response_s"].to_numpy(dtype=float)
    return {
        "response_time_s": _mean(seconds),
        "response_p50_s": _quantile(seconds, 0.5),
        "response_p90_s": _quantile(seconds, 0.9),
    }


def bot_figures(sessions: pd.DataFrame) -> dict[str, float]:
    """Sessions a bot handed over, its containment and its time (rules §8.1).

    ``escalated``: inbound sessions the bot handed to a queue; ``containment_rate``:
    resolved by the bot of those it finished (resolved, left or handed over);
    ``bot_time_s``: mean time with the bot (seconds). NaN without a bot.
    """
    with_bot = ~np.isnan(sessions["bot_s"].to_numpy(dtype=float))
    outcome = sessions["outcome"].to_numpy()
    resolved = float((outcome == Outcome.RESOLVED_BY_BOT).sum())
    escalated = float((with_bot & ~np.isnan(sessions["request_time"].to_numpy(dtype=float))
                       ).sum())
    return {
        "escalated": escalated,
        "containment_rate": _ratio(resolved, float(with_bot.sum())),
        "bot_time_s": _mean(sessions["bot_s"].to_numpy(dtype=float)),
    }


SESSION_FIGURES: tuple[str, ...] = (
    "offered",
    "outbound_sent",
    "answered",
    "abandoned",
    "service_level",
    "asa_s",
    "wait_p90_s",
    "abandonment_rate",
    "handle_time_s",
    "response_time_s",
)
"""The headline figures any subset of sessions has (a channel's, a queue's): see
:func:`session_figures`."""


def session_figures(sessions: pd.DataFrame, scenario: Scenario) -> dict[str, float]:
    """The :data:`SESSION_FIGURES` of ``sessions`` (warm-up already left out).

    By the headline figures' definitions: on all of a replication's sessions they are its
    headline values.

    Args:
        sessions: session rows (any subset: one channel's, one queue's).
        scenario: for the horizon and the service-level threshold and convention.

    Returns:
        ``{figure: value}``: counts are sessions, ``asa_s``, ``wait_p90_s`` and
        ``handle_time_s`` seconds, ``service_level`` and ``abandonment_rate`` shares (0-1),
        NaN when there is nothing to measure.
    """
    inbound = sessions[offered_mask(sessions)]
    waits = inbound["wait_s"].to_numpy(dtype=float)
    answered = waits[~np.isnan(waits)]
    offered = len(inbound)
    abandoned = float((inbound["outcome"].astype(str) == Outcome.ABANDONED).sum())
    level = scenario.service_level
    return {
        "offered": float(offered),
        "outbound_sent": float((sessions["direction"] == "outbound").sum()),
        "answered": float(len(answered)),
        "abandoned": float((sessions["outcome"].astype(str) == Outcome.ABANDONED).sum()),
        "service_level": service_level(inbound, scenario.horizon, level.threshold,
                                       level.short_abandons),
        "asa_s": _mean(answered),
        "wait_p90_s": _quantile(answered, 0.9),
        "abandonment_rate": _ratio(abandoned, offered),
        "handle_time_s": _mean(sessions["handle_time_s"].to_numpy(dtype=float)),
        "response_time_s": _ratio(float(sessions["response_total_s"].sum()),
                                  float(sessions["responses"].sum())),
    }


ShortAbandons = Literal["miss", "exclude"]
"""How abandons shorter than the threshold count: ``service_level.short_abandons``."""


def service_level(inbound: pd.DataFrame, horizon_s: float, threshold_s: float,
                  short_abandons: ShortAbandons = "miss") -> float:
    """Share of decided inbound sessions accepted within the threshold (rules §7).

    Abandoned and never-answered sessions are misses; with ``short_abandons="exclude"``
    a customer who abandoned sooner than the threshold is left out of the denominator
    instead. A session still waiting at the horizon is undecided, and left out, until it
    has waited longer than the threshold.

    Args:
        inbound: inbound session rows (columns ``wait_s``, ``outcome``, ``request_time``,
            ``end_time``).
        horizon_s: end of the run (seconds).
        threshold_s: the speed-to-answer threshold (seconds).
        short_abandons: ``"miss"`` (the default) or ``"exclude"``.

    Returns:
        The service level as a share (0-1), NaN when no session is decided.
    """
    within, counted = service_level_counted(inbound, horizon_s, threshold_s, short_abandons)
    return _ratio(float(within.sum()), int(counted.sum()))


def service_level_counted(
    inbound: pd.DataFrame, horizon_s: float, threshold_s: float,
    short_abandons: ShortAbandons = "miss",
) -> tuple[np.ndarray, np.ndarray]:
    """For each inbound session row: answered within the threshold; in the denominator.

    The one rule of the service level's two conventions: the denominator leaves out the
    undecided sessions (still waiting at the horizon, for no longer than the threshold)
    and, with ``short_abandons="exclude"``, customers who abandoned after waiting less
    than ``threshold_s`` (seconds).
    """
    _, within, undecided = service_level_masks(inbound, horizon_s, threshold_s)
    counted = ~undecided
    if short_abandons == "exclude":
        counted &= ~short_abandon_mask(inbound, threshold_s)
    elif short_abandons != "miss":
        raise ValueError(f"short_abandons must be 'miss' or 'exclude', got {short_abandons!r}")
    return within, counted


def short_abandon_mask(inbound: pd.DataFrame, threshold_s: float) -> np.ndarray:
    """Sessions whose customer abandoned after waiting less than ``threshold_s`` (seconds)."""
    abandoned = inbound["outcome"].to_numpy() == Outcome.ABANDONED
    waited = (inbound["end_time"] - inbound["request_time"]).to_numpy(dtype=float)
    return abandoned & (waited < threshold_s - 1e-9)


def service_level_meaning(short_abandons: str, threshold_s: float) -> str:
    """How abandons count in the service level, for chart labels."""
    if short_abandons == "exclude":
        return f"abandons under {threshold_s:g} s left out"
    return "abandons count as misses"


def mean_queue_time(inbound: pd.DataFrame, horizon_s: float) -> float:
    """Mean time in queue over all offered inbound sessions (seconds).

    An answered session counts its speed to answer; one that was never answered counts
    its time from the request until it left (abandoned, or ended some other way) or,
    still waiting, until the horizon. ASA (``asa_s``) is the mean over answered sessions
    only, the WFM meaning; this figure also counts the customers who gave up.
    """
    wait = inbound["wait_s"].to_numpy(dtype=float)
    left = np.fmin(inbound["end_time"].to_numpy(dtype=float), horizon_s)
    queued = np.where(np.isnan(wait), left - inbound["request_time"].to_numpy(dtype=float),
                      wait)
    return _mean(queued)


def intervals_with_service_level(result: Result) -> pd.DataFrame:
    """The run's interval table, its ``service_level`` under the scenario's convention.

    The simulation's interval table counts every abandon as a miss; with
    ``service_level.short_abandons: exclude`` each interval's (and channel's) service
    level is recomputed from the sessions, by arrival interval, as
    :func:`service_level_counted` says. Under ``miss`` the table is returned unchanged.
    """
    scenario = result.scenario
    level = scenario.service_level
    if level.short_abandons == "miss":
        return result.intervals
    intervals = result.intervals.copy()
    sessions = result.sessions
    inbound = sessions[offered_mask(sessions)]
    n = scenario.n_intervals
    bins = np.minimum((inbound["arrival_time"].to_numpy(dtype=float) // scenario.interval)
                      .astype(int), n - 1)
    within, counted = service_level_counted(inbound, scenario.horizon, level.threshold,
                                            level.short_abandons)
    channel = inbound["channel"].to_numpy()
    for name in intervals["channel"].unique():
        mine = np.ones(len(inbound), dtype=bool) if name == "all" else channel == name
        hits = np.bincount(bins[mine & within], minlength=n)[:n].astype(float)
        total = np.bincount(bins[mine & counted], minlength=n)[:n].astype(float)
        share = np.divide(hits, total, out=np.full(n, np.nan), where=total > 0)
        rows = intervals["channel"] == name
        intervals.loc[rows, "service_level"] = share[intervals.loc[rows, "interval"].to_numpy()]
    return intervals


def _agent_figures(agents: pd.DataFrame) -> dict[str, float]:
    """Peak concurrency and the agent time over and at capacity (after the warm-up)."""
    return {
        "peak_concurrency": float(agents["max_concurrency"].max()) if len(agents) else math.nan,
        "over_capacity_s": float(agents["over_capacity_s"].sum()),
        "at_capacity_s": float(agents["at_capacity_s"].sum()),
    }


def _occupancy(intervals: pd.DataFrame, warmup_s: float) -> float:
    """Capacity-weighted busy time over online capacity time, intervals after the warm-up."""
    rows = intervals[(intervals["channel"] == "all") & (intervals["start_s"] >= warmup_s)]
    return _ratio(float(rows["busy_capacity_s"].sum()), float(rows["capacity_online_s"].sum()))


def _average_concurrency(intervals: pd.DataFrame, warmup_s: float) -> float:
    """Open work items per online agent, weighted by agents online in each interval."""
    rows = intervals[(intervals["channel"] == "all") & (intervals["start_s"] >= warmup_s)]
    rows = rows[rows["agents_online"] > 0]
    weights = rows["agents_online"].to_numpy(dtype=float)
    return _ratio(float((rows["concurrency"].to_numpy(dtype=float) * weights).sum()),
                  weights.sum())


def _mean(values: np.ndarray) -> float:
    values = values[~np.isnan(values)]
    return float(values.mean()) if len(values) else math.nan


def _quantile(values: np.ndarray, q: float) -> float:
    return float(np.quantile(values, q)) if len(values) else math.nan


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else math.nan


# -------------------------------------------------------------------- over replications
def summarize(values: Sequence[dict[str, float]]) -> pd.DataFrame:
    """Mean, standard deviation and 95% CI half-width of each figure over replications.

    Args:
        values: one ``{figure: value}`` mapping per replication.

    Returns:
        A frame indexed by figure with columns ``mean``, ``sd``, ``ci95`` (half-width of
        the 95% confidence interval of the mean) and ``n`` (replications with a value).
        ``sd`` and ``ci95`` are NaN with fewer than two values.
    """
    table = pd.DataFrame(list(values))
    return pd.DataFrame(
        [_stats(table[name].to_numpy(dtype=float)) for name in table.columns],
        index=pd.Index(table.columns, name="figure"),
        columns=["mean", "sd", "ci95", "n"],
    )


def paired_difference(a: Sequence[dict[str, float]], b: Sequence[dict[str, float]]) -> pd.DataFrame:
    """Mean and 95% CI of the per-replication difference ``b - a`` of each figure.

    With common random numbers, replication ``i`` of ``a`` and of ``b`` saw the same
    customers, so the paired difference removes their shared noise.

    Args:
        a: one ``{figure: value}`` per replication of the baseline.
        b: one ``{figure: value}`` per replication of the alternative, in the same order.

    Returns:
        A frame indexed by figure with columns ``mean``, ``sd``, ``ci95`` and ``n`` of
        the differences; pairs where either value is NaN are left out.

    Raises:
        ValueError: if ``a`` and ``b`` have different lengths.
    """
    if len(a) != len(b):
        raise ValueError(f"paired difference needs equal lengths, got {len(a)} and {len(b)}")
    first, second = pd.DataFrame(list(a)), pd.DataFrame(list(b))
    names = [name for name in first.columns if name in second.columns]
    return pd.DataFrame(
        [
            _stats(second[name].to_numpy(dtype=float) - first[name].to_numpy(dtype=float))
            for name in names
        ],
        index=pd.Index(names, name="figure"),
        columns=["mean", "sd", "ci95", "n"],
    )


def paired_comparison(tab: Sequence[dict[str, float]],
                      status: Sequence[dict[str, float]]) -> pd.DataFrame:
    """Per figure: mean and CI of each capacity model and of the paired difference.

    Args:
        tab: one ``{figure: value}`` per replication under tab-based capacity.
        status: the same replications under status-based capacity, in the same order.

    Returns:
        Indexed by figure: ``tab_mean``, ``tab_ci95``, ``status_mean``, ``status_ci95``,
        ``diff_mean``, ``diff_ci95`` (status - tab) and ``n`` (pairs).
    """
    first, second = summarize(tab), summarize(status)
    difference = paired_difference(tab, status)
    return pd.DataFrame(
        {
            "tab_mean": first["mean"],
            "tab_ci95": first["ci95"],
            "status_mean": second["mean"],
            "status_ci95": second["ci95"],
            "diff_mean": difference["mean"],
            "diff_ci95": difference["ci95"],
            "n": difference["n"],
        }
    )


def _stats(values: np.ndarray) -> tuple[float, float, float, int]:
    clean = values[~np.isnan(values)]
    n = len(clean)
    mean = float(clean.mean()) if n else math.nan
    sd = float(clean.std(ddof=1)) if n >= 2 else math.nan
    return mean, sd, ci95_half_width(clean), n


def significant_costs(
    comparison_table: pd.DataFrame, figures: Sequence[str] = COST_FIGURES
) -> pd.DataFrame:
    """Each cost figure under both models, and whether its paired difference is clear.

    Args:
        comparison_table: a :func:`sim.experiments.runner.comparison_table` frame (columns
            ``tab_mean``, ``status_mean``, ``diff_mean`` = status - tab, ``diff_ci95``).
        figures: the figures to weigh; :data:`COST_FIGURES` when omitted. A figure
            missing from the table gives a row of NaN, not significant.

    Returns:
        A frame indexed by figure with columns ``label``, ``unit``, ``tab``, ``status``,
        ``diff``, ``ci95``, ``significant`` (the 95% CI of the difference excludes 0) and
        ``costlier`` (``"tab"`` or ``"status"``, the model with more of it, when
        significant; ``"neither"`` otherwise).
    """
    rows = comparison_table.reindex(list(figures))
    diff = rows["diff_mean"].to_numpy(dtype=float)
    half = rows["diff_ci95"].to_numpy(dtype=float)
    significant = np.isfinite(diff) & np.isfinite(half) & (np.abs(diff) > half)
    return pd.DataFrame(
        {
            "label": [FIGURE_LABELS.get(name, name) for name in figures],
            "unit": [FIGURE_UNITS.get(name, "") for name in figures],
            "tab": rows["tab_mean"].to_numpy(dtype=float),
            "status": rows["status_mean"].to_numpy(dtype=float),
            "diff": diff,
            "ci95": half,
            "significant": significant,
            "costlier": np.where(significant, np.where(diff > 0, "status", "tab"), "neither"),
        },
        index=pd.Index(list(figures), name="figure"),
    )
