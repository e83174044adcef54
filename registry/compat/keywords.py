"""The right node's own keywords against one left piece: ``type``, ``const``/``enum``, then
the keywords of the piece's JSON type, each compared by its topic module (``numbers``,
``strings``, ``arrays``, ``objects``) with every constraint of the piece at once.

A "no" that a topic module reports for numbers or strings stands only with a witness
that the left side accepts and the right node rejects; without one it becomes
"unknown" (``_verified``). Keywords the engine does not decide are "unknown"
(``KEYWORD_UNSUPPORTED``) unless both sides write them alike.
"""

from __future__ import annotations

from typing import Any

from . import arrays, numbers, objects, strings
from .document import format_ok
from .inner import Conj, Prover
from .model import Change, proved, unproved
from .normal import (
    ARRAY_KW,
    NUMBER_KW,
    OBJECT_KW,
    STRING_KW,
    Branch,
    declared_types,
    json_equal,
    meet_types,
    simple_part,
    unsupported_keys,
)
from .pieces import NUMERIC


def simple_in(
    ck: Prover, piece: Branch, t: str, a: Conj, node: dict[str, Any], *, path: str
) -> list[Change]:
    """Findings of the piece (JSON type ``t``) against the right node's own keywords."""
    bt = declared_types(node)
    if t == "number" and "number" not in bt and "integer" in bt:
        if not _integral(piece):
            return _type_change(ck, piece, t, a, node, path=path)
        t = "integer"
    if not meet_types(frozenset({t}), bt):
        return _type_change(ck, piece, t, a, node, path=path)
    if "const" in node or "enum" in node:
        return [_enum_change(ck, piece, a, node, path)]
    b_int = "integer" in bt and "number" not in bt
    out = _typed(ck, piece, t, a, simple_part(node), path=path, b_int=b_int)
    return out + _unsupported(piece, node, path)


def _typed(
    ck: Prover, piece: Branch, t: str, a: Conj, node: dict[str, Any], *, path: str, b_int: bool
) -> list[Change]:
    keys = node.keys()
    if t in NUMERIC and (b_int or not keys.isdisjoint(NUMBER_KW)):
        av = numbers.view(piece.parts, t == "integer")
        found = numbers.compare(av, numbers.view([node], b_int), path)
        return _verified(ck, found, a, node)
    if t == "string" and not keys.isdisjoint(STRING_KW):
        av_s = strings.view(piece.parts)

        def accepts(v: Any) -> bool:
            return ck.a_ok(a, v)

        found = strings.compare(av_s, strings.view([node]), path, accepts, format_ok)
        return _verified(ck, found, a, node)
    if t == "array" and not keys.isdisjoint(ARRAY_KW):
        return arrays.compare(arrays.left(piece.parts), arrays.view(node), ck, path)
    if t == "object" and not keys.isdisjoint(OBJECT_KW):
        return objects.compare(objects.left(piece.parts), objects.view(node), ck, path)
    return []


def _verified(ck: Prover, found: list[Change], a: Conj, node: Any) -> list[Change]:
    return [c if _holds(ck, c, a, node) else unproved(c) for c in found]


def _holds(ck: Prover, c: Change, a: Conj, node: Any) -> bool:
    """A "no" finding stands only with a witness that A accepts and `node` rejects."""
    if c.kind != "no":
        return True
    w = c.witness
    return c.has_witness and ck.a_ok(a, w) and not ck.b.accepts(node, w, True)


def _type_change(
    ck: Prover, piece: Branch, t: str, a: Conj, node: Any, *, path: str
) -> list[Change]:
    w = ck.witness_for(piece, a, node)
    rule = "NULLABLE_NO_REMOVE" if t == "null" else "TYPE_NO_NARROW"
    kind = proved(w)
    return [Change(f"{path}/type", rule, True, f"{t} values are no longer accepted", w, kind=kind)]


def _enum_change(ck: Prover, piece: Branch, a: Conj, node: dict[str, Any], path: str) -> Change:
    w = ck.witness_for(piece, a, node)
    key, rule = ("const", "CONST_NO_CHANGE") if "const" in node else ("enum", "ENUM_NO_ADD")
    kind = proved(w)
    return Change(
        f"{path}/{key}", rule, True, "values are now restricted to a fixed set", w, kind=kind
    )


def _unsupported(piece: Branch, node: dict[str, Any], path: str) -> list[Change]:
    out = []
    for key in unsupported_keys(node):
        if any(key in p and json_equal(p[key], node[key]) for p in piece.parts):
            continue
        out.append(
            Change(
                f"{path}/{key}",
                "KEYWORD_UNSUPPORTED",
                True,
                f"keyword {key!r} is not decided by the engine",
                kind="unknown",
            )
        )
    return out


def _integral(piece: Branch) -> bool:
    v = numbers.view(piece.parts, False)
    return v.step is not None and v.step.denominator == 1
