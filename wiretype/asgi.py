"""``server.asgi()``: the server as an ASGI application, for uvicorn, Starlette and FastAPI.

The same hub (``hub.py``) as the ``websockets`` listener serves it: the same core, the same
admission (``admission.decide``: origins → 403, ``auth`` on the HTTP scope → 401/403, caps and
draining → 503 with ``Retry-After``), ``/healthz`` and ``/readyz`` over plain HTTP, and the
same sweep (started by the lifespan, or by the first connection when mounted inside another
app, whose lifespan does not reach it). Mount it as ``Mount("/ws", app=server.asgi())`` or
``WebSocketRoute("/ws", server.asgi())``.

ASGI's ``send`` is a coroutine and may wait for the socket, so frames go through a per-link
queue drained by a writer task that lives only while there is something to write; the bytes
in it are what ``max_buffer_bytes`` bounds (4499 past it).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from websockets.datastructures import Headers
from websockets.http11 import Request

from . import _common
from .admission import Verdict, decide
from .context import Link
from .hub import Hub

__all__ = ["AsgiApp", "AsgiTransport"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
_CLOSE = "websocket.close"


class AsgiTransport:
    """A link written through ASGI ``send``, in order, by a writer task started on demand."""

    __slots__ = (
        "_app_task",
        "_bytes",
        "_closing",
        "_queue",
        "_send",
        "_writer",
        "aborted",
        "code",
        "open",
        "reading",
    )

    def __init__(self, send: Send) -> None:
        self._send = send
        self._queue: deque[str | tuple[int, str]] = deque()
        self._bytes = 0
        self._writer: asyncio.Task[None] | None = None
        self._closing = False
        self._app_task = asyncio.current_task()
        self.open = True
        self.aborted = False
        self.reading = False  # the app task waits in receive(): safe to cancel
        self.code: int | None = None

    def write(self, frames: list[str]) -> int:
        """Queue the frames; return what earlier writes left unsent (frames just written
        count as in flight, as a socket's send buffer takes them at once)."""
        if not self.open or self._closing:
            return 0
        waiting = self._bytes
        self._queue.extend(frames)
        self._bytes += sum(map(len, frames))
        self._start_writer()
        return waiting

    def buffered(self) -> int:
        return self._bytes

    def _start_writer(self) -> None:
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._flush())

    async def _flush(self) -> None:
        send, queue = self._send, self._queue
        try:
            while queue:
                item = queue.popleft()
                if isinstance(item, str):
                    self._bytes -= len(item)
                    await send({"type": "websocket.send", "text": item})
                else:
                    code, reason = item
                    await send({"type": _CLOSE, "code": code, "reason": reason})
        except Exception:  # the peer is gone (the server's ClientDisconnected, OSError, ...)
            self._gone()
        finally:
            self._writer = None

    async def close(self, code: int, reason: str) -> None:
        if code == 4499:  # it does not read: what waits for it will never leave
            self.abort()
            return
        if not self.open or self._closing:
            return
        self._closing = True
        self.code = code
        self._queue.append((code, reason))
        self._start_writer()
        writer = self._writer
        if writer is not None:
            await asyncio.wait([writer])

    def abort(self) -> None:
        """Drop what waits and end the app's connection (the ASGI server closes the socket
        when the app returns)."""
        if self.aborted:
            return
        self.aborted = True
        self._gone()
        if self._writer is not None:
            self._writer.cancel()
        if self.reading and self._app_task is not None:
            self._app_task.cancel()

    def _gone(self) -> None:
        self.open = False
        self._queue.clear()
        self._bytes = 0

    def ended(self) -> tuple[int | None, bool]:
        by_client_1000 = self.code == 1000 and not self._closing and not self.aborted
        return (1006 if self.aborted else self.code), by_client_1000

    def disconnected(self, code: int | None) -> None:
        if self.code is None:
            self.code = code
        self.open = False


