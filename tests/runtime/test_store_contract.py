"""One contract for every store, run against memory, SQLite and a real redis-server.

What a durable store keeps survives a new instance on the same file or Redis (the process
restarted); the memory store's new instance has another epoch, so resumes are refused
rather than silently missing messages."""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from wiretype.protocol.limits import Settings
from wiretype.protocol.session import Session
from wiretype.store import Job, MemoryStore, Store, open_store
from wiretype.store.sqlite import path_of

pytestmark = pytest.mark.timeout(60)
KINDS = ["memory", "sqlite", "sqlite-loop", "redis"]  # sqlite: commits in a writer process
SETTINGS = Settings(replay_size=5, dedupe_ms=300_000, session_ttl_ms=1_000)
NOW = 1_800_000_000_000.0


def run(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    @functools.wraps(test)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        asyncio.run(asyncio.wait_for(test(*args, **kwargs), 30))

    return wrapper


@pytest.fixture(params=KINDS)
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], Store]:
    """A function that opens a new instance of the same store (a restart)."""
    kind = request.param
    if kind == "memory":
        return MemoryStore
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'wt.db'}?writer=process"
    elif kind == "sqlite-loop":
        url = f"sqlite:///{tmp_path / 'wt.db'}?writer=loop"
    else:
        url = request.getfixturevalue("redis_url")

    def make() -> Store:
        store = open_store(url)
        if kind == "redis":
            store.lease_ms = 0  # type: ignore[attr-defined]
        return store

    return make


async def _opened(opener: Callable[[], Store]) -> Store:
    store = opener()
    await store.open(SETTINGS)
    return store


def _job(ident: str, prio: int = 4, next_at: float = NOW) -> Job:
    return Job(ident, "chat.typing", 1, '{"room":"r"}', "s", f"m-{ident}", '"ada"', "t", NOW,
               prio, None, next_at=next_at)  # fmt: skip


async def _write_history(store: Store) -> Session:
    session = await store.create({"chat.typing": 1}, "ada", NOW)
    session.topics.update({"room.a", "room.b"})
    session.client = "bot"
    store.saved(session)
    for seq in range(1, 8):
        session.seq = seq
        store.frame(session, seq, f'{{"type":"x","v":1,"id":"f{seq}","seq":{seq}}}', NOW, None)
    store.answered(session, "m-1", '{"type":"wiretype.ack"}', NOW)
    store.pending(session, '{"type":"x","v":1,"id":"p1"', 4, None)
    store.pending(session, '{"type":"x","v":1,"id":"p2"', 2, None)
    session.detached_at = NOW
    store.saved(session)
    await store.sync()
    return session


@run
async def test_a_session_is_found_by_id_until_dropped(opener: Callable[[], Store]) -> None:
    store = await _opened(opener)
    one = await store.create({"chat.typing": 1}, "ada", NOW)
    two = await store.create({"chat.typing": 1}, "bob", NOW)
    assert one.id != two.id and one.epoch == two.epoch == store.epoch
    assert await store.find(one.id, NOW) is one
    await store.drop(one.id)
    await store.sync()
    assert await store.find(one.id, NOW) is None
    assert await store.find("no-such-session", NOW) is None
    await store.close()


@run
async def test_history_survives_a_restart_of_a_durable_store(opener: Callable[[], Store]) -> None:
    store = await _opened(opener)
    written = await _write_history(store)
    epoch = store.epoch
    await store.close()
    again = await _opened(opener)
    found = await again.find(written.id, NOW + 10)
    if not again.durable:
        assert found is None and again.epoch != epoch  # told apart by the epoch
        return
    assert again.epoch == epoch and found is not None
    assert (found.seq, found.versions, found.principal) == (7, {"chat.typing": 1}, "ada")
    assert found.topics == {"room.a", "room.b"} and found.client == "bot"
    assert found.can_resume(epoch, 4, {"chat.typing": 1}, NOW + 10)
    assert not found.can_resume(epoch, 1, {"chat.typing": 1}, NOW + 10)  # past replay_size
    assert found.replay is not None
    frames, _ = found.replay.after(4, NOW + 10)
    assert [f'"id":"f{n}"' in frame for n, frame in zip((5, 6, 7), frames, strict=True)]
    assert len(frames) == 3
    assert found.seen is not None and found.seen.get("m-1", NOW + 10) == '{"type":"wiretype.ack"}'
    assert found.pending is not None
    waiting = [item.payload for item in found.pending]
    assert waiting == ['{"type":"x","v":1,"id":"p2"', '{"type":"x","v":1,"id":"p1"']  # prio
    await again.close()


@run
async def test_frames_taken_for_a_resume_do_not_come_back(opener: Callable[[], Store]) -> None:
    store = await _opened(opener)
    session = await _write_history(store)
    store.pending_taken(session)
    store.pending(session, '{"type":"x","v":1,"id":"p3"', 4, None)
    await store.sync()
    await store.close()
    again = await _opened(opener)
    found = await again.find(session.id, NOW)
    if again.durable:
        assert found is not None and found.pending is not None
        assert [item.payload for item in found.pending] == ['{"type":"x","v":1,"id":"p3"']
    await again.close()


@run
async def test_expired_and_closed_sessions_are_gone(opener: Callable[[], Store]) -> None:
    store = await _opened(opener)
    session = await _write_history(store)
    kept = await store.create({}, None, NOW)
    kept.detached_at = NOW + 5_000
    gone = await store.expire(NOW + 2_000, SETTINGS.session_ttl_ms)
    assert [s.id for s in gone] == [session.id] and session.closed
    await store.sync()
    await store.close()
    again = await _opened(opener)
    assert await again.find(session.id, NOW) is None
    await again.close()


