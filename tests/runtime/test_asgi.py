"""``server.asgi()`` under a real uvicorn (``--ws websockets-sansio``) on 127.0.0.1, mounted in
Starlette: the real ``wiretype.Client`` and a plain websockets client speaking JSON by hand."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import textwrap
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import chat_protocol as proto
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount, WebSocketRoute
from websockets.exceptions import InvalidStatus

from tests.runtime.e2e import FAST, bounded, closed_code, frames_until, hello
from tests.runtime.helpers import sent_v1, sent_v3
from tests.runtime.test_e2e_lifecycle import _free_port, _until_listening
from tests.runtime.uvicorn_helpers import uvicorn_serving
from wiretype import Client, Context, Reject, Server

pytestmark = pytest.mark.timeout(40)
ROOT = Path(__file__).resolve().parents[2]


def _chat(**settings: Any) -> tuple[Server, list[Any]]:
    server = Server(proto, **settings)
    seen: list[Any] = []

    @server.on("chat.message_sent")
    async def posted(msg: Any, ctx: Context) -> None:
        if msg.body == "refuse":
            raise Reject("conflict", "not now")
        seen.append((msg, ctx.principal))
        await ctx.publish(f"room.{msg.room}", msg)

    return server, seen


def _routed(server: Server) -> Starlette:
    return Starlette(routes=[WebSocketRoute("/ws", server.asgi())])


def _message(ident: str, body: str = "hi", v: int = 3, **keys: Any) -> str:
    data = sent_v1(body) if v == 1 else sent_v3(body)  # v2 and v3 have the same fields here
    return json.dumps({"type": "chat.message_sent", "v": v, "id": ident, "data": data, **keys})


async def _get(url: str) -> tuple[int, str, dict[str, str]]:
    def fetch() -> tuple[int, str, dict[str, str]]:
        try:
            with urllib.request.urlopen(url, timeout=5) as reply:
                return reply.status, reply.read().decode(), dict(reply.headers)
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.read().decode(), dict(exc.headers)

    return await asyncio.get_running_loop().run_in_executor(None, fetch)


@bounded
async def test_the_client_sends_acked_publishes_and_resumes_through_starlette() -> None:
    server, seen = _chat(**FAST)
    async with uvicorn_serving(_routed(server)) as port:
        url = f"ws://127.0.0.1:{port}/ws"
        async with Client(proto, url, name="reader") as reader, Client(proto, url) as writer:
            await reader.subscribe("room.lobby")
            await writer.send(proto.MessageSentV3(**sent_v3("first")), ack=True)
            assert (await reader.receive(timeout=5)).body == "first"
            session = reader.session
            [link] = [x for x in server.hub.links.values() if x.conn.client == "reader"]
            link.transport.abort()  # the link drops; the session is kept
            await reader.wait_state("reconnecting", "offline", timeout=5)
            await reader.wait_state("open", timeout=5)
            assert reader.resumed and reader.session == session
            await writer.send(proto.MessageSentV3(**sent_v3("second")), ack=True)
            assert (await reader.receive(timeout=5)).body == "second"  # still subscribed
    assert [m.body for m, _ in seen] == ["first", "second"]


@bounded
async def test_raw_handshake_versions_acks_nacks_and_errors_under_a_mount() -> None:
    server, seen = _chat()
    app = Starlette(routes=[Mount("/ws", app=server.asgi())])
    async with uvicorn_serving(app) as port:
        ws = await _raw_at(port, "/ws/")
        assert ws.subprotocol == "wiretype.v1"
        await ws.send(hello({"chat.message_sent": [1, 2]}))
        welcome = await frames_until(ws, "wiretype.welcome")
        assert welcome["data"]["versions"]["chat.message_sent"] == 2
        await ws.send(_message("m3", v=3))
        assert (await frames_until(ws, "wiretype.nack"))["data"]["code"] == "unsupported_version"
        await ws.send(_message("ok", v=2, ack=True))
        ack = await frames_until(ws, "wiretype.ack")
        assert ack["re"] == "ok" and ack["seq"] >= 1 and ack["epoch"] == welcome["epoch"]
        await ws.send(_message("ok", v=2, ack=True))  # a retry: the same answer, run once
        assert (await frames_until(ws, "wiretype.ack"))["re"] == "ok"
        await ws.send(_message("no", "refuse", v=2, ack=True))
        nack = await frames_until(ws, "wiretype.nack")
        assert nack["re"] == "no" and nack["data"]["code"] == "conflict"
        bad = json.loads(_message("bad", v=2))
        bad["data"]["room"] = 7
        await ws.send(json.dumps(bad))
        invalid = await frames_until(ws, "wiretype.nack")
        assert invalid["data"]["code"] == "invalid"
        assert [e["path"] for e in invalid["data"]["errors"]] == ["/room"]
        await ws.send("not json")
        assert (await frames_until(ws, "wiretype.error"))["data"]["code"] == "bad_frame"
        await ws.send(b"\x00binary")
        assert (await frames_until(ws, "wiretype.error"))["data"]["code"] == "bad_frame"
        await ws.close()
    assert len(seen) == 1 and type(seen[0][0]).__wire_version__ == 3


async def _raw_at(port: int, path: str, **options: Any) -> Any:
    from websockets.asyncio.client import connect

    options.setdefault("subprotocols", ["wiretype.v1"])
    return await connect(f"ws://127.0.0.1:{port}{path}", ping_interval=None, **options)


@bounded
async def test_raw_resume_replays_what_was_missed() -> None:
    server, _ = _chat()
    async with uvicorn_serving(_routed(server)) as port:
        ws = await _raw_at(port, "/ws")
        await ws.send(hello())
        welcome = await frames_until(ws, "wiretype.welcome")
        session, epoch = welcome["data"]["session"], welcome["epoch"]
        for n in range(3):
            await ws.send(_message(f"a{n}", ack=True))
            await frames_until(ws, "wiretype.ack")
        ws.transport.abort()
        again = await _raw_at(port, "/ws")
        await again.send(hello(resume={"session": session, "last_seq": 1, "epoch": epoch}))
        resumed = await frames_until(again, "wiretype.welcome")
        assert resumed["data"]["resumed"] is True
        replay = [await frames_until(again, "wiretype.ack") for _ in range(2)]
        assert [(f["seq"], f["re"]) for f in replay] == [(2, "a1"), (3, "a2")]
        await again.close()


@bounded
async def test_heartbeat_pings_pongs_then_4410_and_a_silent_peer_is_4408() -> None:
    server, _ = _chat(heartbeat_ms=150, heartbeat_grace_ms=150, handshake_timeout_ms=200)
    async with uvicorn_serving(_routed(server), lifespan="off") as port:  # the sweep starts
        ws = await _raw_at(port, "/ws")  # with the first connection
        await ws.send(hello())
        await frames_until(ws, "wiretype.welcome")
        ping = await frames_until(ws, "wiretype.ping", skip=())
        pong = {"type": "wiretype.pong", "v": 1, "id": "p", "data": ping["data"]}
        await ws.send(json.dumps(pong))
        assert await closed_code(ws) == 4410
        silent = await _raw_at(port, "/ws")
        assert await closed_code(silent) == 4408


@bounded
async def test_admission_origin_auth_caps_and_health_under_asgi() -> None:
    def auth(request: Any) -> str | None:
        token = request.headers.get("Authorization")
        if token == "Bearer banned":
            raise Reject("forbidden", "banned")
        return "ada" if token == "Bearer good" else None

    server, seen = _chat(auth=auth, origins=["https://chat.example"], max_connections=1)
    app = Starlette(routes=[Mount("/ws", app=server.asgi())])
    good = {"additional_headers": {"Authorization": "Bearer good"}}
    async with uvicorn_serving(app) as port:
        refusals = []
        for options in (
            {"origin": "https://evil.example", **good},
            {},
            {"additional_headers": {"Authorization": "Bearer banned"}},
        ):
            with pytest.raises(InvalidStatus) as refused:
                await _raw_at(port, "/ws/", **options)
            refusals.append(refused.value.response.status_code)
        assert refusals == [403, 401, 403]
        url = f"ws://127.0.0.1:{port}/ws/"
        async with Client(proto, url, headers={"Authorization": "Bearer good"}) as client:
            with pytest.raises(InvalidStatus) as full:
                await _raw_at(port, "/ws/", **good)
            assert full.value.response.status_code == 503
            assert int(full.value.response.headers["Retry-After"]) >= 1
            await client.send(proto.MessageSentV3(**sent_v3()), ack=True)
        status, text, _ = await _get(f"http://127.0.0.1:{port}/ws/healthz")
        assert (status, json.loads(text)["status"]) == (200, "ok")
    assert [principal for _, principal in seen] == ["ada"]


@bounded
async def test_readiness_turns_503_while_draining_and_clients_get_status_then_1001() -> None:
    server, _ = _chat()
    async with uvicorn_serving(server.asgi()) as port:
        status, text, _ = await _get(f"http://127.0.0.1:{port}/readyz")
        assert (status, text) == (200, "ready\n")
        status, text, _ = await _get(f"http://127.0.0.1:{port}/healthz")
        assert (status, json.loads(text)["status"]) == (200, "ok")
        assert (await _get(f"http://127.0.0.1:{port}/"))[0] == 426
        ws = await _raw_at(port, "/")
        await ws.send(hello())
        await frames_until(ws, "wiretype.welcome")
        drain = asyncio.create_task(server.drain(deadline_ms=2_000))
        status_frame = await frames_until(ws, "wiretype.status")
        assert status_frame["data"]["state"] == "draining"
        assert await closed_code(ws) == 1001
        status, text, _ = await _get(f"http://127.0.0.1:{port}/readyz")
        assert (status, text) == (503, "draining\n")
        await drain


@bounded
async def test_a_reader_that_stops_reading_is_evicted_and_resumes_under_asgi() -> None:
    server = Server(proto, max_buffer_bytes=64 * 1024)
    big = proto.MessageSentV3(**sent_v3("x" * 3900))
    async with uvicorn_serving(server.asgi()) as port:
        ws = await _raw_at(port, "/", max_size=None)
        await ws.send(hello())
        welcome = await frames_until(ws, "wiretype.welcome")
        await ws.send(json.dumps(_subscribe("room")))
        await frames_until(ws, "wiretype.ack")
        ws.transport.pause_reading()  # a reader that stopped reading
        for _ in range(20_000):
            server.publish_now("room", big)
            if server.counters.get("dropped_slow"):
                break
            await asyncio.sleep(0)
        assert server.counters.get("dropped_slow") == 1
        ws.transport.abort()
        while server.connections:
            await asyncio.sleep(0.01)
        session = await server.store.find(welcome["data"]["session"])
        assert session is not None and session.topics == {"room"}
        # the replay is bounded (max_buffer_bytes): a client that read all but the last frame
        last = session.seq
        again = await _raw_at(port, "/", max_size=None)
        resume = {"session": session.id, "last_seq": last - 1, "epoch": welcome["epoch"]}
        await again.send(hello(resume=resume))
        assert (await frames_until(again, "wiretype.welcome"))["data"]["resumed"] is True
        assert (await frames_until(again, "chat.message_sent"))["seq"] == last
        await again.close()


def _subscribe(*topics: str) -> dict[str, Any]:
    return {
        "type": "wiretype.subscribe",
        "v": 1,
        "id": "s",
        "ack": True,
        "data": {"topics": topics},
    }


APP_MODULE = textwrap.dedent("""
    import chat_protocol as proto
    from starlette.applications import Starlette
    from starlette.routing import WebSocketRoute
    from wiretype import Server

    server = Server(proto)

    @server.on("chat.message_sent")
    async def posted(msg, ctx):
        return None

    app = Starlette(routes=[WebSocketRoute("/ws", server.asgi())])
""")


@bounded
async def test_the_uvicorn_command_serves_a_starlette_app_with_the_runtime(tmp_path: Path) -> None:
    (tmp_path / "chat_app.py").write_text(APP_MODULE)
    port = _free_port()
    command = [sys.executable, "-m", "uvicorn", "chat_app:app", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--ws", "websockets-sansio", "--log-level", "warning"]
    path = [tmp_path, ROOT, ROOT / "generated" / "python", ROOT / "examples/chat/generated/python"]
    env = {"PYTHONPATH": ":".join(map(str, path)), "PATH": ""}
    process = subprocess.Popen(command, cwd=tmp_path, env=env)
    try:
        await _until_listening(port, process)  # type: ignore[arg-type]
        async with Client(proto, f"ws://127.0.0.1:{port}/ws") as client:
            await client.send(proto.MessageSentV3(**sent_v3()), ack=True)
        process.send_signal(signal.SIGTERM)
        code = await asyncio.get_running_loop().run_in_executor(None, process.wait)
        assert code in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once it is done
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
