"""/metrics after real traffic over 127.0.0.1: every metric of DESIGN.md's table, with the
values the traffic implies, labels bounded by the registry; /metrics on its own port, under
ASGI, turned off; the authenticated /connections view."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import chat_protocol as proto
import pytest
import wiretype_protocol
from starlette.applications import Starlette
from starlette.routing import Mount
from websockets.exceptions import InvalidStatus

from tests.runtime.e2e import FAST, bounded, closed_code, frames_until, hello, raw
from tests.runtime.helpers import AUTHOR, sent_v3
from tests.runtime.scrape import DESIGN_METRICS, get, label_values, names, scrape, value
from tests.runtime.uvicorn_helpers import uvicorn_serving
from wiretype import Client, Context, Server

pytestmark = pytest.mark.timeout(40)
TYPING = {"room": "lobby", "user_id": AUTHOR["id"], "typing": True}


def _chat(**settings: Any) -> Server:
    server = Server(proto, **{**FAST, **settings})
    sends: set[asyncio.Task[Any]] = set()

    @server.on("chat.message_sent")
    async def posted(msg: Any, ctx: Context) -> None:
        if msg.body == "ack-me":  # a server send the client acknowledges (beside the
            # handler: the connection's next frames, its ack among them, wait for it)
            task = asyncio.create_task(ctx.send(proto.TypingV1(**TYPING), ack=True))
            sends.add(task)
            task.add_done_callback(sends.discard)

    return server


async def _until(check: Any, url: str) -> dict[Any, float]:
    """Scrape until ``check(samples)`` holds (bounded by the test's own time limit)."""
    while True:
        samples = await scrape(url)
        if check(samples):
            return samples
        await asyncio.sleep(0.05)


async def _refused(port: int, **options: Any) -> int:
    try:
        ws = await raw(port, **options)
    except InvalidStatus as exc:
        return exc.response.status_code
    await ws.close()
    return 101


def _v3(body: str) -> Any:
    return proto.MessageSentV3(**sent_v3(body))


@bounded
async def test_every_metric_of_the_design_table_after_traffic_with_the_values_it_implies() -> None:
    server = _chat(origins=["https://chat.example"], metrics_clients=["web@1.4.2"])
    async with server.serving():
        url = f"http://127.0.0.1:{server.port}/metrics"
        async with Client(proto, f"ws://127.0.0.1:{server.port}", name="web", version="1.4.2",
                          **FAST) as client:  # fmt: skip
            for n in range(5):
                await client.send(_v3(f"m{n}"), ack=True)
            await client.send(_v3("ack-me"), ack=True)
            ws = await raw(server.port)
            await ws.send(hello())
            await frames_until(ws, "wiretype.welcome")
            bad = sent_v3("x")
            del bad["room"]
            await ws.send(json.dumps({"type": "chat.message_sent", "v": 3, "id": "b1",
                                      "ack": True, "data": bad}))  # fmt: skip
            assert (await frames_until(ws, "wiretype.nack"))["data"]["code"] == "invalid"
            evil = f"evil.{uuid.uuid4()}"
            await ws.send(json.dumps({"type": evil, "v": 1, "id": "e1", "data": {}}))
            assert (await frames_until(ws, "wiretype.error"))["data"]["code"] == "unknown_type"
            assert await _refused(server.port, origin="https://evil.example") == 403
            samples = await _until(
                lambda s: (
                    value(s, "wiretype_ping_rtt_seconds_count") >= 1
                    and value(s, "wiretype_ack_seconds_count") >= 1
                ),
                url,
            )
            assert set(DESIGN_METRICS) <= names(samples)
            assert value(samples, "wiretype_connections") == 2
            assert value(samples, "wiretype_connection_capacity") == 10_000
            assert value(samples, "wiretype_connects_total", outcome="ok") == 2
            assert value(samples, "wiretype_connects_total", outcome="origin") == 1
            assert value(samples, "wiretype_messages_total", direction="in",
                         type="chat.message_sent", v="3") == 7  # fmt: skip
            assert value(samples, "wiretype_messages_total", direction="in",
                         type="other") == 1  # fmt: skip
            assert value(samples, "wiretype_messages_total", direction="out",
                         type="wiretype.ack") >= 6  # fmt: skip
            assert value(samples, "wiretype_messages_total", direction="out",
                         type="chat.typing", v="1") == 1  # fmt: skip
            assert value(samples, "wiretype_message_errors_total", code="invalid") == 1
            assert value(samples, "wiretype_message_errors_total", code="unknown_type") == 1
            assert value(samples, "wiretype_handler_seconds_count", type="chat.message_sent") == 6
            assert value(samples, "wiretype_bytes_total", direction="in") > 7 * 200
            assert value(samples, "wiretype_bytes_total", direction="out") > 0
            assert value(samples, "wiretype_queue_depth", queue="replay") > 0
            assert value(samples, "wiretype_client_connections", client="web",
                         client_version="1.4.2") == 1  # fmt: skip
            assert value(samples, "wiretype_client_connections", client="other") == 1
            await ws.close()
            samples = await _until(
                lambda s: value(s, "wiretype_disconnects_total", code="1000") == 1, url
            )
            assert value(samples, "wiretype_connection_duration_seconds_count") == 1
            # labels: the registry's names, the known codes, never a session or a peer's text
            text = (await get(url))[1]
            assert "evil" not in text and client.session is not None
            assert client.session not in text
            types = label_values(samples, "wiretype_messages_total", "type")
            assert types <= {*proto.MESSAGES, *wiretype_protocol.MESSAGES, "other"}
            codes = label_values(samples, "wiretype_disconnects_total", "code")
            assert all(c == "other" or c.isdigit() for c in codes)


@bounded
async def test_negotiated_versions_of_live_clients_are_exported_per_message_version() -> None:
    server = _chat()
    async with server.serving():
        url = f"ws://127.0.0.1:{server.port}"
        async with (
            Client(proto, url, speaks={"chat.message_sent": [1]}),
            Client(proto, url, speaks={"chat.message_sent": [1, 2]}),
            Client(proto, url),
        ):
            samples = await scrape(f"http://127.0.0.1:{server.port}/metrics")
            spoken = {
                v: value(samples, "wiretype_negotiated_connections", type="chat.message_sent", v=v)
                for v in ("1", "2", "3")
            }
            assert spoken == {"1": 1, "2": 1, "3": 1}
            assert value(samples, "wiretype_negotiated_connections", type="wiretype.hello",
                         v="1") == 3  # fmt: skip


@bounded
async def test_handshakes_that_fail_are_counted_by_outcome_and_closes_by_code() -> None:
    server = _chat(handshake_timeout_ms=200, max_connections=2)
    async with server.serving():
        url = f"http://127.0.0.1:{server.port}/metrics"
        silent = await raw(server.port)  # no hello: 4408
        rude = await raw(server.port)  # a frame before hello: 4400
        assert await _refused(server.port) == 503  # two are open: the pool is full
        await rude.send(json.dumps({"type": "chat.typing", "v": 1, "id": "t", "data": TYPING}))
        assert await closed_code(rude) == 4400
        assert await closed_code(silent) == 4408
        samples = await _until(
            lambda s: (
                value(s, "wiretype_connects_total", outcome="timeout") == 1
                and value(s, "wiretype_connects_total", outcome="protocol") == 1
            ),
            url,
        )
        assert value(samples, "wiretype_connects_total", outcome="full") == 1
        assert value(samples, "wiretype_connects_total", outcome="ok") == 0
        assert value(samples, "wiretype_disconnects_total", code="4408") == 1
        assert value(samples, "wiretype_disconnects_total", code="4400") == 1
        assert value(samples, "wiretype_message_errors_total", code="handshake_required") == 1


@bounded
async def test_two_servers_in_one_process_keep_their_own_figures() -> None:
    one, two = _chat(), _chat()
    async with one.serving(), two.serving():
        async with Client(proto, f"ws://127.0.0.1:{one.port}") as client:
            await client.send(_v3("only one"), ack=True)
        first = await scrape(f"http://127.0.0.1:{one.port}/metrics")
        second = await scrape(f"http://127.0.0.1:{two.port}/metrics")
        sent = {"direction": "in", "type": "chat.message_sent", "v": "3"}
        assert value(first, "wiretype_messages_total", **sent) == 1
        assert value(second, "wiretype_messages_total", **sent) == 0
        assert one.metrics is not None and two.metrics is not None
        assert one.metrics.registry is not two.metrics.registry


@bounded
async def test_metrics_port_moves_metrics_off_the_websocket_port() -> None:
    server = _chat(metrics_port=0)
    async with server.serving():
        assert server.metrics is not None and server.metrics.port
        assert server.metrics_port == server.metrics.port  # port 0: read the one it took
        status, text, _ = await get(f"http://127.0.0.1:{server.port}/metrics")
        assert status == 404 and f"served on port {server.metrics.port}" in text
        samples = await scrape(f"http://127.0.0.1:{server.metrics.port}/metrics")
        assert set(DESIGN_METRICS) <= names(samples)
        for port in (server.port, server.metrics.port):
            status, text, _ = await get(f"http://127.0.0.1:{port}/readyz")
            assert (status, text) == (200, "ready\n")
        assert (await get(f"http://127.0.0.1:{server.metrics.port}/nothing"))[0] == 404


@bounded
async def test_metrics_can_be_turned_off() -> None:
    server = _chat(metrics=False)
    async with server.serving():
        async with Client(proto, f"ws://127.0.0.1:{server.port}") as client:
            await client.send(_v3("unmetered"), ack=True)
        status, text, _ = await get(f"http://127.0.0.1:{server.port}/metrics")
        assert status == 404 and "metrics are off" in text
        assert (await get(f"http://127.0.0.1:{server.port}/healthz"))[0] == 200


@bounded
async def test_metrics_under_asgi_mounted_in_starlette() -> None:
    server = _chat()
    app = Starlette(routes=[Mount("/ws", app=server.asgi())])
    async with uvicorn_serving(app) as port, Client(proto, f"ws://127.0.0.1:{port}/ws/") as client:
        await client.send(_v3("asgi"), ack=True)
        samples = await scrape(f"http://127.0.0.1:{port}/ws/metrics")
        assert set(DESIGN_METRICS) <= names(samples)
        assert value(samples, "wiretype_connections") == 1
        assert value(samples, "wiretype_messages_total", direction="in",
                     type="chat.message_sent", v="3") == 1  # fmt: skip


@bounded
async def test_the_connections_view_needs_the_admin_token() -> None:
    closed = _chat()
    async with closed.serving():
        status, text, _ = await get(f"http://127.0.0.1:{closed.port}/connections")
        assert status == 404 and "admin_token" in text
    server = _chat(admin_token="s3cret")
    async with server.serving():
        view = f"http://127.0.0.1:{server.port}/connections"
        async with (
            Client(proto, f"ws://127.0.0.1:{server.port}", name="old-app", version="0.9",
                   speaks={"chat.message_sent": [1]}) as old,
            Client(proto, f"ws://127.0.0.1:{server.port}", name="web") as new,
        ):  # fmt: skip
            await old.subscribe("room.lobby")
            assert (await get(view))[0] == 401
            assert (await get(view, {"Authorization": "Bearer wrong"}))[0] == 401
            status, text, headers = await get(view, {"Authorization": "Bearer s3cret"})
            assert status == 200 and headers["content-type"] == "application/json"
            found = json.loads(text)
            assert found["count"] == 2
            row = next(c for c in found["connections"] if c["client"] == "old-app")
            assert row["client_version"] == "0.9" and row["session"] == old.session
            assert row["versions"]["chat.message_sent"] == 1
            assert row["topics"] == ["room.lobby"]
            assert row["age_s"] >= 0 and row["queue_depth"] == 0 and row["state"] == "open"
            status, text, _ = await get(f"{view}?type=chat.message_sent&v=1",
                                        {"Authorization": "Bearer s3cret"})  # fmt: skip
            assert [c["client"] for c in json.loads(text)["connections"]] == ["old-app"]
            assert new.session is not None
