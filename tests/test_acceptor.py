"""The fast acceptor answers as jsonschema does, or not at all.

``registry.json.acceptor`` answers "does this schema accept this value?" for the
common keywords without jsonschema; wherever it answers, the answer must be the
one jsonschema's Draft 2020-12 validator gives (with wiretype's formats and
ECMA-262 patterns), on schemas and values drawn at random.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from registry.compat.document import SchemaDocument
from registry.json.acceptor import _RULES, _UNDECIDED, accepts, equal
from registry.json.validation import conforms, validator

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([0.0, 1.0, 1.5, -2.0]),
    st.sampled_from(
        [
            "",
            "a",
            "ab",
            "abc",
            "2026-02-30",
            "2024-02-29",
            "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11",
            "x@y.z",
        ]
    ),
)
VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3),
    ),
    max_leaves=6,
)
_TYPE = st.sampled_from(["string", "integer", "number", "boolean", "null", "object", "array"])
_COUNT = st.integers(0, 3)


def _keywords(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    one = st.one_of(
        st.builds(lambda t: {"type": t}, st.one_of(_TYPE, st.lists(_TYPE, min_size=1, max_size=3))),
        st.builds(lambda v: {"enum": v}, st.lists(VALUES, min_size=1, max_size=3)),
        st.builds(lambda v: {"const": v}, VALUES),
        st.builds(
            lambda p: {"properties": p},
            st.dictionaries(st.sampled_from(["a", "b"]), inner, max_size=2),
        ),
        st.builds(
            lambda r: {"required": r},
            st.lists(st.sampled_from(["a", "b", "c"]), max_size=2, unique=True),
        ),
        st.builds(lambda s: {"additionalProperties": s}, inner),
        st.builds(lambda s: {"items": s}, inner),
        st.builds(
            lambda k, n: {k: n},
            st.sampled_from(
                [
                    "minLength",
                    "maxLength",
                    "minItems",
                    "maxItems",
                    "minProperties",
                    "maxProperties",
                ]
            ),
            _COUNT,
        ),
        st.builds(
            lambda k, n: {k: n},
            st.sampled_from(
                [
                    "minimum",
                    "maximum",
                    "exclusiveMinimum",
                    "exclusiveMaximum",
                ]
            ),
            st.sampled_from([-1, 0, 1, 1.5, 2]),
        ),
        st.builds(lambda p: {"pattern": p}, st.sampled_from(["^a", "b$", "^\\d+$", "[", "."])),
        st.builds(lambda f: {"format": f}, st.sampled_from(["uuid", "date", "email", "ipv4"])),
        st.builds(
            lambda k, s: {k: s},
            st.sampled_from(["anyOf", "oneOf", "allOf"]),
            st.lists(inner, min_size=1, max_size=3),
        ),
        st.builds(lambda s: {"not": s}, inner),
        st.just({"$ref": "#/$defs/d"}),
        st.just({"$ref": "#/$defs/missing"}),
        st.builds(
            lambda k: {k: 2},
            st.sampled_from(
                ["multipleOf", "uniqueItems", "x-note", "description", "discriminator"]
            ),
        ),
    )
    return st.lists(one, min_size=1, max_size=3).map(
        lambda parts: {k: v for p in parts for k, v in p.items()}
    )


SCHEMAS = st.recursive(st.one_of(st.booleans(), st.just({})), _keywords, max_leaves=5)


def _document(schema: Any, defs: Any) -> Any:
    if not isinstance(schema, dict):
        return schema
    return {**schema, "$defs": {"d": defs}}


@settings(max_examples=600, deadline=None)
@given(SCHEMAS, SCHEMAS, VALUES)
def test_an_answer_is_jsonschemas_answer_for_lint(schema: Any, defs: Any, value: Any) -> None:
    document = _document(schema, defs)
    answer = accepts(document, value, formats=conforms)
    if answer is not None:
        assert answer == validator(document).is_valid(value), (document, value)


@settings(max_examples=400, deadline=None)
@given(SCHEMAS, SCHEMAS, VALUES)
def test_an_answer_is_the_engines_answer(schema: Any, defs: Any, value: Any) -> None:
    """The engine's documents judge formats their own way: there, `format` is undecided."""
    document = _document(schema, defs)
    answer = accepts(document, value, root=document)
    if answer is not None:
        doc = SchemaDocument(document)
        assert answer == doc.check(document, value), (document, value)


@given(VALUES, VALUES)
def test_equal_is_json_equality(one: Any, two: Any) -> None:
    schema = {"const": one}
    assert equal(one, two) == Draft202012Validator(schema).is_valid(two)


def test_every_draft_keyword_is_decided_or_declared_undecided() -> None:
    assert set(Draft202012Validator.VALIDATORS) <= set(_RULES) | _UNDECIDED


def test_the_schemas_wiretype_writes_get_an_answer() -> None:
    """A version as the shorthand compiles it: answered without jsonschema, both ways."""
    schema = {
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "room": {"type": "string", "minLength": 1, "maxLength": 64},
            "who": {"$ref": "#/$defs/common.user.v1"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "level": {"enum": ["low", "high"], "default": "low"},
            "reply": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
        "required": ["id", "room", "who"],
        "additionalProperties": False,
        "$defs": {
            "common.user.v1": {
                "type": "object",
                "properties": {"name": {"type": "string"}},
                "required": ["name"],
                "additionalProperties": False,
            }
        },
    }
    good = {
        "id": "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11",
        "room": "a",
        "who": {"name": "Ada"},
        "tags": ["x"],
        "level": "low",
        "reply": None,
    }
    assert accepts(schema, good, formats=conforms) is True
    for bad in (
        {**good, "id": "nope"},
        {**good, "who": {}},
        {**good, "extra": 1},
        {**good, "room": ""},
        {**good, "level": "mid"},
        {**good, "reply": 1},
    ):
        assert accepts(schema, bad, formats=conforms) is False
        assert not validator(schema).is_valid(bad)
    assert accepts(schema, good) is None  # `format` undecided without a judge of formats
