"""The runtime beside plain ``websockets``, side by side in one run (loopback only).

1. ingest: messages/s a server takes in, validates and hands to a handler, against a plain
   websockets server doing ``model_validate_json`` on each;
2. acked round trip p50/p99 of ``Client.send(ack=True)``, against a websockets echo;
3. publish of one message to 1,000 subscribers speaking 3 versions, against
   ``websockets.broadcast()`` of one pre-encoded frame to 1,000 connections;
4. memory per idle connection at 10,000 connections, against a plain websockets server.

What metrics cost (the ingest of 1. with metrics off, on, and on while scraped) is
``bench_metrics.py``, which uses this file's servers.

Servers and peers run in separate processes (so each side has its own CPU), every loop is
bounded in count, and everything talks to 127.0.0.1. ``--quick`` shrinks the counts.
Run: ``.venv/bin/python bench/bench_runtime.py [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "examples" / "chat" / "generated" / "python")]

import chat_protocol as proto  # noqa: E402
import websockets  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402
from websockets.asyncio.server import broadcast, serve  # noqa: E402

from wiretype import Client, Context, Server  # noqa: E402

AUTHOR = {"id": "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11", "name": "Ada"}
DATA = {
    "id": "1f0e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
    "room": "lobby",
    "body": "hello there",
    "sent_at": "2026-03-01T09:30:00Z",
    "author": AUTHOR,
    "reply_to": None,
    "priority": "normal",
    "mentions": [],
    "edited": False,
}
UNLIMITED = {
    "rate": 1e9,
    "burst": 10**9,
    "max_in_flight": 10**6,
    "dedupe_size": 1_000,
    "max_connections": 100_000,
    "max_connections_per_ip": 100_000,
    "max_buffer_bytes": 64 * 1024 * 1024,
}


def _raise_fd_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 65_536
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(hard, want)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _rss_kib(pid: int | None = None) -> int:
    status = Path(f"/proc/{pid or os.getpid()}/status").read_text()
    line = next(x for x in status.splitlines() if x.startswith("VmRSS:"))
    return int(line.split()[1])


def _frame(ident: str, *, ack: bool = False) -> str:
    envelope: dict[str, Any] = {"type": "chat.message_sent", "v": 3, "id": ident, "data": DATA}
    if ack:
        envelope["ack"] = True
    return json.dumps(envelope, separators=(",", ":"))


def _hello(speaks: dict[str, list[int]] | None = None) -> str:
    return json.dumps(
        {
            "type": "wiretype.hello",
            "v": 1,
            "id": "h",
            "data": {
                "client": {"name": "bench", "version": "1"},
                "registry": "chat",
                "speaks": speaks or {"chat.message_sent": [3]},
            },
        }
    )


# --- servers (each in its own process) -----------------------------------------------------


def _serve_forever(kind: str, port: int, ready: Any) -> None:
    _raise_fd_limit()
    asyncio.run(_servers[kind](port, ready))


async def _plain_ingest(port: int, ready: Any) -> None:
    model = proto.envelope_model("chat.message_sent", 3)

    async def handler(ws: Any) -> None:
        async for message in ws:
            framed = model.model_validate_json(message)
            if framed.id == "last":
                await ws.send("done")

    async with serve(handler, "127.0.0.1", port, ping_interval=None, max_size=None):
        ready.set()
        await asyncio.Future()


async def _wiretype_ingest(port: int, ready: Any, metrics: bool = True) -> None:
    server = Server(proto, metrics=metrics, **UNLIMITED)

    @server.on("chat.message_sent")
    async def posted(msg: Any, ctx: Context) -> None:
        return None

    await server.start("127.0.0.1", port)
    ready.set()
    await asyncio.Future()


async def _wiretype_ingest_unmetered(port: int, ready: Any) -> None:
    await _wiretype_ingest(port, ready, metrics=False)


async def _plain_echo(port: int, ready: Any) -> None:
    async def handler(ws: Any) -> None:
        async for message in ws:
            await ws.send(message)

    async with serve(handler, "127.0.0.1", port, ping_interval=None):
        ready.set()
        await asyncio.Future()


async def _plain_idle(port: int, ready: Any) -> None:
    async def handler(ws: Any) -> None:
        await ws.wait_closed()

    async with serve(handler, "127.0.0.1", port, ping_interval=None, compression=None):
        ready.set()
        await asyncio.Future()


_servers = {
    "plain-ingest": _plain_ingest,
    "wiretype-ingest": _wiretype_ingest,
    "wiretype-unmetered": _wiretype_ingest_unmetered,
    "plain-echo": _plain_echo,
    "wiretype": _wiretype_ingest,
    "plain-idle": _plain_idle,
}


class Running:
    def __init__(self, kind: str, port: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        ready = ctx.Event()
        self.process = ctx.Process(target=_serve_forever, args=(kind, port, ready), daemon=True)
        self.process.start()
        if not ready.wait(30):
            raise RuntimeError(f"{kind} server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(10)


# --- 1. ingest -----------------------------------------------------------------------------


async def _blast(port: int, count: int, wiretype: bool) -> float:
    frames = [_frame(f"m{n}").encode() for n in range(count)]
    async with connect(
        f"ws://127.0.0.1:{port}",
        ping_interval=None,
        max_size=None,
        subprotocols=["wiretype.v1"] if wiretype else None,
    ) as ws:
        if wiretype:
            await ws.send(_hello())
            await ws.recv()
        start = time.perf_counter()
        for n in range(0, count, 256):
            for frame in frames[n : n + 256]:
                ws.protocol.send_text(frame)
            ws.send_data()
            await ws.drain()
        await ws.send(_frame("last", ack=True))
        while True:
            reply = await ws.recv()
            if reply == "done" or '"wiretype.ack"' in reply:
                break
        return (count + 1) / (time.perf_counter() - start)


ROUNDS = 7  # the two sides alternate, round by round; medians (and the spread) are printed


def bench_ingest(
    count: int,
    rounds: int = ROUNDS,
    sides: tuple[tuple[str, int, bool], ...] = (
        ("plain-ingest", 18901, False),
        ("wiretype-ingest", 18902, True),
    ),
) -> dict[str, list[float]]:
    """Messages/s of each side, one figure per round (the sides interleaved)."""
    servers = [Running(kind, port) for kind, port, _ in sides]
    rates: dict[str, list[float]] = {kind: [] for kind, _, _ in sides}
    try:
        for _, port, wiretype in sides:
            asyncio.run(_blast(port, count // 5, wiretype))  # warm up
        for _ in range(rounds):
            for kind, port, wiretype in sides:
                rates[kind].append(asyncio.run(_blast(port, count, wiretype)))
    finally:
        for server in servers:
            server.stop()
    return rates


# --- 2. acked round trip -------------------------------------------------------------------


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.99) - 1]


async def _echo_rtt(port: int, count: int) -> list[float]:
    frame = _frame("e")
    samples = []
    async with connect(f"ws://127.0.0.1:{port}", ping_interval=None) as ws:
        for _ in range(count):
            start = time.perf_counter()
            await ws.send(frame)
            await ws.recv()
            samples.append(time.perf_counter() - start)
    return samples


async def _acked_rtt(port: int, count: int) -> list[float]:
    message = proto.MessageSentV3(**DATA)
    samples = []
    async with Client(proto, f"ws://127.0.0.1:{port}") as client:
        for _ in range(count):
            start = time.perf_counter()
            await client.send(message, ack=True)
            samples.append(time.perf_counter() - start)
    return samples


def bench_rtt(count: int, rounds: int = ROUNDS) -> dict[str, list[tuple[float, float]]]:
    """(p50, p99) of each side, one pair per round (the sides interleaved)."""
    sides = (("plain-echo", 18903, _echo_rtt), ("wiretype", 18904, _acked_rtt))
    servers = [Running(kind, port) for kind, port, _ in sides]
    found: dict[str, list[tuple[float, float]]] = {kind: [] for kind, _, _ in sides}
    try:
        for _, port, run in sides:
            asyncio.run(run(port, count // 5))  # warm up
        for _ in range(rounds):
            for kind, port, run in sides:
                found[kind].append(_percentiles(asyncio.run(run(port, count))))
    finally:
        for server in servers:
            server.stop()
    return found


# --- 3. publish to 1,000 subscribers in 3 versions -----------------------------------------


def _subscribers(port: int, count: int, wiretype: bool, ready: Any, stop: Any) -> None:
    _raise_fd_limit()

    readers: set[Any] = set()

    async def one(n: int, opened: list[Any]) -> None:
        ws = await connect(
            f"ws://127.0.0.1:{port}",
            ping_interval=None,
            max_size=None,
            subprotocols=["wiretype.v1"] if wiretype else None,
            open_timeout=60,
        )
        if wiretype:
            await ws.send(_hello({"chat.message_sent": [n % 3 + 1]}))
            await ws.recv()
            await ws.send(
                json.dumps(
                    {
                        "type": "wiretype.subscribe",
                        "v": 1,
                        "id": "s",
                        "ack": True,
                        "data": {"topics": ["room"]},
                    }
                )
            )
            await ws.recv()
        opened.append(ws)

        async def drain() -> None:
            async for _ in ws:
                pass

        readers.add(asyncio.ensure_future(drain()))

    async def main() -> None:
        opened: list[Any] = []
        for start in range(0, count, 100):
            await asyncio.gather(*(one(n, opened) for n in range(start, min(count, start + 100))))
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.05)
        for ws in opened:
            ws.transport.abort()

    asyncio.run(main())


def _with_subscribers(port: int, count: int, wiretype: bool) -> tuple[Any, Any, Any]:
    ctx = multiprocessing.get_context("spawn")
    ready, stop = ctx.Event(), ctx.Event()
    process = ctx.Process(
        target=_subscribers, args=(port, count, wiretype, ready, stop), daemon=True
    )
    process.start()
    return process, ready, stop


async def _time_publish(count: int, rounds: int) -> list[float]:
    server = Server(proto, **UNLIMITED)
    message = proto.MessageSentV3(**DATA)
    await server.start("127.0.0.1", 18905)
    process, ready, stop = _with_subscribers(18905, count, True)
    while not ready.is_set():
        await asyncio.sleep(0.05)
    while server.hub.topics.members("room") < count:
        await asyncio.sleep(0.05)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        server.publish_now("room", message)
        times.append(time.perf_counter() - start)
        await asyncio.sleep(0.005)  # let the transports flush, as a real server would
    stop.set()
    process.join(30)
    await server.close()
    return times


async def _time_broadcast(count: int, rounds: int) -> list[float]:
    connections: set[Any] = set()
    frame = _frame("b")

    async def handler(ws: Any) -> None:
        connections.add(ws)
        await ws.wait_closed()

    async with serve(handler, "127.0.0.1", 18906, ping_interval=None):
        process, ready, stop = _with_subscribers(18906, count, False)
        while not ready.is_set() or len(connections) < count:
            await asyncio.sleep(0.05)
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            broadcast(connections, frame)
            times.append(time.perf_counter() - start)
            await asyncio.sleep(0.005)
        stop.set()
        process.join(30)
    return times


def bench_publish(count: int, rounds: int) -> dict[str, tuple[float, float]]:
    """(median, best) seconds of one publish / one broadcast() to ``count`` connections."""
    found = {
        "broadcast": asyncio.run(_time_broadcast(count, rounds)),
        "wiretype": asyncio.run(_time_publish(count, rounds)),
    }
    return {kind: (statistics.median(times), min(times)) for kind, times in found.items()}


# --- 4. memory per idle connection ---------------------------------------------------------


def _idle_clients(port: int, count: int, wiretype: bool, ready: Any, stop: Any) -> None:
    _raise_fd_limit()

    async def one(opened: list[Any]) -> None:
        ws = await connect(
            f"ws://127.0.0.1:{port}",
            ping_interval=None,
            open_timeout=120,
            subprotocols=["wiretype.v1"] if wiretype else None,
            compression=None,
        )
        if wiretype:
            await ws.send(_hello())
            await ws.recv()
        opened.append(ws)

    async def main() -> None:
        opened: list[Any] = []
        for start in range(0, count, 200):
            await asyncio.gather(*(one(opened) for _ in range(start, min(count, start + 200))))
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.1)
        for ws in opened:
            ws.transport.abort()

    asyncio.run(main())


def bench_memory(count: int) -> dict[str, float]:
    out = {}
    for kind, port, wiretype in (("plain-idle", 18907, False), ("wiretype", 18908, True)):
        server = Running(kind, port)
        try:
            time.sleep(0.5)
            before = _rss_kib(server.process.pid)
            ctx = multiprocessing.get_context("spawn")
            ready, stop = ctx.Event(), ctx.Event()
            clients = ctx.Process(
                target=_idle_clients, args=(port, count, wiretype, ready, stop), daemon=True
            )
            clients.start()
            if not ready.wait(600):
                raise RuntimeError("idle clients did not connect")
            time.sleep(1.0)
            after = _rss_kib(server.process.pid)
            stop.set()
            clients.join(60)
            out[kind] = (after - before) / count
        finally:
            server.stop()
    return out


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts")
    parser.add_argument("--only", choices=["ingest", "rtt", "publish", "memory"])
    args = parser.parse_args()
    _raise_fd_limit()
    quick = args.quick
    print(
        f"websockets {websockets.__version__}; 2 cores shared; figures move 10-20 % with load",
        flush=True,
    )
    if args.only in (None, "ingest"):
        ingest = bench_ingest(10_000 if quick else 50_000)
        ours, plain = ingest["wiretype-ingest"], ingest["plain-ingest"]
        ratios = [w / p for w, p in zip(ours, plain, strict=True)]
        print(
            f"ingest (median of {len(ratios)} interleaved rounds): wiretype "
            f"{statistics.median(ours):,.0f} msg/s, plain websockets + model_validate_json "
            f"{statistics.median(plain):,.0f} msg/s -> {statistics.median(ratios):.2f}x "
            f"(rounds {min(ratios):.2f}-{max(ratios):.2f}x; bar >= 0.8x)",
            flush=True,
        )
    if args.only in (None, "rtt"):
        rtt = bench_rtt(1_000 if quick else 5_000)
        p50s = [w[0] / e[0] for w, e in zip(rtt["wiretype"], rtt["plain-echo"], strict=True)]
        p50 = statistics.median(x[0] for x in rtt["wiretype"])
        p99 = statistics.median(x[1] for x in rtt["wiretype"])
        e50 = statistics.median(x[0] for x in rtt["plain-echo"])
        e99 = statistics.median(x[1] for x in rtt["plain-echo"])
        print(
            f"acked round trip (medians of {len(p50s)} rounds): wiretype p50 {p50 * 1e6:.0f} us "
            f"p99 {p99 * 1e6:.0f} us; websockets echo p50 {e50 * 1e6:.0f} us p99 "
            f"{e99 * 1e6:.0f} us -> p50 {statistics.median(p50s):.2f}x "
            f"(rounds {min(p50s):.2f}-{max(p50s):.2f}x; bar <= 1.3x), p99 {p99 / e99:.2f}x",
            flush=True,
        )
    if args.only in (None, "publish"):
        subscribers = 1_000
        pub = bench_publish(subscribers, 50 if quick else 200)
        (w50, wmin), (b50, bmin) = pub["wiretype"], pub["broadcast"]
        print(
            f"publish to {subscribers:,} subscribers (3 versions): wiretype median "
            f"{w50 * 1e3:.2f} ms (best {wmin * 1e3:.2f}); broadcast() of one frame median "
            f"{b50 * 1e3:.2f} ms (best {bmin * 1e3:.2f}) -> {w50 / b50:.2f}x (bar <= 1.5x)",
            flush=True,
        )
    if args.only in (None, "memory"):
        count = 2_000 if quick else 10_000
        memory = bench_memory(count)
        print(
            f"memory per idle connection at {count:,}: wiretype "
            f"{memory['wiretype']:.1f} KiB, plain websockets {memory['plain-idle']:.1f} KiB "
            f"-> +{memory['wiretype'] - memory['plain-idle']:.1f} KiB "
            f"({memory['wiretype'] / memory['plain-idle']:.2f}x; bar <= 25 KiB)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
