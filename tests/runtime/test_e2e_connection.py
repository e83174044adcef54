"""End to end over 127.0.0.1: connection state, disconnects, reconnection and resume."""

from __future__ import annotations

import asyncio
import json

import chat_protocol as proto
import pytest

from tests.runtime.e2e import FAST, bounded, closed_code, frames_until, hello, raw
from tests.runtime.helpers import sent_v3
from wiretype import Client, Context, HandshakeFailed, Server

pytestmark = pytest.mark.timeout(30)


def _v3(body: str) -> proto.MessageSentV3:
    return proto.MessageSentV3(**sent_v3(body))


def _abort_all(server: Server) -> None:
    for link in list(server.hub.links.values()):
        link.transport.abort()


@bounded
async def test_status_events_through_open_drop_reconnect_and_close() -> None:
    server = Server(proto, **FAST)
    states: list[str] = []
    async with server.serving():
        client = Client(proto, f"ws://127.0.0.1:{server.port}", **FAST)
        client.on_status(states.append)
        async with client:
            _abort_all(server)
            await client.wait_state("reconnecting")
            await client.wait_state("open")
    assert states[:2] == ["connecting", "open"]
    assert states[-1] == "closed"
    assert "reconnecting" in states and states.count("open") == 2


@bounded
async def test_a_dropped_connection_resumes_with_nothing_lost_and_order_kept() -> None:
    server = Server(proto, **FAST)
    async with server.serving():  # noqa: SIM117 (the client needs the port)
        async with Client(proto, f"ws://127.0.0.1:{server.port}", **FAST) as client:
            await client.subscribe("room")
            first = client.session
            for n in range(10):
                await server.publish("room", _v3(str(n)))
            _abort_all(server)
            for n in range(10, 20):
                await server.publish("room", _v3(str(n)))
            got = [(await client.receive(5)).body for _ in range(20)]
            await client.wait_state("open")
            assert client.session == first and client.resumed is True
    assert got == [str(n) for n in range(20)]


@bounded
async def test_acked_sends_across_a_drop_run_their_handler_once() -> None:
    server = Server(proto, **FAST)
    handled: list[str] = []
    gate = asyncio.Event()

    @server.on("chat.message_sent")
    async def posted(msg: proto.MessageSentV3, ctx: Context) -> None:
        handled.append(msg.body)
        if msg.body == "0":
            gate.set()

    async with server.serving():  # noqa: SIM117 (the client needs the port)
        async with Client(proto, f"ws://127.0.0.1:{server.port}", **FAST) as client:
            sends = [asyncio.create_task(client.send(_v3(str(n)), ack=True)) for n in range(5)]
            await gate.wait()
            _abort_all(server)
            await asyncio.gather(*sends)
    assert sorted(handled) == [str(n) for n in range(5)]


@bounded
async def test_a_restarted_server_gives_resumed_false_and_subscriptions_come_back() -> None:
    first = Server(proto, **FAST)
    await first.start("127.0.0.1", 0)
    port = first.port
    client = Client(proto, f"ws://127.0.0.1:{port}", **FAST)
    async with client:
        await client.subscribe("room")
        old_session = client.session
        await first.close()
        await client.wait_state("offline", "reconnecting")
        second = Server(proto, **FAST)
        async with second.serving("127.0.0.1", port):
            await client.wait_state("open")
            assert client.resumed is False and client.session != old_session
            for _ in range(100):
                if await second.publish("room", _v3("after")) == 1:
                    break
                await asyncio.sleep(0.01)
            assert (await client.receive(5)).body == "after"


@bounded
async def test_drain_sends_status_then_1001_and_clients_move_to_another_server() -> None:
    one, two = Server(proto, **FAST), Server(proto, **FAST)
    async with one.serving(), two.serving():
        urls = [f"ws://127.0.0.1:{one.port}", f"ws://127.0.0.1:{two.port}"]
        async with Client(proto, urls=urls, **FAST) as client:
            await client.wait_open()  # on a random one of the two: drain that one
            first, other = (one, two) if one.connections == 1 else (two, one)
            ws = await raw(first.port)
            await ws.send(hello())
            await frames_until(ws, "wiretype.welcome")
            drain = asyncio.create_task(first.drain(deadline_ms=2_000))
            status = await frames_until(ws, "wiretype.status")
            assert status["data"]["state"] == "draining"
            assert status["data"]["reason"] == "shutdown"
            assert await closed_code(ws) == 1001
            await drain
            await client.wait_state("reconnecting")
            await client.wait_state("open")
            assert client.last_status is not None and client.last_status.state == "draining"
            assert other.connections == 1


