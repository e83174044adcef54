"""Group commit, shared by every store: writes are queued as plain tuples and written in
batches, one at a time; everything queued while a batch is being written forms the next
one (one SQLite transaction, one Redis round trip), whatever its size.

Batches are numbered as they are cut. ``next_batch`` is the number of the batch that holds
what was queued so far, ``synced_through`` the last one that is durable: the write-ahead
hold (``writeahead.py``) keeps a connection's frames until the batch they follow is
durable, and one callback per batch releases every connection that waited for it. A write
that fails marks the store unreachable, releases every waiter (the node serves without
durability meanwhile, ``/healthz`` says degraded) and is retried with backoff until the
store is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

__all__ = ["GroupCommit", "Op"]

log = logging.getLogger("wiretype")
Op = tuple[Any, ...]  # (kind, *arguments): one queued write
EVERYTHING = 1 << 62  # synced_through while unreachable: nothing waits


class GroupCommit:
    """The write queue of a store; backends implement ``_write(ops)``."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.healthy = True
        self.problem = ""
        self.opened = False
        self.counters: dict[str, int] = {}
        self.on_jobs: Callable[[], None] | None = None  # new jobs are durable: wake workers
        self._ops: list[Op] = []
        self._cut = 0  # batches cut so far
        self._done = 0  # batches durable so far
        self._new_jobs = False  # a job was queued since the last cut
        self._waiters: list[tuple[int, Callable[[], None]]] = []
        self._writing: asyncio.Task[None] | None = None
        self._kick_pending = False

    def count(self, name: str, by: int = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + by

    # --- what waits for the writes ---------------------------------------------------------

    @property
    def unsynced(self) -> bool:
        return bool(self._ops) or self._done < self._cut

    @property
    def next_batch(self) -> int:
        """The number of the batch that holds every write queued so far."""
        return self._cut + (1 if self._ops else 0)

    @property
    def synced_through(self) -> int:
        """The last batch that is durable (everything, while the store is unreachable)."""
        return self._done if self.healthy else EVERYTHING

    def on_synced(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once every write queued so far is durable (at once when none
        waits, or while the store is unreachable: the node then serves without it)."""
        if not self.unsynced or not self.healthy:
            callback()
            return
        self._waiters.append((self.next_batch, callback))

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

    # --- queueing and writing --------------------------------------------------------------

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
                jobs, self._new_jobs = self._new_jobs, False
                self._cut += 1
                self.count("batches")
                self.count("batched_ops", self._writes_in(ops))
                await self._write_retrying(ops)
                self._done = self._cut
                self._release()
                if jobs and self.on_jobs is not None:
                    self.on_jobs()
        finally:
            self._writing = None

    async def stop_writing(self) -> None:
        """Stop the batch under way, which only runs at close while the store is unreachable
        (``sync`` waited for the others); what it held is not written."""
        task, self._writing = self._writing, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

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

    async def _write(self, ops: list[Op]) -> None:
        return None

    def _writes_in(self, ops: list[Op]) -> int:
        """How many writes ``ops`` holds (a backend may queue several as one op)."""
        return len(ops)

    def _release(self) -> None:
        if not self._waiters:
            return
        if not self.healthy:
            ready, self._waiters = self._waiters, []
        else:
            done = self._done
            ready = [w for w in self._waiters if w[0] <= done]
            self._waiters = [w for w in self._waiters if w[0] > done]
        for _, callback in ready:
            callback()

    # --- health ----------------------------------------------------------------------------

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
