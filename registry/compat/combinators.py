"""The right-hand side's combinators: $ref, allOf, anyOf, oneOf, not, if/then/else, and
disjointness.

`A ⊆ anyOf(B1..Bn)` is proved piece by piece (one JSON type of A at a time):
a piece inside some branch is covered; otherwise, when the branches are told
apart by a constant property (a discriminator such as `kind`), A is split by
that property's values. `oneOf` additionally needs the covering branch to be
disjoint from all others. `A ⊆ not X` holds when A and X are disjoint. Every
function here asks the engine through the ``Prover`` protocol (``inner``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from registry.json.pointer import escape

from . import objects
from .inner import Conj, Prover
from .model import Change, proved, tentative
from .normal import Branch, declared_types, finite_values, json_equal, json_type, meet_types


def applicators_in(
    ck: Prover, piece: Branch, a: Conj, node: dict[str, Any], path: str
) -> list[Change]:
    """Findings of the piece against the right node's applicators, each on its own."""
    out: list[Change] = []
    if "$ref" in node:
        out += ck.ref_in(piece, a, node["$ref"], path)
    subs = node.get("allOf")
    for i, sub in enumerate(subs if isinstance(subs, list) else ()):
        out += ck.branch_in(piece, a, sub, f"{path}/allOf/{i}")
    for key in ("anyOf", "oneOf"):
        if key in node:
            out += union_in(ck, piece, a, node, key, path=path)
    if "not" in node:
        out += not_in(ck, piece, a, node["not"], path)
    if "if" in node:
        out += if_in(ck, piece, a, node, path)
    if "dependentSchemas" in node:
        out += dependent_in(ck, piece, a, node, path)
    return out


def dependent_in(
    ck: Prover, piece: Branch, a: Conj, node: dict[str, Any], path: str
) -> list[Change]:
    """Findings of piece ⊆ dependentSchemas: each entry holds when the left side holds the
    same entry, or when the whole piece is inside its schema."""
    deps = node["dependentSchemas"]
    out: list[Change] = []
    for name, sub in deps.items() if isinstance(deps, dict) else ():
        here = f"{path}/dependentSchemas/{escape(name)}"
        if ck.implied_entry(a, "dependentSchemas", name, sub):
            continue
        has = {"required": [name]}  # the values it applies to: those with the property
        before = [x["dependentSchemas"][name] for x in ck.left_nodes(a) if _entry(x, name)]
        if any(not _fails(ck.incl((*a, has, old), (sub,), here)) for old in before[:2]):
            continue
        if not _fails(ck.incl((*a, has), (sub,), here)):
            continue
        message = f"what {name!r} now brings with it is not decided by the engine"
        out.append(Change(here, "KEYWORD_UNSUPPORTED", True, message, kind="unknown"))
    return out


def _entry(node: Any, name: str) -> bool:
    deps = node.get("dependentSchemas") if isinstance(node, dict) else None
    return isinstance(deps, dict) and name in deps


def _fails(changes: list[Change]) -> bool:
    return any(c.breaking for c in changes)


def _conj_values(conj: Sequence[Any]) -> list[Any] | None:
    for node in conj:
        vals = finite_values(node)
        if vals is not None:
            return vals
    return None


def _values_disjoint(ck: Prover, a_val: tuple[Any, ...], b_val: tuple[Any, ...]) -> bool:
    va = _conj_values(a_val)
    if va is not None and not any(ck.a_ok(a_val, v) and ck.b_ok(b_val, v) for v in va):
        return True
    vb = _conj_values(b_val)
    if vb is not None and not any(ck.b_ok(b_val, v) and ck.a_ok(a_val, v) for v in vb):
        return True
    ta = _conj_types(a_val)
    tb = _conj_types(b_val)
    return not meet_types(ta, tb)


def _conj_types(conj: Sequence[Any]) -> frozenset[str]:
    out = declared_types({})
    for node in conj:
        if node is False:
            return frozenset()
        if isinstance(node, dict):
            out = meet_types(out, declared_types(node))
    return out


def disjoint(ck: Prover, piece: Branch, a_conj: tuple[Any, ...], node: Any) -> bool:
    """Proved: no value of the left piece is accepted by right-hand `node`."""
    if node is False:
        return True
    if not isinstance(node, dict) or ck.too_deep():
        return False
    if not meet_types(piece.types, declared_types(node)):
        return True
    vals = finite_values(node)
    if vals is not None and not any(
        _of_types(v, piece.types) and ck.a_ok(a_conj, v) and ck.b_ok((node,), v) for v in vals
    ):
        return True
    if _by_property(ck, piece, node):
        return True
    return _by_applicator(ck, piece, a_conj, node)


