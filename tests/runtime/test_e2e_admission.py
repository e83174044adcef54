"""Limits, security and admission over 127.0.0.1, with a plain websockets client."""

from __future__ import annotations

import asyncio
import json
import urllib.request

import chat_protocol as proto
import pytest
from websockets.exceptions import InvalidStatus

from tests.runtime.e2e import bounded, closed_code, frames_until, hello, raw
from tests.runtime.helpers import sent_v3
from wiretype import Client, Context, HandshakeFailed, Reject, Server

pytestmark = pytest.mark.timeout(30)


async def _status_of(port: int, **options: object) -> tuple[int, dict[str, str]]:
    try:
        ws = await raw(port, **options)  # type: ignore[arg-type]
    except InvalidStatus as exc:
        return exc.response.status_code, dict(exc.response.headers.raw_items())
    await ws.close()
    return 101, {}


@bounded
async def test_origin_not_on_the_allow_list_is_403_before_the_upgrade() -> None:
    server = Server(proto, origins=["https://chat.example"])
    async with server.serving():
        assert (await _status_of(server.port, origin="https://evil.example"))[0] == 403
        assert (await _status_of(server.port, origin="https://chat.example"))[0] == 101
        assert (await _status_of(server.port))[0] == 101  # no Origin: not a browser


@bounded
async def test_auth_refuses_with_401_or_403_and_hands_the_principal_to_handlers() -> None:
    def auth(request: object) -> str | None:
        token = request.headers.get("Authorization")  # type: ignore[attr-defined]
        if token == "Bearer banned":
            raise Reject("forbidden", "banned")
        return "ada" if token == "Bearer good" else None

    server = Server(proto, auth=auth)
    principals: list[object] = []

    @server.on("chat.message_sent")
    async def posted(msg: object, ctx: Context) -> None:
        principals.append(ctx.principal)

    async with server.serving():
        assert (await _status_of(server.port))[0] == 401
        bad = {"additional_headers": {"Authorization": "Bearer banned"}}
        assert (await _status_of(server.port, **bad))[0] == 403
        url = f"ws://127.0.0.1:{server.port}"
        async with Client(proto, url, headers={"Authorization": "Bearer good"}) as client:
            await client.send(proto.MessageSentV3(**sent_v3()), ack=True)
        refused = Client(proto, url)
        with pytest.raises(HandshakeFailed) as failed:
            async with refused:
                pass
        assert failed.value.status == 401
    assert principals == ["ada"]


@bounded
async def test_connection_caps_are_503_with_retry_after() -> None:
    server = Server(proto, max_connections=2, max_connections_per_ip=5)
    async with server.serving():
        first, second = await raw(server.port), await raw(server.port)
        status, headers = await _status_of(server.port)
        assert status == 503 and int(headers["Retry-After"]) >= 1
        await first.close()
        await second.close()
    per_ip = Server(proto, max_connections_per_ip=1)
    async with per_ip.serving():
        held = await raw(per_ip.port)
        assert (await _status_of(per_ip.port))[0] == 503
        await held.close()


@bounded
async def test_a_frame_over_the_limit_closes_1009() -> None:
    server = Server(proto, max_frame_bytes=1024)
    async with server.serving():
        ws = await raw(server.port)
        await ws.send(hello())
        welcome = await frames_until(ws, "wiretype.welcome")
        assert welcome["data"]["limits"]["max_frame_bytes"] == 1024
        await ws.send(
            json.dumps(
                {"type": "chat.message_sent", "v": 3, "id": "big", "data": sent_v3("x" * 2000)}
            )
        )
        assert await closed_code(ws) == 1009


@bounded
async def test_frames_before_hello_and_a_silent_peer_are_closed() -> None:
    server = Server(proto, handshake_timeout_ms=200)
    async with server.serving():
        early = await raw(server.port)
        await early.send(json.dumps({"type": "chat.typing", "v": 1, "id": "t", "data": {}}))
        error = json.loads(await early.recv())
        assert error["data"]["code"] == "handshake_required"
        assert await closed_code(early) == 4400
        silent = await raw(server.port)
        assert await closed_code(silent) == 4408


@bounded
async def test_health_and_readiness_over_plain_http() -> None:
    server = Server(proto)
    async with server.serving():
        loop = asyncio.get_running_loop()

        def get(path: str) -> tuple[int, str]:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{server.port}{path}", timeout=5
                ) as reply:
                    return reply.status, reply.read().decode()
            except urllib.error.HTTPError as exc:
                with exc:
                    return exc.code, exc.read().decode()

        status, text = await loop.run_in_executor(None, get, "/healthz")
        assert status == 200
        assert json.loads(text)["status"] == "ok" and json.loads(text)["store"]["healthy"]
        assert await loop.run_in_executor(None, get, "/readyz") == (200, "ready\n")
        server.hub.draining = True
        assert await loop.run_in_executor(None, get, "/readyz") == (503, "draining\n")
        server.hub.draining = False


@bounded
async def test_a_reader_that_stops_reading_is_evicted_4499_and_its_session_kept() -> None:
    server = Server(proto, max_buffer_bytes=64 * 1024)
    async with server.serving():
        ws = await raw(server.port, max_size=None)
        await ws.send(hello())
        welcome = await frames_until(ws, "wiretype.welcome")
        await ws.send(
            json.dumps(
                {
                    "type": "wiretype.subscribe",
                    "v": 1,
                    "id": "s",
                    "data": {"topics": ["flood"]},
                    "ack": True,
                }
            )
        )
        await frames_until(ws, "wiretype.ack")
        assert ws.transport is not None
        ws.transport.pause_reading()
        big = proto.MessageSentV3(**sent_v3("y" * 3900))
        for _ in range(20_000):
            await server.publish("flood", big)
            if server.counters.get("dropped_slow"):
                break
            await asyncio.sleep(0)
        assert server.counters.get("dropped_slow") == 1
        ws.transport.abort()
        while server.connections:
            await asyncio.sleep(0.01)
        session = await server.store.find(welcome["data"]["session"])
        assert session is not None and session.topics == {"flood"}


@bounded
async def test_binary_and_garbage_are_answered_then_the_budget_closes_4400() -> None:
    server = Server(proto, bad_frame_budget=2)
    async with server.serving():
        ws = await raw(server.port)
        await ws.send(hello())
        await frames_until(ws, "wiretype.welcome")
        await ws.send(b"\x00\x01")
        assert (await frames_until(ws, "wiretype.error"))["data"]["code"] == "bad_frame"
        await ws.send("{not json")
        assert (await frames_until(ws, "wiretype.error"))["data"]["code"] == "bad_frame"
        await ws.send("[]")
        assert await closed_code(ws) == 4400
