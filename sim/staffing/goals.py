"""Staffing goals: what every interval must achieve, parsed from planners' notation.

``--target 80/60s`` (service level), ``--max-asa 30s``, ``--max-abandon 5%``, alone or
together, plus shrinkage (one share, or one per interval) and a maximum occupancy.
:class:`StaffingGoals` validates them and turns online agents into scheduled agents.

**A share of days.** ``--days 90%`` (:attr:`StaffingGoals.days`) asks every goal to hold on
at least that share of the simulated days (replications) instead of on their mean; see
:mod:`sim.staffing.day_goals`.

**Per-queue goals.** A queue may carry its own goals in the scenario
(``queues[].service_level``, ``queues[].max_asa``, ``queues[].max_abandon``); each replaces
the command line's goal of the same kind for that queue. :func:`queue_goals` gives the
goals every queue must meet, and staffing checks each queue's goals in every interval.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from sim.scenario.schema import Scenario
from sim.scenario.units import parse_duration, parse_share


class StaffingError(ValueError):
    """The scenario or the goals cannot be staffed as asked."""


# ------------------------------------------------------------------------------- goals
MAX_DURATION_S = 366 * 86400.0
"""The longest threshold or ASA goal (the longest horizon of a scenario), seconds."""


def parse_service_level(text: str) -> tuple[float, float]:
    """Parse ``'80/60s'`` (or ``'80%/1m'``, ``'0.8/60'``) into ``(target, threshold_s)``.

    Raises:
        ValueError: if the text is not ``TARGET/THRESHOLD``.
    """
    match = re.fullmatch(r"\s*([0-9.]+)\s*%?\s*/\s*(\S+)\s*", text)
    if not match:
        raise ValueError(f"expected a service level such as 80/60s, found {text!r}")
    return parse_fraction(match.group(1)), parse_duration(match.group(2))


def parse_fraction(value: str | float) -> float:
    """Parse ``'5%'``, ``'0.05'`` or ``5`` (a number above 1 means percent) as a fraction.

    The scenario's parser (:func:`sim.scenario.units.parse_share`), with the command line's
    reading of a bare number above 1 as percent.
    """
    return parse_share(value, above_one_is_percent=True)


def parse_days(text: str | float) -> float:
    """Parse ``--days 90%`` (or ``0.9``, or ``90``: above 1 is percent) as a share of days.

    Raises:
        ValueError: naming the option, unless it is a share above 0 and up to 100%.
    """
    try:
        share = parse_share(text, above_one_is_percent=True)
    except ValueError:
        share = math.nan
    if not (math.isfinite(share) and 0 < share <= 1):
        raise ValueError(f"--days {str(text)[:40]!r}: expected a share of days above 0 and up "
                         "to 100%, such as 90%")
    return share


def _shown(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _option(option: str, text: str | float, parse: Any, allowed: str,
            within: Any = None) -> Any:
    """Parse an option's text; a ValueError names the option, its text and what is allowed."""
    shown = _shown(str(text))
    try:
        value = parse(text)
    except ValueError:
        raise ValueError(f"{option} {shown}: expected {allowed}") from None
    numbers = value if isinstance(value, tuple) else (value,)
    if not all(math.isfinite(number) for number in numbers) or (
        within is not None and not within(value)
    ):
        raise ValueError(f"{option} {shown}: expected {allowed}")
    return value


