"""A raw wiretype peer for the benchmarks: websockets' sans-I/O client protocol on a bare
asyncio ``Protocol``, so that the bench side costs as little as a Python peer can.

It speaks just enough of the protocol to drive a server hard: the hello, pipelined frames
written in batches (one ``transport.write`` per batch), and a ``wiretype.pong`` for every
``wiretype.ping`` the moment it is read, so that a peer busy reading a flood is never closed
for silence (4410). Frames are handed to ``on_frame`` as text; nothing is parsed unless the
caller parses it.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import deque
from collections.abc import Callable
from typing import Any

from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.typing import Subprotocol
from websockets.uri import parse_uri

__all__ = ["RawPeer", "hello"]

PING = '"type":"wiretype.ping"'
_SEQ = re.compile(r',"seq":(\d+),"epoch":\d+\}$')  # the server's frames end so


def hello(resume: dict[str, Any] | None = None, **speaks: list[int]) -> str:
    data: dict[str, Any] = {
        "client": {"name": "bench", "version": "1"},
        "registry": "chat",
        "speaks": {"chat.message_sent": [3], "chat.typing": [1], **speaks},
    }
    if resume is not None:
        data["resume"] = resume
    return json.dumps({"type": "wiretype.hello", "v": 1, "id": "h", "data": data})


class RawPeer(asyncio.Protocol):
    """One connection. ``await RawPeer.open(port, hello_text)`` returns the peer once the
    welcome came (``peer.welcome`` holds it, parsed)."""

    def __init__(self, url: str) -> None:
        self.ws = ClientProtocol(
            parse_uri(url), subprotocols=[Subprotocol("wiretype.v1")], max_size=None
        )
        self.transport: asyncio.Transport | None = None
        self.welcome: dict[str, Any] = {}
        self._on_frame: Callable[[str], None] | None = None
        # frames read before anyone listened (those in the welcome's own read: a resume's
        # replay), handed to the first ``on_frame`` set
        self._unread: deque[str] = deque(maxlen=100_000)
        self.after_read: Callable[[], None] | None = None  # after each read's frames
        self.last_seq = 0  # the highest seq read so far
        self.closed: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self._upgraded: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._welcomed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pongs = 0

    @classmethod
    async def open(cls, port: int, hello_text: str, timeout: float = 60.0) -> RawPeer:
        loop = asyncio.get_running_loop()
        url = f"ws://127.0.0.1:{port}"
        async with asyncio.timeout(timeout):
            _, peer = await loop.create_connection(lambda: cls(url), "127.0.0.1", port)
            await peer._upgraded
            peer.send([hello_text])
            await peer._welcomed
        return peer

    @property
    def on_frame(self) -> Callable[[str], None] | None:
        return self._on_frame

    @on_frame.setter
    def on_frame(self, callback: Callable[[str], None] | None) -> None:
        self._on_frame = callback
        while callback is not None and self._unread:
            callback(self._unread.popleft())

    # --- asyncio.Protocol ------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.ws.send_request(self.ws.connect())
        self._flush()

    def data_received(self, data: bytes) -> None:
        self.ws.receive_data(data)
        texts: list[str] = []
        for event in self.ws.events_received():
            if isinstance(event, Frame):
                if event.opcode is Opcode.TEXT:
                    texts.append(event.data.decode())
            elif isinstance(event, Response) and not self._upgraded.done():
                if event.status_code == 101:
                    self._upgraded.set_result(None)
                else:
                    self._upgraded.set_exception(ConnectionError(f"HTTP {event.status_code}"))
        if texts:
            self._texts(texts)
        if self.after_read is not None:
            self.after_read()
        self._flush()

    def connection_lost(self, exc: Exception | None) -> None:
        for waiter in (self._upgraded, self._welcomed):
            if not waiter.done():
                waiter.set_exception(ConnectionError(f"closed {self.ws.close_code}"))
        if not self.closed.done():
            self.closed.set_result(self.ws.close_code)

    # --- frames ----------------------------------------------------------------------------

    def _texts(self, texts: list[str]) -> None:
        for text in texts:
            if PING in text:
                nonce = json.loads(text)["data"]["nonce"]
                self._pongs += 1
                pong = {"type": "wiretype.pong", "v": 1, "id": f"pong{self._pongs}",
                        "data": {"nonce": nonce}}  # fmt: skip
                self.ws.send_text(json.dumps(pong).encode())
                continue
            if not self._welcomed.done():
                if '"wiretype.welcome"' in text:
                    self.welcome = json.loads(text)
                    self._welcomed.set_result(None)
                continue
            seq = _SEQ.search(text)
            if seq is not None:
                self.last_seq = max(self.last_seq, int(seq.group(1)))
            if self._on_frame is not None:
                self._on_frame(text)
            else:
                self._unread.append(text)

    def send(self, frames: list[str] | list[bytes]) -> None:
        """Write ``frames`` in one go (each its own WebSocket text frame)."""
        for frame in frames:
            self.ws.send_text(frame if isinstance(frame, bytes) else frame.encode())
        self._flush()

    def _flush(self) -> None:
        data = self.ws.data_to_send()
        if data and self.transport is not None and not self.transport.is_closing():
            self.transport.write(b"".join(data))

    def abort(self) -> None:
        """Cut the link (no closing handshake): the server keeps the session for a resume."""
        if self.transport is not None:
            self.transport.abort()
