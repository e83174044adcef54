"""The inclusion engine: is every JSON value that schema A accepts accepted by schema B?

**Why it is organised by topic, not one function per rule.** A rule id
(``STRING_MAX_LENGTH_NO_DECREASE``, ``ENUM_VALUE_NO_DELETE``) names *what* broke, but
whether a change breaks cannot be decided one keyword at a time: a ``maxLength`` on
the right must be weighed against everything the left side says about the same
strings (its own ``maxLength``, a ``pattern``, an ``enum`` of three short words, the
``anyOf`` branch it came through). So the engine first puts the left side in normal
form (``left``): a union of branches, each split into *pieces* of one JSON type
(``pieces``). For every piece and every node of the right side (a conjunction: each
node must hold on its own) it asks "is this piece inside this node?", and the
question goes to the module of the piece's type, which sees all of that type's
constraints at once: ``numbers`` (bounds and ``multipleOf`` as exact fractions),
``strings`` (lengths in code points, ECMA-262 patterns, formats), ``arrays`` (items
by position, counts, uniqueness, ``contains``) and ``objects`` (properties,
additional and pattern properties, required names, counts, names). ``keywords``
hands a right node's own keywords to them; ``combinators`` takes its ``$ref``,
``allOf``, ``anyOf``/``oneOf``, ``not`` and ``if``. Finite pieces (null, the
booleans, enums, small integer ranges) are decided exactly, by validating every
value against the right node (``document``).

**How rules are recorded.** Every answer is a list of ``Change``s (``model``): the
JSON pointer of the deciding keyword in B, the rule id, a message and, for a
proved break, a *witness*, a value that A accepts and B rejects, checked against
both documents before it is kept (kind "no"). A change without a checked witness
is "unknown" (cannot prove), which is never counted as compatible. An empty list
is a proof of inclusion. The ids and their documentation are the catalogue in
``rules``; ``blame`` names the rule of the keyword that rejects a finite value.

**Proofs shared between questions.** ``Checker`` may be given a set of proofs that
outlives it, keyed by content (``shared``): a registry asks about each shared type in
every pair that uses it.

**Recursion and the work budget.** Recursive schemas are handled coinductively: a pair
already under comparison is assumed to hold, and an answer that leaned on such an
assumption is not cached. Past ``MAX_DEPTH`` levels the answer is "unknown". Every
question costs work: each (left, right) pair compared and each left branch weighed
against a right node is one step, and unions on the left are cut at ``MAX_BRANCHES``
(``normal.OVER`` stands for the rest). When a question has spent ``MAX_STEPS`` steps, or
``MAX_SECONDS`` of wall-clock time (the last resort for steps that are slow on their own,
such as validating a value against a huge schema), whatever is still open is answered
"unknown" with ``COMPAT_BUDGET_EXCEEDED``: a pre-commit hook must never hang, and no
input may exhaust the stack.

``Checker`` holds the state of one question and implements the ``Prover`` protocol
(``inner``) through which the topic modules recurse; none of them imports it.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import Any, Final

from . import combinators, keywords, mutate, pieces
from .alike import Sameness
from .blame import blame
from .document import SchemaDocument
from .inner import Conj
from .left import dnf_conj
from .model import NO_WITNESS, Change, Kind, tentative
from .normal import ALL_TYPES, Branch, is_trivial, json_equal, json_type
from .shared import shared_key

MAX_DEPTH: Final = 400
MAX_STEPS: Final = 8_000
MAX_SECONDS: Final = 1.0
BUDGET: Final = "COMPAT_BUDGET_EXCEEDED"


class Checker:
    """State of one inclusion question: both documents, the pairs in progress, caches."""

    def __init__(self, a_root: Any, b_root: Any, proved: set[str] | None = None) -> None:
        self.a = SchemaDocument(a_root)
        self.b = SchemaDocument(b_root)
        self.proved = proved  # proofs shared with other questions, by content (see above)
        self.active: set[tuple[Any, ...]] = set()
        self.cache: dict[tuple[Any, ...], tuple[Conj, Conj, str, list[Change]]] = {}
        self.sameness = Sameness(self.a, self.b, json_equal(a_root, b_root))
        self.empties: dict[tuple[int, ...], tuple[Conj, bool]] = {}
        self.assumed = 0
        self.depth = 0
        self.steps = 0
        self.deadline = time.monotonic() + MAX_SECONDS
        self.spent = False

    # -- recursion bookkeeping and the work budget -----------------------------
    def step(self) -> bool:
        """Count one step of work; False once the budget is spent (then for good)."""
        self.steps += 1
        if not self.spent and (
            self.steps > MAX_STEPS or (self.steps % 64 == 0 and time.monotonic() > self.deadline)
        ):
            self.spent = True
        return not self.spent

    def too_deep(self) -> bool:
        return self.depth > MAX_DEPTH or self.spent

    def enter(self) -> bool:
        self.depth += 1
        return not self.too_deep()

    def leave(self) -> None:
        self.depth -= 1

    # -- the Inner protocol ------------------------------------------------------
    def incl(self, a: Conj, b: Conj, path: str) -> list[Change]:
        if len(b) == 1:  # the usual case, without a generator
            b = () if is_trivial(b[0]) else b
        else:
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
        shared = None if self.proved is None else shared_key(self.a, self.b, a, b)
        if shared is not None and shared in self.proved:  # type: ignore[operator]
            return []
        before = self.assumed
        self.active.add(key)
        try:
            found = self._incl(a, b, path)
        finally:
            self.active.discard(key)
        if self.assumed == before:
            self.cache[key] = (a, b, path, found)
            if shared is not None and not found and not self.spent:
                self.proved.add(shared)  # type: ignore[union-attr]
        return found

    def _incl(self, a: Conj, b: Conj, path: str) -> list[Change]:
        if not self.step():
            return [_over_budget(path)]
        if not self.enter():
            self.leave()
            return [Change(path, "CANNOT_PROVE", True, "schema too deep", kind="unknown")]
        try:
            if self._same(a, b):
                return []
            out: list[Change] = []
            for branch in dnf_conj(self.a, a):
                for node in b:
                    out += self.branch_in(branch, a, node, path)
            return out
        finally:
            self.leave()

    def _same(self, a: Conj, b: Conj) -> bool:
        return self.sameness.same(a, b)

    # -- what the left side already holds (``alike``) ----------------------------
    def alike(self, x: Any, y: Any) -> bool:
        """A left node and a right node written alike (their references agreeing)."""
        return self.sameness.same((x,), (y,))

    def left_nodes(self, a: Conj) -> list[Any]:
        return self.sameness.closure(a)

    def implied(self, a: Conj, node: dict[str, Any], keys: tuple[str, ...]) -> bool:
        return self.sameness.implied(a, node, keys)

    def implied_entry(self, a: Conj, key: str, name: str, sub: Any) -> bool:
        return self.sameness.implied_entry(a, key, name, sub)

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
            for branch in dnf_conj(self.a, a):
                for t in branch.types:
                    piece = pieces.one_type(branch, t)
                    vals = pieces.finite(self, piece, t, a)
                    if vals or (vals is None and not pieces.empty(self, piece, t)):
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
            for branch in dnf_conj(self.a, a):
                for t in sorted(branch.types):
                    piece = pieces.one_type(branch, t)
                    for v in pieces.candidates(self, piece, t):
                        if self.a_ok(a, v):
                            return v
            return NO_WITNESS
        finally:
            self.depth -= 8

    # -- one left branch against one right node: the Prover protocol --------------------
    def branch_in(self, branch: Branch, a: Conj, node: Any, path: str) -> list[Change]:
        if is_trivial(node):
            return []
        if branch.over or not self.step():
            return [_over_budget(path, branch.over)]
        if self.sameness.whole(a, node):
            return []
        out: list[Change] = []
        for t in sorted(branch.types):
            out += self._piece_in(pieces.one_type(branch, t), t, a, node, path)
        return _collapse(out, f"{path}/type")

    def _piece_in(self, piece: Branch, t: str, a: Conj, node: Any, path: str) -> list[Change]:
        vals = pieces.finite(self, piece, t, a)
        if vals is not None:
            return self._values_in(vals, node, path)
        if not isinstance(node, dict):
            if pieces.empty(self, piece, t):
                return []
            w = self.witness_for(piece, a, False)
            rule = "NULLABLE_NO_REMOVE" if t == "null" else "TYPE_NO_NARROW"
            kind: Kind = "no" if w is not NO_WITNESS or piece.exact else "unknown"
            return [Change(path, rule, True, "no value is accepted any more", w, kind=kind)]
        out = keywords.simple_in(self, piece, t, a, node, path=path)
        out += combinators.applicators_in(self, piece, a, node, path)
        if out and pieces.empty(self, piece, t):
            return []  # an empty piece is included in anything: asked only when it matters
        if not piece.exact:
            return [tentative(c) for c in out]  # the lifted witness may still prove it
        return self._witnessed(out, piece, a, node)

    def _witnessed(self, found: list[Change], piece: Branch, a: Conj, node: Any) -> list[Change]:
        """A proved change without an example gets one here (a value of the piece that
        ``node`` rejects), so that it can be shown as a whole instance."""
        if not any(c.kind == "no" and not c.has_witness for c in found):
            return found
        w = self.witness_for(piece, a, node)
        if w is NO_WITNESS:
            return found
        return [replace(c, witness=w) if c.kind == "no" and not c.has_witness else c for c in found]

    def _values_in(self, vals: list[Any], node: Any, path: str) -> list[Change]:
        """A finite piece, decided value by value."""
        out = []
        for v in vals:
            got = self.b.check(node, v)
            if got is None:
                message = f"cannot validate {_json(v)} (unsupported regex or reference)"
                out.append(Change(path, "CANNOT_PROVE", True, message, kind="unknown"))
            elif not got:
                rule, key = blame(self.b, node, v)
                message = f"value {_json(v)} accepted before is rejected now"
                out.append(Change(f"{path}{key}", rule, True, message, v))
        return out

    def ref_in(self, piece: Branch, a: Conj, ref: Any, path: str) -> list[Change]:
        found, target = self.b.resolve(ref) if isinstance(ref, str) else (False, None)
        if not found:
            message = f"cannot resolve {ref!r}"
            return [Change(f"{path}/$ref", "REF_UNRESOLVED", True, message, kind="unknown")]
        key = ("ref", (tuple(map(id, piece.parts)), piece.types), id(target))
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

    def witness_for(self, piece: Branch, a: Conj, node: Any) -> Any:
        """A value A accepts and `node` (right side) rejects, found among candidates."""
        t = next(iter(piece.types)) if len(piece.types) == 1 else None
        types = [t] if t else sorted(piece.types)
        tried = []
        for ty in types:
            for v in pieces.candidates(self, Branch(frozenset({ty}), piece.parts), ty):
                if self._tells(a, node, v):
                    return v
                tried.append(v)
        for v in tried[:4]:
            for w in mutate.variants(v, node, piece.parts):
                if self._tells(a, node, w):
                    return w
        return NO_WITNESS

    def whole_witness(self) -> Any:
        """A whole instance the left root accepts and the right root rejects, or NO_WITNESS."""
        root = (self.a.root,)
        for branch in dnf_conj(self.a, root)[:16]:
            w = self.witness_for(branch, root, self.b.root)
            if w is not NO_WITNESS and self.b.check(self.b.root, w) is False:
                return w
        return NO_WITNESS

    def _tells(self, a: Conj, node: Any, v: Any) -> bool:
        """Certainly accepted by the left side and rejected by the right ``node``."""
        return self.a.accepts_all(a, v, False) and not self.b.accepts(node, v, True)


def _over_budget(path: str, branches: bool = False) -> Change:
    what = "too many union branches" if branches else "the work budget is spent"
    return Change(path, BUDGET, True, f"not decided: {what}", kind="unknown")


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


def _json(value: Any) -> str:
    """A value as JSON writes it (`null`, `true`), for messages."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


__all__ = ["ALL_TYPES", "Checker"]
