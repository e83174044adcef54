"""Stores and scale-out, side by side in one run (loopback only, a redis-server of its own).

1. Durable handler throughput, stored -> acked: one raw peer (``rawpeer.py``) sends
   pre-encoded ``chat.message_sent`` frames with ``ack: true`` to a ``wiretype serve``
   process whose handler is ``durable=True``, keeping ``max_in_flight`` (4,096, read from
   the welcome) unacknowledged, topping the window up on every read; the figure is acks/s
   over ``n`` messages. The server's own CPU time per message, that of its child processes
   (the SQLite store's writer process) and the peer's are printed too (the peer must not be
   what limits it).
   Each is set beside the same writes done by a plain program, timed in the same round:

   - SQLite: for every message, the rows wiretype's store writes for it, in the store's own
     schema (its indexes), WAL with ``synchronous=NORMAL``: the job row (its record text,
     id, prio, next_at, claimed_until), the dedupe answer row and the replay row of its ack,
     one ``executemany`` per table, the replay trimmed once a batch, the jobs of the batch
     before deleted (handled), one transaction per batch of the size wiretype's store
     committed in that round (messages / commits). The texts are made before the clock
     starts. A jobs-only loop (the job rows alone) is printed for scale, and the same loop
     with SQLite's automatic checkpoints off (wiretype checkpoints in a thread of its own,
     so its loop never runs one; a plain loop runs them inline): the bar is the plain one.
   - Redis: the same commands wiretype's store sends, through redis-py + hiredis, one
     ``MULTI`` pipeline per batch: ``XADD`` of the job, of the dedupe answer and of the
     replay entry for every message, ``PEXPIRE`` of the keys touched, ``XREADGROUP`` of the
     batch's jobs (how a node claims them) and ``XACK`` + ``XDEL`` of the batch before.

2. Fan-out through the Redis broker: deliveries/s to 1,000 subscribers spread over two
   nodes, from a publisher on the first (50 messages, each to every subscriber).
3. Resume storm: 2,000 clients subscribed to a topic, away; one message published to it;
   their node killed (SIGKILL) and restarted; all of them resume at once: how many resumed,
   how many got that message, how long until the last did (bar: all, within 10 s).

Rounds alternate wiretype and its baseline; medians and the spread of the rounds are
printed. Servers are ``wiretype serve`` processes; every loop is bounded in count and time.
``--quick`` shrinks the counts. Run: ``.venv/bin/python bench/bench_store.py [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [
    str(ROOT),
    str(ROOT / "generated" / "python"),
    str(ROOT / "examples" / "chat" / "generated" / "python"),
    str(ROOT / "bench"),
]

from rawpeer import RawPeer, hello  # noqa: E402

from tests.runtime.procs import Served  # noqa: E402
from tests.runtime.redis_server import RedisServer  # noqa: E402
from wiretype.store.records import Job  # noqa: E402
from wiretype.store.sqlite import _MIGRATIONS, TAKEN  # noqa: E402

IN_FLIGHT = 4_096
BENCH_APP = f"""\
import os

import chat_protocol as proto
from wiretype import Server

server = Server(
    proto,
    store=os.environ.get("WT_STORE"),
    broker=os.environ.get("WT_BROKER"),
    heartbeat_ms=5_000,  # pings flow during the runs: the raw peers answer them
    rate=1e9, burst=10**9, max_in_flight={IN_FLIGHT},
    max_connections=100_000, max_connections_per_ip=100_000,
    max_buffer_bytes=64 * 1024 * 1024,
)


@server.on("chat.message_sent", durable=True)
async def stored(msg, ctx):
    return None


@server.on("chat.typing")
async def typed(msg, ctx):
    await ctx.publish(f"room.{{msg.room}}", msg)