@dataclass(frozen=True)
class StaffingGoals:
    """What every interval must achieve, and how online agents become scheduled agents.

    Attributes:
        service_level: target share of offered sessions answered within ``threshold_s``.
        threshold_s: service-level threshold (seconds); given with ``service_level``.
        max_asa_s: largest average speed of answer of answered sessions (seconds).
        max_abandon: largest share of offered sessions abandoned.
        max_response_s: largest mean agent response time to a customer message, by the
            interval the customer wrote in (seconds; rules §7).
        shrinkage: share of scheduled time agents are not available (breaks, training):
            one share for the day, or one per reporting interval (a tuple); scheduled
            agents = ceil(required / (1 - shrinkage)).
        max_occupancy: largest share of the center's online capacity in use.
        days: the share of days (replications, each its own day volume when
            ``arrival_scale`` is a distribution) on which every queue must meet its goals
            in an interval, above 0 and up to 1; ``None``: the goals hold on the mean.

    Goals may be empty (no service level, ASA or abandonment goal) when every queue has
    goals of its own (:func:`queue_goals` checks that every queue ends up with one).
    """

    service_level: float | None = None
    threshold_s: float | None = None
    max_asa_s: float | None = None
    max_abandon: float | None = None
    max_response_s: float | None = None
    shrinkage: float | tuple[float, ...] = 0.0
    max_occupancy: float | None = None
    days: float | None = None

    def __post_init__(self) -> None:
        if (self.service_level is None) != (self.threshold_s is None):
            raise ValueError("give the service level target and threshold together")
        if self.service_level is not None and not 0 < self.service_level < 1:
            raise ValueError(f"service level target must be in (0, 1), got {self.service_level}")
        if self.threshold_s is not None and self.threshold_s <= 0:
            raise ValueError("service level threshold must be positive")
        if self.max_asa_s is not None and self.max_asa_s <= 0:
            raise ValueError("max ASA must be positive")
        if self.max_abandon is not None and not 0 < self.max_abandon < 1:
            raise ValueError(f"max abandon must be in (0, 1), got {self.max_abandon}")
        if self.max_response_s is not None and self.max_response_s <= 0:
            raise ValueError("max response time must be positive")
        shares = self.shrinkage if isinstance(self.shrinkage, tuple) else (self.shrinkage,)
        if not shares or not all(0 <= share < 1 for share in shares):
            raise ValueError(f"shrinkage must be in [0, 1), got {self.shrinkage}")
        if self.max_occupancy is not None and not 0 < self.max_occupancy <= 1:
            raise ValueError(f"max occupancy must be in (0, 1], got {self.max_occupancy}")
        if self.days is not None and not 0 < self.days <= 1:
            raise ValueError(f"the share of days must be in (0, 1], got {self.days}")

    @property
    def has_goal(self) -> bool:
        """Whether a service level, ASA, abandonment or response-time goal is given."""
        return not (self.service_level is None and self.max_asa_s is None
                    and self.max_abandon is None and self.max_response_s is None)

    @classmethod
    def parse(
        cls,
        target: str | None = None,
        max_asa: str | float | None = None,
        max_abandon: str | float | None = None,
        shrinkage: str | float | Sequence[float] = 0.0,
        max_occupancy: str | float | None = None,
        days: str | float | None = None,
        max_response: str | float | None = None,
    ) -> StaffingGoals:
        """Goals from CLI-style text: ``'80/60s'``, ``'30s'``, ``'5%'``, ``'30%'``, ``'85%'``.

        ``days`` is read by :func:`parse_days` (``'90%'``); ``max_response`` is a duration
        (``'2m'``).
        """
        service_level, threshold_s = _option(
            "--target", target, parse_service_level,
            "a service level such as 80/60s (a target between 0 and 100% and a threshold "
            "greater than 0 and at most 366d)",
            lambda pair: 0 < pair[0] < 1 and 0 < pair[1] <= MAX_DURATION_S,
        ) if target else (None, None)
        share = "a share between 0 and 100%, such as 5% or 0.05"
        return cls(
            service_level=service_level,
            threshold_s=threshold_s,
            max_asa_s=_option("--max-asa", max_asa, parse_duration,
                              "a duration greater than 0 and at most 366d, such as 30s",
                              lambda v: 0 < v <= MAX_DURATION_S)
            if max_asa is not None else None,
            max_abandon=_option("--max-abandon", max_abandon, parse_fraction, share,
                                lambda v: 0 < v < 1) if max_abandon is not None else None,
            shrinkage=tuple(float(share) for share in shrinkage)
            if isinstance(shrinkage, (list, tuple)) else
            _option("--shrinkage", str(shrinkage), parse_fraction,
                    "a share from 0 up to (not including) 100%, such as 30%",
                    lambda v: 0 <= v < 1) if shrinkage else 0.0,
            max_occupancy=_option("--max-occupancy", max_occupancy, parse_fraction,
                                  "a share above 0 and up to 100%, such as 85%",
                                  lambda v: 0 < v <= 1) if max_occupancy is not None else None,
            days=parse_days(days) if days is not None else None,
            max_response_s=_option("--max-response", max_response, parse_duration,
                                   "a duration greater than 0, such as 2m", lambda v: v > 0)
            if max_response is not None else None,
        )

    def shrinkage_at(self, n_intervals: int) -> np.ndarray:
        """The shrinkage of each of ``n_intervals`` reporting intervals (shares).

        Raises:
            StaffingError: a per-interval shrinkage list of another length.
        """
        if isinstance(self.shrinkage, tuple):
            if len(self.shrinkage) != n_intervals:
                raise StaffingError(
                    f"--shrinkage: {len(self.shrinkage)} per-interval shares for "
                    f"{n_intervals} reporting intervals; give one share per interval")
            return np.asarray(self.shrinkage, dtype=float)
        return np.full(n_intervals, float(self.shrinkage))

    def scheduled(self, agents: np.ndarray | int) -> np.ndarray:
        """Scheduled agents for ``agents`` online: ``ceil(agents / (1 - shrinkage))``.

        With per-interval shrinkage, ``agents``' last axis is the interval.
        """
        online = np.asarray(agents, dtype=float)
        shrinkage = (self.shrinkage_at(online.shape[-1]) if isinstance(self.shrinkage, tuple)
                     else self.shrinkage)
        return np.ceil(online / (1.0 - shrinkage) - 1e-9).astype(int)

    def describe(self) -> str:
        """The goals in one line, for reports."""
        parts = []
        if self.service_level is not None:
            parts.append(f"service level {self.service_level:.0%} within {self.threshold_s:g}s")
        if self.max_asa_s is not None:
            parts.append(f"ASA <= {self.max_asa_s:g}s")
        if self.max_abandon is not None:
            parts.append(f"abandonment <= {self.max_abandon:.1%}")
        if self.max_response_s is not None:
            parts.append(f"response time <= {self.max_response_s:g}s")
        if self.max_occupancy is not None:
            parts.append(f"occupancy <= {self.max_occupancy:.0%}")
        if self.days is not None:
            parts.append(f"on {self.days:.0%} of days")
        if isinstance(self.shrinkage, tuple):
            parts.append(f"shrinkage {min(self.shrinkage):.0%}-{max(self.shrinkage):.0%} "
                         "per interval")
        elif self.shrinkage:
            parts.append(f"shrinkage {self.shrinkage:.0%}")
        return ", ".join(parts)


