"""Durable handlers and dead letters: a handler that always fails ends in the DLQ after
``max_attempts``; ``wiretype dlq list|show|retry|drop --store URL`` inspects it and runs it
again; a store that is unreachable makes durable sends nacked ``overloaded``."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import chat_protocol as proto
import pytest

from tests.helpers import run as cli
from tests.runtime.helpers import sent_v3
from wiretype import Client, Server
from wiretype.store import open_store

pytestmark = pytest.mark.timeout(60)


def _url(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'wt.db'}"
    return str(request.getfixturevalue("redis_url"))


async def _in_thread(*args: str) -> tuple[int, str, str]:
    result = await asyncio.get_running_loop().run_in_executor(None, lambda: cli(*args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_a_failing_handler_ends_in_the_dlq_and_dlq_retry_runs_it_again(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = _url(kind, tmp_path, request)

    async def main() -> None:
        server = Server(proto, store=url)
        server.hub.durable.backoff_min_ms = server.hub.durable.backoff_max_ms = 5
        runs: list[int] = []
        broken = True

        @server.on("chat.message_sent", durable=True, max_attempts=3)
        async def posted(msg: proto.MessageSent, ctx: object) -> None:
            runs.append(ctx.attempt)  # type: ignore[attr-defined]
            if broken:
                raise ValueError("the database said no")

        async with server.serving():
            async with Client(proto, f"ws://127.0.0.1:{server.port}") as client:
                await client.send(proto.MessageSentV3(**sent_v3("doomed")), ack=True)
            while not await server.store.dead_letters():
                await asyncio.sleep(0.02)
            assert runs == [1, 2, 3]
            code, out, _ = await _in_thread("dlq", "list", "--store", url, "--format", "json")
            listed = json.loads(out)
            assert code == 1 and len(listed) == 1
            assert listed[0]["error"] == "ValueError: the database said no"
            assert listed[0]["type"] == "chat.message_sent" and listed[0]["attempts"] == 3
            ident = listed[0]["id"]
            code, out, _ = await _in_thread("dlq", "show", ident, "--store", url)
            assert code == 0 and '"body": "doomed"' in out
            broken = False
            code, out, _ = await _in_thread("dlq", "retry", ident, "--store", url)
            assert code == 0 and "requeued 1" in out
            while len(runs) < 4:
                await asyncio.sleep(0.02)
            assert runs[-1] == 1  # attempts start again
            code, out, _ = await _in_thread("dlq", "list", "--store", url)
            assert code == 0 and "no dead letters" in out
            code, _, err = await _in_thread("dlq", "drop", "nope", "--store", url)
            assert code == 2 and "no dead letter 'nope'" in err

    asyncio.run(main())


def test_dlq_usage_mistakes_are_exit_2_with_a_message(tmp_path: Path) -> None:
    for args, said in (
        (["dlq", "list"], "dlq needs --store URL"),
        (["dlq", "list", "--store", "memory://"], "keeps nothing across processes"),
        (["dlq", "purge", "--store", "memory://"], "give one of list, show, retry, drop"),
        (["dlq", "show", "--store", f"sqlite:///{tmp_path}/x.db"], "give one dead letter's ID"),
        (["dlq", "list", "--store", f"sqlite:///{tmp_path}/no/such/x.db"], "does not exist"),
        (["dlq", "list", "--store", f"sqlite:///{tmp_path}/typo.db"], "no database at"),
        (["dlq", "drop", "--all", "--store", f"sqlite:///{tmp_path}/typo.db"], "no database at"),
    ):
        result = cli(*args)
        assert result.exit_code == 2, args
        assert said in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "typo.db").exists()  # looking never creates a database


def test_a_job_of_a_message_past_its_ttl_is_dropped_not_run(tmp_path: Path) -> None:
    async def main() -> None:
        server = Server(proto, store=f"sqlite:///{tmp_path / 'wt.db'}", durable_concurrency=1)
        ran: list[str] = []

        @server.on("chat.message_sent", durable=True)
        async def posted(msg: proto.MessageSent, ctx: object) -> None:
            ran.append(msg.body)
            await asyncio.sleep(0.3)  # the next one expires while this one runs

        async with server.serving():
            async with Client(proto, f"ws://127.0.0.1:{server.port}") as client:
                await client.send(proto.MessageSentV3(**sent_v3("first")), ack=True)
                await client.send(proto.MessageSentV3(**sent_v3("stale")), ack=True, ttl=50)
            while server.counters.get("dropped_expired", 0) < 1:
                await asyncio.sleep(0.02)
        assert ran == ["first"]

    asyncio.run(main())


def test_jobs_of_a_killed_run_are_handled_by_the_next(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'wt.db'}"

    async def main() -> None:
        store = open_store(url)
        server = Server(proto, store=store)

        @server.on("chat.message_sent", durable=True)
        async def stuck(msg: proto.MessageSent, ctx: object) -> None:
            await asyncio.Event().wait()  # never returns: the run "dies" with it

        async with server.serving(), Client(proto, f"ws://127.0.0.1:{server.port}") as client:
            await client.send(proto.MessageSentV3(**sent_v3("pending")), ack=True)
        again = Server(proto, store=url)
        done: list[str] = []

        @again.on("chat.message_sent", durable=True)
        async def posted(msg: proto.MessageSent, ctx: object) -> None:
            done.append(msg.body)

        async with again.serving():
            while not done:
                await asyncio.sleep(0.02)
        assert done == ["pending"]

    asyncio.run(main())


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_a_run_again_sends_and_publishes_under_the_first_runs_ids(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """A durable job runs again after a failure (or a kill -9 between its publish and its
    end): what the first run sent and published already reached the clients, and the run
    again must not deliver it to them twice."""
    url = _url(kind, tmp_path, request)

    async def main() -> None:
        server = Server(proto, store=url)
        server.hub.durable.backoff_min_ms = server.hub.durable.backoff_max_ms = 5
        runs: list[int] = []

        @server.on("chat.message_sent", durable=True)
        async def posted(msg: proto.MessageSent, ctx: object) -> None:
            attempt = ctx.attempt  # type: ignore[attr-defined]
            runs.append(attempt)
            await ctx.publish("room", proto.MessageSentV3(**sent_v3("to the room")))  # type: ignore[attr-defined]
            await ctx.send(proto.MessageSentV3(**sent_v3("to the sender")))  # type: ignore[attr-defined]
            if attempt == 1:
                raise ValueError("failed after sending")
            await ctx.publish("room", proto.MessageSentV3(**sent_v3("room: done")))  # type: ignore[attr-defined]
            await ctx.send(proto.MessageSentV3(**sent_v3("sender: done")))  # type: ignore[attr-defined]

        async with server.serving():
            address = f"ws://127.0.0.1:{server.port}"
            async with Client(proto, address) as reader, Client(proto, address) as sender:
                await reader.subscribe("room")
                await sender.send(proto.MessageSentV3(**sent_v3("go")), ack=True)
                room = [(await reader.receive(10)).body for _ in range(2)]
                mine = [(await sender.receive(10)).body for _ in range(2)]
        assert runs == [1, 2]
        assert room == ["to the room", "room: done"]
        assert mine == ["to the sender", "sender: done"]

    asyncio.run(main())
