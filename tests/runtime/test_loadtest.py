"""``wiretype loadtest`` at small scale against real servers over 127.0.0.1: every scenario of
the plan, its totals agreeing with the server's own /metrics counters; errors, refused
connections and old and new versions side by side; the command's JSON and exit codes; the
data it makes from each version's JSON Schema."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest
import wiretype_protocol as proto

from tests.helpers import REPO, run
from tests.runtime.e2e import bounded
from tests.runtime.scrape import scrape, value
from wiretype import Context, Reject, Server
from wiretype.loadtest import SCENARIOS, Plan, load_mix, plan_of
from wiretype.loadtest import run as loadtest
from wiretype.samples import SampleError, sample

pytestmark = pytest.mark.timeout(120)
OPEN = {"max_connections_per_ip": 100_000, "rate": 1e6, "burst": 10**6}
MIX = load_mix(None, REPO, None)


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
        report = await loadtest(_url(server), plan, load_mix(None, REPO, "chat.reaction_added"))
        assert report.tallies.errors == {} and report.clean
    rejecting = _server()
    mix = load_mix(None, REPO, "chat.reaction_added")
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


@bounded
async def test_old_and_new_versions_side_by_side() -> None:
    server = _server()
    async with server.serving():
        plan = Plan(connections=6, rate=120, duration_s=1, versions="all")
        mix = load_mix(None, REPO, "chat.message_sent")
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
                    "--duration", "1", "--format", "json", "--root", str(REPO))  # fmt: skip
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
    assert run("loadtest", "http://x", "--root", str(REPO)).exit_code == 2
    done = run("loadtest", "ws://127.0.0.1:9", "--scenario", "nope", "--root", str(REPO))
    assert done.exit_code == 2 and "no scenario 'nope'" in done.stderr
    done = run("loadtest", "ws://127.0.0.1:9", "--mix", "chat.nope", "--root", str(REPO))
    assert done.exit_code == 2 and "no message called 'chat.nope'" in done.stderr
    done = run("loadtest", "ws://127.0.0.1:9", "--mix", "wiretype.hello", "--root", str(REPO))
    assert done.exit_code == 2 and "runtime's own" in done.stderr
    done = run("loadtest", "ws://127.0.0.1:9", "--root", str(tmp_path))
    assert done.exit_code == 2 and "no wiretype project" in done.stderr
    done = run("loadtest", "ws://127.0.0.1:1", "--connections", "1", "--duration", "0",
               "-q", "--root", str(REPO))  # fmt: skip
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
