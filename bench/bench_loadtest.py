"""``wiretype loadtest`` at full size: every scenario against a ``wiretype serve`` process.

The server runs in its own process (``wiretype serve``, with its ``/metrics`` on its port,
``max_connections_per_ip`` raised for a test from one address); each scenario runs as the
real command (``wiretype loadtest URL --scenario NAME --format json``) in another, so the
two have a core each. Printed per scenario: connections opened, connection time, round
trip p50/p95/p99/max, messages/s, errors, and whether the load test's totals agree with the
server's own counters. ``--only NAME`` runs one scenario; ``--scale F`` shrinks them.
Run: ``.venv/bin/python bench/bench_loadtest.py [--only connections] [--scale 0.1]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from wiretype.loadtest import SCENARIOS  # noqa: E402

CLI = "import sys; from registry.cli import main; sys.argv[0] = 'wiretype'; main()"
APP = """\
import wiretype_protocol as proto
from wiretype import Server

server = Server(proto, max_connections_per_ip=100_000, rate=100_000, burst=100_000)


@server.on("chat.*")
async def anything(msg, ctx):
    return None
"""


def _env(folder: Path) -> dict[str, str]:
    path = os.pathsep.join([str(folder), str(ROOT), str(ROOT / "generated" / "python")])
    return {**os.environ, "PYTHONPATH": path}


def _serve(folder: Path) -> tuple[subprocess.Popen[str], int]:
    (folder / "bench_app.py").write_text(APP)
    process = subprocess.Popen(
        [sys.executable, "-c", CLI, "serve", "bench_app:server", "--port", "0"],
        cwd=folder, env=_env(folder), stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.search(r":(\d+)$", line.strip())
    if found is None:
        raise RuntimeError(f"the server did not start: {line!r}")
    return process, int(found.group(1))


def _loadtest(port: int, scenario: str, scale: float, folder: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", CLI, "loadtest", f"ws://127.0.0.1:{port}", "--scenario",
         scenario, "--scale", str(scale), "--format", "json", "-q", "--root", str(ROOT)],
        cwd=folder, env=_env(folder), capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    if not done.stdout.strip():
        raise RuntimeError(f"{scenario}: {done.stderr.strip()}")
    return dict(json.loads(done.stdout))


def _line(scenario: str, found: dict[str, Any]) -> str:
    c, m, r = found["connections"], found["messages"], found["round_trip_ms"]
    per_s = f"{m['per_s']:,.0f}/s" if m["per_s"] else "-"
    agree = "agree" if found["agrees"] else "DISAGREE"
    errors = ", ".join(f"{k} {v}" for k, v in found["errors"].items()) or "no errors"
    server = found.get("server") or {}
    cpu = server.get("process", {}).get("cpu_s")
    rows = {row["what"]: row for row in server.get("compared", ())}
    held = rows.get("connections open once all were tried", {}).get("server")
    return (
        f"{scenario:11} {c['opened']:>5,}/{c['planned']:<5,} connect p50 "
        f"{_ms(c['connect_ms']['p50'])} max {_ms(c['connect_ms']['max'])}; sent {m['sent']:,} "
        f"({per_s}); rtt p50 {_ms(r['p50'])} p95 {_ms(r['p95'])} p99 {_ms(r['p99'])} max "
        f"{_ms(r['max'])}; {errors}; server held {_count(held)} at once, CPU {cpu} s; "
        f"counters {agree}"
    )


def _count(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=sorted(SCENARIOS))
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    scenarios = [args.only] if args.only else list(SCENARIOS)
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        server, port = _serve(folder)
        try:
            for scenario in scenarios:
                found = _loadtest(port, scenario, args.scale, folder)
                bad += not found["agrees"]
                print(_line(scenario, found), flush=True)
        finally:
            server.send_signal(signal.SIGTERM)
            server.communicate(timeout=60)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
