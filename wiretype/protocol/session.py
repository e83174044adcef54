"""A session: what survives a dropped connection until ``session_ttl_ms`` passes.

Its ``seq`` counter numbers the server's frames as they are written; the ``ReplayBuffer``
keeps the last ``replay_size`` of them for ``replay_ms``, so a client that resumes with
``last_seq`` gets every later frame again, in order. Frames published while no connection is
attached wait in ``pending`` (priority, then age, expiry) and are written after the replay.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Protocol

from .delivery import DedupeWindow
from .queues import PriorityQueue

# (seq, frame, written_at, expires_at): a tuple, one is kept per frame written
Replayed = tuple[int, str, float, float | None]


class ReplayBuffer:
    """The last frames written, by seq, bounded by count, age and size (characters).
    ``lost_through`` is the highest seq pushed out: a resume from before it cannot be
    served."""

    __slots__ = ("_frames", "_size", "lost_through", "max_bytes", "max_ms", "max_size")

    def __init__(self, max_size: int, max_ms: float, max_bytes: int = 1 << 62) -> None:
        self._frames: deque[Replayed] = deque()
        self._size = 0
        self.max_size = max_size
        self.max_ms = max_ms
        self.max_bytes = max_bytes
        self.lost_through = 0

    def __len__(self) -> int:
        return len(self._frames)

    def add(self, seq: int, frame: str, now: float, expires_at: float | None) -> None:
        if self.max_size <= 0 or len(frame) > self.max_bytes:
            self.lost_through = seq
            return
        frames = self._frames
        frames.append((seq, frame, now, expires_at))
        size = self._size + len(frame)
        if len(frames) > self.max_size and size <= self.max_bytes:
            # full by count (the usual case once it has filled): the oldest goes
            first = frames.popleft()
            size -= len(first[1])
            self.lost_through = first[0]
        self._size = size
        if size > self.max_bytes or frames[0][2] + self.max_ms <= now:
            self.trim(now)

    def trim(self, now: float) -> None:
        """Drop what is past ``replay_size``, the size bound, or older than ``replay_ms``."""
        frames = self._frames
        while frames and (
            len(frames) > self.max_size
            or self._size > self.max_bytes
            or frames[0][2] + self.max_ms <= now
        ):
            seq, frame, _, _ = frames.popleft()
            self._size -= len(frame)
            self.lost_through = seq

    def covers(self, last_seq: int) -> bool:
        return last_seq >= self.lost_through

    def after(self, last_seq: int, now: float) -> tuple[list[str], int]:
        """The frames after ``last_seq`` in order, and how many were skipped as expired."""
        self.trim(now)
        out: list[str] = []
        expired = 0
        for seq, frame, _, expires_at in self._frames:
            if seq <= last_seq:
                continue
            if expires_at is not None and expires_at <= now:
                expired += 1
                continue
            out.append(frame)
        return out, expired


class SessionLog(Protocol):
    """Where a durable store hears what the core changed in a session (the core stays
    sans-I/O: these are plain calls that queue a write; the adapter makes them durable)."""

    def frame(
        self, session: Session, seq: int, frame: str, now: float, expires_at: float | None
    ) -> None: ...

    def pending(self, session: Session, body: str, prio: int, expires_at: float | None) -> None: ...

    def pending_taken(self, session: Session) -> None: ...

    def answered(self, session: Session, message_id: str, answer: str, now: float) -> None: ...


@dataclass(slots=True, eq=False)
class Session:
    """One client's session on this server (kept by the store)."""

    id: str
    epoch: int
    versions: dict[str, int]
    client: str = ""
    client_version: str = ""
    principal: Any = None
    seq: int = 0
    topics: set[str] = field(default_factory=set)
    replay: ReplayBuffer | None = None
    pending: PriorityQueue[str] | None = None
    seen: DedupeWindow | None = None
    detached_at: float | None = None  # when its last connection ended; None while attached
    closed: bool = False  # ended for good (a 1000 close from the client, or expired)
    log: SessionLog | None = None  # a durable store's journal of this session

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def can_resume(
        self, epoch: int, last_seq: int, versions: dict[str, int], now: float | None = None
    ) -> bool:
        """Whether a hello's resume can be served: same epoch and versions, and every frame
        after ``last_seq`` still kept (``now`` first drops what ``replay_ms`` let go)."""
        if self.closed or epoch != self.epoch or last_seq > self.seq:
            return False
        if versions != self.versions:
            return False
        if self.replay is not None and now is not None:
            self.replay.trim(now)
        return self.replay is None or self.replay.covers(last_seq)
