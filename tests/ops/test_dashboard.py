"""ops/grafana/wiretype.json: a Grafana 11 dashboard whose every query is valid PromQL (promtool
checks it as a rule) and names only metrics that a real wiretype server exports (scraped
here after traffic)."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import chat_protocol as proto
import pytest

from tests.ops.prometheus import REPO, promtool
from tests.runtime.helpers import sent_v3
from tests.runtime.scrape import names, scrape
from wiretype import Client, Context, Server

pytestmark = pytest.mark.timeout(60)
DASHBOARD = REPO / "ops" / "grafana" / "wiretype.json"
METRIC = re.compile(r"\b(?:wiretype|process)_[a-z0-9_]+")
SECTIONS = ("Connections", "Throughput", "Latency", "Errors", "Queues", "Resources", "Pool")


def _panels() -> list[dict[str, Any]]:
    return [p for p in json.loads(DASHBOARD.read_text())["panels"] if p["type"] != "row"]


def exprs() -> list[str]:
    return [t["expr"] for p in _panels() for t in p["targets"]]


def as_prometheus_sees_it(expr: str) -> str:
    """Grafana's variables replaced as Grafana would before sending the query."""
    return expr.replace("$__rate_interval", "1m").replace("$instance", ".*")


def test_the_dashboard_is_a_grafana_11_dashboard() -> None:
    board = json.loads(DASHBOARD.read_text())
    assert board["schemaVersion"] >= 39 and board["uid"] == "wiretype"
    assert {v["name"] for v in board["templating"]["list"]} == {"datasource", "instance"}
    titles = " ".join(p["title"] for p in board["panels"])
    assert all(section in titles for section in SECTIONS)
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids))
    for panel in _panels():
        assert panel["datasource"]["uid"] == "${datasource}"
        assert panel["targets"] and all(t["expr"] and t["refId"] for t in panel["targets"])
        assert {"h", "w", "x", "y"} <= set(panel["gridPos"])


def test_every_query_is_valid_promql(tmp_path: Path) -> None:
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:query{n}", "expr": as_prometheus_sees_it(e)}
        for n, e in enumerate(exprs())
    ]}]}  # fmt: skip
    (tmp_path / "queries.yml").write_text(json.dumps(rules))
    checked = promtool("check", "rules", str(tmp_path / "queries.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_every_query_names_metrics_the_server_exports() -> None:
    async def exported() -> set[str]:
        server = Server(proto, heartbeat_ms=100)

        @server.on("chat.message_sent")
        async def posted(msg: Any, ctx: Context) -> None:
            return None

        async with server.serving(), Client(proto, f"ws://127.0.0.1:{server.port}") as client:
            await client.send(proto.MessageSentV3(**sent_v3()), ack=True)
            return names(await scrape(f"http://127.0.0.1:{server.port}/metrics"))

    found = asyncio.run(exported())
    used = {name for expr in exprs() for name in METRIC.findall(expr)}
    assert used, "no query names a metric"
    assert used - found == set()
    assert {"wiretype_connections", "wiretype_handler_seconds_bucket"} <= used
