"""The rule catalog: every reason the engine can give, with a stable ID.

IDs are forever: a rule that goes away is deprecated with a replacement,
never reused. Each entry says what it protects, shows a breaking before/after
pair (as OLD -> NEW read backward: OLD values must stay valid in NEW) and how
to evolve safely. ``registry.catalog`` holds these with every other id the tool
prints; `wiretype rules` and `wiretype explain ID` print it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Rule:
    """One catalog entry."""

    id: str
    summary: str
    doc: str
    topic: str = "general"
    before: str = ""  # OLD, a schema
    after: str = ""  # NEW, which breaks OLD's values (read backward)
    safely: str = ""  # how to evolve instead


_CATALOG: dict[str, Rule] = {}


def _rule(rule_id: str, topic: str, summary: str, *example: str) -> None:
    before, after, safely = example
    doc = (
        f"{summary}\n\n"
        f"Before (OLD): {before}\n"
        f"After  (NEW): {after}\n\n"
        f"How to evolve safely: {safely}"
    )
    _CATALOG[rule_id] = Rule(rule_id, summary, doc, topic, before, after, safely)


_rule(
    "TYPE_NO_NARROW",
    "type",
    "A JSON type accepted before must still be accepted (integer counts as a number).",
    "{type: [string, integer]}",
    "{type: string}",
    "Only add types; to retire one, accept it and migrate readers first.",
)
_rule(
    "NULLABLE_NO_REMOVE",
    "type",
    "A value that could be null must stay nullable.",
    "{type: [string, 'null']}",
    "{type: string}",
    "Keep null accepted; write a migration that replaces null by a default.",
)
_rule(
    "ENUM_VALUE_NO_DELETE",
    "values",
    "Every enumerated value accepted before must still be accepted.",
    "{enum: [low, normal, high]}",
    "{enum: [low, normal]}",
    "Add enum values, never remove them; map retired values in a migration.",
)
_rule(
    "ENUM_NO_ADD",
    "values",
    "An open value space must not be restricted to a fixed list of values.",
    "{type: string}",
    "{type: string, enum: [a, b]}",
    "Introduce the enum in a new field, or keep the old field free-form.",
)
_rule(
    "CONST_NO_CHANGE",
    "values",
    "A constant must keep its value.",
    "{const: v1}",
    "{const: v2}",
    "Widen to an enum holding both values, then migrate.",
)
_rule(
    "NUMBER_MINIMUM_NO_INCREASE",
    "number",
    "A lower bound (minimum/exclusiveMinimum) must not move up.",
    "{type: integer, minimum: 0}",
    "{type: integer, minimum: 1}",
    "Lower or drop bounds only; clamp old values in a migration.",
)
_rule(
    "NUMBER_MAXIMUM_NO_DECREASE",
    "number",
    "An upper bound (maximum/exclusiveMaximum) must not move down.",
    "{type: number, maximum: 100}",
    "{type: number, exclusiveMaximum: 100}",
    "Raise or drop bounds only.",
)
_rule(
    "NUMBER_MULTIPLE_OF_NO_CHANGE",
    "number",
    "A new multipleOf must divide every old value (old step a multiple of the new one).",
    "{type: integer, multipleOf: 2}",
    "{type: integer, multipleOf: 4}",
    "Only relax multipleOf to a divisor of the old one, or drop it.",
)
_rule(
    "STRING_MIN_LENGTH_NO_INCREASE",
    "string",
    "minLength (in code points) must not increase.",
    "{type: string}",
    "{type: string, minLength: 1}",
    "Lower or drop minLength only.",
)
_rule(
    "STRING_MAX_LENGTH_NO_DECREASE",
    "string",
    "maxLength (in code points) must not decrease.",
    "{type: string, maxLength: 64}",
    "{type: string, maxLength: 32}",
    "Raise or drop maxLength only.",
)
_rule(
    "STRING_PATTERN_NO_ADD",
    "string",
    "A pattern must not be added or changed unless it accepts every old string.",
    "{type: string}",
    "{type: string, pattern: '^[a-z]+$'}",
    "Keep the old pattern, drop it, or validate the new one in application code.",
)
_rule(
    "STRING_FORMAT_NO_ADD",
    "string",
    "format is an assertion: it must not be added or changed.",
    "{type: string}",
    "{type: string, format: email}",
    "Keep the old format or drop it; add formats only to new fields.",
)
_rule(
    "ARRAY_MIN_ITEMS_NO_INCREASE",
    "array",
    "minItems must not increase.",
    "{type: array}",
    "{type: array, minItems: 1}",
    "Lower or drop minItems only.",
)
_rule(
    "ARRAY_MAX_ITEMS_NO_DECREASE",
    "array",
    "maxItems must not decrease.",
    "{type: array, maxItems: 10}",
    "{type: array, maxItems: 5}",
    "Raise or drop maxItems only.",
)
_rule(
    "ARRAY_ITEMS_NO_NARROW",
    "array",
    "Items (items/prefixItems) at a position must not be narrowed or forbidden.",
    "{type: array, items: {type: [string, integer]}}",
    "{type: array, items: {type: string}}",
    "Widen item schemas only; narrow through a new field and a migration.",
)
_rule(
    "ARRAY_UNIQUE_NO_ADD",
    "array",
    "uniqueItems must not be added.",
    "{type: array}",
    "{type: array, uniqueItems: true}",
    "Deduplicate in application code instead.",
)
_rule(
    "ARRAY_CONTAINS_NO_ADD",
    "array",
    "A contains/minContains/maxContains requirement must hold for every old array.",
    "{type: array}",
    "{type: array, contains: {const: x}}",
    "Do not add contains to an existing array.",
)
_rule(
    "FIELD_NO_NEW_REQUIRED",
    "object",
    "A property must not become required.",
    "{properties: {a: {}}}",
    "{properties: {a: {}}, required: [a]}",
    "Add new properties as optional (or with a default filled in by a migration).",
)
_rule(
    "FIELD_NO_DELETE",
    "object",
    "A declared property allowed before must not be forbidden (closed object, false schema).",
    "{properties: {a: {type: string}}, additionalProperties: false}",
    "{properties: {b: {}}, additionalProperties: false}",
    "Keep the property declared (deprecated) or leave the object open.",
)
_rule(
    "OBJECT_ADDITIONAL_PROPERTIES_NO_CLOSE",
    "object",
    "Undeclared properties accepted before must stay accepted (additional/patternProperties).",
    "{type: object}",
    "{type: object, additionalProperties: false}",
    "Never close an open object; declare the new constraints on named properties.",
)
_rule(
    "OBJECT_MIN_PROPERTIES_NO_INCREASE",
    "object",
    "minProperties must not increase.",
    "{type: object}",
    "{type: object, minProperties: 1}",
    "Lower or drop minProperties only.",
)
_rule(
    "OBJECT_MAX_PROPERTIES_NO_DECREASE",
    "object",
    "maxProperties must not decrease.",
    "{type: object, maxProperties: 5}",
    "{type: object, maxProperties: 3}",
    "Raise or drop maxProperties only.",
)
_rule(
    "OBJECT_PROPERTY_NAMES_NO_NARROW",
    "object",
    "propertyNames must accept every property name accepted before.",
    "{type: object}",
    "{type: object, propertyNames: {maxLength: 3}}",
    "Widen propertyNames only.",
)
_rule(
    "OBJECT_DEPENDENT_REQUIRED_NO_ADD",
    "object",
    "A dependentRequired entry must not be added.",
    "{type: object}",
    "{dependentRequired: {card: [billing]}}",
    "Make the dependency a convention checked by the application.",
)
_rule(
    "UNION_BRANCH_NO_DELETE",
    "combinator",
    "Every value of an old union branch must still match some branch (anyOf/oneOf).",
    "{anyOf: [{type: string}, {type: integer}]}",
    "{anyOf: [{type: string}]}",
    "Add branches, never remove them; keep oneOf branches disjoint.",
)
_rule(
    "ONEOF_NO_AMBIGUITY",
    "combinator",
    "A oneOf must match exactly one branch: old values must not match two new branches.",
    "{type: integer}",
    "{oneOf: [{type: integer}, {minimum: 0}]}",
    "Discriminate oneOf branches (a const `kind` property, disjoint types).",
)
_rule(
    "NOT_NO_OVERLAP",
    "combinator",
    "Old values must not fall into a schema excluded with `not`.",
    "{type: string}",
    "{not: {const: ''}}",
    "Exclude only values that were already invalid.",
)
_rule(
    "REF_UNRESOLVED",
    "reference",
    "A $ref that cannot be resolved locally makes inclusion unprovable.",
    "{type: string}",
    "{$ref: 'https://example.com/other.json'}",
    "Inline the schema or use local $defs references.",
)
_rule(
    "KEYWORD_UNSUPPORTED",
    "general",
    "A new restricting keyword the engine does not understand makes inclusion unprovable.",
    "{type: object}",
    "{type: object, allOf: [{}], unevaluatedProperties: false}",
    "Use the keywords the engine decides, or keep the keyword unchanged.",
)
_rule(
    "COMPAT_BUDGET_EXCEEDED",
    "general",
    "The comparison spent its work budget (steps, time or union branches) before deciding "
    "this part, which is answered cannot prove: a hook never hangs.",
    "{allOf: [{$ref: '#/$defs/u'}, {$ref: '#/$defs/u'}, {$ref: '#/$defs/u'}], $defs: {u: "
    "{anyOf: [{minimum: 0}, {minimum: 1}, {minimum: 2}, {minimum: 3}, {minimum: 4}, "
    "{minimum: 5}, {minimum: 6}]}}}",
    "{minimum: 0}",
    "Write the union once instead of intersecting unions (7 x 7 x 7 branches here), or "
    "review the undecided part by hand.",
)
_rule(
    "CANNOT_PROVE",
    "general",
    "The engine could not decide inclusion; it never counts as compatible.",
    "{type: integer, minimum: 0}",
    "{if: {maximum: 9}, else: {minimum: 10}}",
    "Prefer changes the engine can prove (here: no condition), or review by hand and allow "
    "explicitly.",
)

RULES: Mapping[str, Rule] = MappingProxyType(_CATALOG)
