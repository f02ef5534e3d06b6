"""Goals held on a share of days: "meet 80/60s in every interval on 90% of days".

With a day-to-day volume multiplier (``arrival_scale`` a distribution) each replication
is one day with its own volume. A goal on the mean is met on an average day; a goal on
``days`` (a share) is met in an interval when at least that share of the replications
meets every goal in that interval. An interval without offered sessions on a day meets
the service goals that day.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from scipy import stats

from sim.staffing.goals import parse_days

__all__ = [
    "CONFIDENCE",
    "allowed_misses",
    "check_days_replications",
    "daily_margins",
    "days_replications",
    "deciding_day_margins",
    "parse_days",
]

CONFIDENCE = 0.95
"""Confidence of the lower bound on the share of days (Clopper-Pearson)."""


def daily_margins(runs: Sequence[np.ndarray],
                  day_margin: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Every day's goal margins, ``[day, ...]``.

    Args:
        runs: one simulated day (replication) each.
        day_margin: one day's run -> its goal margins (negative: a goal missed), per
            interval or per row and interval, e.g. a per-queue goal check applied to that
            one replication.
    """
    return np.stack([np.asarray(day_margin(run), dtype=float) for run in runs])


def allowed_misses(count: int, days: float, side: int = 0) -> int:
    """Days of ``count`` that may miss the goals while they still hold on ``days`` of them.

    Args:
        count: days simulated.
        days: the share of days required.
        side: 0 for the share itself; -1 for the 95% Clopper-Pearson lower bound of the
            share (confidently held), +1 for its upper bound (possibly held).

    Returns:
        The number of misses allowed; -1 when even no miss is not enough (a confident
        claim needs more days).
    """
    if side == 0:
        return int(math.floor(count * (1.0 - days) + 1e-9))
    for misses in range(count, -1, -1):  # the most misses whose bound still reaches days
        interval = stats.binomtest(count - misses, count).proportion_ci(CONFIDENCE)
        bound = interval.low if side < 0 else interval.high
        if bound >= days - 1e-12:
            return misses
    return -1


def deciding_day_margins(daily: np.ndarray, days: float, side: int = 0) -> np.ndarray:
    """Per row and interval: the margins of the day that decides whether ``days`` hold.

    A day meets an interval's goals when every row (queue, then ``"all"``) does: its
    margin is the smallest over the rows. Per interval the days are ranked by that margin
    and the day of rank :func:`allowed_misses` (0-based, from the smallest) decides: the
    goals hold on ``days`` of the days exactly when it meets them. Its row margins are
    returned, so the smallest over the rows is :func:`days_margin` of the days' margins
    and the rows it misses are those to raise.

    Args:
        daily: ``[day, row, interval]`` margins (negative: missed; ``inf``: nothing to miss),
            or ``[day, row, goal, interval]`` (a day's margin is then the smallest over
            its rows and goals).
        days: the share of days required (above 0, up to 1).
        side: as in :func:`allowed_misses` (-1 confidently held, +1 possibly held).

    Returns:
        ``daily`` without its day axis; ``-inf`` everywhere when the days cannot show it
        (``side=-1``).
    """
    count, intervals = daily.shape[0], daily.shape[-1]
    misses = allowed_misses(count, days, side)
    if misses < 0:
        return np.full(daily.shape[1:], -math.inf)
    day_margin = daily.reshape(count, -1, intervals).min(axis=1)  # [day, interval]
    order = np.argsort(day_margin, axis=0, kind="stable")  # [rank, interval]
    decider = order[min(count - 1, misses)]
    index = decider.reshape((1,) * (daily.ndim - 1) + (intervals,))
    return np.take_along_axis(daily, index, axis=0)[0]


def days_replications(days: float) -> int:
    """The fewest days (replications) on which one day may miss while ``days`` still hold.

    1 for ``days`` = 100% (every day must meet the goals; no day may miss however many).
    """
    if days >= 1.0:
        return 1
    return next(count for count in range(1, 100_000) if allowed_misses(count, days) >= 1)


def check_days_replications(days: float, replications: int, option: str) -> None:
    """Refuse a share of days that ``replications`` days cannot resolve.

    With fewer than :func:`days_replications` days no day may miss, so "90% of days" would
    silently mean "every simulated day".

    Raises:
        ValueError: naming ``option`` and the replications needed.
    """
    needed = days_replications(days)
    if replications < needed:
        raise ValueError(
            f"{option} {replications}: too few replications (days) for --days {days:.0%}: "
            f"with fewer than {needed} no day may miss a goal, so every simulated day would "
            f"have to meet them; give {option} {needed} or more")
