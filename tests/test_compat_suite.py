"""Soundness against the official JSON Schema Test Suite (vendored, draft 2020-12)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from registry.compat import includes

SUITE = Path(__file__).parent / "jsonschema_suite" / "draft2020-12"
#: files whose expected validity rests on details the engine delegates (ECMA-262 regex
#: dialect, full RFC format grammars): only self-inclusion is checked for them
DELEGATED = {"ecmascript-regex.json"}


def _groups() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(SUITE.rglob("*.json")):
        name = str(path.relative_to(SUITE))
        out += [(name, g) for g in json.loads(path.read_text(encoding="utf-8"))]
    return out


GROUPS = _groups()
IDS = [f"{n}:{g['description']}" for n, g in GROUPS]


def _decides_values(name: str) -> bool:
    return name not in DELEGATED and not name.startswith("format")


@pytest.mark.parametrize(("name", "group"), GROUPS, ids=IDS)
def test_schema_included_in_itself_and_true(name: str, group: dict[str, Any]) -> None:
    schema = group["schema"]
    assert includes(schema, schema).verdict == "yes"
    assert includes(schema, True).verdict == "yes"


@pytest.mark.parametrize(("name", "group"), GROUPS, ids=IDS)
def test_const_inclusion_agrees_with_suite(name: str, group: dict[str, Any]) -> None:
    for test in group["tests"]:
        verdict = includes({"const": test["data"]}, group["schema"]).verdict
        if verdict == "yes":
            assert test["valid"] or not _decides_values(name), test["description"]
        if verdict == "no" and _decides_values(name):
            assert not test["valid"], test["description"]


def _valid_data(group: dict[str, Any]) -> list[Any]:
    return [t["data"] for t in group["tests"] if t["valid"]]


def _oracle(schema: Any, datum: Any) -> bool | None:
    """jsonschema's answer; None where it cannot run (e.g. ECMA-only regex syntax)."""
    check = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    try:
        return bool(check.is_valid(datum))
    except Exception:  # re.error for \\p{...}, \\cC: Python's re is not ECMA-262
        return None


@pytest.mark.parametrize("path", sorted(SUITE.glob("*.json")), ids=lambda p: p.name)
def test_proved_pairs_keep_valid_data(path: Path) -> None:
    groups = json.loads(path.read_text(encoding="utf-8"))
    for a in groups:
        for b in groups:
            if a is b or includes(a["schema"], b["schema"]).verdict != "yes":
                continue
            for datum in _valid_data(a):
                assert _oracle(b["schema"], datum) is not False, (
                    a["description"],
                    b["description"],
                    datum,
                )
