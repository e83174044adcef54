"""What metrics cost: the runtime's ingest benchmark with metrics off, on, and on while
scraped every second, side by side in one run (bar: metrics cost at most 5 % of throughput).

Three servers, each in a process of its own (``bench_runtime.py``'s ingest server: one
``chat.message_sent`` handler, limits off): ``Server(metrics=False)``, ``Server()`` (metrics
on, the default) and ``Server()`` with this process reading its ``/metrics`` every second
while it ingests (as a Prometheus with a 1 s scrape interval would; 15 s is usual). Each
round sends the same frames to each server in turn from this process over 127.0.0.1;
printed are the median over the rounds of messages/s and the server's CPU seconds per
message over all rounds (read from /proc, steadier than a rate on a machine shared with
other work), and each side's cost against metrics off. ``--quick`` for smaller counts.
Run: ``.venv/bin/python bench/bench_metrics.py [--quick] [--rounds N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import threading
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE)]

from bench_runtime import Running, _blast, _cpu_s, _raise_fd_limit  # noqa: E402

SIDES = (  # (label, server kind in bench_runtime, port, scraped every second)
    ("metrics off", "wiretype-unmetered", 18931, False),
    ("metrics on", "wiretype-ingest", 18932, False),
    ("metrics on, scraped every 1 s", "wiretype-ingest", 18933, True),
)


class Scraper:
    """Reads ``url`` every ``every_s`` seconds on a thread of its own until stopped."""

    def __init__(self, url: str, every_s: float = 1.0) -> None:
        self.url = url
        self.every_s = every_s
        self.done = threading.Event()
        self.scrapes = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Scraper:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join(10)

    def _run(self) -> None:
        while not self.done.is_set():
            with urllib.request.urlopen(self.url, timeout=10) as reply:
                reply.read()
            self.scrapes += 1
            self.done.wait(self.every_s)


def measure(count: int, rounds: int) -> dict[str, dict[str, list[float]]]:
    servers = {label: Running(kind, port) for label, kind, port, _ in SIDES}
    found: dict[str, dict[str, list[float]]] = {
        label: {"rate": [], "cpu": [], "scrapes": []} for label, *_ in SIDES
    }
    try:
        for _, _, port, _ in SIDES:
            asyncio.run(_blast(port, count // 5, True))  # warm up
        for _ in range(rounds):
            for label, _, port, scraped in SIDES:
                pid = servers[label].process.pid
                assert pid is not None
                before = _cpu_s(pid)
                if scraped:
                    with Scraper(f"http://127.0.0.1:{port}/metrics") as scraper:
                        rate = asyncio.run(_blast(port, count, True))
                    found[label]["scrapes"].append(scraper.scrapes)
                else:
                    rate = asyncio.run(_blast(port, count, True))
                found[label]["rate"].append(rate)
                found[label]["cpu"].append((_cpu_s(pid) - before) / (count + 1))
    finally:
        for server in servers.values():
            server.stop()
    return found


def _per_message(side: dict[str, list[float]]) -> float:
    """CPU seconds per message over all rounds (/proc counts in clock ticks of 10 ms: one
    round alone is too coarse)."""
    return statistics.fmean(side["cpu"])


def report(found: dict[str, dict[str, list[float]]], count: int) -> list[str]:
    off = found["metrics off"]
    lines = [
        f"ingest of {count:,} chat.message_sent v3 per round, {len(off['rate'])} interleaved "
        "rounds (2 cores shared with other work: figures move 10-20 %)"
    ]
    for label, *_ in SIDES:
        side = found[label]
        rate, best, cpu = statistics.median(side["rate"]), max(side["rate"]), _per_message(side)
        line = (
            f"  {label:31} median {rate:>7,.0f} msg/s, best {best:>7,.0f} msg/s, server CPU "
            f"{cpu * 1e6:6.2f} us/msg"
        )
        if side is not off:
            costs = [1 - m / u for m, u in zip(side["rate"], off["rate"], strict=True)]
            line += (
                f"  -> throughput cost: median of rounds {statistics.median(costs) * 100:+.1f} % "
                f"(rounds {min(costs) * 100:+.1f} to {max(costs) * 100:+.1f} %), best "
                f"{(1 - best / max(off['rate'])) * 100:+.1f} %, per server CPU second "
                f"{(1 - _per_message(off) / cpu) * 100:+.1f} %"
            )
        if side["scrapes"]:
            line += f"; {sum(side['scrapes']):.0f} scrapes"
        lines.append(line)
    lines.append(
        "  bar: metrics cost at most 5 % of throughput (messages a server CPU second is the "
        "figure other work on the machine moves least)"
    )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts")
    parser.add_argument("--rounds", type=int, default=0)
    args = parser.parse_args()
    _raise_fd_limit()
    count = 10_000 if args.quick else 50_000
    rounds = args.rounds or (5 if args.quick else 11)
    for line in report(measure(count, rounds), count):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
