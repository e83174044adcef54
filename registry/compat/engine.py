"""The inclusion checker: pairs left and right nodes and hands each pair to the topic rules.

`Checker.incl(A, B)` answers "is every value of A accepted by B?" as a list
of findings (empty = proved). The left side is rewritten into a union of
branches (`normal`), each branch split by JSON type into pieces; the right
side is a conjunction, so each of its nodes is checked on its own: its simple
keywords by topic module, its combinators by `combinators`. Finite pieces
(null, booleans, enums, small integer ranges) are decided exactly by
validating every value. Recursive schemas are handled coinductively: a pair
already under comparison is assumed to hold.
"""

from __future__ import annotations

import json
from typing import Any, Final

from . import arrays, combinators, numbers, objects, strings
from .blame import blame
from .docs import Doc, format_ok
from .inner import Conj
from .model import NO_WITNESS, Change, Kind, proved
from .normal import (
    ALL_TYPES,
    ARRAY_KW,
    NUMBER_KW,
    OBJECT_KW,
    STRING_KW,
    TOP,
    Branch,
    declared_types,
    is_trivial,
    json_equal,
    json_type,
    meet_types,
    product,
    simple_part,
    union,
    unsupported_keys,
)

MAX_DEPTH: Final = 400
_NUMERIC: Final = frozenset({"integer", "number"})


def _branch_key(piece: Branch) -> tuple[Any, ...]:
    return (tuple(map(id, piece.parts)), piece.types)


