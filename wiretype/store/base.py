"""The store interface: what the node asks of wherever sessions live.

A store keeps sessions (negotiated versions, subscriptions, last ``seq``), each session's
replay buffer and the frames waiting for an absent client, the dedupe windows, the durable
queue and its dead letters, and the ``epoch``, which changes when the store lost history
(so that a client is told ``resumed: false`` rather than silently missing messages).

The node works on ``Session`` objects in memory (the core mutates them); a durable store is
told of each change through ``SessionLog`` calls that only queue a write, and writes go out
in batches (``batching.py``: one SQLite transaction, one Redis round trip per batch).
``unsynced`` says whether writes wait; ``on_synced(callback)`` runs the callback once
everything queued before it is durable — the hub holds outgoing frames until then, so a
client never sees a frame, nor an ack, that a crash could take back. What is stored, as
records, is in ``records.py``.

.. code-block:: text

    Store
    ├── MemoryStore     this process only (the default); epoch drawn at start
    ├── SqliteStore     one node: WAL, synchronous=NORMAL, group commit
    └── RedisStore      many processes and nodes: pipelined, Streams, keys with TTLs
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..protocol.limits import Settings
from ..protocol.session import Session
from .batching import GroupCommit, Op, log
from .records import DeadLetter, Job, principal_key, rebuild, session_meta

__all__ = ["DeadLetter", "Job", "Op", "Store", "StoreError", "log", "principal_key", "rebuild"]


class StoreError(Exception):
    """A store that cannot be opened or used: ``url`` and what is wrong, said plainly."""

    def __init__(self, url: str, problem: str, *, what: str = "store") -> None:
        self.url = url
        self.problem = problem
        super().__init__(f"{what} {url}: {problem}")  # what: "store", or "broker"


class Store(GroupCommit):
    """The interface, with the session cache every backend shares (and, from
    ``GroupCommit``, the write batching). Backends override ``_open``, ``_write``, ``_load``
    and the job and dead-letter calls."""

    durable = False
    kind = "memory"

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.epoch = 0
        self.settings = Settings()
        self._sessions: dict[str, Session] = {}
        self.on_lost: Callable[[], None] | None = None  # the store lost history (new epoch)

    def __len__(self) -> int:
        return len(self._sessions)

    # --- life -----------------------------------------------------------------------------

    async def open(self, settings: Settings | None = None) -> None:
        """Connect, check and migrate; idempotent."""
        if settings is not None:
            self.settings = settings
        if not self.opened:
            await self._open()
            self.opened = True

    async def close(self) -> None:
        if self.opened:
            await self.sync()
            await self.stop_writing()  # still retrying (unreachable): it must not reconnect
            self.opened = False  # before closing: nothing queued meanwhile starts a batch
            await self._close()

    async def _open(self) -> None:
        if not self.epoch:
            self.epoch = secrets.randbelow(2**31 - 1) + 1

    async def _close(self) -> None:
        return None

    def status(self) -> dict[str, Any]:
        """What ``/healthz`` and metrics read."""
        out: dict[str, Any] = {"kind": self.kind, "healthy": self.healthy}
        if self.problem:
            out["problem"] = self.problem
        out["unsynced_ops"] = self._writes_in(self._ops)
        out["batches"] = self.counters.get("batches", 0)
        out["batched_ops"] = self.counters.get("batched_ops", 0)
        return out

    # --- sessions -------------------------------------------------------------------------

    async def create(self, versions: dict[str, int], principal: Any, now: float) -> Session:
        session = Session(secrets.token_urlsafe(18), self.epoch, versions, principal=principal)
        if self.durable:
            session.log = self
        self._sessions[session.id] = session
        return session

    async def find(self, session_id: str, now: float | None = None) -> Session | None:
        session = self._sessions.get(session_id)
        if session is None and self.durable and self.healthy:
            session = await self._load(session_id, now)
            if session is not None:
                session.log = self
                self._sessions[session.id] = session
        return None if session is None or session.closed else session

    async def _load(self, session_id: str, now: float | None) -> Session | None:
        return None

    def forget_cached(self, session_id: str) -> None:
        """Another node took this session over: drop this node's copy."""
        self._sessions.pop(session_id, None)

    def cached(self) -> list[Session]:
        return list(self._sessions.values())

    async def drop(self, session_id: str) -> None:
        self._sessions.pop(session_id, None)
        if self.durable:
            self._queue(("drop", session_id))

    async def expire(self, now: float, ttl_ms: float) -> list[Session]:
        gone = [
            s
            for s in self._sessions.values()
            if s.closed or (s.detached_at is not None and s.detached_at + ttl_ms <= now)
        ]
        for session in gone:
            del self._sessions[session.id]
            session.closed = True
            if self.durable:
                self._queue(("drop", session.id))
        return gone

    keeps_topics = False  # a shared store keeps each topic's last messages (redis)

    def published(self, topic: str, payload: str) -> None:
        """A publish, as it travels between nodes (kept by stores that keep topics)."""

    async def missed(self, topics: list[str], since_ms: float) -> list[tuple[str, str]]:
        """(topic, payload) published to ``topics`` since ``since_ms``, oldest first."""
        return []

    def saved(self, session: Session) -> None:
        """The session's own fields changed (attached, detached, topics): write them."""
        if self.durable:
            self._queue(("meta", session.id, session_meta(session), session.detached_at))

    # --- SessionLog: the core's changes ---------------------------------------------------

    def frame(
        self, session: Session, seq: int, frame: str, now: float, expires_at: float | None
    ) -> None:
        self._queue(("frame", session.id, seq, frame, now, expires_at))

    def pending(self, session: Session, body: str, prio: int, expires_at: float | None) -> None:
        self._queue(("pending", session.id, body, prio, expires_at))

    def pending_taken(self, session: Session) -> None:
        self._queue(("taken", session.id))

    def answered(self, session: Session, message_id: str, answer: str, now: float) -> None:
        self._queue(("answer", session.id, message_id, answer, now))

    # --- the durable queue (memory: this process only) ------------------------------------

    def unreadable(self, where: str) -> None:
        """A record of the durable queue that is not a job was skipped (never run, never
        raised: the queue goes on); counted as ``unreadable_jobs`` and logged."""
        self.count("unreadable_jobs")
        log.warning("store %s: skipped a durable queue record that is not a job (%s)",
                    self.url, where)  # fmt: skip

    def enqueue(self, job: Job) -> None:
        """Queue ``job``; durable once ``on_synced`` fires (with the ack's frame)."""
        self._new_jobs = True
        self._queue(("job", job))

    async def claim(self, limit: int, now: float) -> list[Job]:
        """Jobs due now, marked as taken by this node (lower prio first, then oldest)."""
        raise NotImplementedError

    async def keep_alive(self, now: float) -> None:
        """Tell the other nodes that this one still holds the jobs it claimed, between claims
        (a node with a long backlog claims nothing for a while); by default there are none."""

    def finish(self, job: Job) -> None:
        self._queue(("finish", job))

    def retry(self, job: Job) -> None:
        """``job`` failed (``job.attempts`` counts it): run again at ``job.next_at``."""
        self._queue(("retry", job))

    def bury(self, job: Job, error: str, now: float) -> None:
        """``job`` failed for good: into the dead letters, with ``error``."""
        self._queue(("bury", DeadLetter(job, error, now)))

    async def dead_letters(self, limit: int = 1000) -> list[DeadLetter]:
        raise NotImplementedError

    async def dead_letter(self, job_id: str) -> DeadLetter | None:
        found = [d for d in await self.dead_letters(10**9) if d.job.id == job_id]
        return found[0] if found else None

    async def revive(self, job_id: str, now: float) -> bool:
        """Put a dead letter back in the queue (attempts reset); False when unknown."""
        dead = await self.dead_letter(job_id)
        if dead is None:
            return False
        self._new_jobs = True
        self._queue(("revive", replace(dead.job, attempts=0, next_at=now, error="", model=None)))
        await self.sync()
        return True

    async def discard(self, job_id: str) -> bool:
        dead = await self.dead_letter(job_id)
        if dead is None:
            return False
        self._queue(("discard", job_id))
        await self.sync()
        return True