"""
USER = "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11"
DATA = {
    "id": "1f0e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
    "room": "lobby",
    "body": "x" * 20,
    "sent_at": "2026-03-01T09:30:00Z",
    "author": {"id": USER, "name": "Ada"},
    "reply_to": None,
}
DATA_JSON = json.dumps(DATA, separators=(",", ":"))


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children_cpu_s(pid: int) -> float:
    """CPU of the server's running child processes (the SQLite store's writer)."""
    total = 0.0
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            with contextlib.suppress(FileNotFoundError):  # it just ended
                total += _cpu_s(int(child))
    return total


def _store_counters(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as reply:
        return dict(json.loads(reply.read())["store"])


# --- 1. durable throughput ------------------------------------------------------------------


@dataclass
class Round:
    rate: float  # acks/s
    server_us: float  # server CPU per message (its event loop's process)
    writer_us: float  # the CPU of its child processes per message (the SQLite writer)
    peer_us: float  # the peer's CPU per message
    per_commit: float  # messages per store batch


async def durable_rate(served: Served, n: int) -> Round:
    """Acks/s of ``n`` durable messages from one raw peer keeping ``max_in_flight`` out."""
    assert served.process is not None
    peer = await RawPeer.open(served.port, hello())
    window = int(peer.welcome["data"]["limits"]["max_in_flight"])
    frames = [
        f'{{"type":"chat.message_sent","v":3,"id":"b{i}","ack":true,"data":{DATA_JSON}}}'.encode()
        for i in range(n)
    ]
    state = {"acked": 0, "sent": 0}
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def top_up() -> None:
        room = min(n, state["acked"] + window) - state["sent"]
        if room > 0:
            peer.send(frames[state["sent"] : state["sent"] + room])
            state["sent"] += room

    def on_frame(text: str) -> None:
        if '"wiretype.ack"' in text:
            state["acked"] += 1

    def after_read() -> None:
        if state["acked"] >= n:
            if not done.done():
                done.set_result(None)
        else:
            top_up()

    peer.on_frame = on_frame
    peer.after_read = after_read
    before = _store_counters(served.port)
    pid = served.process.pid
    cpu0, kids0, peer0 = _cpu_s(pid), _children_cpu_s(pid), time.process_time()
    start = time.perf_counter()
    top_up()
    await asyncio.wait_for(done, 600)
    took = time.perf_counter() - start
    cpu1, kids1, peer1 = _cpu_s(pid), _children_cpu_s(pid), time.process_time()
    after = _store_counters(served.port)
    peer.abort()
    commits = max(1, after["batches"] - before["batches"])
    per = 1e6 / n
    return Round(
        n / took, (cpu1 - cpu0) * per, (kids1 - kids0) * per, (peer1 - peer0) * per, n / commits
    )


@dataclass
class Rows:
    """The texts wiretype's store writes for each of ``n`` durable messages."""

    session: str
    jobs: list[tuple[str, int, float, float, str]]
    answers: list[tuple[str, str, str, float]]
    frames: list[tuple[str, int, str, float, None]]


def rows_for(n: int) -> Rows:
    session, now = "Xq3v9N1bq2tWcM7dPzL0aB4k", time.time() * 1000
    jobs, answers, frames = [], [], []
    for i in range(n):
        job = Job(
            f"5f1c0a9e2b7d-{i + 1}",
            "chat.message_sent",
            3,
            DATA_JSON,
            session,
            f"b{i}",
            "null",
            "bench",
            now,
            4,
            None,
            next_at=now,
        )
        jobs.append((job.id, 4, now, TAKEN, job.to_json()))
        ack = (
            f'{{"type":"wiretype.ack","v":1,"id":"9c2e41f0-{i + 2}",'
            f'"data":{{"re":"b{i}"}},"re":"b{i}"'
        )
        answers.append((session, f"b{i}", ack, now))
        frames.append((session, i + 2, f'{ack},"seq":{i + 2},"epoch":1234567890}}', now, None))
    return Rows(session, jobs, answers, frames)


