"""The link half of the asyncio ``Client``: dialing, reading, redialing and writing.

One supervisor task dials the endpoints in turn (starting on a random one, moving on after
each failure), reads each link until it ends and redials with the core's full-jitter
backoff; one ticker task calls the core's ``tick`` at its next deadline (ack retries,
expiry, the passive heartbeat deadline). Text frames are handed to the core from the
transport's callback (``_Wire``) and what the core produces is written straight to the
connection's protocol, in order. What the core's events mean to the application (handlers,
the inbox, acked sends, status) is ``client.py``'s.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection as WsConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed as WsClosed
from websockets.exceptions import InvalidHandshake, InvalidStatus
from websockets.frames import Frame, Opcode
from websockets.protocol import State as WsState

try:
    from websockets.speedups import apply_mask
except ImportError:  # pragma: no cover - websockets built without its C extension
    from websockets.utils import apply_mask

from . import _common
from .errors import HandshakeFailed
from .protocol.client import FINAL_CODES, ClientConnection
from .protocol.events import ErrorReceived, Event
from .protocol.limits import Settings
from .transport import end_stream

__all__ = ["ClientLink"]

log = logging.getLogger("wiretype.client")


class _Wire(WsConnection):
    """A websockets client connection that hands each complete text frame to ``sink`` from
    the protocol callback, so an ack settles its ``send`` without a hop through a reader
    task. Everything else (handshake, fragments, binary, control frames) goes the usual way.
    """

    sink: Callable[[str], None] | None = None

    def process_event(self, event: Any) -> None:
        sink = self.sink
        if (
            sink is not None
            and self.response is not None
            and type(event) is Frame
            and event.opcode is Opcode.TEXT
            and event.fin
        ):
            try:
                text = bytes(event.data).decode("utf-8")
            except UnicodeDecodeError:
                super().process_event(event)
                return
            try:
                sink(text)
            except Exception:  # a bug must not break the transport's callback
                log.exception("incoming frame failed")
            return
        super().process_event(event)


class ClientLink:
    """What ``Client`` inherits to drive its core over websockets; ``Client`` sets these
    attributes up and handles each event the core produces (``_event``)."""

    core: ClientConnection
    settings: Settings
    urls: list[str]
    headers: dict[str, str]
    _url_index: int
    _ws: WsConnection | None
    _wake: asyncio.Event | None
    _final: BaseException | None
    _error: ErrorReceived | None
    _tasks: set[asyncio.Task[Any]]

    def _event(self, event: Event) -> None:
        raise NotImplementedError

    # --- the link -------------------------------------------------------------------------

    async def _run(self) -> None:
        core = self.core
        while core.state != "closed":
            await self._until_attempt()
            if core.state == "closed":
                break
            url = self.urls[self._url_index % len(self.urls)]
            core.connect(_common.now_ms())
            self._pump_events()
            try:
                ws = await ws_connect(
                    url,
                    subprotocols=[_common.SUBPROTOCOL],  # type: ignore[list-item]
                    additional_headers=self.headers,
                    ping_interval=None,
                    compression=None,
                    open_timeout=self.settings.handshake_timeout_ms / 1000,
                    max_size=None,
                    user_agent_header=None,
                    create_connection=_Wire,
                )
            except InvalidStatus as exc:
                status = exc.response.status_code
                final = status in (400, 401, 403, 404)
                self._final = HandshakeFailed(
                    4401 if status == 401 else 1008, f"HTTP {status}", status
                )
                self._url_index += 1
                core.connect_failed(_common.now_ms(), final=final, reason=f"HTTP {status}")
                self._pump()
                continue
            except (OSError, TimeoutError, InvalidHandshake, WsClosed) as exc:
                self._url_index += 1
                core.connect_failed(_common.now_ms(), reason=type(exc).__name__)
                self._pump()
                continue
            await self._read(ws)

    async def _until_attempt(self) -> None:
        assert self._wake is not None
        while self.core.state != "closed":
            at = self.core.next_attempt_at
            delay = 0.0 if at is None else at - _common.now_ms()
            if delay <= 0:
                return
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay / 1000):
                    await self._wake.wait()

    async def _read(self, ws: WsConnection) -> None:
        self._ws = ws
        core = self.core
        if isinstance(ws, _Wire):
            ws.sink = self._receive
        self._pump()
        try:
            async for message in ws:  # only what the sink did not take
                if isinstance(message, str):
                    self._receive(message)
        except WsClosed:
            pass
        finally:
            if isinstance(ws, _Wire):
                ws.sink = None
            self._ws = None
        code = ws.close_code if ws.close_code is not None else 1006
        reason = ws.close_reason or ""
        if code != 1000:  # that endpoint went away (drained, killed): the next one
            self._url_index += 1
        if code in FINAL_CODES and code != 1000:
            message = self._error.message if self._error else reason
            self._final = HandshakeFailed(code, message)
        core.connection_lost(code, reason, _common.now_ms())
        self._pump()

    def _receive(self, text: str) -> None:
        core = self.core
        core.receive_text(text, _common.now_ms())
        if core._events:
            self._pump_events()
        elif core._out:
            self._pump_frames_only()

    async def _tick(self) -> None:
        assert self._wake is not None
        while True:
            deadline = self.core.next_deadline()
            delay = 1000.0 if deadline is None else min(1000.0, deadline - _common.now_ms())
            await asyncio.sleep(max(delay, 0.0) / 1000)  # always yields to the loop
            self.core.tick(_common.now_ms())
            self._pump()

    # --- pumping --------------------------------------------------------------------------

    def _pump(self) -> None:
        self._pump_frames_only()
        if self.core._events:  # (most sends make a frame and no event)
            self._pump_events()

    def _pump_events(self) -> None:
        for event in self.core.events_received():
            self._event(event)
        self._pump_frames_only()

    def _pump_frames_only(self) -> None:
        """Write what the core has, when a link is open (the hello waits for the link)."""
        ws = self._ws
        if ws is None or ws.protocol.state is not WsState.OPEN:
            return
        frames = self.core.data_to_send()
        if frames:
            _write_text(ws, frames)

    def _close_link(self, code: int, reason: str) -> None:
        ws = self._ws
        if ws is None:
            return
        task = asyncio.ensure_future(ws.close(code, reason))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _write_text(ws: WsConnection, frames: list[str]) -> None:
    """Write text frames to an open link in one ``transport.write``: masked frames built
    here (what websockets' ``send_text`` builds, without a ``Frame`` and a ``BytesIO`` per
    frame and a write per frame), after whatever websockets had queued (a pong)."""
    protocol = ws.protocol
    transport = ws.transport
    if protocol.extensions or protocol.expect_continuation_frame or transport is None:
        for frame in frames:
            protocol.send_text(frame.encode("utf-8", "surrogatepass"))
        ws.send_data()
        return
    data = protocol.data_to_send()
    if b"" in data:  # the end of the stream is queued (a close): nothing goes after it
        transport.write(b"".join(data[: data.index(b"")]))
        end_stream(transport)
        return
    data.extend(_masked_text_frame(frame.encode("utf-8", "surrogatepass")) for frame in frames)
    transport.write(b"".join(data))


def _masked_text_frame(payload: bytes) -> bytes:
    """A masked, final text frame (RFC 6455 5.2, 5.3): the client side, no extension."""
    size = len(payload)
    mask = os.urandom(4)  # what websockets uses (secrets.token_bytes)
    if size < 126:
        head = bytes((0x81, 0x80 | size))
    elif size < 65536:
        head = b"\x81\xfe" + size.to_bytes(2, "big")
    else:
        head = b"\x81\xff" + size.to_bytes(8, "big")
    return head + mask + apply_mask(payload, mask)
