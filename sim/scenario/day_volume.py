"""The day-to-day volume multiplier (``arrival_scale``): a number, or drawn once a day.

``arrival_scale`` is a number (the same factor every day) or a distribution of the factor,
drawn once per replication: each replication is one day, every interval and channel of it
scaled alike. Where a single factor is needed without simulating (the analytic staffing,
the expected workload), it is the distribution's mean.
"""

from __future__ import annotations

from sim.scenario.schema import DistributionSpec, Fixed


def mean_arrival_scale(scale: float | DistributionSpec) -> float:
    """The mean day multiplier: the number itself, or the distribution's mean."""
    return float(scale) if isinstance(scale, (int, float)) else scale.expected()


def varies_by_day(scale: float | DistributionSpec) -> bool:
    """Whether the multiplier is drawn per day (a distribution other than a fixed value)."""
    return not isinstance(scale, (int, float, Fixed))
