"""Declared migration steps applied to a *schema*: what a migrated message can look like.

``check`` proves ``upgrade(closed(v_n)) ⊆ open(v_n+1)``: it needs the set of
messages that the shim can produce from any valid v_n message. Each step maps
the writer's schema to a schema of everything the step can output. Where the
exact image is awkward, the result is a *superset* (e.g. a converted value is
only known to be "a string"): a superset can make the check fail, never pass
wrongly. A step whose effect cannot be described (``custom``, a path through a
value that is not a plain object) makes the hop unprovable, which the caller
reports.

Paths follow the shims exactly (docs/shims.md, ``_migration.py``/``migration.ts``): a
name that the object declares, or one without a dot, is a key of the top
object; otherwise a dotted path walks nested objects. ``rename`` renames
inside the object that holds the field; ``move`` and ``defaults`` create the
missing objects on the way to their target.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from registry.migrate_run import scale
from registry.model import Step


class UnmappableError(Exception):
    """The step's effect on this schema cannot be described (the hop is trusted or unknown)."""

    def __init__(self, step: Step, reason: str) -> None:
        super().__init__(reason)
        self.step, self.reason = step, reason


# Keywords of an object schema that steps keep: the ones they edit, and those that do not
# restrict the object. Any other keyword (allOf, $ref, maxProperties, propertyNames, ...)
# speaks of the object as it was; a step that edits the object drops it, which only widens.
_KEPT = frozenset({
    "type", "properties", "required", "additionalProperties", "$defs", "definitions", "$id",
    "$schema", "$anchor", "$dynamicAnchor", "$comment", "title", "description", "default",
    "examples", "deprecated", "readOnly", "writeOnly",
})


def apply_steps(schema: Any, steps: Sequence[Step]) -> Any:
    """The schema of every output of ``steps`` run on a value of ``schema`` (a new dict)."""
    if not isinstance(schema, dict):
        if steps:
            raise UnmappableError(steps[0], "the schema is not a plain object with properties")
        return copy.deepcopy(schema)
    out = _widened(_followed(schema))
    for step in steps:
        if not isinstance(out.get("properties", {}), dict):
            raise UnmappableError(step, "the schema is not a plain object with properties")
        _STEPS[step.kind](_Walk(out, step), step)
    return out


def _followed(schema: dict[str, Any]) -> dict[str, Any]:
    """A top-level ``$ref`` into the document's own ``$defs``, merged in where it can be."""
    rest = {k: v for k, v in schema.items() if k != "$ref"}
    target = _local(schema, schema.get("$ref"))
    if not isinstance(target, dict) or set(rest) - _TOP_KEYS or set(target) & set(rest):
        return schema
    return {**target, **rest}


_TOP_KEYS = frozenset({"$defs", "$schema", "title", "description", "$comment"})


def _local(root: dict[str, Any], ref: Any) -> Any:
    """The target of a ``#/$defs/NAME`` reference in ``root``, or None."""
    prefix = "#/$defs/"
    if not isinstance(ref, str) or not ref.startswith(prefix):
        return None
    name = ref.removeprefix(prefix).replace("~1", "/").replace("~0", "~")
    defs = root.get("$defs")
    return defs.get(name) if isinstance(defs, dict) else None


