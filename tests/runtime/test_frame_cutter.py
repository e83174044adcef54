"""The server cuts the frames of each read itself (``transport.FastConnection``): whatever
the bytes and however the reads split them, what reaches ``recv`` and what goes back to
the client is what websockets alone makes of the same bytes."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection
from websockets.datastructures import Headers
from websockets.frames import Close, Frame, Opcode
from websockets.http11 import Request
from websockets.protocol import State
from websockets.server import ServerProtocol

from wiretype.client_link import _masked_text_frame
from wiretype.transport import FastConnection

MAX_SIZE = 4096


class Wire(asyncio.Transport):
    """What the connection writes, and whether it paused reading or closed."""

    def __init__(self) -> None:
        super().__init__()
        self.written = bytearray()
        self.paused = False
        self.closed = False

    def write(self, data: Any) -> None:
        self.written += data

    def writelines(self, chunks: Any) -> None:
        for chunk in chunks:
            self.written += chunk

    def pause_reading(self) -> None:
        self.paused = True

    def resume_reading(self) -> None:
        self.paused = False

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        return None

    def get_write_buffer_size(self) -> int:
        return 0

    def can_write_eof(self) -> bool:
        return True

    def write_eof(self) -> None:
        self.closed = True

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default


class Listener:
    """Stands for websockets' ``Server``: a connection registers its handler task here
    (the handler does nothing: the test reads the connection's queue itself)."""

    def __init__(self) -> None:
        self.handler_tasks: set[asyncio.Task[None]] = set()

    async def handler(self, conn: ServerConnection) -> None:
        return None


def _opened(kind: type[ServerConnection]) -> tuple[ServerConnection, Wire]:
    protocol = ServerProtocol(max_size=MAX_SIZE)
    protocol.state = State.OPEN  # past the handshake: the frame parser runs
    protocol.parser = protocol.parse()
    next(protocol.parser)
    conn = kind(protocol, Listener(), ping_interval=None, max_queue=None)  # type: ignore[arg-type]
    conn.request = Request("/", Headers())  # the handshake is over
    wire = Wire()
    conn.connection_made(wire)
    return conn, wire


def _seen(conn: ServerConnection, wire: Wire) -> tuple[Any, ...]:
    queued = [
        (f.opcode, bytes(f.data), f.fin, f.rsv1, f.rsv2, f.rsv3)
        for f in conn.recv_messages.frames.queue
    ]
    return (queued, conn.protocol.state, conn.protocol.close_code, bytes(wire.written))


def _both(chunks: list[bytes], *, eof: bool = False) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """(websockets alone, the cutter) after the same reads."""

    async def read(kind: type[ServerConnection]) -> tuple[Any, ...]:
        conn, wire = _opened(kind)
        for chunk in chunks:
            conn.data_received(chunk)
        if eof:
            conn.eof_received()
        return _seen(conn, wire)

    return asyncio.run(read(ServerConnection)), asyncio.run(read(FastConnection))


def _masked(opcode: int, payload: bytes, *, fin: bool = True, rsv: int = 0) -> bytes:
    """A client frame of any kind, built by hand (the usual text frame comes from the
    client's own writer)."""
    if opcode == Opcode.TEXT and fin and not rsv:
        return _masked_text_frame(payload)
    frame = Frame(Opcode(opcode), payload, fin=fin)
    wire = bytearray(frame.serialize(mask=True, extensions=[]))
    wire[0] |= rsv << 4
    return bytes(wire)


def _texts(count: int, size: int = 40) -> list[bytes]:
    return [
        _masked(Opcode.TEXT, f'{{"n":{n},"pad":"{"x" * size}"}}'.encode()) for n in range(count)
    ]


STREAMS = {
    "texts": _texts(20),
    "texts of 16-bit lengths": _texts(5, 300),
    "a ping among texts": [*_texts(3), _masked(Opcode.PING, b"p1"), *_texts(3)],
    "a pong among texts": [*_texts(2), _masked(Opcode.PONG, b"q"), *_texts(2)],
    "a fragmented message": [
        *_texts(2),
        _masked(Opcode.TEXT, b'{"part":', fin=False),
        _masked(Opcode.CONT, b'"one"', fin=False),
        _masked(Opcode.CONT, b"}"),
        *_texts(2),
    ],
    "a text frame inside a fragmented message": [
        _masked(Opcode.TEXT, b"start", fin=False),
        *_texts(1),
        *_texts(2),
    ],
    "a binary frame": [*_texts(2), _masked(Opcode.BINARY, b"\x00\x01"), *_texts(1)],
    "a reserved bit": [*_texts(2), _masked(Opcode.TEXT, b"{}", rsv=4), *_texts(2)],
    "an unmasked text frame": [
        *_texts(2),
        Frame(Opcode.TEXT, b"{}").serialize(mask=False, extensions=[]),
        *_texts(2),
    ],
    "a frame over max_size": [*_texts(2), _masked(Opcode.TEXT, b"y" * (MAX_SIZE + 1)), *_texts(2)],
    "a 64-bit length": [*_texts(1), _masked(Opcode.TEXT, b"z" * 70000)],
    "a close then more": [
        *_texts(2),
        _masked(Opcode.CLOSE, Close(1000, "bye").serialize()),
        *_texts(2),
    ],
    "bad UTF-8 (for recv to refuse)": [*_texts(1), _masked(Opcode.TEXT, b"\xff\xfe"), *_texts(1)],
}


@pytest.mark.parametrize("name", list(STREAMS))
def test_one_read_gives_what_websockets_gives(name: str) -> None:
    plain, cut = _both([b"".join(STREAMS[name])])
    assert cut == plain
    assert plain[0] or plain[1] is not State.OPEN  # the stream meant something


@pytest.mark.parametrize("name", list(STREAMS))
def test_reads_split_anywhere_give_what_websockets_gives(name: str) -> None:
    data = b"".join(STREAMS[name])
    rng = random.Random(name)
    for _ in range(25):
        cuts = sorted(rng.sample(range(1, len(data)), min(len(data) - 1, rng.randint(1, 12))))
        chunks = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]
        plain, cut = _both(chunks)
        assert cut == plain, cuts


def test_reads_of_one_byte_give_what_websockets_gives() -> None:
    data = b"".join(STREAMS["a ping among texts"])
    plain, cut = _both([data[i : i + 1] for i in range(len(data))])
    assert cut == plain
    assert len(plain[0]) == 6


def test_a_frame_cut_by_the_end_of_the_stream_ends_it_as_websockets_does() -> None:
    data = b"".join(_texts(3))
    plain, cut = _both([data[:-5]], eof=True)
    assert cut == plain
    assert plain[2] == 1006  # a frame cut short: not a clean close
