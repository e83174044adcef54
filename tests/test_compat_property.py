"""Soundness property: whenever the engine proves A ⊆ B, no instance of A is rejected by B."""

from __future__ import annotations

import warnings
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from registry.compat import includes

CHECKER = Draft202012Validator.FORMAT_CHECKER
_NAMES = st.sampled_from(["a", "b", "kind"])
_LEAF_TYPES = st.sampled_from(["string", "integer", "number", "boolean", "null"])


def _leaf() -> st.SearchStrategy[dict[str, Any]]:
    string = st.fixed_dictionaries(
        {"type": st.just("string")},
        optional={
            "minLength": st.integers(0, 3),
            "maxLength": st.integers(0, 5),
            "format": st.sampled_from(["email", "uuid", "date"]),
            "pattern": st.sampled_from(["^a", "b$", "^[a-z]*$"]),
        },
    )
    number = st.fixed_dictionaries(
        {"type": st.sampled_from(["integer", "number"])},
        optional={
            "minimum": st.integers(-5, 5),
            "maximum": st.integers(-5, 10),
            "exclusiveMinimum": st.integers(-5, 5),
            "multipleOf": st.sampled_from([1, 2, 3, 0.5, 0.25]),
        },
    )
    enum = st.builds(
        lambda v: {"enum": v},
        st.lists(
            st.one_of(
                st.integers(-2, 2), st.sampled_from(["a", "b", ""]), st.booleans(), st.none()
            ),
            max_size=3,
        ),
    )
    return st.one_of(
        string,
        number,
        enum,
        st.builds(
            lambda t: {"type": t}, st.lists(_LEAF_TYPES, min_size=1, max_size=3, unique=True)
        ),
        st.just({}),
    )


def _node(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    obj = st.fixed_dictionaries(
        {"type": st.just("object")},
        optional={
            "properties": st.dictionaries(_NAMES, children, max_size=2),
            "required": st.lists(_NAMES, max_size=2, unique=True),
            "additionalProperties": st.one_of(st.booleans(), children),
            "maxProperties": st.integers(0, 3),
        },
    )
    arr = st.fixed_dictionaries(
        {"type": st.just("array")},
        optional={
            "items": children,
            "prefixItems": st.lists(children, max_size=2),
            "minItems": st.integers(0, 2),
            "maxItems": st.integers(0, 3),
            "uniqueItems": st.booleans(),
        },
    )
    comb = st.one_of(
        st.builds(lambda xs: {"anyOf": xs}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda xs: {"oneOf": xs}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda xs: {"allOf": xs}, st.lists(children, min_size=1, max_size=2)),
        st.builds(lambda x: {"not": x}, children),
    )
    return st.one_of(obj, arr, comb)


SCHEMAS = st.recursive(_leaf(), _node, max_leaves=6)
# The share of generated pairs (a schema and a nearby one) that the engine must prove included:
# it proves about three in four of them (1,106 of 1,466 runs with this seed); half leaves room
# for a change of hypothesis' generation, and none is what a checker that proves nothing scores.
PROVED_SHARE = 0.5


def _mutate(schema: Any, data: st.DataObject) -> Any:
    """A nearby schema: same document with one keyword changed, or a fresh one."""
    if not isinstance(schema, dict) or not schema or data.draw(st.booleans()):
        return data.draw(SCHEMAS)
    out = dict(schema)
    key = data.draw(st.sampled_from(sorted(out)))
    if data.draw(st.booleans()):
        del out[key]
    elif isinstance(out[key], int) and not isinstance(out[key], bool):
        out[key] = out[key] + data.draw(st.integers(-2, 2))
    return out


def _instances(schema: Any, data: st.DataObject) -> list[Any]:
    pool = [
        None,
        True,
        False,
        0,
        1,
        -1,
        2,
        0.5,
        1.5,
        "",
        "a",
        "ab",
        "abc",
        "a@example.com",
        "2020-01-01",
        [],
        [1],
        ["a", "a"],
        {},
        {"a": 1},
        {"kind": "a"},
        {"a": "x", "b": 2},
    ]
    v = Draft202012Validator(schema, format_checker=CHECKER)
    return [x for x in [*pool, data.draw(st.from_type(int))] if v.is_valid(x)]


def test_proved_inclusion_is_sound() -> None:
    """Every proved inclusion holds on the values tried, and proofs are not rare: a checker that
    proved nothing would pass the first half vacuously."""
    asked = proved = 0

    @settings(
        max_examples=1000,
        derandomize=True,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(SCHEMAS, st.data())
    def sound(a: Any, data: st.DataObject) -> None:
        nonlocal asked, proved
        b = _mutate(a, data)
        asked += 1
        if includes(a, b).verdict != "yes":
            return
        proved += 1
        check = Draft202012Validator(b, format_checker=CHECKER)
        own = Draft202012Validator(a, format_checker=CHECKER)
        samples = _instances(a, data)
        samples += [x for x in _generated(a, data) if own.is_valid(x)]  # it may not know 2020-12
        for x in samples:
            assert check.is_valid(x), x

    sound()
    assert asked >= 500
    assert proved >= asked * PROVED_SHARE, f"only {proved} of {asked} inclusions proved"


def _generated(schema: Any, data: st.DataObject) -> list[Any]:
    try:
        from hypothesis_jsonschema import from_schema

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            strategy = from_schema(schema)
            return [data.draw(strategy) for _ in range(3)]
    except Exception:  # unsatisfiable or unsupported by hypothesis-jsonschema
        return []


@settings(
    max_examples=150, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(SCHEMAS)
def test_every_schema_includes_itself(a: Any) -> None:
    assume(a is not None)
    assert includes(a, a).verdict == "yes"
    assert includes(a, True).verdict == "yes"
