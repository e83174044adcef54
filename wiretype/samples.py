"""Sample data for a message version, made from its JSON Schema (for ``wiretype loadtest``).

``sample(schema, n)`` builds the ``n``-th value that the schema (as ``wiretype export
jsonschema`` writes it: 2020-12, ``$defs`` and ``$ref``) accepts: every property, strings
as long as their bounds ask, formats spelled as the validators want, numbers inside their
bounds, the first enum value and option, then varies ids and enum values with ``n``.
What it cannot make (a ``pattern``, say) the caller finds out by validating the result
with the generated package, and falls back on the version's ``examples``.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["SampleError", "sample"]


class SampleError(ValueError):
    """A schema this module cannot make values for."""


Schema = Mapping[str, Any]
_FORMATS: dict[str, Callable[[int], str]] = {
    "uuid": lambda n: str(uuid.UUID(int=(n * 0x9E3779B97F4A7C15 + 1) % (1 << 128))),
    "date-time": lambda n: f"2026-03-01T09:{n // 60 % 60:02d}:{n % 60:02d}Z",
    "date": lambda n: f"2026-03-{n % 28 + 1:02d}",
    "time": lambda n: f"09:{n // 60 % 60:02d}:{n % 60:02d}Z",
    "email": lambda n: f"user{n}@example.com",
    "uri": lambda n: f"https://example.com/items/{n}",
}


def sample(schema: Schema, n: int = 0, root: Schema | None = None) -> Any:
    """A value ``schema`` accepts (the ``n``-th of a deterministic series)."""
    root = schema if root is None else root
    if "$ref" in schema:
        return sample(_resolve(root, str(schema["$ref"])), n, root)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        values = list(schema["enum"])
        return values[n % len(values)]
    for key in ("oneOf", "anyOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"] or schema[key]
            return sample({**_without(schema, key), **options[0]}, n, root)
    if "allOf" in schema:
        merged: dict[str, Any] = dict(_without(schema, "allOf"))
        for part in schema["allOf"]:
            merged.update(part)
        return sample(merged, n, root)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    make = _KINDS.get(kind) if isinstance(kind, str) else _untyped(schema)
    if make is None:
        raise SampleError(f"cannot make a value of type {kind!r}")
    return make(schema, n, root)


def _untyped(schema: Schema) -> Callable[[Schema, int, Schema], Any] | None:
    if "properties" in schema or "additionalProperties" in schema:
        return _object
    if "items" in schema:
        return _array
    return lambda s, n, r: None if s.get("type") == "null" else {}


def _without(schema: Schema, key: str) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k != key}


def _resolve(root: Schema, ref: str) -> Schema:
    if not ref.startswith("#/"):
        raise SampleError(f"cannot follow $ref {ref!r}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node  # type: ignore[no-any-return]


def _object(schema: Schema, n: int, root: Schema) -> dict[str, Any]:
    out = {name: sample(prop, n, root) for name, prop in schema.get("properties", {}).items()}
    extra = schema.get("additionalProperties")
    if not out and isinstance(extra, Mapping) and schema.get("minProperties", 0) > 0:
        out["k"] = sample(extra, n, root)
    return out


def _array(schema: Schema, n: int, root: Schema) -> list[Any]:
    items = schema.get("items", {})
    count = max(int(schema.get("minItems", 0)), 1)
    count = min(count, int(schema.get("maxItems", count)))
    values = [sample(items, n + i, root) for i in range(count)]
    if schema.get("uniqueItems") and len({repr(v) for v in values}) < len(values):
        values = values[:1]
    return values


def _string(schema: Schema, n: int, root: Schema) -> str:
    if "pattern" in schema:
        raise SampleError("cannot make a string for a pattern")
    fmt = schema.get("format")
    if fmt in _FORMATS:
        return _FORMATS[str(fmt)](n)
    low = int(schema.get("minLength", 0))
    high = int(schema.get("maxLength", max(low, 24)))
    text = f"load test message {n} "
    size = max(low, min(high, len(text)))
    return (text * (size // len(text) + 1))[:size]


def _number(schema: Schema, n: int, root: Schema) -> float:
    low = _bound(schema, "minimum", "exclusiveMinimum", 1)
    high = _bound(schema, "maximum", "exclusiveMaximum", -1)
    value = float(n % 100)
    if low is not None:
        value = max(value, low)
    if high is not None:
        value = min(value, high)
    step = schema.get("multipleOf")
    if step:
        value = math.ceil(value / step) * step
    return value


def _integer(schema: Schema, n: int, root: Schema) -> int:
    low = _bound(schema, "minimum", "exclusiveMinimum", 1)
    high = _bound(schema, "maximum", "exclusiveMaximum", -1)
    value = n % 100
    if low is not None:
        value = max(value, math.ceil(low))
    if high is not None:
        value = min(value, math.floor(high))
    step = schema.get("multipleOf")
    if step:
        value = math.ceil(value / step) * int(step)
    return value


def _bound(schema: Schema, inclusive: str, exclusive: str, direction: int) -> float | None:
    if exclusive in schema:
        return float(schema[exclusive]) + direction
    return float(schema[inclusive]) if inclusive in schema else None


_KINDS: dict[str, Callable[[Schema, int, Schema], Any]] = {
    "object": _object,
    "array": _array,
    "string": _string,
    "number": _number,
    "integer": _integer,
    "boolean": lambda s, n, r: n % 2 == 1,
    "null": lambda s, n, r: None,
}
