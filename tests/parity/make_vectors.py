"""Write tests/parity/vectors.json: inputs and the generated Python package's answers.

Two registries: this repository's ``schemas/`` (section ``example``) and
``tests/parity/project/`` (section ``parity``), built to hold the two packages
to one answer on numbers, ``multipleOf``, ``one_of``, formats, strings and key
order. A vector is the exact JSON **text** of a message (a parsed value cannot
hold ``1.0``, ``-0.0`` or ``9007199254740993``) and the answer: ``ok``; when ok,
``encoded``, the exact text ``encode`` writes for the decoded message (both
packages must write these bytes); when not, ``errors`` (path and message).

Example vectors come from every version's ``examples:``, from instances built
from each version's JSON Schema, and from mutations of those (wrong types,
``"1"`` and ``1.5`` for integers, bad formats, missing required fields, strings
too long, unknown enum values, nulls, extra fields), plus envelope mistakes and
shim runs; parity vectors are written out by hand below. Everything is
deterministic: the same registries write the same file.

    python tests/parity/make_vectors.py [--check]
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import random
import struct
import sys
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[2]
VECTORS = Path(__file__).with_name("vectors.json")
CHAT = REPO / "examples" / "chat"  # the chat example: a user's project with its own registry
GENERATED = REPO / "generated" / "python"
PARITY = Path(__file__).with_name("project")

# Sample values that satisfy each format (and a few that do not).
GOOD_FORMATS = {
    "uuid": "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11",
    "date": "2024-02-29",
    "date-time": "2026-03-01T09:30:00.25+02:00",
    "time": "23:59:60Z",
    "email": "ada@example.org",
    "uri": "https://example.org/a?b=c#d",
}
BAD_FORMATS = {
    "uuid": ["7d0c4e552f1a4b8e9a510c7a2e6f1b11", "{7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11}"],
    "date": ["2023-02-29", "2026-3-1"],
    "date-time": ["2026-03-01 09:30", "2026-02-30T09:30:00Z"],
    "time": ["24:00:00Z", "09:30:00"],
    "email": ["ada at example.org", "@example.org"],
    "uri": ["no scheme", "https://exa mple.org"],
}


def package() -> ModuleType:
    """The chat example's Python package (examples/chat/generated/python, committed)."""
    sys.path.insert(0, str(CHAT / "generated" / "python"))
    return importlib.import_module("chat_protocol")


def runtime_package() -> ModuleType:
    """The runtime's own package (generated/python from schemas/, committed)."""
    sys.path.insert(0, str(GENERATED))
    return importlib.import_module("wiretype_protocol")


@cache
def parity_package() -> ModuleType:
    """The parity registry's Python package, generated into a temporary folder."""
    from registry.cli.project import load_project
    from registry.load.settings import load_config
    from registry.render.python import render_python

    loaded = load_project(load_config(PARITY))
    out = Path(tempfile.mkdtemp(prefix="wiretype-parity-"))
    for relative, text in render_python(loaded, loaded.config.python, None).files.items():
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        (out / relative).write_text(text, encoding="utf-8")
    sys.path.insert(0, str(out))
    return importlib.import_module("parity_protocol")


def registry_documents(root: Path = REPO) -> list[tuple[str, int, Any, tuple[Any, ...]]]:
    """(message name, version, open JSON Schema, examples) for every message version."""
    from registry.cli.project import load_project
    from registry.load.settings import load_config
    from registry.schema.emit import version_document

    loaded = load_project(load_config(root))
    out = []
    for definition in sorted(loaded.registry.messages, key=lambda d: d.name):
        for version in definition.versions:
            doc = version_document(loaded.registry, definition, version, closed=False)
            out.append((definition.name, version.number, doc, version.examples))
    return out


# --- instances built from a schema ---------------------------------------------------------


