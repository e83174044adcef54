"""``wiretype versions``: who still speaks a version, read from live servers' /metrics (and
/connections with the admin token), and from a real Prometheus scraping them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import chat_protocol as proto
import pytest

from tests.helpers import Result, run
from tests.ops.prometheus import Prometheus
from tests.runtime.e2e import bounded
from wiretype import Client, Server

pytestmark = pytest.mark.timeout(90)


async def _cli(*args: str) -> Result:
    return await asyncio.get_running_loop().run_in_executor(None, lambda: run(*args))


def _servers() -> tuple[Server, Server]:
    return Server(proto, admin_token="t0k"), Server(proto, admin_token="t0k")


def _clients(one: Server, two: Server) -> list[Client]:
    old = {"chat.message_sent": [1]}
    return [
        Client(proto, f"ws://127.0.0.1:{one.port}", name="old-app", version="0.9", speaks=old),
        Client(proto, f"ws://127.0.0.1:{two.port}", name="old-app", version="0.9", speaks=old),
        Client(proto, f"ws://127.0.0.1:{two.port}", name="web", version="2.0"),
    ]


async def _with_fleet(check: Callable[[Server, Server], Any]) -> None:
    one, two = _servers()
    async with one.serving(), two.serving():
        clients = _clients(one, two)
        for client in clients:
            await client.start()
            await client.wait_open(timeout=10)
        try:
            await check(one, two)
        finally:
            for client in clients:
                await client.close()


@bounded
async def test_who_still_speaks_a_version_summed_over_every_server() -> None:
    async def check(one: Server, two: Server) -> None:
        urls = ["--metrics", f"http://127.0.0.1:{one.port}/metrics",
                "--metrics", f"http://127.0.0.1:{two.port}/metrics"]  # fmt: skip
        still = await _cli("versions", "chat.message_sent@1", *urls)
        assert still.exit_code == 1
        assert still.stdout == "chat.message_sent v1: spoken by 2 live connection(s)\n"
        gone = await _cli("versions", "chat.message_sent@2", *urls)
        assert (gone.exit_code, gone.stdout) == (0, "chat.message_sent v2: no live connection "
                                                    "speaks it\n")  # fmt: skip
        table = await _cli("versions", *urls)
        assert table.exit_code == 0
        rows = [line.split() for line in table.stdout.splitlines()[1:]]
        assert ["chat.message_sent", "1", "2"] in rows and ["chat.message_sent", "3", "1"] in rows
        assert not any(r[0].startswith("wiretype.") for r in rows)
        found = json.loads(
            (await _cli("versions", "chat.message_sent", *urls, "-f", "json")).stdout
        )
        assert found["live_connections"] == 3
        who = await _cli("versions", "chat.message_sent@1", *urls, "--token", "t0k")
        assert who.exit_code == 1 and "  old-app 0.9: 2\n" in who.stdout
        assert "web" not in who.stdout

    await _with_fleet(check)


@bounded
async def test_versions_through_a_prometheus_that_scrapes_the_fleet(tmp_path: Path) -> None:
    async def check(one: Server, two: Server) -> None:
        targets = [f"127.0.0.1:{one.port}", f"127.0.0.1:{two.port}"]
        prometheus = Prometheus(tmp_path, targets, "groups: []\n")
        prometheus.start()
        try:
            await prometheus.ready()
            while True:  # both targets scraped
                found = await prometheus.query("count(wiretype_connections)")
                if found["data"]["result"] and found["data"]["result"][0]["value"][1] == "2":
                    break
                await asyncio.sleep(0.1)
            still = await _cli("versions", "chat.message_sent@1", "--prometheus", prometheus.url)
            assert still.exit_code == 1 and "spoken by 2 live" in still.stdout
        finally:
            prometheus.stop()

    await _with_fleet(check)


def test_versions_refuses_what_it_cannot_answer() -> None:
    assert run("versions", "chat.message_sent@x", "--metrics", "http://x").exit_code == 2
    done = run("versions", "chat.message_sent@1")
    assert done.exit_code == 2 and "--metrics URL" in done.stderr
    done = run("versions", "--metrics", "http://127.0.0.1:1/metrics")
    assert done.exit_code == 2 and "127.0.0.1:1/metrics" in done.stderr
    for option in ("--metrics", "--prometheus"):
        done = run("versions", option, "junk")  # not a URL at all: said, not "internal error"
        assert done.exit_code == 2 and "wiretype: error: junk" in done.stderr, done.stderr
