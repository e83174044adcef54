"""The left-hand side in normal form: a union of branches, each a conjunction of keywords.

``dnf(doc, node)`` rewrites the left node (``allOf``, ``anyOf``, ``oneOf``, ``$ref``,
``not``, ``if``) into a list of ``Branch``es whose union holds every value the node
accepts. What cannot be rewritten exactly is dropped and the branch marked inexact
(``widened``): a wider left side can make inclusion fail, never pass wrongly.
"""

from __future__ import annotations

from typing import Any

from .document import SchemaDocument
from .normal import TOP, Branch, declared_types, is_trivial, meet_types, product, simple_part, union

_WIDENING = ("dependentSchemas", "$dynamicRef", "unevaluatedItems", "unevaluatedProperties")


def dnf_conj(doc: SchemaDocument, conj: tuple[Any, ...]) -> list[Branch]:
    """The branches of a conjunction of left nodes."""
    out = [TOP]
    for node in conj:
        out = product(out, dnf(doc, node, ()))
    return out


def dnf(doc: SchemaDocument, node: Any, refs: tuple[str, ...]) -> list[Branch]:
    """The union of branches that contains every value `node` (left side) accepts."""
    if node is False:
        return []
    if not isinstance(node, dict):
        return [TOP]
    part = simple_part(node)
    out = [Branch(declared_types(node), (part,) if part else ())]
    if "$ref" in node:
        out = product(out, _dnf_ref(doc, node["$ref"], refs))
    for sub in node.get("allOf", ()) if isinstance(node.get("allOf"), list) else ():
        out = product(out, dnf(doc, sub, refs))
    for key in ("anyOf", "oneOf"):
        subs = node.get(key)
        if isinstance(subs, list):
            alts = union(dnf(doc, s, refs) for s in subs)
            if key == "oneOf" and len(subs) > 1:
                alts = [b.widened() for b in alts]
            out = product(out, alts)
    if "not" in node:
        out = [_fold_not(b, node["not"]) for b in out]
    if "if" in node:
        alts = union(dnf(doc, node.get(k, True), refs) for k in ("then", "else"))
        out = product(out, [b.widened() for b in alts])
    if any(k in node for k in _WIDENING):
        out = [b.widened() for b in out]
    return [b for b in out if b.types]


def _dnf_ref(doc: SchemaDocument, ref: Any, refs: tuple[str, ...]) -> list[Branch]:
    found, target = doc.resolve(ref) if isinstance(ref, str) else (False, None)
    if not found or ref in refs or len(refs) > 64:
        return [TOP.widened()]
    return dnf(doc, target, (*refs, ref))


def _fold_not(branch: Branch, sub: Any) -> Branch:
    if is_trivial(sub):
        return Branch(frozenset(), branch.parts)
    if isinstance(sub, dict) and set(sub) == {"type"}:
        gone = declared_types(sub)
        keep = frozenset(t for t in branch.types if not meet_types(frozenset({t}), gone))
        if "integer" in gone and "number" in branch.types and "number" not in gone:
            return Branch(keep | {"number"}, branch.parts, False)
        return Branch(keep, branch.parts, branch.exact)
    return branch.widened()
