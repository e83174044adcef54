"""``/healthz`` (live: 200 while the process serves, ``degraded`` with the reason when a
dependency is down) and ``/readyz`` (ready: store and broker reachable, not draining), on the
server's own port and on ``metrics_port``, beside the ``wiretype_ready`` gauge."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import wiretype_protocol as proto

from tests.runtime.e2e import bounded
from tests.runtime.redis_server import RedisServer
from tests.runtime.scrape import get, scrape, value
from wiretype import Client, Server

pytestmark = pytest.mark.timeout(60)


async def _pages(port: int) -> tuple[tuple[int, dict[str, Any]], tuple[int, str]]:
    live_status, live_text, live_headers = await get(f"http://127.0.0.1:{port}/healthz")
    assert live_headers["content-type"] == "application/json"
    ready_status, ready_text, _ = await get(f"http://127.0.0.1:{port}/readyz")
    return (live_status, json.loads(live_text)), (ready_status, ready_text.strip())


@bounded
async def test_a_healthy_server_is_live_and_ready_on_both_ports() -> None:
    server = Server(proto, metrics_port=0)
    async with server.serving():
        assert server.metrics is not None and server.metrics.port
        for port in (server.port, server.metrics.port):
            (live, report), ready = await _pages(port)
            assert live == 200 and report["status"] == "ok"
            assert report["store"]["healthy"] and report["broker"]["healthy"]
            assert ready == (200, "ready")
        samples = await scrape(f"http://127.0.0.1:{server.metrics.port}/metrics")
        assert value(samples, "wiretype_ready") == 1


@bounded
async def test_a_draining_server_is_live_but_not_ready() -> None:
    server = Server(proto)
    async with server.serving(), Client(proto, f"ws://127.0.0.1:{server.port}"):
        server.hub.drain_links(5_000)  # what Server.drain does first, before it waits
        (live, report), ready = await _pages(server.port)
        assert live == 200 and report["status"] == "ok"
        assert ready == (503, "draining")
        samples = await scrape(f"http://127.0.0.1:{server.port}/metrics")
        assert value(samples, "wiretype_ready") == 0
        assert value(samples, "wiretype_draining") == 1


def test_the_broker_going_away_fails_readyz_until_it_is_back(own_redis: RedisServer) -> None:
    async def main() -> None:
        server = Server(proto, broker=own_redis.url)
        async with server.serving(), Client(proto, f"ws://127.0.0.1:{server.port}") as client:
            await client.subscribe("room.lobby")  # the broker hears of the topic
            assert (await _pages(server.port))[1] == (200, "ready")
            own_redis.stop()
            while server.hub.broker.healthy:  # bounded by the test's time limit
                await asyncio.sleep(0.02)
            (live, report), ready = await _pages(server.port)
            assert live == 200 and report["status"] == "degraded"
            assert report["broker"]["healthy"] is False and report["broker"]["problem"]
            assert report["store"]["healthy"] is True
            assert ready == (503, "broker unreachable")
            samples = await scrape(f"http://127.0.0.1:{server.port}/metrics")
            assert value(samples, "wiretype_ready") == 0
            assert value(samples, "wiretype_broker_healthy") == 0
            own_redis.start()
            while not server.hub.broker.healthy:
                await asyncio.sleep(0.02)
            (live, report), ready = await _pages(server.port)
            assert live == 200 and report["status"] == "ok"
            assert ready == (200, "ready")

    asyncio.run(main())