class Checker:
    """State of one inclusion question: both documents, the pairs in progress, caches."""

    def __init__(self, a_root: Any, b_root: Any) -> None:
        self.a = Doc(a_root)
        self.b = Doc(b_root)
        self.active: set[tuple[Any, ...]] = set()
        self.cache: dict[tuple[Any, ...], tuple[Conj, Conj, str, list[Change]]] = {}
        self.same_roots = json_equal(a_root, b_root)
        self.empties: dict[tuple[int, ...], tuple[Conj, bool]] = {}
        self.ref_agreement: dict[str, bool] = {}
        self.assumed = 0
        self.depth = 0

    # -- recursion bookkeeping -------------------------------------------------
    def too_deep(self) -> bool:
        return self.depth > MAX_DEPTH

    def enter(self) -> bool:
        self.depth += 1
        return not self.too_deep()

    def leave(self) -> None:
        self.depth -= 1

    # -- the Inner protocol ------------------------------------------------------
    def incl(self, a: Conj, b: Conj, path: str) -> list[Change]:
        b = tuple(x for x in b if not is_trivial(x))
        if not b or any(x is False for x in a):
            return []
        key = (tuple(map(id, a)), tuple(map(id, b)))
        hit = self.cache.get(key)
        if hit is not None:
            return _moved(hit[3], hit[2], path)
        if key in self.active:
            self.assumed += 1
            return []
        before = self.assumed
        self.active.add(key)
        try:
            found = self._incl(a, b, path)
        finally:
            self.active.discard(key)
        if self.assumed == before:
            self.cache[key] = (a, b, path, found)
        return found

    def _incl(self, a: Conj, b: Conj, path: str) -> list[Change]:
        if not self.enter():
            self.leave()
            return [Change(path, "CANNOT_PROVE", True, "schema too deep", kind="unknown")]
        try:
            if self._same(a, b):
                return []
            out: list[Change] = []
            for branch in self.dnf_conj(a):
                for node in b:
                    out += self.branch_in(branch, a, node, path)
            return out
        finally:
            self.leave()

    def _same(self, a: Conj, b: Conj) -> bool:
        refs: set[Any] = set()
        if not _equal_noting_refs(a, b, refs):
            return False
        return self.same_roots or self._refs_agree(refs)

    def _refs_agree(self, todo: set[Any]) -> bool:
        """Whether every reference reachable from ``todo`` points at equal schemas in both
        documents: then equal nodes accept the same values on both sides."""
        seen: set[Any] = set()
        while todo:
            ref = todo.pop()
            if ref is None:
                return False  # a `$ref` that is not a string: not judged here
            if ref in seen:
                continue
            seen.add(ref)
            agreed = self.ref_agreement.get(ref)
            if agreed is None:
                found_a, target_a = self.a.resolve(ref)
                found_b, target_b = self.b.resolve(ref)
                agreed = found_a and found_b and json_equal(target_a, target_b)
                self.ref_agreement[ref] = agreed
            if not agreed:
                return False
            todo |= _refs_in(self.a.resolve(ref)[1])
        return True

    def empty(self, a: Conj) -> bool:
        if any(x is False for x in a):
            return True
        key = tuple(map(id, a))
        hit = self.empties.get(key)
        if hit is None:
            self.empties[key] = (a, False)  # while in progress, assume values exist (sound)
            hit = (a, self._empty(a))
            self.empties[key] = hit
        return hit[1]

    def _empty(self, a: Conj) -> bool:
        if self.too_deep():
            return False
        self.depth += 1
        try:
            for branch in self.dnf_conj(a):
                for t in branch.types:
                    piece = Branch(frozenset({t}), branch.parts, branch.exact)
                    vals = self.finite(piece, t, a)
                    if vals or (vals is None and not self.piece_empty(piece, t)):
                        return False
            return True
        finally:
            self.depth -= 1

    def a_ok(self, a: Conj, value: Any) -> bool:
        return self.a.accepts_all(a, value, True)

    def b_ok(self, b: Conj, value: Any) -> bool:
        return self.b.accepts_all(b, value, True)

    def b_sure(self, b: Conj, value: Any) -> bool:
        """Right document certainly accepts value."""
        return self.b.accepts_all(b, value, False)

    def sample(self, a: Conj) -> Any:
        if self.too_deep():
            return NO_WITNESS
        self.depth += 8
        try:
            for branch in self.dnf_conj(a):
                for t in sorted(branch.types):
                    piece = Branch(frozenset({t}), branch.parts, branch.exact)
                    for v in self.candidates(piece, t):
                        if self.a_ok(a, v):
                            return v
            return NO_WITNESS
        finally:
            self.depth -= 8

    # -- left-hand normal form ------------------------------------------------------
    def dnf_conj(self, a: Conj) -> list[Branch]:
        out = [TOP]
        for node in a:
            out = product(out, self.dnf(node, ()))
        return out

    def dnf(self, node: Any, refs: tuple[str, ...]) -> list[Branch]:
        """The union of branches that contains every value `node` (left side) accepts."""
        if node is False:
            return []
        if not isinstance(node, dict):
            return [TOP]
        part = simple_part(node)
        out = [Branch(declared_types(node), (part,) if part else ())]
        if "$ref" in node:
            out = product(out, self._dnf_ref(node["$ref"], refs))
        for sub in node.get("allOf", ()) if isinstance(node.get("allOf"), list) else ():
            out = product(out, self.dnf(sub, refs))
        for key in ("anyOf", "oneOf"):
            subs = node.get(key)
            if isinstance(subs, list):
                alts = union(self.dnf(s, refs) for s in subs)
                if key == "oneOf" and len(subs) > 1:
                    alts = [b.widened() for b in alts]
                out = product(out, alts)
        if "not" in node:
            out = [self._fold_not(b, node["not"]) for b in out]
        if "if" in node:
            alts = union(self.dnf(node.get(k, True), refs) for k in ("then", "else"))
            out = product(out, [b.widened() for b in alts])
        if any(
            k in node
            for k in (
                "dependentSchemas",
                "$dynamicRef",
                "unevaluatedItems",
                "unevaluatedProperties",
            )
        ):
            out = [b.widened() for b in out]
        return [b for b in out if b.types]

    def _dnf_ref(self, ref: Any, refs: tuple[str, ...]) -> list[Branch]:
        found, target = self.a.resolve(ref) if isinstance(ref, str) else (False, None)
        if not found or ref in refs or len(refs) > 64:
            return [TOP.widened()]
        return self.dnf(target, (*refs, ref))

    def _fold_not(self, branch: Branch, sub: Any) -> Branch:
        if is_trivial(sub):
            return Branch(frozenset(), branch.parts)
        if isinstance(sub, dict) and set(sub) == {"type"}:
            gone = declared_types(sub)
            keep = frozenset(t for t in branch.types if not meet_types(frozenset({t}), gone))
            if "integer" in gone and "number" in branch.types and "number" not in gone:
                return Branch(keep | {"number"}, branch.parts, False)
            return Branch(keep, branch.parts, branch.exact)
        return branch.widened()

    # -- one left branch against one right node ---------------------------------------
    def branch_in(self, branch: Branch, a: Conj, node: Any, path: str) -> list[Change]:
        if is_trivial(node):
            return []
        out: list[Change] = []
        for t in sorted(branch.types):
            piece = Branch(frozenset({t}), branch.parts, branch.exact)
            out += self.piece_in(piece, t, a, node, path)
        return _collapse(out, f"{path}/type")

    def piece_in(self, piece: Branch, t: str, a: Conj, node: Any, path: str) -> list[Change]:
        vals = self.finite(piece, t, a)
        if vals is not None:
            return self._values_in(vals, t, node, path)
        if not isinstance(node, dict):
            if self.piece_empty(piece, t):
                return []
            w = self.witness_for(piece, a, False)
            rule = "NULLABLE_NO_REMOVE" if t == "null" else "TYPE_NO_NARROW"
            kind: Kind = "no" if w is not NO_WITNESS or piece.exact else "unknown"
            return [Change(path, rule, True, "no value is accepted any more", w, kind=kind)]
        out = self.simple_in(piece, t, a, node, path) + self.applicators_in(piece, t, a, node, path)
        if out and self.piece_empty(piece, t):
            return []  # an empty piece is included in anything: asked only when it matters
        return out if piece.exact else [_unproved(c) for c in out]

    def _values_in(self, vals: list[Any], t: str, node: Any, path: str) -> list[Change]:
        out = []
        for v in vals:
            got = self.b.check(node, v)
            if got is None:
                out.append(
                    Change(
                        path,
                        "CANNOT_PROVE",
                        True,
                        f"cannot validate {_json(v)} (unsupported regex or reference)",
                        kind="unknown",
                    )
                )
            elif not got:
                rule, key = blame(self.b, node, v)
                out.append(
                    Change(
                        f"{path}{key}",
                        rule,
                        True,
                        f"value {_json(v)} accepted before is rejected now",
                        v,
                    )
                )
        return out

    def finite(self, piece: Branch, t: str, a: Conj) -> list[Any] | None:
        """Every value of the piece that A accepts, when the piece is small and finite."""
        cands = self._enum(piece, t)
        if cands is None:
            cands = self._small(piece, t)
        if cands is None:
            return None
        return [v for v in cands if self.a_ok(a, v)]

    def _enum(self, piece: Branch, t: str) -> list[Any] | None:
        lists = [combinators.finite_values(p) for p in piece.parts]
        known = [x for x in lists if x is not None]
        if not known:
            return None
        return [v for v in min(known, key=len) if _has_type(v, t)]

    def _small(self, piece: Branch, t: str) -> list[Any] | None:
        if t == "null":
            return [None]
        if t == "boolean":
            return [True, False]
        if t in _NUMERIC:
            return numbers.finite(numbers.view(piece.parts, t == "integer"))
        if t == "string":
            return strings.finite(strings.view(piece.parts))
        return None

    def piece_empty(self, piece: Branch, t: str) -> bool:
        if t in _NUMERIC:
            return numbers.empty(numbers.view(piece.parts, t == "integer"))
        if t == "string":
            return strings.empty(strings.view(piece.parts))
        if t == "array":
            return arrays.empty(arrays.left(piece.parts), self)
        if t == "object":
            return objects.empty(objects.left(piece.parts), self)
        return False

    # -- the right node's own keywords ----------------------------------------------------
    def simple_in(
        self, piece: Branch, t: str, a: Conj, node: dict[str, Any], path: str
    ) -> list[Change]:
        bt = declared_types(node)
        if t == "number" and "number" not in bt and "integer" in bt:
            if not _integral(piece):
                return self._type_change(piece, t, a, node, path)
            t = "integer"
        if not meet_types(frozenset({t}), bt):
            return self._type_change(piece, t, a, node, path)
        if "const" in node or "enum" in node:
            return [self._enum_change(piece, a, node, path)]
        b_int = "integer" in bt and "number" not in bt
        out = self._typed(piece, t, a, simple_part(node), path, b_int=b_int)
        return out + self._unsupported(piece, node, path)

    def _typed(
        self, piece: Branch, t: str, a: Conj, node: dict[str, Any], path: str, *, b_int: bool
    ) -> list[Change]:
        keys = node.keys()
        if t in _NUMERIC and (b_int or not keys.isdisjoint(NUMBER_KW)):
            av = numbers.view(piece.parts, t == "integer")
            found = numbers.compare(av, numbers.view([node], b_int), path)
            return self._verified(found, a, node)
        if t == "string" and not keys.isdisjoint(STRING_KW):
            av_s = strings.view(piece.parts)

            def accepts(v: Any) -> bool:
                return self.a_ok(a, v)

            found = strings.compare(av_s, strings.view([node]), path, accepts, format_ok)
            return self._verified(found, a, node)
        if t == "array" and not keys.isdisjoint(ARRAY_KW):
            return arrays.compare(arrays.left(piece.parts), arrays.view(node), self, path)
        if t == "object" and not keys.isdisjoint(OBJECT_KW):
            return objects.compare(objects.left(piece.parts), objects.view(node), self, path)
        return []

    def _verified(self, found: list[Change], a: Conj, node: Any) -> list[Change]:
        return [c if self._holds(c, a, node) else _unproved(c) for c in found]

    def _holds(self, c: Change, a: Conj, node: Any) -> bool:
        """A "no" finding stands only with a witness that A accepts and `node` rejects."""
        if c.kind != "no":
            return True
        w = c.witness
        return c.has_witness and self.a_ok(a, w) and not self.b.accepts(node, w, True)

    def _type_change(self, piece: Branch, t: str, a: Conj, node: Any, path: str) -> list[Change]:
        w = self.witness_for(piece, a, node)
        rule = "NULLABLE_NO_REMOVE" if t == "null" else "TYPE_NO_NARROW"
        kind = proved(w)
        return [
            Change(f"{path}/type", rule, True, f"{t} values are no longer accepted", w, kind=kind)
        ]

    def _enum_change(self, piece: Branch, a: Conj, node: dict[str, Any], path: str) -> Change:
        w = self.witness_for(piece, a, node)
        key, rule = ("const", "CONST_NO_CHANGE") if "const" in node else ("enum", "ENUM_NO_ADD")
        kind = proved(w)
        return Change(
            f"{path}/{key}", rule, True, "values are now restricted to a fixed set", w, kind=kind
        )

    def _unsupported(self, piece: Branch, node: dict[str, Any], path: str) -> list[Change]:
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

    # -- the right node's combinators ------------------------------------------------------
    def applicators_in(
        self, piece: Branch, t: str, a: Conj, node: dict[str, Any], path: str
    ) -> list[Change]:
        out: list[Change] = []
        if "$ref" in node:
            out += self._ref_in(piece, a, node["$ref"], path)
        subs = node.get("allOf")
        for i, sub in enumerate(subs if isinstance(subs, list) else ()):
            out += self.branch_in(piece, a, sub, f"{path}/allOf/{i}")
        for key in ("anyOf", "oneOf"):
            if key in node:
                out += combinators.union_in(self, piece, a, node, key, path=path)
        if "not" in node:
            out += combinators.not_in(self, piece, a, node["not"], path)
        if "if" in node:
            out += combinators.if_in(self, piece, a, node, path)
        if "dependentSchemas" in node and not any(
            json_equal(p.get("dependentSchemas"), node["dependentSchemas"]) for p in piece.parts
        ):
            out.append(
                Change(
                    f"{path}/dependentSchemas",
                    "KEYWORD_UNSUPPORTED",
                    True,
                    "dependentSchemas is not decided by the engine",
                    kind="unknown",
                )
            )
        return out

    def _ref_in(self, piece: Branch, a: Conj, ref: Any, path: str) -> list[Change]:
        found, target = self.b.resolve(ref) if isinstance(ref, str) else (False, None)
        if not found:
            return [
                Change(
                    f"{path}/$ref",
                    "REF_UNRESOLVED",
                    True,
                    f"cannot resolve {ref!r}",
                    kind="unknown",
                )
            ]
        key = ("ref", _branch_key(piece), id(target))
        if key in self.active:
            self.assumed += 1
            return []
        self.active.add(key)
        try:
            if not self.enter():
                return [Change(path, "CANNOT_PROVE", True, "schema too deep", kind="unknown")]
            return self.branch_in(piece, a, target, f"{path}/$ref")
        finally:
            self.leave()
            self.active.discard(key)

    # -- witnesses ---------------------------------------------------------------------------
    def candidates(self, piece: Branch, t: str) -> list[Any]:
        """Values that may belong to the piece (callers check them)."""
        vals = self._enum(piece, t) or self._small(piece, t)
        if vals:
            return vals
        if t in _NUMERIC:
            v = numbers.view(piece.parts, t == "integer")
            return [numbers.to_json(x) for x in numbers.candidates(v, numbers.NumView())]
        if t == "string":
            return strings.sample(strings.view(piece.parts), lambda _: True)
        if t == "array":
            return [arrays.sample(arrays.left(piece.parts), self), []]
        if t == "object":
            obj = objects.sample(objects.left(piece.parts), self)
            return [{}] if obj is None else [obj, {}]
        return []

    def witness_for(self, piece: Branch, a: Conj, node: Any) -> Any:
        """A value A accepts and `node` (right side) rejects, found among candidates."""
        t = next(iter(piece.types)) if len(piece.types) == 1 else None
        types = [t] if t else sorted(piece.types)
        for ty in types:
            for v in self.candidates(Branch(frozenset({ty}), piece.parts), ty):
                if self.a_ok(a, v) and not self.b.accepts(node, v, True):
                    return v
        return NO_WITNESS


