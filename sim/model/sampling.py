"""Samplers built from the scenario's distribution specs.

A sampler draws from its own numpy generator in blocks and hands out Python floats one at a
time, so the simulation's hot path neither calls numpy per draw nor shares a stream.
"""

from __future__ import annotations

import numpy as np

from sim.scenario.schema import DistributionSpec

BLOCK_SIZE = 1024


class Sampler:
    """Draws one value at a time from ``spec`` using its own generator, in blocks."""

    __slots__ = ("_draw", "_rng", "_block", "mean")

    def __init__(self, spec: DistributionSpec, rng: np.random.Generator) -> None:
        self._draw = spec.draw
        self._rng = rng
        self._block: list[float] = []
        self.mean = spec.expected()

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
