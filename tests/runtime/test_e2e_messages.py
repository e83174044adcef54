"""End to end over 127.0.0.1: the real Server and Client, message validation and processing."""

from __future__ import annotations

import asyncio
import json
import logging

import chat_protocol as proto
import pytest

from tests.runtime.e2e import FAST, bounded, frames_until, hello, raw
from tests.runtime.helpers import sent_v1, sent_v3
from wiretype import Client, Context, Reject, SendFailed, Server

pytestmark = pytest.mark.timeout(30)


def _v3(body: str = "hi", **extra: object) -> proto.MessageSentV3:
    return proto.MessageSentV3(**sent_v3(body, **extra))


@bounded
async def test_round_trip_with_ack_and_publish_to_every_version() -> None:
    server = Server(proto, **FAST)
    seen: list[proto.MessageSentV3] = []

    @server.on("chat.message_sent")
    async def posted(msg: proto.MessageSentV3, ctx: Context) -> None:
        seen.append(msg)
        await ctx.publish("room.lobby", msg)

    async with server.serving():
        url = f"ws://127.0.0.1:{server.port}"
        async with (
            Client(proto, url, name="old", speaks={"chat.message_sent": [1]}) as old,
            Client(proto, url, name="mid", speaks={"chat.message_sent": [2]}) as mid,
            Client(proto, url, name="new", **FAST) as new,
        ):
            for c in (old, mid, new):
                await c.subscribe("room.lobby")
            await new.send(_v3("hello", priority="alert"), ack=True)
            got_old, got_mid, got_new = [await c.receive(5) for c in (old, mid, new)]
            assert isinstance(got_old, proto.MessageSentV1) and got_old.text == "hello"
            assert got_old.priority == "high"
            assert isinstance(got_mid, proto.MessageSentV2) and got_mid.priority == "urgent"
            assert isinstance(got_new, proto.MessageSentV3) and got_new.priority == "alert"
            assert old.versions["chat.message_sent"] == 1
    assert [m.body for m in seen] == ["hello"]


@bounded
async def test_an_old_client_sends_v1_and_the_handler_gets_v3() -> None:
    server = Server(proto)
    seen: list[object] = []

    @server.on("chat.message_sent")
    async def posted(msg: object, ctx: Context) -> None:
        seen.append(msg)

    async with server.serving():
        url = f"ws://127.0.0.1:{server.port}"
        async with Client(proto, url, speaks={"chat.message_sent": [1]}) as old:
            await old.send(proto.MessageSentV1(**sent_v1("from v1")), ack=True)
    [msg] = seen
    assert isinstance(msg, proto.MessageSentV3) and msg.body == "from v1"


@bounded
async def test_invalid_data_is_rejected_with_errors_and_the_connection_stays_open() -> None:
    server = Server(proto)

    @server.on("chat.message_sent")
    async def posted(msg: object, ctx: Context) -> None:
        raise AssertionError("never for invalid data")

    async with server.serving():
        ws = await raw(server.port)
        await ws.send(hello({"chat.message_sent": [1]}))
        await frames_until(ws, "wiretype.welcome")
        await ws.send(
            json.dumps(
                {
                    "type": "chat.message_sent",
                    "v": 1,
                    "id": "m1",
                    "ack": True,
                    "data": sent_v1(room=""),
                }
            )
        )
        nack = await frames_until(ws, "wiretype.nack")
        assert nack["re"] == "m1" and nack["data"]["code"] == "invalid"
        assert nack["data"]["errors"][0]["path"] == "/room"
        await ws.send(
            json.dumps({"type": "chat.message_sent", "v": 3, "id": "m2", "data": sent_v3()})
        )
        nack = await frames_until(ws, "wiretype.nack")
        assert nack["data"]["code"] == "unsupported_version"
        await ws.close()


@bounded
async def test_reject_reaches_the_sender_as_send_failed_with_its_code() -> None:
    server = Server(proto)

    @server.on("chat.message_sent")
    async def posted(msg: object, ctx: Context) -> None:
        raise Reject("forbidden", "sign in first")

    async with server.serving(), Client(proto, f"ws://127.0.0.1:{server.port}") as client:
        with pytest.raises(SendFailed) as failed:
            await client.send(_v3(), ack=True)
    assert (failed.value.code, failed.value.reason) == ("forbidden", "sign in first")


