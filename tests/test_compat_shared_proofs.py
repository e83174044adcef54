"""Proofs shared between inclusion questions (``registry.compat.engine``, ``proved``).

A registry asks the same question about a shared type in every pair that uses it, so
the engine may keep a proof about bare ``$defs`` references for later questions. A
shared proof is keyed by what the references reach, never by their names: these tests
hold that sharing never changes an answer, on handmade schemas whose names agree while
their contents differ and on every question of the real-schema corpus.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from registry.check.compat_files import read_as
from registry.compat import Inclusion, deep_stack, includes
from registry.compat.drafts import to_2020_12
from registry.schema.emit import strip_annotations

sys.path.insert(0, str(Path(__file__).parent / "corpus"))
import corpus


def _doc(who: Any, *, closed: bool) -> dict[str, Any]:
    """A message with a field of shared type ``common.who.v1`` whose schema is ``who``."""
    body = {**who, "additionalProperties": False} if closed else who
    return {
        "type": "object",
        "properties": {"by": {"$ref": "#/$defs/common.who.v1"}},
        "required": ["by"],
        "$defs": {"common.who.v1": body},
    }


_NAME = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
_SHORT = {
    "type": "object",
    "properties": {"name": {"type": "string", "maxLength": 3}},
    "required": ["name"],
}


def _answer(inclusion: Inclusion) -> tuple[str, list[tuple[str, str, str]]]:
    return inclusion.verdict, [(c.path, c.rule, c.kind) for c in inclusion.changes]


def test_a_proof_about_one_content_never_answers_for_another_of_the_same_name() -> None:
    proved: set[str] = set()
    same = includes(_doc(_NAME, closed=True), _doc(_NAME, closed=False), proved)
    assert same.holds
    assert proved  # the shared type's question was kept
    narrowed = includes(_doc(_NAME, closed=True), _doc(_SHORT, closed=False), proved)
    assert not narrowed.holds
    assert _answer(narrowed) == _answer(
        includes(_doc(_NAME, closed=True), _doc(_SHORT, closed=False))
    )
    assert narrowed.changes[0].rule == "STRING_MAX_LENGTH_NO_DECREASE"
    widened_left = includes(
        _doc({"type": "object"}, closed=True), _doc(_NAME, closed=False), proved
    )
    assert not widened_left.holds


def test_a_reference_that_depends_on_its_place_is_never_shared() -> None:
    """An ``$id`` among what the references reach could make them mean something else."""
    proved: set[str] = set()
    who = {**_NAME, "$id": "https://example.com/who"}
    assert includes(_doc(who, closed=True), _doc(who, closed=False), proved).holds
    assert not proved


def test_sharing_proofs_across_the_whole_corpus_changes_no_answer() -> None:
    """Every question between consecutive revisions (the older inside the newer), in one
    run, each asked with and without the proofs the questions before it kept."""
    proved: set[str] = set()
    questions = 0
    for _, old, new in corpus.pairs():
        a, b = (_normal(json.loads(path.read_text())) for path in (old, new))
        with deep_stack():
            alone = includes(a, b)
            shared = includes(a, b, proved)
        if _over_budget(alone) or _over_budget(shared):
            # less work, so the budget may run out later (or not): never a contradiction
            assert {alone.verdict, shared.verdict} != {"yes", "no"}, (old, new)
        else:
            assert _answer(shared) == _answer(alone), (old, new)
        questions += 1
    assert questions >= 90
    assert proved  # the corpus has shared questions at all


def _over_budget(inclusion: Inclusion) -> bool:
    return any(c.rule == "COMPAT_BUDGET_EXCEEDED" for c in inclusion.changes)


def _normal(schema: Any) -> Any:
    """The schema in 2020-12, without annotations (the bare form ``check`` compares, where
    a reference to a shared schema stands alone)."""
    return strip_annotations(to_2020_12(schema, read_as(schema)))
