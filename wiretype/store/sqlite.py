"""``sqlite:///path``: the durable store of one node.

WAL with ``synchronous=NORMAL`` (a commit survives the process being killed; only a power
cut can take the last ones back) and group commit: every write queued while the previous
transaction ran goes into the next one, grouped by kind (``executemany``), never one
transaction per message. A batch becomes a plan of named statements (``_plan``) that runs
in one transaction, where ``?writer=`` says: ``process`` (the default on a machine with
more than one core) in a writer process of its own, ``loop`` on the event loop's thread
(``sqlite_writer.py`` says why a thread would not do). What waits on the disk, the
checkpoint that copies the WAL into the database and syncs it, runs in a thread of its own
on a connection of its own, at most once a second (``wal_autocheckpoint`` is off on the
writing connection). The schema carries its version (``PRAGMA user_version``) and is
migrated on open; a file that is locked, corrupt, of a newer schema or not a database is
refused with a message naming it.

Every session is read back into memory at open (one node owns them all), so that what is
published after a restart still waits for clients that were away; reads (dead letters)
use the node's own connection, which WAL lets read beside the writer.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import operator
import os
import secrets
import sqlite3
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from ..protocol.session import Session
from .base import DeadLetter, Job, Op, Store, StoreError, log, rebuild
from .sqlite_writer import TAKEN, Plan, WriterGoneError, WriterProcess, apply, claim

__all__ = ["SCHEMA_VERSION", "TAKEN", "SqliteStore"]

SCHEMA_VERSION = 1
POLL_MS = 250.0  # how often the queue is looked at for retries and revived jobs
CHECKPOINT_S = 1.0  # at most this often, the WAL is checkpointed (in a thread)
_PRIO = operator.attrgetter("prio")

_MIGRATIONS = {
    1: """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sessions (id TEXT PRIMARY KEY, meta TEXT NOT NULL, detached_at REAL);
CREATE TABLE frames (session TEXT NOT NULL, seq INTEGER NOT NULL, frame TEXT NOT NULL,
    at REAL NOT NULL, expires REAL, PRIMARY KEY (session, seq)) WITHOUT ROWID;
CREATE TABLE pending (n INTEGER PRIMARY KEY, session TEXT NOT NULL, body TEXT NOT NULL,
    prio INTEGER NOT NULL, expires REAL);
CREATE INDEX pending_by_session ON pending (session, n);
CREATE TABLE answers (session TEXT NOT NULL, id TEXT NOT NULL, answer TEXT NOT NULL,
    at REAL NOT NULL, PRIMARY KEY (session, id)) WITHOUT ROWID;
CREATE TABLE jobs (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, prio INTEGER NOT NULL,
    next_at REAL NOT NULL, claimed_until REAL NOT NULL, job TEXT NOT NULL);
CREATE INDEX jobs_by_prio ON jobs (prio, n);
CREATE TABLE dead (id TEXT PRIMARY KEY, failed_at REAL NOT NULL, error TEXT NOT NULL,
    job TEXT NOT NULL);
