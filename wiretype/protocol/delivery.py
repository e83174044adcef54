"""Acknowledgements: the sender's ``Outbox`` and the receiver's ``DedupeWindow``.

The outbox remembers every message sent with ``ack: true`` until its ack or nack arrives,
resends it (same id) when ``ack_timeout_ms`` passes, with full-jitter backoff, at most
``retries`` times, then fails it. The window remembers the ids a receiver has seen and the
answer it gave, so a retried message gets the same answer without its handler running twice.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

from .backoff import RandomSource, full_jitter


@dataclass(slots=True)
class Pending:
    """A sent message waiting for its ack."""

    id: str
    frame: str  # the frame as written, resent as is (servers add a fresh seq)
    prio: int
    sent_at: float
    deadline: float
    expires_at: float | None
    attempts: int = 0  # resends so far
    paused: bool = False  # the link is down: no clock runs


class Outbox:
    __slots__ = ("_pending", "ack_timeout_ms", "max_ms", "retries", "rng")

    def __init__(self, ack_timeout_ms: float, retries: int, rng: RandomSource) -> None:
        self._pending: dict[str, Pending] = {}
        self.ack_timeout_ms = ack_timeout_ms
        self.retries = retries
        self.rng = rng
        self.max_ms = ack_timeout_ms * 8

    def __len__(self) -> int:
        return len(self._pending)

    def __contains__(self, message_id: str) -> bool:
        return message_id in self._pending

    def __iter__(self) -> Iterator[Pending]:
        return iter(list(self._pending.values()))

    def add(
        self,
        message_id: str,
        frame: str,
        prio: int,
        now: float,
        expires_at: float | None,
        *,
        paused: bool = False,
    ) -> Pending:
        pending = Pending(
            message_id, frame, prio, now, now + self.ack_timeout_ms, expires_at, paused=paused
        )
        self._pending[message_id] = pending
        return pending

    def settle(self, message_id: str) -> Pending | None:
        """The pending message answered by an ack or nack (None when unknown)."""
        return self._pending.pop(message_id, None)

    def due(self, now: float) -> tuple[list[Pending], list[Pending], list[Pending]]:
        """(to resend now, failed after the retries, expired), updating deadlines."""
        resend: list[Pending] = []
        failed: list[Pending] = []
        expired: list[Pending] = []
        for pending in list(self._pending.values()):
            if pending.expires_at is not None and pending.expires_at <= now:
                expired.append(self._pending.pop(pending.id))
            elif pending.paused or pending.deadline > now:
                continue
            elif pending.attempts >= self.retries:
                failed.append(self._pending.pop(pending.id))
            else:
                self.retry_at(pending, now, now + self.delay(pending.attempts))
                resend.append(pending)
        return resend, failed, expired

    def delay(self, attempt: int) -> float:
        return self.ack_timeout_ms + full_jitter(
            attempt, self.ack_timeout_ms / 2, self.max_ms, self.rng
        )

    def retry_at(self, pending: Pending, now: float, deadline: float) -> None:
        pending.attempts += 1
        pending.sent_at = now
        pending.deadline = deadline

    def pause(self) -> None:
        for pending in self._pending.values():
            pending.paused = True

    def resume(self, now: float) -> list[Pending]:
        """Unpause after a reconnect: every pending message, oldest first, to resend now."""
        out = sorted(self._pending.values(), key=lambda p: (p.prio, p.sent_at))
        for pending in out:
            pending.paused = False
            pending.sent_at = now
            pending.deadline = now + self.ack_timeout_ms
        return out

    def next_deadline(self) -> float | None:
        times = [p.deadline for p in self._pending.values() if not p.paused]
        times += [p.expires_at for p in self._pending.values() if p.expires_at is not None]
        return min(times) if times else None


IN_PROGRESS = ""


class DedupeWindow:
    """The last ``size`` ids seen within ``ms``, each with the answer frame given to it
    (``IN_PROGRESS`` while its handler runs)."""

    __slots__ = ("_seen", "ms", "size")

    def __init__(self, size: int, ms: float) -> None:
        self._seen: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self.size = size
        self.ms = ms

    def __len__(self) -> int:
        return len(self._seen)

    def get(self, message_id: str, now: float) -> str | None:
        """The answer remembered for ``message_id`` (IN_PROGRESS while running), or None."""
        found = self._seen.get(message_id)
        if found is None or found[0] + self.ms <= now:
            return None
        return found[1]

    def remember(self, message_id: str, answer: str, now: float) -> None:
        """Keep ``answer`` for ``message_id``; old entries go by count here and by age in
        ``prune`` (called from the sweep; ``get`` ignores stale entries meanwhile)."""
        seen = self._seen
        found = seen.get(message_id)
        if found is not None:
            seen[message_id] = (found[0], answer)
            return
        seen[message_id] = (now, answer)
        if len(seen) > self.size:
            seen.popitem(last=False)

    def forget(self, message_id: str) -> None:
        self._seen.pop(message_id, None)

    def prune(self, now: float) -> None:
        seen = self._seen
        while len(seen) > self.size:
            seen.popitem(last=False)
        while seen:
            first = next(iter(seen.values()))
            if first[0] + self.ms > now:
                break
            seen.popitem(last=False)
