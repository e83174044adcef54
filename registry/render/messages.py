"""The words of every validation error, shared by the two generated packages.

The TypeScript validators print these texts (built here at generation time);
the Python package maps each pydantic error type to the same text (``PYDANTIC_WORDS``,
the texts of its ``_words.py``, which a test holds equal), so a message reads the same
in both languages and never shows pydantic's own words or an internal pattern.
Numbers are written as ECMAScript writes them (``registry.json.numbers.es_number``).
"""

from __future__ import annotations

import json
from typing import Any

from registry.json.numbers import es_number

REQUIRED = "is required"
UNIQUE = "must not hold the same item twice"
ONE_OF = "must match exactly one of the allowed schemas (oneOf)"
ANY_OF = "must match one of the allowed schemas (anyOf)"
NOT = "must not match the schema under `not`"
NOTHING = "no value is allowed here"
NOT_ALLOWED = "is not allowed here"
# A number beyond the largest double (1e400), which a JSON reader holds as Infinity.
OVERFLOW = "is beyond the largest double: a JSON reader would hold it as Infinity"
# An integer literal that a double would change: {literal} and the double {double}.
NOT_CARRIED = (
    "integer {literal} cannot be carried exactly by a JSON number (it would "
    "become {double}): send it as a string"
)

_BOUNDS = {
    "minimum": "at least",
    "maximum": "at most",
    "exclusiveMinimum": "greater than",
    "exclusiveMaximum": "less than",
}


def number_text(value: Any) -> str:
    """A number as both packages print it (``1e-7``, ``0.5``, ``3``); other text as is."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return es_number(value)
    return str(value)


def json_text(value: Any) -> str:
    """A JSON value in a message: compact, non-ASCII as is, numbers as ECMAScript writes them."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return es_number(value)
    if isinstance(value, list):
        return f"[{','.join(json_text(v) for v in value)}]"
    if isinstance(value, dict):
        pairs = (
            f"{json.dumps(str(k), ensure_ascii=False)}:{json_text(v)}" for k, v in value.items()
        )
        return f"{{{','.join(pairs)}}}"
    return json.dumps(value, ensure_ascii=False)


def type_message(types: list[str]) -> str:
    return "must be " + " or ".join(types) if types else "no type is allowed"


def bound_message(keyword: str, bound: Any) -> str:
    return f"must be {_BOUNDS[keyword]} {number_text(bound)}"


def multiple_message(step: Any) -> str:
    return f"must be a multiple of {number_text(step)}"


def length_message(low: bool, n: Any) -> str:
    return f"must be {'at least' if low else 'at most'} {n} characters long"


def items_message(low: bool, n: Any) -> str:
    return f"must have {'at least' if low else 'at most'} {n} items"


def properties_message(low: bool, n: Any) -> str:
    return f"must have {'at least' if low else 'at most'} {n} properties"


def enum_message(values: list[Any] | tuple[Any, ...]) -> str:
    shown = ", ".join(json_text(v) for v in list(values)[:10])
    more = f", … ({len(values)} in all)" if len(values) > 10 else ""
    return f"must be one of {shown}{more}"


def const_message(value: Any) -> str:
    return f"must be {json_text(value)}"


def format_message(fmt: str) -> str:
    return f"must be a valid {fmt}"


def pattern_message(pattern: str) -> str:
    return f"must match the pattern {pattern}"


# pydantic-core error type -> the same words, with pydantic's context keys as placeholders.
PYDANTIC_WORDS: dict[str, str] = {
    "missing": REQUIRED,
    "int_type": type_message(["integer"]),
    "int_parsing": type_message(["integer"]),
    "int_from_float": type_message(["integer"]),
    "float_type": type_message(["number"]),
    "float_parsing": type_message(["number"]),
    "finite_number": type_message(["number"]),
    "string_type": type_message(["string"]),
    "string_sub_type": type_message(["string"]),
    "bool_type": type_message(["boolean"]),
    "bool_parsing": type_message(["boolean"]),
    "model_type": type_message(["object"]),
    "model_attributes_type": type_message(["object"]),
    "dict_type": type_message(["object"]),
    "list_type": type_message(["array"]),
    "none_required": type_message(["null"]),
    "greater_than_equal": bound_message("minimum", "{ge}"),
    "less_than_equal": bound_message("maximum", "{le}"),
    "greater_than": bound_message("exclusiveMinimum", "{gt}"),
    "less_than": bound_message("exclusiveMaximum", "{lt}"),
    "multiple_of": multiple_message("{multiple_of}"),
    "string_too_short": length_message(True, "{min_length}"),
    "string_too_long": length_message(False, "{max_length}"),
    "too_short": items_message(True, "{min_length}"),
    "too_long": items_message(False, "{max_length}"),
    "unique_items": UNIQUE,
}
# `too_short` / `too_long` on an object (a map) count properties, not items.
PYDANTIC_OBJECT_WORDS: dict[str, str] = {
    "too_short": properties_message(True, "{min_length}"),
    "too_long": properties_message(False, "{max_length}"),
}

# Everything the Python runtime says: pydantic's errors, and wiretype's own checks.
RUNTIME_WORDS: dict[str, str] = {
    **PYDANTIC_WORDS,
    "format": format_message("{format}"),
    "pattern": pattern_message("{pattern}"),
    "one_of": ONE_OF,
    "any_of": ANY_OF,
    "not_carried": NOT_CARRIED,
    "not_json": "is not JSON: {detail}",
    "non_finite": "NaN and Infinity are not JSON numbers",
    "overflow": OVERFLOW,
    "not_envelope": "an envelope must be a JSON object",
    "not_type": "must be a message name",
    "unknown_type": "is not a known message: {name}",
    "not_live": "{v} is not a live version of {name}",
    "not_id": "must be a non-empty string",
}
# What the TypeScript runtime says outside the generated validators.
TS_WORDS: dict[str, str] = {
    "notCarried": NOT_CARRIED,
    "overflow": OVERFLOW,
    "notJson": RUNTIME_WORDS["not_json"],
    "notEnvelope": RUNTIME_WORDS["not_envelope"],
    "notType": RUNTIME_WORDS["not_type"],
    "unknownType": RUNTIME_WORDS["unknown_type"],
    "notInteger": type_message(["integer"]),
    "notLive": RUNTIME_WORDS["not_live"],
    "notId": RUNTIME_WORDS["not_id"],
    "notObject": type_message(["object"]),
}