""",
}


class _Rows:
    """A batch's rows of the writes every durable message makes (its job, its ack's
    dedupe answer and replay frame), as ``executemany`` takes them, appended as they are
    queued: no op tuple per write and no regrouping at commit. One per batch, queued once
    as the op ``("rows", it)``."""

    __slots__ = ("answers", "finished", "frames", "jobs")

    def __init__(self) -> None:
        self.frames: list[tuple[str, int, str, float, float | None]] = []
        self.answers: list[tuple[str, str, str, float]] = []
        self.jobs: list[Job] = []
        self.finished: list[tuple[str]] = []  # ids of jobs handled

    def __len__(self) -> int:
        return len(self.frames) + len(self.answers) + len(self.jobs) + len(self.finished)


def path_of(url: str) -> Path:
    """``sqlite:///var/lib/app/wt.db`` (absolute, as ``file:///``; ``sqlite:////...`` too) or
    ``sqlite://data/wt.db`` (relative to the current folder); a query (``?writer=loop``)
    is not part of it."""
    rest = url.split(":", 1)[1].partition("?")[0]
    rest = rest[2:] if rest.startswith("//") else rest
    while rest.startswith("//"):
        rest = rest[1:]
    if not rest:
        raise StoreError(url, "give a file: sqlite:///var/lib/app/wiretype.db")
    return Path(rest)


def writer_of(url: str) -> str:
    """Where commits run: ``?writer=process`` (a writer process), ``?writer=loop`` (the
    event loop's thread); by default a process when the machine has more than one core
    (and is POSIX)."""
    query = url.partition("?")[2]
    options = dict(part.partition("=")[::2] for part in query.split("&") if part)
    unknown = set(options) - {"writer"}
    if unknown:
        raise StoreError(url, f"unknown option {sorted(unknown)[0]!r} (the one option: writer)")
    many_cores = (os.cpu_count() or 1) > 1 and os.name == "posix"  # (it inherits a socket)
    writer = options.get("writer", "process" if many_cores else "loop")
    if writer not in ("process", "loop"):
        raise StoreError(url, f"writer={writer}: give writer=process or writer=loop")
    return writer


class SqliteStore(Store):
    durable = True
    kind = "sqlite"

    def __init__(self, url: str, *, busy_timeout_ms: int = 2_000) -> None:
        super().__init__(url)
        self.path = path_of(url)
        self.busy_timeout_ms = busy_timeout_ms
        self.writer = writer_of(url)
        self._writer: WriterProcess | None = None  # writer == "process", once open
        self._db: sqlite3.Connection | None = None  # used on the event loop's thread only
        self._pending_n = itertools.count(1)
        self._handoff: list[Job] = []  # committed here, taken at once (claim hands them out)
        self._polled_at = 0.0
        self._checkpointer: concurrent.futures.ThreadPoolExecutor | None = None
        self._checkpoint_db: sqlite3.Connection | None = None  # the checkpointer's own
        self._checkpointing: asyncio.Future[None] | None = None
        self._checkpointed_at = 0.0
        self._rows: _Rows | None = None  # the rows of the batch being queued
        self._rows_of: list[Op] | None = None  # the op list they were queued in

    # --- opening --------------------------------------------------------------------------

    async def _open(self) -> None:
        sessions, epoch, top = self._open_sync(time.time() * 1000)
        self.epoch = epoch
        self._pending_n = itertools.count(top + 1)
        for session in sessions:
            session.log = self
            self._sessions[session.id] = session
        if self.writer == "process":  # started by its first request
            self._writer = WriterProcess(str(self.path), self.busy_timeout_ms)

    def _open_sync(self, now: float) -> tuple[list[Session], int, int]:
        if self.path.is_dir():
            raise StoreError(self.url, f"{self.path} is a folder, not a database file")
        if not self.path.parent.is_dir():
            raise StoreError(self.url, f"the folder {self.path.parent} does not exist")
        try:
            db = sqlite3.connect(str(self.path), isolation_level=None, timeout=0.0)
            db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
            self._db = db
            self._prepare(db)
            return self._read_back(db, now)
        except sqlite3.DatabaseError as exc:
            self._close_sync()
            raise StoreError(self.url, _explain(self.path, exc)) from None

    def _prepare(self, db: sqlite3.Connection) -> None:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreError(
                self.url,
                f"{self.path} has schema version {version}, newer than this wiretype's "
                f"({SCHEMA_VERSION}): upgrade wiretype, or point the store at another file",
            )
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(self.url, f"{self.path}: cannot use WAL (journal_mode is {mode})")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA wal_autocheckpoint = 0")  # checkpoints run in a thread (_checkpoint)
        for step in range(version + 1, SCHEMA_VERSION + 1):
            db.execute("BEGIN IMMEDIATE")
            for statement in _MIGRATIONS[step].split(";"):
                if statement.strip():
                    db.execute(statement)
            if step == 1:
                db.execute(
                    "INSERT INTO meta VALUES ('epoch', ?)", (str(secrets.randbelow(2**31 - 1) + 1),)
                )
            db.execute(f"PRAGMA user_version = {step}")
            db.execute("COMMIT")

    def _read_back(self, db: sqlite3.Connection, now: float) -> tuple[list[Session], int, int]:
        epoch = int(db.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()[0])
        db.execute("BEGIN IMMEDIATE")
        db.execute("UPDATE sessions SET detached_at = ? WHERE detached_at IS NULL", (now,))
        db.execute("UPDATE jobs SET claimed_until = 0")  # claimed by a run that is gone
        db.execute("COMMIT")
        frames: dict[str, list[Any]] = defaultdict(list)
        for row in db.execute("SELECT session, seq, frame, at, expires FROM frames"):
            frames[row[0]].append(tuple(row[1:]))
        pending: dict[str, list[Any]] = defaultdict(list)
        for row in db.execute("SELECT session, body, prio, expires FROM pending ORDER BY n"):
            pending[row[0]].append(tuple(row[1:]))
        answers: dict[str, list[Any]] = defaultdict(list)
        horizon = now - self.settings.dedupe_ms
        for row in db.execute(
            "SELECT session, id, answer, at FROM answers WHERE at > ?", (horizon,)
        ):
            answers[row[0]].append(tuple(row[1:]))
        sessions = []
        for ident, meta in db.execute("SELECT id, meta FROM sessions").fetchall():
            session = rebuild(
                ident, meta, frames[ident], pending[ident], answers[ident], self.settings, now
            )
            if session is not None and session.epoch == epoch:
                sessions.append(session)
        top = int(db.execute("SELECT COALESCE(MAX(n), 0) FROM pending").fetchone()[0])
        return sessions, epoch, top

    async def _close(self) -> None:
        if self._writer is not None:
            await self._writer.close()
            self._writer = None
        if self._checkpointing is not None:
            with contextlib.suppress(Exception):
                await self._checkpointing
        if self._checkpointer is not None:
            self._checkpointer.submit(self._close_checkpointer).result()
            self._checkpointer.shutdown(wait=True)
            self._checkpointer = None
        self._close_sync()  # the last connection to close checkpoints what is left

    def _close_sync(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # --- checkpoints ----------------------------------------------------------------------

    def _maybe_checkpoint(self) -> None:
        """After a commit: start a checkpoint in the thread when none runs and the last one
        is ``CHECKPOINT_S`` old (it copies what the WAL holds into the database and syncs
        it; PASSIVE, so it never blocks the commits that go on meanwhile)."""
        now = time.monotonic()
        if self._checkpointing is not None or now - self._checkpointed_at < CHECKPOINT_S:
            return
        self._checkpointed_at = now
        if self._checkpointer is None:
            self._checkpointer = concurrent.futures.ThreadPoolExecutor(
                1, thread_name_prefix="wt-sqlite-checkpoint"
            )
        loop = asyncio.get_running_loop()
        self._checkpointing = loop.run_in_executor(self._checkpointer, self._checkpoint_sync)
        self._checkpointing.add_done_callback(self._checkpointed)

    def _checkpoint_sync(self) -> None:
        if self._checkpoint_db is None:
            self._checkpoint_db = sqlite3.connect(
                str(self.path), isolation_level=None, check_same_thread=False
            )
        self._checkpoint_db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def _checkpointed(self, done: asyncio.Future[None]) -> None:
        self._checkpointing = None
        if not done.cancelled() and done.exception() is not None:
            log.warning("store %s: checkpoint failed: %s", self.url, done.exception())

    def _close_checkpointer(self) -> None:
        if self._checkpoint_db is not None:
            self._checkpoint_db.close()
            self._checkpoint_db = None

    async def _run(self, fn: Any, *args: Any) -> Any:
        """Every statement runs on the loop's thread (see the module's docstring)."""
        return fn(*args)

    # --- writing --------------------------------------------------------------------------

    def pending(self, session: Session, body: str, prio: int, expires_at: float | None) -> None:
        self._queue(("pending", next(self._pending_n), session.id, body, prio, expires_at))

    def _batch_rows(self) -> _Rows:
        """The rows of the batch being queued (a new batch, once the last one was cut)."""
        rows = self._rows
        if rows is None or self._rows_of is not self._ops:
            rows = self._rows = _Rows()
            self._queue(("rows", rows))
            self._rows_of = self._ops
        return rows

    def frame(
        self, session: Session, seq: int, frame: str, now: float, expires_at: float | None
    ) -> None:
        self._batch_rows().frames.append((session.id, seq, frame, now, expires_at))

    def answered(self, session: Session, message_id: str, answer: str, now: float) -> None:
        self._batch_rows().answers.append((session.id, message_id, answer, now))

    def enqueue(self, job: Job) -> None:
        self._new_jobs = True
        self._batch_rows().jobs.append(job)

    def finish(self, job: Job) -> None:
        self._batch_rows().finished.append((job.id,))

    def _writes_in(self, ops: list[Op]) -> int:
        return sum(len(op[1]) if op[0] == "rows" else 1 for op in ops)

    def pending_taken(self, session: Session) -> None:
        upto = next(self._pending_n)
        self._queue(("taken", session.id, upto))

    async def _write(self, ops: list[Op]) -> None:
        plan, jobs = self._plan(ops)
        if self._writer is not None:
            try:
                await self._writer.commit(plan)
            except WriterGoneError:  # a new one takes the batch (every statement of it can
                try:  # run twice: the old one may have committed it before it died)
                    await self._writer.commit(plan)
                except WriterGoneError as exc:
                    raise StoreError(self.url, str(exc)) from None
        elif self._db is None:
            raise StoreError(self.url, "closed")
        else:
            apply(self._db, plan)
        self._handoff.extend(jobs)  # durable now, taken by this node
        self._maybe_checkpoint()

    def _plan(self, ops: list[Op]) -> tuple[Plan, list[Job]]:
        """The batch as statements for one transaction: inserts by kind, then updates, then
        deletes (each delete names what it removes, so the grouping keeps the batch's
        meaning); and the batch's new jobs."""
        rows: dict[str, list[Any]] = defaultdict(list)
        jobs: list[Job] = []
        for op in ops:
            if op[0] == "rows":  # one per batch (see _Rows)
                batch: _Rows = op[1]
                for kind, some in (
                    ("frame", batch.frames),
                    ("answer", batch.answers),
                    ("finished", batch.finished),
                ):
                    if some:
                        rows[kind].extend(some)
                jobs = batch.jobs
            else:
                rows[op[0]].append(op[1:])
        plan: Plan = [(kind, rows[kind]) for kind in ("meta", "frame", "pending", "answer")
                      if kind in rows]  # fmt: skip
        if jobs:  # taken by this node at once: no read back to hand it to a worker
            plan.append(("new_job", [j.fields() for j in jobs]))  # recorded where it runs
        self._job_changes(plan, rows)
        self._deletes(plan, rows)
        return plan, jobs

    def _job_changes(self, plan: Plan, rows: dict[str, list[Any]]) -> None:
        if "revive" in rows:
            revived = [j for (j,) in rows["revive"]]
            plan.append(("revive", [(j.id, j.prio, j.next_at, j.to_json()) for j in revived]))
            plan.append(("undead", [(j.id,) for j in revived]))
        if "bury" in rows:
            dead = [d for (d,) in rows["bury"]]
            plan.append(("bury", [(d.job.id, d.failed_at, d.error, d.job.to_json()) for d in dead]))
            plan.append(("unjob", [(d.job.id,) for d in dead]))
        if "retry" in rows:
            plan.append(("retry", [(j.next_at, j.to_json(), j.id) for (j,) in rows["retry"]]))

    def _deletes(self, plan: Plan, rows: dict[str, list[Any]]) -> None:
        if "frame" in rows:  # keep replay_size frames per session
            top: dict[str, int] = {}
            for row in rows["frame"]:
                if row[1] > top.get(row[0], 0):
                    top[row[0]] = row[1]
            keep = self.settings.replay_size
            trim = [(sid, seq - keep) for sid, seq in top.items() if seq > keep]
            if trim:
                plan.append(("trim", trim))
        for kind, statement in (
            ("taken", "taken"),
            ("finished", "unjob"),
            ("discard", "undead"),
            ("prune", "prune"),
        ):
            if kind in rows:
                plan.append((statement, rows[kind]))
        if "drop" in rows:
            for table in ("sessions", "frames", "pending", "answers"):
                plan.append((f"drop_{table}", rows["drop"]))

    async def expire(self, now: float, ttl_ms: float) -> list[Session]:
        gone = await super().expire(now, ttl_ms)
        if now - self._pruned_at >= 60_000:
            self._pruned_at = now
            self._queue(("prune", now - self.settings.dedupe_ms))
        return gone

    _pruned_at = 0.0

    # --- the durable queue ----------------------------------------------------------------

    async def claim(self, limit: int, now: float) -> list[Job]:
        """Jobs committed by this node first (they were written as taken), then, every
        ``POLL_MS``, due ones from the file: retries, revived dead letters, and what a run
        that was killed had not finished."""
        out = self._handoff
        if len(out) > limit:
            out, self._handoff = out[:limit], out[limit:]
        else:
            self._handoff = []
        if len(out) < limit and now - self._polled_at >= POLL_MS and self.healthy:
            self._polled_at = now
            out += await self._claimed(limit - len(out), now)
        out.sort(key=_PRIO)
        return out

    async def _claimed(self, limit: int, now: float) -> list[Job]:
        if self._writer is not None:
            try:
                rows = await self._writer.claim(limit, now)
            except (WriterGoneError, sqlite3.Error) as exc:  # looked at again at the next poll
                log.warning("store %s: cannot claim jobs: %s", self.url, exc)
                return []
        else:
            assert self._db is not None
            rows = claim(self._db, limit, now)
        jobs = []
        for ident, text in rows:  # one that is not a job stays taken: not read again this run
            job = Job.read(text)
            if job is None:
                self.unreadable(f"jobs row {ident!r}")
            else:
                jobs.append(job)
        return jobs

    async def dead_letters(self, limit: int = 1000) -> list[DeadLetter]:
        rows = await self._run(
            lambda: self._db.execute(  # type: ignore[union-attr]
                "SELECT job, error, failed_at FROM dead ORDER BY failed_at LIMIT ?", (limit,)
            ).fetchall()
        )
        return [DeadLetter(Job.from_json(r[0]), r[1], r[2]) for r in rows]

    async def dead_letter(self, job_id: str) -> DeadLetter | None:
        rows = await self._run(
            lambda: self._db.execute(  # type: ignore[union-attr]
                "SELECT job, error, failed_at FROM dead WHERE id = ?", (job_id,)
            ).fetchall()
        )
        return DeadLetter(Job.from_json(rows[0][0]), rows[0][1], rows[0][2]) if rows else None

    async def queued_jobs(self) -> int:
        row = await self._run(
            lambda: self._db.execute("SELECT COUNT(*) FROM jobs").fetchone()  # type: ignore[union-attr]
        )
        return int(row[0])


def _explain(path: Path, exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return f"{path} is locked by another process (is another server using it?)"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return f"{path} is corrupt or not an SQLite database ({text})"
    if "unable to open" in text or "readonly" in text:
        return f"cannot open {path} for writing ({text})"
    return f"{path}: {text}"
