"""The store interface, and what every backend shares.

A store keeps sessions (negotiated versions, subscriptions, last ``seq``), each session's
replay buffer and the frames waiting for an absent client, the dedupe windows, the durable
queue and its dead letters, and the ``epoch``, which changes when the store lost history
(so that a client is told ``resumed: false`` rather than silently missing messages).

The node works on ``Session`` objects in memory (the core mutates them); a durable store is
told of each change through ``SessionLog`` calls that only queue a write. Writes are grouped:
everything queued during one turn of the event loop, and while the previous write runs,
goes out as one batch (one SQLite transaction, one Redis round trip). ``unsynced`` says
whether writes wait; ``on_synced(callback)`` runs the callback once everything queued before
it is durable — the hub holds outgoing frames until then, so a client never sees a frame,
nor an ack, that a crash could take back.

.. code-block:: text

    Store
    ├── MemoryStore     this process only (the default); epoch drawn at start
    ├── SqliteStore     one node: WAL, synchronous=NORMAL, a writer thread, group commit
    └── RedisStore      many processes and nodes: pipelined, Streams, keys with TTLs
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ..protocol.delivery import DedupeWindow
from ..protocol.limits import Settings
from ..protocol.queues import Item, PriorityQueue
from ..protocol.session import ReplayBuffer, Session

__all__ = ["DeadLetter", "Job", "Op", "Store", "StoreError", "principal_key"]

log = logging.getLogger("wiretype")
Op = tuple[Any, ...]  # (kind, *arguments): one queued write


class StoreError(Exception):
    """A store that cannot be opened or used: ``url`` and what is wrong, said plainly."""

    def __init__(self, url: str, problem: str) -> None:
        self.url = url
        self.problem = problem
        super().__init__(f"store {url}: {problem}")


@dataclass(frozen=True, slots=True)
class Job:
    """A message for a durable handler: stored, acked, then handled (at least once)."""

    id: str
    type: str  # the message type (its route)
    version: int  # the version ``data`` is in (the handler's)
    data: str  # the data as JSON
    session: str
    message_id: str
    principal: str  # principal_key of the sender
    client: str
    enqueued_at: float
    prio: int = 4
    expires_at: float | None = None
    attempts: int = 0  # attempts that failed so far
    next_at: float = 0.0
    error: str = ""  # the last failure

    def to_json(self) -> str:
        return json.dumps([getattr(self, f) for f in _JOB_FIELDS], separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Job:
        values = json.loads(text)
        if not isinstance(values, list) or len(values) != len(_JOB_FIELDS):
            raise ValueError("not a stored job")
        return cls(**dict(zip(_JOB_FIELDS, values, strict=True)))

    def failed(self, error: str, next_at: float) -> Job:
        return replace(self, attempts=self.attempts + 1, error=error, next_at=next_at)


_JOB_FIELDS = tuple(Job.__dataclass_fields__)


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A job whose handler failed ``max_attempts`` times (or rejected it), with the error."""

    job: Job
    error: str
    failed_at: float

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.job.id,
            "type": self.job.type,
            "version": self.job.version,
            "session": self.job.session,
            "message_id": self.job.message_id,
            "attempts": self.job.attempts,
            "error": self.error,
            "failed_at": self.failed_at,
            "enqueued_at": self.job.enqueued_at,
        }


