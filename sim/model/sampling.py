"""Samplers built from the scenario's distribution specs.

A sampler draws from its own numpy generator in blocks and hands out Python floats one at a
time, so the simulation's hot path neither calls numpy per draw nor shares a stream.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from sim.scenario.day_volume import distribution_mean
from sim.scenario.schema import DistributionSpec, Empirical, Exponential, Fixed, Gamma, LogNormal

BLOCK_SIZE = 1024

BlockDraw = Callable[[np.random.Generator, int], np.ndarray]


def _block_draw(spec: DistributionSpec) -> BlockDraw:
    """Return a function drawing ``size`` values of ``spec`` from a generator."""
    if isinstance(spec, Fixed):
        value = spec.value
        return lambda rng, size: np.full(size, value)
    if isinstance(spec, Exponential):
        mean = spec.mean
        return lambda rng, size: rng.exponential(mean, size)
    if isinstance(spec, LogNormal):
        sigma2 = math.log(1.0 + (spec.sd / spec.mean) ** 2)
        mu = math.log(spec.mean) - sigma2 / 2.0
        sigma = math.sqrt(sigma2)
        return lambda rng, size: rng.lognormal(mu, sigma, size)
    if isinstance(spec, Gamma):
        shape = (spec.mean / spec.sd) ** 2
        scale = spec.sd**2 / spec.mean
        return lambda rng, size: rng.gamma(shape, scale, size)
    if isinstance(spec, Empirical):
        values = np.asarray(spec.values, dtype=float)
        if spec.weights is None:
            return lambda rng, size: rng.choice(values, size)
        weights = np.asarray(spec.weights, dtype=float)
        probabilities = weights / weights.sum()
        return lambda rng, size: rng.choice(values, size, p=probabilities)
    low, high = spec.low, spec.high  # Uniform
    return lambda rng, size: rng.uniform(low, high, size)


class Sampler:
    """Draws one value at a time from ``spec`` using its own generator, in blocks."""

    __slots__ = ("_draw", "_rng", "_block", "mean")

    def __init__(self, spec: DistributionSpec, rng: np.random.Generator) -> None:
        self._draw = _block_draw(spec)
        self._rng = rng
        self._block: list[float] = []
        self.mean = distribution_mean(spec)

    def __call__(self) -> float:
        """Return the next value."""
        block = self._block
        if not block:
            block = self._draw(self._rng, BLOCK_SIZE).tolist()
            block.reverse()
            self._block = block
        return block.pop()

    def many(self, count: int) -> list[float]:
        """Return the next ``count`` values (the same values ``count`` calls would give)."""
        block = self._block
        if count <= 0:
            return []
        if len(block) < count:
            return [self() for _ in range(count)]
        values = block[-count:]
        del block[-count:]
        values.reverse()
        return values


class UniformSampler:
    """Uniform(0, 1) draws for yes/no decisions, from its own generator, in blocks."""

    __slots__ = ("_rng", "_block")

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._block: list[float] = []

    def __call__(self) -> float:
        """Return the next uniform value in [0, 1)."""
        block = self._block
        if not block:
            block = self._rng.random(BLOCK_SIZE).tolist()
            self._block = block
        return block.pop()
