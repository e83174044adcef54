"""Constraints of a field (``min_length``, ``pattern``, ``multiple_of``, ...): the snake_case
names of JSON Schema keywords, each checked against the field's type and for a value that
keyword can take. ``pattern`` must be an ECMA-262 regular expression, as JSON Schema says.
"""

from __future__ import annotations

from typing import Any

from registry.compile.context import FileContext
from registry.compile.model import InlineObject, ListOf, MapOf, Nullable, Primitive, TypeExpr
from registry.json.validation import ecma_regex
from registry.load.source import NodePath

# snake_case constraint -> (JSON Schema keyword, the JSON types it applies to)
CONSTRAINTS: dict[str, tuple[str, frozenset[str]]] = {
    "min_length": ("minLength", frozenset({"string"})),
    "max_length": ("maxLength", frozenset({"string"})),
    "pattern": ("pattern", frozenset({"string"})),
    "format": ("format", frozenset({"string"})),
    "minimum": ("minimum", frozenset({"number"})),
    "maximum": ("maximum", frozenset({"number"})),
    "exclusive_minimum": ("exclusiveMinimum", frozenset({"number"})),
    "exclusive_maximum": ("exclusiveMaximum", frozenset({"number"})),
    "multiple_of": ("multipleOf", frozenset({"number"})),
    "min_items": ("minItems", frozenset({"array"})),
    "max_items": ("maxItems", frozenset({"array"})),
    "unique_items": ("uniqueItems", frozenset({"array"})),
    "min_properties": ("minProperties", frozenset({"object"})),
    "max_properties": ("maxProperties", frozenset({"object"})),
}
_JSON_KIND = {
    "string": "string",
    "uuid": "string",
    "datetime": "string",
    "date": "string",
    "time": "string",
    "uri": "string",
    "email": "string",
    "int": "number",
    "float": "number",
    "bool": "boolean",
}


def parse_constraints(
    ctx: FileContext, spec: dict[str, Any], texpr: TypeExpr, path: NodePath
) -> tuple[tuple[str, Any], ...]:
    if spec.keys().isdisjoint(CONSTRAINTS):
        return ()  # most fields: a type, maybe a default, no constraint
    kinds = _json_kinds(texpr)
    found = []
    for key, (keyword, applies) in CONSTRAINTS.items():
        if key not in spec:
            continue
        value = spec[key]
        if kinds is not None and not kinds & applies:
            ctx.error(
                (*path, key),
                "CONSTRAINT_NOT_APPLICABLE",
                f"`{key}` does not apply to a field of this type",
                f"`{key}` applies to {'/'.join(sorted(applies))} fields",
            )
        elif _constraint_ok(ctx, key, value, (*path, key)):
            found.append((keyword, value))
    return tuple(sorted(found))


def _json_kinds(texpr: TypeExpr) -> frozenset[str] | None:
    """The JSON types a field can hold, when that is known without resolving references."""
    if isinstance(texpr, Nullable):
        return _json_kinds(texpr.inner)
    if isinstance(texpr, Primitive):
        return frozenset({_JSON_KIND[texpr.name]}) if texpr.name in _JSON_KIND else None
    if isinstance(texpr, ListOf):
        return frozenset({"array"})
    if isinstance(texpr, (MapOf, InlineObject)):
        return frozenset({"object"})
    return None


def _constraint_ok(ctx: FileContext, key: str, value: Any, path: NodePath) -> bool:
    if key == "pattern":
        return _pattern_ok(ctx, value, path)
    if key == "format":
        ok = isinstance(value, str)
    elif key == "unique_items":
        ok = isinstance(value, bool)
    elif key in ("minimum", "maximum", "exclusive_minimum", "exclusive_maximum"):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif key == "multiple_of":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
    else:
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    if not ok:
        ctx.error(
            path,
            "CONSTRAINT_INVALID",
            f"`{key}` has an invalid value {value!r}",
            _CONSTRAINT_HINTS.get(key, "use a whole number of 0 or more"),
        )
    return ok


_CONSTRAINT_HINTS = {
    "format": "use a format name such as email, uri, uuid, date-time",
    "unique_items": "use true or false",
    "multiple_of": "use a number greater than 0",
    "minimum": "use a number",
    "maximum": "use a number",
    "exclusive_minimum": "use a number",
    "exclusive_maximum": "use a number",
}


def _pattern_ok(ctx: FileContext, value: Any, path: NodePath) -> bool:
    if not isinstance(value, str):
        ctx.error(path, "PATTERN_INVALID", "`pattern` must be text (a regular expression)")
        return False
    try:
        ecma_regex(value)
    except ValueError as err:
        ctx.error(
            path,
            "PATTERN_INVALID",
            f"`pattern` is not a valid ECMA-262 regular expression: {err}",
            "write an ECMA-262 regular expression, quoted in YAML",
        )
        return False
    return True
