"""The time before routing (a flow or a bot in front of the queue), fitted as the bot stage.

An inbound session asks for an agent at its first work item's ``RequestDateTime``; the time
from its ``StartTime`` to then is spent in a flow or a bot (rules §8.1). The scenario's bot
stage (``channels[].bot``) holds it: its handling time is that pre-queue time, and the
sessions the bot ended (``MessagingSession.AgentType`` ``Bot`` with no work item) are its
resolved ones (ended by the bot or the system) and the customers who left during it
(ended by the customer). Without ``AgentType`` a session ended before any request cannot be
told from one whose customer left the queue before any push (both have no ``AgentWork``
row), so both count as queue abandonment and the shares stay 0, listed as defaults.

A session offered to the agents whose customer left the queue before any push has no
``RequestDateTime``: its request is estimated as its start plus the mean pre-queue time of
those no longer than the time it spent before ending (:func:`queue_entries`). For the
patience fit (:func:`fit_patience`) that estimate is refined: the pre-queue time and the
patience are drawn apart, so given the time ``e`` from start to end, a pre-queue time ``d``
is as likely as ``f_D(d) f_P(e - d) S_A(e - d)`` (``f_D`` the observed pre-queue times,
``f_P`` an exponential density with the fitted patience's mean, whatever family the fit
chose, ``S_A`` the share of offered sessions not yet answered
after that wait); the patience is refitted with a ``d`` drawn under those weights (a
fixed seed: the same export gives the same fit), twice.
Waits (speed to answer, the patience's times) are measured from the request, as the model
and the export measure them. Times are seconds from the scenario's start.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.calibration.distributions import (
    Fit,
    fit_censored,
    fit_durations,
    fit_share,
    frozen,
    kaplan_meier,
)
from sim.calibration.fitted import Fitted

BOT_AGENT_TYPE = "bot"
"""``MessagingSession.AgentType`` (normalized) of a session a bot handled alone."""

NO_DELAY_S = 1.0
"""A channel whose every request comes within this long of its start has no pre-queue
stage (seconds; the exporters' timestamps are rounded to the millisecond)."""


def queue_entries(sessions: pd.DataFrame, horizon_s: float) -> pd.DataFrame:
    """The session facts with when and whether each session entered the queue.

    Adds, per session: ``prequeue_s`` (its observed time before routing: first request
    minus start, or end minus start for one the bot ended; NaN where not seen),
    ``bot_ended`` (ended by the bot stage without any work item: ``AgentType`` Bot),
    ``offered`` (inbound and asked for an agent, or still may: not ended nor held by the
    bot) and ``request_s`` (the first ``RequestDateTime``, else its estimate for an offered
    session, else NaN). Pre-queue times are pooled per channel.
    """
    table = sessions.copy()
    start = table["start_s"].to_numpy(dtype=float)
    end = table["end_s"].to_numpy(dtype=float)
    first = table["first_request_s"].to_numpy(dtype=float)
    inbound = table["inbound"].to_numpy(dtype=bool)
    with_bot = ((table["agent_type"].to_numpy(dtype=object) == BOT_AGENT_TYPE)
                & (table["work_items"].to_numpy(dtype=float) == 0) & inbound)
    bot_ended = with_bot & np.isfinite(end)
    prequeue = np.where(inbound & np.isfinite(first), np.maximum(first - start, 0.0),
                        np.where(bot_ended, end - start, np.nan))
    offered = inbound & ~with_bot
    request = first.copy()
    channels = table["channel"].to_numpy()
    for channel in pd.unique(channels):
        mine = channels == channel
        handed = np.sort(prequeue[mine & inbound & np.isfinite(first)])
        guess = mine & offered & ~np.isfinite(first)
        if not guess.any():
            continue
        elapsed = np.where(np.isfinite(end[guess]), end[guess], horizon_s) - start[guess]
        request[guess] = start[guess] + _mean_below(handed, np.maximum(elapsed, 0.0))
    table["prequeue_s"] = prequeue
    table["bot_ended"] = bot_ended
    table["offered"] = offered
    table["request_s"] = request
    return table


def no_time_before_routing(delays: np.ndarray) -> bool:
    """Whether pre-queue times (s) show no flow nor bot: none, or all within a second."""
    return not len(delays) or float(np.max(delays)) < NO_DELAY_S


def _mean_below(values: np.ndarray, limits: np.ndarray) -> np.ndarray:
    """Per limit, the mean of the sorted ``values`` no larger than it.

    Where none is (or there are no values), half the limit; with no time before routing
    at all, 0.
    """
    if no_time_before_routing(values):
        return np.zeros(len(limits))
    count = np.searchsorted(values, limits, side="right")
    sums = np.r_[0.0, np.cumsum(values)]
    return np.where(count > 0, sums[count] / np.maximum(count, 1), limits / 2)


def fit_bot(fitted: Fitted, inbound: pd.DataFrame) -> None:
    """Set ``bot`` (handling time, resolves, leaves) of a channel from its inbound sessions.

    ``inbound`` are the channel's inbound session facts with the columns of
    :func:`queue_entries`. Without time before routing the bot stage is left out (listed
    as a default with its reason).
    """
    handed = inbound["prequeue_s"][np.isfinite(inbound["first_request_s"])].to_numpy()
    ended = inbound["bot_ended"].to_numpy(dtype=bool)
    if not ended.any() and no_time_before_routing(handed):
        fitted.default(("bot",), "RequestDateTime of every first AgentWork is within a second of "
                       f"its session's StartTime ({len(handed)} sessions): no flow nor bot "
                       "before routing"
                       if len(handed) else "no AgentWork with a RequestDateTime: the time "
                       "before routing is not seen")
        return
    times = inbound["prequeue_s"].to_numpy(dtype=float)
    fit = fit_durations(times[np.isfinite(times)], label="; first RequestDateTime minus "
                        "StartTime (hand-over), EndTime minus StartTime of sessions the bot "
                        "ended")
    assert fit is not None  # some handed-over or bot-ended session
    fitted.set(("bot", "handling_time"), dict(fit.spec), fit.comment())
    fitted.fits[("bot", "handling_time")] = fit
    typed = (inbound["agent_type"].to_numpy(dtype=object) != "").any()
    if not typed:
        reason = ("no MessagingSession.AgentType: a session ended before routing cannot be "
                  "told from one whose customer left the queue before any push; counted as "
                  "queue abandonment")
        fitted.default(("bot", "resolves"), reason)
        fitted.default(("bot", "leaves"), reason)
        return
    past_bot = int(inbound["offered"].sum() + ended.sum())
    left = ended & (inbound["ended_by"].to_numpy() == "customer")
    for key, hits, how in (("resolves", ended & ~left, "ended by the bot or the system"),
                           ("leaves", left, "ended by the customer")):
        share, (low, high) = fit_share(int(hits.sum()), past_bot)
        fitted.set(("bot", key), round(share, 4),
                   f"{int(hits.sum())} of {past_bot} inbound sessions past the bot were "
                   f"AgentType Bot with no AgentWork, {how} (95% CI {low:.4f}-{high:.4f})")


PATIENCE_PASSES = 2
"""Refits of the patience with the estimated requests re-weighted by the previous fit."""

IMPUTATION_SEED = 20261207
"""Seed of the draws of the estimated pre-queue times (the same export, the same fit)."""

DELAY_GRID = 400
"""Pre-queue times (quantiles of the observed ones) the re-weighting averages over."""


def fit_patience(inbound: pd.DataFrame, horizon_s: float) -> tuple[Fit | None, int]:
    """Patience from the offered sessions: abandoned (event), answered or waiting (censored).

    Args:
        inbound: a channel's inbound session facts with the columns of
            :func:`queue_entries`.
        horizon_s: the export's horizon (a session still waiting is censored there).

    Returns:
        The fit (``None`` without any abandonment) and the number of sessions used.
    """
    offered = inbound[inbound["offered"].to_numpy(dtype=bool)]
    start = offered["start_s"].to_numpy(dtype=float)
    accept = offered["accept_s"].to_numpy(dtype=float)
    end = offered["end_s"].to_numpy(dtype=float)
    answered = np.isfinite(accept)
    ended = np.isfinite(end)
    abandoned = ~answered & ended & (offered["ended_by"].to_numpy() != "agent")
    waiting = ~answered & ~ended
    use = answered | abandoned | waiting
    stop = np.where(answered, accept, np.where(abandoned, end, horizon_s))
    request = offered["request_s"].to_numpy(dtype=float).copy()
    label = "; waits from the request; abandoned = event, answered or still waiting = censored"
    fit = fit_censored(np.maximum(stop - request, 0.0)[use], abandoned[use], label=label)
    guessed = use & ~np.isfinite(offered["first_request_s"].to_numpy(dtype=float))
    delays = inbound["prequeue_s"][np.isfinite(inbound["first_request_s"])].to_numpy()
    if fit is None or not guessed.any() or no_time_before_routing(delays):
        return fit, int(use.sum())
    grid = np.quantile(delays, (np.arange(DELAY_GRID) + 0.5) / DELAY_GRID)
    uniforms = np.random.default_rng(IMPUTATION_SEED).random(int(guessed.sum()))
    for _ in range(PATIENCE_PASSES):
        waits = np.maximum(stop - request, 0.0)
        times, probabilities = kaplan_meier(waits[use], answered[use])  # S_A: not answered
        patience = frozen({"kind": "exponential", "mean": fit.mean})
        elapsed = np.maximum(stop[guessed] - start[guessed], 0.0)
        request[guessed] = start[guessed] + _drawn_delay(
            grid, elapsed, abandoned[guessed], patience, times, probabilities,
            uniforms)
        fit = fit_censored(np.maximum(stop - request, 0.0)[use], abandoned[use], label=label)
        assert fit is not None  # the same events
    return fit, int(use.sum())


def _drawn_delay(grid: np.ndarray, elapsed: np.ndarray, events: np.ndarray,
                 patience: Any, times: np.ndarray, not_answered: np.ndarray,
                 uniforms: np.ndarray) -> np.ndarray:
    """Per session, a pre-queue time drawn given it ended (or was seen) ``elapsed`` s in.

    Drawn (by the inverse of its weights' cumulative sum at ``uniforms``), not averaged:
    the waits left keep their spread, which the patience family's choice reads.
    """
    result = np.empty(len(elapsed))
    for chunk in range(0, len(elapsed), 2000):
        part = slice(chunk, chunk + 2000)
        e = elapsed[part, None]
        wait = e - grid[None, :]
        inside = wait >= 0
        wait = np.maximum(wait, 0.0)
        likely = (np.where(events[part, None], patience.pdf(wait), patience.sf(wait))
                  * _step(times, not_answered, wait) * inside)
        cumulative = np.cumsum(likely, axis=1)
        total = cumulative[:, -1]
        pick = (cumulative < (uniforms[part] * total)[:, None]).sum(axis=1)
        drawn = grid[np.minimum(pick, len(grid) - 1)]
        result[part] = np.where(total > 0, drawn, e[:, 0] / 2)
    return result


def _step(times: np.ndarray, survival: np.ndarray, at: np.ndarray) -> np.ndarray:
    """A Kaplan-Meier step function at ``at`` (1 before the first event time)."""
    index = np.searchsorted(times, at, side="right") - 1
    return np.where(index >= 0, survival[np.maximum(index, 0)], 1.0)