class AsgiApp:
    """An ASGI 3 application serving one ``Server``'s hub."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "websocket":
            await self._websocket(scope, receive, send)
        elif kind == "http":
            await self._http(scope, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    # --- plain HTTP: health checks --------------------------------------------------------

    async def _http(self, scope: Scope, send: Send) -> None:
        from .pages import answer  # health, /metrics, /connections

        request = _request_of(scope)
        query = request.path.partition("?")[2]
        target = _route_path(scope) + (f"?{query}" if query else "")
        verdict = await answer(self.hub, target, request.headers, own_port=True)
        if verdict is None:
            verdict = Verdict(426, "a WebSocket endpoint: upgrade to wiretype.v1")
        await _respond(send, "http.response", verdict)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.hub.start()
                except Exception as exc:
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.hub.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # --- the WebSocket ----------------------------------------------------------------------

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (await receive())["type"] != "websocket.connect":
            return
        ip = _ip_of(scope)
        verdict = await decide(self.hub, _request_of(scope), ip)
        if not verdict.admitted:
            if "websocket.http.response" in scope.get("extensions", {}):
                await _respond(send, "websocket.http.response", verdict)
            else:  # a close before the accept: the server answers 403
                await send({"type": _CLOSE, "code": 1008})
            return
        await self.hub.start()  # mounted inside another app: no lifespan reaches this one
        offered = scope.get("subprotocols") or ()
        subprotocol = _common.SUBPROTOCOL if _common.SUBPROTOCOL in offered else None
        await send({"type": "websocket.accept", "subprotocol": subprotocol})
        transport = AsgiTransport(send)
        link = self.hub.open(transport, ip, verdict.principal)
        try:
            await self._read(link, transport, receive)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if not transport.aborted or task is None:
                raise
            task.uncancel()  # our own abort (4499): end this connection, not the server
        finally:
            transport.disconnected(None)
            await self.hub.lost(link)

    async def _read(self, link: Link, transport: AsgiTransport, receive: Receive) -> None:
        feed = self.hub.feed
        while not transport.aborted:
            transport.reading = True
            try:
                message = await receive()
            finally:
                transport.reading = False
            kind = message["type"]
            if kind == "websocket.receive":
                text = message.get("text")
                frame = text if text is not None else message.get("bytes") or b""
                if not await feed(link, frame):
                    if transport.aborted:
                        return
                    await transport.close(link.conn.close_code or 1000, link.conn.close_reason)
                    await _until_disconnect(receive, transport)
                    return
            elif kind == "websocket.disconnect":
                transport.disconnected(message.get("code", 1005))
                return


async def _until_disconnect(receive: Receive, transport: AsgiTransport) -> None:
    """After our close: read until the server reports the link gone (bounded by its own
    close timeout)."""
    with contextlib.suppress(Exception):
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
    transport.disconnected(None)


async def _respond(send: Send, prefix: str, verdict: Verdict) -> None:
    assert verdict.status is not None
    headers = [(b"content-type", verdict.media_type().encode())]
    if verdict.retry_after is not None:
        headers.append((b"retry-after", str(verdict.retry_after).encode()))
    await send({"type": f"{prefix}.start", "status": verdict.status, "headers": headers})
    await send({"type": f"{prefix}.body", "body": verdict.body()})


def _route_path(scope: Scope) -> str:
    """The path inside this app (a ``Mount`` puts its prefix in ``root_path``)."""
    path = str(scope.get("path", ""))
    root = str(scope.get("root_path", ""))
    if root and path.startswith(root):
        path = path[len(root) :]
    return path or "/"


def _request_of(scope: Scope) -> Request:
    """The HTTP request as ``auth`` sees it under ``websockets`` too: ``.path`` (with the
    query) and ``.headers``."""
    headers = Headers(
        [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers", ())]
    )
    query = scope.get("query_string") or b""
    path = str(scope.get("path", "/")) + (f"?{query.decode('latin-1')}" if query else "")
    return Request(path, headers)


def _ip_of(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else ""