def instance(schema: Any, defs: dict[str, Any], full: bool) -> Any:  # noqa: PLR0911
    """A valid value of ``schema``; ``full`` fills optional properties too."""
    if not isinstance(schema, dict):
        return None
    if "$ref" in schema:
        return instance(defs[schema["$ref"].split("/")[-1]], defs, full)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][-1 if full else 0]
    if "anyOf" in schema:
        return instance(schema["anyOf"][0 if full else -1], defs, full)
    if "oneOf" in schema:
        return instance(schema["oneOf"][0], defs, full)
    return _typed(schema, defs, full)


def _typed(schema: dict[str, Any], defs: dict[str, Any], full: bool) -> Any:  # noqa: PLR0911
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        required = schema.get("required", [])
        out = {k: instance(v, defs, full) for k, v in props.items() if full or k in required}
        if "additionalProperties" in schema and isinstance(schema["additionalProperties"], dict):
            out["some.key"] = instance(schema["additionalProperties"], defs, full)
        return out
    if kind == "array":
        count = max(schema.get("minItems", 0), 2 if full else 0)
        items = [instance(schema.get("items", {}), defs, full) for _ in range(count)]
        if schema.get("uniqueItems") and items and isinstance(items[0], str):
            items = [f"{item}{i}" for i, item in enumerate(items)]
        if schema.get("uniqueItems") and items and isinstance(items[0], int):
            items = [item + i for i, item in enumerate(items)]
        return items
    if kind == "string":
        if "format" in schema:
            return GOOD_FORMATS[schema["format"]]
        size = max(schema.get("minLength", 0), min(schema.get("maxLength", 5), 5))
        return ("é" if full else "x") * size
    if kind == "integer":
        return max(schema.get("minimum", 0), 0) + (7 if full else 0)
    if kind == "number":
        return 2.5 if full else 0
    if kind == "boolean":
        return full
    if kind == "null":
        return None
    return {"any": [1, "two", None]}


# --- mutations --------------------------------------------------------------------------


