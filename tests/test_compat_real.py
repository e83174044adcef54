"""``wiretype compat`` on schemas as people write them: older drafts, legacy patterns,
unknown keywords, references elsewhere, deep and union-heavy documents, and the JSON
verdicts with whole-instance witnesses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import validators

from registry.compat import compare
from registry.compat.drafts import to_2020_12
from registry.compat.patterns import pattern_problem, unicode_mode
from tests.helpers import run

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
DRAFT_04 = "http://json-schema.org/draft-04/schema#"


def _compat(tmp_path: Path, old: Any, new: Any) -> tuple[int, Any, str]:
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    got = run("compat", str(tmp_path / "old.json"), str(tmp_path / "new.json"), "--format", "json")
    payload = json.loads(got.stdout) if got.exit_code in (0, 1) else None
    return got.exit_code, payload, got.stderr


def _named(max_length: int | None) -> dict[str, Any]:
    name: dict[str, Any] = {"$id": "#name", "type": "string"}
    if max_length is not None:
        name["maxLength"] = max_length
    return {
        "$schema": DRAFT_07,
        "definitions": {"name": name},
        "type": "object",
        "properties": {"n": {"$ref": "#name"}},
    }


def test_a_draft_07_plain_name_id_is_an_anchor_not_a_refusal(tmp_path: Path) -> None:
    code, out, _ = _compat(tmp_path, _named(None), _named(3))
    assert code == 1
    assert out["verdicts"] == {"backward": "no", "forward": "yes"}
    (change,) = [c for c in out["changes"] if c["direction"] == "backward"]
    assert change["rule"] == "STRING_MAX_LENGTH_NO_DECREASE" and change["proved"] is True
    assert change["witness"] == {"n": "aaaa"}  # a whole instance, not the string alone


def test_a_draft_04_id_and_boolean_exclusive_bound_are_read_as_draft_04(tmp_path: Path) -> None:
    old = {"$schema": DRAFT_04, "id": "http://x.test/a.json", "type": "number", "minimum": 0}
    new = {**old, "exclusiveMinimum": True}
    code, out, _ = _compat(tmp_path, old, new)
    assert code == 1 and out["verdicts"] == {"backward": "no", "forward": "yes"}
    assert [c["witness"] for c in out["changes"] if c["proved"]] == [0]


def test_a_schema_invalid_under_its_own_draft_is_refused(tmp_path: Path) -> None:
    bad = {"$schema": DRAFT_04, "type": "string", "minLength": -1}
    code, _, err = _compat(tmp_path, bad, {"type": "string"})
    assert code == 2 and "not valid JSON Schema draft-04" in err


@pytest.mark.parametrize("pattern", ["^{[A-F0-9]{8}}$", r"^\-x$", r"a\_b", "x]"])
def test_a_legacy_mode_pattern_is_accepted_with_its_browser_meaning(
    tmp_path: Path, pattern: str
) -> None:
    schema = {"type": "string", "pattern": pattern}
    code, out, _ = _compat(tmp_path, schema, schema)
    assert code == 0 and out["verdicts"] == {"backward": "yes", "forward": "yes"}


def test_the_legacy_rewrite_matches_what_the_browser_matches() -> None:
    import regress

    rewritten = unicode_mode("^{[A-F0-9]{8}}$")
    assert regress.Regex(rewritten, "u").find("{0123ABCD}") is not None
    assert regress.Regex(rewritten, "u").find("0123ABCD") is None
    assert unicode_mode(r"^\d+$") == r"^\d+$"  # valid in Unicode mode: read as written


def test_a_pattern_valid_in_no_mode_is_refused(tmp_path: Path) -> None:
    assert pattern_problem("(") is not None
    code, _, err = _compat(tmp_path, {"type": "string", "pattern": "(a"}, {"type": "string"})
    assert code == 2 and "ECMA-262" in err


def test_keywords_no_draft_defines_are_annotations(tmp_path: Path) -> None:
    old = {"type": "object", "properties": {"a": {"type": "string"}}}
    new = {
        "type": "object",
        "allowTrailingCommas": True,
        "properties": {"a": {"type": "string", "markdownDescription": "*a*", "x-tag": 1}},
        "deprecationMessage": "soon",
    }
    code, out, _ = _compat(tmp_path, old, new)
    assert code == 0 and out["verdicts"] == {"backward": "yes", "forward": "yes"}


def test_a_reference_elsewhere_is_never_fetched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import urllib.request

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a schema made wiretype open a URL")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    ref = {"$ref": "https://json.schemastore.org/other.json"}
    old = {"type": "object", "properties": {"a": ref, "b": {"type": "string"}}}
    new = {"type": "object", "properties": {"a": ref, "b": {"type": "integer"}}}
    result = compare(old, new)  # the same reference on both sides: the same schema
    assert result.backward.verdict == "no"
    assert [c.witness for c in result.backward.changes if c.kind == "no"] == [{"b": ""}]
    assert compare(old, old).backward.verdict == "yes"


def test_a_deeply_nested_schema_is_compared_without_a_traceback(tmp_path: Path) -> None:
    def nest(leaf: str) -> dict[str, Any]:
        node: dict[str, Any] = {"type": leaf}
        for _ in range(300):
            node = {"type": "object", "properties": {"a": node}}
        return node

    code, out, err = _compat(tmp_path, nest("string"), nest("integer"))
    assert code == 1 and "Traceback" not in err
    assert out["verdicts"]["backward"] in {"no", "unknown"}  # "unknown" if the budget ends it
    assert _compat(tmp_path, nest("string"), nest("string"))[1]["verdicts"]["backward"] == "yes"


def test_intersected_unions_end_in_unknown_with_the_budget_finding() -> None:
    union = {"anyOf": [{"minimum": i} for i in range(9)]}
    old = {"allOf": [{"$ref": "#/$defs/u"}] * 4, "$defs": {"u": union}}
    result = compare(old, {"minimum": 0})
    assert result.backward.verdict == "unknown"
    assert "COMPAT_BUDGET_EXCEEDED" in {c.rule for c in result.backward.changes}


def test_a_tuple_pointer_of_draft_04_still_resolves_and_witnesses_validate() -> None:
    old = {
        "$schema": DRAFT_04,
        "definitions": {"pair": {"type": "array", "items": [{"type": "boolean"}]}},
        "type": "object",
        "properties": {"p": {"$ref": "#/definitions/pair/items/0"}},
    }
    new = {**old, "properties": {"p": {"type": "boolean", "enum": [True]}}}
    result = compare(to_2020_12(old), to_2020_12(new))
    assert result.backward.verdict == "no" and result.forward.verdict == "yes"
    for change in result.backward.changes:
        if change.kind == "no":
            assert validators.Draft4Validator(old).is_valid(change.witness)
            assert not validators.Draft4Validator(new).is_valid(change.witness)


def test_a_oneof_that_grew_by_disjoint_branches_is_proved() -> None:
    def steps(*extra: str) -> dict[str, Any]:
        names = ["run", "uses", *extra]
        return {
            "type": "object",
            "properties": {n: {"type": "string"} for n in names},
            "additionalProperties": False,
            "oneOf": [{"required": [n]} for n in names],
        }

    result = compare(steps(), steps("wait"))
    assert result.backward.verdict == "yes"
    assert result.forward.verdict == "no"  # {"wait": ""} is new


def test_an_unchanged_if_then_else_next_to_a_changed_sibling_is_proved() -> None:
    cond = {
        "if": {"properties": {"k": {"const": "a"}}, "required": ["k"]},
        "then": {"required": ["a"]},
    }
    old = {"type": "object", "properties": {"k": {"type": "string"}}, "allOf": [cond]}
    new = {**old, "properties": {"k": {"type": "string"}, "x": {"type": "integer"}}}
    assert compare(old, new).forward.verdict == "yes"


def test_the_text_output_says_the_verdicts_in_words(tmp_path: Path) -> None:
    old = {"type": ["string", "integer"], "pattern": "^a"}
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps({"type": "string", "pattern": "^[ab]"}))
    got = run("compat", str(tmp_path / "old.json"), str(tmp_path / "new.json"))
    assert got.exit_code == 1
    assert "backward no, forward cannot tell (1 part undecided)" in got.stdout
    assert "(proved)" in got.stdout and "(cannot prove)" in got.stdout


def test_a_schema_without_schema_written_for_draft_07_is_read_as_draft_07(
    tmp_path: Path,
) -> None:
    old = {k: v for k, v in _named(None).items() if k != "$schema"}
    new = {k: v for k, v in _named(3).items() if k != "$schema"}
    code, out, _ = _compat(tmp_path, old, new)
    assert code == 1 and out["verdicts"] == {"backward": "no", "forward": "yes"}