@run
async def test_jobs_are_claimed_by_priority_then_age_and_finish(
    opener: Callable[[], Store],
) -> None:
    store = await _opened(opener)
    for ident, prio in (("a", 4), ("b", 1), ("c", 4)):
        store.enqueue(_job(ident, prio))
    await store.sync()
    claimed = await store.claim(10, NOW + 1)
    assert [job.id for job in claimed] == ["b", "a", "c"]
    assert await store.claim(10, NOW + 1_000) == []  # taken: nobody gets them twice
    for job in claimed:
        store.finish(job)
    await store.sync()
    await store.close()
    again = await _opened(opener)
    assert await again.claim(10, NOW + 10**7) == []
    await again.close()


@run
async def test_a_job_claimed_by_a_run_that_died_is_handed_out_again(
    opener: Callable[[], Store],
) -> None:
    store = await _opened(opener)
    if not store.durable:
        return
    store.enqueue(_job("a"))
    await store.sync()
    assert [job.id for job in await store.claim(10, NOW + 1)] == ["a"]
    await store.close()  # killed before it finished the job
    again = await _opened(opener)
    assert [job.id for job in await again.claim(10, NOW + 10**6)] == ["a"]
    await again.close()


@run
async def test_a_retried_job_waits_and_a_dead_letter_can_be_revived_or_dropped(
    opener: Callable[[], Store],
) -> None:
    store = await _opened(opener)
    store.enqueue(_job("a"))
    store.enqueue(_job("b"))
    await store.sync()
    a, b = await store.claim(10, NOW + 1)
    store.retry(a.failed("ValueError: no", NOW + 60_000))
    store.bury(b.failed("KeyError: x", NOW), "KeyError: x", NOW)
    await store.sync()
    assert await store.claim(10, NOW + 30_000) == []
    later = await store.claim(10, NOW + 10**6)
    assert [(j.id, j.attempts, j.error) for j in later] == [("a", 1, "ValueError: no")]
    dead = await store.dead_letters()
    assert [(d.job.id, d.error, d.job.attempts) for d in dead] == [("b", "KeyError: x", 1)]
    assert (await store.dead_letter("b")) is not None and await store.dead_letter("zz") is None
    assert await store.revive("b", NOW + 10**6)
    assert await store.dead_letters() == []
    revived = await store.claim(10, NOW + 2 * 10**6)
    assert [(j.id, j.attempts) for j in revived] == [("b", 0)]
    store.bury(revived[0], "again", NOW)
    await store.sync()
    assert await store.discard("b") and not await store.discard("b")
    assert await store.dead_letters() == [] and not await store.revive("b", NOW)
    await store.close()


@run
async def test_sessions_resumed_all_at_once_are_all_found(opener: Callable[[], Store]) -> None:
    """A node restarted: its clients resume at the same moment, each load from the store
    running concurrently (more of them than a connection pool holds by default)."""
    store = await _opened(opener)
    ids = []
    for _ in range(400):
        session = await store.create({"chat.typing": 1}, "ada", NOW)
        session.detached_at = NOW
        store.saved(session)
        ids.append(session.id)
    await store.close()
    again = await _opened(opener)
    found = await asyncio.gather(*(again.find(sid, NOW) for sid in ids))
    if again.durable:
        assert [s.id if s is not None else None for s in found] == ids
        assert again.healthy and not again.problem
    else:  # the memory store's sessions died with the process
        assert found == [None] * len(ids)
    await again.close()


async def _write_unreadable_job(store: Store) -> None:
    """A record in the durable queue that is not a job (another program's, or damaged)."""
    if store.kind == "sqlite":
        db = sqlite3.connect(str(path_of(store.url)), isolation_level=None)
        db.execute(
            "INSERT INTO jobs (id, prio, next_at, claimed_until, job) VALUES (?, 0, 0, 0, ?)",
            ("junk", "[1, 2"),
        )
        db.close()
    else:
        from redis import asyncio as aioredis

        client = aioredis.Redis.from_url(store.url, decode_responses=True)
        await client.xadd("wt:jobs", {"j": "[1, 2", "i": "junk"})
        await client.xadd("wt:jobs", {"x": "no job field"})
        await client.aclose()


@run
async def test_an_unreadable_job_record_is_skipped_and_the_queue_goes_on(
    opener: Callable[[], Store],
) -> None:
    store = await _opened(opener)
    if not store.durable:
        return
    await _write_unreadable_job(store)
    store.enqueue(_job("a"))
    await store.sync()
    await store.close()
    again = await _opened(opener)  # read back from the file or Redis, not handed over
    claimed = await again.claim(10, NOW + 10**6)
    assert [job.id for job in claimed] == ["a"]
    assert again.healthy and again.counters.get("unreadable_jobs", 0) >= 1
    await again.close()


def test_a_job_record_of_the_previous_version_still_reads() -> None:
    """Records embed the data JSON as it is; those written before quoted it as a string."""
    job = _job("a")
    quoted = (
        '["a","chat.typing",1,"{\\"room\\":\\"r\\"}","s","m-a","\\"ada\\"","t",'
        f'{NOW},4,null,0,{NOW},""]'
    )
    assert job.to_json().startswith('["a","chat.typing",1,{"room":"r"},"s",')
    assert Job.from_json(quoted) == Job.from_json(job.to_json()) == job
    assert Job.read("[1, 2") is None and Job.read(None) is None
