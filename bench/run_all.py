"""`make bench`: run every benchmark in turn and print their figures.

Each benchmark is a script of its own (see bench/README.md) and can be run alone.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = (
    ("command line: lint, check, --help (issue: registry)", "bench_cli.py"),
    ("compatibility engine: compare on 5,000-property schemas", "bench_compat.py"),
    ("generated Python: generate, decode, import", "bench_python.py"),
    ("generated TypeScript: generate, validators vs ajv", "bench_typescript.py"),
    ("shims: a table per migration vs code per step, both languages", "bench_shims.py"),
    ("runtime: ingest, acked round trip, publish, idle memory vs websockets", "bench_runtime.py"),
    (
        "metrics: ingest with metrics off, on, and on while scraped (bar: cost <= 5 %)",
        "bench_metrics.py",
    ),
    (
        "wiretype loadtest at full size: every scenario, 1,000 connections, against the "
        "server's counters",
        "bench_loadtest.py",
    ),
    (
        "runtime beside Socket.IO 4 and python-socketio: round trip, fan-out to 1,000",
        "bench_rivals.py",
    ),
    (
        "TypeScript client: messages/s, acked round trip, size vs socket.io-client and ws",
        "bench_ts_client.py",
    ),
    (
        "stores: durable throughput vs SQLite / redis-py, Redis fan-out, resume storm",
        "bench_store.py",
    ),
)


def main() -> int:
    failed = []
    for title, script in BENCHMARKS:
        print(f"\n=== {title}  (python bench/{script})", flush=True)
        done = subprocess.run([sys.executable, str(HERE / script)], check=False)
        if done.returncode != 0:
            failed.append(script)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
