"""``ClientPool(proto, urls, size=N)``: a backend service's connections to a WebSocket API.

Up to ``size`` ``Client`` connections, opened lazily (the first send opens one; another is
opened in the background whenever every open one is busy), each send going to the least
busy open connection. A connection that ends for good (a final close code) is replaced in
the background; one that is reconnecting is skipped meanwhile. An acked send whose
connection drops before its ack is taken back from it and sent again, under the same id, on
another connection (at least once: the first may have been handled just before the drop).
``status()`` gives the figures for metrics: ``size``, ``open``, ``busy``, ``waiting``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from types import ModuleType, TracebackType
from typing import Any

from .client import Client, check_url
from .errors import ConfigurationError, SendFailed
from .protocol import envelope as env
from .protocol.package import Package

__all__ = ["ClientPool"]


class ClientPool:
    def __init__(
        self,
        proto: ModuleType | Package,
        urls: Iterable[str] | str,
        *,
        size: int = 4,
        name: str = "pool",
        **client_options: Any,
    ) -> None:
        self.urls = [urls] if isinstance(urls, str) else list(urls)
        if not self.urls or not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise ConfigurationError("ClientPool needs urls and a size of 1 or more")
        for url in self.urls:
            check_url(url)
        # the first connection, built now: options a Client refuses are refused here, not in
        # a background task while send waits for a connection that never comes
        self._spare: Client | None = Client(proto, urls=self.urls, name=name, **client_options)
        self.proto = proto
        self.size = size
        self.name = name
        self.options = client_options
        self.clients: list[Client] = []
        self.waiting = 0  # sends waiting for an open connection
        self.resent = 0  # acked sends moved to another connection after a drop
        self.replaced = 0
        self._opening: set[asyncio.Task[None]] = set()
        self._dropped: dict[int, asyncio.Event] = {}
        self._closed = False

    async def __aenter__(self) -> ClientPool:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def status(self) -> dict[str, int]:
        open_ = [c for c in self.clients if c.state == "open"]
        return {
            "size": self.size,
            "connections": len(self.clients),
            "open": len(open_),
            "busy": sum(1 for c in open_ if c.in_flight),
            "in_flight": sum(c.in_flight for c in self.clients),
            "waiting": self.waiting,
        }

    async def close(self) -> None:
        self._closed = True
        spare, self._spare = self._spare, None
        if spare is not None:  # never started: only its queue file (if any) to let go
            with contextlib.suppress(Exception):
                await spare.close()
        for task in list(self._opening):
            task.cancel()
        for client in self.clients:
            with contextlib.suppress(Exception):
                await client.close()
        self.clients = []

    # --- connections ----------------------------------------------------------------------

    def _grow(self) -> None:
        if self._closed or len(self.clients) + len(self._opening) >= self.size:
            return
        task = asyncio.get_running_loop().create_task(self._open_one())
        self._opening.add(task)
        task.add_done_callback(self._opening.discard)

    async def _open_one(self) -> None:
        client, self._spare = self._spare, None
        if client is None:
            client = Client(self.proto, urls=self.urls, name=self.name, **self.options)
        dropped = asyncio.Event()
        self._dropped[id(client)] = dropped

        def changed(state: str) -> None:
            if state != "open":
                dropped.set()
            if state == "closed" and not self._closed:
                self._replace(client)

        client.on_status(changed)
        self.clients.append(client)
        await client.start()

    def _replace(self, client: Client) -> None:
        if client in self.clients:
            self.clients.remove(client)
            self._dropped.pop(id(client), None)
            self.replaced += 1
            self._grow()

    async def _pick(self) -> Client:
        """The least busy open connection (opening more while all are busy)."""
        self.waiting += 1
        try:
            while True:
                open_ = [c for c in self.clients if c.state == "open"]
                if open_ and min(c.in_flight for c in open_) == 0:
                    return min(open_, key=lambda c: c.in_flight)
                self._grow()  # every open one is busy (or none is open): one more, if room
                opening = bool(self._opening) or any(c.state == "connecting" for c in self.clients)
                if open_ and not opening:  # all busy and no more coming: the least busy
                    return min(open_, key=lambda c: c.in_flight)
                if self._closed:
                    raise SendFailed("", "closed", "the pool is closed")
                await asyncio.sleep(0.01)
        finally:
            self.waiting -= 1

    # --- sending --------------------------------------------------------------------------

    async def send(
        self,
        model: Any,
        *,
        ack: bool = False,
        prio: int = env.DEFAULT_PRIO,
        ttl: int | None = None,
        attempts: int | None = None,
    ) -> str | None:
        """Send on the least busy connection; with ``ack=True`` return once acked, moving
        the message to another connection (same id) when its own drops first."""
        ident: str | None = None
        for _ in range(attempts or self.size + 2):
            client = await self._pick()
            if not ack:
                return await client.send(model, prio=prio, ttl=ttl)
            dropped = self._dropped.get(id(client))
            if dropped is not None:
                dropped.clear()
            ident = ident or client.core.new_id()
            sending = asyncio.ensure_future(
                client.send(model, ack=True, prio=prio, ttl=ttl, message_id=ident)
            )
            watch = asyncio.ensure_future(dropped.wait()) if dropped else None
            done, _ = await asyncio.wait(
                {sending, *([watch] if watch else [])}, return_when=asyncio.FIRST_COMPLETED
            )
            if watch is not None:
                watch.cancel()
            if sending in done:
                return sending.result()
            client.withdraw(ident)
            with contextlib.suppress(asyncio.CancelledError, SendFailed):
                await sending
            self.resent += 1
        raise SendFailed(ident or "", "closed", "every connection dropped before the ack")