def _equal_noting_refs(x: Any, y: Any, refs: set[Any]) -> bool:
    """``json_equal``, noting the `$ref` values met on the way (None for one that is not a
    string): one walk where the two would take two."""
    if isinstance(x, dict):
        if not isinstance(y, dict) or x.keys() != y.keys():
            return False
        if "$ref" in x:
            refs.add(x["$ref"] if isinstance(x["$ref"], str) else None)
        return all(_equal_noting_refs(v, y[k], refs) for k, v in x.items())
    if isinstance(x, list | tuple):
        return (
            isinstance(y, list | tuple)
            and len(x) == len(y)
            and all(_equal_noting_refs(i, j, refs) for i, j in zip(x, y, strict=True))
        )
    return json_equal(x, y)


def _refs_in(node: Any) -> set[Any]:
    """The `$ref` values written anywhere in ``node`` (None for one that is not a string)."""
    found: set[Any] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "$ref" in item:
                ref = item["$ref"]
                found.add(ref if isinstance(ref, str) else None)
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return found


def _has_type(v: Any, t: str) -> bool:
    jt = json_type(v)
    return jt == t or (t == "number" and jt == "integer")


def _integral(piece: Branch) -> bool:
    v = numbers.view(piece.parts, False)
    return v.step is not None and v.step.denominator == 1