def principal_key(principal: Any) -> str:
    """A principal as stored text: a resume is allowed only to the same principal, also
    after a restart or on another node (so principals should be JSON values)."""
    try:
        return json.dumps(principal, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return f"object:{id(principal)}"  # not JSON: valid in this process only


class Store:
    """The interface, with the session cache and the write batching every backend shares.
    Backends override ``_open``, ``_write``, ``_load`` and the job and dead-letter calls."""

    durable = False
    kind = "memory"

    def __init__(self, url: str) -> None:
        self.url = url
        self.epoch = 0
        self.settings = Settings()
        self.healthy = True
        self.problem = ""
        self.opened = False
        self.counters: dict[str, int] = {}
        self._sessions: dict[str, Session] = {}
        self._ops: list[Op] = []
        self._queued = 0  # batches made so far
        self._done = 0  # batches durable so far
        self._waiters: list[tuple[int, Callable[[], None]]] = []
        self._writing: asyncio.Task[None] | None = None
        self._kick_pending = False
        self.on_jobs: Callable[[], None] | None = None  # new jobs are durable: wake workers
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
            await self._close()
            self.opened = False

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
        out["unsynced_ops"] = len(self._ops)
        return out

    def count(self, name: str, by: int = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + by

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
            self._queue(("meta", session.id, _meta(session), session.detached_at))

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

    # --- write batching -------------------------------------------------------------------

    @property
    def unsynced(self) -> bool:
        return bool(self._ops) or self._done < self._queued

    def on_synced(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once every write queued so far is durable (at once when none
        waits, or while the store is unreachable: the node then serves without it)."""
        if not self.unsynced or not self.healthy:
            callback()
            return
        target = self._queued + (1 if self._ops else 0)
        self._waiters.append((target, callback))

    async def sync(self) -> None:
        """Until every write queued so far is durable (or the store is unreachable)."""
        if not self.unsynced or not self.healthy:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def fire() -> None:
            if not done.done():
                done.set_result(None)

        self.on_synced(fire)
        await done

    def _queue(self, op: Op) -> None:
        self._ops.append(op)
        if not self._kick_pending:
            self._kick_pending = True
            try:
                asyncio.get_running_loop().call_soon(self._kick)
            except RuntimeError:  # no loop (a test of the bare store): written at close
                self._kick_pending = False

    def _kick(self) -> None:
        self._kick_pending = False
        if self._writing is None and self._ops and self.opened:
            self._writing = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        """Write batches one at a time; what is queued meanwhile forms the next batch."""
        try:
            while self._ops:
                ops, self._ops = self._ops, []
                self._queued += 1
                await self._write_retrying(ops)
                self._done = self._queued
                self._release()
                if self.on_jobs is not None and any(op[0] == "job" for op in ops):
                    self.on_jobs()
        finally:
            self._writing = None

    async def _write_retrying(self, ops: list[Op]) -> None:
        delay = 0.05
        while True:
            try:
                await self._write(ops)
            except Exception as exc:
                self._unhealthy(exc)
                self._release()  # held frames go out: the node serves without the store
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                continue
            if not self.healthy:
                self._recovered()
            return

    def _unhealthy(self, exc: BaseException) -> None:
        problem = f"{type(exc).__name__}: {exc}"[:300]
        if self.healthy or problem != self.problem:
            log.warning("store %s unreachable: %s", self.url, problem)
        self.healthy = False
        self.problem = problem
        self.count("store_errors")

    def _recovered(self) -> None:
        log.warning("store %s reachable again", self.url)
        self.healthy = True
        self.problem = ""

    def _release(self) -> None:
        if not self._waiters:
            return
        if not self.healthy:
            ready, self._waiters = self._waiters, []
        else:
            ready = [w for w in self._waiters if w[0] <= self._done]
            self._waiters = [w for w in self._waiters if w[0] > self._done]
        for _, callback in ready:
            callback()

    async def _write(self, ops: list[Op]) -> None:
        return None

    # --- the durable queue (memory: this process only) ------------------------------------

    def enqueue(self, job: Job) -> None:
        """Queue ``job``; durable once ``on_synced`` fires (with the ack's frame)."""
        self._queue(("job", job))

    async def claim(self, limit: int, now: float) -> list[Job]:
        """Jobs due now, marked as taken by this node (lower prio first, then oldest)."""
        raise NotImplementedError

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
        self._queue(("revive", replace(dead.job, attempts=0, next_at=now, error="")))
        await self.sync()
        return True

    async def discard(self, job_id: str) -> bool:
        dead = await self.dead_letter(job_id)
        if dead is None:
            return False
        self._queue(("discard", job_id))
        await self.sync()
        return True


def _meta(session: Session) -> str:
    return json.dumps(
        {
            "epoch": session.epoch,
            "versions": session.versions,
            "client": session.client,
            "client_version": session.client_version,
            "principal": principal_key(session.principal),
            "seq": session.seq,
            "topics": sorted(session.topics),
            "detached_at": session.detached_at,
            "closed": session.closed,
        },
        separators=(",", ":"),
    )


def rebuild(  # noqa: PLR0917 (the pieces of one session, read back in one place)
    session_id: str,
    meta_json: str,
    frames: list[tuple[int, str, float, float | None]],
    pending: list[tuple[str, int, float | None]],
    answers: list[tuple[str, str, float]],
    settings: Settings,
    now: float,
) -> Session | None:
    """A session read back from a store: its fields, replay buffer (by seq), the frames that
    waited for it (in the order they came) and its dedupe window."""
    meta = json.loads(meta_json)
    if not isinstance(meta, dict) or meta.get("closed"):
        return None
    session = Session(session_id, int(meta["epoch"]), dict(meta["versions"]))
    session.client = str(meta.get("client", ""))
    session.client_version = str(meta.get("client_version", ""))
    session.principal = _principal_back(str(meta.get("principal", "null")))
    session.topics = set(meta.get("topics", ()))
    session.detached_at = meta.get("detached_at") or now  # a crashed node never detached it
    frames.sort()
    session.seq = max([int(meta.get("seq", 0))] + [f[0] for f in frames])
    replay = ReplayBuffer(settings.replay_size, settings.replay_ms, settings.max_buffer_bytes)
    replay.lost_through = frames[0][0] - 1 if frames else session.seq
    for seq, frame, at, expires in frames:
        replay.add(seq, frame, at, expires)
    replay.trim(now)
    session.replay = replay
    if pending:
        session.pending = PriorityQueue(settings.replay_size, settings.max_buffer_bytes)
        for body, prio, expires in pending:
            session.pending.push(Item(body, prio, len(body), expires))
    if answers:
        session.seen = DedupeWindow(settings.dedupe_size, settings.dedupe_ms)
        for message_id, answer, at in sorted(answers, key=lambda a: a[2]):
            session.seen.remember(message_id, answer, at)
        session.seen.prune(now)
    return session


class _Stored(str):
    """A principal read back from a store, compared by its stored text."""

    __slots__ = ()


def _principal_back(key: str) -> Any:
    try:
        return json.loads(key)
    except ValueError:
        return _Stored(key)
