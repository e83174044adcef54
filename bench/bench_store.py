"""Stores and scale-out, side by side in one run (loopback only, a redis-server of its own).

1. durable handler throughput (stored -> acked, over a WebSocket, a raw client pipelining
   ``ack: true`` frames) with SQLite, beside a plain SQLite WAL batched insert loop of the
   same rows; with Redis, beside redis-py + hiredis pipelined ``XADD`` of the same rows;
2. fan-out through the Redis broker: deliveries/s to 1,000 subscribers spread over two nodes;
3. resume storm: 2,000 clients whose node is killed and restarted, all resumed, none losing
   a message (one published while they were away).

Servers run as ``wiretype serve`` processes; every loop is bounded. ``--quick`` shrinks the
counts. Run: ``.venv/bin/python bench/bench_store.py [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "examples" / "chat" / "generated" / "python")]

from websockets.asyncio.client import connect  # noqa: E402

from tests.runtime.helpers import sent_v3  # noqa: E402
from tests.runtime.procs import APP, Served  # noqa: E402
from tests.runtime.redis_server import RedisServer, free_port  # noqa: E402

FAST_APP = APP.replace("heartbeat_ms=1_000", "heartbeat_ms=60_000").replace(
    '    presence=["room.*"],\n',
    '    presence=["room.*"], rate=1e9, burst=10**9, max_in_flight=10**6,\n'
    "    max_connections_per_ip=100_000, max_connections=100_000,\n"
    "    max_buffer_bytes=64 * 1024 * 1024,\n",
)
USER = "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11"
HELLO = json.dumps({"type": "wiretype.hello", "v": 1, "id": "h", "data": {
    "client": {"name": "bench", "version": "1"}, "registry": "chat",
    "speaks": {"chat.message_sent": [3], "chat.typing": [1]}}})  # fmt: skip


def _rows(n: int) -> list[tuple[str, int, float, float, str]]:
    data = json.dumps(sent_v3("x" * 20))
    return [(f"job-{i}", 4, 0.0, 0.0, data) for i in range(n)]


def sqlite_baseline(n: int, folder: Path) -> float:
    db = sqlite3.connect(str(folder / "plain.db"), isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE jobs (n INTEGER PRIMARY KEY, id TEXT UNIQUE, prio INTEGER, "
               "next_at REAL, claimed_until REAL, job TEXT)")  # fmt: skip
    rows = _rows(n)
    start = time.perf_counter()
    sql = "INSERT INTO jobs (id, prio, next_at, claimed_until, job) VALUES (?, ?, ?, ?, ?)"
    for i in range(0, n, 256):  # a loop of inserts, one transaction per 256 rows
        db.execute("BEGIN")
        for row in rows[i : i + 256]:
            db.execute(sql, row)
        db.execute("COMMIT")
    took = time.perf_counter() - start
    db.close()
    return n / took


async def redis_baseline(n: int, url: str) -> float:
    from redis import asyncio as aioredis

    client = aioredis.Redis.from_url(url)
    data = json.dumps(sent_v3("x" * 20))
    start = time.perf_counter()
    for i in range(0, n, 256):
        pipe = client.pipeline(transaction=False)
        for j in range(i, min(n, i + 256)):
            pipe.xadd("plain:jobs", {"j": data, "i": j})
        await pipe.execute()
    took = time.perf_counter() - start
    await client.aclose()
    return n / took


async def durable_rate(port: int, n: int, window: int = 2_000) -> float:
    """Acks/s of ``n`` durable messages from one raw client with ``window`` in flight."""
    ws = await connect(f"ws://127.0.0.1:{port}", subprotocols=["wiretype.v1"],  # type: ignore[list-item]
                       ping_interval=None, max_size=None)  # fmt: skip
    await ws.send(HELLO)
    while json.loads(await ws.recv())["type"] != "wiretype.welcome":
        pass
    data = json.dumps(sent_v3("x" * 20))
    frames = [f'{{"type":"chat.message_sent","v":3,"id":"b{i}","ack":true,"data":{data}}}'
              for i in range(n)]  # fmt: skip
    acked = 0
    sent = 0
    start = time.perf_counter()
    while sent < min(window, n):
        await ws.send(frames[sent])
        sent += 1
    while acked < n:
        text = await ws.recv()
        if '"wiretype.ack"' in str(text):
            acked += 1
            if sent < n:
                await ws.send(frames[sent])
                sent += 1
    took = time.perf_counter() - start
    await ws.close()
    return n / took


async def fan_out(url: str, folder: Path, subscribers: int, messages: int) -> float:
    env = {"WT_STORE": url, "WT_BROKER": url}
    nodes = [Served(folder, 0, **env), Served(folder, 0, **env)]
    for node in nodes:
        await node.start()
    try:
        conns = []
        for i in range(subscribers):
            ws = await connect(f"ws://127.0.0.1:{nodes[i % 2].port}", ping_interval=None,
                               subprotocols=["wiretype.v1"], max_size=None)  # type: ignore[list-item]  # fmt: skip
            await ws.send(HELLO)
            await ws.send(json.dumps({"type": "wiretype.subscribe", "v": 1, "id": "s",
                                      "ack": True, "data": {"topics": ["bench.t"]}}))  # fmt: skip
            conns.append(ws)
        for ws in conns:
            while json.loads(await ws.recv())["type"] != "wiretype.ack":
                pass
        await asyncio.sleep(0.5)
        publisher = conns[0]
        got = 0
        counts = [0] * len(conns)

        async def read(k: int) -> None:
            nonlocal got
            while counts[k] < messages:
                if '"chat.typing"' in str(await conns[k].recv()):
                    counts[k] += 1
                    got += 1

        readers = [asyncio.ensure_future(read(k)) for k in range(len(conns))]
        start = time.perf_counter()
        for i in range(messages):
            typing = {"room": f"m{i}", "user_id": USER, "typing": True}
            await publisher.send(json.dumps({"type": "chat.typing", "v": 1, "id": f"p{i}",
                                             "data": typing}))  # fmt: skip
        await asyncio.wait_for(asyncio.gather(*readers), 120)
        took = time.perf_counter() - start
        for ws in conns:
            ws.transport.abort()  # type: ignore[union-attr]
        return got / took
    finally:
        for node in nodes:
            node.stop()


async def resume_storm(store: str, folder: Path, clients: int) -> tuple[float, int, int]:
    node = Served(folder, free_port(), WT_STORE=store)
    await node.start()
    sessions = []
    for _ in range(clients):
        ws = await connect(f"ws://127.0.0.1:{node.port}", ping_interval=None,
                           subprotocols=["wiretype.v1"])  # type: ignore[list-item]  # fmt: skip
        await ws.send(HELLO)
        welcome = json.loads(await ws.recv())
        await ws.send(json.dumps({"type": "wiretype.subscribe", "v": 1, "id": "s", "ack": True,
                                  "data": {"topics": ["room.storm"]}}))  # fmt: skip
        ack = json.loads(await ws.recv())
        sessions.append((welcome["data"]["session"], ack["seq"], welcome["epoch"]))
        ws.transport.abort()  # type: ignore[union-attr]
    trigger = await connect(f"ws://127.0.0.1:{node.port}", ping_interval=None,
                            subprotocols=["wiretype.v1"])  # type: ignore[list-item]  # fmt: skip
    await trigger.send(HELLO)
    await trigger.recv()
    typing = {"room": "storm", "user_id": USER, "typing": True}
    await trigger.send(json.dumps({"type": "chat.typing", "v": 1, "id": "t", "ack": True,
                                   "data": typing}))  # fmt: skip
    while '"wiretype.ack"' not in str(await trigger.recv()):
        pass
    node.kill()
    await node.start()
    start = time.perf_counter()

    async def back(session: tuple[str, int, int]) -> tuple[bool, bool]:
        ws = await connect(f"ws://127.0.0.1:{node.port}", ping_interval=None, open_timeout=30,
                           subprotocols=["wiretype.v1"])  # type: ignore[list-item]  # fmt: skip
        hello = json.loads(HELLO)
        hello["data"]["resume"] = {"session": session[0], "last_seq": session[1],
                                   "epoch": session[2]}  # fmt: skip
        await ws.send(json.dumps(hello))
        welcome = json.loads(await ws.recv())
        resumed = bool(welcome["data"]["resumed"])
        got = False
        while resumed and not got:
            got = '"storm"' in str(await ws.recv())
        ws.transport.abort()  # type: ignore[union-attr]
        return resumed, got

    results = await asyncio.gather(*(back(s) for s in sessions))
    took = time.perf_counter() - start
    node.stop()
    return took, sum(r for r, _ in results), sum(g for _, g in results)


async def main(quick: bool) -> None:
    n = 5_000 if quick else 30_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "crash_app.py").write_text(FAST_APP)
        redis = RedisServer(folder / "redis")
        redis.start()
        try:
            print(f"durable handler throughput, {n:,} acked messages (stored -> acked):")
            plain = sqlite_baseline(n, folder)
            served = Served(folder, 0, WT_STORE=f"sqlite:///{folder / 'wt.db'}")
            await served.start()
            ours = await durable_rate(served.port, n)
            served.stop()
            print(f"  sqlite   wiretype {ours:9,.0f}/s   plain WAL batched insert {plain:9,.0f}/s"
                  f"   ratio {ours / plain:.2f}x (bar >= 0.6x)")  # fmt: skip
            plain = await redis_baseline(n, redis.url)
            served = Served(folder, 0, WT_STORE=redis.url)
            await served.start()
            ours = await durable_rate(served.port, n)
            served.stop()
            print(f"  redis    wiretype {ours:9,.0f}/s   redis-py pipelined XADD  {plain:9,.0f}/s"
                  f"   ratio {ours / plain:.2f}x (bar >= 0.7x)")  # fmt: skip
            subs, msgs = (200, 20) if quick else (1_000, 50)
            try:
                rate = await fan_out(redis.url, folder, subs, msgs)
            except Exception as exc:  # said, not hidden: the other figures still print
                print(f"fan-out through the Redis broker: FAILED ({type(exc).__name__}: {exc})")
            else:
                print(f"fan-out through the Redis broker: {rate:,.0f} deliveries/s "
                      f"({msgs} messages to {subs:,} subscribers over two nodes)")  # fmt: skip
            clients = 300 if quick else 2_000
            for store in (f"sqlite:///{folder / 'storm.db'}", redis.url):
                kind = store.split(":")[0]
                try:
                    took, resumed, got = await resume_storm(store, folder, clients)
                except Exception as exc:
                    print(f"resume storm ({kind}): FAILED ({type(exc).__name__}: {exc})")
                    continue
                print(f"resume storm ({kind}): {clients:,} clients, node killed and restarted: "
                      f"{resumed:,} resumed, {got:,} got the message published while away, "
                      f"in {took:.2f} s (bar: all within 10 s)")  # fmt: skip
        finally:
            redis.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    asyncio.run(main(parser.parse_args().quick))
