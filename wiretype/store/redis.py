"""``redis://host:port/db``: the store that several processes and nodes share (Redis 7, Valkey).

redis-py with hiredis; every batch of writes is one pipelined round trip. Per session (keys
with a hash tag, so a session's keys share a Cluster slot, and with TTLs, so abandoned
sessions expire by themselves)::

    wt:{SID}:m    its fields (JSON)                         SET ... PX
    wt:{SID}:r    its replay buffer, a Stream by seq        XADD ... MAXLEN ~ replay_size
    wt:{SID}:p    frames waiting for it (JSON, in order)    RPUSH, DEL once flushed
    wt:{SID}:d    its dedupe window (message id → answer)   XADD ... MAXLEN ~ dedupe_size

The durable queue is the Stream ``wt:jobs`` read through the consumer group ``wt:workers``
(``XREADGROUP``; ``XACK`` + ``XDEL`` once handled; ``XAUTOCLAIM`` takes over what a killed
node had claimed); retries wait in the sorted set ``wt:retry``; dead letters are the hash
``wt:dead``. ``wt:epoch`` holds the epoch: when it is gone (Redis lost its data), a new one
is drawn, and every resume across the loss is answered ``resumed: false``.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from typing import Any
from urllib.parse import urlsplit

from ..protocol.session import Session
from .base import DeadLetter, Job, Op, Store, StoreError, log, rebuild
from .resp import Pipe

__all__ = ["RedisStore", "connect"]

GROUP = "wt:workers"
JOBS = "wt:jobs"
RETRY = "wt:retry"
DEAD = "wt:dead"
EPOCH = "wt:epoch"
TOPIC_LOG_SIZE = 1_000  # messages kept per topic for sessions whose node was killed
LEASE_MS = 60_000  # a job claimed this long ago by a node that did not finish it is taken over
ALIVE = "wt:alive:"  # + node: set by its claims and keep_alive, expires ALIVE_MS after the last
ALIVE_MS = 5_000  # a node silent this long is gone (killed): its jobs are taken over at once
HEIR = "wt:heir:"  # + gone node: the one node that takes its jobs over (SET NX)
REFRESH_EVERY_MS = 10_000
POOL_SIZE = 32  # connections a node opens to Redis for reads, at most
POOL_WAIT_S = 10.0  # how long a command waits for one of them before it fails
HEALTH_CHECK_S = 1  # a pooled link idle longer than this is checked before use
MINE_MAX = 100_000  # jobs this node queued and keeps decoded until its claim takes them
Commands = list[tuple[Any, ...]]


def connect(url: str) -> Any:
    """A redis-py asyncio client (hiredis parses the replies when it is installed) whose
    pool makes a command wait for a free connection rather than fail: redis-py's default
    pool refuses the 101st concurrent command (``MaxConnectionsError``), which a node whose
    clients all resume at once reaches, and a session that cannot be loaded is a resume
    refused (``resumed: false``)."""
    try:
        from redis import asyncio as aioredis
    except ImportError:
        raise StoreError(url, "needs redis-py: pip install 'wiretype[redis]'") from None
    clean = _redis_py_url(url)
    pool = aioredis.BlockingConnectionPool.from_url(
        clean,
        max_connections=POOL_SIZE,
        timeout=POOL_WAIT_S,
        decode_responses=True,
        socket_connect_timeout=2.0,
        socket_timeout=5.0,
        # a link idle this long is checked (PING) before a command uses it, and opened
        # again if Redis restarted meanwhile: the command does not fail on the stale link
        health_check_interval=HEALTH_CHECK_S,
    )
    return aioredis.Redis.from_pool(pool)  # closed with the client


def _redis_py_url(url: str) -> str:
    """The URL as redis-py reads it: ``valkey://`` is ``redis://``, and the broker's own
    ``sharded=`` is dropped, so that one URL serves as both ``--store`` and ``--broker``."""
    parsed = urlsplit(url.replace("valkey://", "redis://", 1))
    query = "&".join(
        part for part in parsed.query.split("&") if part and part.split("=")[0] != "sharded"
    )
    return parsed._replace(query=query).geturl()


def redis_url_problem(url: str) -> str | None:
    """What is wrong with a ``redis://host:port/db`` URL, said before anything dials it:
    redis-py takes ``/abc`` for database 0 and fails deep inside on a port out of range."""
    if url.split(":", 1)[0].lower() == "unix":
        return None
    parsed = urlsplit(_redis_py_url(url))
    try:
        parsed.port  # noqa: B018 (it raises on a port that is not one)
    except ValueError:
        return f"the port in {parsed.netloc!r} is not a port number (0-65535)"
    db = parsed.path.strip("/")
    if db and not db.isdigit():
        return f"the database is a number (redis://host:port/0), not {db!r}"
    try:
        from redis.connection import parse_url
    except ImportError:
        return None  # connect() says what to install
    try:
        parse_url(parsed.geturl())  # type: ignore[no-untyped-call]
    except ValueError as exc:
        return str(exc)
    return None


def _stream_order(entry: str) -> tuple[int, int]:
    """A Stream entry id (``1700000000000-3``) as the pair it is ordered by."""
    ms, _, seq = entry.partition("-")
    return int(ms), int(seq or 0)


def _keys(sid: str) -> tuple[str, str, str, str]:
    base = f"wt:{{{sid}}}:"
    return base + "m", base + "r", base + "p", base + "d"


class RedisStore(Store):
    durable = True
    kind = "redis"

    def __init__(self, url: str) -> None:
        problem = redis_url_problem(url)
        if problem is not None:
            raise StoreError(url, problem)
        super().__init__(url)
        self.redis: Any = None
        self.node = secrets.token_hex(6)
        self._entries: dict[str, str] = {}  # job id -> its stream entry id (claimed here)
        self._since: dict[str, float] = {}  # loaded session -> when it last heard anything
        self._refreshed_at = 0.0
        self._reclaimed_at = -1e18
        self.lease_ms = LEASE_MS
        self.alive_ms = ALIVE_MS
        self._alive_at = -1e18  # when this node last said it is alive (its claims' clock)
        self._pipe: Pipe | None = None  # the batch writer (resp.py)
        self._mine: dict[str, Job] = {}  # jobs queued here, by id, until claimed back
        self._lost_replies = False  # Redis failed since the last look at our own entries

    @property
    def ttl_ms(self) -> int:
        return int(max(self.settings.session_ttl_ms, self.settings.replay_ms) * 2 + 10_000)

    async def _open(self) -> None:
        self.redis = connect(self.url)
        try:
            await self._adopt_epoch()
            try:
                await self.redis.xgroup_create(JOBS, GROUP, id="0", mkstream=True)
            except Exception as exc:
                if "BUSYGROUP" not in str(exc):
                    raise
        except StoreError:
            raise
        except Exception as exc:
            await self.redis.aclose()
            raise StoreError(self.url, f"cannot reach Redis: {type(exc).__name__}: {exc}") from None

    async def _adopt_epoch(self) -> None:
        """The shared epoch; drawn anew when Redis lost it (and with it every session)."""
        await self.redis.set(EPOCH, str(secrets.randbelow(2**31 - 1) + 1), nx=True)
        epoch = int(await self.redis.get(EPOCH))
        if self.epoch and epoch != self.epoch:
            self._sessions.clear()  # their history is gone: resumes get resumed: false
            if self.on_lost is not None:
                self.on_lost()
        self.epoch = epoch

    async def _close(self) -> None:
        if self._pipe is not None:
            await self._pipe.close()
        if self.redis is not None:
            await self.redis.aclose()

    def _recovered(self) -> None:
        super()._recovered()
        asyncio.get_running_loop().create_task(self._check_epoch())

    async def _check_epoch(self) -> None:
        try:
            await self._adopt_epoch()
        except Exception as exc:
            self._unhealthy(exc)

    # --- writing --------------------------------------------------------------------------

    async def _write(self, ops: list[Op]) -> None:
        """One ``MULTI`` ... ``EXEC`` for the batch (``resp.Pipe``): its commands in the
        order queued, handled jobs acknowledged and deleted in two commands, and the TTL of
        every key the batch touched refreshed once."""
        commands: list[tuple[Any, ...]] = []
        touched: set[str] = set()
        done: list[str] = []  # stream entries of the jobs handled here
        for op in ops:
            _WRITERS[op[0]](self, commands, op, touched, done)
        if done:
            commands.append(("XACK", JOBS, GROUP, *done))
            commands.append(("XDEL", JOBS, *done))
        ttl = self.ttl_ms
        commands.extend(("PEXPIRE", key, ttl) for key in touched)
        if self._pipe is None:
            self._pipe = Pipe(self.url)
        replies = await self._pipe.execute(commands)
        for op in ops:  # acknowledged now: the claim may hand the entry out no more
            if op[0] in _SETTLING:
                self._entries.pop((op[1].job if op[0] == "bury" else op[1]).id, None)
        refused = [r for r in replies if isinstance(r, Exception)]
        if refused:  # one refused command; the rest went through
            self.count("store_refused", len(refused))
            log.warning("store %s refused %d write(s): %s", self.url, len(refused), refused[0])

    def _meta(self, out: Commands, op: Op, touched: set[str], done: list[str]) -> None:
        meta = json.loads(op[2])
        meta["saved_at"] = time.time() * 1000
        text = json.dumps(meta, separators=(",", ":"))
        out.append(("SET", _keys(op[1])[0], text, "PX", self.ttl_ms))

    def _frame(self, out: Commands, op: Op, touched: set[str], done: list[str]) -> None:
        _, sid, seq, frame, at, expires = op
        key = _keys(sid)[1]
        size = max(self.settings.replay_size, 1)
        out.append(("XADD", key, "MAXLEN", "~", size, f"{seq}-1", "f", frame, "a", at,
                    "e", "" if expires is None else expires))  # fmt: skip
        touched.add(key)

    def _pending(self, out: Commands, op: Op, touched: set[str], done: list[str]) -> None:
        _, sid, body, prio, expires = op
        key = _keys(sid)[2]
        out.append(("RPUSH", key, json.dumps([body, prio, expires], separators=(",", ":"))))
        touched.add(key)

    def _taken(self, out: Commands, op: Op, touched: set[str], done: list[str]) -> None:
        out.append(("DEL", _keys(op[1])[2]))

    def _answer(self, out: Commands, op: Op, touched: set[str], done: list[str]) -> None:
        _, sid, message_id, answer, at = op
        key = _keys(sid)[3]
        size = max(self.settings.dedupe_size, 1)
        out.append(("XADD", key, "MAXLEN", "~", size, "*", "i", message_id, "x", answer, "a", at))
        touched.add(key)

    def _drop(self, out: Commands, op: Op, touched: set[str], done: list[str]) -> None:
        out.append(("DEL", *_keys(op[1])))

    def _job(self, out: Commands, op: Op, touched: set[str], done: list[str]) -> None:
        job: Job = op[1]
        if job.model is not None:  # taken back by this node's claim without decoding it
            self._mine[job.id] = job
            if len(self._mine) > MINE_MAX:  # taken by other nodes: forget the oldest
                del self._mine[next(iter(self._mine))]
        out.append(("XADD", JOBS, "*", "j", job.to_json(), "i", job.id))

    def _finish(self, out: Commands, op: Op, touched: set[str], done: list[str]) -> None:
        entry = self._entries.get(op[1].id)  # forgotten once written (a retry acks it too)
        if entry is not None:
            done.append(entry)

    def _unreadable(self, out: Commands, op: Op, touched: set[str], done: list[str]) -> None:
        out.append(("XACK", JOBS, GROUP, op[1]))

    def _retry(self, out: Commands, op: Op, touched: set[str], done: list[str]) -> None:
        job: Job = op[1]
        out.append(("ZADD", RETRY, job.next_at, job.to_json()))
        self._finish(out, op, touched, done)

    def _bury(self, out: Commands, op: Op, touched: set[str], done: list[str]) -> None:
        dead: DeadLetter = op[1]
        record = {"job": dead.job.to_json(), "error": dead.error, "failed_at": dead.failed_at}
        out.append(("HSET", DEAD, dead.job.id, json.dumps(record)))
        self._finish(out, ("finish", dead.job), touched, done)

    def _revive(self, out: Commands, op: Op, touched: set[str], done: list[str]) -> None:
        out.append(("HDEL", DEAD, op[1].id))
        out.append(("XADD", JOBS, "*", "j", op[1].to_json(), "i", op[1].id))

    def _discard(self, out: Commands, op: Op, touched: set[str], done: list[str]) -> None:
        out.append(("HDEL", DEAD, op[1]))

    # --- sessions -------------------------------------------------------------------------

    async def _load(self, session_id: str, now: float | None) -> Session | None:
        now = time.time() * 1000 if now is None else now
        meta_key, replay_key, pending_key, seen_key = _keys(session_id)
        try:
            pipe = self.redis.pipeline(transaction=False)
            pipe.get(meta_key)
            pipe.xrange(replay_key)
            pipe.lrange(pending_key, 0, -1)
            pipe.xrevrange(seen_key, count=max(self.settings.dedupe_size, 1))
            meta, frames, pending, answers = await pipe.execute()
        except Exception as exc:
            self._unhealthy(exc)
            return None
        if meta is None:
            return None
        replayed = [
            (int(entry.split("-")[0]), f["f"], float(f["a"]), float(f["e"]) if f["e"] else None)
            for entry, f in frames
        ]
        waiting = [tuple(json.loads(p)) for p in pending]
        seen = [(f["i"], f["x"], float(f["a"])) for _, f in answers]
        session = rebuild(
            session_id,
            meta,
            replayed,
            waiting,
            seen,
            self.settings,
            now,
        )
        if session is None or session.epoch != self.epoch:
            return None
        heard = [float(json.loads(meta).get("saved_at", 0))] + [f[2] for f in replayed]
        self._since[session_id] = max(heard)
        return session

    keeps_topics = True

    def published(self, topic: str, payload: str) -> None:
        self._queue(("topic", topic, payload))

    def _topic(self, out: Commands, op: Op, touched: set[str], done: list[str]) -> None:
        key = _topic_log(op[1])
        out.append(("XADD", key, "MAXLEN", "~", TOPIC_LOG_SIZE, "*", "m", op[2]))
        touched.add(key)

    async def missed(self, topics: list[str], since_ms: float) -> list[tuple[str, str]]:
        """What was published to ``topics`` since ``since_ms`` (Redis's clock), oldest first."""
        if not topics:
            return []
        try:
            pipe = self.redis.pipeline(transaction=False)
            for topic in topics:
                pipe.xrange(_topic_log(topic), min=f"{max(0, int(since_ms))}-0")
            found = await pipe.execute()
        except Exception as exc:
            self._unhealthy(exc)
            return []
        out = [
            (tuple(int(p) for p in entry.split("-")), topic, fields["m"])
            for topic, entries in zip(topics, found, strict=True)
            for entry, fields in entries
        ]
        out.sort()
        return [(topic, payload) for _, topic, payload in out]

    def since(self, session_id: str) -> float | None:
        """When a session read back from Redis last heard anything (its newest frame or its
        last save): messages of its topics published after that may have been missed."""
        return self._since.pop(session_id, None)

    async def expire(self, now: float, ttl_ms: float) -> list[Session]:
        gone = await super().expire(now, ttl_ms)
        if now - self._refreshed_at >= REFRESH_EVERY_MS and self.healthy:
            self._refreshed_at = now
            await self._refresh()
        if self._writing is None:
            await self._probe()
        return gone

    async def _probe(self) -> None:
        """Called by the sweep (every ``sweep_ms``) while no write is under way: an idle
        node also notices Redis going away, and coming back."""
        try:
            await self.redis.ping()
        except Exception as exc:
            self._unhealthy(exc)
            return
        if not self.healthy:
            self._recovered()

    async def _refresh(self) -> None:
        """Keep the keys of the sessions this node holds from expiring."""
        attached = [s.id for s in self._sessions.values() if s.detached_at is None]
        if not attached:
            return
        pipe = self.redis.pipeline(transaction=False)
        for sid in attached:
            for key in _keys(sid):
                pipe.pexpire(key, self.ttl_ms)
        try:
            await pipe.execute()
        except Exception as exc:
            self._unhealthy(exc)

    # --- the durable queue ----------------------------------------------------------------

    async def claim(self, limit: int, now: float) -> list[Job]:
        try:
            await self._move_due_retries(now)
            reply = await self.redis.xreadgroup(
                GROUP, self.node, {JOBS: ">"}, count=limit, block=None
            )
            entries = list(reply[0][1]) if reply else []
            if await self._said_alive(now):
                entries += await self._orphans(limit)
            if self._lost_replies:
                entries += await self._own_pending(limit)
            if now - self._reclaimed_at >= self.lease_ms / 4:
                self._reclaimed_at = now
                taken = await self.redis.xautoclaim(
                    JOBS, GROUP, self.node, min_idle_time=int(self.lease_ms), count=limit
                )
                held = set(self._entries.values())
                entries = list(entries) + [e for e in taken[1] if e[0] not in held]
        except Exception as exc:
            self._unhealthy(exc)
            return []
        if not self.healthy:  # an idle node learns that Redis is back from its claims
            self._recovered()
        # in the order queued: what a lost reply, a gone node or the lease left behind is
        # older than what this read took, and a session's jobs run in order
        entries = sorted(entries, key=lambda e: _stream_order(e[0]))
        out = []
        for entry, fields in entries:
            if not fields:
                continue
            job = self._mine.pop(fields.get("i", ""), None) or Job.read(fields.get("j"))
            if job is None:  # acknowledged, so no node takes it over again; kept in the Stream
                self.unreadable(f"{JOBS} entry {entry}")
                self._queue(("unreadable", entry))
                continue
            if self._entries.get(job.id) == entry and job in out:
                continue
            self._entries[job.id] = entry
            out.append(job)
        out.sort(key=lambda j: j.prio)
        return out

    async def keep_alive(self, now: float) -> None:
        try:
            await self._said_alive(now)
        except Exception as exc:
            self._unhealthy(exc)

    async def _said_alive(self, now: float) -> bool:
        """Refresh this node's ``ALIVE`` key when a fifth of its life has passed; whether it
        did (then it is time to look for gone nodes' jobs too)."""
        if 0 <= now - self._alive_at < self.alive_ms / 5:
            return False
        await self.redis.set(ALIVE + self.node, "1", px=int(self.alive_ms))
        self._alive_at = now
        return True

    def _unhealthy(self, exc: BaseException) -> None:
        super()._unhealthy(exc)
        # a claim whose reply was lost left its jobs delivered to this node in Redis
        self._lost_replies = True

    async def _orphans(self, limit: int) -> list[Any]:
        """What nodes that are gone (their ``ALIVE`` key expired: killed with ``kill -9``, or
        stopped) were handling: taken over now, not after ``lease_ms``, so that a restarted
        or surviving node runs every acked job within ``alive_ms``."""
        consumers = await self.redis.xinfo_consumers(JOBS, GROUP)
        names = [c["name"] for c in consumers if c["name"] != self.node and int(c["pending"])]
        if not names:
            return []
        flags = await self.redis.mget([ALIVE + name for name in names])
        taken: list[Any] = []
        for name, flag in zip(names, flags, strict=True):
            if flag is not None or len(taken) >= limit:
                continue
            heir = await self.redis.set(HEIR + name, self.node, nx=True, px=int(self.alive_ms))
            if not heir and await self.redis.get(HEIR + name) != self.node:
                continue  # another node is taking this one's jobs over
            pending = await self.redis.xpending_range(
                JOBS, GROUP, min="-", max="+", count=limit, consumername=name
            )
            ids = [each["message_id"] for each in pending]
            if ids:
                taken += await self.redis.xclaim(
                    JOBS, GROUP, self.node, min_idle_time=0, message_ids=ids
                )
        held = set(self._entries.values())
        return [entry for entry in taken if entry[0] not in held]

    async def _own_pending(self, limit: int) -> list[Any]:
        """The entries delivered to this node that it does not hold: what a claim whose
        reply was lost (Redis going away, a broken link) took, which no other node takes
        over before the lease runs out (``XREADGROUP`` from id 0: this consumer's own)."""
        held = set(self._entries.values())
        reply = await self.redis.xreadgroup(
            GROUP, self.node, {JOBS: "0"}, count=limit + len(held), block=None
        )
        self._lost_replies = False
        return [e for e in (reply[0][1] if reply else []) if e[0] not in held]

    async def _move_due_retries(self, now: float) -> None:
        due = await self.redis.zrangebyscore(RETRY, "-inf", now, start=0, num=256)
        if not due:
            return
        pipe = self.redis.pipeline(transaction=True)
        for text in due:
            pipe.zrem(RETRY, text)
        removed = await pipe.execute()
        pipe = self.redis.pipeline(transaction=True)
        for text, gone in zip(due, removed, strict=True):
            if gone:  # this node took it out: it puts it back in the queue
                pipe.xadd(JOBS, {"j": text})
        await pipe.execute()

    async def dead_letters(self, limit: int = 1000) -> list[DeadLetter]:
        records = await self.redis.hgetall(DEAD)
        out = [_dead(text) for text in records.values()]
        return sorted(out, key=lambda d: d.failed_at)[:limit]

    async def dead_letter(self, job_id: str) -> DeadLetter | None:
        text = await self.redis.hget(DEAD, job_id)
        return None if text is None else _dead(text)

    async def queued_jobs(self) -> int:
        return int(await self.redis.xlen(JOBS)) + int(await self.redis.zcard(RETRY))


def _topic_log(topic: str) -> str:
    return f"wt:{{t:{topic}}}:log"


def _dead(text: str) -> DeadLetter:
    record = json.loads(text)
    return DeadLetter(Job.from_json(record["job"]), record["error"], float(record["failed_at"]))


_SETTLING = frozenset({"finish", "retry", "bury"})  # ops that acknowledge a claimed job
_WRITERS = {
    "meta": RedisStore._meta,
    "frame": RedisStore._frame,
    "pending": RedisStore._pending,
    "taken": RedisStore._taken,
    "answer": RedisStore._answer,
    "drop": RedisStore._drop,
    "job": RedisStore._job,
    "finish": RedisStore._finish,
    "retry": RedisStore._retry,
    "bury": RedisStore._bury,
    "revive": RedisStore._revive,
    "discard": RedisStore._discard,
    "prune": lambda *args: None,  # Redis trims by MAXLEN and TTL
    "unreadable": RedisStore._unreadable,
    "topic": RedisStore._topic,
}
