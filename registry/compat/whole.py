"""Witnesses as whole instances: a "no" is printed only with a value of the whole schema
that the left document accepts and the right one rejects, validated before it is kept.

The engine finds a witness where a keyword decides (the value of one property, one item);
``lift`` places it in a whole instance. The change's path (a pointer into the right
document) says where: ``properties/<name>`` is that key, ``additionalProperties`` a key no
property or pattern names, ``items`` an item, ``prefixItems/<i>`` item ``i``; ``$ref``,
``allOf``/``anyOf``/``oneOf``/<i>``, ``then`` and ``else`` stay at the same value. Around
it goes either nothing else or a sample of the left document. A change whose witness
cannot be lifted (or whose instance does not validate as it should) becomes "unknown".
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any, Final

from registry.json.pointer import tokens

from .document import SchemaDocument
from .model import NO_WITNESS, Change, unproved

MAX_LIFTS: Final = 24
_NAMED: Final = frozenset(
    {"properties", "patternProperties", "dependentRequired", "dependentSchemas", "prefixItems"}
)
_FRESH: Final = ("wiretype-extra", "_", "0", "x-wiretype-extra")

Step = str | int


def lift_all(a: SchemaDocument, b: SchemaDocument, found: list[Change], base: Any) -> list[Change]:
    """Every "no" change with a whole-instance witness, or turned "unknown"."""
    out, tries = [], 0
    for change in found:
        if change.kind == "info" or not change.has_witness:
            out.append(unproved(change))
            continue
        tries += 1
        out.append(lift(a, b, change, base) if tries <= MAX_LIFTS else unproved(change))
    return out


def lift(a: SchemaDocument, b: SchemaDocument, change: Change, base: Any) -> Change:
    if not change.has_witness:
        return unproved(change)
    steps = data_path(b, change.path)
    if steps is None:
        return unproved(change)
    for around in (None, base):
        if around is NO_WITNESS:
            continue
        whole = _put(around, steps, change.witness)
        if a.check(a.root, whole) is True and b.check(b.root, whole) is False:
            return replace(change, witness=whole, kind="no")
    return unproved(change)


def data_path(doc: SchemaDocument, pointer: str) -> list[Step] | None:
    """Where in an instance the schema at ``pointer`` applies (None: not one place)."""
    parts = [p for p in tokens(pointer) if p != ""]
    node: Any = doc.root
    steps: list[Step] = []
    i = 0
    while i < len(parts):
        if not isinstance(node, dict):
            return None
        if i + 1 == len(parts) or (parts[i] in _NAMED and i + 2 == len(parts)):
            return steps  # the keyword that decides (`type`, `properties/a`): this value
        moved = _move(doc, node, parts[i], parts[i + 1])
        if moved is None:
            return None  # contains, propertyNames, not, patternProperties: not one place
        node, step, used = moved
        steps += [step] if step is not None else []
        i += used
    return steps


Move = tuple[Any, "Step | None", int]


def _via_ref(doc: SchemaDocument, node: dict[str, Any], nxt: str) -> Move | None:
    ref = node.get("$ref")
    found, target = doc.resolve(ref) if isinstance(ref, str) else (False, None)
    return (target, None, 1) if found else None


def _via_list(key: str) -> Any:
    def move(doc: SchemaDocument, node: dict[str, Any], nxt: str) -> Move | None:
        return (_index(node.get(key), int(nxt)), None, 2) if nxt.isdigit() else None

    return move


def _via_branch(key: str) -> Any:
    return lambda doc, node, nxt: (node.get(key), None, 1)


def _via_property(doc: SchemaDocument, node: dict[str, Any], nxt: str) -> Move | None:
    return _key(node.get("properties"), nxt), nxt, 2


def _via_additional(doc: SchemaDocument, node: dict[str, Any], nxt: str) -> Move | None:
    return node.get("additionalProperties"), _fresh(node), 1


def _via_items(doc: SchemaDocument, node: dict[str, Any], nxt: str) -> Move | None:
    prefix = node.get("prefixItems")
    return node.get("items"), len(prefix) if isinstance(prefix, list) else 0, 1


def _via_prefix(doc: SchemaDocument, node: dict[str, Any], nxt: str) -> Move | None:
    if not nxt.isdigit():
        return None
    return _index(node.get("prefixItems"), int(nxt)), int(nxt), 2


_MOVES: Final[dict[str, Any]] = {
    "$ref": _via_ref,
    **{key: _via_list(key) for key in ("allOf", "anyOf", "oneOf")},
    **{key: _via_branch(key) for key in ("if", "then", "else")},
    "properties": _via_property,
    "additionalProperties": _via_additional,
    "items": _via_items,
    "prefixItems": _via_prefix,
}
"""How one pointer token moves from a schema to a sub-schema: (sub-schema, the instance
step to it or None, tokens used); a token without an entry is not one place."""


def _move(doc: SchemaDocument, node: dict[str, Any], token: str, nxt: str) -> Move | None:
    move = _MOVES.get(token)
    return None if move is None else move(doc, node, nxt)


def _index(items: Any, i: int) -> Any:
    return items[i] if isinstance(items, list) and i < len(items) else None


def _key(props: Any, name: str) -> Any:
    return props.get(name) if isinstance(props, dict) else None


def _fresh(node: dict[str, Any]) -> str:
    from registry.json.validation import ecma_regex

    named = node.get("properties")
    named = named if isinstance(named, dict) else {}
    patterns = node.get("patternProperties")
    patterns = patterns if isinstance(patterns, dict) else {}
    for name in _FRESH:
        if name in named:
            continue
        try:
            if any(ecma_regex(p).find(name) is not None for p in patterns):
                continue
        except ValueError:
            continue
        return name
    return _FRESH[0]


def _put(around: Any, steps: list[Step], value: Any) -> Any:
    if not steps:
        return value
    head, rest = steps[0], steps[1:]
    if isinstance(head, int):
        items = list(around) if isinstance(around, list) else []
        if head > len(items):
            return [value] * (head + 1) if not rest else None
        inner = items[head] if head < len(items) else None
        items[head : head + 1] = [_put(inner, rest, value)]
        return items
    out = copy.copy(around) if isinstance(around, dict) else {}
    out[head] = _put(out.get(head), rest, value)
    return out
