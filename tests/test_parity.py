"""Parity vectors: up to date, answered by the generated Python package, and agreeing with
jsonschema (Draft 2020-12 with the format patterns of formats.py) on every ``ok``."""

from __future__ import annotations

import json
import re
import sys
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "parity"))
import make_vectors

from registry.render.formats import CALENDAR_FORMATS, FORMAT_PATTERNS, days_in_month

VECTORS = json.loads(make_vectors.VECTORS.read_text(encoding="utf-8"))


def test_vectors_are_up_to_date() -> None:
    fresh = make_vectors.render(make_vectors.build())
    assert fresh == make_vectors.VECTORS.read_text(encoding="utf-8"), \
        "run `python tests/parity/make_vectors.py` and commit tests/parity/vectors.json"


def test_vectors_cover_valid_and_invalid_inputs() -> None:
    oks = {v["ok"] for v in VECTORS["decode"]}
    assert oks == {True, False}
    assert {v["op"] for v in VECTORS["shims"]} == {"upgrade", "downgrade"}
    assert len(VECTORS["decode"]) > 300


@pytest.mark.parametrize("kind", ["decode", "shims"])
def test_python_package_gives_the_recorded_answers(kind: str) -> None:
    for vector in VECTORS[kind]:
        extra = {k: vector[k] for k in ("op", "to") if k in vector}
        again = make_vectors._vector(vector["name"], vector["raw"], **extra)
        assert again == vector, vector["name"]


def _format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(formats=())
    for name, pattern in FORMAT_PATTERNS.items():
        # `$` in Python also matches before a final newline; ECMA-262's does not
        compiled = re.compile(pattern.removesuffix("$") + r"\Z")

        def check(value: object, compiled: re.Pattern[str] = compiled, name: str = name) -> bool:
            if not isinstance(value, str):
                return True
            found = compiled.search(value)
            if found is None:
                return False
            if name in CALENDAR_FORMATS:
                year, month, day = (int(g) for g in found.groups()[:3])
                return day <= days_in_month(year, month)
            return True

        checker.checks(name)(check)
    return checker


@cache
def _validators() -> dict[tuple[str, int], jsonschema.Draft202012Validator]:
    checker = _format_checker()
    out = {}
    for name, number, document, _ in make_vectors.registry_documents():
        doc = dict(document) if isinstance(document, dict) else document
        defs = doc.pop("$defs", {}) if isinstance(doc, dict) else {}
        envelope = {
            "$defs": defs,
            "type": "object",
            "required": ["type", "v", "id", "data"],
            "properties": {"type": {"const": name}, "v": {"const": number},
                           "id": {"type": "string", "minLength": 1}, "data": doc},
        }
        out[(name, number)] = jsonschema.Draft202012Validator(envelope, format_checker=checker)
    return out


def _jsonschema_ok(raw: Any) -> bool:
    if not isinstance(raw, dict):
        return False
    key = (raw.get("type"), raw.get("v"))
    if not isinstance(key[0], str) or isinstance(key[1], bool) \
            or not isinstance(key[1], (int, float)) or key not in _validators():
        return False
    return bool(_validators()[key].is_valid(raw))  # type: ignore[index]


def test_ok_agrees_with_jsonschema() -> None:
    disagree = [v["name"] for v in VECTORS["decode"] if v["ok"] != _jsonschema_ok(v["raw"])]
    assert disagree == []
