"""The heartbeat, driven by the server: a ping every ``heartbeat_ms``, answered by a pong
that gives the round trip; no frame for ``heartbeat_ms + grace`` means the link is dead.
The client keeps only the passive deadline (it needs no timer a hidden tab would throttle).
"""

from __future__ import annotations


class Heartbeat:
    __slots__ = (
        "_nonce",
        "_sent",
        "interval_ms",
        "last_heard",
        "liveness_ms",
        "next_ping",
        "rtt_ms",
    )

    def __init__(self, interval_ms: float, liveness_ms: float, now: float) -> None:
        self.interval_ms = interval_ms
        self.liveness_ms = liveness_ms
        self.last_heard = now
        self.next_ping = now + interval_ms
        self.rtt_ms: float | None = None
        self._nonce = 0
        self._sent: tuple[int, float] | None = None

    def heard(self, now: float) -> None:
        self.last_heard = now

    def dead(self, now: float) -> bool:
        return now - self.last_heard >= self.liveness_ms

    def ping_due(self, now: float) -> int | None:
        """The nonce of a ping to send now, or None when none is due."""
        if now < self.next_ping:
            return None
        self._nonce += 1
        self._sent = (self._nonce, now)
        self.next_ping = now + self.interval_ms
        return self._nonce

    def pong(self, nonce: int, now: float) -> float | None:
        """The round trip of the ping answered by ``nonce`` (None for a stale nonce)."""
        if self._sent is None or self._sent[0] != nonce:
            return None
        self.rtt_ms = now - self._sent[1]
        self._sent = None
        return self.rtt_ms

    def next_deadline(self) -> float:
        return min(self.next_ping, self.last_heard + self.liveness_ms)
