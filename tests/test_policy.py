"""``wiretype check``: compatibility of a registry's messages by their modes, with migrations.

Each folder under ``tests/policy_cases/`` is a small project (``wiretype.yaml``,
``schemas/``) and an ``expected.yaml``: the exit code and every finding of
``wiretype check --format json`` (rule, file, line, direction, severity), with
optional substrings of the message, hint or JSON path. A finding that is not
listed fails the case, as does a listed one that does not appear.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from registry.check.migrate_schema import UnmappableError, apply_steps
from registry.check.pairing import pairs
from registry.cli.project import load_project
from registry.compile.model import Location, Step
from registry.json.validation import validator
from registry.load.settings import load_config
from registry.schema.emit import version_document
from tests.helpers import TESTS, run, write_tree

CASES = TESTS / "policy_cases"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if p.is_dir())
_KEYS = {"rule", "file", "line", "direction", "severity", "message", "hint", "hint_not", "path"}


def _direction(message: str) -> str | None:
    return next((d for d in ("backward", "forward") if f"({d})" in message), None)


def _key(finding: dict[str, Any]) -> tuple[Any, ...]:
    return (
        finding["rule"],
        finding["file"],
        finding["line"],
        finding.get("direction"),
        finding.get("severity", "error"),
    )


def _check(root: Path) -> tuple[int, list[dict[str, Any]]]:
    result = run("check", "--root", str(root), "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    for finding in findings:
        finding["direction"] = _direction(finding["message"])
    return result.exit_code, findings


def test_there_are_cases() -> None:
    assert len(CASE_NAMES) >= 20


@pytest.mark.parametrize("name", CASE_NAMES)
def test_case(name: str, tmp_path: Path) -> None:
    expected = yaml.safe_load((CASES / name / "expected.yaml").read_text(encoding="utf-8"))
    assert set(expected) == {"about", "exit", "findings"}, "expected.yaml: about, exit, findings"
    root = shutil.copytree(
        CASES / name, tmp_path / name, ignore=shutil.ignore_patterns("expected.yaml")
    )
    exit_code, findings = _check(root)
    wanted = expected["findings"]
    for entry in wanted:
        assert set(entry) <= _KEYS, f"unknown keys in expected.yaml: {set(entry) - _KEYS}"
    assert sorted(map(_key, findings)) == sorted(map(_key, wanted)), json.dumps(findings, indent=1)
    by_key = {_key(f): f for f in findings}
    for entry in wanted:
        found = by_key[_key(entry)]
        assert entry.get("message", "") in found["message"]
        assert entry.get("hint", "") in found["hint"]
        assert "hint_not" not in entry or entry["hint_not"] not in found["hint"]
        assert entry.get("path", "") in found["path"]
    assert exit_code == expected["exit"]


# --- the pairs each mode checks ------------------------------------------------------------

_THREE = "versions:\n" + "".join(f"  {n}:\n    fields: {{a: int}}\n" for n in (1, 2, 3))
_PAIRS = {
    "none": [],
    "backward": [(1, 2, "backward"), (2, 3, "backward")],
    "forward": [(1, 2, "forward"), (2, 3, "forward")],
    "full": [(1, 2, "backward"), (1, 2, "forward"), (2, 3, "backward"), (2, 3, "forward")],
    "backward_transitive": [(1, 2, "backward"), (1, 3, "backward"), (2, 3, "backward")],
    "forward_transitive": [(1, 2, "forward"), (1, 3, "forward"), (2, 3, "forward")],
    "full_transitive": [
        (o, n, d) for o, n in ((1, 2), (1, 3), (2, 3)) for d in ("backward", "forward")
    ],
}


@pytest.mark.parametrize("mode", sorted(_PAIRS))
def test_pairs_of_each_mode(mode: str, tmp_path: Path) -> None:
    write_tree(tmp_path, {"wiretype.yaml": f"compatibility: {mode}\n", "schemas/m.yaml": _THREE})
    definition = load_project(load_config(tmp_path)).registry.definitions["m"]
    found = [(p.old.number, p.new.number, p.direction) for p in pairs(definition)]
    assert sorted(found) == _PAIRS[mode]


# --- migration steps applied to a schema: a superset of what the shims output ----------------

_HERE = Location("m.yaml", 1, 1)
_OBJECT = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
    "required": ["b"],
}


@pytest.mark.parametrize(
    ("step", "properties", "required"),
    [
        # `a` is optional: when it is absent, the old `b` stays
        (
            Step("rename", "a", "b", _HERE),
            {"b": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
            ["b"],
        ),
        (
            Step("rename", "b", "c", _HERE),
            {"a": {"type": "integer"}, "c": {"type": "string"}},
            ["c"],
        ),
        # a present value is kept; the default fills only an absent `a`
        (
            Step("defaults", "a", 0, _HERE),
            {"a": {"anyOf": [{"type": "integer"}, {"const": 0}]}, "b": {"type": "string"}},
            ["b", "a"],
        ),
        (Step("drop", "b", None, _HERE), {"a": {"type": "integer"}}, []),
        # a moved optional field creates its parent only when it is there
        (
            Step("move", "a", "x.y", _HERE),
            {
                "b": {"type": "string"},
                "x": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"y": {"type": "integer"}},
                },
            },
            ["b"],
        ),
    ],
)
def test_steps_on_a_schema(step: Step, properties: dict[str, Any], required: list[str]) -> None:
    out = apply_steps(_OBJECT, [step])
    assert out["properties"] == properties
    assert out.get("required", []) == required
    assert _OBJECT["properties"]["a"] == {"type": "integer"}  # the input is left alone


def test_keywords_about_the_whole_object_are_dropped_when_a_step_edits_it() -> None:
    schema = {
        **_OBJECT,
        "maxProperties": 2,
        "propertyNames": {"maxLength": 1},
        "patternProperties": {"^z": {"type": "null"}},
    }
    out = apply_steps(schema, [Step("rename", "a", "abc", _HERE)])
    assert not {"maxProperties", "propertyNames", "patternProperties"} & set(out)
    assert "additionalProperties" not in out  # it did not apply to names patternProperties took


def test_a_custom_step_and_an_unfollowable_path_are_unmappable() -> None:
    custom = Step("custom", "", ("m:f", "./m.js#f"), _HERE)
    with pytest.raises(UnmappableError, match="trusted"):
        apply_steps(_OBJECT, [custom])
    nullable = {
        **_OBJECT,
        "properties": {
            "p": {"anyOf": [{"type": "object"}, {"type": "null"}]},
            "a": {"type": "integer"},
        },
    }
    with pytest.raises(UnmappableError, match="not a plain object"):
        apply_steps(nullable, [Step("move", "a", "p.a", _HERE)])


# --- every printed witness is a whole message, checked against both versions ------------------

_LABEL = re.compile(r"^(?P<name>\S+) v(?P<old>\d+) (?P<arrow>[→←]) v(?P<new>\d+) \((?P<way>\w+)\)")


@pytest.mark.parametrize("name", CASE_NAMES)
def test_every_witness_is_a_message_the_writer_accepts_and_the_reader_rejects(
    name: str, tmp_path: Path
) -> None:
    root = shutil.copytree(
        CASES / name, tmp_path / name, ignore=shutil.ignore_patterns("expected.yaml")
    )
    loaded = load_project(load_config(root))
    for finding in json.loads(run("check", "--root", str(root), "--format", "json").stdout)[
        "findings"
    ]:
        if "witness" not in finding["extra"]:
            assert "e.g." not in finding["message"], finding  # no unchecked example
            continue
        label = _LABEL.match(finding["message"])
        assert label is not None, finding["message"]
        definition = loaded.registry.definitions[label["name"]]
        old, new = int(label["old"]), int(label["new"])
        writer, reader = (old, new) if label["way"] == "backward" else (new, old)
        written = version_document(
            loaded.registry, definition, definition.version(writer), closed=True
        )
        readable = version_document(
            loaded.registry, definition, definition.version(reader), closed=False
        )
        message = json.loads(finding["extra"]["witness"])
        migrated = json.loads(finding["extra"]["migrated"])
        assert validator(written).is_valid(message), finding
        assert not validator(readable).is_valid(migrated), finding
        assert f"v{writer} message" in finding["message"]
