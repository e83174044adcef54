"""``wiretype compat`` on real schemas: consecutive SchemaStore revisions (tests/corpus).

For every pair: neither revision is refused, a "yes" direction keeps every test instance
SchemaStore ships that the including side accepts (judged by ``jsonschema`` under each
schema's own draft), and every proved change carries a whole instance that one side
accepts and the other rejects. The share of backward directions that stay "unknown" is
held under a bound, so that proving less is noticed.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from registry.check.compat_files import compare_files
from registry.compat import Comparison
from registry.load.schema_file import read_schema
from registry.mode import parse_mode

sys.path.insert(0, str(Path(__file__).parent / "corpus"))
import corpus

PAIRS = list(corpus.pairs())
UNKNOWN_SHARE = 0.15  # backward directions answered "unknown", at most (the bar)


@cache
def _compared(old: Path, new: Path) -> Comparison:
    mode = parse_mode("full")
    assert mode is not None
    comparison, _ = compare_files(read_schema(old), read_schema(new), mode)
    return comparison


def _load(path: Path) -> Any:
    return json.loads(path.read_text())


def test_the_corpus_is_real_and_licensed() -> None:
    assert len(PAIRS) >= 90
    assert "Apache License" in (corpus.HERE / "LICENSE").read_text()
    assert sum(len(corpus.instances(n)) for n in corpus.names()) >= 150


@pytest.mark.parametrize(("name", "old", "new"), PAIRS, ids=[f"{n}:{o.stem}" for n, o, _ in PAIRS])
def test_a_pair_is_compared_soundly(name: str, old: Path, new: Path) -> None:
    comparison = _compared(old, new)
    a, b = _load(old), _load(new)
    sides = {"backward": (a, b), "forward": (b, a)}
    for direction, (left, right) in sides.items():
        inclusion = getattr(comparison, direction)
        if inclusion.verdict == "yes":
            for value in corpus.instances(name):
                if corpus.accepts(left, value) is True:
                    assert corpus.accepts(right, value) is not False, (direction, value)
        for change in inclusion.changes:
            assert change.kind != "no" or change.has_witness, change
        if inclusion.verdict == "no":
            assert any(c.kind == "no" for c in inclusion.changes)


def test_every_witness_is_a_whole_instance_on_both_sides() -> None:
    checked = 0
    for _, old, new in PAIRS:
        comparison = _compared(old, new)
        a, b = _load(old), _load(new)
        for direction, (left, right) in {"backward": (a, b), "forward": (b, a)}.items():
            for change in getattr(comparison, direction).changes:
                if change.kind == "no":
                    checked += 1
                    w = change.witness
                    assert corpus.accepts(left, w) is not False, (old, direction, change)
                    assert corpus.accepts(right, w) is not True, (old, direction, change)
    assert checked >= 20


def test_few_backward_directions_stay_unknown() -> None:
    unknown = [o for _, o, n in PAIRS if _compared(o, n).backward.verdict == "unknown"]
    assert len(unknown) <= UNKNOWN_SHARE * len(PAIRS), sorted(map(str, unknown))


RESTRICTING = {"unevaluatedProperties", "unevaluatedItems", "$dynamicRef", "$recursiveRef"}


def test_no_direction_is_unknown_because_of_an_annotation() -> None:
    """markdownDescription, x-*, allowTrailingCommas, draft-04 `id`: never a reason."""
    for _, old, new in PAIRS:
        for direction in ("backward", "forward"):
            for change in getattr(_compared(old, new), direction).changes:
                if change.rule == "KEYWORD_UNSUPPORTED":
                    tokens = set(change.path.split("/"))
                    assert tokens & (RESTRICTING | {"dependentSchemas", "items"}), change
