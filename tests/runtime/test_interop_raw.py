"""Interop: a plain ``websockets`` client speaking the documented JSON by hand, against a
server built with the documented Python API on a registry of its own (generated here)."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.helpers import run, write_tree
from tests.runtime.e2e import bounded, closed_code, frames_until, raw
from wiretype import Context, Reject, Server

pytestmark = pytest.mark.timeout(30)

SHOP = {
    "wiretype.yaml": "schemas: schemas\npython: {package: shop_protocol, out: generated/python}\n",
    "schemas/shop/order_placed.yaml": """\
description: A customer placed an order.
direction: client_to_server
compatibility: backward
versions:
  1:
    fields:
      order: {type: string, min_length: 1, max_length: 32}
      qty: {type: int, minimum: 1}
  2:
    fields:
      order: {type: string, min_length: 1, max_length: 32}
      quantity: {type: int, minimum: 1}
      note: {type: string, default: ""}
    migrate:
      rename: {qty: quantity}
""",
    "schemas/shop/order_shipped.yaml": """\
description: The order left the warehouse.
direction: server_to_client
versions:
  1:
    fields:
      order: {type: string, min_length: 1, max_length: 32}
""",
}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    root = write_tree(tmp_path_factory.mktemp("shop"), SHOP)
    assert run("generate", "--root", str(root), "--lang", "python").exit_code == 0
    sys.path.insert(0, str(root / "generated" / "python"))
    try:
        yield importlib.import_module("shop_protocol")
    finally:
        sys.path.remove(str(root / "generated" / "python"))
        for name in [n for n in sys.modules if n.startswith("shop_protocol")]:
            del sys.modules[name]


def _server(shop: ModuleType, **settings: Any) -> tuple[Server, list[Any]]:
    server = Server(shop, heartbeat_ms=150, heartbeat_grace_ms=150, **settings)
    seen: list[Any] = []

    @server.on("shop.order_placed")
    async def placed(msg: Any, ctx: Context) -> None:
        if msg.quantity > 100:
            raise Reject("overloaded", "too many at once", retry_after_ms=50)
        seen.append(msg)
        await ctx.send(shop.OrderShippedV1(order=msg.order))

    return server, seen


def _hello(
    speaks: dict[str, list[int]],
    resume: dict[str, Any] | None = None,
    registry: str = "shop_protocol",
) -> str:
    data: dict[str, Any] = {
        "client": {"name": "by-hand", "version": "0.1"},
        "registry": registry,
        "speaks": speaks,
    }
    if resume:
        data["resume"] = resume
    return json.dumps({"type": "wiretype.hello", "v": 1, "id": "h1", "data": data})


def _order(ident: str, v: int, data: dict[str, Any], **keys: Any) -> str:
    return json.dumps({"type": "shop.order_placed", "v": v, "id": ident, "data": data, **keys})


@bounded
async def test_hello_versions_ack_and_a_reply_in_the_negotiated_version(shop: ModuleType) -> None:
    server, seen = _server(shop)
    async with server.serving():
        ws = await raw(server.port)
        assert ws.subprotocol == "wiretype.v1"
        await ws.send(_hello({"shop.order_placed": [1], "shop.order_shipped": [1]}))
        welcome = await frames_until(ws, "wiretype.welcome")
        versions = welcome["data"]["versions"]
        assert versions["shop.order_placed"] == 1 and versions["shop.order_shipped"] == 1
        assert welcome["data"]["resumed"] is False
        await ws.send(_order("o-1", 1, {"order": "A1", "qty": 2}, ack=True))
        shipped = await frames_until(ws, "shop.order_shipped")
        ack = await frames_until(ws, "wiretype.ack")
        assert shipped["data"] == {"order": "A1"} and shipped["seq"] == 1
        assert ack["re"] == "o-1" and ack["data"]["re"] == "o-1" and ack["seq"] == 2
        assert shipped["epoch"] == ack["epoch"] == welcome["epoch"]
        await ws.close()
    [msg] = seen
    assert type(msg).__wire_version__ == 2 and msg.quantity == 2


@bounded
async def test_nacks_and_errors_as_documented(shop: ModuleType) -> None:
    server, _ = _server(shop)
    async with server.serving():
        ws = await raw(server.port)
        await ws.send(_hello({"shop.order_placed": [1, 2], "shop.order_shipped": [1]}))
        await frames_until(ws, "wiretype.welcome")
        await ws.send(_order("bad", 2, {"order": "", "quantity": "3"}))
        nack = await frames_until(ws, "wiretype.nack")
        assert nack["data"]["code"] == "invalid"
        assert {e["path"] for e in nack["data"]["errors"]} == {"/order", "/quantity"}
        await ws.send(_order("old", 1, {"order": "A", "qty": 1}))
        assert (await frames_until(ws, "wiretype.nack"))["data"]["code"] == "unsupported_version"
        await ws.send(
            json.dumps({"type": "shop.order_shipped", "v": 1, "id": "x", "data": {"order": "A"}})
        )
        assert (await frames_until(ws, "wiretype.nack"))["data"]["code"] == "forbidden"
        await ws.send(_order("busy", 2, {"order": "A", "quantity": 500}, ack=True))
        busy = await frames_until(ws, "wiretype.nack")
        assert busy["data"]["code"] == "overloaded" and busy["data"]["retry_after_ms"] == 50
        await ws.send("not json")
        assert (await frames_until(ws, "wiretype.error"))["data"]["code"] == "bad_frame"
        await ws.send(json.dumps({"type": "shop.order_placed", "id": "no-v"}))
        error = await frames_until(ws, "wiretype.error")
        assert error["data"]["code"] == "bad_envelope" and error["re"] == "no-v"
        await ws.send(json.dumps({"type": "shop.nope", "v": 1, "id": "u", "data": {}}))
        assert (await frames_until(ws, "wiretype.error"))["data"]["code"] == "unknown_type"
        await ws.close()


@bounded
async def test_a_retried_message_gets_the_same_ack_and_runs_once(shop: ModuleType) -> None:
    server, seen = _server(shop)
    async with server.serving():
        ws = await raw(server.port)
        await ws.send(_hello({"shop.order_placed": [2], "shop.order_shipped": [1]}))
        await frames_until(ws, "wiretype.welcome")
        for _ in range(3):
            await ws.send(_order("same", 2, {"order": "B", "quantity": 1}, ack=True))
            ack = await frames_until(
                ws, "wiretype.ack", skip=("wiretype.ping", "shop.order_shipped")
            )
            assert ack["re"] == "same"
        await ws.close()
    assert len(seen) == 1


@bounded
async def test_resume_replays_what_was_missed_and_a_bad_resume_gets_a_new_session(
    shop: ModuleType,
) -> None:
    server, _ = _server(shop)
    speaks = {"shop.order_placed": [2], "shop.order_shipped": [1]}
    async with server.serving():
        ws = await raw(server.port)
        await ws.send(_hello(speaks))
        welcome = await frames_until(ws, "wiretype.welcome")
        session, epoch = welcome["data"]["session"], welcome["epoch"]
        for n in range(3):
            await ws.send(_order(f"o{n}", 2, {"order": f"C{n}", "quantity": 1}))
        first = await frames_until(ws, "shop.order_shipped")
        assert first["seq"] == 1
        assert ws.transport is not None
        ws.transport.abort()  # a drop: the session is kept
        again = await raw(server.port)
        await again.send(_hello(speaks, {"session": session, "last_seq": 1, "epoch": epoch}))
        resumed = await frames_until(again, "wiretype.welcome")
        assert resumed["data"]["resumed"] is True and resumed["data"]["session"] == session
        replay = [await frames_until(again, "shop.order_shipped") for _ in range(2)]
        assert [(f["seq"], f["data"]["order"]) for f in replay] == [(2, "C1"), (3, "C2")]
        await again.close()
        stale = await raw(server.port)
        await stale.send(_hello(speaks, {"session": session, "last_seq": 0, "epoch": epoch}))
        fresh = await frames_until(stale, "wiretype.welcome")
        assert fresh["data"]["resumed"] is False and fresh["data"]["session"] != session
        await stale.close()


@bounded
async def test_heartbeat_ping_pong_and_the_4410_deadline(shop: ModuleType) -> None:
    server, _ = _server(shop)
    async with server.serving():
        ws = await raw(server.port)
        await ws.send(_hello({}))
        welcome = await frames_until(ws, "wiretype.welcome")
        assert welcome["data"]["heartbeat_ms"] == 150
        ping = await frames_until(ws, "wiretype.ping", skip=())
        await ws.send(
            json.dumps(
                {
                    "type": "wiretype.pong",
                    "v": 1,
                    "id": "p",
                    "data": {"nonce": ping["data"]["nonce"]},
                }
            )
        )
        assert await closed_code(ws) == 4410  # then silence


@bounded
async def test_another_registry_is_closed_4406(shop: ModuleType) -> None:
    server, _ = _server(shop)
    async with server.serving():
        ws = await raw(server.port)
        await ws.send(_hello({}, registry="chat"))
        error = await frames_until(ws, "wiretype.error")
        assert error["data"]["code"] == "handshake_failed"
        assert await closed_code(ws) == 4406


@bounded
async def test_origin_refusal_and_oversized_frames(shop: ModuleType) -> None:
    from websockets.exceptions import InvalidStatus

    server, _ = _server(shop, origins=["https://shop.example"], max_frame_bytes=512)
    async with server.serving():
        with pytest.raises(InvalidStatus) as refused:
            await raw(server.port, origin="https://evil.example")
        assert refused.value.response.status_code == 403
        ws = await raw(server.port, origin="https://shop.example")
        await ws.send(_hello({"shop.order_placed": [2]}))
        await frames_until(ws, "wiretype.welcome")
        await ws.send(_order("big", 2, {"order": "x", "quantity": 1, "note": "n" * 600}))
        assert await closed_code(ws) == 1009


def test_the_package_seam_reads_directions_from_the_registry(shop: ModuleType) -> None:
    from wiretype import Package

    package = Package.from_module(shop)
    assert package.name == "shop_protocol"
    assert package.messages["shop.order_shipped"].direction == "server_to_client"
    assert Path(shop.__file__).name == "__init__.py"
