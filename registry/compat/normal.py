"""Normalisation: keyword tables, JSON types, and schemas as unions of conjunctions.

A schema node is a JSON value: `true`, `false` or an object of keywords.
On the left of an inclusion we rewrite a node into a list of `Branch`es (a
union); each branch is a set of JSON types plus the conjunction of the raw
keyword objects that constrain it. Whatever cannot be rewritten exactly is
dropped, which only widens the left side (still sound), and the branch is
marked inexact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

BASIC: Final = ("null", "boolean", "string", "array", "object")
ALL_TYPES: Final = frozenset((*BASIC, "number"))
NUMBER_KW: Final = frozenset(
    {"multipleOf", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}
)
STRING_KW: Final = frozenset({"minLength", "maxLength", "pattern", "format"})
ARRAY_KW: Final = frozenset(
    {
        "items",
        "prefixItems",
        "minItems",
        "maxItems",
        "uniqueItems",
        "contains",
        "minContains",
        "maxContains",
    }
)
OBJECT_KW: Final = frozenset(
    {
        "properties",
        "patternProperties",
        "additionalProperties",
        "required",
        "minProperties",
        "maxProperties",
        "propertyNames",
        "dependentRequired",
    }
)
SIMPLE_KW: Final = NUMBER_KW | STRING_KW | ARRAY_KW | OBJECT_KW | {"type", "enum", "const"}
APPLICATORS: Final = frozenset(
    {"allOf", "anyOf", "oneOf", "not", "$ref", "if", "then", "else", "dependentSchemas"}
)
UNDECIDED_KW: Final = frozenset(
    {"unevaluatedProperties", "unevaluatedItems", "$dynamicRef", "$recursiveRef"}
)
"""Assertions of some JSON Schema draft that the engine does not decide (older drafts'
``dependencies`` and ``additionalItems`` are rewritten before they reach it)."""
ASSERTIONS: Final = SIMPLE_KW | APPLICATORS | UNDECIDED_KW
MAX_BRANCHES: Final = 256


def is_annotation(key: str) -> bool:
    """Keywords that never change which values a schema accepts: every keyword that is no
    assertion of JSON Schema (``title``, ``markdownDescription``, ``x-*``, any unknown
    keyword), since a validator ignores keywords it does not know."""
    return key not in ASSERTIONS


def json_type(value: Any) -> str:
    """The JSON type of a Python value from json/yaml ("integer" for integral numbers)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def declared_types(node: dict[str, Any]) -> frozenset[str]:
    """The types a node's `type` keyword allows ("integer" kept apart from "number")."""
    raw = node.get("type")
    if raw is None:
        return ALL_TYPES
    names = {raw} if isinstance(raw, str) else set(raw)
    if "number" in names:
        names.discard("integer")
    return frozenset(names)


def meet_types(left: frozenset[str], right: frozenset[str]) -> frozenset[str]:
    """Intersection of two type sets, where integer is a subset of number."""
    out: set[str] = {t for t in BASIC if t in left and t in right}
    if "number" in left and "number" in right:
        out.add("number")
    elif ("integer" in left or "number" in left) and ("integer" in right or "number" in right):
        out.add("integer")
    return frozenset(out)


def json_equal(x: Any, y: Any) -> bool:
    """Equality of JSON values: 1 == 1.0, but true != 1 (unlike Python's ==)."""
    if type(x) is str:  # the common case first, without the isinstance chain
        return type(y) is str and x == y
    if isinstance(x, bool) or isinstance(y, bool):
        return type(x) is type(y) and x == y
    if isinstance(x, dict):
        return (
            isinstance(y, dict)
            and x.keys() == y.keys()
            and all(json_equal(v, y[k]) for k, v in x.items())
        )
    if isinstance(x, list | tuple):
        return (
            isinstance(y, list | tuple)
            and len(x) == len(y)
            and all(json_equal(a, b) for a, b in zip(x, y, strict=True))
        )
    if isinstance(x, int | float) != isinstance(y, int | float):
        return False
    return bool(x == y)


