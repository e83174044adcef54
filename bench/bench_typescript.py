"""Benchmarks of the TypeScript generator and its validators (figures, not tests).

    .venv/bin/python bench/bench_typescript.py [--messages 300] [--rounds 20000]

1. ``wiretype generate --lang typescript`` (and both languages, when the Python renderer
   exists) on a registry of N messages x 3 versions (bench/registry_gen.py), and ``tsc -p``
   on the package it writes.
2. The generated validators against ajv-compiled and ajv-standalone validators of the
   same open JSON Schemas, on the examples of schemas/ and mutations of them
   (bench/bench_typescript.mjs; needs `npm ci`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "bench" / ".work" / "ts"
CHAT = REPO / "examples" / "chat"  # the chat example's registry: its messages are measured
sys.path.insert(0, str(REPO))

from bench.registry_gen import write_registry  # noqa: E402
from registry.cli.project import load_project as load  # noqa: E402
from registry.load.settings import load_config  # noqa: E402
from registry.render.ts_checks import FORMAT_FUNCTIONS  # noqa: E402
from registry.render.typescript import render_typescript  # noqa: E402
from registry.schema.emit import version_document  # noqa: E402

WRONG = ("1", 1.5, True, None, [], {}, "")


def _mutations(data: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for key, value in data.items():
        out.append({k: v for k, v in data.items() if k != key})
        for wrong in WRONG:
            if type(wrong) is not type(value):
                out.append({**data, key: wrong})
                break
    return out


def _cases() -> list[dict[str, Any]]:
    loaded = load(load_config(CHAT))
    cases = []
    for definition in loaded.registry.messages:
        for version in definition.versions:
            if not version.examples:
                continue
            valid = list(version.examples)
            cases.append(
                {
                    "type": definition.name,
                    "v": version.number,
                    "schema": version_document(loaded.registry, definition, version, closed=False),
                    "valid": valid,
                    "invalid": [m for e in valid for m in _mutations(e)],
                }
            )
    return cases


def _build_package() -> None:
    loaded = load(load_config(CHAT))
    shutil.rmtree(WORK, ignore_errors=True)
    for relative, text in render_typescript(loaded, loaded.config.typescript, None).files.items():
        path = WORK / "protocol" / Path(*Path(relative).parts[1:])  # under the name the .mjs reads
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    subprocess.run(
        [str(REPO / "node_modules" / ".bin" / "tsc"), "-p", str(WORK / "protocol")], check=True
    )
    formats = [[name, fn] for name, fn in FORMAT_FUNCTIONS.items()]
    (WORK / "cases.json").write_text(json.dumps({"cases": _cases(), "formats": formats}))


def _time_generate(messages: int, languages: str) -> float:
    root = REPO / "bench" / ".work" / f"big-{messages}"
    if not root.exists():
        write_registry(root, messages)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run(
            [
                str(REPO / ".venv" / "bin" / "wiretype"),
                "generate",
                "--root",
                str(root),
                "--lang",
                languages,
            ],
            check=True,
            capture_output=True,
        )
        best = min(best, time.perf_counter() - start)
    return best


def _time_tsc(messages: int) -> tuple[float, int]:
    """Best of 3 of ``tsc -p`` (type check and emit) on the generated N x 3 package, and the
    size of its TypeScript. Run after ``_time_generate``, which writes it."""
    package = REPO / "bench" / ".work" / f"big-{messages}" / "generated" / "typescript" / "protocol"
    source = sum(p.stat().st_size for p in (package / "src").glob("*.ts"))
    best = float("inf")
    for _ in range(3):
        shutil.rmtree(package / "dist", ignore_errors=True)
        start = time.perf_counter()
        subprocess.run(
            [str(REPO / "node_modules" / ".bin" / "tsc"), "-p", str(package)],
            check=True,
            capture_output=True,
        )
        best = min(best, time.perf_counter() - start)
    return best, source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=20000)
    args = parser.parse_args()
    ts = _time_generate(args.messages, "typescript")
    print(
        f"wiretype generate --lang typescript, {args.messages} messages x 3 versions: "
        f"{ts:.2f} s (best of 3, whole command)"
    )
    took, source = _time_tsc(args.messages)
    version = subprocess.run(
        [str(REPO / "node_modules" / ".bin" / "tsc"), "--version"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(
        f"tsc -p on that package ({source / 1e6:.1f} MB of TypeScript, {version}): "
        f"{took:.2f} s (best of 3, check and emit)"
    )
    if (REPO / "registry" / "render" / "python.py").exists():
        both = _time_generate(args.messages, "python,typescript")
        print(f"wiretype generate --lang python,typescript: {both:.2f} s")
    _build_package()
    subprocess.run(
        ["node", str(REPO / "bench" / "bench_typescript.mjs"), str(WORK)],
        check=True,
        env={**os.environ, "ROUNDS": str(args.rounds)},
    )


if __name__ == "__main__":
    main()
