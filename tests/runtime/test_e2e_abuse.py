"""Bad input and faults end to end over 127.0.0.1: fuzzed frames through a real socket, a
flood past the rate limit, a slow reader that resumes, and thousands of connections opened
and dropped with the server's memory measured before and after. Every loop is bounded."""

from __future__ import annotations

import asyncio
import gc
import json
import threading
import tracemalloc
from collections.abc import Iterator
from typing import Any

import chat_protocol as proto
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as sync_connect

from tests.runtime.e2e import bounded, bounded_by, closed_code, frames_until, hello, raw
from tests.runtime.helpers import sent_v3
from wiretype import Client, Context, Server

pytestmark = pytest.mark.timeout(120)
# what a connection fed garbage may end with: too many bad frames, too big, not UTF-8
GARBAGE_CLOSES = {4400, 1009, 1007}


class ServerThread:
    """A server on its own loop in a thread, so that synchronous (hypothesis) tests can
    talk to it through real sockets."""

    def __init__(self, **settings: Any) -> None:
        self.server = Server(proto, **settings)
        self.handled = 0
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

        @self.server.on("chat.message_sent")
        async def posted(msg: Any, ctx: Context) -> None:
            self.handled += 1

        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with self.server.serving():
            self._ready.set()
            await self._stop.wait()

    def __enter__(self) -> ServerThread:
        self._thread.start()
        assert self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.server.port}"


@pytest.fixture(scope="module")
def live() -> Iterator[ServerThread]:
    with ServerThread(bad_frame_budget=5, max_frame_bytes=4096) as running:
        yield running


def _envelope() -> st.SearchStrategy[str]:
    scalars = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=20)
    values = st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=12,
    )
    keys = st.fixed_dictionaries(
        {},
        optional={
            "type": st.sampled_from(["chat.message_sent", "wiretype.pong", "wiretype.hello", "x"])
            | st.text(max_size=10),
            "v": st.integers(-1, 5) | values,
            "id": st.text(max_size=140) | values,
            "data": st.just(sent_v3()) | values,
            "ack": st.booleans() | values,
            "ts": st.integers(-5, 2**40) | values,
            "ttl": st.integers(-5, 10**6) | values,
            "prio": st.integers(-2, 12) | values,
            "re": st.text(max_size=140) | values,
        },
    )
    return keys.map(json.dumps) | values.map(json.dumps) | st.text(max_size=200)


FRAMES = st.lists(_envelope() | st.binary(max_size=64), min_size=1, max_size=8)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(frames=FRAMES)
def test_fuzzed_frames_over_a_socket_are_answered_or_closed_as_documented(
    live: ServerThread, frames: list[str | bytes]
) -> None:
    with sync_connect(live.url, subprotocols=["wiretype.v1"], open_timeout=5) as ws:  # type: ignore[list-item]
        ws.send(hello({"chat.message_sent": [3]}))
        assert json.loads(ws.recv(timeout=5))["type"] == "wiretype.welcome"
        try:
            for frame in frames:
                ws.send(frame)
            probe = {"type": "chat.message_sent", "v": 3, "id": "probe", "data": sent_v3()}
            ws.send(json.dumps({**probe, "ack": True}))
            while True:
                answer = json.loads(ws.recv(timeout=5))
                assert answer["type"] in {"wiretype.ack", "wiretype.nack", "wiretype.error"}
                if answer.get("re") == "probe" and answer["type"] != "wiretype.error":
                    break
        except ConnectionClosed:
            assert ws.close_code in GARBAGE_CLOSES
    # and the server still serves anyone
    with sync_connect(live.url, subprotocols=["wiretype.v1"], open_timeout=5) as fresh:  # type: ignore[list-item]
        fresh.send(hello({}))
        assert json.loads(fresh.recv(timeout=5))["type"] == "wiretype.welcome"


@bounded
async def test_a_flood_is_nacked_rate_limited_with_retry_after_then_closed_4429() -> None:
    server = Server(proto, rate=20, burst=10)

    @server.on("chat.message_sent")
    async def posted(msg: object, ctx: Context) -> None:
        return None

    async with server.serving():
        ws = await raw(server.port)
        await ws.send(hello({"chat.message_sent": [3]}))
        await frames_until(ws, "wiretype.welcome")
        for n in range(200):
            frame = {"type": "chat.message_sent", "v": 3, "id": f"f{n}", "data": sent_v3()}
            await ws.send(json.dumps({**frame, "ack": True}))
        answers: list[dict[str, Any]] = []
        try:
            while True:
                answers.append(json.loads(await ws.recv()))
        except ConnectionClosed:
            pass
        assert ws.close_code == 4429
        nacks = [a["data"] for a in answers if a["type"] == "wiretype.nack"]
        assert nacks and {n["code"] for n in nacks} == {"rate_limited"}
        assert all(n["retry_after_ms"] >= 1 for n in nacks)
        acked = sum(1 for a in answers if a["type"] == "wiretype.ack")
        assert 10 <= acked < 200
        while server.connections:  # the closing handshake completes (not a 1006 timeout)
            await asyncio.sleep(0.01)
        assert server.counters.get("disconnects_4429") == 1


