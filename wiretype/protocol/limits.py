"""Settings with every default of DESIGN.md, and the small meters the core keeps.

Times in the core are milliseconds as floats (``now``), passed in by the caller.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigurationError


@dataclass(frozen=True, slots=True)
class Settings:
    """Every tunable of the protocol, named as in DESIGN.md; ``Server`` and ``Client`` take
    each as a keyword argument."""

    heartbeat_ms: int = 25_000
    heartbeat_grace_ms: int = 10_000  # no frame for heartbeat_ms + this: the link is dead
    ack_timeout_ms: int = 10_000
    retries: int = 5
    max_frame_bytes: int = 64 * 1024
    max_in_flight: int = 64
    max_topics: int = 100
    rate: float = 100.0  # messages per second per connection
    burst: int = 200
    max_connections: int = 10_000
    max_connections_per_ip: int = 100
    max_buffer_bytes: int = 1024 * 1024
    replay_size: int = 1_000
    replay_ms: int = 120_000
    session_ttl_ms: int = 120_000
    handshake_timeout_ms: int = 10_000
    dedupe_size: int = 10_000
    dedupe_ms: int = 300_000
    bad_frame_budget: int = 10  # bad_frame / bad_envelope answers before close 4400
    retry_after_ms: int = 1_000  # told with `overloaded`
    drain_ms: int = 30_000  # how long a draining server waits for its connections
    # client side
    queue_size: int = 1_000
    queue_bytes: int = 1024 * 1024
    backoff_min_ms: int = 500
    backoff_max_ms: int = 20_000
    stable_ms: int = 5_000  # a link open this long resets the backoff

    @classmethod
    def build(cls, **options: Any) -> Settings:
        """Settings from keyword arguments; an unknown name or a bad value is refused."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(options) - names)
        if unknown:
            raise ConfigurationError(f"unknown setting(s): {', '.join(unknown)}")
        settings = cls(**options)
        for field in dataclasses.fields(cls):
            value = getattr(settings, field.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ConfigurationError(f"{field.name} must be a number >= 0, not {value!r}")
        return settings

    @property
    def liveness_ms(self) -> int:
        return self.heartbeat_ms + self.heartbeat_grace_ms


class TokenBucket:
    """``rate`` tokens a second up to ``burst``; ``take`` answers whether one was there."""

    __slots__ = ("_burst", "_rate", "_stamp", "_tokens")

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self._rate = rate / 1000.0  # per ms
        self._burst = float(max(burst, 1))
        self._tokens = self._burst
        self._stamp = now

    def take(self, now: float) -> bool:
        elapsed = now - self._stamp
        tokens = (
            min(self._burst, self._tokens + elapsed * self._rate) if elapsed > 0 else self._tokens
        )
        self._stamp = now
        if tokens >= 1.0:
            self._tokens = tokens - 1.0
            return True
        self._tokens = tokens
        return False

    def wait_ms(self) -> int:
        """How long until the next token, in whole milliseconds."""
        if self._rate <= 0:
            return 60_000
        return max(1, math.ceil((1.0 - self._tokens) / self._rate))
