"""Write tests/parity/vectors.json: inputs and the generated Python package's answers.

Vectors come from every version's ``examples:``, from instances built from each
version's JSON Schema, and from mutations of those (wrong types, ``"1"`` and
``1.5`` for integers, bad formats, missing required fields, strings too long,
unknown enum values, nulls, extra fields), plus envelope mistakes and shim runs.
Everything is deterministic: the same registry writes the same file.

    python tests/parity/make_vectors.py [--check]
"""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[2]
VECTORS = Path(__file__).with_name("vectors.json")
GENERATED = REPO / "generated" / "python"

# Sample values that satisfy each format (and a few that do not).
GOOD_FORMATS = {"uuid": "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11", "date": "2024-02-29",
                "date-time": "2026-03-01T09:30:00.25+02:00", "time": "23:59:60Z",
                "email": "ada@example.org", "uri": "https://example.org/a?b=c#d"}
BAD_FORMATS = {"uuid": ["7d0c4e552f1a4b8e9a510c7a2e6f1b11",
                        "{7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11}"],
               "date": ["2023-02-29", "2026-3-1"],
               "date-time": ["2026-03-01 09:30", "2026-02-30T09:30:00Z"],
               "time": ["24:00:00Z", "09:30:00"], "email": ["ada at example.org", "@example.org"],
               "uri": ["no scheme", "https://exa mple.org"]}


def package() -> ModuleType:
    sys.path.insert(0, str(GENERATED))
    return importlib.import_module("wiretype_protocol")


def registry_documents() -> list[tuple[str, int, Any, tuple[Any, ...]]]:
    """(message name, version, open JSON Schema, examples) for every message version."""
    from registry.config import load_config
    from registry.jsonschema import version_document
    from registry.project import load

    loaded = load(load_config(REPO))
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


def mutations(schema: dict[str, Any], defs: dict[str, Any],
              data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
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
        yield from (("as text", "1"), ("1.5", 1.5), ("1.0 (valid)", 1.0), ("true", True),
                    ("big", 123456789012345678901234567890), ("-0", -1 * 0))
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


def _answer(run: Any) -> tuple[bool, Any]:
    pkg = package()
    try:
        return True, json.loads(pkg.encode(run()))
    except (pkg.DecodeError, ValueError):
        return False, None


def _vector(name: str, raw: Any, **extra: Any) -> dict[str, Any]:
    pkg = package()
    if "op" in extra:
        def run() -> Any:
            msg = pkg.decode(json.dumps(raw, ensure_ascii=False))
            return pkg.upgrade(msg, extra["to"]) if extra["op"] == "upgrade" else \
                pkg.downgrade(msg, extra["to"])
    else:
        def run() -> Any:
            return pkg.decode(json.dumps(raw, ensure_ascii=False))
    ok, output = _answer(run)
    vector = {"name": name, **extra, "raw": raw, "ok": ok}
    if ok:
        vector["output"] = output
    return vector


def envelope(name: str, version: int, data: Any, ident: str = "m-1", **extra: Any) -> Any:
    return {"type": name, "v": version, "id": ident, "data": data, **extra}


def decode_vectors() -> list[dict[str, Any]]:
    vectors = []
    for name, number, doc, examples in registry_documents():
        defs = doc.get("$defs", {})
        where = f"{name} v{number}"
        for i, example in enumerate(examples):
            vectors.append(_vector(f"{where} example {i}", envelope(name, number, example)))
        minimal, full = instance(doc, defs, False), instance(doc, defs, True)
        vectors.append(_vector(f"{where} minimal", envelope(name, number, minimal)))
        vectors.append(_vector(f"{where} full", envelope(name, number, full)))
        for label, data in mutations(doc, defs, full):
            vectors.append(_vector(f"{where} {label}", envelope(name, number, data)))
    return vectors + _envelope_vectors()


def _envelope_vectors() -> list[dict[str, Any]]:
    data = {"nonce": 3}
    cases = {
        "extra envelope keys kept": envelope("wiretype.ping", 1, data, ack=True, ts=1700000000000,
                                             ttl=500, prio=0, re="m-0", seq=4, epoch=2,
                                             custom={"a": [1]}),
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
        "data first": {"data": {"type": "x", "nonce": 1}, "id": "m", "v": 1,
                       "type": "wiretype.ping"},
    }
    return [_vector(f"envelope: {label}", raw) for label, raw in cases.items()]


def shim_vectors(decoded: list[dict[str, Any]]) -> list[dict[str, Any]]:
    live: dict[str, list[int]] = {}
    for name, number, _, _ in registry_documents():
        live.setdefault(name, []).append(number)
    vectors = []
    for vector in decoded:
        raw = vector["raw"]
        if not vector["ok"] or len(live.get(raw["type"], [])) < 2:
            continue
        versions = live[raw["type"]]
        base = vector["name"]
        vectors.append(_vector(f"{base}: upgrade to latest", raw, op="upgrade", to=None))
        for to in versions:
            op = "upgrade" if to >= raw["v"] else "downgrade"
            vectors.append(_vector(f"{base}: {op} to {to}", raw, op=op, to=to))
        wrong = "downgrade" if raw["v"] < versions[-1] else "upgrade"
        wrong_to = versions[-1] if wrong == "downgrade" else versions[0]
        if wrong_to != raw["v"]:
            vectors.append(_vector(f"{base}: {wrong} the wrong way", raw, op=wrong, to=wrong_to))
        vectors.append(_vector(f"{base}: upgrade to a version that is not live", raw,
                               op="upgrade", to=99))
    return vectors


def build() -> dict[str, Any]:
    decoded = decode_vectors()
    return {"decode": decoded, "shims": shim_vectors(decoded)}


def render(vectors: dict[str, Any]) -> str:
    return json.dumps(copy.deepcopy(vectors), indent=1, ensure_ascii=False) + "\n"


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
