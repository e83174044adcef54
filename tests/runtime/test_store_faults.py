"""Bad input for the stores: an SQLite file that is corrupt, locked or of a newer schema is
refused with a message naming it (exit 2 from ``wiretype serve``); Redis unreachable at start
is refused; Redis going away while serving leaves live traffic flowing, ``/healthz`` says
``degraded`` with the reason, ``/readyz`` fails, durable sends are nacked ``overloaded`` —
and all recovers when Redis is back."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
import urllib.error
import urllib.request
from pathlib import Path

import chat_protocol as proto
import pytest
from redis import asyncio as aioredis

from tests.helpers import run as cli
from tests.helpers import write_tree
from tests.runtime.helpers import sent_v3
from tests.runtime.redis_server import RedisServer, free_port
from tests.runtime.test_cli_serve import APP
from wiretype import Client, SendFailed, Server, StoreError
from wiretype.store import Job, open_store

pytestmark = pytest.mark.timeout(60)
USER = "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11"


def _start(url: str) -> StoreError:
    async def main() -> None:
        server = Server(proto, store=url)
        try:
            await server.start("127.0.0.1", 0)
        finally:
            await server.close()

    with pytest.raises(StoreError) as refused:
        asyncio.run(main())
    return refused.value


def test_a_corrupt_sqlite_file_is_refused_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database, only text pretending" * 200)
    problem = _start(f"sqlite:///{bad}")
    assert str(bad) in str(problem) and "corrupt or not an SQLite database" in str(problem)


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    newer = tmp_path / "newer.db"
    with sqlite3.connect(newer) as db:
        db.execute("PRAGMA user_version = 99")
    problem = _start(f"sqlite:///{newer}")
    assert str(newer) in str(problem) and "schema version 99, newer" in str(problem)


def test_a_locked_sqlite_file_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        problem = _start(f"sqlite:///{path}")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert str(path) in str(problem) and "locked by another process" in str(problem)


def test_serve_with_a_corrupt_store_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"chat_app.py": APP})
    (tmp_path / "bad.db").write_bytes(b"garbage" * 1000)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        store = f"sqlite:///{tmp_path / 'bad.db'}"
        result = cli("serve", "chat_app:server", "--port", "0", "--store", store)
    finally:
        import sys

        sys.modules.pop("chat_app", None)
    assert result.exit_code == 2
    assert "bad.db is corrupt" in result.stderr and "Traceback" not in result.stderr


def test_redis_unreachable_at_start_is_refused() -> None:
    problem = _start(f"redis://127.0.0.1:{free_port()}/0")
    assert "cannot reach Redis" in str(problem)


def _get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read().decode()


def test_redis_going_away_degrades_and_recovers(own_redis: RedisServer) -> None:
    async def main() -> None:
        server = Server(proto, store=own_redis.url, sweep_ms=50)
        stored: list[str] = []

        @server.on("chat.message_sent", durable=True)
        async def posted(msg: proto.MessageSent, ctx: object) -> None:
            stored.append(msg.body)

        @server.on("chat.typing")
        async def typed(msg: proto.Typing, ctx: object) -> None:
            return None

        loop = asyncio.get_running_loop()
        typing = proto.TypingV1(room="r", user_id=USER, typing=True)
        async with server.serving():
            async with Client(proto, f"ws://127.0.0.1:{server.port}") as client:
                await client.send(proto.MessageSentV3(**sent_v3("before")), ack=True)
                own_redis.stop()
                while server.store.healthy:
                    await asyncio.sleep(0.02)
                await client.send(typing, ack=True)  # live traffic still flows
                status, text = await loop.run_in_executor(None, _get, server.port, "/healthz")
                report = json.loads(text)
                assert status == 200 and report["status"] == "degraded"
                assert report["store"]["healthy"] is False and report["store"]["problem"]
                status, text = await loop.run_in_executor(None, _get, server.port, "/readyz")
                assert (status, text.strip()) == (503, "store unreachable")
                with pytest.raises(SendFailed) as refused:
                    await client.send(proto.MessageSentV3(**sent_v3("during")), ack=True)
                assert refused.value.code == "overloaded"
                own_redis.start()
                while not server.store.healthy:
                    await asyncio.sleep(0.02)
                await client.send(proto.MessageSentV3(**sent_v3("after")), ack=True)
                await client.send(typing, ack=True)
                status, text = await loop.run_in_executor(None, _get, server.port, "/readyz")
                assert (status, text.strip()) == (200, "ready")
            # At least once: a job handled just before Redis went away may come back once more
            # if its XACK had not reached Redis; the refused message never runs.
            while not {"before", "after"} <= set(stored):
                await asyncio.sleep(0.02)
            assert "during" not in stored and stored.index("before") < stored.index("after")

    asyncio.run(main())


def test_a_job_whose_claim_reply_was_lost_is_handed_out_when_redis_is_back(
    own_redis: RedisServer,
) -> None:
    """Redis went away after delivering a job to this node's claim and before its reply
    arrived: the job waits in Redis as this node's, and must not wait for the lease (60 s,
    meant for a node that died) once Redis is back."""

    async def main() -> None:
        store = open_store(own_redis.url)
        await store.open()
        now = time.time() * 1000
        store.enqueue(Job("a", "chat.typing", 1, '{"room":"r"}', "s", "m-a", "null", "t", now))
        await store.sync()
        raw = aioredis.Redis.from_url(own_redis.url, decode_responses=True)
        taken = await raw.xreadgroup("wt:workers", store.node, {"wt:jobs": ">"})  # type: ignore[attr-defined]
        await raw.aclose()
        assert len(taken[0][1]) == 1  # delivered to the node; the node never read the reply
        own_redis.stop()
        assert await store.claim(10, now) == [] and not store.healthy
        own_redis.start()
        claimed: list[Job] = []
        for _ in range(3):  # the first command may meet a pooled link of the old process
            claimed = claimed or await store.claim(10, now)
        assert [job.id for job in claimed] == ["a"]
        store.finish(claimed[0])
        await store.close()

    asyncio.run(asyncio.wait_for(main(), 50))
