"""What a generated TypeScript package costs: shared code for identical sub-schemas, and
bundles that keep only the validators they import (docs/generated-typescript.md)."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from registry.render.ts_validators import SchemaCompiler
from tests.helpers import REPO

# The chat example's generated package (its golden copy, kept current by its own test).
CHAT_SRC = REPO / "examples" / "chat" / "generated" / "typescript" / "chat-protocol" / "src"


def _string(description: str) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": 80, "description": description}


def test_sub_schemas_that_differ_only_in_annotations_share_one_function() -> None:
    compiler = SchemaCompiler()
    first = compiler.compile(
        {"type": "object", "required": ["a"], "properties": {"a": _string("the first")}}
    )
    second = compiler.compile(
        {"type": "object", "required": ["a"], "properties": {"a": _string("the second")}}
    )
    assert first == second
    assert len(compiler.functions) == 2  # the string and the object, once each


def test_a_bare_reference_is_its_target() -> None:
    compiler = SchemaCompiler()
    n = compiler.compile(
        {
            "$defs": {"user": {"type": "string", "format": "uuid"}},
            "type": "object",
            "properties": {
                "a": {"$ref": "#/$defs/user", "description": "who wrote it"},
                "b": {"$ref": "#/$defs/user"},
            },
        }
    )
    assert len(compiler.functions) == 2  # the uuid string and the object: no wrappers
    assert f"function c{n}(" in compiler.functions[-1]


def test_a_cycle_of_bare_references_compiles() -> None:
    compiler = SchemaCompiler()
    compiler.compile(
        {
            "$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}},
            "properties": {"x": {"$ref": "#/$defs/a"}},
        }
    )
    assert compiler.functions  # it terminates, with functions for the cycle


def _bundle(source: str) -> str:
    done = subprocess.run(
        [
            str(REPO / "node_modules" / ".bin" / "esbuild"),
            "--bundle",
            "--minify",
            "--format=esm",
            "--sourcefile=entry.js",
        ],
        input=source,
        capture_output=True,
        text=True,
        check=False,
        cwd=CHAT_SRC,  # where stdin resolves
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_bundle_keeps_only_the_validators_it_imports() -> None:
    one = _bundle('export { isReactionAddedV1 } from "./index.ts";')
    whole = _bundle('export * from "./index.ts";')
    assert '"emoji"' in one or "emoji" in one  # the message it imports
    assert "message_id" in whole and "typing" in whole
    assert "typing" not in one  # chat.typing's validator, not imported, is left out
    assert len(one) * 4 < len(whole)


def test_a_bundle_keeps_only_the_kinds_of_step_its_migrations_use() -> None:
    # the chat example's migrations rename, drop and map values: no unit conversions
    whole = _bundle('export * from "./index.ts";')
    assert "rename" in (CHAT_SRC / "shims.ts").read_text(encoding="utf-8")
    assert "unwrap_list" not in whole and "float_to_int" not in whole  # the `convert` step's


def test_a_bundle_keeps_only_the_format_patterns_it_checks() -> None:
    # the client's copy of the runtime's messages checks no format: it ships no pattern
    protocol = REPO / "clients" / "typescript" / "src" / "protocol" / "index.ts"
    bundled = _bundle(f"export {{ validators }} from {json.dumps(str(protocol))};")
    assert "validators" in protocol.read_text(encoding="utf-8")
    assert "[0-9a-fA-F]{8}" not in bundled and "A-Za-z0-9.!#" not in bundled
    chat = _bundle('export * from "./index.ts";')
    assert "[0-9a-fA-F]{8}" in chat  # chat checks uuids
