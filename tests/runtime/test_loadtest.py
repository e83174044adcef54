"""``wiretype loadtest`` at small scale against real servers over 127.0.0.1: every scenario of
the plan, its totals agreeing with the server's own /metrics counters; errors, refused
connections and old and new versions side by side; the command's JSON and exit codes; the
data it makes from each version's JSON Schema."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import chat_protocol as proto
import pytest

from tests.helpers import CHAT, run
from tests.runtime.e2e import bounded
from tests.runtime.procs import CLI, env_for
from tests.runtime.scrape import fetch, parse, scrape, value
from wiretype import Context, Reject, Server
from wiretype.loadtest import SCENARIOS, Plan, load_mix, plan_of, render_text
from wiretype.loadtest import run as loadtest
from wiretype.samples import SampleError, sample

pytestmark = pytest.mark.timeout(120)
OPEN = {"max_connections_per_ip": 100_000, "rate": 1e6, "burst": 10**6}
MIX = load_mix(None, CHAT, None)


def _server(**settings: Any) -> Server:
    server = Server(proto, **{**OPEN, **settings})

    @server.on("chat.*")
    async def anything(msg: Any, ctx: Context) -> None:
        if getattr(msg, "emoji", "") == "reject":
            raise Reject("rejected", "not this one")

    return server


def _url(server: Server) -> str:
    return f"ws://127.0.0.1:{server.port}"


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@bounded
async def test_every_scenario_runs_small_and_agrees_with_the_server(scenario: str) -> None:
    plan = plan_of(scenario, {}, scale=0.02)
    server = _server()
    async with server.serving():
        report = await loadtest(_url(server), plan, MIX)
        found = report.as_dict()
        assert found["ok"], found
        assert report.tallies.opened == plan.connections
        assert report.server is not None and all(r["agree"] for r in report.server["compared"])
        samples = await scrape(f"http://127.0.0.1:{server.port}/metrics")
        sent = sum(report.tallies.sent.values())
        received = sum(
            value(samples, "wiretype_messages_total", direction="in", type=name)
            for name in MIX.weights
        )
        assert received == sent
        assert value(samples, "wiretype_connects_total", outcome="ok") == plan.connections
        if plan.ack and sent:
            assert found["round_trip_ms"]["count"] == sent
            assert 0 < found["round_trip_ms"]["p50"] <= found["round_trip_ms"]["max"]


@bounded
async def test_errors_are_counted_by_code_beside_the_servers_count() -> None:
    server = _server()
    async with server.serving():
        plan = Plan(connections=3, rate=60, duration_s=1)
        report = await loadtest(_url(server), plan, load_mix(None, CHAT, "chat.reaction_added"))
        assert report.tallies.errors == {} and report.clean
    rejecting = _server()
    mix = load_mix(None, CHAT, "chat.reaction_added")
    for key in mix.models:  # every reaction is one the handler refuses
        mix.models[key] = [m.model_copy(update={"emoji": "reject"}) for m in mix.models[key]]
    async with rejecting.serving():
        report = await loadtest(_url(rejecting), Plan(connections=2, rate=40, duration_s=1), mix)
        assert report.tallies.errors["rejected"] == sum(report.tallies.sent.values()) > 0
        assert not report.clean and report.agrees  # the server counted the same nacks
        assert report.server is not None
        assert report.server["errors_by_code"] == {"rejected": report.tallies.errors["rejected"]}


@bounded
async def test_connections_past_the_pool_are_refused_and_reported() -> None:
    server = _server(max_connections=5)
    async with server.serving():
        plan = Plan(connections=8, connect_rate=1_000, rate=0, duration_s=0, connect_timeout_s=1)
        report = await loadtest(_url(server), plan, MIX)
        assert report.tallies.opened == 5
        assert report.tallies.failed == {"http_503": 3}
        assert not report.clean
        assert report.agrees  # the server counted the same refusals (outcome full)
        assert report.server is not None
        rows = {row["what"]: row for row in report.server["compared"]}
        refused = rows["handshakes refused (HTTP 401, 403, 503)"]  # every attempt: they retry
        assert refused["server"] == refused["loadtest"] == report.tallies.refused["http_503"] >= 3
        assert rows["connections open once all were tried"]["server"] == 5
        assert "refused 3 with HTTP 503" in render_text(report)


@bounded
async def test_old_and_new_versions_side_by_side() -> None:
    server = _server()
    async with server.serving():
        plan = Plan(connections=6, rate=120, duration_s=1, versions="all")
        mix = load_mix(None, CHAT, "chat.message_sent")
        report = await loadtest(_url(server), plan, mix)
        assert report.agrees and report.clean
        assert {v for (_, v) in report.tallies.sent} == {1, 2, 3}
        samples = await scrape(f"http://127.0.0.1:{server.port}/metrics")
        for (name, version), count in report.tallies.sent.items():
            got = value(samples, "wiretype_messages_total", direction="in", type=name,
                        v=str(version))  # fmt: skip
            assert got == count


def test_the_command_prints_json_and_exits_0_when_all_agree() -> None:
    async def main() -> tuple[int, str]:
        server = _server()
        async with server.serving():
            args = ("loadtest", _url(server), "--connections", "4", "--rate", "40",
                    "--duration", "1", "--format", "json", "--root", str(CHAT))  # fmt: skip
            done = await asyncio.get_running_loop().run_in_executor(None, lambda: run(*args))
            return done.exit_code, done.stdout

    code, out = asyncio.run(main())
    found = json.loads(out)
    assert code == 0, found
    assert found["ok"] and found["connections"]["opened"] == 4
    assert found["messages"]["sent"] == found["messages"]["acked"] > 0
    assert {"p50", "p95", "p99", "max"} <= set(found["round_trip_ms"])
    assert all(row["agree"] for row in found["server"]["compared"])


def test_the_command_refuses_what_it_cannot_run(tmp_path: Path) -> None:
    assert run("loadtest", "http://x", "--root", str(CHAT)).exit_code == 2
    done = run("loadtest", "ws://127.0.0.1:9", "--scenario", "nope", "--root", str(CHAT))
    assert done.exit_code == 2 and "no scenario 'nope'" in done.stderr
    done = run("loadtest", "ws://127.0.0.1:9", "--mix", "chat.nope", "--root", str(CHAT))
    assert done.exit_code == 2 and "no message called 'chat.nope'" in done.stderr
    done = run("loadtest", "ws://127.0.0.1:9", "--mix", "wiretype.hello", "--root", str(CHAT))
    assert done.exit_code == 2 and "runtime's own" in done.stderr
    done = run("loadtest", "ws://127.0.0.1:9", "--root", str(tmp_path))
    assert done.exit_code == 2 and "no wiretype project" in done.stderr
    done = run("loadtest", "ws://127.0.0.1:1", "--connections", "1", "--duration", "0",
               "-q", "--root", str(CHAT))  # fmt: skip
    assert done.exit_code == 2 and "no connection to ws://127.0.0.1:1 opened" in done.stderr


def test_every_version_of_the_registry_gets_data_its_validator_accepts() -> None:
    assert MIX.skipped == {}
    for (name, version), models in MIX.models.items():
        assert models, (name, version)
        assert all(type(m).__wire_version__ == version for m in models)


def test_samples_follow_the_schema() -> None:
    schema = {
        "$defs": {
            "user": {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}}}
        },
        "type": "object",
        "properties": {
            "user": {"$ref": "#/$defs/user"},
            "name": {"type": "string", "minLength": 30, "maxLength": 40},
            "short": {"type": "string", "maxLength": 2},
            "at": {"type": "string", "format": "date-time"},
            "count": {"type": "integer", "minimum": 5, "maximum": 7},
            "share": {"type": "number", "exclusiveMaximum": 0},
            "kind": {"enum": ["a", "b"]},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2},
            "maybe": {"anyOf": [{"type": "null"}, {"type": "boolean"}]},
        },
    }
    made = sample(schema, 1)
    assert re.fullmatch(r"[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}", made["user"]["id"])
    assert 30 <= len(made["name"]) <= 40 and len(made["short"]) <= 2
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", made["at"])
    assert 5 <= made["count"] <= 7 and made["share"] < 0
    assert made["kind"] == "b" and len(made["tags"]) == 2 and made["maybe"] is True
    assert sample(schema, 0)["user"]["id"] != made["user"]["id"]
    with pytest.raises(SampleError):
        sample({"type": "string", "pattern": "^[a-z]+$"})


SERVED = """\
import chat_protocol as proto
from wiretype import Server

