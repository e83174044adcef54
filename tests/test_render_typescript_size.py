"""What a generated TypeScript package costs: shared code for identical sub-schemas, and
bundles that keep only the validators they import (docs/generated-typescript.md)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from registry.render import messages as words
from registry.render.ts_report_refs import HANDLERS
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
    # One check, the object's: the uuid check is written in place, once for each reference,
    # and neither reference has a function of its own (the uuid's reporter is one, shared).
    written = "".join(compiler.functions)
    assert written.count("function c") == 1 and written.count("function r") == 2
    assert f"function c{n}(" in written and written.count("fmtUuid(") == 2


def test_a_cycle_of_bare_references_compiles() -> None:
    compiler = SchemaCompiler()
    compiler.compile(
        {
            "$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}},
            "properties": {"x": {"$ref": "#/$defs/a"}},
        }
    )
    assert compiler.functions  # it terminates, with functions for the cycle


def _bundle(source: str, *, minify: bool = True) -> str:
    done = subprocess.run(
        [
            str(REPO / "node_modules" / ".bin" / "esbuild"),
            "--bundle",
            *(["--minify"] if minify else []),
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


def test_a_bundle_keeps_only_the_error_reporting_its_validators_use() -> None:
    # chat.reaction_added v1 is an object of strings: its errors need no handler of enums,
    # lists or nullable values, which the chat package's other messages use.
    one = _bundle('export { validateReactionAddedV1 } from "./index.ts";', minify=False)
    whole = _bundle('export * from "./index.ts";', minify=False)
    for used in ("kType", "kReq", "kProps", "kMinLen"):
        assert f"function {used}(" in one
    for unused in ("kEq", "kItems", "kNullable"):
        assert f"function {unused}(" in whole and f"function {unused}(" not in one


def _object(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": sorted(properties), "properties": properties}


def test_a_short_check_is_written_in_place_and_its_reporter_held_by_the_parent() -> None:
    compiler = SchemaCompiler()
    n = compiler.compile(_object(flag={"type": "boolean"}))
    (written,) = compiler.functions  # the object only: the boolean has no function
    assert f"function c{n}(x: any): boolean {{\n  return obj(x) && typeof x.flag" in written
    # Its instructions in place, their handlers (kType first) passed by reference.
    assert '[[0,["boolean"]]]' in written  # reports.ts writes "must be boolean" itself
    assert written.endswith(", kType, kReq, kProps);\n}\n")


def test_checks_run_cheapest_first_and_test_presence_only_before_a_dear_call() -> None:
    compiler = SchemaCompiler()
    profile = _object(id={"type": "string", "format": "uuid"}, name=_string("a name"))
    n = compiler.compile(
        _object(
            count={"type": "integer"},
            sent={"type": "string", "format": "date-time"},
            author=profile,
        )
    )
    (written,) = [f for f in compiler.functions if f.startswith(f"function c{n}(")]
    check = written.splitlines()[1]
    # A call of a check that runs a format comes last, so its absence is tested first; a
    # type test rejects an absent value by itself.
    assert "x.author !== undefined" in check
    assert "x.count !== undefined" not in check and "x.sent !== undefined" not in check
    cheap = ["x.author !== undefined", "Number.isInteger(x.count)", 'typeof x.sent === "string"']
    last = check.rindex("(x.author)")  # the call of the author's check
    assert max(check.index(t) for t in cheap) < check.index("fmtDateTime(x.sent)") < last


def test_reporter_instructions_are_json_data_whatever_the_text() -> None:
    text = 'it\'s \\ "quoted" */ ${x} `tick` \u2028'
    compiler = SchemaCompiler()
    compiler.compile({"enum": [text]})
    (written,) = compiler.functions
    literal, handlers = written.split("report(x, p, e, ", 1)[1].rsplit(");", 1)[0].rsplit(", ", 1)
    assert literal.startswith("'") and literal.endswith("'") and literal.isascii()
    body = literal[1:-1].replace("\\'", "'").replace("\\\\", "\\")
    assert json.loads(body) == [[0, [text], words.enum_message([text])]]
    assert handlers == "kEq"  # refs[0]: the enum's handler, by reference


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
    # ... and date-times and URIs, never an email, a date or a time: their patterns stay out
    assert "A-Za-z0-9.!#" not in chat and "[Tt ]" in chat
    assert "([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$" not in chat
    assert "^([01][0-9]|2[0-3])" not in chat


# Each bounded keyword with a bound whose words reports.ts writes itself (1e21, 0.1 too, as
# ECMAScript writes them), and one worded as given (`maxLength` past 2^53, which a double
# would round); "t" holds several types; "e" is an enum whose words reports.ts writes, "f"
# one it might write otherwise (non-ASCII, a control character).
_BOUNDED = {
    "type": "object",
    "required": ["s", "n", "a", "o", "t", "x", "y"],
    "properties": {
        "s": {"type": "string", "minLength": 2, "maxLength": 3},
        "n": {"type": "number", "minimum": 1.5, "maximum": 1e21, "exclusiveMinimum": -1},
        "a": {"type": "array", "minItems": 1, "maxItems": 2},
        "o": {"type": "object", "minProperties": 1, "maxProperties": 1},
        "t": {"type": ["string", "null"]},
        "x": {"type": "string", "maxLength": 9007199254740993},
        "y": {"type": "number", "exclusiveMaximum": 0.1},
        "e": {"enum": ['a "b"', 1, 2.5, None, True]},
        "f": {"enum": ["\u00e9", "\u2028", "a\x7fb"]},
        "z": {"type": "string", "maxLength": 10**400},  # beyond any double: its words kept
    },
}
_BAD = [
    {"s": "a", "n": 1, "a": [], "o": {}, "t": 1, "x": 1, "y": 1, "e": "a", "f": "e"},
    {"s": "abcd", "n": 1e22, "a": [1, 2, 3], "o": {"p": 1, "q": 2}, "x": "ok", "y": 0.1},
]


def _errors_in_node(tmp_path: Path, functions: list[str], n: int, values: list[Any]) -> Any:
    """The errors reporter ``r<n>`` (of ``functions``) pushes for each of ``values``."""
    static = REPO / "templates" / "typescript" / "static"
    imports = (
        f"import {{ cpLen, deq, hasOwn, isObj, multOf, uniq }} from "
        f"{json.dumps(str(static / 'validation.ts'))};\n"
        f"import {{ report, fill, {', '.join(HANDLERS)} }} from "
        f"{json.dumps(str(static / 'reports.ts'))};\n"
    )
    run = (
        f"const values: any[] = {json.dumps(values)};\n"
        f"const errors = (x: any) => {{ const e: any[] = []; r{n}(x, '', e); return e; }};\n"
        "console.log(JSON.stringify(values.map(errors)));\n"
    )
    aliases = (
        "const obj: (x: unknown) => boolean = isObj;\n"
        "const arr: (x: unknown) => boolean = Array.isArray;\n"
    )
    (tmp_path / "run.ts").write_text(imports + aliases + "\n".join(functions) + run)
    esbuild = str(REPO / "node_modules" / ".bin" / "esbuild")
    built = subprocess.run(
        [esbuild, "--bundle", "--format=esm", "--platform=node", str(tmp_path / "run.ts")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    done = subprocess.run(
        ["node", "--input-type=module"],
        input=built.stdout,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_bound_words_are_left_to_the_reporter_and_read_as_messages_py_writes_them(
    tmp_path: Path,
) -> None:
    compiler = SchemaCompiler()
    n = compiler.compile(_BOUNDED)
    written = "".join(compiler.functions)
    # Only the words reports.ts could not write from the bound (a double rounds this one)
    # are in the instructions.
    rest = written
    for kept in (
        words.length_message(False, 9007199254740993),
        words.length_message(False, 10**400),
    ):
        assert rest.count(kept) == 1
        rest = rest.replace(kept, "")
    assert "characters long" not in rest and "must be at" not in rest and "must have" not in rest
    assert "is required" not in written and '"must be string"' not in written
    # an enum's words are its values as JSON.stringify writes them, unless that could differ
    assert "must be one of" in written and written.count("must be one of") == 1
    first, second = _errors_in_node(tmp_path, compiler.functions, n, _BAD)
    assert first == [
        {"path": "/s", "message": words.length_message(True, 2)},
        {"path": "/n", "message": words.bound_message("minimum", 1.5)},
        {"path": "/a", "message": words.items_message(True, 1)},
        {"path": "/o", "message": words.properties_message(True, 1)},
        {"path": "/t", "message": words.type_message(["string", "null"])},
        {"path": "/x", "message": words.type_message(["string"])},
        {"path": "/y", "message": words.bound_message("exclusiveMaximum", 0.1)},
        {"path": "/e", "message": words.enum_message(_BOUNDED["properties"]["e"]["enum"])},
        {"path": "/f", "message": words.enum_message(_BOUNDED["properties"]["f"]["enum"])},
    ]
    assert second == [
        {"path": "/t", "message": words.REQUIRED},
        {"path": "/s", "message": words.length_message(False, 3)},
        {"path": "/n", "message": words.bound_message("maximum", 1e21)},
        {"path": "/a", "message": words.items_message(False, 2)},
        {"path": "/o", "message": words.properties_message(False, 1)},
        {"path": "/y", "message": words.bound_message("exclusiveMaximum", 0.1)},
    ]