@bounded
async def test_a_peer_that_stops_talking_is_closed_4410() -> None:
    server = Server(proto, heartbeat_ms=100, heartbeat_grace_ms=100)
    async with server.serving():
        ws = await raw(server.port)
        await ws.send(hello())
        await frames_until(ws, "wiretype.welcome")
        assert await closed_code(ws) == 4410


@bounded
async def test_the_client_keeps_a_link_alive_through_heartbeats() -> None:
    server = Server(proto, heartbeat_ms=100, heartbeat_grace_ms=150)
    pings = 0
    async with server.serving(), Client(proto, f"ws://127.0.0.1:{server.port}") as client:
        ws = await raw(server.port)
        await ws.send(hello())
        await frames_until(ws, "wiretype.welcome")
        while pings < 4:  # a raw peer that answers: four heartbeats go by
            ping = await frames_until(ws, "wiretype.ping", skip=())
            await ws.send(
                json.dumps(
                    {
                        "type": "wiretype.pong",
                        "v": 1,
                        "id": f"p{pings}",
                        "data": {"nonce": ping["data"]["nonce"]},
                    }
                )
            )
            pings += 1
        assert client.state == "open"
        [link] = [x for x in server.hub.links.values() if x.conn.client == "raw"]
        assert link.context is not None and link.context.rtt_ms is not None
        await ws.close()


@bounded
async def test_a_server_that_goes_silent_is_dropped_by_the_client() -> None:
    import websockets

    async def mute(ws: websockets.asyncio.server.ServerConnection) -> None:
        raw_hello = json.loads(await ws.recv())
        await ws.send(
            json.dumps(
                {
                    "type": "wiretype.welcome",
                    "v": 1,
                    "id": "w",
                    "data": {
                        "session": "s",
                        "heartbeat_ms": 100,
                        "versions": {"wiretype.ack": 1},
                        "limits": {"max_frame_bytes": 1000, "max_in_flight": 5},
                    },
                }
            )
        )
        assert raw_hello["type"] == "wiretype.hello"
        await ws.wait_closed()

    async with websockets.asyncio.server.serve(mute, "127.0.0.1", 0, ping_interval=None) as silent:
        port = silent.sockets[0].getsockname()[1]
        client = Client(
            proto, f"ws://127.0.0.1:{port}", heartbeat_grace_ms=100, backoff_min_ms=5_000
        )
        async with client:
            await client.wait_state("reconnecting")


@bounded
async def test_handshake_failure_is_final_and_raised() -> None:
    server = Server(proto)
    async with server.serving():
        client = Client(proto, f"ws://127.0.0.1:{server.port}", registry="another")
        with pytest.raises(HandshakeFailed) as failed:
            async with client:
                pass
    assert failed.value.code == 4406
    assert client.state == "closed"


@bounded
async def test_client_close_1000_ends_the_session_a_drop_keeps_it() -> None:
    server = Server(proto, **FAST)
    async with server.serving():
        async with Client(proto, f"ws://127.0.0.1:{server.port}", **FAST) as client:
            session = client.session
            assert session is not None
            _abort_all(server)
            await client.wait_state("reconnecting")
            assert await server.store.find(session) is not None
            await client.wait_state("open")
        while server.connections:
            await asyncio.sleep(0.01)
        assert await server.store.find(session) is None


@bounded
async def test_sessions_are_cleaned_up_after_session_ttl() -> None:
    server = Server(proto, session_ttl_ms=50, sweep_ms=20)
    async with server.serving():
        ws = await raw(server.port)
        await ws.send(hello())
        welcome = await frames_until(ws, "wiretype.welcome")
        ws.transport.abort()
        while len(server.store):
            await asyncio.sleep(0.01)
        assert await server.store.find(welcome["data"]["session"]) is None


@bounded
async def test_presence_tells_subscribers_who_joined_and_left() -> None:
    server = Server(proto, presence=["room.*"], auth=lambda request: "ada")
    async with server.serving():
        url = f"ws://127.0.0.1:{server.port}"
        async with Client(proto, url, name="watcher") as watcher:
            await watcher.subscribe("room.lobby")
            joined_self = await watcher.receive(5)
            assert joined_self.event == "joined" and joined_self.members == 1
            async with Client(proto, url, name="visitor") as visitor:
                await visitor.subscribe("room.lobby")
                joined = await watcher.receive(5)
            left = await watcher.receive(5)
    assert (joined.event, joined.client, joined.user, joined.members) == (
        "joined",
        "visitor",
        "ada",
        2,
    )
    assert (left.event, left.client) == ("left", "visitor")