def _of_types(value: Any, types: frozenset[str]) -> bool:
    """Whether a value can belong to a piece of these JSON types."""
    return bool(meet_types(frozenset({json_type(value)}), types))


def _by_property(ck: Prover, piece: Branch, node: dict[str, Any]) -> bool:
    if meet_types(piece.types, declared_types(node)) != frozenset({"object"}):
        return False
    mine = objects.left(piece.parts)
    theirs = objects.view(node)
    for name in sorted(mine.required | theirs.required):
        b_val = theirs.value(name)
        if b_val and _values_disjoint(ck, mine.value(name), b_val):
            return True
        if name in theirs.required and ck.empty(mine.value(name)):
            return True  # required on the right, forbidden on the left
    return False


def _by_applicator(
    ck: Prover, piece: Branch, a_conj: tuple[Any, ...], node: dict[str, Any]
) -> bool:
    if "$ref" in node:
        found, target = ck.b.resolve(node["$ref"])
        if found and ck.enter():
            try:
                if disjoint(ck, piece, a_conj, target):
                    return True
            finally:
                ck.leave()
    if "not" in node and not _fails(ck.branch_in(piece, a_conj, node["not"], "")):
        return True
    if any(disjoint(ck, piece, a_conj, s) for s in node.get("allOf", ())):
        return True
    for key in ("anyOf", "oneOf"):
        subs = node.get(key)
        if isinstance(subs, list) and all(disjoint(ck, piece, a_conj, s) for s in subs):
            return True
    return False


def union_in(
    ck: Prover,
    piece: Branch,
    a_conj: tuple[Any, ...],
    node: dict[str, Any],
    key: str,
    *,
    path: str,
) -> list[Change]:
    """Findings of piece ⊆ anyOf/oneOf(node[key])."""
    subs = node[key]
    if not isinstance(subs, list) or ck.implied(a_conj, node, (key,)):
        return []  # not a list, or the same union, held by the left side already
    one = key == "oneOf"
    if _extends(ck, piece, a_conj, subs, one):
        return []
    clues: list[Change] = []
    for i, s in enumerate(subs):
        found = ck.branch_in(piece, a_conj, s, f"{path}/{key}/{i}")
        if _fails(found):
            clues += [c for c in found if c.has_witness and c.breaking][:2]
            continue
        others = [x for j, x in enumerate(subs) if j != i]
        if not one or all(disjoint(ck, piece, a_conj, x) for x in others):
            return []
        return [_ambiguous(ck, piece, a_conj, node, key, path=path)]
    if piece.types == frozenset({"object"}) and _split_ok(ck, piece, a_conj, subs, one, path=path):
        return []
    w = ck.witness_for(piece, a_conj, {key: subs})
    kind = proved(w)
    union = Change(
        f"{path}/{key}",
        "UNION_BRANCH_NO_DELETE",
        True,
        "some values accepted before match no branch of the union",
        w,
        kind=kind,
    )
    # without a witness here, the branches' own candidates (deeper down) may still yield
    # one as a whole instance: kept as "unknown", they prove nothing unless it validates
    return [union] if kind == "no" else [union, *(tentative(c) for c in clues[:6])]


def _extends(ck: Prover, piece: Branch, a_conj: Conj, subs: list[Any], one: bool) -> bool:
    """The left side holds a union whose every branch is written alike among ``subs``: the
    values are inside. For a ``oneOf`` the left union must be a ``oneOf`` too (each value in
    exactly one of its branches) and every branch it lacks disjoint from the piece."""
    for x in ck.left_nodes(a_conj):
        for key in ("oneOf",) if one else ("anyOf", "oneOf"):
            mine = x.get(key)
            if not isinstance(mine, list) or not mine or len(mine) > len(subs):
                continue
            matched = _match(ck, mine, subs)
            if matched is None:
                continue
            extra = [s for i, s in enumerate(subs) if i not in matched]
            if not one or all(disjoint(ck, piece, a_conj, s) for s in extra):
                return True
    return False


def _match(ck: Prover, mine: list[Any], subs: list[Any]) -> set[int] | None:
    """Distinct indexes of ``subs`` written alike each of ``mine``, or None."""
    used: set[int] = set()
    for m in mine:
        hit = next((i for i, s in enumerate(subs) if i not in used and ck.alike(m, s)), None)
        if hit is None:
            return None
        used.add(hit)
    return used


