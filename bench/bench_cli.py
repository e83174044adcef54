"""How fast the command line answers on a large registry (300 messages x 3 versions).

Times whole processes, as a user or a pre-commit hook sees them, and sets each
beside what a user would otherwise run: a hand-written script that loads every
YAML file with ``yaml.safe_load`` and validates each example with
``jsonschema`` (no positions, no strictness, no lock), and a bare Python start.

    python bench/bench_cli.py [--messages 300] [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from registry_gen import write_registry

WORK = Path(__file__).resolve().parent / ".work" / "cli"
BIN = Path(sys.executable).parent
HAND_ROLLED = """
import pathlib, sys, yaml, jsonschema
for path in sorted(pathlib.Path("schemas").rglob("*.yaml")):
    data = yaml.safe_load(path.read_text())
    for version in data["versions"].values():
        for example in version.get("examples", []):
            jsonschema.Draft202012Validator({"type": "object"}).validate(example)
"""


def timed(argv: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    """Median wall time of ``runs`` runs, in seconds (one warm-up run first)."""
    merged = {**os.environ, **(env or {})}
    subprocess.run(argv, cwd=WORK, env=merged, capture_output=True, check=False)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(argv, cwd=WORK, env=merged, capture_output=True, check=False)
        samples.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{argv} failed: {done.stderr.decode()}")
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    write_registry(WORK, args.messages)
    wiretype = str(BIN / "wiretype")
    cold = {"WIRETYPE_NO_CACHE": "1"}
    rows = [
        ("wiretype --help", timed([wiretype, "--help"], args.runs), 0.15),
        ("python -c pass (the floor)", timed([sys.executable, "-c", "pass"], args.runs), None),
        ("wiretype lint (cold, no cache)", timed([wiretype, "lint"], args.runs, cold), 0.5),
        ("wiretype lint (unchanged registry)", timed([wiretype, "lint"], args.runs), 0.5),
        ("wiretype check (cold, no cache)", timed([wiretype, "check"], args.runs, cold), 1.0),
        ("wiretype check (unchanged registry)", timed([wiretype, "check"], args.runs), 0.5),
        ("hand-rolled safe_load + jsonschema", timed([sys.executable, "-c", HAND_ROLLED],
                                                     args.runs), None),
    ]
    baseline = rows[-1][1]
    print(f"registry: {args.messages} messages x 3 versions; median of {args.runs} runs")
    print(f"{'command':40} {'seconds':>8} {'bar':>6} {'vs hand-rolled':>15}")
    for name, seconds, bar in rows:
        verdict = "" if bar is None else ("ok" if seconds < bar else "SLOW")
        print(f"{name:40} {seconds:8.3f} {bar or '':>6} {seconds / baseline:14.2f}x {verdict}")


if __name__ == "__main__":
    main()