def sqlite_baseline(
    rows: Rows, batch: int, path: Path, *, jobs_only: bool = False, checkpoints: bool = True
) -> float:
    """Messages/s of the store's rows written by a plain loop (see the module docstring).
    ``checkpoints=False``: the WAL is never checkpointed during the loop (wiretype's store
    leaves checkpoints to a thread of their own; a plain loop runs SQLite's automatic ones
    inline, which is what the bar compares with)."""
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()
    db = sqlite3.connect(str(path), isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    if not checkpoints:
        db.execute("PRAGMA wal_autocheckpoint=0")
    for statement in _MIGRATIONS[1].split(";"):
        if statement.strip():
            db.execute(statement)
    n = len(rows.jobs)
    start = time.perf_counter()
    for i in range(0, n, batch):
        db.execute("BEGIN IMMEDIATE")
        db.executemany(
            "INSERT OR IGNORE INTO jobs (id, prio, next_at, claimed_until, job) "
            "VALUES (?, ?, ?, ?, ?)",
            rows.jobs[i : i + batch],
        )
        if not jobs_only:
            db.executemany(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?)", rows.answers[i : i + batch]
            )
            db.executemany(
                "INSERT OR REPLACE INTO frames VALUES (?, ?, ?, ?, ?)", rows.frames[i : i + batch]
            )
            db.execute(
                "DELETE FROM frames WHERE session = ? AND seq <= ?",
                (rows.session, rows.frames[min(n, i + batch) - 1][1] - 1_000),
            )
            db.executemany(
                "DELETE FROM jobs WHERE id = ?",
                [(job[0],) for job in rows.jobs[max(0, i - batch) : i]],
            )
        db.execute("COMMIT")
    took = time.perf_counter() - start
    db.close()
    return n / took


async def redis_baseline(rows: Rows, batch: int, url: str) -> float:
    """Messages/s of the store's commands sent by redis-py + hiredis (module docstring)."""
    from redis import asyncio as aioredis

    client = aioredis.Redis.from_url(url, decode_responses=True)
    jobs, meta = "plain:jobs", f"plain:{{{rows.session}}}"
    await client.delete(jobs, meta + ":r", meta + ":d")
    await client.xgroup_create(jobs, "plain", id="0", mkstream=True)
    n, held = len(rows.jobs), []
    start = time.perf_counter()
    for i in range(0, n, batch):
        pipe = client.pipeline(transaction=True)
        for j in range(i, min(n, i + batch)):
            pipe.xadd(jobs, {"j": rows.jobs[j][4], "i": rows.jobs[j][0]})
            _, message_id, answer, at = rows.answers[j]
            pipe.xadd(
                meta + ":d",
                {"i": message_id, "x": answer, "a": at},
                maxlen=10_000,
                approximate=True,
            )
            _, seq, frame, at, _ = rows.frames[j]
            pipe.xadd(
                meta + ":r",
                {"f": frame, "a": at, "e": ""},
                id=f"{seq}-1",
                maxlen=1_000,
                approximate=True,
            )
        if held:
            pipe.xack(jobs, "plain", *held)
            pipe.xdel(jobs, *held)
        pipe.pexpire(meta + ":d", 250_000)
        pipe.pexpire(meta + ":r", 250_000)
        await pipe.execute()
        claimed = await client.xreadgroup("plain", "node", {jobs: ">"}, count=batch)
        held = [entry for entry, _ in claimed[0][1]] if claimed else []
    took = time.perf_counter() - start
    await client.aclose()
    return n / took


def _spread(values: list[float]) -> str:
    return f"{min(values):,.0f}-{max(values):,.0f}"


