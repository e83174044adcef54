"""Name the keyword of a right-hand node that rejects a given value."""

from __future__ import annotations

from typing import Any, Final

from .document import SchemaDocument

_RULES: Final = {
    "type": "TYPE_NO_NARROW",
    "enum": "ENUM_VALUE_NO_DELETE",
    "const": "CONST_NO_CHANGE",
    "minimum": "NUMBER_MINIMUM_NO_INCREASE",
    "exclusiveMinimum": "NUMBER_MINIMUM_NO_INCREASE",
    "maximum": "NUMBER_MAXIMUM_NO_DECREASE",
    "exclusiveMaximum": "NUMBER_MAXIMUM_NO_DECREASE",
    "multipleOf": "NUMBER_MULTIPLE_OF_NO_CHANGE",
    "minLength": "STRING_MIN_LENGTH_NO_INCREASE",
    "maxLength": "STRING_MAX_LENGTH_NO_DECREASE",
    "pattern": "STRING_PATTERN_NO_ADD",
    "format": "STRING_FORMAT_NO_ADD",
    "minItems": "ARRAY_MIN_ITEMS_NO_INCREASE",
    "maxItems": "ARRAY_MAX_ITEMS_NO_DECREASE",
    "items": "ARRAY_ITEMS_NO_NARROW",
    "prefixItems": "ARRAY_ITEMS_NO_NARROW",
    "uniqueItems": "ARRAY_UNIQUE_NO_ADD",
    "contains": "ARRAY_CONTAINS_NO_ADD",
    "required": "FIELD_NO_NEW_REQUIRED",
    "properties": "FIELD_NO_DELETE",
    "additionalProperties": "OBJECT_ADDITIONAL_PROPERTIES_NO_CLOSE",
    "patternProperties": "OBJECT_ADDITIONAL_PROPERTIES_NO_CLOSE",
    "minProperties": "OBJECT_MIN_PROPERTIES_NO_INCREASE",
    "maxProperties": "OBJECT_MAX_PROPERTIES_NO_DECREASE",
    "propertyNames": "OBJECT_PROPERTY_NAMES_NO_NARROW",
    "dependentRequired": "OBJECT_DEPENDENT_REQUIRED_NO_ADD",
    "anyOf": "UNION_BRANCH_NO_DELETE",
    "oneOf": "UNION_BRANCH_NO_DELETE",
    "not": "NOT_NO_OVERLAP",
}
_COMPANIONS: Final = {
    "minContains": ("contains",),
    "maxContains": ("contains",),
    "additionalProperties": ("properties", "patternProperties"),
    "items": ("prefixItems",),
}


def _companions(key: str) -> tuple[str, ...]:
    """Keywords whose meaning depends on `key`'s siblings."""
    return _COMPANIONS.get(key, ())


def blame(doc: SchemaDocument, node: Any, value: Any) -> tuple[str, str]:
    """(rule id, "/keyword") for the first keyword of `node` that rejects `value`."""
    if not isinstance(node, dict):
        return "TYPE_NO_NARROW", ""
    for key in node:
        probe = {key: node[key]}
        for extra in _companions(key):
            if extra in node:
                probe[extra] = node[extra]
        if not doc.accepts(probe, value, True):
            rule = _RULES.get(key, "CANNOT_PROVE")
            if rule == "TYPE_NO_NARROW" and value is None:
                rule = "NULLABLE_NO_REMOVE"
            return rule, f"/{key}"
    return "ENUM_VALUE_NO_DELETE", ""