def _widened(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of an object schema, without the keywords that steps would make wrong, whose
    top-level properties and required can be edited (sub-schemas are shared: steps replace
    them, never change them in place)."""
    out = {k: v for k, v in schema.items() if k in _KEPT}
    if "patternProperties" in schema:  # additionalProperties did not apply to those names
        out.pop("additionalProperties", None)
    if isinstance(out.get("properties"), dict):
        out["properties"] = dict(out["properties"])
    if isinstance(out.get("required"), list):
        out["required"] = list(out["required"])
    return out


def _props(schema: dict[str, Any]) -> dict[str, Any]:
    return schema.setdefault("properties", {})  # type: ignore[no-any-return]


def _required(schema: dict[str, Any]) -> list[str]:
    return schema.setdefault("required", [])  # type: ignore[no-any-return]


def _closed(schema: dict[str, Any]) -> bool:
    return schema.get("additionalProperties") is False


def _extra(schema: dict[str, Any]) -> Any:
    """The schema of a key the object does not declare, or None when it cannot be there."""
    if _closed(schema):
        return None
    extra = schema.get("additionalProperties", {})
    return {} if extra is True else extra


class _Walk:
    """Finds and edits the objects that a step's paths name, inside the migrated schema."""

    def __init__(self, root: dict[str, Any], step: Step) -> None:
        self.root, self.step = root, step

    def fail(self, reason: str) -> UnmappableError:
        return UnmappableError(self.step, reason)

    def holder(self, path: str) -> tuple[dict[str, Any] | None, str]:
        """The object schema holding ``path`` and the last key (None: it is never there)."""
        if path in _props(self.root) or "." not in path:
            return self.root, path
        *parents, last = path.split(".")
        node = self.root
        for part in parents:
            child = self.child(node, part)
            if child is None:
                return None, last
            node = child
        return node, last

    def child(self, node: dict[str, Any], part: str) -> dict[str, Any] | None:
        """The nested object ``part`` of ``node``, made editable; None when it is never there."""
        props = _props(node)
        if part not in props:
            if _closed(node):
                return None
            raise self.fail(f"cannot follow the path through the undeclared key {part!r}")
        plain = self.plain(props[part])
        if plain is None:
            raise self.fail(f"cannot follow the path through {part!r}: not a plain object")
        props[part] = plain
        return plain

    def plain(self, sub: Any) -> dict[str, Any] | None:
        """An editable copy of ``sub`` when it is an object schema (a local $ref followed)."""
        if isinstance(sub, dict) and set(sub) - _ANNOTATIONS == {"$ref"}:
            sub = _local(self.root, sub["$ref"])
        if not isinstance(sub, dict) or sub.get("type") != "object":
            return None
        if set(sub) - _KEPT or not isinstance(sub.get("properties", {}), dict):
            return None
        return _widened(sub)

    def take(self, path: str) -> tuple[Any, bool] | None:
        """Remove the field at ``path``: its schema and whether it is always there."""
        node, key = self.holder(path)
        if node is None:
            return None
        return _pop(node, key)

    def put(self, path: str, sub: Any, required: bool) -> None:
        """Set the field at ``path`` (dotted: nested), creating objects on the way."""
        if path in _props(self.root) or "." not in path:
            _set(self.root, path, sub, required)
            return
        *parents, last = path.split(".")
        node = self.root
        for part in parents:
            node = self.parent_for_put(node, part, required)
        _set(node, last, sub, required)

    def parent_for_put(self, node: dict[str, Any], part: str, required: bool) -> dict[str, Any]:
        props = _props(node)
        if part not in props and _closed(node):  # created by the step, when it runs
            props[part] = {"type": "object", "properties": {}, "additionalProperties": False}
            if required:
                _required(node).append(part)
            return props[part]  # type: ignore[no-any-return]
        child = self.child(node, part)
        assert child is not None
        if part not in node.get("required", []):  # absent before: created with only the field
            child.pop("required", None)
            if required:
                _required(node).append(part)
        return child


_ANNOTATIONS = frozenset({"title", "description", "default", "examples", "deprecated",
                          "readOnly", "writeOnly", "$comment"})


def _pop(node: dict[str, Any], key: str) -> tuple[Any, bool] | None:
    props = _props(node)
    if key not in props:
        extra = _extra(node)
        return None if extra is None else (extra, False)
    required = key in node.get("required", [])
    if required:
        node["required"] = [r for r in node["required"] if r != key]
    return props.pop(key), required


def _set(node: dict[str, Any], key: str, sub: Any, required: bool) -> None:
    """``node[key] = value`` where the value, of schema ``sub``, is there when ``required``."""
    props = _props(node)
    before = props[key] if key in props else _extra(node)
    was_required = key in node.get("required", [])
    if not required and before is not None:  # when the value is not there, the old one stays
        sub = {"anyOf": [before, sub]}
    props[key] = sub
    if (required or was_required) and key not in _required(node):
        _required(node).append(key)


def _rename(walk: _Walk, step: Step) -> None:
    node, key = walk.holder(step.field)
    taken = None if node is None else _pop(node, key)
    if node is not None and taken is not None:
        _set(node, step.arg, *taken)  # renamed inside the object that holds it


def _defaults(walk: _Walk, step: Step) -> None:
    node, key = walk.holder(step.field)
    taken = None if node is None else _pop(node, key)
    sub: Any = {"const": step.arg}
    if taken is not None:  # a value that is there is kept (a present null too)
        sub = taken[0] if taken[1] else {"anyOf": [taken[0], sub]}
    walk.put(step.field, sub, required=True)


def _drop(walk: _Walk, step: Step) -> None:
    walk.take(step.field)


def _move(walk: _Walk, step: Step) -> None:
    taken = walk.take(step.field)
    if taken is not None:
        walk.put(step.arg, *taken)


def _in_place(walk: _Walk, step: Step, change: Callable[[Any, bool], tuple[Any, bool]]) -> None:
    """Replace the field's schema by ``change(schema, required)``, where it stands."""
    node, key = walk.holder(step.field)
    taken = None if node is None else _pop(node, key)
    if node is None or taken is None:
        return
    sub, required = change(*taken)
    _props(node)[key] = sub
    if required:
        _required(node).append(key)


def _values(walk: _Walk, step: Step) -> None:
    mapping = list(step.arg)
    _in_place(walk, step, lambda sub, required: (_map_values(sub, mapping), required))


def _map_values(sub: Any, mapping: list[tuple[Any, Any]]) -> Any:
    def mapped(value: Any) -> Any:
        return next((new for old, new in mapping if _json_equal(old, value)), value)

    if isinstance(sub, dict) and set(sub) <= {"enum", "description", "default", "deprecated"} \
            and isinstance(sub.get("enum"), list):
        return {**sub, "enum": _unique([mapped(v) for v in sub["enum"]])}
    if isinstance(sub, dict) and set(sub) <= {"const", "description", "default", "deprecated"} \
            and "const" in sub:
        return {**sub, "const": mapped(sub["const"])}
    return {"anyOf": [sub, {"enum": _unique([new for _, new in mapping])}]}


def _json_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def _unique(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if not any(_json_equal(value, seen) for seen in out):
            out.append(value)
    return out


def _convert(walk: _Walk, step: Step) -> None:
    name, param = step.arg
    # unwrapping an empty list removes the field: it may be absent afterwards
    _in_place(walk, step, lambda sub, required: (_converted(name, param, sub),
                                                 required and name != "unwrap_list"))


def _converted(name: str, param: Any, sub: Any) -> Any:
    """A superset of what the converter outputs (a value of the wrong type passes unchanged)."""
    output = _OUTPUTS[name](param, sub)
    domain = _DOMAINS.get(name)
    if domain is None or _within(sub, domain) or (name == "string_to_int" and _int_text(sub)):
        return output
    return {"anyOf": [output, sub]}  # values outside the domain pass unchanged


def _scaled(factor: str, sub: Any) -> Any:
    """Numbers times ``factor``: bounds and ``multipleOf`` scaled by the shims' own exact
    arithmetic (rounding is monotone, so every output stays within the scaled bounds)."""
    out: dict[str, Any] = {
        "type": "integer" if _integral(factor) and _is_integer(sub) else "number"}
    if not isinstance(sub, dict) or not _within(sub, ("number", "integer")):
        return out
    flip = Fraction(factor) < 0
    for key, value in sub.items():
        if key in _BOUNDS and _number(value):
            out[_FLIPPED[key] if flip else key] = scale(value, factor)
    step = sub.get("multipleOf", 1 if _is_integer(sub) else None)  # an integer steps by 1
    if _number(step) and step is not None and step > 0:
        out["multipleOf"] = abs(scale(step, factor))
    return out


_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
_FLIPPED = {"minimum": "maximum", "maximum": "minimum",
            "exclusiveMinimum": "exclusiveMaximum", "exclusiveMaximum": "exclusiveMinimum"}


def _truncated(length: int, sub: Any) -> Any:
    """Text cut to ``length`` code points: at most that long, and at least as long as
    before up to it (patterns and formats may no longer hold, so they are left out)."""
    out: dict[str, Any] = {"type": "string", "maxLength": length}
    floor = sub.get("minLength") if isinstance(sub, dict) else None
    if isinstance(floor, int) and floor > 0:
        out["minLength"] = min(floor, length)
    return out


_OUTPUTS: dict[str, Callable[[Any, Any], Any]] = {
    "int_to_string": lambda _, sub: {"type": "string",
                                     "pattern": _INT_TEXT if _below_1e21(sub) else _JS_TEXT},
    "string_to_int": lambda _, sub: {"type": "integer"},
    "float_to_string": lambda _, sub: {"type": "string"},
    "string_to_float": lambda _, sub: {"type": "number"},
    "int_to_float": lambda _, sub: sub,
    "float_to_int": lambda _, sub: {"type": "integer"},
    "wrap_list": lambda _, sub: {"type": "array", "items": sub, "minItems": 1, "maxItems": 1},
    "unwrap_list": lambda _, sub: _first_item(sub),
    "scale": _scaled,
    "truncate": _truncated,
}


# The JSON types a converter converts; other values pass through it unchanged.
_DOMAINS = {"int_to_string": ("integer",), "float_to_string": ("number", "integer"),
            "float_to_int": ("number", "integer"), "scale": ("number", "integer"),
            "unwrap_list": ("array",), "string_to_int": (), "string_to_float": (),
            "truncate": ("string",)}


def _within(sub: Any, types: tuple[str, ...]) -> bool:
    """Whether every value of ``sub`` is of one of ``types`` (known from its `type` alone)."""
    if not isinstance(sub, dict):
        return False
    declared = sub.get("type")
    declared = [declared] if isinstance(declared, str) else declared
    return isinstance(declared, list) and bool(declared) and all(t in types for t in declared)


# int_to_string writes an integer as JavaScript's String(x) does: from 1e21 on, with an exponent
_INT_TEXT = "^-?[0-9]+$"
_JS_TEXT = "^-?[0-9]+(\\.[0-9]+)?(e\\+[0-9]+)?$"


def _below_1e21(sub: Any) -> bool:
    """Whether every integer of ``sub`` is written without an exponent (|x| < 1e21)."""
    if not isinstance(sub, dict):
        return False
    top = min((sub[k] for k in ("maximum", "exclusiveMaximum") if _number(sub.get(k))),
              default=None)
    bottom = max((sub[k] for k in ("minimum", "exclusiveMinimum") if _number(sub.get(k))),
                 default=None)
    return top is not None and bottom is not None and top < 1e21 and bottom > -1e21


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _int_text(sub: Any) -> bool:
    """Whether every value of ``sub`` is text that string_to_int converts."""
    return isinstance(sub, dict) and sub.get("type") == "string" and sub.get("pattern") == _INT_TEXT


def _first_item(sub: Any) -> Any:
    if not isinstance(sub, dict) or "prefixItems" in sub:
        return {}
    return sub.get("items", {})


def _integral(factor: str) -> bool:
    """Whether the scale factor (exact text, ``1/100``) is a whole number."""
    return Fraction(factor).denominator == 1


def _is_integer(sub: Any) -> bool:
    return isinstance(sub, dict) and sub.get("type") == "integer"


def _custom(walk: _Walk, step: Step) -> None:
    raise UnmappableError(step, f"custom step {step.arg[0]} is trusted, not checked")


_STEPS: dict[str, Callable[[_Walk, Step], None]] = {
    "rename": _rename, "defaults": _defaults, "drop": _drop, "values": _values,
    "move": _move, "convert": _convert, "custom": _custom,
}
