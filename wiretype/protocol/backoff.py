"""Full-jitter backoff: delay = min(max, min + random(0, min * 2**attempt)).

The random source is injected (a ``random.Random`` or anything with ``random()``), so tests
are exact.
"""

from __future__ import annotations

from typing import Protocol


class RandomSource(Protocol):
    def random(self) -> float: ...


def full_jitter(attempt: int, min_ms: float, max_ms: float, rng: RandomSource) -> float:
    """The delay before try number ``attempt`` (0 for the first retry), in ms."""
    spread = min_ms * (2 ** min(attempt, 30))
    return float(min(max_ms, min_ms + rng.random() * spread))
