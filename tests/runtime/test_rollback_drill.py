"""The rollback drill of docs/rollback.md, run for real.

A temporary git repository holds a registry with v1 of ``drill.note`` (tagged
``release-1``), then v2. A server built from the current registry (v1 and v2, packages made
by the real ``wiretype generate``) serves a client that speaks v1 and one that speaks v2,
each sending acked messages to a durable handler; ``wiretype check --against release-1``
says beforehand that a rollback is safe. The server is drained and replaced, on the same
port and the same SQLite store, by a server built from ``release-1``: every client
reconnects, renegotiates (the v2 client now writes v1, through its shims) and keeps
working, and nothing acked is lost. A registry that deleted v1 is refused by the same
check: rolling back past it would strand clients."""

from __future__ import annotations

import asyncio
import importlib
import os
import re
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run, write_tree
from tests.runtime.redis_server import free_port
from tests.runtime.scrape import scrape, value
from wiretype import Client

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parents[2]
CLI = "import sys; from registry.cli import main; sys.argv[0] = 'wiretype'; main()"
SETTINGS = (
    "schemas: schemas\nname: drill\npython: {package: drill_protocol, out: generated/python}\n"
)
V1 = """\
  1:
    fields:
      id: uuid
      text: {type: string, max_length: 200}
"""
V2 = """\
  2:
    fields:
      id: uuid
      body: {type: string, max_length: 200}
      pinned: {type: bool, default: false}
    migrate:
      rename: {text: body}
"""
HEAD = "description: A note.\ndirection: client_to_server\nversions:\n"
APP = """\
import os

import drill_protocol as proto
from wiretype import Server

server = Server(proto, heartbeat_ms=500, heartbeat_grace_ms=500, drain_ms=2_000)
LOG = os.environ["DRILL_LOG"]


@server.on("drill.note", durable=True)
async def noted(msg, ctx):
    text = msg.body if hasattr(msg, "body") else msg.text
    with open(LOG, "a") as log:
        log.write(f"{text} v{type(msg).__wire_version__} {os.getpid()}\\n")
"""
FAST = {"backoff_min_ms": 20, "backoff_max_ms": 200, "ack_timeout_ms": 1_000}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=drill@example.com", "-c", "user.name=drill", *args],
        cwd=repo, check=True, capture_output=True,
    )  # fmt: skip


def _registries(tmp: Path) -> tuple[Path, Path]:
    """The repository at HEAD (v1 + v2) and a checkout of ``release-1`` (v1), each with the
    package ``wiretype generate`` made from it."""
    repo = write_tree(
        tmp / "repo", {"wiretype.yaml": SETTINGS, "schemas/drill/note.yaml": HEAD + V1}
    )
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "drill.note v1")
    _git(repo, "tag", "release-1")
    (repo / "schemas/drill/note.yaml").write_text(HEAD + V1 + V2)
    _git(repo, "commit", "-qam", "drill.note v2")
    old = tmp / "old"
    _git(repo, "worktree", "add", "-q", str(old), "release-1")
    for root in (repo, old):
        made = run("generate", "--lang", "python", "--root", str(root))
        assert made.exit_code == 0, made.stderr
    return repo, old


