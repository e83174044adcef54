"""Compatibility of JSON Schema 2020-12 documents as set inclusion.

`includes(a, b)` decides whether every JSON value that schema `a` accepts is
also accepted by schema `b`: "yes" (proved), "no" (with findings, usually a
witness value) or "unknown" (cannot prove; never counted as compatible).
`compare(old, new)` runs both directions: backward = OLD ⊆ NEW, forward =
NEW ⊆ OLD. `RULES` is the catalog of finding IDs.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from .engine import Checker
from .model import NO_WITNESS, Change, Comparison, Inclusion, unproved, verdict_of
from .rules import RULES, Rule
from .whole import lift_all

__all__ = [
    "NO_WITNESS",
    "RULES",
    "Change",
    "Comparison",
    "Inclusion",
    "Rule",
    "compare",
    "deep_stack",
    "includes",
]

_STACK = 30_000


@contextmanager
def deep_stack(limit: int = _STACK) -> Iterator[None]:
    """Room for recursion over deeply nested schemas (validation, rewriting, comparison)."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def includes(a: Any, b: Any, proved: set[str] | None = None) -> Inclusion:
    """Is every value accepted by schema `a` accepted by schema `b`? ``proved``: proofs of
    questions between shared schemas, by content, kept across calls (``engine``)."""
    checker = Checker(a, b, proved)
    with deep_stack():
        try:
            found = checker.incl((a,), (b,), "")
        except RecursionError:
            found = [Change("", "CANNOT_PROVE", True, "schema too deep to compare", kind="unknown")]
    unique = {(c.path, c.rule, c.message, c.kind): c for c in reversed(found)}
    changes = tuple(reversed([c for c in unique.values() if c.breaking or c.kind == "info"]))
    if changes:
        with deep_stack():
            changes = _whole_witnesses(checker, changes)
    verdict = verdict_of(changes)
    return Inclusion(verdict, changes if verdict != "yes" else ())


def _whole_witnesses(checker: Checker, changes: tuple[Change, ...]) -> tuple[Change, ...]:
    """The "no" changes with whole instances as witnesses, checked on both documents
    (``whole``); the others "unknown"."""
    try:
        base = checker.sample((checker.a.root,))
        lifted = lift_all(checker.a, checker.b, list(changes), base)
        if any(c.kind == "no" for c in lifted):
            return tuple(lifted)
        whole = checker.whole_witness()  # none could be lifted: one for the whole schema
        if whole is NO_WITNESS:
            return tuple(lifted)
        first = next((i for i, c in enumerate(changes) if c.breaking), 0)
        message = f"{changes[first].message}; this whole instance proves the break"
        lifted[first] = replace(changes[first], message=message, witness=whole, kind="no")
        return tuple(lifted)
    except RecursionError:
        return tuple(unproved(c) for c in changes)


def compare(old: Any, new: Any) -> Comparison:
    """Both directions: backward (OLD ⊆ NEW) and forward (NEW ⊆ OLD)."""
    return Comparison(backward=includes(old, new), forward=includes(new, old))
