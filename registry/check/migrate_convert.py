"""What a ``convert`` step can output, as a schema: a superset of the converter's values.

``converted(name, parameter, sub)`` is the schema of every output of one converter run
on a value of ``sub``. Where the exact image is awkward the result is wider (text
from ``float_to_string`` is only known to be a string), which can make ``check`` fail
but never pass wrongly. A value outside the converter's domain (a string given to
``int_to_string``) passes through unchanged, so it stays in the output too.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from registry.check.migrate_run import scale


def converted(name: str, param: Any, sub: Any) -> Any:
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
        "type": "integer" if _integral(factor) and _is_integer(sub) else "number"
    }
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
_FLIPPED = {
    "minimum": "maximum",
    "maximum": "minimum",
    "exclusiveMinimum": "exclusiveMaximum",
    "exclusiveMaximum": "exclusiveMinimum",
}


def _truncated(length: int, sub: Any) -> Any:
    """Text cut to ``length`` code points: at most that long, and at least as long as
    before up to it (patterns and formats may no longer hold, so they are left out)."""
    out: dict[str, Any] = {"type": "string", "maxLength": length}
    floor = sub.get("minLength") if isinstance(sub, dict) else None
    if isinstance(floor, int) and floor > 0:
        out["minLength"] = min(floor, length)
    return out


_OUTPUTS: dict[str, Callable[[Any, Any], Any]] = {
    "int_to_string": lambda _, sub: {
        "type": "string",
        "pattern": _INT_TEXT if _below_1e21(sub) else _JS_TEXT,
    },
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
_DOMAINS = {
    "int_to_string": ("integer",),
    "float_to_string": ("number", "integer"),
    "float_to_int": ("number", "integer"),
    "scale": ("number", "integer"),
    "unwrap_list": ("array",),
    "string_to_int": (),
    "string_to_float": (),
    "truncate": ("string",),
}


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
    top = min(
        (sub[k] for k in ("maximum", "exclusiveMaximum") if _number(sub.get(k))), default=None
    )
    bottom = max(
        (sub[k] for k in ("minimum", "exclusiveMinimum") if _number(sub.get(k))), default=None
    )
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
