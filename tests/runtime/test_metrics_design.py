"""A server of the test's own, traffic of the test's own, then one scrape of /metrics: every
metric of DESIGN.md's table ("Metrics and alerts") is there with its type and its labels,
every histogram complete, the process collector and the event-loop lag beside them; and
whatever a client sends (names, versions, types, codes, ids), no label carries it."""

from __future__ import annotations

import asyncio
import json
import math
import uuid
from typing import Any

import chat_protocol as proto
import pytest
import wiretype_protocol
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from tests.runtime.e2e import FAST, bounded, frames_until, raw
from tests.runtime.helpers import AUTHOR, sent_v3
from tests.runtime.scrape import get
from wiretype import Client, Context, Server

pytestmark = pytest.mark.timeout(60)

# DESIGN.md, "Metrics and alerts", one row per metric of its table: the name Prometheus
# shows, its type, and the labels the table gives it (exactly those).
TABLE: dict[str, tuple[str, tuple[str, ...]]] = {
    "wiretype_connections": ("gauge", ()),
    "wiretype_connection_capacity": ("gauge", ()),
    "wiretype_connection_duration_seconds": ("histogram", ()),
    "wiretype_connects_total": ("counter", ("outcome",)),
    "wiretype_disconnects_total": ("counter", ("code",)),
    "wiretype_messages_total": ("counter", ("direction", "type", "v")),
    "wiretype_bytes_total": ("counter", ("direction",)),
    "wiretype_message_errors_total": ("counter", ("code",)),
    "wiretype_handler_seconds": ("histogram", ("type",)),
    "wiretype_ack_seconds": ("histogram", ()),
    "wiretype_ping_rtt_seconds": ("histogram", ()),
    "wiretype_queue_depth": ("gauge", ("queue",)),
    "wiretype_dropped_total": ("counter", ("reason",)),
    "wiretype_event_loop_lag_seconds": ("gauge", ()),
}
# the table's last row: "and the process collector" (CPU, memory, file descriptors)
PROCESS = (
    "process_cpu_seconds_total",
    "process_resident_memory_bytes",
    "process_virtual_memory_bytes",
    "process_open_fds",
    "process_max_fds",
    "process_start_time_seconds",
)
# the label values the table names
OUTCOMES = {"ok", "resumed", "auth", "origin", "full", "protocol", "timeout"}
QUEUES = {"outgoing", "durable", "replay", "dead_letter"}
DROPS = {"expired", "overflow", "slow"}
TYPING = {"room": "lobby", "user_id": AUTHOR["id"], "typing": True}


def _server(**settings: Any) -> Server:
    server = Server(proto, **{**FAST, **settings})
    tasks: set[asyncio.Task[Any]] = set()

    @server.on("chat.message_sent")
    async def posted(msg: Any, ctx: Context) -> None:
        if msg.body == "ack-me":  # a server send the client acks: wiretype_ack_seconds
            task = asyncio.create_task(ctx.send(proto.TypingV1(**TYPING), ack=True))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    return server


