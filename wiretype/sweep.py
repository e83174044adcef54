"""The sweep: ONE task per server for every periodic job, never a timer per connection.

A heap holds each connection's next deadline (``ServerConnection.next_deadline``: ping due,
liveness, hello timeout, ack retries); the sweep ticks the due ones, writes what waited on
congested connections whose transport has room again, and expires sessions every
``sweep_ms``. A connection whose deadline moved later is re-filed when its old one comes
due; entries name links by number, so a link that ended is not held by the heap.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
from typing import TYPE_CHECKING

from . import _common

if TYPE_CHECKING:
    from .context import Link
    from .hub import Hub

__all__ = ["CONGESTED_RECHECK_MS", "Sweep"]

CONGESTED_RECHECK_MS = 10.0  # how often the sweep looks at a congested connection


class Sweep:
    def __init__(self, hub: Hub, every_ms: float) -> None:
        self._hub = hub
        self.every_ms = every_ms
        # (deadline, link number): a link that is gone is not kept alive by its old entries
        self._heap: list[tuple[float, int]] = []
        self.congested: set[Link] = set()
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None

    def start(self) -> None:
        """Start the sweep in the running loop (once; a no-op when it runs)."""
        if self._task is None:
            self._wake = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def wake(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def schedule(self, link: Link) -> None:
        deadline = link.conn.next_deadline()
        if deadline is None or (link.scheduled is not None and link.scheduled <= deadline):
            return
        link.scheduled = deadline
        heap = self._heap
        heapq.heappush(heap, (deadline, link.number))
        if heap[0][1] == link.number:
            self.wake()

    def congest(self, link: Link) -> None:
        self.congested.add(link)
        self.wake()

    async def _run(self) -> None:
        assert self._wake is not None
        next_expiry = 0.0
        while True:
            now = _common.now_ms()
            self._tick_due(now)
            if len(self._heap) > 2 * len(self._hub.links) + 1024:
                self._compact()
            if self.congested:
                self._relieve(now)
            if now >= next_expiry:
                next_expiry = now + self.every_ms
                await self._hub.expire_sessions(now)
            heap = self._heap
            wait = min(heap[0][0] - now if heap else self.every_ms, self.every_ms)
            if self.congested:
                wait = min(wait, CONGESTED_RECHECK_MS)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(wait, 1.0) / 1000):
                    await self._wake.wait()

    def _compact(self) -> None:
        """Drop the entries of links that ended or were re-filed (churn leaves many)."""
        links = self._hub.links
        self._heap = [
            (deadline, number)
            for deadline, number in self._heap
            if number in links and links[number].scheduled == deadline
        ]
        heapq.heapify(self._heap)

    def _tick_due(self, now: float) -> None:
        heap, links = self._heap, self._hub.links
        while heap and heap[0][0] <= now:
            deadline, number = heapq.heappop(heap)
            link = links.get(number)
            if link is None or link.scheduled != deadline:
                continue
            link.scheduled = None
            beat, ctx = link.conn.heartbeat, link.context
            if beat is not None and ctx is not None and ctx._event is not None:
                # a handler of this link is running: its frames (pongs too) wait unread behind
                # it, so silence says nothing about the client until it returns
                beat.heard(now)
            link.conn.tick(now)
            self._hub.pump_sync(link)

    def _relieve(self, now: float) -> None:
        """Write what waited on congested connections whose transport has room again."""
        hub = self._hub
        low = hub.high_water // 2
        for link in list(self.congested):
            if link.number not in hub.links or not link.conn.congested:
                self.congested.discard(link)
                continue
            buffered = link.transport.buffered()
            if buffered <= low:
                link.conn.decongest(now, hub.high_water - buffered)
                if not link.conn.congested:
                    self.congested.discard(link)
                hub.pump_sync(link)