def queue_goals(scenario: Scenario, goals: StaffingGoals) -> dict[str, StaffingGoals]:
    """The goals every queue sessions reach must meet, in the scenario's queue order.

    A queue's own ``service_level`` (threshold and target), ``max_asa`` and
    ``max_abandon`` replace the command line's goal of that kind; the others carry over.
    Shrinkage, the occupancy cap and the share of days are not queue goals (they stay in
    ``goals``).

    Raises:
        StaffingError: a queue ends up without any goal.
    """
    used = scenario.queues_reached()
    result: dict[str, StaffingGoals] = {}
    for queue in scenario.queues:
        if queue.name not in used:
            continue
        mine = replace(goals, shrinkage=0.0, max_occupancy=None, days=None)
        if queue.service_level is not None:
            mine = replace(mine, service_level=queue.service_level.target,
                           threshold_s=queue.service_level.threshold)
        if queue.max_asa is not None:
            mine = replace(mine, max_asa_s=queue.max_asa)
        if queue.max_abandon is not None:
            mine = replace(mine, max_abandon=queue.max_abandon)
        if not mine.has_goal:
            raise StaffingError(
                f"queue {queue.name!r} has no goal: give --target, --max-asa, --max-abandon or "
                "--max-response, or queues[].service_level / max_asa / max_abandon in the "
                "scenario")
        result[queue.name] = mine
    return result
