"""The day-to-day volume multiplier (``arrival_scale``) and the means of distributions.

``arrival_scale`` is a number (the same factor every day) or a distribution of the factor,
drawn once per replication: each replication is one day, every interval and channel of it
scaled alike. Where a single factor is needed without simulating (the analytic staffing,
the expected workload), it is the distribution's mean.
"""

from __future__ import annotations

import numpy as np

from sim.scenario.schema import DistributionSpec, Empirical, Exponential, Fixed, Gamma, LogNormal


def distribution_mean(spec: DistributionSpec) -> float:
    """Return the mean of ``spec`` (seconds for durations, a factor for ``arrival_scale``)."""
    if isinstance(spec, Fixed):
        return spec.value
    if isinstance(spec, (Exponential, LogNormal, Gamma)):
        return spec.mean
    if isinstance(spec, Empirical):
        return float(np.average(spec.values, weights=spec.weights))
    return (spec.low + spec.high) / 2.0


def mean_arrival_scale(scale: float | DistributionSpec) -> float:
    """The mean day multiplier: the number itself, or the distribution's mean."""
    return float(scale) if isinstance(scale, (int, float)) else distribution_mean(scale)


def varies_by_day(scale: float | DistributionSpec) -> bool:
    """Whether the multiplier is drawn per day (a distribution other than a fixed value)."""
    return not isinstance(scale, (int, float, Fixed))
