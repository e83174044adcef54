"""The runtime beside what users would otherwise pick, side by side in one run (loopback).

1. acked round trip p50/p99: ``Client.send(ack=True)``; a ``websockets`` echo; Socket.IO 4
   (Node server, ``socket.io-client`` ``emitWithAck``); python-socketio 5 (its asyncio
   server on aiohttp, its ``AsyncClient.call``);
2. one message to 1,000 subscribers, timed on the server: ``publish`` (3 versions among
   them); ``websockets.broadcast()`` of one frame; ``io.to(room).emit``; ``await
   sio.emit(room=...)``. Subscribers run in processes of their own.

Printed as one table with ratios to wiretype. Every loop is bounded in count; servers and
clients are separate processes. Needs ``make node`` (socket.io) and the ``bench`` extra
(python-socketio, aiohttp): ``make bench`` installs both. ``--quick`` shrinks the counts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_runtime as rt

ROOT = Path(__file__).resolve().parent.parent
NODE_SCRIPT = Path(__file__).resolve().parent / "socketio_bench.mjs"
ROUNDS = 3
SUBSCRIBERS = 1_000
Row = dict[str, float]


# --- Node: Socket.IO 4 ------------------------------------------------------------------------


def _node(*args: str, **popen: Any) -> subprocess.Popen[str]:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not installed")
    return subprocess.Popen(
        [node, str(NODE_SCRIPT), *args], cwd=ROOT, text=True, stdout=subprocess.PIPE, **popen
    )


def _ready(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    line = process.stdout.readline()
    if line.strip() != "ready":
        raise RuntimeError(f"{process.args!r} did not start: {line!r}")


def _json_of(process: subprocess.Popen[str], timeout: float = 600) -> Any:
    out, _ = process.communicate(timeout=timeout)
    return json.loads(out.strip().splitlines()[-1])


def _socketio_fanout(url: str, rounds: int) -> list[float]:
    subscribers = _node("subscribers", url, str(SUBSCRIBERS), stdin=subprocess.PIPE)
    try:
        _ready(subscribers)
        return list(_json_of(_node("publish", url, str(rounds))))
    finally:
        assert subscribers.stdin is not None
        subscribers.stdin.close()
        subscribers.wait(30)


def bench_socketio_node(count: int, rounds: int) -> Row:
    port = 18911
    server = _node("server", str(port))
    try:
        _ready(server)
        url = f"http://127.0.0.1:{port}"
        echo = _json_of(_node("echo", url, str(count), str(ROUNDS)))
        fanout = _socketio_fanout(url, rounds)
    finally:
        server.terminate()
        server.wait(10)
    return _row([tuple(x) for x in echo], fanout)


# --- python-socketio 5 on aiohttp -------------------------------------------------------------


def _python_socketio_server(port: int, ready: Any) -> None:
    import socketio
    from aiohttp import web

    sio = socketio.AsyncServer(async_mode="aiohttp", transports=["websocket"])
    app = web.Application()
    sio.attach(app)

    @sio.on("chat")
    async def chat(sid: str, data: Any) -> bool:
        return True

    @sio.on("join")
    async def join(sid: str, room: str) -> bool:
        await sio.enter_room(sid, room)
        return True

    @sio.on("bench_publish")
    async def bench_publish(sid: str, rounds: int) -> list[float]:
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            await sio.emit("chat", rt.DATA, room="room")
            times.append(time.perf_counter() - start)
            await asyncio.sleep(0.005)
        return times

    async def main() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        ready.set()
        await asyncio.Future()

    rt._raise_fd_limit()
    asyncio.run(main())


async def _python_socketio_echo(url: str, count: int) -> list[tuple[float, float]]:
    import socketio

    client = socketio.AsyncClient(reconnection=False)
    await client.connect(url, transports=["websocket"])

    async def one(n: int) -> list[float]:
        samples = []
        for _ in range(n):
            start = time.perf_counter()
            await client.call("chat", rt.DATA, timeout=10)
            samples.append(time.perf_counter() - start)
        return samples

    await one(count // 5)  # warm up
    found = [rt._percentiles(await one(count)) for _ in range(ROUNDS)]
    await client.disconnect()
    return found


def bench_python_socketio(count: int, rounds: int) -> Row:
    port = 18912
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    server = ctx.Process(target=_python_socketio_server, args=(port, ready), daemon=True)
    server.start()
    try:
        if not ready.wait(30):
            raise RuntimeError("python-socketio server did not start")
        url = f"http://127.0.0.1:{port}"
        echo = asyncio.run(_python_socketio_echo(url, count))
        fanout = _socketio_fanout(url, rounds)
    finally:
        server.terminate()
        server.join(10)
    return _row(echo, fanout)


# --- wiretype and plain websockets (bench_runtime's measurements) ------------------------------


def bench_websockets_and_wiretype(count: int, rounds: int) -> dict[str, Row]:
    rtt = rt.bench_rtt(count, ROUNDS)
    fanout = {
        "broadcast": asyncio.run(rt._time_broadcast(SUBSCRIBERS, rounds)),
        "wiretype": asyncio.run(rt._time_publish(SUBSCRIBERS, rounds)),
    }
    return {
        "wiretype": _row(rtt["wiretype"], fanout["wiretype"]),
        "websockets 17 (echo; broadcast())": _row(rtt["plain-echo"], fanout["broadcast"]),
    }


# --- the table ---------------------------------------------------------------------------------


def _row(echo: list[tuple[float, float]], fanout: list[float]) -> Row:
    return {
        "p50": statistics.median(x[0] for x in echo),
        "p99": statistics.median(x[1] for x in echo),
        "fanout": statistics.median(fanout),
    }


def _table(rows: dict[str, Row]) -> str:
    base = rows["wiretype"]
    head = f"{'':36} {'acked RTT p50':>18} {'p99':>18} {'1 msg to 1,000 subs':>22}"
    lines = [head, "-" * len(head)]
    for name, row in rows.items():
        cells = []
        for key, scale, unit, width in (
            ("p50", 1e6, "us", 18),
            ("p99", 1e6, "us", 18),
            ("fanout", 1e3, "ms", 22),
        ):
            ratio = "" if name == "wiretype" else f" ({row[key] / base[key]:.2f}x)"
            figure = (
                f"{row[key] * scale:.0f} {unit}"
                if unit == "us"
                else f"{row[key] * scale:.2f} {unit}"
            )
            cells.append(f"{figure + ratio:>{width}}")
        lines.append(f"{name:36} {' '.join(cells)}")
    lines.append("(x: that row's figure / wiretype's; lower is faster. Medians of rounds.)")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts")
    args = parser.parse_args()
    rt._raise_fd_limit()
    count, rounds = (500, 20) if args.quick else (2_000, 100)
    print(
        f"round trips: {ROUNDS} rounds of {count:,}; fan-out: {rounds} publishes to "
        f"{SUBSCRIBERS:,} subscribers; 2 shared cores, figures move 10-20 % with load",
        flush=True,
    )
    rows = bench_websockets_and_wiretype(count, rounds)
    for name, bench in (
        ("Socket.IO 4 (Node 20)", bench_socketio_node),
        ("python-socketio 5 (aiohttp)", bench_python_socketio),
    ):
        try:
            rows[name] = bench(count, rounds)
        except (RuntimeError, ImportError, OSError) as exc:
            print(f"{name}: left out ({exc}); `make bench` installs what it needs", flush=True)
    print(_table(rows), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
