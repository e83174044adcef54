"""What the left side already holds, and when a left node and a right node are the same.

Two documents written alike accept the same values, so a right node written exactly as a
node the left conjunction holds (its members, their ``allOf`` members and ``$ref``
targets) is proved without comparing keyword by keyword: a constraint moved between
``allOf`` members, into or out of a ``$ref``, or an unchanged union next to changed
siblings. "Alike" is JSON equality of the nodes with every reference they reach pointing
at equal schemas in both documents, or, for a reference to another document (never
fetched), written alike from the same base.
"""

from __future__ import annotations

from typing import Any

from .document import SchemaDocument
from .inner import Conj
from .normal import json_equal


class Sameness:
    """Alike-ness of left and right nodes for one question, memoised."""

    def __init__(self, a: SchemaDocument, b: SchemaDocument, same_roots: bool) -> None:
        self.a = a
        self.b = b
        self.same_roots = same_roots
        self.agreed: dict[str, bool] = {}
        self.closures: dict[tuple[int, ...], tuple[Conj, list[Any]]] = {}

    def same(self, a: Conj, b: Conj) -> bool:
        """Both conjunctions written alike, every reference they reach agreeing."""
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
            agreed = self.agreed.get(ref)
            if agreed is None:
                found_a, target_a = self.a.resolve(ref)
                found_b, target_b = self.b.resolve(ref)
                agreed = (found_a and found_b and json_equal(target_a, target_b)) or (
                    not found_a and not found_b and self._same_elsewhere(ref)
                )
                self.agreed[ref] = agreed
            if not agreed:
                return False
            todo |= refs_in(self.a.resolve(ref)[1])
        return True

    def _same_elsewhere(self, ref: str) -> bool:
        """A reference to another document, written alike on both sides from the same base:
        both name the same schema, whatever it holds (it is never fetched)."""
        return not ref.startswith("#") and self.a.base == self.b.base

    def whole(self, a: Conj, node: Any) -> bool:
        """Whether the left conjunction itself holds ``node`` (alike on both sides): a
        constraint moved between ``allOf`` members, or into or out of a ``$ref``."""
        if not isinstance(node, dict):
            return False
        return any(self.same((x,), (node,)) for x in self.closure(a) if _could_match(x, node))

    def _alike(self, x: Any, y: Any) -> bool:
        return self.same((x,), (y,))

    def closure(self, a: Conj) -> list[Any]:
        """Nodes every value of the left conjunction satisfies (memoised)."""
        key = tuple(map(id, a))
        conj = self.closures.get(key)
        if conj is None:
            conj = self.closures[key] = (a, _conjuncts(self.a, a))
        return conj[1]

    def implied_entry(self, a: Conj, key: str, name: str, sub: Any) -> bool:
        """Whether some node the left conjunction holds has ``sub`` at ``key``/``name``
        (one entry of ``dependentSchemas``, alike on both sides)."""
        for x in self.closure(a):
            entries = x.get(key)
            if isinstance(entries, dict) and name in entries and self._alike(entries[name], sub):
                return True
        return False

    def implied(self, a: Conj, node: dict[str, Any], keys: tuple[str, ...]) -> bool:
        """Whether some node the left conjunction holds has the same ``keys`` (a group that
        means something on its own, such as ``if``/``then``/``else``) as ``node``."""
        mine = {k: node[k] for k in keys if k in node}
        return self.whole(a, mine) or any(
            self.same(({k: x[k] for k in mine if k in x},), (mine,))
            for x in self.closure(a)
            if all(k in x for k in mine)
        )


def _conjuncts(doc: SchemaDocument, a: Conj) -> list[Any]:
    """Every node that each value of the conjunction satisfies: its members, their
    ``allOf`` members and ``$ref`` targets, transitively (bounded)."""
    out: list[Any] = []
    seen: set[int] = set()
    todo = [x for x in a if isinstance(x, dict)]
    while todo and len(out) < 64:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        out.append(node)
        subs = node.get("allOf")
        todo += [x for x in subs if isinstance(x, dict)] if isinstance(subs, list) else []
        ref = node.get("$ref")
        if isinstance(ref, str):
            found, target = doc.resolve(ref)
            if found and isinstance(target, dict):
                todo.append(target)
    return out


def _could_match(x: dict[str, Any], node: dict[str, Any]) -> bool:
    """A cheap test before the exact one: the same keywords."""
    return x.keys() == node.keys()


def _equal_noting_refs(x: Any, y: Any, refs: set[Any]) -> bool:
    """``json_equal``, noting the `$ref` values met on the way (None for one that is not a
    string): one walk where the two would take two."""
    if isinstance(x, dict):
        if not isinstance(y, dict) or x.keys() != y.keys():
            return False
        if "$ref" in x:
            refs.add(x["$ref"] if isinstance(x["$ref"], str) else None)
        for k, v in x.items():  # a loop, and text compared here: most values are text
            w = y[k]
            if type(v) is str:
                if type(w) is not str or v != w:
                    return False
            elif not _equal_noting_refs(v, w, refs):
                return False
        return True
    if isinstance(x, list | tuple):
        return (
            isinstance(y, list | tuple)
            and len(x) == len(y)
            and all(_equal_noting_refs(i, j, refs) for i, j in zip(x, y, strict=True))
        )
    return json_equal(x, y)


def refs_in(node: Any) -> set[Any]:
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
