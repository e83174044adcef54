"""End to end over 127.0.0.1: the client's offline queue (priority, expiry, persistence)."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import chat_protocol as proto
import pytest

from tests.runtime.e2e import FAST, bounded
from tests.runtime.helpers import sent_v3
from wiretype import Client, Context, SendFailed, Server

pytestmark = pytest.mark.timeout(30)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _v3(body: str) -> proto.MessageSentV3:
    return proto.MessageSentV3(**sent_v3(body))


def _recording_server() -> tuple[Server, list[str], asyncio.Event]:
    server = Server(proto, **FAST)
    bodies: list[str] = []
    done = asyncio.Event()

    @server.on("chat.message_sent")
    async def posted(msg: proto.MessageSentV3, ctx: Context) -> None:
        bodies.append(msg.body)
        if msg.body == "done":
            done.set()

    return server, bodies, done


@bounded
async def test_sends_while_offline_flush_after_the_handshake_by_priority_then_age() -> None:
    port = _free_port()
    client = Client(proto, f"ws://127.0.0.1:{port}", **FAST)
    await client.start()
    await client.wait_state("offline")
    for body, prio in (("b-4", 4), ("a-0", 0), ("c-4", 4), ("done", 9), ("d-1", 1)):
        await client.send(_v3(body), prio=prio)
    assert await client.send(_v3("volatile"), volatile=True) is None
    server, bodies, done = _recording_server()
    async with server.serving("127.0.0.1", port):
        client.retry_now()
        await done.wait()
        await client.close()
    assert bodies == ["a-0", "d-1", "b-4", "c-4", "done"]
    assert client.counters["dropped_volatile"] == 1


@bounded
async def test_a_queued_message_past_its_ttl_is_dropped_and_its_sender_told() -> None:
    port = _free_port()
    client = Client(proto, f"ws://127.0.0.1:{port}", **FAST)
    await client.start()
    stale = asyncio.create_task(client.send(_v3("stale"), ack=True, ttl=50))
    with pytest.raises(SendFailed) as failed:
        await stale
    assert failed.value.code == "expired"
    assert client.counters["dropped_expired"] == 1
    server, bodies, _ = _recording_server()
    async with server.serving("127.0.0.1", port):
        client.retry_now()
        await client.send(_v3("done"), ack=True)
        await client.close()
    assert bodies == ["done"]


@bounded
async def test_an_acked_send_queued_offline_returns_once_delivered() -> None:
    port = _free_port()
    client = Client(proto, f"ws://127.0.0.1:{port}", **FAST)
    await client.start()
    pending = asyncio.create_task(client.send(_v3("later"), ack=True))
    await client.wait_state("offline")
    assert not pending.done()
    server, bodies, _ = _recording_server()
    async with server.serving("127.0.0.1", port):
        client.retry_now()
        await pending
        await client.close()
    assert bodies == ["later"]


@bounded
async def test_queue_path_keeps_the_offline_queue_across_a_restart(tmp_path: Path) -> None:
    port = _free_port()
    path = tmp_path / "queue.db"
    first = Client(proto, f"ws://127.0.0.1:{port}", queue_path=path, **FAST)
    await first.start()
    for body in ("one", "two", "done"):
        await first.send(_v3(body))
    await first.close()  # the process "exits" with three messages queued
    server, bodies, done = _recording_server()
    async with server.serving("127.0.0.1", port):
        second = Client(proto, f"ws://127.0.0.1:{port}", queue_path=path, **FAST)
        async with second:
            await done.wait()
    assert bodies == ["one", "two", "done"]
    third = Client(proto, f"ws://127.0.0.1:{port}", queue_path=path, **FAST)
    assert len(third.core.queue) == 0  # delivered messages are gone from the file
    await third.close()
