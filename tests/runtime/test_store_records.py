"""The short ways a durable message takes through the store write what the general ways
write: a job built by ``Job.fresh`` is the job ``Job(...)`` builds, its record is the
one the general encoder makes, and the rows SQLite collects per batch land as the ops
did (what is read back after a restart, and what ``/healthz`` counts)."""

from __future__ import annotations

import asyncio
import json
import math
import sqlite3
from pathlib import Path

import pytest

from wiretype.protocol.limits import Settings
from wiretype.store import Job, open_store
from wiretype.store.sqlite_writer import general_record

NOW = 1_800_000_000_123.456

JOBS = [
    Job("n-1", "chat.message_sent", 3, '{"a":1}', "S", "b1", "null", "bench", NOW, 4, None,
        next_at=NOW),
    Job("n-2", "chat.typing", 1, '{"é":"x"}', "S\u00e9", 'id "quoted" \\ \n', '{"sub":"u"}',
        "cli\u0000ent", 1.0, 0, 5e20, attempts=3, next_at=0.0, error="boom \u00e9 \ud800"),
    Job("n-3", "t", 2, "{}", "S", "m", "null", "c", 1e-7, 9, -0.0, next_at=1e300),
    Job("n-4", "t", 2, "{}", "S", "m", "null", "c", 12, 4, None, next_at=12),  # ints: read back
]  # fmt: skip


@pytest.mark.parametrize("job", JOBS, ids=[j.id for j in JOBS])
def test_a_job_record_is_the_general_encoders_and_reads_back_equal(job: Job) -> None:
    assert job.to_json() == general_record(job.fields())
    assert json.loads(job.to_json())[3] == json.loads(job.data)  # the data embedded as is
    assert Job.from_json(job.to_json()) == job


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_job_with_a_time_that_is_not_a_number_is_refused_as_before(bad: float) -> None:
    job = Job("n", "t", 1, "{}", "S", "m", "null", "c", bad, 4, None, next_at=NOW)
    with pytest.raises(ValueError):
        job.to_json()


def test_a_fresh_job_is_the_job_the_constructor_makes() -> None:
    model = object()
    fresh = Job.fresh("n-1", "chat.x", 3, "{}", "S", "m", "null", "c", NOW, 2, NOW + 5, model)
    made = Job("n-1", "chat.x", 3, "{}", "S", "m", "null", "c", NOW, 2, NOW + 5, next_at=NOW,
               model=model)  # fmt: skip
    assert fresh == made and repr(fresh) == repr(made) and fresh.model is model
    assert (fresh.attempts, fresh.error, fresh.next_at) == (0, "", NOW)
    with pytest.raises(AttributeError):  # frozen like any other
        fresh.id = "other"  # type: ignore[misc]


def test_sqlite_writes_a_batch_of_messages_and_their_answers_in_one_commit(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        store = open_store(f"sqlite:///{tmp_path / 'wt.db'}")
        await store.open(Settings(replay_size=3))
        session = await store.create({"chat.typing": 1}, None, NOW)
        for n in range(1, 6):
            job = Job.fresh(f"j-{n}", "chat.typing", 1, "{}", session.id, f"m-{n}", "null",
                            "c", NOW, 4, None, None)  # fmt: skip
            store.enqueue(job)
            store.answered(session, f"m-{n}", f'{{"ack":{n}}}', NOW)
            store.frame(session, n, f'{{"ack":{n},"seq":{n}}}', NOW, None)
            if n == 2:
                store.finish(job)  # handled within the same batch: gone with it
        assert store.status()["unsynced_ops"] == 16  # every write counted, not the ops
        await store.sync()
        assert store.status()["batches"] == 1
        assert store.status()["batched_ops"] == 16
        assert [j.id for j in await store.claim(10, NOW)] == [f"j-{n}" for n in range(1, 6)]
        await store.close()
        db = sqlite3.connect(tmp_path / "wt.db")
        jobs = [row[0] for row in db.execute("SELECT id FROM jobs ORDER BY n")]
        seqs = [row[0] for row in db.execute("SELECT seq FROM frames ORDER BY seq")]
        answers = db.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
        db.close()
        assert jobs == ["j-1", "j-3", "j-4", "j-5"]
        assert seqs == [3, 4, 5]  # replay_size frames kept
        assert answers == 5

    asyncio.run(asyncio.wait_for(main(), 30))