@bounded
async def test_a_slow_reader_is_evicted_4499_and_resumes_its_session() -> None:
    server = Server(proto, max_buffer_bytes=64 * 1024)
    big = proto.MessageSentV3(**sent_v3("z" * 3900))
    async with server.serving():
        ws = await raw(server.port, max_size=None)
        await ws.send(hello())
        welcome = await frames_until(ws, "wiretype.welcome")
        sub = {"type": "wiretype.subscribe", "v": 1, "id": "s", "ack": True}
        await ws.send(json.dumps({**sub, "data": {"topics": ["flood"]}}))
        await frames_until(ws, "wiretype.ack")
        assert ws.transport is not None
        ws.transport.pause_reading()
        for _ in range(20_000):
            server.publish_now("flood", big)
            if server.counters.get("dropped_slow"):
                break
            await asyncio.sleep(0)
        assert server.counters.get("dropped_slow") == 1
        ws.transport.abort()
        while server.connections:
            await asyncio.sleep(0.01)
        session = await server.store.find(welcome["data"]["session"])
        assert session is not None
        last = session.seq  # a client that had read all but the last frame resumes
        again = await raw(server.port, max_size=None)
        resume = {"session": session.id, "last_seq": last - 1, "epoch": welcome["epoch"]}
        await again.send(hello(resume=resume))
        assert (await frames_until(again, "wiretype.welcome"))["data"]["resumed"] is True
        assert (await frames_until(again, "chat.message_sent"))["seq"] == last
        server.publish_now("flood", proto.MessageSentV3(**sent_v3("after")))
        after = await frames_until(again, "chat.message_sent")
        while after["data"]["body"] != "after":  # what waited while it was away comes first
            after = await frames_until(again, "chat.message_sent")
        assert after["seq"] > last
        await again.close()


async def _churn(port: int, count: int) -> None:
    """Open and drop ``count`` connections, 100 at a time, ending in every way a client
    can: abort before hello, hello then abort, hello then a clean close, a cut mid-frame."""

    async def one(n: int) -> None:
        ws = await raw(port)
        assert ws.transport is not None
        if n % 4 == 0:
            ws.transport.abort()
            return
        await ws.send(hello({"chat.message_sent": [3]}))
        await frames_until(ws, "wiretype.welcome")
        if n % 4 == 1:
            ws.transport.abort()
        elif n % 4 == 2:
            await ws.close()
        else:
            ws.transport.write(b"\x81\xfe\x10\x00\x00\x00\x00\x00ab")
            ws.transport.abort()

    for start in range(0, count, 100):
        await asyncio.gather(*(one(n) for n in range(start, min(count, start + 100))))


async def _settled(server: Server) -> None:
    """Until every connection is gone and every dropped session has expired."""
    while server.connections or len(server.store):
        await asyncio.sleep(0.02)


@bounded_by(90)  # 2,200 handshakes with tracemalloc on: over 20 s on a loaded 2-core machine
async def test_thousands_of_connections_opened_and_dropped_leave_memory_bounded() -> None:
    server = Server(proto, session_ttl_ms=50, sweep_ms=20, max_connections_per_ip=1_000)

    @server.on("chat.message_sent")
    async def posted(msg: object, ctx: Context) -> None:
        return None

    async with server.serving():
        await _churn(server.port, 200)  # warm: caches, the first sessions, the loop's pools
        await _settled(server)
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.take_snapshot()
            await _churn(server.port, 2_000)
            await _settled(server)
            gc.collect()
            after = tracemalloc.take_snapshot()
        finally:
            tracemalloc.stop()
        grown = sum(s.size_diff for s in after.compare_to(before, "filename"))
        assert grown < 512 * 1024, f"{grown} bytes retained after 2,000 connections"
        assert server.counters["connects_ok"] >= 1_650
        async with Client(proto, f"ws://127.0.0.1:{server.port}") as client:
            await client.send(proto.MessageSentV3(**sent_v3()), ack=True)
        silent = await raw(server.port)
        await silent.close()
        assert await closed_code(silent) == 1000