server = Server(proto, max_connections_per_ip=1_000)


@server.on("chat.*")
async def anything(msg, ctx):
    return None
"""


def test_the_command_against_a_served_process_50_connections_totals_equal_its_counters(
    tmp_path: Path,
) -> None:
    """The CI size of the 1,000-connection run (bench/bench_loadtest.py): ``wiretype serve``
    in one process, ``wiretype loadtest`` in another, and this test reading the server's
    /metrics itself before and after: every total of the load test is the server's."""
    (tmp_path / "served_app.py").write_text(SERVED)
    server = subprocess.Popen(
        [sys.executable, "-c", CLI, "serve", "served_app:server", "--port", "0"],
        cwd=tmp_path, env=env_for(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        found_port = re.search(r"on ws://[^:]+:(\d+)", server.stdout.readline())
        assert found_port is not None
        port = int(found_port.group(1))
        metrics = f"http://127.0.0.1:{port}/metrics"
        before = parse(fetch(metrics)[1])
        done = subprocess.run(
            [sys.executable, "-c", CLI, "loadtest", f"ws://127.0.0.1:{port}", "--connections",
             "50", "--connect-rate", "500", "--rate", "300", "--duration", "1", "--format",
             "json", "-q", "--root", str(CHAT)],
            cwd=tmp_path, env=env_for(tmp_path), capture_output=True, text=True, timeout=120,
            check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr + done.stdout
        report = json.loads(done.stdout)
        after = parse(fetch(metrics)[1])
        while value(after, "wiretype_connections") != value(before, "wiretype_connections"):
            after = parse(fetch(metrics)[1])  # the last closes land (bounded by the timeout)
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert report["ok"] and report["agrees"]
    assert report["connections"]["opened"] == 50 == grew("wiretype_connects_total", outcome="ok")
    assert grew("wiretype_disconnects_total") == 50
    by_type = report["messages"]["by_type"]
    assert sum(by_type.values()) == report["messages"]["sent"] == report["messages"]["acked"]
    for key, count in by_type.items():
        name, version = key.rsplit(" v", 1)
        got = grew("wiretype_messages_total", direction="in", type=name, v=version)
        assert got == count, key
    assert grew("wiretype_messages_total", direction="out", type="wiretype.ack") == sum(
        by_type.values()
    )
    assert grew("wiretype_message_errors_total") == 0 == sum(report["errors"].values())
    rows = {row["what"]: row for row in report["server"]["compared"]}
    assert rows["connections open once all were tried"]["server"] == 50
    assert rows["handshakes refused (HTTP 401, 403, 503)"]["server"] == 0
    assert report["server"]["process"]["peak_open_fds"] >= 50  # a socket each, held at once
