"""What a new user of the persistence and scale-out runtime tries first, from the docs alone:
several endpoints for one client, store and broker URLs with a typo, a server told to stop
while a peer no longer answers, `wiretype dlq` with the id the user knows."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import chat_protocol as proto
import pytest

from tests.helpers import run, write_tree
from tests.runtime.e2e import FAST, bounded, frames_until, hello, raw
from tests.runtime.helpers import sent_v3
from tests.runtime.redis_server import free_port
from wiretype import Client, ConfigurationError, Context, Server

ROOT = Path(__file__).resolve().parents[2]
CLI = "import sys; from registry.cli import main; sys.argv[0] = 'wiretype'; main()"
APP = "import chat_protocol as proto\nfrom wiretype import Server\n\nserver = Server(proto)\n"

pytestmark = pytest.mark.timeout(30)


@bounded
async def test_a_client_given_url_and_urls_dials_every_one_of_them() -> None:
    nobody = f"ws://127.0.0.1:{free_port()}"  # nothing listens there
    server = Server(proto, **FAST)
    async with server.serving():
        live = f"ws://127.0.0.1:{server.port}"
        for first, more in ((nobody, [live]), (live, [nobody])):
            client = Client(proto, first, urls=more, **FAST)
            assert client.urls == [first, *more]
            await client.start()
            try:
                await client.wait_state("open", timeout=10)  # the live one, wherever it is
            finally:
                await client.close()


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("redis://127.0.0.1:99999/0", "the port in '127.0.0.1:99999' is not a port number"),
        ("redis://127.0.0.1:6379/O", "the database is a number (redis://host:port/0), not 'O'"),
        ("redis://127.0.0.1:6379/0?db=x", "Invalid value for 'db'"),
    ],
)
def test_a_redis_url_with_a_typo_is_exit_2_naming_it_never_an_internal_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, said: str
) -> None:
    result = run("dlq", "list", "--store", url)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"wiretype: error: store {url}: ")
    assert said in result.stderr and "internal error" not in result.stderr
    with pytest.raises(ConfigurationError, match=re.escape(f"store {url}")):
        Server(proto, store=url)
    if "?" not in url:  # the broker reads no query but ?sharded=1
        with pytest.raises(ConfigurationError, match=re.escape(f"broker {url}")):
            Server(proto, broker=url)
    write_tree(tmp_path, {"typo_app.py": APP})
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        served = run("serve", "typo_app:server", "--port", "0", "--store", url)
    finally:
        sys.modules.pop("typo_app", None)
    assert served.exit_code == 2 and said in served.stderr
    assert "internal error" not in served.stderr


def test_an_unreachable_broker_is_called_the_broker_not_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    write_tree(tmp_path, {"lone_app.py": APP})
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        result = run("serve", "lone_app:server", "--port", "0", "--broker", url)
    finally:
        sys.modules.pop("lone_app", None)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"wiretype: error: broker {url}: cannot reach Redis")


def test_one_redis_url_with_the_brokers_sharded_flag_serves_as_the_store_too(
    redis_url: str,
) -> None:
    shared = f"{redis_url}?sharded=1"  # docs/deploy.md gives --store and --broker one URL
    result = run("dlq", "list", "--store", shared)
    assert (result.exit_code, result.stdout.strip(), result.stderr) == (0, "no dead letters", "")


@bounded
async def test_drain_ends_at_drain_ms_even_when_a_peer_never_answers_the_close() -> None:
    server = Server(proto, drain_ms=100)
    # websockets waits close_timeout for each peer's answer to the close: an hour here, so
    # a drain that waited for this peer would never end
    async with server.serving(close_timeout=3600):
        ws = await raw(server.port)
        await ws.send(hello())
        await frames_until(ws, "wiretype.welcome")
        assert ws.transport is not None
        ws.transport.pause_reading()  # a frozen peer: it never reads the status or the close
        try:
            await server.drain()
            assert server.connections == 0
        finally:
            ws.transport.abort()


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_right_after_the_serving_line_drains_and_exits_0(
    tmp_path: Path, redis_url: str, workers: int
) -> None:
    """A supervisor that stops the server as soon as it said it serves gets a drained exit 0,
    never a process killed by the signal before it was ready to catch it."""
    write_tree(tmp_path, {"quick_app.py": APP})
    path = [str(tmp_path), str(ROOT), str(ROOT / "generated" / "python")]
    path.append(str(ROOT / "examples" / "chat" / "generated" / "python"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    scale = ["--store", redis_url, "--broker", redis_url, "--metrics-port", "0"]
    scale = scale if workers > 1 else []
    args = ["serve", "quick_app:server", "--port", "0", "--workers", str(workers), *scale]
    for _ in range(3):
        process = subprocess.Popen(
            [sys.executable, "-c", CLI, *args], cwd=tmp_path, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert process.stdout is not None
        line = process.stdout.readline()
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
        assert line.startswith("serving quick_app:server on ws://"), (line, err)
        if workers > 1:  # each worker's metrics port, where 0 let it take any
            assert re.search(r"\(2 workers; metrics on ports \d+, \d+\)$", line), line
        assert (process.returncode, out.strip()) == (0, "drained"), err


@bounded
async def test_dlq_show_retry_and_drop_take_the_id_the_client_sent_too(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'wt.db'}"
    server = Server(proto, store=url)
    runs: list[str] = []

    @server.on("chat.message_sent", durable=True, max_attempts=1)
    async def posted(msg: proto.MessageSent, ctx: Context) -> None:
        runs.append(msg.body)
        if len(runs) == 1:
            raise ValueError("the database said no")

    async with server.serving():
        async with Client(proto, f"ws://127.0.0.1:{server.port}") as client:
            sent = await client.send(proto.MessageSentV3(**sent_v3("doomed")), ack=True)
        while not await server.store.dead_letters():
            await asyncio.sleep(0.02)
        assert sent is not None
        shown = await asyncio.to_thread(
            run, "dlq", "show", sent, "--store", url, "--format", "json"
        )
        assert shown.exit_code == 0, shown.stderr
        letter = json.loads(shown.stdout)
        assert letter["message_id"] == sent and letter["id"] != sent
        retried = await asyncio.to_thread(run, "dlq", "retry", sent, "--store", url)
        assert retried.exit_code == 0, retried.stderr
        assert retried.stdout.split() == ["requeued", "1", "dead", "letter(s)", letter["id"]]
        while len(runs) < 2:
            await asyncio.sleep(0.02)
    assert runs == ["doomed", "doomed"]
    gone = await asyncio.to_thread(run, "dlq", "drop", sent, "--store", url)
    assert (gone.exit_code, gone.stderr.strip()) == (
        2,
        f"wiretype: error: no dead letter {sent!r} in {url}",
    )


def test_jobs_a_killed_node_was_running_are_taken_over_without_waiting_for_the_lease(
    redis_url: str,
) -> None:
    """kill -9 leaves the jobs a node had claimed with it in Redis; the node that restarts, or
    the one beside it, runs them once the killed one stopped saying it is alive (its key
    expires; deleted here, as its expiry), not after the 60 s lease."""
    from tests.runtime.test_store_contract import NOW, SETTINGS, _job
    from wiretype.store import open_store

    async def main() -> None:
        killed = open_store(redis_url)
        await killed.open(SETTINGS)
        killed.enqueue(_job("a"))
        await killed.sync()
        assert [job.id for job in await killed.claim(10, NOW)] == ["a"]
        # killed: it never acks, never claims again, and its key expires (deleted here)
        await killed.redis.delete(f"wt:alive:{killed.node}")  # type: ignore[attr-defined]
        restarted = open_store(redis_url)
        await restarted.open(SETTINGS)
        try:
            assert [job.id for job in await restarted.claim(10, NOW + 1)] == ["a"]
            assert await restarted.claim(10, NOW + 2_000) == []  # taken once
        finally:
            await restarted.close()
            await killed.close()

    asyncio.run(asyncio.wait_for(main(), 20))


def test_a_busy_node_that_claims_nothing_for_a_while_keeps_its_jobs(redis_url: str) -> None:
    """A node with a long backlog stops claiming until it has worked it down; it still says it
    is alive (keep_alive, which its claimer calls instead), so no other node takes the jobs
    it is running for a killed node's and runs them a second time beside it."""
    from tests.runtime.test_store_contract import NOW, SETTINGS, _job
    from wiretype.store import open_store

    async def main() -> None:
        busy = open_store(redis_url)
        await busy.open(SETTINGS)
        other = open_store(redis_url)
        await other.open(SETTINGS)
        try:
            busy.enqueue(_job("a"))
            await busy.sync()
            assert [job.id for job in await busy.claim(10, NOW)] == ["a"]
            later = NOW + busy.alive_ms  # type: ignore[attr-defined]
            # its key would have expired by now (deleted here, as its expiry) ...
            await busy.redis.delete(f"wt:alive:{busy.node}")  # type: ignore[attr-defined]
            await busy.keep_alive(later)  # ... had the claimer not said it is alive
            assert await other.claim(10, later + 1) == []
        finally:
            await other.close()
            await busy.close()

    asyncio.run(asyncio.wait_for(main(), 20))


def test_workers_without_redis_is_one_line_saying_so_and_no_note_above_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"lone_app.py": APP})
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        result = run("serve", "lone_app:server", "--port", "0", "--workers", "2")
    finally:
        sys.modules.pop("lone_app", None)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "wiretype: error: --workers 2 needs a Redis broker and store, so that topics, sessions "
        "and resumes span the processes; missing: store (--store redis://host:port/db), "
        "broker (--broker redis://host:port/db)"
    ]


def test_a_broker_that_lost_redis_tells_why_not_what_its_retries_tripped_on() -> None:
    from wiretype.broker import open_broker

    broker = open_broker("redis://127.0.0.1:6379/0")
    broker._down(ConnectionError("Error 111 connecting to 127.0.0.1:6379"))  # type: ignore[attr-defined]
    # each retry then reads the closed subscription, which redis-py answers with this
    broker._down(RuntimeError("pubsub connection not set"))  # type: ignore[attr-defined]
    assert broker.status() == {
        "kind": "redis",
        "healthy": False,
        "problem": "ConnectionError: Error 111 connecting to 127.0.0.1:6379",
    }
