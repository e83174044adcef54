"""``wiretype compat`` on the real-schema corpus (tests/corpus): the issue's figures and
per-pair time beside two other ways of looking at the same pairs.

    .venv/bin/python bench/bench_compat_corpus.py [--timeout 20] [--only NAME] [--base DIR]

For every pair of consecutive revisions it runs ``wiretype compat OLD NEW --format json``
as a user would (a fresh process, killed after ``--timeout`` seconds) and prints:

* pairs that do not finish in time; schemas refused with exit 2;
* unsound verdicts: a direction answered "yes" while a test instance that the including
  side accepts is rejected by the other (both judged by ``jsonschema`` under each
  schema's own draft);
* backward directions answered "unknown", and those whose only reasons are keywords
  that cannot restrict anything (``KEYWORD_UNSUPPORTED``);
* time per pair (median, 90th percentile, max) of ``compat`` in process, beside a
  ``deepdiff`` of the two documents and beside sampling: validating every shipped
  instance against both revisions with ``jsonschema``; with the ratios.

The machine may be loaded: compare the columns of one run, not runs of different days.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "corpus"))

import corpus  # noqa: E402

WIRETYPE = ROOT / ".venv" / "bin" / "wiretype"


def _verdicts(out: dict[str, Any]) -> dict[str, str]:
    if "verdicts" in out:
        return dict(out["verdicts"])
    got = {}  # an older wiretype without "verdicts": read them off the changes
    for d in ("backward", "forward"):
        mine = [c for c in out["changes"] if c.get("direction") == d]
        got[d] = "yes" if out[d] else "no" if any("witness" in c for c in mine) else "unknown"
    return got


def _run_cli(old: Path, new: Path, timeout: float, base: str | None) -> tuple[str, Any, float]:
    command = [str(WIRETYPE)] if base is None else [sys.executable, "-m", "registry"]
    env = None if base is None else {**os.environ, "PYTHONPATH": base}
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [*command, "compat", str(old), str(new), "--format", "json"],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env=env,
            cwd=base,
        )
    except subprocess.TimeoutExpired:
        return "timeout", None, timeout
    took = time.perf_counter() - start
    if done.returncode == 2 or done.returncode not in (0, 1):
        return "refused", done.stderr.strip().splitlines()[-1:] or [""], took
    return "ok", json.loads(done.stdout), took


def _unsound(name: str, old: Path, new: Path, verdicts: dict[str, str]) -> list[str]:
    a, b = json.loads(old.read_text()), json.loads(new.read_text())
    bad = []
    for value in corpus.instances(name):
        in_a, in_b = corpus.accepts(a, value), corpus.accepts(b, value)
        if verdicts["backward"] == "yes" and in_a is True and in_b is False:
            bad.append(f"{name} {old.name}->{new.name}: backward yes, instance rejected by NEW")
        if verdicts["forward"] == "yes" and in_b is True and in_a is False:
            bad.append(f"{name} {old.name}->{new.name}: forward yes, instance rejected by OLD")
    return bad


def _only_unknown_keywords(out: dict[str, Any], direction: str) -> bool:
    mine = [c for c in out["changes"] if c.get("direction") == direction]
    return bool(mine) and all(c["rule"] == "KEYWORD_UNSUPPORTED" for c in mine)


def figures(timeout: float, only: str | None, base: str | None) -> list[tuple[str, Path, Path]]:
    timeouts, refused, unsound, unknown, keyword_only, backward = [], set(), [], 0, 0, 0
    finished, cli_times = [], []
    for name, old, new in corpus.pairs():
        if only and name != only:
            continue
        status, out, took = _run_cli(old, new, timeout, base)
        label = f"{name} {old.stem}->{new.stem}"
        if status == "timeout":
            timeouts.append(label)
            continue
        if status == "refused":
            refused.add(f"{name}: {out[0]}")
            continue
        finished.append((name, old, new))
        cli_times.append(took)
        v = _verdicts(out)
        backward += 1
        unknown += v["backward"] == "unknown"
        keyword_only += sum(
            v[d] == "unknown" and _only_unknown_keywords(out, d) for d in ("backward", "forward")
        )
        unsound += _unsound(name, old, new, v)
        print(f"  {label:40} {took:6.2f}s  backward {v['backward']:8} forward {v['forward']}")
    print(f"pairs not finishing in {timeout:g} s: {len(timeouts)} {timeouts}")
    print(f"valid schemas refused with exit 2: {len(refused)}")
    for line in sorted(refused):
        print(f"    {line}")
    print(f"unsound verdicts: {len(unsound)} {unsound[:5]}")
    share = unknown / backward if backward else 0.0
    print(f"backward directions unknown: {unknown} of {backward} ({share:.0%})")
    print(f"directions unknown only because of keywords: {keyword_only}")
    if cli_times:
        med, p90, top = _stats(cli_times)
        print(f"compat per pair, whole process (s): median {med:.2f} p90 {p90:.2f} max {top:.2f}")
    return finished


def _stats(xs: list[float]) -> tuple[float, float, float]:
    xs = sorted(xs)
    return statistics.median(xs), xs[int(0.9 * (len(xs) - 1))], xs[-1]


def timings(pairs: list[tuple[str, Path, Path]]) -> None:
    from deepdiff import DeepDiff

    from registry.check.compat_files import compare_files
    from registry.load.schema_file import read_schema
    from registry.mode import parse_mode

    mode = parse_mode("full")
    assert mode is not None
    rows: dict[str, list[float]] = {"compat": [], "deepdiff": [], "sampling": []}
    for name, old, new in pairs:
        a, b = json.loads(old.read_text()), json.loads(new.read_text())
        values = corpus.instances(name)
        start = time.perf_counter()
        compare_files(read_schema(old), read_schema(new), mode)
        rows["compat"].append(time.perf_counter() - start)
        start = time.perf_counter()
        DeepDiff(a, b)
        rows["deepdiff"].append(time.perf_counter() - start)
        start = time.perf_counter()
        for value in values:
            corpus.accepts(a, value)
            corpus.accepts(b, value)
        rows["sampling"].append(time.perf_counter() - start)
    base = _stats(rows["compat"])
    print(f"{'per pair (s)':12} {'median':>8} {'p90':>8} {'max':>8}   ratio to compat (median)")
    for label, xs in rows.items():
        med, p90, top = _stats(xs)
        print(f"{label:12} {med:8.3f} {p90:8.3f} {top:8.3f}   {med / base[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--only")
    parser.add_argument("--no-timings", action="store_true")
    parser.add_argument("--base", help="figures of the wiretype checked out in this folder")
    args = parser.parse_args()
    finished = figures(args.timeout, args.only, args.base)
    if not args.no_timings:
        timings(finished)


if __name__ == "__main__":
    main()
