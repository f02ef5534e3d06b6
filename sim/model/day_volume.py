"""One replication's day multiplier of the arrival rates, from its own random stream."""

from __future__ import annotations

from sim.model.sampling import Sampler
from sim.model.streams import RandomStreams
from sim.scenario.schema import DistributionSpec

DAY_SCALE_STREAM = "arrival_scale"
"""Name of the stream the day multiplier is drawn from (no other source uses it)."""


def day_arrival_scale(scale: float | DistributionSpec, streams: RandomStreams) -> float:
    """The factor on every arrival rate of this replication (one simulated day).

    A number is used as is (no stream is drawn from); a distribution is drawn once, from
    the replication's ``arrival_scale`` stream, so the other streams (arrivals, patience,
    replies, ...) are the same whatever the multiplier.
    """
    if isinstance(scale, (int, float)):
        return float(scale)
    return Sampler(scale, streams.generator(DAY_SCALE_STREAM))()
