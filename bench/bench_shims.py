"""One shim strategy for both languages: a table per migration, or code per step, measured.

Both generated packages run their migrations as data (``shims.py`` / ``shims.ts`` hold the
hop table, ``_migration.py`` / ``migration.ts`` interpret it). The other strategy, a
function per hop with one call per step, is written here from the same table
(``registry.render.shim_table``) and swapped into a copy of each package. For each
language, strategy and registry it prints:

* shims: ``upgrade`` v1 -> latest then ``downgrade`` back, every message, re-validated
  after each hop as the packages do (messages/s, best of 5 runs);
* steps alone: the hops' steps on plain data, without the re-validation (ns a hop);
* the size of the shims module;
* Python: importing the package (with byte-code caches, best of 7 fresh processes; the
  strategies differ only in shims.py);
  TypeScript: ``tsc -p`` of the package, and importing its compiled shims in Node.

Registries: bench/registry_gen.py's (``--messages``, default 300 x 3 versions: a rename
and an enum mapping per message) and the chat example (``examples/chat``, the hops of
``chat.message_sent`` v1 -> v3).

    python bench/bench_shims.py [--messages 300] [--work DIR]
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from registry_gen import example, message_name, write_registry

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from registry.cli.project import load_project as load  # noqa: E402
from registry.load.settings import load_config  # noqa: E402
from registry.render.py_literals import py_literal  # noqa: E402
from registry.render.shim_table import ShimTable, shim_table  # noqa: E402

BIN = Path(sys.executable).parent
TSC = ROOT / "node_modules" / ".bin" / "tsc"
_PY_STEP = {
    "rename": "rename",
    "defaults": "defaults",
    "drop": "drop",
    "values": "values",
    "move": "move",
    "convert": "convert",
}


# --- the other strategy: code per step, written from the same table ---------------------------


def python_code_shims(table: ShimTable, header: str) -> str:
    """shims.py with one function per hop, each step one call into _migration."""
    lines = [
        header,
        "from __future__ import annotations",
        "",
        "import itertools",
        "import typing as _t",
        "",
        "from . import _migration as _m",
        "from .codec import CODEC, Envelope",
        "",
        f"CUSTOMS: tuple[str, ...] = {py_literal(tuple(c.python for c in table.customs))}",
        "",
    ]
    keys = []
    for n, hop in enumerate(table.hops):
        lines += ["", f"def _hop_{n}(data: dict[str, _t.Any]) -> dict[str, _t.Any]:"]
        for kind, field, arg in hop.steps:
            if kind == "custom":
                lines.append(f"    data = _m.custom(data, CUSTOMS[{arg}])")
            else:
                lines.append(
                    f"    data = _m.{_PY_STEP[kind]}(data, {py_literal(field)}, {py_literal(arg)})"
                )
        lines.append("    return data")
        keys.append(f"    {py_literal((hop.message, hop.source, hop.target))}: _hop_{n},")
    lines += [
        "",
        "",
        "HOP_FUNCTIONS = {",
        *keys,
        "}",
        "",
        "",
        "class _CodeShims(_m.Shims[Envelope]):",
        "    def _walk(self, framed: Envelope, path: list[int]) -> Envelope:",
        "        current = _m._revalidate(self._codec, _m._plain(framed), path[0])",
        "        for source, target in itertools.pairwise(path):",
        "            data = _m._plain(current)",
        "            hop = HOP_FUNCTIONS.get((framed.type, source, target))",
        "            if hop is not None:",
        '                data["data"] = hop(data["data"])',
        "            current = _m._revalidate(self._codec, data, target)",
        "        return current",
        "",
        "",
        "SHIMS = _CodeShims(CODEC, {}, CUSTOMS)",
        "upgrade = SHIMS.upgrade",
        "downgrade = SHIMS.downgrade",
        "convert = SHIMS.convert",
        "",
    ]
    return "\n".join(lines)


def typescript_code_shims(table: ShimTable, header: str) -> str:
    """shims.ts with one function per hop, each step one call of its kind's function."""
    lines = [
        header,
        'import { STEPS } from "./migration.js";',
        'import { frame, rebuild, validData, validatorOf } from "./envelope.js";',
        'import { DecodeError, cloneJson, isObj } from "./validation.js";',
        'import type { Envelope } from "./types.js";',
        'import { validators } from "./validators.js";',
        "const { rename, defaults, drop, values, move, convert: convertStep } = STEPS;",
    ]
    entries = []
    for n, hop in enumerate(table.hops):
        lines.append(f"function hop{n}(data: any): any {{")
        for kind, field, arg in hop.steps:
            name = "convertStep" if kind == "convert" else kind
            lines.append(f"  data = {name}!(data, {json.dumps(field)}, {json.dumps(arg)});")
        lines.append("  return data;\n}")
        entries.append(f'  ["{hop.message} {hop.source} {hop.target}", hop{n}],')
    lines += [
        "export const HOPS = new Map<string, (data: any) => any>([",
        *entries,
        "]);",
        _TS_WALK,
    ]
    return "\n".join(lines) + "\n"


