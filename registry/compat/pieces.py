"""One piece of a left branch: its values of one JSON type, and what is known of them.

A piece is *finite* when a ``const`` or ``enum`` lists its values, or when its type
leaves only a few (null, the booleans, a small integer range, a few short strings):
it is then decided exactly, value by value. Otherwise its emptiness and a few
candidate values (where witnesses are looked for) come from the topic module of its
type.
"""

from __future__ import annotations

from typing import Any, Final

from . import arrays, numbers, objects, strings
from .inner import Conj, Inner
from .normal import Branch, finite_values, json_type

NUMERIC: Final = frozenset({"integer", "number"})


def one_type(branch: Branch, t: str) -> Branch:
    """The piece of ``branch`` that holds its values of JSON type ``t``."""
    return Branch(frozenset({t}), branch.parts, branch.exact)


def finite(inner: Inner, piece: Branch, t: str, a: Conj) -> list[Any] | None:
    """Every value of the piece that A accepts, when the piece is small and finite."""
    cands = listed(piece, t)
    if cands is None:
        cands = small(piece, t)
    if cands is None:
        return None
    return [v for v in cands if inner.a_ok(a, v)]


def listed(piece: Branch, t: str) -> list[Any] | None:
    """The values of type ``t`` of the shortest ``const``/``enum`` among the piece's parts."""
    lists = [finite_values(p) for p in piece.parts]
    known = [x for x in lists if x is not None]
    if not known:
        return None
    return [v for v in min(known, key=len) if _has_type(v, t)]


def small(piece: Branch, t: str) -> list[Any] | None:
    """Every value of type ``t`` the piece's keywords leave, when they leave few."""
    if t == "null":
        return [None]
    if t == "boolean":
        return [True, False]
    if t in NUMERIC:
        return numbers.finite(numbers.view(piece.parts, t == "integer"))
    if t == "string":
        return strings.finite(strings.view(piece.parts))
    return None


def empty(inner: Inner, piece: Branch, t: str) -> bool:
    """Proved: the piece holds no value."""
    if t in NUMERIC:
        return numbers.empty(numbers.view(piece.parts, t == "integer"))
    if t == "string":
        return strings.empty(strings.view(piece.parts))
    if t == "array":
        return arrays.empty(arrays.left(piece.parts), inner)
    if t == "object":
        return objects.empty(objects.left(piece.parts), inner)
    return False


def candidates(inner: Inner, piece: Branch, t: str) -> list[Any]:
    """Values that may belong to the piece (callers check them)."""
    vals = listed(piece, t) or small(piece, t)
    if vals:
        return vals
    if t in NUMERIC:
        v = numbers.view(piece.parts, t == "integer")
        return [numbers.to_json(x) for x in numbers.candidates(v, numbers.NumView())]
    if t == "string":
        return strings.sample(strings.view(piece.parts), lambda _: True)
    if t == "array":
        return [arrays.sample(arrays.left(piece.parts), inner), []]
    if t == "object":
        obj = objects.sample(objects.left(piece.parts), inner)
        return [{}] if obj is None else [obj, {}]
    return []


def _has_type(v: Any, t: str) -> bool:
    jt = json_type(v)
    return jt == t or (t == "number" and jt == "integer")
