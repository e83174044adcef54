"""Bad input and faults over 127.0.0.1: floods, abrupt disconnects mid-frame, redaction."""

from __future__ import annotations

import asyncio
import json
import logging

import chat_protocol as proto
import pytest

from tests.runtime.e2e import bounded, closed_code, frames_until, hello, raw
from tests.runtime.helpers import APP, sent_v3
from wiretype import Client, Context, Package, Server
from wiretype.protocol.package import MessageInfo

pytestmark = pytest.mark.timeout(30)


@bounded
async def test_a_flood_is_rate_limited_then_closed_4429_and_the_server_stays_up() -> None:
    server = Server(proto, rate=50, burst=20)
    handled = 0

    @server.on("chat.message_sent")
    async def posted(msg: object, ctx: Context) -> None:
        nonlocal handled
        handled += 1

    async with server.serving():
        ws = await raw(server.port)
        await ws.send(hello({"chat.message_sent": [3]}))
        await frames_until(ws, "wiretype.welcome")
        frame = json.dumps({"type": "chat.message_sent", "v": 3, "id": "f", "data": sent_v3()})
        for n in range(2_000):
            try:
                await ws.send(frame.replace('"id": "f"', f'"id": "f{n}"'))
            except Exception:
                break
        assert await closed_code(ws) == 4429
        assert handled < 100
        async with Client(proto, f"ws://127.0.0.1:{server.port}") as client:
            await client.send(proto.MessageSentV3(**sent_v3()), ack=True)


@bounded
async def test_abrupt_disconnects_mid_frame_and_mid_handshake_leave_the_server_up() -> None:
    server = Server(proto)
    async with server.serving():
        for cut in (b"\x81\xfe\x10\x00\x00\x00\x00\x00abc", b"\x81"):
            ws = await raw(server.port)
            await ws.send(hello())
            await frames_until(ws, "wiretype.welcome")
            assert ws.transport is not None
            ws.transport.write(cut)  # the start of a frame that never ends
            ws.transport.abort()
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n")  # half a request
        await writer.drain()
        writer.transport.abort()
        while server.connections:
            await asyncio.sleep(0.01)
        async with Client(proto, f"ws://127.0.0.1:{server.port}") as client:
            assert client.state == "open"
        del reader


@bounded
async def test_sensitive_fields_are_redacted_in_debug_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    messages = dict(APP.messages)
    info = messages["chat.message_sent"]
    messages["chat.message_sent"] = MessageInfo(
        info.name, info.versions, info.direction, frozenset({"/author/name", "/body"})
    )
    package = Package(proto, APP.name, messages)
    server = Server(package)

    @server.on("chat.message_sent")
    async def posted(msg: object, ctx: Context) -> None:
        return None

    caplog.set_level(logging.DEBUG, logger="wiretype")
    async with server.serving(), Client(proto, f"ws://127.0.0.1:{server.port}") as client:
        await client.send(proto.MessageSentV3(**sent_v3("top secret")), ack=True)
    lines = [r.getMessage() for r in caplog.records if r.name == "wiretype"]
    [line] = [x for x in lines if x.startswith("message ")]
    assert "top secret" not in line and "Ada" not in line
    assert "'***'" in line and "lobby" in line
    assert any(x.startswith("connect ") for x in lines)
    assert any(x.startswith("disconnect ") for x in lines)


@bounded
async def test_a_client_that_never_sends_hello_is_closed_and_counted() -> None:
    server = Server(proto, handshake_timeout_ms=100)
    async with server.serving():
        quiet = [await raw(server.port) for _ in range(5)]
        codes = [await closed_code(ws) for ws in quiet]
    assert codes == [4408] * 5
    assert server.counters.get("disconnects_4408") == 5