def mutations(
    schema: dict[str, Any], defs: dict[str, Any], data: dict[str, Any]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(what changed, data) for each field of a top-level object schema."""
    props = schema.get("properties", {})
    for name, prop in props.items():
        target = prop
        while "$ref" in target:
            target = defs[target["$ref"].split("/")[-1]]
        inner = target.get("anyOf", [target])[0] if "anyOf" in target else target
        for label, value in _bad_values(inner):
            yield f"{name} {label}", {**data, name: value}
        yield f"{name} null", {**data, name: None}
        if name in data:
            rest = {k: v for k, v in data.items() if k != name}
            yield f"{name} missing", rest
    yield "extra field", {**data, "not_declared": {"x": [1]}}


def _bad_values(schema: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    kind = schema.get("type")
    if kind == "integer":
        yield from (
            ("as text", "1"),
            ("1.5", 1.5),
            ("1.0 (valid)", 1.0),
            ("true", True),
            ("big", 123456789012345678901234567890),
            ("-0", -1 * 0),
        )
    elif kind == "number":
        yield from (("as text", "1.5"), ("true", True), ("1e2", 100.0))
    elif kind == "boolean":
        yield from (("as number", 1), ("as text", "true"))
    elif kind == "string":
        yield from (("as number", 5), ("empty", ""))
        if "maxLength" in schema:
            yield "too long", "a" * (schema["maxLength"] + 1)
            yield "max length of astral chars", "😀" * schema["maxLength"]
        for bad in BAD_FORMATS.get(schema.get("format", ""), []):
            yield f"bad {schema['format']} {bad!r}", bad
        if schema.get("format") == "uuid":
            yield "uuid upper case", GOOD_FORMATS["uuid"].upper()
    elif "enum" in schema:
        yield from (("unknown enum value", "not-a-value"), ("enum value as number", 1))
    elif kind == "array":
        yield from (("not a list", "x"), ("empty list", []))
    elif kind == "object":
        yield from (("not an object", [1]), ("empty object", {}))


# --- vectors ---------------------------------------------------------------------------


def answer(pkg: ModuleType, run: Any) -> dict[str, Any]:
    """What a package answers: ``ok`` and the exact text ``encode`` writes, or the errors."""
    try:
        written = pkg.encode(run())
    except pkg.DecodeError as exc:
        return {"ok": False, "errors": exc.errors}
    except ValueError:  # a shim asked for a version it cannot reach
        return {"ok": False}
    return {"ok": True, "encoded": written.decode("utf-8")}


def vector(pkg: ModuleType, name: str, text: str, **extra: Any) -> dict[str, Any]:
    if "op" in extra:

        def run() -> Any:
            msg = pkg.decode(text)
            return (
                pkg.upgrade(msg, extra["to"])
                if extra["op"] == "upgrade"
                else pkg.downgrade(msg, extra["to"])
            )
    else:

        def run() -> Any:
            return pkg.decode(text)

    return {"name": name, **extra, "text": text, **answer(pkg, run)}


def envelope(name: str, version: int, data: Any, ident: str = "m-1", **extra: Any) -> Any:
    return {"type": name, "v": version, "id": ident, "data": data, **extra}


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def decode_vectors(pkg: ModuleType, root: Path, envelopes: bool = False) -> list[dict[str, Any]]:
    """Every message version of the registry at ``root``; ``envelopes``: the frame cases too
    (they are written on ``wiretype.ping``)."""
    vectors = []
    for name, number, doc, examples in registry_documents(root):
        defs = doc.get("$defs", {})
        where = f"{name} v{number}"
        for i, example in enumerate(examples):
            vectors.append(
                vector(pkg, f"{where} example {i}", _text(envelope(name, number, example)))
            )
        minimal, full = instance(doc, defs, False), instance(doc, defs, True)
        vectors.append(vector(pkg, f"{where} minimal", _text(envelope(name, number, minimal))))
        vectors.append(vector(pkg, f"{where} full", _text(envelope(name, number, full))))
        for label, data in mutations(doc, defs, full):
            vectors.append(vector(pkg, f"{where} {label}", _text(envelope(name, number, data))))
    return vectors + (_envelope_vectors(pkg) if envelopes else [])


def _envelope_vectors(pkg: ModuleType) -> list[dict[str, Any]]:
    data = {"nonce": 3}
    cases = {
        "extra envelope keys kept": envelope(
            "wiretype.ping",
            1,
            data,
            ack=True,
            ts=1700000000000,
            ttl=500,
            prio=0,
            re="m-0",
            seq=4,
            epoch=2,
            custom={"a": [1]},
        ),
        "unknown type": envelope("chat.nope", 1, data),
        "version not live": envelope("wiretype.ping", 2, data),
        "version as text": envelope("wiretype.ping", "1", data),
        "version 1.0": envelope("wiretype.ping", 1.0, data),
        "empty id": envelope("wiretype.ping", 1, data, ident=""),
        "id not text": envelope("wiretype.ping", 1, data, ident=7),
        "data not an object": envelope("wiretype.ping", 1, [3]),
        "data null": envelope("wiretype.ping", 1, None),
        "missing type": {"v": 1, "id": "m", "data": data},
        "missing id": {"type": "wiretype.ping", "v": 1, "data": data},
        "missing data": {"type": "wiretype.ping", "v": 1, "id": "m"},
        "not an object": [1, 2],
        "type not text": envelope(3, 1, data),
        "data first": {
            "data": {"type": "x", "nonce": 1},
            "id": "m",
            "v": 1,
            "type": "wiretype.ping",
        },
        "every frame key wrong": {"type": "chat.nope", "v": "1", "id": "", "data": []},
    }
    return [vector(pkg, f"envelope: {label}", _text(raw)) for label, raw in cases.items()]


def shim_vectors(
    pkg: ModuleType, decoded: list[dict[str, Any]], root: Path
) -> list[dict[str, Any]]:
    live: dict[str, list[int]] = {}
    for name, number, _, _ in registry_documents(root):
        live.setdefault(name, []).append(number)
    vectors = []
    for found in decoded:
        raw = json.loads(found["text"])
        if not found["ok"] or len(live.get(raw["type"], [])) < 2:
            continue
        versions, text, base = live[raw["type"]], found["text"], found["name"]
        vectors.append(vector(pkg, f"{base}: upgrade to latest", text, op="upgrade", to=None))
        for to in versions:
            op = "upgrade" if to >= raw["v"] else "downgrade"
            vectors.append(vector(pkg, f"{base}: {op} to {to}", text, op=op, to=to))
        wrong = "downgrade" if raw["v"] < versions[-1] else "upgrade"
        wrong_to = versions[-1] if wrong == "downgrade" else versions[0]
        if wrong_to != raw["v"]:
            vectors.append(
                vector(pkg, f"{base}: {wrong} the wrong way", text, op=wrong, to=wrong_to)
            )
        vectors.append(
            vector(pkg, f"{base}: upgrade to a version that is not live", text, op="upgrade", to=99)
        )
    return vectors


# --- the parity registry: cases written out as text ------------------------------------

U = "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11"
NUMBERS = '"count":1,"ratio":0.5,"price":0.29'
# (label, field, value as JSON text): each replaces or adds one field of NUMBERS.
NUMBER_CASES: list[tuple[str, str, str]] = [
    *[
        (f"int {text}", "count", text)
        for text in (
            "1.0",
            "1e20",
            "9.3e18",
            "-0",
            "-0.0",
            "1e300",
            "9007199254740992",
            "-9007199254740992",
            "9007199254740993",
            "-9007199254740993",
            "1152921504606846976",
            "1152921504606847000",
            "123456789012345678901234567890",
            "1e400",
            "1.5",
            '"1"',
            "true",
            "null",
        )
    ],
    *[
        (f"float {text}", "ratio", text)
        for text in (
            "1.0",
            "-0.0",
            "12",
            "1e20",
            "1e21",
            "1e16",
            "1e15",
            "1e-7",
            "1.5e-7",
            "0.000001",
            "0.0000015",
            "1.234e-6",
            "0.00001",
            "2.5e-5",
            "5e-324",
            "1.7976931348623157e308",
            "0.30000000000000004",
            "4503599627370495.5",
            "9007199254740993",
            "1e400",
            '"0.5"',
        )
    ],
    *[
        (f"multipleOf 0.01: {text}", "price", text)
        for text in ("0.57", "0.291", "1e300", "0.1", "-0.07", "0.005", "1.15", "0", "3", "1e-2")
    ],
    *[
        (f"multipleOf 0.1: {text}", "tenths", text)
        for text in ("0.3", "0.7", "0.30000000000000004", "0.35")
    ],
    *[
        (f"multipleOf 1e-7: {text}", "micro", text)
        for text in ("3e-7", "0.0000003", "0.0075", "1e-8", "1.00000001")
    ],
    *[
        (f"multipleOf 1000 on int: {text}", "thousands", text)
        for text in ("2000", "2500", "1e21", "1152921504606846976", "2e3")
    ],
    *[(f"multipleOf 0.5 on int: {text}", "halves", text) for text in ("3", "3.5")],
    *[
        (f"int between 1.5 and 10 (exclusive): {text}", "bounded", text)
        for text in ("1", "2", "9", "10", "9.0")
    ],
    *[(f"float in (0, 100]: {text}", "score", text) for text in ("0", "100", "100.5", "1e-300")],
    *[(f"enum of numbers: {text}", "level", text) for text in ("0.5", "1.0", '"x"', "2")],
    ("map keys that are array indexes", "counts", '{"10":1,"9":2,"b":3,"a":4,"0":5}'),
    ("map value 1.0", "counts", '{"x":1.0}'),
    ("map value beyond 2^53", "counts", '{"x":9007199254740993}'),
    ("list of floats", "ratios", "[1.0,-0.0,1e21,0.000001,1e-7]"),
    (
        "any: numbers and key order",
        "anything",
        '{"z":1.0,"10":[1e20,-0.0,0.000001],"a":{"2":null,"1":"s"},"":[]}',
    ),
    ("any: an integer beyond 2^53", "anything", '[1,{"deep":9007199254740993}]'),
    ("any: NaN", "anything", "NaN"),
    ("any: a number beyond the largest double", "anything", '[1,{"k":1e400}]'),
    (
        "a duplicate key overrides an integer beyond 2^53",
        "counts",
        '{"0":9007199254740993,"a":1,"0":2}',
    ),
    ("unknown field beyond 2^53", "junk", "9007199254740993"),
]
PET_CASES: list[tuple[str, str]] = [
    ("cat", '"pet":{"kind":"cat","lives":3}'),
    ("dog, unknown field dropped", '"pet":{"kind":"dog","good":false,"name":"Rex","x":1}'),
    ("cat lives below minimum", '"pet":{"kind":"cat","lives":-1}'),
    ("cat lives above maximum", '"pet":{"kind":"cat","lives":10}'),
    ("cat lives not an integer", '"pet":{"kind":"cat","lives":"many"}'),
    ("dog without good", '"pet":{"kind":"dog","name":"Rex"}'),
    ("dog with an empty name and good as text", '"pet":{"kind":"dog","good":"yes","name":""}'),
    ("unknown kind", '"pet":{"kind":"cow","lives":1}'),
    ("kind as a number", '"pet":{"kind":5}'),
    ("no kind", '"pet":{"lives":1}'),
    ("pet not an object", '"pet":[1]'),
    ("pet null", '"pet":null'),
    (
        "a list of cats, the second wrong",
        '"pet":{"kind":"cat","lives":1},"second":[{"kind":"cat","lives":1},'
        '{"kind":"cat","lives":"x"}]',
    ),
    ("optional one_of null", '"pet":{"kind":"cat","lives":1},"maybe":null'),
    ("optional one_of wrong", '"pet":{"kind":"cat","lives":1},"maybe":{"kind":"dog"}'),
    (
        "one_of without discriminator",
        '"pet":{"kind":"cat","lives":1},"either":{"kind":"dog","good":true,"name":"Rex"}',
    ),
    (
        "one_of without discriminator, no branch",
        '"pet":{"kind":"cat","lives":1},"either":{"kind":"dog"}',
    ),
]
STRING_CASES: list[tuple[str, str, str]] = [
    *[
        (f"uuid {text}", "id", text)
        for text in (
            f'"{U.upper()}"',
            '"7d0c4e552f1a4b8e9a510c7a2e6f1b11"',
            f'"{{{U}}}"',
            f'"urn:uuid:{U}"',
            '"7d0c4e552-f1a-4b8e-9a51-0c7a2e6f1b11"',
            '"7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b1g"',
            f'"{U}\\n"',
            f'" {U}"',
            '""',
            "5",
        )
    ],
    ("list of uuids, the second wrong", "ids", f'["{U}","nope"]'),
    *[
        (f"date-time {text}", "when", text)
        for text in (
            '"2024-02-29t09:30:00.5+02:00"',
            '"2026-02-29T10:00:00Z"',
            '"2026-03-01 09:30:00Z"',
            '"2026-03-01T09:30:00"',
        )
    ],
    *[(f"date {text}", "day", text) for text in ('"2024-02-29"', '"2023-02-29"')],
    *[(f"time {text}", "at", text) for text in ('"23:59:60Z"', '"24:00:00Z"')],
    *[(f"email {text}", "mail", text) for text in ('"ada@example.org"', '"ada at example.org"')],
    *[(f"uri {text}", "link", text) for text in ('"https://example.org/a?b#c"', '"no scheme"')],
    *[(f"pattern {text}", "code", text) for text in ('"ABC"', '"abc"', '"ABCD"')],
    *[
        (f"lengths {text}", "name", text)
        for text in ('""', '"éééééé"', '"😀😀😀😀😀"', '"😀😀😀😀😀😀"', "5")
    ],
    *[(f"unique list {text}", "tags", text) for text in ('["a","a"]', '["a","b","c","d"]')],
    (
        "text with every escape",
        "text",
        r'"\u0000\u001f\u007f\b\f\n\r\t\"\\\/ \u2028\u2029 é\u00e9 😀\ud83d\ude00"',
    ),
    ("text with a lone surrogate", "text", r'"a\ud800b\udfff"'),
    ("lengths with a lone surrogate", "name", r'"T\ud800aTZ"'),
    ("lengths with a lone surrogate, too long", "name", r'"T\ud800aTZZ"'),
    ("pattern with a lone surrogate", "code", r'"A\ud800C"'),
    ("uuid with a lone surrogate", "ids", r'["7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b1\ud800"]'),
    ("a field named 0, which ECMAScript puts first", "0", '"zero"'),
]
RAW_CASES: list[tuple[str, str]] = [
    ("valid, unknown fields kept", '"cents":0.29,"n":2,"word":"abc","x":[1.0,-0.0]'),
    ("cents not a multiple of 0.01", '"cents":0.291'),
    ("n below minimum", '"cents":1,"n":0'),
    ("n not an integer", '"cents":1,"n":1.5'),
    ("n 1e20", '"cents":1,"n":1e20'),
    ("word too long", '"cents":1,"word":"abcd"'),
    ("cents missing", '"n":1'),
    ("cents as text", '"cents":"1"'),
    ("an integer beyond 2^53", '"cents":1,"x":{"y":9007199254740993}'),
    ("a uuid", f'"cents":1,"ref":"{U}"'),
    ("a uuid and a newline", f'"cents":1,"ref":"{U}\\n"'),
    ("a lone surrogate in a field the schema does not name", r'"cents":1,"x":"a\ud800"'),
    ("cents beyond the largest double", '"cents":-1e400'),
    ("n of the wrong type, below the minimum too", '"cents":1,"n":-0.5'),
]
ENVELOPE_CASES: list[tuple[str, str]] = [
    (
        "extra keys: numbers as doubles, an index key first",
        '{"type":"edge.numbers","v":1,"id":"m","data":{' + NUMBERS + '},"ttl":1.0,"ts":1e12,'
        '"0":true,"meta":{"10":-0.0,"b":1e21}}',
    ),
    (
        "extra key beyond 2^53",
        '{"type":"edge.numbers","v":1,"id":"m","data":{' + NUMBERS + '},"big":9007199254740993}',
    ),
    (
        "extra key beyond the largest double",
        '{"type":"edge.numbers","v":1,"id":"m","data":{' + NUMBERS + '},"ts":-1e400}',
    ),
    (
        "version 1.0 and whitespace",
        '{ "type" : "edge.numbers" , "v" : 1.0 , "id" : "m" , "data" : { ' + NUMBERS + " } }",
    ),
    ("version beyond 2^53", '{"type":"edge.numbers","v":9007199254740993,"id":"m","data":{}}'),
    ("not JSON", '{"type":"edge.numbers",'),
    (
        "NaN in the data",
        '{"type":"edge.numbers","v":1,"id":"m","data":{"count":NaN,"ratio":0.5,"price":0.29}}',
    ),
    ("not an object", "[1]"),
    ("every frame key wrong", '{"type":"edge.nope","v":"1","id":"","data":[]}'),
]


# (label, body of edge.converted, its version): each is upgraded and downgraded; the
# numbers beyond 2^53 are written as the double carries them, in both languages.
CONVERTED_CASES: list[tuple[str, str, int]] = [
    ("small values", '"big":12,"text":"-7","ratio":0.5', 1),
    ("an integer beyond 2^53", '"big":1152921504606846976,"text":"0","ratio":1e21', 1),
    ("a double's own text", '"big":1152921504606847000,"text":"007","ratio":1e-7', 1),
    ("text no double carries", '"big":1,"text":"9007199254740993","ratio":2.0', 1),
    ("text of 2^60", '"big":"1152921504606846976","text":9007199254740992,"ratio":"0.1"', 2),
    ("text beyond 2^53, odd", '"big":"9007199254740993","text":1,"ratio":"1e+21"', 2),
]


def _frame(name: str, body: str, version: int = 1) -> str:
    return f'{{"type":"{name}","v":{version},"id":"m-1","data":{{{body}}}}}'


def parity_vectors() -> dict[str, list[dict[str, Any]]]:
    pkg = parity_package()
    decoded = [vector(pkg, "numbers: as written", _frame("edge.numbers", NUMBERS))]
    for label, key, text in NUMBER_CASES:
        body = (
            NUMBERS.replace(f'"{key}":', f'"{key}":{text},"was_{key}":')
            if f'"{key}":' in NUMBERS
            else f'{NUMBERS},"{key}":{text}'
        )
        decoded.append(vector(pkg, f"numbers: {label}", _frame("edge.numbers", body)))
    decoded += [
        vector(pkg, f"pets: {label}", _frame("edge.pets", body)) for label, body in PET_CASES
    ]
    for label, key, text in STRING_CASES:
        body = f'"id":{text}' if key == "id" else f'"id":"{U}","{key}":{text}'
        decoded.append(vector(pkg, f"strings: {label}", _frame("edge.strings", body)))
    decoded += [vector(pkg, f"raw: {label}", _frame("edge.raw", body)) for label, body in RAW_CASES]
    decoded += [vector(pkg, f"envelope: {label}", text) for label, text in ENVELOPE_CASES]
    big = _frame(
        "edge.numbers",
        '"count":1152921504606846976,"ratio":1e-7,"price":0.57,'
        '"anything":{"10":1.0,"a":9007199254740992}',
    )
    converted = [
        vector(pkg, f"converted: {label}", _frame("edge.converted", body, v))
        for label, body, v in CONVERTED_CASES
    ]
    decoded += converted
    shims = shim_vectors(
        pkg, [vector(pkg, "numbers: big values", big), *decoded[:12], *converted], PARITY
    )
    return {"decode": decoded, "shims": shims}


# --- numbers: ECMAScript's text and exact multiples, double by double -------------------

SPECIAL = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.1,
    0.2,
    0.3,
    0.1 + 0.2,
    0.29,
    0.57,
    1.15,
    100.0,
    1e-7,
    1e-6,
    1e-5,
    9.999999e-7,
    1.5e-7,
    1.234e-6,
    123e-20,
    1e15,
    1e16,
    1e20,
    1e21,
    1e22,
    1e23,
    1.5e21,
    2.0**53,
    2.0**53 + 2,
    2.0**60,
    2.0**63,
    2.0**64,
    5e-324,
    2.2250738585072014e-308,
    1.7976931348623157e308,
    4503599627370495.5,
    0.000001234567,
    123456789.125,
]
STEPS = [0.01, 0.1, 0.5, 1e-7, 0.0001, 0.02, 0.25, 3, 1000, 1e-8, 0.123456789, 1e21]


def _doubles(rng: random.Random) -> list[float]:
    bits = [struct.unpack(">d", rng.getrandbits(64).to_bytes(8, "big"))[0] for _ in range(300)]
    scaled = [rng.choice((-1, 1)) * 10 ** rng.uniform(-25, 25) for _ in range(300)]
    decimals = [round(rng.uniform(-1000, 1000), rng.randint(0, 8)) for _ in range(200)]
    integers = [float(rng.randint(-(2**64), 2**64)) for _ in range(100)]
    return [x for x in SPECIAL + bits + scaled + decimals + integers if math.isfinite(x)]


def _bits(x: float) -> str:
    return struct.pack(">d", x).hex()


def number_vectors() -> dict[str, list[dict[str, Any]]]:
    """The generated runtime's number text (ECMAScript's) and exact multipleOf, which the
    TypeScript runtime must match double for double."""
    rt = importlib.import_module("parity_protocol._numbers") if parity_package() else None
    assert rt is not None
    rng = random.Random(20240601)
    doubles = _doubles(rng)
    text = [{"double": _bits(x), "text": rt.es_number(x)} for x in doubles]
    pairs = [(x, step) for step in STEPS for x in SPECIAL] + [
        (
            rng.choice(doubles[:400])
            if rng.random() < 0.3
            else step * rng.randint(-(10**6), 10**6) + (rng.choice((0, 0, 0.5, 1e-9)) * step),
            step,
        )
        for step in STEPS
        for _ in range(25)
    ]
    multiple = []
    for x, step in pairs:
        if math.isfinite(x):
            mantissa, exponent = rt.decimal_parts(step)
            multiple.append(
                {
                    "double": _bits(x),
                    "step": [str(mantissa), exponent],
                    "multiple": rt.is_multiple(x, (mantissa, exponent)),
                }
            )
    return {"text": text, "multiple": multiple}


# --- decode_data / decodeData and convert: the API the runtimes use ------------------------

SENT_V1 = {
    "id": U,
    "room": "lobby",
    "text": "hi",
    "sent_at": "2026-03-01T09:30:00Z",
    "author": {"id": U, "name": "Ada"},
    "reply_to": None,
    "priority": "high",
}
SENT_V3 = {
    **{k: v for k, v in SENT_V1.items() if k not in ("text", "priority")},
    "body": "hi",
    "priority": "alert",
}
# (label, op, message, versions: [v] for decode_data, [from, to] for convert, data)
API_CASES: list[tuple[str, str, str, list[int], Any]] = [
    (
        "valid, defaults filled, unknown dropped",
        "decode_data",
        "chat.message_sent",
        [1],
        {**SENT_V1, "junk": 1},
    ),
    (
        "errors point into the data",
        "decode_data",
        "chat.message_sent",
        [1],
        {**SENT_V1, "room": "", "author": {"id": "x"}},
    ),
    ("data that is not an object", "decode_data", "chat.message_sent", [2], []),
    ("a version that is not live", "decode_data", "chat.message_sent", [9], SENT_V1),
    ("a message that is not there", "decode_data", "chat.nothing", [1], SENT_V1),
    ("up two hops", "convert", "chat.message_sent", [1, 3], SENT_V1),
    ("down two hops", "convert", "chat.message_sent", [3, 1], SENT_V3),
    (
        "to the same version, re-validated",
        "convert",
        "chat.message_sent",
        [3, 3],
        {**SENT_V3, "junk": 1},
    ),
    ("invalid where it starts", "convert", "chat.message_sent", [1, 3], {**SENT_V1, "room": 5}),
    (
        "a hop the target refuses",
        "convert",
        "chat.message_sent",
        [2, 1],
        {**SENT_V3, "body": "x" * 3000, "priority": "high"},
    ),
    ("to a version that is not live", "convert", "chat.message_sent", [1, 7], SENT_V1),
]


def api_vectors(pkg: ModuleType) -> list[dict[str, Any]]:
    """decode_data and convert, each answered as the envelope ``{type, v, id: "-", data}``
    that ``encode`` writes around the data they return."""
    vectors = []
    for label, op, name, versions, data in API_CASES:

        def run(
            op: str = op, name: str = name, versions: list[int] = versions, data: Any = data
        ) -> Any:
            model = (
                pkg.decode_data(name, versions[0], data)
                if op == "decode_data"
                else pkg.convert(name, data, versions[0], versions[1])
            )
            return pkg.envelope(model, id="-")

        vectors.append(
            {
                "name": f"{op}: {label}",
                "op": op,
                "type": name,
                "versions": versions,
                "data": data,
                **answer(pkg, run),
            }
        )
    return vectors


def build() -> dict[str, Any]:
    decoded = decode_vectors(package(), CHAT)
    runtime = decode_vectors(runtime_package(), REPO, envelopes=True)
    return {
        "example": {
            "decode": decoded,
            "shims": shim_vectors(package(), decoded, CHAT),
            "api": api_vectors(package()),
        },
        "runtime": {"decode": runtime, "shims": shim_vectors(runtime_package(), runtime, REPO)},
        "parity": parity_vectors(),
        "numbers": number_vectors(),
    }


def render(vectors: dict[str, Any]) -> str:
    return json.dumps(vectors, indent=1, ensure_ascii=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the file is stale")
    args = parser.parse_args()
    text = render(build())
    if args.check:
        stale = not VECTORS.is_file() or VECTORS.read_text(encoding="utf-8") != text
        print("vectors.json is stale" if stale else "vectors.json is up to date")
        return 1 if stale else 0
    VECTORS.write_text(text, encoding="utf-8")
    print(f"wrote {VECTORS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
