"""Older drafts are compared with the meaning their keywords had (registry/compat/drafts.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from registry.compat import compare
from registry.compat.drafts import draft_of, to_2020_12
from tests.helpers import run

D4 = "http://json-schema.org/draft-04/schema#"
D7 = "http://json-schema.org/draft-07/schema#"

CASES: list[tuple[str, dict[str, Any], dict[str, Any], bool, bool]] = [
    # name, old, new, backward (old ⊆ new), forward (new ⊆ old)
    (
        "tuple items widened",
        {"$schema": D7, "type": "array", "items": [{"type": "integer"}], "additionalItems": False},
        {"$schema": D7, "type": "array", "items": [{"type": "number"}], "additionalItems": False},
        True,
        False,
    ),
    (
        "additionalItems opened",
        {"$schema": D7, "type": "array", "items": [{"type": "string"}], "additionalItems": False},
        {"$schema": D7, "type": "array", "items": [{"type": "string"}]},
        True,
        False,
    ),
    (
        "$ref siblings are ignored up to draft-07",
        {
            "$schema": D7,
            "$ref": "#/definitions/n",
            "type": "string",
            "definitions": {"n": {"type": "integer"}},
        },
        {"$schema": D7, "$ref": "#/definitions/n", "definitions": {"n": {"type": "integer"}}},
        True,
        True,
    ),
    (
        "dependencies as a list",
        {"$schema": D7, "type": "object", "dependencies": {"a": ["b"]}},
        {"$schema": D7, "type": "object"},
        True,
        False,
    ),
    (
        "draft-04 exclusive minimum",
        {"$schema": D4, "type": "number", "minimum": 0, "exclusiveMinimum": True},
        {"$schema": D4, "type": "number", "minimum": 0},
        True,
        False,
    ),
    (
        "draft-04 exclusive flag false is no bound",
        {"$schema": D4, "type": "number", "minimum": 5, "exclusiveMinimum": False},
        {"$schema": D4, "type": "number", "minimum": 5},
        True,
        True,
    ),
]


@pytest.mark.parametrize(
    ("name", "old", "new", "backward", "forward"), CASES, ids=[c[0] for c in CASES]
)
def test_older_drafts_keep_their_meaning(
    name: str, old: dict[str, Any], new: dict[str, Any], backward: bool, forward: bool
) -> None:
    result = compare(to_2020_12(old), to_2020_12(new))
    assert (result.backward.holds, result.forward.holds) == (backward, forward), name


def test_the_command_reads_older_drafts(tmp_path: Path) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(CASES[0][1]))
    new.write_text(json.dumps(CASES[0][2]))
    result = run("compat", str(old), str(new), "--format", "json")
    payload = json.loads(result.stdout)
    assert (payload["backward"], payload["forward"], result.exit_code) == (True, False, 1)


def test_rewriting_leaves_2020_12_alone_and_does_not_mutate() -> None:
    schema = {"type": "array", "prefixItems": [{"type": "string"}], "items": False}
    assert to_2020_12(schema) == schema
    old = {"$schema": D7, "items": [{"type": "string"}]}
    snapshot = json.dumps(old)
    to_2020_12(old)
    assert json.dumps(old) == snapshot
    assert draft_of(old) == "draft-07" and draft_of({}) == "2020-12"