class Served:
    """``wiretype serve drill_app:server`` built from one registry, on a given port."""

    def __init__(self, app: Path, registry: Path, port: int, store: str, log: Path) -> None:
        path = os.pathsep.join([str(app), str(registry / "generated" / "python"), str(ROOT)])
        self.errors = (app / "server.log").open("a")
        self.process = subprocess.Popen(
            [sys.executable, "-c", CLI, "serve", "drill_app:server", "--port", str(port),
             "--store", store],
            cwd=app, env={**os.environ, "PYTHONPATH": path, "DRILL_LOG": str(log)},
            stdout=subprocess.PIPE, stderr=self.errors, text=True,
        )  # fmt: skip

    async def started(self) -> None:
        assert self.process.stdout is not None
        line = await asyncio.to_thread(self.process.stdout.readline)
        assert "serving" in line, (line, self.process.poll())

    async def drain(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        await asyncio.to_thread(self.process.communicate)
        self.errors.close()
        return self.process.returncode

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()
        self.errors.close()


def _handled(log: Path) -> list[tuple[str, str, str]]:
    text = log.read_text() if log.exists() else ""
    return [tuple(line.split()) for line in text.splitlines()]  # type: ignore[misc]


async def _until_handled(log: Path, count: int) -> list[tuple[str, str, str]]:
    while len(found := _handled(log)) < count:
        await asyncio.sleep(0.05)
    return found


async def _send(client: Client, proto: Any, text: str) -> None:
    """A client that knows v2 writes v2 (converted to v1 on a link that negotiated v1)."""
    ident = str(uuid.uuid5(uuid.NAMESPACE_URL, text))
    knows_v2 = 2 in client.app.speaks()["drill.note"]
    model = proto.NoteV2(id=ident, body=text) if knows_v2 else proto.NoteV1(id=ident, text=text)
    await client.send(model, ack=True)


async def _drill(tmp: Path) -> None:
    repo, old = _registries(tmp)
    check = run("check", "--against", "release-1", "--root", str(repo))
    assert check.exit_code == 0, check.stdout + check.stderr  # the gate says: safe to roll back
    sys.path.insert(0, str(repo / "generated" / "python"))
    proto = importlib.import_module("drill_protocol")
    app = write_tree(tmp / "app", {"drill_app.py": APP})
    port, store, log = free_port(), f"sqlite:///{tmp / 'drill.db'}", tmp / "handled.log"
    url = f"ws://127.0.0.1:{port}"
    new = Served(app, repo, port, store, log)
    await new.started()
    writers = {
        "old": Client(proto, url, name="old-app", speaks={"drill.note": [1]}, **FAST),
        "new": Client(proto, url, name="new-app", **FAST),
    }
    older: Served | None = None
    try:
        for client in writers.values():
            await client.start()
            await client.wait_open(timeout=10)
        assert {n: c.versions["drill.note"] for n, c in writers.items()} == {"old": 1, "new": 2}
        for n in range(5):
            for name, client in writers.items():
                await _send(client, proto, f"{name}-before-{n}")
        before = await _until_handled(log, 10)
        assert {v for text, v, _ in before if text.startswith("new")} == {"v2"}
        samples = await scrape(f"http://127.0.0.1:{port}/metrics")  # the procedure: an empty
        assert value(samples, "wiretype_queue_depth", queue="durable") == 0  # durable queue
        assert await new.drain() == 0
        # while no server runs, the clients keep their sends (acked ones wait for their ack)
        during = [
            asyncio.create_task(_send(client, proto, f"{name}-during-{n}"))
            for n in range(3)
            for name, client in writers.items()
        ]
        older = Served(app, old, port, store, log)  # release-1, same port, same store
        await older.started()
        await asyncio.gather(*during)
        for client in writers.values():
            await client.wait_state("open", timeout=10)
        assert {n: c.versions["drill.note"] for n, c in writers.items()} == {"old": 1, "new": 1}
        for n in range(2):
            for name, client in writers.items():
                await _send(client, proto, f"{name}-after-{n}")  # the v2 client writes v1 now
        handled = await _until_handled(log, 20)
        texts = {text for text, _, _ in handled}
        sent = {f"{name}-{phase}-{n}" for name in writers for phase, count in
                (("before", 5), ("during", 3), ("after", 2)) for n in range(count)}  # fmt: skip
        assert texts == sent  # nothing acked lost
        pids = {pid for text, _, pid in handled if "-before-" not in text}
        assert pids == {str(older.process.pid)}
        assert {v for text, v, _ in handled if "-before-" not in text} == {"v1"}
        dead = await asyncio.to_thread(run, "dlq", "list", "--store", store)
        assert dead.exit_code == 0, dead.stdout  # no dead letters
    finally:
        for client in writers.values():
            await client.close()
        for server in (new, older):
            if server is not None:
                server.kill()
        sys.path.remove(str(repo / "generated" / "python"))
        sys.modules.pop("drill_protocol", None)


def test_rollback_drill_to_an_older_registry_loses_nothing_acked(tmp_path: Path) -> None:
    async def main() -> None:
        async with asyncio.timeout(100):
            await _drill(tmp_path)

    asyncio.run(main())


def test_the_gate_refuses_a_rollback_past_a_deleted_version(tmp_path: Path) -> None:
    repo, _ = _registries(tmp_path)
    (repo / "schemas/drill/note.yaml").write_text(HEAD + re.sub(r"    migrate:\n.*\n", "", V2))
    _git(repo, "commit", "-qam", "drop drill.note v1")
    check = run("check", "--against", "release-1", "--root", str(repo))
    assert check.exit_code == 1
    assert "REF_VERSION_DELETED" in check.stdout and "drill.note@1" in check.stdout
