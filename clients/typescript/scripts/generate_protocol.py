"""Generate ``src/protocol/``: the runtime's own messages (``wiretype.*``) for the client.

The client validates every frame it receives, the runtime's own ones included, with code
that ``wiretype generate`` makes from ``schemas/wiretype/`` (never written by hand). A user's
generated package does not hold those messages, so the client ships them: this script copies
the definitions into a registry of their own, generates its TypeScript package, and keeps
its ``src/*.ts`` here. ``--check`` writes nothing and exits 1 when the copy is stale (a test
runs it).

Beside them it writes ``schemas.ts``: each version's JSON Schema as ``wiretype generate``
compiles it, reduced to the keywords the client's compact checks read
(``src/core/check.ts``), which is what a page's bundle ships instead of the generated
validators (those stay here, and a test holds the two to the same answers). A keyword the
compact checks do not know stops this script, so a new schema never goes unchecked.

    python clients/typescript/scripts/generate_protocol.py [--check]
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from registry.cli.project import load_project
from registry.load.settings import load_config
from registry.render.messages import enum_message
from registry.schema.emit import version_document

CLIENT = Path(__file__).resolve().parents[1]
REPO = CLIENT.parents[1]
TARGET = CLIENT / "src" / "protocol"
SETTINGS = """\
schemas: schemas
name: wiretype
typescript: {package: "@wiretype/client-protocol", out: out}
"""


def render() -> dict[str, str]:
    """File name -> text of the generated ``src/`` for the runtime's messages."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(REPO / "schemas" / "wiretype", root / "schemas" / "wiretype")
        (root / "wiretype.yaml").write_text(SETTINGS, encoding="utf-8")
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "registry",
                "generate",
                "--root",
                str(root),
                "--lang",
                "typescript",
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"wiretype generate failed:\n{done.stdout}{done.stderr}")
        src = root / "out" / "client-protocol" / "src"
        files = {p.name: p.read_text(encoding="utf-8") for p in sorted(src.glob("*.ts"))}
        files["schemas.ts"] = schemas_module(root)
        return files


# What src/core/check.ts reads; annotations are dropped, anything else stops the script.
KEYWORDS = {
    "type",
    "enum",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "default",
}
ANNOTATIONS = {"$schema", "title", "description", "examples"}
TYPES = {"string", "integer", "boolean", "object", "array"}


def compact(node: dict[str, Any], where: str) -> dict[str, Any]:
    """One schema node with only what the compact checks read."""
    unknown = set(node) - KEYWORDS - ANNOTATIONS
    if unknown:
        raise SystemExit(f"{where}: src/core/check.ts does not check {sorted(unknown)}")
    out = {k: v for k, v in node.items() if k in KEYWORDS}
    _refuse_unknown_forms(out, where)
    if "properties" in out:
        out["properties"] = {k: compact(v, f"{where}/{k}") for k, v in out["properties"].items()}
    for key in ("additionalProperties", "items"):
        if key in out:
            out[key] = compact(out[key], f"{where}/{key}")
    return out


def _refuse_unknown_forms(node: dict[str, Any], where: str) -> None:
    """Stops on a form of a keyword that src/core/check.ts does not read as the validators do."""
    problem = _form_problem(node)
    if problem:
        raise SystemExit(f"{where}: src/core/check.ts does not check {problem}: extend it")


def _form_problem(node: dict[str, Any]) -> str | None:
    bounds = ("minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems")
    problems = {
        "this enum": "enum" in node and not _plain_enum(node),
        f"type {node.get('type')!r}": "enum" not in node and node.get("type") not in TYPES,
        "a bound that is not a whole number": any(
            k in node and type(node[k]) is not int for k in bounds
        ),
        "properties with additionalProperties": "properties" in node
        and "additionalProperties" in node,
        "a field named __proto__ or a number": any(
            name == "__proto__" or name.isdigit() for name in node.get("properties", {})
        ),
        "additionalProperties or items that is not a schema": any(
            k in node and not isinstance(node[k], dict) for k in ("additionalProperties", "items")
        ),
    }
    return next((what for what, found in problems.items() if found), None)


def _plain_enum(node: dict[str, Any]) -> bool:
    """An enum of ASCII strings alone, whose words check.ts writes as messages.py does."""
    values = node["enum"]
    return (
        not set(node) - {"enum", "default"}
        and all(isinstance(v, str) and v.isascii() and v.isprintable() for v in values)
        and enum_message(values) == _enum_words(values)
    )


def _enum_words(values: list[str]) -> str:
    """The words check.ts writes for an enum (registry/render/messages.py's, for plain strings)."""
    shown = ", ".join(json.dumps(v) for v in values[:10])
    return f"must be one of {shown}" + (f", … ({len(values)} in all)" if len(values) > 10 else "")


def schemas_module(root: Path) -> str:
    """``schemas.ts``: message -> version -> its compact schema."""
    registry = load_project(load_config(root)).registry
    table = {
        name: {
            str(v.number): compact(
                version_document(registry, registry.definitions[name], v, closed=False),
                f"{name} v{v.number}",
            )
            for v in registry.definitions[name].versions
        }
        for name in sorted(registry.definitions)
    }
    return (
        "// Generated by clients/typescript/scripts/generate_protocol.py from schemas/wiretype/:"
        " do not edit.\n"
        "// Each version's JSON Schema (as `wiretype generate` compiles it), reduced to what\n"
        "// ../core/check.ts reads.\n"
        'import type { Schema } from "../core/check.js";\n\n'
        "export const SCHEMAS: Readonly<Record<string, Readonly<Record<number, Schema>>>> = "
        f"{json.dumps(table, indent=1, ensure_ascii=True)};\n"
    )


def stale(files: dict[str, str]) -> list[str]:
    on_disk = {p.name for p in TARGET.glob("*.ts")}
    names = sorted(on_disk | set(files))
    return [
        n
        for n in names
        if n not in files
        or n not in on_disk
        or (TARGET / n).read_text(encoding="utf-8") != files[n]
    ]


def main(argv: list[str]) -> int:
    files = render()
    if "--check" in argv:
        wrong = stale(files)
        for name in wrong:
            print(f"stale: clients/typescript/src/protocol/{name}")
        return 1 if wrong else 0
    TARGET.mkdir(parents=True, exist_ok=True)
    for old in TARGET.glob("*.ts"):
        if old.name not in files:
            old.unlink()
    for name, text in files.items():
        (TARGET / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} file(s) to {TARGET.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