_TS_WALK = """
function walk(type: string, data: unknown, from: number, to: number): unknown {
  const versions = [...validators.get(type)!.keys()];
  const start = versions.indexOf(from);
  const end = versions.indexOf(to);
  let current = data;
  for (let i = start; i !== end; i += end > start ? 1 : -1) {
    const next = versions[i + (end > start ? 1 : -1)]!;
    const hop = HOPS.get(`${type} ${versions[i]} ${next}`);
    const work = hop === undefined ? cloneJson(current) : hop(cloneJson(current));
    if (!isObj(work)) throw new DecodeError([{ path: "/data", message: "no object" }]);
    current = validData(validatorOf(validators, type, next), work, "/data", `as v${next}`);
  }
  return current;
}

function migrate(msg: Envelope, to: number | undefined): Envelope {
  const start: Record<string, any> = frame(validators, msg);
  const versions = [...validators.get(start.type)!.keys()];
  const target = to ?? versions[versions.length - 1]!;
  return rebuild(start, target, walk(start.type, start.data, start.v, target));
}

export const upgrade = (msg: Envelope, to?: number): Envelope => migrate(msg, to);
export const downgrade = (msg: Envelope, to: number): Envelope => migrate(msg, to);
export const convert = (type: string, data: unknown, from: number, to: number): unknown =>
  walk(type, data, from, to);
"""


# --- the two packages of one registry, in both strategies -------------------------------------


def _generate(project: Path) -> None:
    subprocess.run(
        [str(BIN / "wiretype"), "generate", "--root", str(project)], check=True, capture_output=True
    )


def _variants(project: Path, work: Path, python_name: str, ts_name: str) -> dict[str, Path]:
    """{language/strategy: package folder}: the generated packages, and copies with code."""
    loaded = load(load_config(project))
    table = shim_table(loaded.registry)
    py_out = project / loaded.config.python.out
    ts_out = project / loaded.config.typescript.out / ts_name
    folders = {
        "python/table": work / "python-table",
        "python/code": work / "python-code",
        "typescript/table": work / "ts-table",
        "typescript/code": work / "ts-code",
    }
    for key, folder in folders.items():
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(
            py_out if key.startswith("python") else ts_out,
            folder,
            ignore=shutil.ignore_patterns("node_modules", "dist", "__pycache__"),
        )
    shims_py = folders["python/code"] / python_name / "shims.py"
    shims_py.write_text(python_code_shims(table, shims_py.read_text().splitlines()[0]))
    shims_ts = folders["typescript/code"] / "src" / "shims.ts"
    shims_ts.write_text(typescript_code_shims(table, shims_ts.read_text().splitlines()[0]))
    return folders


# --- measuring --------------------------------------------------------------------------------

_PY_PROBE = """
import json, sys, time, timeit
sys.path.insert(0, sys.argv[1])
import importlib
pkg = importlib.import_module(sys.argv[2])
from {package} import _migration
cases = json.loads(sys.argv[3])
msgs = [pkg.decode(json.dumps({{"type": t, "v": 1, "id": "m", "data": d}})) for t, d in cases]
latest = {{t: max(pkg.MESSAGES[t]) for t, _ in cases}}
def shims():
    for m in msgs:
        pkg.downgrade(pkg.upgrade(m), 1)
shims()
best = min(timeit.repeat(shims, number=3, repeat=5)) / 3
funcs = getattr(pkg.shims, "HOP_FUNCTIONS", None)
data = {{(t, 1): json.loads(pkg.encode(m))["data"] for (t, _), m in zip(cases, msgs)}}
ups = [pkg.upgrade(m, 2) for m in msgs]
data.update({{(t, 2): json.loads(pkg.encode(m))["data"] for (t, _), m in zip(cases, ups)}})
table = pkg.shims.HOPS if funcs is None else funcs
keys = [k for k in table if (k[0], k[1]) in data]
run = _migration.run_steps
if funcs is None:
    work = [(data[(k[0], k[1])], table[k]) for k in keys]
    def steps():
        for d, hop in work:
            run(dict(d), hop)
else:
    work = [(data[(k[0], k[1])], funcs[k]) for k in keys]
    def steps():
        for d, hop in work:
            hop(dict(d))
n = 300
each = min(timeit.repeat(steps, number=n, repeat=9)) / n / max(len(keys), 1)
print(json.dumps({{"per_s": len(msgs) / best, "step_ns": each * 1e9, "hops": len(keys)}}))
"""


