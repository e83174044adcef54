"""Declared migration steps applied to a *schema*: what a migrated message can look like.

``check`` proves ``upgrade(closed(v_n)) ⊆ open(v_n+1)``: it needs the set of
messages that the shim can produce from any valid v_n message. Each step maps
the writer's schema to a schema of everything the step can output. Where the
exact image is awkward, the result is a *superset* (e.g. a converted value is
only known to be "a string"): a superset can make the check fail, never pass
wrongly. A step that cannot be mapped (``custom``, a schema that is not a plain
object) makes the hop unprovable, which the caller reports.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

from registry.model import Step


class UnmappableError(Exception):
    """The step's effect on this schema cannot be described (the hop is trusted or unknown)."""

    def __init__(self, step: Step, reason: str) -> None:
        super().__init__(reason)
        self.step, self.reason = step, reason


def apply_steps(schema: Any, steps: Sequence[Step]) -> Any:
    """The schema of every output of ``steps`` run on a value of ``schema`` (a new dict)."""
    out = _own(schema)
    for step in steps:
        if not isinstance(out, dict) or not isinstance(out.get("properties", {}), dict):
            raise UnmappableError(step, "the schema is not a plain object with properties")
        _STEPS[step.kind](out, step)
    return out


def _own(schema: Any) -> Any:
    """A copy of an object schema whose top-level properties and required can be edited
    (the sub-schemas are shared: steps replace them, never change them in place)."""
    if not isinstance(schema, dict):
        return copy.deepcopy(schema)
    out = dict(schema)
    if isinstance(out.get("properties"), dict):
        out["properties"] = dict(out["properties"])
    if isinstance(out.get("required"), list):
        out["required"] = list(out["required"])
    return out


def _props(schema: dict[str, Any]) -> dict[str, Any]:
    return schema.setdefault("properties", {})  # type: ignore[no-any-return]


def _required(schema: dict[str, Any]) -> list[str]:
    return schema.setdefault("required", [])  # type: ignore[no-any-return]


def _take(schema: dict[str, Any], name: str) -> tuple[Any, bool] | None:
    """Remove the property ``name`` (dotted: nested); its schema and whether it was required."""
    head, _, rest = name.partition(".")
    props = _props(schema)
    if head not in props:
        return None
    if rest:
        if not isinstance(props[head], dict):
            return None
        props[head] = _own(props[head])
        return _take(props[head], rest)
    required = head in schema.get("required", [])
    if required:
        schema["required"] = [r for r in schema["required"] if r != head]
    return props.pop(head), required


def _put(schema: dict[str, Any], name: str, sub: Any, required: bool) -> None:
    head, _, rest = name.partition(".")
    props = _props(schema)
    if rest:
        inner = props.get(head)
        if not isinstance(inner, dict) or inner.get("type") != "object":
            inner = {"type": "object", "properties": {}, "additionalProperties": False}
            if head not in _required(schema):
                _required(schema).append(head)
        inner = props[head] = _own(inner)
        _put(inner, rest, sub, required)
        return
    props[head] = sub
    if required and head not in _required(schema):
        _required(schema).append(head)


def _rename(schema: dict[str, Any], step: Step) -> None:
    taken = _take(schema, step.field)
    if taken is not None:
        _put(schema, step.arg, *taken)


def _defaults(schema: dict[str, Any], step: Step) -> None:
    taken = _take(schema, step.field)
    value = {"const": step.arg}
    sub = value if taken is None else {"anyOf": [taken[0], value]}
    _put(schema, step.field, sub, required=True)


def _drop(schema: dict[str, Any], step: Step) -> None:
    _take(schema, step.field)


def _move(schema: dict[str, Any], step: Step) -> None:
    taken = _take(schema, step.field)
    if taken is not None:
        _put(schema, step.arg, *taken)


def _values(schema: dict[str, Any], step: Step) -> None:
    taken = _take(schema, step.field)
    if taken is None:
        return
    sub, required = taken
    mapping = list(step.arg)
    _put(schema, step.field, _map_values(sub, mapping), required)


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


def _convert(schema: dict[str, Any], step: Step) -> None:
    taken = _take(schema, step.field)
    if taken is None:
        return
    sub, required = taken
    name, param = step.arg
    # unwrapping an empty list removes the field: it may be absent afterwards
    _put(schema, step.field, _converted(name, param, sub), required and name != "unwrap_list")


def _converted(name: str, param: Any, sub: Any) -> Any:
    """A superset of what the converter outputs (a value of the wrong type passes unchanged)."""
    outputs: dict[str, Any] = {
        "int_to_string": {"type": "string", "pattern": "^-?[0-9]+$"},
        "string_to_int": {"type": "integer"},
        "float_to_string": {"type": "string"},
        "string_to_float": {"type": "number"},
        "int_to_float": sub,
        "float_to_int": {"type": "integer"},
        "wrap_list": {"type": "array", "items": sub, "minItems": 1, "maxItems": 1},
        "unwrap_list": sub.get("items", {}) if isinstance(sub, dict) else {},
        "scale": {"type": "integer" if _integral(param) and _is_integer(sub) else "number"},
    }
    domain = _DOMAINS.get(name)
    if domain is None or _within(sub, domain):
        return outputs[name]
    return {"anyOf": [outputs[name], sub]}  # values outside the domain pass unchanged


# The JSON types a converter converts; other values pass through it unchanged.
_DOMAINS = {"int_to_string": ("integer",), "float_to_string": ("number", "integer"),
            "float_to_int": ("number", "integer"), "scale": ("number", "integer"),
            "unwrap_list": ("array",), "string_to_int": (), "string_to_float": ()}


def _within(sub: Any, types: tuple[str, ...]) -> bool:
    """Whether every value of ``sub`` is of one of ``types`` (known from its `type` alone)."""
    if not isinstance(sub, dict):
        return False
    declared = sub.get("type")
    declared = [declared] if isinstance(declared, str) else declared
    return isinstance(declared, list) and bool(declared) and all(t in types for t in declared)


def _integral(value: Any) -> bool:
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _is_integer(sub: Any) -> bool:
    return isinstance(sub, dict) and sub.get("type") == "integer"


def _custom(schema: dict[str, Any], step: Step) -> None:
    raise UnmappableError(step, f"custom step {step.arg[0]} is trusted, not checked")


_STEPS: dict[str, Callable[[dict[str, Any], Step], None]] = {
    "rename": _rename, "defaults": _defaults, "drop": _drop, "values": _values,
    "move": _move, "convert": _convert, "custom": _custom,
}
