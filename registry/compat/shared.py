"""Proofs shared between inclusion questions, by the content of what they compare.

A registry asks the same question in many pairs: a shared type's closed view inside its
open view, once for every message that uses it. ``Checker`` may be given a set of such
proofs (``proved``) that outlives it: a conjunction of bare local references
(``{"$ref": "#/$defs/NAME"}``) proved to lie inside another is recorded under the
*content* of both sides (every schema the references reach, and each document's base),
never their names, and any later question that meets the same content takes the proof.
Only proofs are shared, only those that leaned on no coinductive assumption and were
decided within the budget, and only where nothing in what was reached could make a
reference mean something else (``$id``, anchors).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Final

from .alike import refs_in
from .document import SchemaDocument
from .inner import Conj


def shared_key(a_doc: SchemaDocument, b_doc: SchemaDocument, a: Conj, b: Conj) -> str | None:
    """The content of a question between bare local references, or None."""
    first = a[0] if a else None
    if not (isinstance(first, dict) and len(first) == 1 and "$ref" in first):
        return None  # the usual case, decided without a walk
    left, right = _reached(a_doc, a), _reached(b_doc, b)
    if left is None or right is None:
        return None
    text = json.dumps([a_doc.base, left, b_doc.base, right], separators=(",", ":"))
    if any(word in text for word in _CONTEXTUAL):
        return None  # something reached could resolve a reference by its place
    return hashlib.sha256(text.encode("ascii")).hexdigest()


_CONTEXTUAL: Final = ('"$id"', '"$anchor"', '"$dynamicRef"', '"$dynamicAnchor"')
_REACHED_AT_MOST: Final = 32  # references followed for a key; past that, no key


def _reached(doc: SchemaDocument, conj: Conj) -> list[Any] | None:
    """The references of a conjunction of bare ``{"$ref": "#/$defs/..."}`` nodes, and every
    schema they reach in ``doc`` (in the order met), or None for any other conjunction."""
    refs = []
    for node in conj:
        if not (isinstance(node, dict) and len(node) == 1 and _is_def_ref(node.get("$ref"))):
            return None
        refs.append(node["$ref"])
    out: list[Any] = [refs]
    todo, seen = list(refs), set[str]()
    while todo:
        ref = todo.pop()
        if ref in seen:
            continue
        if len(seen) >= _REACHED_AT_MOST or not _is_def_ref(ref):
            return None
        seen.add(ref)
        found, target = doc.resolve(ref)
        if not found:
            return None
        out += [ref, target]
        inner = refs_in(target)
        if None in inner:
            return None  # a `$ref` that is not a string
        todo += sorted(r for r in inner if r not in seen)
    return out


def _is_def_ref(ref: Any) -> bool:
    """``#/$defs/NAME`` (or draft-07's ``#/definitions/NAME``): a schema of the root's own
    definitions, whose meaning no place in between can change."""
    if not isinstance(ref, str):
        return False
    for prefix in _DEF_PREFIXES:
        if ref.startswith(prefix):
            return "/" not in ref[len(prefix) :]
    return False


_DEF_PREFIXES: Final = ("#/$defs/", "#/definitions/")
