"""Against a real Prometheus: Debian's ``prometheus`` on loopback, with the shipped rules
(rendered with a 10 s window and 2 s ``for:`` so that a test can wait for them), scraping a
real wiretype server every second. The test causes real trouble — refused origins, invalid
messages, a full pool — and reads through Prometheus's HTTP API that the matching alerts
fire, then that they clear once the trouble stops."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

import chat_protocol as proto
import pytest
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import InvalidStatus

from tests.ops.prometheus import Prometheus, render_module
from tests.ops.test_dashboard import as_prometheus_sees_it, exprs
from tests.runtime.e2e import frames_until, hello, raw
from tests.runtime.helpers import sent_v3
from wiretype import Context, Server

pytestmark = pytest.mark.timeout(240)
LIMIT_S = 180
FAST_RULES = """\
window: 10s
connection_failures: {for: 2s, min_per_s: 0.05}
error_rate: {for: 2s, min_per_s: 0.05}
resource_exhaustion: {for: 2s}
queue_overflow: {for: 2s}
high_latency: {for: 2s}
low_throughput: {for: 2s}
pool_saturation: {for: 2s, ratio: 0.7}
resource_constraints: {for: 2s}
"""
TROUBLE = (
    "WiretypeConnectionFailures",  # refused origins
    "WiretypeHighErrorRate",  # invalid messages
    "WiretypePoolSaturation",  # 5 of 5 connections
    "WiretypeResourceExhaustion",  # ... and the 6th refused with 503
)


def _rules(folder: Path) -> str:
    render = render_module()
    mine = folder / "thresholds.yml"
    mine.write_text(FAST_RULES)
    return str(render.render(render.load(mine)))


async def _refused_origins(port: int) -> None:
    while True:
        with contextlib.suppress(InvalidStatus):
            ws = await raw(port, origin="https://evil.example")
            await ws.close()
        await asyncio.sleep(0.1)


async def _invalid_messages(ws: ClientConnection) -> None:
    bad = sent_v3("no room")
    del bad["room"]
    for n in range(10**6):
        frame = {"type": "chat.message_sent", "v": 3, "id": f"bad{n}", "ack": True, "data": bad}
        await ws.send(json.dumps(frame))
        await frames_until(ws, "wiretype.nack")
        await asyncio.sleep(0.1)


async def _knocking(port: int) -> None:
    """Keep trying one connection more than the pool holds."""
    while True:
        with contextlib.suppress(InvalidStatus):
            ws = await raw(port)
            await ws.close()
        await asyncio.sleep(0.2)


async def _until(prometheus: Prometheus, check: Any) -> dict[str, str]:
    while True:
        alerts = await prometheus.alerts()
        if check(alerts):
            return alerts
        await asyncio.sleep(0.25)


async def _dashboard_answers(prometheus: Prometheus) -> None:
    """Every query of the Grafana dashboard runs on this Prometheus; those of the trouble
    caused here have data."""
    empty = []
    for expr in exprs():
        found = await prometheus.query(as_prometheus_sees_it(expr))
        assert found["status"] == "success", (expr, found)
        if not found["data"]["result"]:
            empty.append(expr)
    for busy in ("wiretype_connects_total", "wiretype_message_errors_total", "process_open_fds"):
        assert not [e for e in empty if busy in e], empty


async def _opened(port: int) -> ClientConnection:
    ws = await raw(port)
    await ws.send(hello())
    await frames_until(ws, "wiretype.welcome")
    return ws


async def _scenario(folder: Path) -> None:
    server = Server(proto, origins=["https://chat.example"], max_connections=5)

    @server.on("chat.message_sent")
    async def posted(msg: Any, ctx: Context) -> None:
        return None

    async with server.serving():
        prometheus = Prometheus(folder, [f"127.0.0.1:{server.port}"], _rules(folder))
        prometheus.start()
        try:
            await prometheus.ready()
            assert not set(TROUBLE) & set(await prometheus.alerts())  # healthy: silent
            sender = await _opened(server.port)
            idle = [await _opened(server.port) for _ in range(4)]  # 5 of 5: full
            troubles = [
                asyncio.create_task(_refused_origins(server.port)),
                asyncio.create_task(_invalid_messages(sender)),
                asyncio.create_task(_knocking(server.port)),
            ]
            alerts = await _until(
                prometheus, lambda a: all(a.get(name) == "firing" for name in TROUBLE)
            )
            assert all(alerts[name] == "firing" for name in TROUBLE)
            up = await prometheus.query('up{job="wiretype"}')
            assert up["data"]["result"][0]["value"][1] == "1"
            await _dashboard_answers(prometheus)
            for task in troubles:
                task.cancel()
            await asyncio.gather(*troubles, return_exceptions=True)
            for ws in [sender, *idle]:
                await ws.close()
            await _until(prometheus, lambda a: not set(TROUBLE) & set(a))  # all cleared
        finally:
            prometheus.stop()


def test_alerts_fire_on_real_trouble_and_clear_after_it(tmp_path: Path) -> None:
    async def main() -> None:
        async with asyncio.timeout(LIMIT_S):
            await _scenario(tmp_path)

    asyncio.run(main())