@bounded
async def test_a_crashing_handler_is_internal_logged_with_traceback_never_sent(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = Server(proto)

    @server.on("chat.message_sent")
    async def posted(msg: object, ctx: Context) -> None:
        raise RuntimeError("secret detail")

    caplog.set_level(logging.ERROR, logger="wiretype")
    async with server.serving():
        ws = await raw(server.port)
        await ws.send(hello({"chat.message_sent": [3]}))
        await frames_until(ws, "wiretype.welcome")
        await ws.send(
            json.dumps(
                {"type": "chat.message_sent", "v": 3, "id": "m1", "ack": True, "data": sent_v3()}
            )
        )
        nack = await frames_until(ws, "wiretype.nack")
        await ws.close()
    assert nack["data"]["code"] == "internal"
    assert "secret" not in json.dumps(nack)
    [record] = [r for r in caplog.records if r.exc_info]
    assert "secret detail" in str(record.exc_info[1])


@bounded
async def test_routing_exact_patterns_fallback_and_no_handler() -> None:
    server = Server(proto)
    calls: list[str] = []

    @server.on("chat.typing")
    async def typing(msg: object, ctx: Context) -> None:
        calls.append("exact")

    @server.on("chat.message_*")
    async def messages(msg: object, ctx: Context) -> None:
        calls.append("pattern")

    async with server.serving(), Client(proto, f"ws://127.0.0.1:{server.port}") as client:
        await client.send(
            proto.TypingV1(room="r", user_id=sent_v1()["author"]["id"], typing=True), ack=True
        )
        await client.send(_v3(), ack=True)
        with pytest.raises(SendFailed) as failed:
            await client.send(
                proto.ReactionAddedV1(
                    message_id=sent_v1()["id"],
                    room="r",
                    user_id=sent_v1()["author"]["id"],
                    emoji="x",
                ),
                ack=True,
            )
        assert failed.value.code == "no_handler"

        @server.on("*")
        async def fallback(msg: object, ctx: Context) -> None:
            calls.append("fallback")

        server.hub.router.routes.pop("chat.reaction_added", None)
        await client.send(
            proto.ReactionAddedV1(
                message_id=sent_v1()["id"], room="r", user_id=sent_v1()["author"]["id"], emoji="y"
            ),
            ack=True,
        )
    assert calls == ["exact", "pattern", "fallback"]


@bounded
async def test_middleware_runs_in_order_around_the_handler_and_can_refuse() -> None:
    server = Server(proto)
    order: list[str] = []

    async def outer(msg: object, ctx: Context, call_next: object) -> None:
        order.append("outer")
        await call_next()  # type: ignore[operator]
        order.append("outer-after")

    async def gate(msg: object, ctx: Context, call_next: object) -> None:
        order.append("gate")
        if getattr(getattr(msg, "data", None), "body", "") == "blocked":
            raise Reject("forbidden", "blocked")
        await call_next()  # type: ignore[operator]

    server.use(outer)
    server.use(gate)

    @server.on("chat.message_sent")
    async def posted(msg: object, ctx: Context) -> None:
        order.append("handler")

    async with server.serving(), Client(proto, f"ws://127.0.0.1:{server.port}") as client:
        await client.send(_v3("fine"), ack=True)
        with pytest.raises(SendFailed):
            await client.send(_v3("blocked"), ack=True)
    assert order == ["outer", "gate", "handler", "outer-after", "outer", "gate"]


@bounded
async def test_ctx_send_reaches_this_connection_only_in_its_version() -> None:
    server = Server(proto)

    @server.on("chat.message_sent")
    async def echo(msg: proto.MessageSentV3, ctx: Context) -> None:
        await ctx.send(msg)

    async with server.serving():
        url = f"ws://127.0.0.1:{server.port}"
        async with Client(proto, url, speaks={"chat.message_sent": [2]}) as client:
            await client.send(
                proto.MessageSentV2(**{**sent_v3("echo"), "priority": "urgent"}), ack=True
            )
            back = await client.receive(5)
    assert isinstance(back, proto.MessageSentV2) and back.body == "echo"
    assert back.priority == "urgent"


@bounded
async def test_messages_keep_their_order_on_a_connection() -> None:
    server = Server(proto)
    bodies: list[str] = []

    @server.on("chat.message_sent")
    async def posted(msg: proto.MessageSentV3, ctx: Context) -> None:
        bodies.append(msg.body)
        await asyncio.sleep(0)

    async with server.serving(), Client(proto, f"ws://127.0.0.1:{server.port}") as client:
        for n in range(50):
            await client.send(_v3(str(n)))
        await client.send(_v3("last"), ack=True)
    assert bodies == [str(n) for n in range(50)] + ["last"]


@bounded
async def test_server_publish_from_outside_a_handler() -> None:
    server = Server(proto)
    async with server.serving(), Client(proto, f"ws://127.0.0.1:{server.port}") as client:
        await client.subscribe("news")
        assert await server.publish("news", _v3("extra")) == 1
        got = await client.receive(5)
    assert got.body == "extra"


@bounded
async def test_client_handlers_get_typed_messages() -> None:
    server = Server(proto)
    async with server.serving(), Client(proto, f"ws://127.0.0.1:{server.port}") as client:
        got: asyncio.Queue[object] = asyncio.Queue()

        @client.on("chat.message_sent")
        async def on_message(msg: object) -> None:
            await got.put(msg)

        await client.subscribe("news")
        await server.publish("news", _v3("typed"))
        msg = await asyncio.wait_for(got.get(), 5)
    assert isinstance(msg, proto.MessageSentV3)


@bounded
async def test_a_handler_awaiting_its_own_connections_ack_is_not_stuck_behind_itself(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # the connection's frames are read by the task that runs its handlers: the client's ack
    # of ctx.send(ack=True) cannot be read until the handler returns, so waiting for it
    # hung the handler until the heartbeat closed the link (4410)
    server = Server(proto, **FAST)
    returned: list[str | None] = []

    @server.on("chat.message_sent")
    async def posted(msg: proto.MessageSentV3, ctx: Context) -> None:
        returned.append(await ctx.send(_v3("echo: " + msg.body), ack=True))

    async with (
        server.serving(),
        Client(proto, f"ws://127.0.0.1:{server.port}", **FAST) as client,
    ):
        with caplog.at_level(logging.WARNING, logger="wiretype"):
            await client.send(_v3("ping"), ack=True)
        echo = await client.receive(5)
        assert echo.body == "echo: ping"
        assert client.state == "open" and client.session is not None
    assert len(returned) == 1 and returned[0]
    assert "returns once the frame is written" in caplog.text


@bounded
async def test_a_handler_longer_than_the_heartbeat_deadline_does_not_close_its_link() -> None:
    # the frames of a connection (its pongs too) are read only between its handlers: a
    # handler running past heartbeat_ms + heartbeat_grace_ms closed its own link with 4410,
    # and the client, resending on the next link, ran it again, forever
    server = Server(proto, **FAST)
    gate = asyncio.Event()
    ran: list[str] = []

    @server.on("chat.message_sent")
    async def slow(msg: proto.MessageSentV3, ctx: Context) -> None:
        ran.append(msg.body)
        await gate.wait()

    async with server.serving():
        ws = await raw(server.port)
        await ws.send(hello())
        assert json.loads(await ws.recv())["type"] == "wiretype.welcome"
        await ws.send(json.dumps({"type": "chat.message_sent", "v": 3, "id": "slow-1",
                                  "data": sent_v3("slow"), "ack": True}))  # fmt: skip
        pings = 0
        while pings < 4:  # 4 pings: 800 ms, past the 500 ms deadline, with the handler running
            frame = json.loads(await ws.recv())
            pings += frame["type"] == "wiretype.ping"
        gate.set()
        assert (await frames_until(ws, "wiretype.ack"))["re"] == "slow-1"
        assert ran == ["slow"]
        await ws.close()
