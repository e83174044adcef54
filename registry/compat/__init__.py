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
from typing import Any

from .engine import Checker
from .model import NO_WITNESS, Change, Comparison, Inclusion, verdict_of
from .rules import RULES, Rule

__all__ = [
    "NO_WITNESS",
    "RULES",
    "Change",
    "Comparison",
    "Inclusion",
    "Rule",
    "compare",
    "includes",
]

_STACK = 30_000


@contextmanager
def _deep_stack() -> Iterator[None]:
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, _STACK))
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def includes(a: Any, b: Any) -> Inclusion:
    """Is every value accepted by schema `a` accepted by schema `b`?"""
    with _deep_stack():
        try:
            found = Checker(a, b).incl((a,), (b,), "")
        except RecursionError:
            found = [Change("", "CANNOT_PROVE", True, "schema too deep to compare", kind="unknown")]
    unique = {(c.path, c.rule, c.message, c.kind): c for c in reversed(found)}
    changes = tuple(reversed([c for c in unique.values() if c.breaking or c.kind == "info"]))
    verdict = verdict_of(changes)
    return Inclusion(verdict, changes if verdict != "yes" else ())


def compare(old: Any, new: Any) -> Comparison:
    """Both directions: backward (OLD ⊆ NEW) and forward (NEW ⊆ OLD)."""
    return Comparison(backward=includes(old, new), forward=includes(new, old))