def _families(text: str) -> dict[str, tuple[str, list[Sample]]]:
    """Sample name -> (its family's type, the samples of that name)."""
    out: dict[str, tuple[str, list[Sample]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out.setdefault(sample.name, (family.type, []))[1].append(sample)
    return out


def _sum(found: dict[str, tuple[str, list[Sample]]], name: str, **labels: str) -> float:
    samples = found.get(name, ("", []))[1]
    return sum(s.value for s in samples if labels.items() <= s.labels.items())


async def _scrape(port: int) -> dict[str, tuple[str, list[Sample]]]:
    status, text, headers = await get(f"http://127.0.0.1:{port}/metrics")
    assert status == 200 and headers["content-type"].startswith("text/plain; version=0.0.4")
    return _families(text)


async def _until(port: int, check: Any) -> dict[str, tuple[str, list[Sample]]]:
    while True:  # bounded by the test's own time limit
        found = await _scrape(port)
        if check(found):
            return found
        await asyncio.sleep(0.05)


def _check_histogram(found: dict[str, tuple[str, list[Sample]]], name: str,
                     labels: tuple[str, ...]) -> None:  # fmt: skip
    kind, buckets = found.get(f"{name}_bucket", ("", []))
    assert kind == "histogram" and buckets, f"{name}: no histogram buckets"
    counts = {s.labels.get("le"): s for s in buckets}
    assert "+Inf" in counts, f"{name}: no +Inf bucket"
    assert {k for s in buckets for k in s.labels} == {*labels, "le"}, name
    for suffix in ("_count", "_sum"):
        assert f"{name}{suffix}" in found, f"{name}{suffix} missing"
    for series in {tuple(sorted((k, v) for k, v in s.labels.items() if k != "le"))
                   for s in buckets}:  # fmt: skip
        own = dict(series)
        ladder = sorted(
            (float(s.labels["le"]), s.value)
            for s in buckets
            if {k: v for k, v in s.labels.items() if k != "le"} == own
        )
        values = [v for _, v in ladder]
        assert values == sorted(values), f"{name}{own}: buckets are not cumulative"
        assert math.isinf(ladder[-1][0])
        assert ladder[-1][1] == _sum(found, f"{name}_count", **own), f"{name}{own}: +Inf != count"


@bounded
async def test_a_fresh_server_after_traffic_exports_every_metric_of_the_design_table() -> None:
    server = _server()
    async with server.serving():
        url = f"ws://127.0.0.1:{server.port}"
        async with Client(proto, url, name="web", version="1.0", **FAST) as client:
            for n in range(3):
                await client.send(proto.MessageSentV3(**sent_v3(f"m{n}")), ack=True)
            await client.send(proto.MessageSentV3(**sent_v3("ack-me")), ack=True)
            await client.subscribe("room.lobby")
            async with Client(proto, url, **FAST) as short:  # a connection that ends: duration
                await short.send(proto.MessageSentV3(**sent_v3("short")), ack=True)
            found = await _until(
                server.port,
                lambda f: (
                    _sum(f, "wiretype_ping_rtt_seconds_count") >= 1
                    and _sum(f, "wiretype_ack_seconds_count") >= 1
                    and _sum(f, "wiretype_connection_duration_seconds_count") >= 1
                ),
            )
        missing = [name for name in (*TABLE, *PROCESS) if name not in found
                   and f"{name}_bucket" not in found]  # fmt: skip
        assert missing == [], f"not exported: {missing}"
        for name, (kind, labels) in TABLE.items():
            if kind == "histogram":
                _check_histogram(found, name, labels)
                continue
            family_kind, samples = found[name]
            assert family_kind == kind, (name, family_kind)
            for sample in samples:
                assert set(sample.labels) == set(labels), (name, sample.labels)
        for name in PROCESS:
            assert found[name][1][0].value > 0, name
        assert _sum(found, "wiretype_event_loop_lag_seconds") >= 0
        # the values the traffic implies
        assert _sum(found, "wiretype_connections") == 1
        assert _sum(found, "wiretype_connection_capacity") == server.settings.max_connections
        assert _sum(found, "wiretype_connects_total", outcome="ok") == 2
        assert _sum(found, "wiretype_disconnects_total", code="1000") == 1
        sent = {"direction": "in", "type": "chat.message_sent", "v": "3"}
        assert _sum(found, "wiretype_messages_total", **sent) == 5
        assert _sum(found, "wiretype_handler_seconds_count", type="chat.message_sent") == 5
        assert _sum(found, "wiretype_messages_total", direction="out", type="wiretype.ack") >= 5
        assert _sum(found, "wiretype_bytes_total", direction="in") > 0
        assert _sum(found, "wiretype_bytes_total", direction="out") > 0
        assert {s.labels["outcome"] for s in found["wiretype_connects_total"][1]} >= OUTCOMES
        assert {s.labels["queue"] for s in found["wiretype_queue_depth"][1]} >= QUEUES
        assert {s.labels["reason"] for s in found["wiretype_dropped_total"][1]} >= DROPS
        assert {s.labels["direction"] for s in found["wiretype_bytes_total"][1]} == {"in", "out"}


@bounded
async def test_a_server_without_handlers_still_exports_every_histogram() -> None:
    server = Server(proto, **FAST)
    async with server.serving():
        found = await _scrape(server.port)
        for name, (kind, labels) in TABLE.items():
            if kind == "histogram":
                _check_histogram(found, name, labels)
            else:
                assert name in found, name


@bounded
async def test_labels_stay_bounded_whatever_a_client_sends() -> None:
    """A client crafts its name, version, the versions it speaks, message types, versions,
    ids, nack codes and close codes: none of it becomes a label value."""
    crafted = f"crafted{uuid.uuid4().hex}"
    server = _server(metrics_clients=["web@1.0"])
    async with server.serving():
        ws = await raw(server.port)
        await ws.send(json.dumps({"type": "wiretype.hello", "v": 1, "id": crafted, "data": {
            "client": {"name": f"{crafted}-name", "version": f"{crafted}-version"},
            "registry": "chat",
            "speaks": {"chat.message_sent": [3], f"{crafted}.speaks": [1, 99]},
        }}))  # fmt: skip
        welcome = await frames_until(ws, "wiretype.welcome")
        session = welcome["data"]["session"]
        frames = [
            {"type": f"{crafted}.type", "v": 1, "id": crafted, "data": {}},
            {"type": "chat.message_sent", "v": 77, "id": f"{crafted}-v", "data": {}},
            {"type": "chat.message_sent", "v": f"{crafted}", "id": "x", "data": {}},
            {"type": "wiretype.nack", "v": 1, "id": "n", "data": {"ref": crafted,
                                                                   "code": f"{crafted}-code"}},
            {"type": "chat.message_sent", "v": 3, "id": f"{crafted}-ok", "ack": True,
             "data": sent_v3("fine")},
        ]  # fmt: skip
        for frame in frames:
            await ws.send(json.dumps(frame))
        await frames_until(ws, "wiretype.ack", skip=("wiretype.ping", "wiretype.error",
                                                     "wiretype.nack"))  # fmt: skip
        status, text, _ = await get(f"http://127.0.0.1:{server.port}/metrics")
        live = _families(text)  # while the crafted connection is open
        assert crafted not in text and session not in text
        assert _sum(live, "wiretype_client_connections", client="other") == 1
        assert {s.labels["client"] for s in live["wiretype_client_connections"][1]} == {"other"}
        assert {s.labels["client_version"] for s in live["wiretype_client_connections"][1]} == {
            "other"
        }
        await ws.close(3999, crafted)
        samples = await _until(server.port, lambda f: _sum(f, "wiretype_disconnects_total") >= 1)
        status, text, _ = await get(f"http://127.0.0.1:{server.port}/metrics")
        assert status == 200
        assert crafted not in text and session not in text
        labelled = {
            key: value
            for name, (_, found) in samples.items()
            if name.startswith("wiretype_")
            for sample in found
            for key, value in sample.labels.items()
            if key != "le"
        }
        assert labelled  # the scrape had labelled series to look at
        types = {s.labels["type"] for s in samples["wiretype_messages_total"][1]}
        assert types <= {*proto.MESSAGES, *wiretype_protocol.MESSAGES, "other"}
        assert server.metrics is not None
        known = {(name, str(v)) for name, v in server.metrics.labels.known}
        spoken = {(s.labels["type"], s.labels["v"]) for s in samples["wiretype_messages_total"][1]}
        assert spoken <= {*known, ("other", "other")}, spoken - known
        codes = {s.labels["code"] for s in samples["wiretype_disconnects_total"][1]}
        assert "3999" not in codes and all(c == "other" or c.isdigit() for c in codes)
        assert _sum(samples, "wiretype_disconnects_total", code="other") == 1
