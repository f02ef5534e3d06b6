"""Independent random streams, one per source of randomness, all from one SeedSequence.

Each stream is named (``"arrivals", "web"``); its seed is derived from the replication's
``SeedSequence`` and a stable hash of the name, so adding a channel or an agent group does
not shift any other stream, and two capacity models run on the same seed see the same
customers (common random numbers).
"""

from __future__ import annotations

import zlib

import numpy as np


def stable_key(name: str) -> int:
    """Return a 32-bit integer for ``name`` that is the same on every run and machine."""
    return zlib.crc32(name.encode("utf-8"))


class RandomStreams:
    """Named ``numpy.random.Generator`` streams for one replication."""

    def __init__(self, seed_sequence: np.random.SeedSequence) -> None:
        self.seed_sequence = seed_sequence

    def generator(self, *names: str) -> np.random.Generator:
        """Return a fresh generator for the source called ``names`` (e.g. "patience", "web")."""
        spawn_key = tuple(self.seed_sequence.spawn_key) + tuple(stable_key(n) for n in names)
        child = np.random.SeedSequence(
            entropy=self.seed_sequence.entropy,
            spawn_key=spawn_key,
            pool_size=self.seed_sequence.pool_size,
        )
        return np.random.Generator(np.random.PCG64(child))