async def durable_rounds(kind: str, store: str, folder: Path, n: int, rounds: int) -> None:
    rows = rows_for(n)
    ours: list[Round] = []
    plain: list[float] = []
    jobs_only: list[float] = []
    unchecked: list[float] = []
    for r in range(rounds):
        if kind == "sqlite":
            for old in folder.glob("wt.db*"):
                old.unlink()
        served = Served(folder, 0, WT_STORE=store)
        await served.start()
        try:
            await durable_rate(served, n // 10)  # warm up
            ours.append(await durable_rate(served, n))
        finally:
            served.stop()
        batch = max(1, round(ours[-1].per_commit))
        if kind == "sqlite":
            plain.append(sqlite_baseline(rows, batch, folder / "plain.db"))
            jobs_only.append(sqlite_baseline(rows, batch, folder / "plain.db", jobs_only=True))
            unchecked.append(sqlite_baseline(rows, batch, folder / "plain.db", checkpoints=False))
        else:
            plain.append(await redis_baseline(rows, batch, store))
        print(
            f"    round {r + 1}: wiretype {ours[-1].rate:,.0f}/s (server {ours[-1].server_us:.1f} "
            f"+ its writer {ours[-1].writer_us:.1f} us/msg, peer {ours[-1].peer_us:.1f} us/msg, "
            f"{ours[-1].per_commit:,.0f} msgs per commit), plain {plain[-1]:,.0f}/s",
            flush=True,
        )
    rates = [o.rate for o in ours]
    ratios = [o.rate / p for o, p in zip(ours, plain, strict=True)]
    bar = 0.6 if kind == "sqlite" else 0.7
    what = "plain executemany of the same rows" if kind == "sqlite" else "redis-py pipelines"
    print(
        f"  {kind:7} wiretype {statistics.median(rates):9,.0f}/s ({_spread(rates)})   "
        f"{what} {statistics.median(plain):9,.0f}/s ({_spread(plain)})   ratio "
        f"{statistics.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f}; bar >= {bar}x)"
    )
    print(
        f"          server CPU {statistics.median(o.server_us for o in ours):.1f} us/msg "
        f"(+ its writer process {statistics.median(o.writer_us for o in ours):.1f}), "
        f"peer CPU {statistics.median(o.peer_us for o in ours):.1f} us/msg, "
        f"{statistics.median(o.per_commit for o in ours):,.0f} messages per commit"
    )
    if jobs_only:
        print(f"          (the job rows alone, plain: {statistics.median(jobs_only):,.0f}/s)")
        print(
            f"          (all the rows, plain, no checkpoint during the loop, as wiretype's "
            f"loop runs none: {statistics.median(unchecked):,.0f}/s, ratio "
            f"{statistics.median(o.rate / u for o, u in zip(ours, unchecked, strict=True)):.2f}x)"
        )


# --- 2. fan-out through the Redis broker ----------------------------------------------------


def _subscribe(topic: str) -> str:
    return json.dumps(
        {"type": "wiretype.subscribe", "v": 1, "id": "s", "ack": True, "data": {"topics": [topic]}}
    )


def _typing(room: str, ident: str, *, ack: bool = False) -> str:
    frame: dict[str, Any] = {
        "type": "chat.typing",
        "v": 1,
        "id": ident,
        "data": {"room": room, "user_id": USER, "typing": True},
    }
    if ack:
        frame["ack"] = True
    return json.dumps(frame)


async def _until(peer: RawPeer, needle: str, timeout: float = 60.0) -> str:
    """The next frame holding ``needle`` (other frames are dropped)."""
    found: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def on_frame(text: str) -> None:
        if needle in text and not found.done():
            found.set_result(text)

    peer.on_frame = on_frame
    return await asyncio.wait_for(found, timeout)


async def _opened(port: int, count: int, text: str, topic: str) -> list[RawPeer]:
    """``count`` peers with ``text`` as hello, subscribed to ``topic``, 100 dialing at once."""
    peers: list[RawPeer] = []
    for start in range(0, count, 100):
        group = await asyncio.gather(
            *(RawPeer.open(port, text) for _ in range(min(100, count - start)))
        )
        acks = [asyncio.ensure_future(_until(peer, '"wiretype.ack"')) for peer in group]
        for peer in group:
            peer.send([_subscribe(topic)])
        await asyncio.gather(*acks)
        peers.extend(group)
    return peers


async def fan_out(url: str, folder: Path, subscribers: int, messages: int) -> float:
    nodes = [Served(folder, 0, WT_STORE=url, WT_BROKER=url) for _ in range(2)]
    for node in nodes:
        await node.start()
    try:
        peers = []
        for k, node in enumerate(nodes):
            peers += await _opened(
                node.port, subscribers // 2 + k * (subscribers % 2), hello(), "room.fan"
            )
        publisher = await RawPeer.open(nodes[0].port, hello())
        await asyncio.sleep(0.5)  # the second node's broker subscription is in place
        got = [0]
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        total = len(peers) * messages

        def on_frame(text: str) -> None:
            if '"chat.typing"' in text:
                got[0] += 1
                if got[0] >= total and not done.done():
                    done.set_result(None)

        for peer in peers:
            peer.on_frame = on_frame
        start = time.perf_counter()
        publisher.send([_typing("fan", f"p{i}") for i in range(messages)])
        await asyncio.wait_for(done, 120)
        took = time.perf_counter() - start
        for peer in [*peers, publisher]:
            peer.abort()
        return total / took
    finally:
        for node in nodes:
            node.stop()


# --- 3. resume storm ------------------------------------------------------------------------


async def resume_storm(store: str, folder: Path, clients: int) -> tuple[float, int, int]:
    node = Served(folder, 0, WT_STORE=store)
    port = await node.start()
    try:
        peers = await _opened(port, clients, hello(), "room.storm")
        sessions = [(p.welcome["data"]["session"], p.last_seq, p.welcome["epoch"]) for p in peers]
        for peer in peers:
            peer.abort()  # away: the session waits for a resume
        trigger = await RawPeer.open(port, hello())
        acked = asyncio.ensure_future(_until(trigger, '"wiretype.ack"'))
        trigger.send([_typing("storm", "t", ack=True)])
        await acked  # the message is durable for every away session
        node.kill()
        node.port = port
        await node.start()
        start = time.perf_counter()

        async def back(session: str, last_seq: int, epoch: int) -> tuple[bool, bool]:
            resume = {"session": session, "last_seq": last_seq, "epoch": epoch}
            peer = await RawPeer.open(port, hello(resume=resume))
            resumed = bool(peer.welcome["data"]["resumed"])
            got = resumed and bool(await _until(peer, '"room":"storm"', 30))
            peer.abort()
            return resumed, got

        results = await asyncio.gather(*(back(*s) for s in sessions))
        took = time.perf_counter() - start
        return took, sum(r for r, _ in results), sum(g for _, g in results)
    finally:
        node.stop()


async def main(quick: bool, rounds: int, parts: set[str]) -> None:
    n = 10_000 if quick else 40_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "crash_app.py").write_text(BENCH_APP)
        redis = RedisServer(folder / "redis")
        redis.start()
        try:
            kinds = [k for k in ("sqlite", "redis") if {"durable", k} & parts]
            if kinds:
                print(
                    f"durable handler throughput, {n:,} acked messages (stored -> acked), "
                    f"{rounds} rounds; 2 cores shared with other work:"
                )
            if "sqlite" in kinds:
                await durable_rounds("sqlite", f"sqlite:///{folder / 'wt.db'}", folder, n, rounds)
            if "redis" in kinds:
                await durable_rounds("redis", redis.url, folder, n, rounds)
            subs, msgs = (200, 20) if quick else (1_000, 50)
            if "fanout" in parts:
                rate = await fan_out(redis.url, folder, subs, msgs)
                print(
                    f"fan-out through the Redis broker: {rate:,.0f} deliveries/s "
                    f"({msgs} messages to {subs:,} subscribers over two nodes)"
                )
            clients = 300 if quick else 2_000
            for store in (
                (f"sqlite:///{folder / 'storm.db'}", redis.url) if "storm" in parts else ()
            ):
                took, resumed, got = await resume_storm(store, folder, clients)
                print(
                    f"resume storm ({store.split(':')[0]}): {clients:,} clients, node killed "
                    f"and restarted: {resumed:,} resumed, {got:,} got the message published "
                    f"while away, in {took:.2f} s (bar: all within 10 s)"
                )
        finally:
            redis.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--only",
        default="durable,fanout,storm",
        help="which parts, comma separated (durable, fanout, storm; sqlite or redis: the "
        "durable part of that store alone)",
    )
    args = parser.parse_args()
    rounds = 2 if args.quick and args.rounds == 5 else args.rounds
    asyncio.run(main(args.quick, rounds, set(args.only.split(","))))
