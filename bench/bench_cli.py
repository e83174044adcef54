"""How fast the command line answers on a large registry (300 messages x 3 versions),
beside buf on the same messages written as protocol buffers.

Times whole processes, as a user, a pre-commit hook or CI sees them:

* ``wiretype check`` after one message was edited (the pre-commit case: a
  fresh edit before every run, the cache warm from the run before);
* ``wiretype check`` fully cold, as in CI: with the cache off
  (``WIRETYPE_NO_CACHE=1``) and with an empty cache folder (entries written);
* ``wiretype check --against HEAD`` cold, in a git repository whose last
  commit is the registry before the edit (the CI gate);
* ``wiretype check`` and ``lint`` on an unchanged registry; ``lint`` cold;

and sets them beside ``buf lint`` and ``buf breaking --against`` a copy of the
previous revision, on an equivalent 300-message buf module written in the same
run (``npm install`` ships buf's binary with ``@bufbuild/buf``), a bare Python
start and ``wiretype --help``. Prints the figures and their ratios to buf;
asserts nothing.

    python bench/bench_cli.py [--messages 300] [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from registry_gen import edit_message, message_proto, proto_path, write_proto, write_registry

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work" / "cli"
CACHE = Path(tempfile.mkdtemp(prefix="wiretype-bench-cache-"))  # outside any work tree
BIN = Path(sys.executable).parent
EDITED = 7  # the message the "one message edited" runs edit
_BUF_PACKAGES = {
    ("Linux", "x86_64"): "buf-linux-x64",
    ("Linux", "aarch64"): "buf-linux-aarch64",
    ("Darwin", "arm64"): "buf-darwin-arm64",
    ("Darwin", "x86_64"): "buf-darwin-x64",
}


Command = tuple[list[str], Path]  # argv, and the folder it runs in


def timed(
    argv: list[str],
    runs: int,
    cwd: Path,
    *,
    env: dict[str, str] | None = None,
    before: Callable[[int], None] | None = None,
    beside: Command | None = None,
) -> tuple[float, float | None]:
    """Median wall time of ``runs`` runs, in seconds (one warm-up run first); ``before(i)``
    runs ahead of each, untimed. ``beside`` runs after each run too, so that the two
    medians come from the same minutes of the machine's load."""
    merged = {**os.environ, "WIRETYPE_CACHE_DIR": str(CACHE), **(env or {})}
    samples, others = [], []
    for i in range(runs + 1):
        if before is not None:
            before(i)
        elapsed = _once(argv, cwd, merged)
        if beside is not None:
            others.append(_once(*beside, dict(os.environ)))
        if i:
            samples.append(elapsed)
    return statistics.median(samples), statistics.median(others[1:]) if others else None


def _once(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{argv} failed: {done.stderr.decode()}")
    return elapsed


def buf_binary() -> Path | None:
    """buf's own binary from node_modules (not the Node shim, which adds Node's start)."""
    modules = HERE.parent / "node_modules" / "@bufbuild"
    package = _BUF_PACKAGES.get((platform.system(), platform.machine()))
    native = modules / package / "bin" / "buf" if package else None
    if native is not None and native.is_file():
        return native
    shim = modules / "buf" / "bin" / "buf"
    return shim if shim.is_file() else None


def _git(*args: str) -> None:
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
    }
    subprocess.run(["git", *args], cwd=WORK, env=env, check=True, capture_output=True)


Row = tuple[str, float, float | None]  # name, seconds, buf breaking in the same minutes


def wiretype_rows(runs: int, beside: Command | None) -> list[Row]:
    wiretype = str(BIN / "wiretype")
    check, lint = [wiretype, "check"], [wiretype, "lint"]
    off = {"WIRETYPE_NO_CACHE": "1"}
    stamps = iter(range(1, 10**6))

    def edit(_: int) -> None:
        edit_message(WORK, EDITED, next(stamps))

    def empty_cache(_: int) -> None:
        shutil.rmtree(CACHE, ignore_errors=True)

    def row(name: str, argv: list[str], **options: Any) -> Row:
        return (name, *timed(argv, runs, WORK, beside=beside, **options))

    rows = [
        row("python -c pass (the floor)", [sys.executable, "-c", "pass"]),
        row("wiretype --help", [wiretype, "--help"]),
        row("check, one message edited", check, before=edit),
        row("check, cold: cache off", check, env=off),
        row("check, cold: empty cache folder", check, before=empty_cache),
        row("check, unchanged registry", check),
        row("lint, cold: cache off", lint, env=off),
        row("lint, unchanged registry", lint),
    ]
    _git("init", "--quiet")
    _git("add", "--all")
    _git("commit", "--quiet", "-m", "the registry")
    edit(0)
    against = [wiretype, "check", "--against", "HEAD"]
    rows.append(row("check --against HEAD, cold: cache off", against, env=off))
    return rows


def buf_module(messages: int) -> tuple[Path, Path] | None:
    """The buf binary and the module (its previous revision beside it), or None."""
    buf = buf_binary()
    if buf is None:
        print("buf: not installed (`make node` installs @bufbuild/buf); its rows are left out")
        return None
    current, previous = WORK.parent / "proto", WORK.parent / "proto-previous"
    write_proto(current, messages)
    shutil.rmtree(previous, ignore_errors=True)
    shutil.copytree(current, previous)  # the revision before the edit
    (current / proto_path(EDITED)).write_text(message_proto(EDITED, extra_fields=1))
    return buf, current


def buf_rows(runs: int, buf: Path, current: Path) -> list[Row]:
    previous = current.parent / "proto-previous"
    breaking = [str(buf), "breaking", "--against", str(previous)]
    return [
        ("buf lint", timed([str(buf), "lint"], runs, current)[0], None),
        ("buf breaking --against (previous revision)", timed(breaking, runs, current)[0], None),
    ]


BARS = {
    "check, one message edited": 0.3,
    "check, cold: cache off": 0.5,
    "check, cold: empty cache folder": 0.5,
    "check --against HEAD, cold: cache off": 0.5,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    shutil.rmtree(WORK.parent, ignore_errors=True)
    write_registry(WORK, args.messages)
    module = buf_module(args.messages)
    beside = (
        None
        if module is None
        else (
            [str(module[0]), "breaking", "--against", str(module[1].parent / "proto-previous")],
            module[1],
        )
    )
    try:
        rows = wiretype_rows(args.runs, beside)
    finally:
        shutil.rmtree(CACHE, ignore_errors=True)
    rows += [] if module is None else buf_rows(args.runs, *module)
    print(
        f"registry: {args.messages} messages x 3 versions (buf: the same {args.messages} "
        f"messages as .proto); median of {args.runs} runs, whole processes; each wiretype "
        "run is followed by a `buf breaking` run, whose median is beside it"
    )
    print(f"{'command':44} {'seconds':>8} {'bar':>5} {'buf breaking':>13} {'ratio':>7}")
    for name, seconds, buf in rows:
        bar = BARS.get(name)
        verdict = "" if bar is None else ("  within" if seconds <= bar else "  OVER")
        beside_it = f"{buf:13.3f} {seconds / buf:6.2f}x" if buf else " " * 21
        print(f"{name:44} {seconds:8.3f} {bar or '':>5} {beside_it}{verdict}")


if __name__ == "__main__":
    main()
