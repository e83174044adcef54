"""Durable handlers: ``@server.on(type, durable=True)``.

A message for a durable handler is stored (a ``Job`` in the store's queue), then acked (the
ack leaves once the job is durable: see ``writeahead.py``), then handled by workers: a
claimer takes due jobs from the store in batches and hands each to one of
``durable_concurrency`` lanes, chosen by session, so that one session's jobs run in order. A
handler that raises is retried with full-jitter backoff up to ``max_attempts`` (default 5),
then moved to the dead letters with its error; ``Reject`` dead-letters it at once (retrying
a refusal cannot help). Jobs past their ``ttl`` are dropped and counted, never run late.
After a crash the store hands the unfinished jobs out again: at least once; the dedupe
window makes a retried send one job.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import json
import logging
import random
import secrets
from collections import deque
from typing import TYPE_CHECKING, Any

from . import _common
from .errors import Reject
from .protocol.backoff import full_jitter
from .store.records import Job, principal_key

if TYPE_CHECKING:
    from .context import Context, Handler
    from .hub import Hub

__all__ = ["DEFAULT_MAX_ATTEMPTS", "Durable", "DurableContext", "DurableRoute"]

log = logging.getLogger("wiretype")
DEFAULT_MAX_ATTEMPTS = 5
BATCH = 1024  # jobs per claim: a read of a fast client holds ~900 frames
IDLE_POLL_S = 0.25


class DurableRoute:
    __slots__ = ("handler", "max_attempts", "type", "version")

    def __init__(self, name: str, handler: Handler, version: int, max_attempts: int) -> None:
        self.type = name
        self.handler = handler
        self.version = version
        self.max_attempts = max_attempts


class Durable:
    def __init__(self, hub: Hub, concurrency: int = 8) -> None:
        self._hub = hub
        self.routes: dict[str, DurableRoute] = {}
        self.concurrency = max(1, concurrency)
        self.backoff_min_ms = 500.0
        self.backoff_max_ms = 60_000.0
        self._rng = random.Random()
        self._lanes: list[_Lane] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._wake: asyncio.Event | None = None
        self.running = 0  # jobs being handled now
        self._prefix = secrets.token_hex(6)
        self._ids = itertools.count(1)

    # --- taking messages in ---------------------------------------------------------------

    def accept(self, ctx: Context, route: DurableRoute, data: Any) -> None:
        """The route's stand-in handler: store the message as a job. It returns at once, so
        the message is acked, and the ack leaves once the job is durable."""
        hub = self._hub
        link = ctx._link
        event = ctx._event
        assert event is not None
        if not hub.store.healthy:
            raise Reject(
                "overloaded",
                "the store is unreachable; retry later",
                retry_after_ms=hub.settings.retry_after_ms,
            )
        if type(data).__wire_version__ != route.version:
            data = hub.app.convert(data, route.version)
        header = event.header
        session = link.conn.session
        now = _common.now_ms()
        hub.store.enqueue(
            Job.fresh(
                f"{self._prefix}-{next(self._ids)}",
                header.type,
                route.version,
                hub.app.dump_json(data),
                session.id if session is not None else "",
                header.id,
                "null" if link.principal is None else principal_key(link.principal),
                link.conn.client,
                now,
                header.prio if header.prio is not None else 4,
                header.expires_at() if header.ttl is not None else None,
                data,
            )
        )
        hub.count("durable_stored")

    # --- workers --------------------------------------------------------------------------

    def start(self) -> None:
        if self._tasks or not self.routes:
            return
        loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._hub.store.on_jobs = self.wake
        self._lanes = [_Lane() for _ in range(self.concurrency)]
        self._tasks = [loop.create_task(self._lane(lane)) for lane in self._lanes]
        self._tasks.append(loop.create_task(self._claimer()))

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def wake(self) -> None:
        if self._wake is not None:
            self._wake.set()

    @property
    def waiting(self) -> int:
        return sum(len(lane.jobs) for lane in self._lanes)

    async def _claimer(self) -> None:
        assert self._wake is not None
        store = self._hub.store
        lanes = self._lanes
        while True:
            self._wake.clear()
            backlog = self.waiting
            if backlog < BATCH * 4:
                jobs = await store.claim(BATCH, _common.now_ms())
            else:  # enough to do: claim nothing, but keep what is claimed (see keep_alive)
                jobs = []
                await store.keep_alive(_common.now_ms())
            session, lane = None, lanes[0]
            for job in jobs:  # a session's jobs all go to one lane (in order)
                if job.session != session:
                    session = job.session
                    lane = lanes[hash(session) % len(lanes)]
                lane.jobs.append(job)
            if jobs:
                for lane in lanes:
                    if lane.jobs:
                        lane.ready.set()
            if len(jobs) < BATCH:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(IDLE_POLL_S):
                        await self._wake.wait()
            else:
                await asyncio.sleep(0)

    async def _lane(self, lane: _Lane) -> None:
        jobs, ready = lane.jobs, lane.ready
        hub = self._hub
        while True:
            if not jobs:
                ready.clear()
                await ready.wait()
                continue
            job = jobs.popleft()
            self.running += 1
            try:  # _run, inline: no coroutine of its own per job
                route, model = self._prepare(job)
                if route is not None:
                    try:
                        await route.handler(model, DurableContext(hub, job))  # type: ignore[arg-type]
                    except Exception as exc:
                        self._raised(route, job, exc)
                    else:
                        hub.store.finish(job)
                        hub.count("durable_handled")
            except Exception:  # a bug here must not stop the lane
                log.exception("durable job %s failed outside its handler", job.id)
            finally:
                self.running -= 1

    def _prepare(self, job: Job) -> tuple[DurableRoute | None, Any]:
        """The job's route and message, or (None, None) once it is settled here: no route
        (dead letter), expired (dropped), or a stored message that cannot be read."""
        hub = self._hub
        store = hub.store
        route = self.routes.get(job.type)
        if route is None:
            store.bury(job, f"no durable handler for {job.type}", _common.now_ms())
            hub.count("durable_dead")
            return None, None
        if job.expires_at is not None and job.expires_at <= _common.now_ms():
            store.finish(job)
            hub.count("dropped_expired")
            return None, None
        model = job.model
        if model is None:  # a retry, or read back from the store: decode what it kept
            try:
                model = hub.app.decode_data_json(job.type, job.version, job.data)
            except Exception as exc:
                error = f"cannot read the stored message: {exc}"[:2000]
                store.bury(job, error, _common.now_ms())
                hub.count("durable_dead")
                return None, None
        return route, model

    def _raised(self, route: DurableRoute, job: Job, exc: Exception) -> None:
        if isinstance(exc, Reject):  # retrying a refusal cannot help
            now = _common.now_ms()
            self._hub.store.bury(job.failed(f"rejected: {exc}", now), f"Reject: {exc}"[:2000], now)
            self._hub.count("durable_dead")
        else:
            self._failed(route, job, exc)

    def _failed(self, route: DurableRoute, job: Job, exc: Exception) -> None:
        store = self._hub.store
        now = _common.now_ms()
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if job.attempts + 1 >= route.max_attempts:
            log.error(
                "durable handler of %s failed for good (job %s)", job.type, job.id, exc_info=exc
            )
            store.bury(job.failed(error, now), error, now)
            self._hub.count("durable_dead")
            return
        log.warning("durable handler of %s failed (job %s): %s", job.type, job.id, error)
        delay = full_jitter(job.attempts, self.backoff_min_ms, self.backoff_max_ms, self._rng)
        store.retry(job.failed(error, now + delay))
        self._hub.count("durable_retried")
        loop = asyncio.get_running_loop()
        loop.call_later(delay / 1000 + 0.01, self.wake)


class _Lane:
    """One worker's jobs, in order (a session's jobs all go to one lane), and the event that
    wakes it when the claimer adds some."""

    __slots__ = ("jobs", "ready")

    def __init__(self) -> None:
        self.jobs: deque[Job] = deque()
        self.ready = asyncio.Event()


class DurableContext:
    """What a durable handler sees: the stored message's session, sender and attempt. It may
    run after its connection is gone (or on another node): ``send`` reaches the session
    wherever it is, or waits for it (replay) while its client is away."""

    __slots__ = ("_hub", "_sent", "job")

    def __init__(self, hub: Hub, job: Job) -> None:
        self._hub = hub
        self.job = job
        self._sent = 0  # messages this run sent or published: the ordinal in their ids

    def _next_id(self) -> str:
        """The id of this run's next message: the job's id and the message's place in the run,
        hashed, so a run after a crash or a failure sends its messages under the ids the
        first run used, and a client that got them then drops the repeats (its dedupe)."""
        self._sent += 1
        key = f"{self.job.id}\0{self._sent}".encode()
        return "j" + hashlib.blake2b(key, digest_size=12).hexdigest()

    @property
    def session_id(self) -> str:
        return self.job.session

    @property
    def message_id(self) -> str:
        return self.job.message_id

    @property
    def attempt(self) -> int:
        """1 for the first run, 2 for the first retry, ..."""
        return self.job.attempts + 1

    @property
    def client(self) -> str:
        return self.job.client

    @property
    def principal(self) -> Any:
        try:
            return json.loads(self.job.principal)
        except ValueError:
            return None

    async def send(
        self, model: Any, *, ack: bool = False, prio: int = 4, ttl: int | None = None
    ) -> str | None:
        return await self._hub.send_to_session(
            self.job.session, model, prio=prio, ttl=ttl, ident=self._next_id()
        )

    async def publish(
        self, topic: str, model: Any, *, prio: int = 4, ttl: int | None = None
    ) -> int:
        return await self._hub.publish(topic, model, prio=prio, ttl=ttl, ident=self._next_id())
