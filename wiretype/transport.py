"""What the server needs from a socket, and the one that ``websockets`` 17 gives.

The hub (``hub.py``) writes frames and closes links through a ``Transport``; each adapter
brings its own: ``WebsocketsTransport`` here (the server's own listener), ``AsgiTransport``
in ``asgi.py`` (under uvicorn, Starlette, FastAPI). Writing is synchronous, so that a
publish reaches a thousand connections without a task per recipient.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from websockets.asyncio.server import ServerConnection as WsConnection
from websockets.frames import Frame, Opcode
from websockets.protocol import State as WsState
from websockets.streams import StreamReader

try:
    from websockets.speedups import apply_mask
except ImportError:  # websockets without its C extension
    from websockets.utils import apply_mask

__all__ = ["FastConnection", "Transport", "WebsocketsTransport", "read_messages"]

SLOW_CLOSE_TIMEOUT_S = 2.0  # a peer that does not read gets this long for the closing handshake


class Transport(Protocol):
    def write(self, frames: list[str]) -> int:
        """Write the frames in order; return the bytes still waiting to leave."""
        ...

    def buffered(self) -> int:
        """Bytes written but not yet sent."""
        ...

    async def close(self, code: int, reason: str) -> None:
        """Close the link (the closing handshake, or at once for a reader that stalled:
        4499)."""
        ...

    def abort(self) -> None:
        """Cut the link without a closing handshake."""
        ...

    def ended(self) -> tuple[int | None, bool]:
        """Once the link is gone: its close code, and whether the client closed it with
        1000 (the session then ends)."""
        ...


class WebsocketsTransport:
    """A ``websockets`` server connection, written through its sans-I/O protocol directly
    (as ``websockets.broadcast`` does)."""

    __slots__ = ("ws",)

    def __init__(self, ws: WsConnection) -> None:
        self.ws = ws

    def write(self, frames: list[str]) -> int:
        ws = self.ws
        protocol = ws.protocol
        if protocol.state is not WsState.OPEN:
            return 0
        transport = ws.transport
        if transport is None:
            return 0
        if not protocol.extensions and not protocol.expect_continuation_frame:
            # plain text frames from the server: the header is all there is to it (what
            # websockets' send_text would build, without a Frame object per frame)
            data = protocol.data_to_send()  # whatever websockets had queued goes first
            if not data and len(frames) == 1:  # the usual write: one frame (an ack)
                transport.write(_text_frame(frames[0].encode("utf-8", "surrogatepass")))
                return transport.get_write_buffer_size()
            data.extend(_text_frame(frame.encode("utf-8", "surrogatepass")) for frame in frames)
        else:
            for frame in frames:
                protocol.send_text(frame.encode("utf-8", "surrogatepass"))
            data = protocol.data_to_send()
        # one write, so one syscall, for the whole batch (websockets' send_data writes each
        # frame on its own: a send() per frame)
        if b"" in data:  # the end of the stream follows (a close): as websockets does it
            data = data[: data.index(b"")]
            transport.write(b"".join(data))
            end_stream(transport)
        else:
            transport.write(b"".join(data))
        return transport.get_write_buffer_size()

    def buffered(self) -> int:
        transport = self.ws.transport
        return transport.get_write_buffer_size() if transport is not None else 0

    async def close(self, code: int, reason: str) -> None:
        if code == 4499:  # it does not read: do not wait long for its closing handshake
            self.ws.close_timeout = min(
                self.ws.close_timeout or SLOW_CLOSE_TIMEOUT_S, SLOW_CLOSE_TIMEOUT_S
            )
        await self.ws.close(code, reason)

    def abort(self) -> None:
        if self.ws.transport is not None:
            self.ws.transport.abort()

    def ended(self) -> tuple[int | None, bool]:
        protocol = self.ws.protocol
        rcvd = protocol.close_rcvd
        by_client_1000 = (
            rcvd is not None and rcvd.code == 1000 and bool(protocol.close_rcvd_then_sent)
        )
        return protocol.close_code, by_client_1000


class FastConnection(WsConnection):
    """websockets' server connection, cutting the frames of each read itself.

    A client that sends fast has many frames in each read. websockets parses each with a
    generator (about 5 us a frame); here the frames of a read are cut by their headers
    (RFC 6455 5.2) and each complete, masked, final text frame of an open connection with
    no extension is queued for ``recv`` as websockets queues it (under 2 us). Every other
    frame (control frames, fragments, unmasked or reserved bits) is handed to websockets
    whole, so it keeps every check, answer and error of its own; a frame cut by the end of
    a read waits here for the rest (a frame over ``max_size`` goes to websockets at once,
    which refuses it, 1009). When websockets ends the connection, or holds part of a frame
    itself (data that came with the handshake), everything goes to it as it is."""

    _tail: bytearray | None = None  # the start of a frame the next reads complete

    def data_received(self, data: bytes | bytearray) -> None:
        tail = self._tail
        if tail:  # appended to in place: a big frame in many small reads stays linear
            tail += data
            data = tail
        protocol = self.protocol
        assembler = self.recv_messages
        if (
            protocol.state is not WsState.OPEN
            or protocol.extensions
            or protocol.debug
            or assembler.closed
            or not _between_frames(protocol.reader, protocol.parser)
        ):
            self._tail = None
            self._give(data)
            return
        queue = assembler.frames.queue
        queued = len(queue)
        try:
            self._cut(data, tail, protocol)
        finally:  # what Assembler.put does for each frame, once for those of the read
            if len(queue) > queued:
                assembler.maybe_pause()

    def _cut(self, data: bytes | bytearray, tail: bytearray | None, protocol: Any) -> None:
        """The frames of ``data``: the usual ones queued for ``recv`` (the reader woken at
        the first, as ``Assembler.put`` wakes it), the others given to websockets."""
        limit = protocol.max_message_size
        limit = limit if limit is not None else 1 << 62
        frames = self.recv_messages.frames
        queue = frames.queue
        woken = False
        text = Opcode.TEXT
        at, end = 0, len(data)
        while at < end:
            cut = _frame_at(data, at, end)
            if cut is None:  # not even its header yet
                break
            key, size, stop = cut
            if size > limit:  # websockets refuses it (1009)
                self._tail = None
                self._give(data[at:])
                return
            if stop > end:
                break
            if data[at] == 0x81 and key and protocol.current_size is None:  # FIN, text, masked
                queue.append(Frame(text, apply_mask(data[key + 4 : stop], data[key : key + 4])))
                if not woken:  # later frames find the reader woken (SimpleQueue.put)
                    woken = True
                    waiter = frames.get_waiter
                    if waiter is not None and not waiter.done():
                        waiter.set_result(None)
            else:
                self._give(data[at:stop])
                if protocol.state is not WsState.OPEN or not _between_frames(
                    protocol.reader, protocol.parser
                ):
                    self._tail = None
                    self._give(data[stop:])
                    return
            at = stop
        if tail and data is tail:
            del tail[:at]  # what is left: the start of a frame
        elif at < end:
            self._tail = bytearray(data[at:])

    def _give(self, data: bytes | bytearray) -> None:
        """Bytes for websockets to parse (``bytes`` of ``bytes`` is the object itself)."""
        super().data_received(bytes(data))

    def eof_received(self) -> None:
        tail, self._tail = self._tail, None
        if tail:  # websockets says what a frame cut by the end means
            self._give(tail)
        super().eof_received()


_AT_EOF = StreamReader.at_eof.__code__


def _between_frames(reader: StreamReader, parser: Any) -> bool:
    """Whether websockets' parser waits for the first byte of a frame: its reader holds
    nothing and it is in ``at_eof``, where its loop waits between frames (inside a frame
    it waits in ``Frame.parse``, also with an empty buffer once it took the header)."""
    if reader.buffer:
        return False
    waiting = parser  # the server's parser delegates to the protocol's, which waits
    while (inner := getattr(waiting, "gi_yieldfrom", None)) is not None:
        waiting = inner
    return getattr(waiting, "gi_code", None) is _AT_EOF


def _frame_at(data: bytes | bytearray, at: int, end: int) -> tuple[int, int, int] | None:
    """The frame starting at ``at``: (where its mask key is, 0 when unmasked; its payload
    size; where it ends), or None when its header is not complete."""
    if end - at < 2:
        return None
    second = data[at + 1]
    size, head = second & 0x7F, at + 2
    if size == 126:
        if end - at < 4:
            return None
        size, head = int.from_bytes(data[at + 2 : at + 4], "big"), at + 4
    elif size == 127:
        if end - at < 10:
            return None
        size, head = int.from_bytes(data[at + 2 : at + 10], "big"), at + 10
    if second < 0x80:
        return 0, size, head + size
    return head, size, head + 4 + size


def _text_frame(payload: bytes) -> bytes:
    """An unmasked, final text frame (RFC 6455 5.2): the server side of a connection with
    no extension."""
    size = len(payload)
    if size < 126:
        return _HEAD1 + bytes((size,)) + payload
    if size < 65536:
        return _HEAD1 + b"\x7e" + size.to_bytes(2, "big") + payload
    return _HEAD1 + b"\x7f" + size.to_bytes(8, "big") + payload


_HEAD1 = b"\x81"  # FIN, text


def end_stream(transport: asyncio.Transport) -> None:
    """Half-close the TCP connection when possible, else close it (websockets' way)."""
    if transport.can_write_eof():
        with contextlib.suppress(Exception):
            transport.write_eof()
    else:
        transport.close()


async def read_messages(
    ws: WsConnection,
    take: Callable[[Any, str | bytes, bool], Awaitable[object] | None],
    link: Any,
    flush: Callable[[Any], None],
) -> None:
    """``take(link, message, False)`` for every message of ``ws`` in order, awaiting what it
    returns when it returns something (the hub handles the usual frame without a
    coroutine), until the link ends (``ConnectionClosed``, as ``recv`` raises it).

    After each ``recv``, the complete text frames already queued behind it (a client that
    sends fast gets many frames from one read) are taken from websockets' queue here, as
    its ``Assembler.get`` would take them (flow control included), without the two
    coroutines ``recv`` costs a message; anything else (a fragment, a binary frame, bad
    UTF-8, the end) is left to ``recv``, which keeps its order and its errors. What the
    usual frames of such a run leave to write (their acks) goes out in one ``flush(link)``
    after the run, or before anything is awaited."""
    recv = ws.recv
    assembler = ws.recv_messages
    queued = assembler.frames.queue
    text = Opcode.TEXT
    while True:
        rest = take(link, await recv(), False)
        try:
            if rest is not None:
                flush(link)
                await rest
            while queued and not assembler.get_in_progress:
                frame = queued[0]
                if frame.opcode is not text or not frame.fin:
                    break
                try:
                    message = bytes(frame.data).decode()  # what Assembler.get returns
                except UnicodeDecodeError:
                    break  # recv fails the connection (1007)
                queued.popleft()
                if assembler.paused:  # what maybe_resume looks at first
                    assembler.maybe_resume()
                rest = take(link, message, False)
                if rest is not None:
                    flush(link)
                    await rest
        finally:
            flush(link)