def _python(folder: Path, package: str, cases: list[tuple[str, Any]]) -> dict[str, float]:
    probe = _PY_PROBE.format(package=package)
    done = subprocess.run(
        [sys.executable, "-c", probe, str(folder), package, json.dumps(cases)],
        check=True,
        capture_output=True,
        text=True,
    )
    found: dict[str, float] = json.loads(done.stdout)
    found["size"] = (folder / package / "shims.py").stat().st_size
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(folder)], check=True)
    timing = (
        f"import sys, time; sys.path.insert(0, {str(folder)!r}); import pydantic; "
        f"t = time.perf_counter(); import {package}; print(time.perf_counter() - t)"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    found["import_ms"] = 1000 * min(
        float(
            subprocess.run(
                [sys.executable, "-c", timing], check=True, capture_output=True, text=True, env=env
            ).stdout
        )
        for _ in range(7)
    )
    return found


def _typescript(folder: Path, cases: list[tuple[str, Any]], table: ShimTable) -> dict[str, float]:
    compile_s = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([str(TSC), "-p", str(folder)], check=True, capture_output=True)
        compile_s.append(time.perf_counter() - start)
    hops = [[h.message, h.source, h.target, h.steps] for h in table.hops]
    script = str(Path(__file__).with_name("bench_shims.mjs"))
    runs = [
        json.loads(
            subprocess.run(
                ["node", script, str(folder / "dist"), json.dumps(cases), json.dumps(hops)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        for _ in range(3)
    ]
    found: dict[str, float] = {
        "per_s": max(r["per_s"] for r in runs),
        "step_ns": min(r["step_ns"] for r in runs),
        "import_ms_node": min(r["import_ms"] for r in runs),
    }
    found["size"] = (folder / "src" / "shims.ts").stat().st_size
    found["tsc_s"] = min(compile_s)
    return found


def _show(title: str, results: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}")
    print(
        f"  {'':18} {'shims msgs/s':>13} {'steps ns/hop':>13} {'size (bytes)':>13} "
        f"{'import / tsc':>16}"
    )
    for key, r in results.items():
        load_time = (
            f"{r['import_ms']:.1f} ms"
            if "import_ms" in r
            else f"{r['import_ms_node']:.1f} ms / {r['tsc_s']:.2f} s"
        )
        print(
            f"  {key:18} {r['per_s']:>13,.0f} {r['step_ns']:>13,.0f} {r['size']:>13,} "
            f"{load_time:>16}"
        )


def _measure(
    project: Path, work: Path, python_name: str, ts_name: str, cases: list[tuple[str, Any]]
) -> dict[str, dict[str, float]]:
    folders = _variants(project, work, python_name, ts_name)
    table = shim_table(load(load_config(project)).registry)
    return {
        key: (
            _python(folder, python_name, cases)
            if key.startswith("python")
            else _typescript(folder, cases, table)
        )
        for key, folder in folders.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / ".work" / "shims")
    args = parser.parse_args()
    work: Path = args.work
    shutil.rmtree(work, ignore_errors=True)
    registry = work / "registry"
    write_registry(registry, args.messages)
    _generate(registry)

    cases = [(message_name(i), example(i, 1)) for i in range(args.messages)]
    _show(
        f"bench registry: {args.messages} messages x 3 versions, v1 -> v3 -> v1",
        _measure(registry, work / "bench", "bench_protocol", "protocol", cases),
    )
    chat = ROOT / "examples" / "chat"
    sent = load(load_config(chat)).registry.definitions["chat.message_sent"].versions[0]
    _show(
        "chat example (examples/chat/generated/): chat.message_sent v1 -> v3 -> v1",
        _measure(
            chat,
            work / "chat",
            "chat_protocol",
            "chat-protocol",
            [("chat.message_sent", sent.examples[0])] * 50,
        ),
    )


if __name__ == "__main__":
    main()