def _unproved(c: Change) -> Change:
    if c.kind != "no":
        return c
    return Change(c.path, c.rule, c.breaking, c.message, NO_WITNESS, c.direction, "unknown")


def _collapse(found: list[Change], here: str) -> list[Change]:
    """One TYPE_NO_NARROW at `here`, naming every JSON type that is lost."""
    lost: dict[str, list[str]] = {}
    out: list[Change] = []
    for c in found:
        if c.rule != "TYPE_NO_NARROW" or not c.has_witness or c.path != here:
            out.append(c)
            continue
        if c.path not in lost:
            lost[c.path] = []
            out.append(c)
        lost[c.path].append(json_type(c.witness))
    return [
        Change(
            c.path,
            c.rule,
            True,
            f"{', '.join(dict.fromkeys(lost[c.path]))} values are no longer accepted",
            c.witness,
            c.direction,
            c.kind,
        )
        if c.path in lost and c.rule == "TYPE_NO_NARROW" and c.has_witness
        else c
        for c in out
    ]


def _moved(found: list[Change], base: str, path: str) -> list[Change]:
    if base == path:
        return list(found)
    return [
        Change(
            path + c.path[len(base) :] if c.path.startswith(base) else c.path,
            c.rule,
            c.breaking,
            c.message,
            c.witness,
            c.direction,
            c.kind,
        )
        for c in found
    ]


__all__ = ["ALL_TYPES", "Checker"]


def _json(value: Any) -> str:
    """A value as JSON writes it (`null`, `true`), for messages."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
