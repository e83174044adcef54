"""Parity vectors: up to date, answered by the generated Python package, agreeing with
jsonschema (Draft 2020-12, exact ``multipleOf``, the format patterns of formats.py) on every
``ok``, and holding the rules the two packages share: numbers as doubles, canonical text,
wiretype's own words. ``tests/ts/parity.test.mjs`` holds the TypeScript package to the same
vectors."""

from __future__ import annotations

import json
import math
import struct
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "parity"))
import make_vectors

from registry.json.numbers import carried, decimal_parts, double_value, es_number, is_multiple
from registry.json.validation import validator

VECTORS = json.loads(make_vectors.VECTORS.read_text(encoding="utf-8"))
SECTIONS = {
    "example": (make_vectors.package, make_vectors.CHAT),
    "runtime": (make_vectors.runtime_package, make_vectors.REPO),
    "parity": (make_vectors.parity_package, make_vectors.PARITY),
}


def _vectors(kind: str) -> list[tuple[str, dict[str, Any]]]:
    return [(section, v) for section in SECTIONS for v in VECTORS[section][kind]]


def test_vectors_are_up_to_date() -> None:
    fresh = make_vectors.render(make_vectors.build())
    assert fresh == make_vectors.VECTORS.read_text(encoding="utf-8"), (
        "run `python tests/parity/make_vectors.py` and commit tests/parity/vectors.json"
    )


def test_vectors_cover_valid_and_invalid_inputs() -> None:
    for section in SECTIONS:
        decoded = VECTORS[section]["decode"]
        assert {v["ok"] for v in decoded} == {True, False}, section
        assert {v["op"] for v in VECTORS[section]["shims"]} == {"upgrade", "downgrade"}
        assert all("encoded" in v for v in decoded if v["ok"]), section
        assert all(v["errors"] for v in decoded if not v["ok"]), section
    assert len(VECTORS["example"]["decode"]) > 300


@pytest.mark.parametrize("kind", ["decode", "shims"])
def test_python_package_gives_the_recorded_answers(kind: str) -> None:
    for section, vector in _vectors(kind):
        pkg = SECTIONS[section][0]()
        extra = {k: vector[k] for k in ("op", "to") if k in vector}
        assert make_vectors.vector(pkg, vector["name"], vector["text"], **extra) == vector, vector[
            "name"
        ]


def test_encoded_text_is_a_fixed_point() -> None:
    """Decoding what encode wrote and encoding again gives the same bytes."""
    for section, vector in _vectors("decode"):
        if vector["ok"]:
            pkg = SECTIONS[section][0]()
            assert pkg.encode(pkg.decode(vector["encoded"])).decode() == vector["encoded"]


def test_messages_are_wiretypes_own_words() -> None:
    """No message shows pydantic's words or the internal regular expression of a format."""
    leaks = (
        "Input should",
        "String should",
        "should match pattern",
        "[0-9a-fA-F]",
        "Value error",
        "validation error",
        "type=",
    )
    for _, vector in _vectors("decode"):
        for error in vector.get("errors", []):
            if not error["message"].startswith("is not JSON:"):
                assert not any(leak in error["message"] for leak in leaks), vector["name"]


def _double(bits: str) -> float:
    return float(struct.unpack(">d", bytes.fromhex(bits))[0])


def test_lint_and_compat_judge_numbers_as_the_packages_do() -> None:
    """registry.json.numbers (lint, compat, the TypeScript renderer) and the generated Python
    runtime give the same text and the same multiples (TypeScript: tests/ts/parity)."""
    for found in VECTORS["numbers"]["text"]:
        x = _double(found["double"])
        assert es_number(x) == found["text"]
        assert float(found["text"]) == x  # the text reads back as the same double
    for found in VECTORS["numbers"]["multiple"]:
        step = (
            int(found["step"][0]) * 10 ** found["step"][1]
            if found["step"][1] >= 0
            else float(f"{found['step'][0]}e{found['step'][1]}")
        )
        assert decimal_parts(step) == (int(found["step"][0]), found["step"][1])
        assert is_multiple(_double(found["double"]), step) == found["multiple"], found


# --- the answers agree with jsonschema, reading numbers as doubles --------------------------


@cache
def _validators(section: str) -> dict[tuple[str, int], Any]:
    out = {}
    for name, number, document, _ in make_vectors.registry_documents(SECTIONS[section][1]):
        doc = dict(document) if isinstance(document, dict) else document
        defs = doc.pop("$defs", {}) if isinstance(doc, dict) else {}
        if isinstance(doc, dict):  # a nested $schema would switch jsonschema to its own class
            doc.pop("$schema", None)
        envelope = {
            "$defs": defs,
            "type": "object",
            "required": ["type", "v", "id", "data"],
            "properties": {
                "type": {"const": name},
                "v": {"const": number},
                "id": {"type": "string", "minLength": 1},
                "data": doc,
            },
        }
        out[(name, number)] = validator(envelope)
    return out


def _no_constants(name: str) -> Any:
    raise ValueError(name)


def _wide(value: Any, path: str = "") -> list[str]:
    """JSON Pointers of the numbers a double would change: integers it cannot carry, and
    numbers beyond the largest double (1e400)."""
    if isinstance(value, float):
        return [] if math.isfinite(value) else [path]
    if isinstance(value, int) and not isinstance(value, bool):
        return [] if carried(value) else [path]
    if isinstance(value, dict):
        return [
            p
            for k, v in value.items()
            for p in _wide(v, f"{path}/{k.replace('~', '~0').replace('/', '~1')}")
        ]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _wide(v, f"{path}/{i}")]
    return []


def _as_doubles(value: Any) -> Any:
    """What a reader holding doubles keeps; a number beyond them (1e400) is not one."""
    if isinstance(value, float) and not math.isfinite(value):
        return "not a double"
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return double_value(value)
        except OverflowError:
            return "not a double"
    if isinstance(value, dict):
        return {k: _as_doubles(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_doubles(v) for v in value]
    return value


def _jsonschema_ok(section: str, raw: Any) -> bool:
    if not isinstance(raw, dict):
        return False
    key = (raw.get("type"), raw.get("v"))
    if (
        not isinstance(key[0], str)
        or isinstance(key[1], bool)
        or not isinstance(key[1], (int, float))
        or key not in _validators(section)
    ):
        return False
    return bool(_validators(section)[key].is_valid(raw))  # type: ignore[index]


def _holds(value: Any, path: str) -> bool:
    for token in path.split("/")[1:]:
        part = token.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdecimal() and int(part) < len(value):
            value = value[int(part)]
        else:
            return False
    return True


def test_ok_agrees_with_jsonschema() -> None:
    """``ok`` is jsonschema's verdict on the doubles a JSON reader holds, unless the message
    keeps an integer that a double would change (refused, with its path)."""
    disagree = []
    for section, vector in _vectors("decode"):
        try:
            raw = json.loads(vector["text"], parse_constant=_no_constants)
        except ValueError:
            expected: bool | None = False
        else:
            wide = _wide(raw)
            expected = _jsonschema_ok(section, _as_doubles(raw)) and (None if wide else True)
            if vector["ok"] and wide:  # only integers the message drops unread may be wide
                expected = not any(_holds(json.loads(vector["encoded"]), p) for p in wide)
        if expected is not None and vector["ok"] != expected:
            disagree.append(vector["name"])
    assert disagree == []
