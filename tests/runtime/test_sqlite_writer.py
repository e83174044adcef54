"""The SQLite store's writer process: a batch crosses to it as text and comes out the same
rows; an ack waits for its commit; a writer that died is replaced; the option is checked."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
from pathlib import Path

import pytest

from wiretype.errors import ConfigurationError
from wiretype.protocol.limits import Settings
from wiretype.store import Job, open_store
from wiretype.store.sqlite import SqliteStore, writer_of
from wiretype.store.sqlite_writer import decode, encode

pytestmark = pytest.mark.timeout(60)
NOW = 1_800_000_000_000.5


def test_a_plan_comes_out_of_its_text_as_it_went_in() -> None:
    plan = [
        ("frame", [("s1", 1, '{"a":1}', NOW, None), ("s1", 2, '{"b":"\\n"}', NOW + 1, 5.5)]),
        # a client's message id may hold a newline, non-ASCII or a lone surrogate
        ("answer", [("s1", "line\nbreak", "{}", NOW), ("s2", "é\ud800", "", NOW)]),
        ("job", [("j1", 4, NOW, 9e18, "[]"), ("j2", 2**40, -0.0, 9e18, "[1]")]),
        ("prune", [(NOW,)]),
        ("unjob", []),  # nothing to run: not sent
        ("taken", [("s1", True), ("s2", 10**30)]),  # not 8-byte integers: as JSON
    ]
    back = decode(encode(plan))
    assert back == [step for step in plan if step[1]]
    assert [type(v) for v in back[0][1][1]] == [str, int, str, float, float]


def test_a_plan_naming_an_unknown_statement_is_refused() -> None:
    with pytest.raises(ValueError, match="no statement"):
        decode(encode([("DROP TABLE jobs", [("x",)])]))


def test_the_writer_option_is_read_from_the_url() -> None:
    assert writer_of("sqlite:///tmp/wt.db?writer=loop") == "loop"
    assert writer_of("sqlite:///tmp/wt.db?writer=process") == "process"
    many = (os.cpu_count() or 1) > 1 and os.name == "posix"
    assert writer_of("sqlite:///tmp/wt.db") == ("process" if many else "loop")
    with pytest.raises(ConfigurationError, match="writer=thread: give writer=process"):
        open_store("sqlite:///tmp/wt.db?writer=thread")
    with pytest.raises(ConfigurationError, match="unknown option 'mode'"):
        open_store("sqlite:///tmp/wt.db?mode=fast")


def _job(ident: str) -> Job:
    return Job(ident, "chat.typing", 1, '{"room":"r"}', "s", f"m-{ident}", "null", "t", NOW,
               4, None, next_at=NOW)  # fmt: skip


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    db = sqlite3.connect(path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_what_is_synced_is_in_the_file_before_sync_returns(tmp_path: Path) -> None:
    path = tmp_path / "wt.db"

    async def scenario() -> None:
        store = SqliteStore(f"sqlite:///{path}?writer=process")
        await store.open(Settings())
        session = await store.create({"chat.typing": 1}, None, NOW)
        store.answered(session, "m\n1", '{"type":"wiretype.ack"}', NOW)
        store.enqueue(_job("a"))
        await store.sync()  # what the hold waits for before an ack leaves
        assert _rows(path, "SELECT id FROM answers") == [("m\n1",)]
        assert [r[0] for r in _rows(path, "SELECT id FROM jobs")] == ["a"]
        assert [job.id for job in await store.claim(10, NOW)] == ["a"]
        await store.close()

    asyncio.run(scenario())


def test_a_writer_that_died_is_replaced_and_nothing_is_lost(tmp_path: Path) -> None:
    path = tmp_path / "wt.db"

    async def scenario() -> None:
        store = SqliteStore(f"sqlite:///{path}?writer=process")
        await store.open(Settings())
        store.enqueue(_job("a"))
        await store.sync()
        writer = store._writer
        assert writer is not None and writer._process is not None
        os.kill(writer._process.pid, signal.SIGKILL)
        await writer._process.wait()
        store.enqueue(_job("b"))
        await store.sync()  # a new writer took the batch: the store never went unreachable
        assert store.healthy and store.counters.get("store_errors", 0) == 0
        assert sorted(r[0] for r in _rows(path, "SELECT id FROM jobs")) == ["a", "b"]
        assert store._writer._process is not None and store._writer._process.returncode is None
        await store.close()

    asyncio.run(scenario())


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_the_signals_that_drain_the_node_leave_its_writer_running(
    tmp_path: Path, sig: signal.Signals
) -> None:
    """Ctrl-C or a service manager signals the whole process group; the node drains and
    its last batches still need the writer (which ends when the node closes the socket)."""
    path = tmp_path / "wt.db"

    async def scenario() -> None:
        store = SqliteStore(f"sqlite:///{path}?writer=process")
        await store.open(Settings())
        store.enqueue(_job("a"))
        await store.sync()
        process = store._writer._process if store._writer is not None else None
        assert process is not None
        os.kill(process.pid, sig)
        store.enqueue(_job("b"))
        await store.sync()
        assert store._writer is not None and store._writer._process is process
        assert process.returncode is None
        assert sorted(r[0] for r in _rows(path, "SELECT id FROM jobs")) == ["a", "b"]
        await store.close()
        assert process.returncode == 0  # it ended once the store closed its socket

    asyncio.run(scenario())