def _ambiguous(
    ck: Prover,
    piece: Branch,
    a_conj: tuple[Any, ...],
    node: dict[str, Any],
    key: str,
    *,
    path: str,
) -> Change:
    w = ck.witness_for(piece, a_conj, {key: node[key]})
    kind = proved(w)
    return Change(
        f"{path}/{key}",
        "ONEOF_NO_AMBIGUITY",
        True,
        "values accepted before may match several oneOf branches",
        w,
        kind=kind,
    )


def _const_of(ck: Prover, sub: Any, name: str) -> tuple[bool, Any]:
    if isinstance(sub, dict) and "$ref" in sub and set(sub) <= {"$ref"}:
        found, sub = ck.b.resolve(sub["$ref"])
        if not found:
            return False, None
    if not isinstance(sub, dict) or not isinstance(sub.get("properties"), dict):
        return False, None
    vals = finite_values(sub["properties"].get(name))
    if vals is None or len(vals) != 1:
        return False, None
    return True, vals[0]


def _discriminator(ck: Prover, subs: list[Any], required: frozenset[str]) -> str | None:
    for name in sorted(required):
        if all(_const_of(ck, s, name)[0] for s in subs):
            return name
    return None


def _split_ok(
    ck: Prover, piece: Branch, a_conj: tuple[Any, ...], subs: list[Any], one: bool, *, path: str
) -> bool:
    mine = objects.left(piece.parts)
    name = _discriminator(ck, subs, mine.required)
    if name is None:
        return False
    a_val = mine.value(name)
    vals = _conj_values(a_val)
    if vals is None:
        return False
    consts = [_const_of(ck, s, name)[1] for s in subs]
    for v in (v for v in vals if ck.a_ok(a_val, v)):
        hits = [i for i, c in enumerate(consts) if json_equal(c, v)]
        if not hits or (one and len(hits) > 1):
            return False
        refined = piece.meet(Branch(piece.types, ({"properties": {name: {"const": v}}},)))
        if _fails(ck.branch_in(refined, a_conj, subs[hits[0]], f"{path}/{hits[0]}")):
            return False
    return True


def not_in(
    ck: Prover, piece: Branch, a_conj: tuple[Any, ...], node: Any, path: str
) -> list[Change]:
    """Findings of piece ⊆ not(node)."""
    if disjoint(ck, piece, a_conj, node):
        return []
    w = ck.witness_for(piece, a_conj, {"not": node})
    kind = proved(w)
    return [
        Change(
            f"{path}/not",
            "NOT_NO_OVERLAP",
            True,
            "values accepted before may match the excluded schema",
            w,
            kind=kind,
        )
    ]


def _same_condition(ck: Prover, a_conj: Conj, node: dict[str, Any], path: str) -> bool:
    """The left side holds ``if C then T else E`` with the same ``C``: the right one holds
    when ``T`` (with the left side) is inside its ``then`` and ``E`` inside its ``else``."""
    cond, then, other = node["if"], node.get("then", True), node.get("else", True)
    for x in ck.left_nodes(a_conj):
        if "if" not in x or not ck.alike(x["if"], cond):
            continue
        yes = ck.incl((*a_conj, x.get("then", True)), (then,), f"{path}/then")
        if not _fails(yes) and not _fails(
            ck.incl((*a_conj, x.get("else", True)), (other,), f"{path}/else")
        ):
            return True
    return False


def if_in(
    ck: Prover, piece: Branch, a_conj: tuple[Any, ...], node: dict[str, Any], path: str
) -> list[Change]:
    """Findings of piece ⊆ if/then/else."""
    if ck.implied(a_conj, node, ("if", "then", "else")):
        return []  # the same condition, held by the left side already
    if _same_condition(ck, a_conj, node, path):
        return []
    cond, then, other = node["if"], node.get("then", True), node.get("else", True)
    if not _fails(ck.branch_in(piece, a_conj, cond, f"{path}/if")):
        return ck.branch_in(piece, a_conj, then, f"{path}/then")
    if disjoint(ck, piece, a_conj, cond):
        return ck.branch_in(piece, a_conj, other, f"{path}/else")
    both = ck.branch_in(piece, a_conj, then, f"{path}/then")
    both += ck.branch_in(piece, a_conj, other, f"{path}/else")
    if not _fails(both):
        return []
    sub = {k: node[k] for k in ("if", "then", "else") if k in node}
    w = ck.witness_for(piece, a_conj, sub)
    kind = proved(w)
    return [
        Change(
            f"{path}/if",
            "CANNOT_PROVE",
            True,
            "cannot prove the if/then/else condition holds for every old value",
            w,
            kind=kind,
        )
    ]