def finite_values(node: Any) -> list[Any] | None:
    """The values of a node's const/enum, if it has one."""
    if not isinstance(node, dict):
        return None
    if "const" in node:
        return [node["const"]]
    enum = node.get("enum")
    return list(enum) if isinstance(enum, list) else None


def is_trivial(node: Any) -> bool:
    """True for schemas that accept everything: `true`, `{}`, annotations only."""
    if node is True:
        return True
    return isinstance(node, dict) and all(is_annotation(k) for k in node)


@dataclass(frozen=True)
class Branch:
    """One disjunct of a left-hand schema: allowed types and keyword objects, all ANDed."""

    types: frozenset[str]
    parts: tuple[dict[str, Any], ...]
    exact: bool = True
    over: bool = False  # stands for the branches beyond MAX_BRANCHES: decides nothing

    def meet(self, other: Branch) -> Branch:
        return Branch(
            meet_types(self.types, other.types),
            self.parts + other.parts,
            self.exact and other.exact,
            self.over or other.over,
        )

    def widened(self) -> Branch:
        return Branch(self.types, self.parts, False, self.over)

    def has(self, key: str) -> bool:
        return any(key in p for p in self.parts)

    def values(self, key: str) -> list[Any]:
        return [p[key] for p in self.parts if key in p]

    def raw(self) -> Any:
        """A schema equal to the conjunction of this branch (types included)."""
        parts: list[Any] = [dict(p) for p in self.parts]
        parts.append({"type": sorted(self.types)})
        return {"allOf": parts}


TOP: Final = Branch(ALL_TYPES, ())
OVER: Final = Branch(ALL_TYPES, (), False, True)
"""Every value, standing in for the branches dropped past ``MAX_BRANCHES``: a left side
that holds it can only end in "unknown" (a wider left side is sound, a narrower not)."""


def _capped(out: list[Branch]) -> list[Branch]:
    if len(out) <= MAX_BRANCHES:
        return out
    return [*out[: MAX_BRANCHES - 1], OVER]


def product(left: list[Branch], right: list[Branch]) -> list[Branch]:
    """All pairwise conjunctions, dropping empty type sets; capped to stay small."""
    out: list[Branch] = []
    for a in left:
        for b in right:
            both = a.meet(b)
            if both.types:
                out.append(both)
            if len(out) > MAX_BRANCHES:
                return _capped(out)
    return out


def union(groups: Iterable[list[Branch]]) -> list[Branch]:
    out: list[Branch] = []
    for group in groups:
        out.extend(group)
        if len(out) > MAX_BRANCHES:
            return _capped(out)
    return out


def simple_part(node: dict[str, Any]) -> dict[str, Any]:
    """The node's simple assertion keywords, with unevaluated* folded when it is safe."""
    part = {k: v for k, v in node.items() if k in SIMPLE_KW}
    has_applicator = any(k in node for k in APPLICATORS)
    if "unevaluatedProperties" in node and not has_applicator:
        part.setdefault("additionalProperties", node["unevaluatedProperties"])
    if "unevaluatedItems" in node and not has_applicator and "contains" not in node:
        part.setdefault("items", node["unevaluatedItems"])
    if isinstance(part.get("items"), list):
        del part["items"]  # draft-7 tuple form: not 2020-12, ignored (widens)
    return part


def unsupported_keys(node: dict[str, Any]) -> list[str]:
    """Keywords that may restrict and that the engine does not decide."""
    out = [k for k in node if k in UNDECIDED_KW]
    if isinstance(node.get("items"), list):
        out.append("items")
    has_applicator = any(k in node for k in APPLICATORS)
    if not has_applicator:
        out = [k for k in out if k != "unevaluatedProperties"]
        if "contains" not in node:
            out = [k for k in out if k != "unevaluatedItems"]
    return out
