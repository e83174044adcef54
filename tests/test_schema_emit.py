"""The compiled JSON Schema of the repository's two registries (the runtime's protocol in
schemas/, the chat example in examples/chat), held as golden files.

Set WIRETYPE_UPDATE_GOLDEN=1 to rewrite them after an intended change.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from registry.cli.project import load_project
from registry.load.settings import load_config
from registry.schema.export import jsonschema_files
from tests.helpers import CHAT, REPO, TESTS, UPDATE_GOLDEN, run, write_tree

GOLDEN = TESTS / "golden" / "jsonschema"
ROOTS = (REPO, CHAT)  # their message names do not overlap: one golden folder holds both


def _files() -> dict[str, str]:
    return {
        relative: text
        for root in ROOTS
        for relative, text in jsonschema_files(load_project(load_config(root)).schemas).items()
    }


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    return _files()


def test_golden_files_match(files: dict[str, str]) -> None:
    if UPDATE_GOLDEN:
        for old in GOLDEN.rglob("*.json"):
            old.unlink()
        write_tree(GOLDEN, files)
    on_disk = {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*.json")}
    assert on_disk == set(files)
    for relative, text in files.items():
        assert (GOLDEN / relative).read_text() == text, relative


def test_every_schema_is_valid_and_accepts_its_examples(files: dict[str, str]) -> None:
    definitions = [
        d for root in ROOTS for d in load_project(load_config(root)).registry.definitions.values()
    ]
    for definition in definitions:
        for version in definition.versions:
            schema = json.loads(files[f"{definition.name}/{version.number}.json"])
            Draft202012Validator.check_schema(schema)
            validator = Draft202012Validator(
                schema, format_checker=Draft202012Validator.FORMAT_CHECKER
            )
            for example in version.examples:
                assert validator.is_valid(example), (definition.name, version.number, example)


def test_closed_view_rejects_undeclared_fields_open_view_accepts(files: dict[str, str]) -> None:
    closed = json.loads(files["chat.typing/1.json"])
    opened = json.loads(files["chat.typing/1.open.json"])
    message = {
        "room": "r",
        "user_id": "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11",
        "typing": True,
        "extra": 1,
    }
    assert not Draft202012Validator(closed).is_valid(message)
    assert Draft202012Validator(opened).is_valid(message)


def test_output_is_deterministic(files: dict[str, str]) -> None:
    assert _files() == files


SHORTHAND = """\
versions:
  1:
    fields:
      s: {type: string, min_length: 1, max_length: 5, pattern: "^[a-z]+$"}
      n: {type: int, minimum: 0, exclusive_maximum: 10, multiple_of: 2}
      f: float
      b: bool
      maybe: uuid?
      opt: {type: email, required: false}
      d: {type: date, default: "2026-01-01"}
      tags: {type: list, items: string, min_items: 1, unique_items: true}
      scores: "map[int]"
      level: {enum: [low, high], default: low}
      kind: {const: thing}
      inner: {fields: {x: int, y: {type: int, required: false}}}
      tree: t.node
      raw: any
"""
NODE = """\
kind: type
versions:
  1:
    fields:
      value: int
      children: {type: "list[t.node]", default: []}
"""


def _schema(tmp_path: Path, closed: bool = True) -> dict[str, object]:
    write_tree(
        tmp_path,
        {
            "wiretype.yaml": "schemas: schemas\n",
            "schemas/m/all.yaml": SHORTHAND,
            "schemas/t/node.yaml": NODE,
        },
    )
    view = "closed" if closed else "open"
    result = run("show", "m.all", "--root", str(tmp_path), "-f", "jsonschema", "--view", view)
    assert result.exit_code == 0, result.stdout + result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_every_shorthand_form_compiles_to_what_it_means(tmp_path: Path) -> None:
    schema = _schema(tmp_path)
    props = schema["properties"]
    assert isinstance(props, dict)
    assert props["s"] == {"type": "string", "minLength": 1, "maxLength": 5, "pattern": "^[a-z]+$"}
    assert props["n"] == {"type": "integer", "minimum": 0, "exclusiveMaximum": 10, "multipleOf": 2}
    assert props["maybe"] == {"anyOf": [{"type": "string", "format": "uuid"}, {"type": "null"}]}
    assert props["tags"] == {
        "type": "array",
        "items": {"type": "string"},
        "minItems": 1,
        "uniqueItems": True,
    }
    assert props["scores"] == {"type": "object", "additionalProperties": {"type": "integer"}}
    assert props["level"] == {"enum": ["low", "high"], "default": "low"}
    assert props["kind"] == {"const": "thing"}
    assert props["tree"] == {"$ref": "#/$defs/t.node.v1"}
    assert props["raw"] == {}
    assert set(schema["required"]) == set(props) - {"opt", "d", "level"}  # type: ignore[arg-type]
    assert schema["additionalProperties"] is False


def test_recursive_shared_type_validates_deep_trees(tmp_path: Path) -> None:
    schema = _schema(tmp_path)
    defs = schema["$defs"]
    assert isinstance(defs, dict)
    assert defs["t.node.v1"]["properties"]["children"]["items"] == {"$ref": "#/$defs/t.node.v1"}
    validator = Draft202012Validator({**defs["t.node.v1"], "$defs": defs})
    assert validator.is_valid({"value": 1, "children": [{"value": 2, "children": []}]})
    assert not validator.is_valid({"value": 1, "children": [{"value": "2"}]})


def test_open_view_leaves_objects_open_but_maps_typed(tmp_path: Path) -> None:
    schema = _schema(tmp_path, closed=False)
    props = schema["properties"]
    assert isinstance(props, dict)
    assert "additionalProperties" not in schema
    assert "additionalProperties" not in props["inner"]
    assert props["scores"]["additionalProperties"] == {"type": "integer"}


def test_patterns_are_ecma_262(tmp_path: Path) -> None:
    """`\\p{L}` is ECMA-262 (Python's re lacks it); `$` does not match before a final newline."""
    write_tree(
        tmp_path,
        {
            "wiretype.yaml": "{}\n",
            "schemas/m.yaml": (
                'versions:\n  1:\n    fields:\n      name: {type: string, pattern: "^\\\\p{L}+$"}\n'
                '    examples:\n      - {name: Zoë}\n      - {name: "Zoë\\n"}\n'
            ),
        },
    )
    result = run("lint", "--root", str(tmp_path), "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule"], f["line"]) for f in findings] == [("EXAMPLE_INVALID", 7)]


def test_constraints_on_list_items_and_map_values_are_kept(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "wiretype.yaml": "{}\n",
            "schemas/m.yaml": (
                "versions:\n  1:\n    fields:\n"
                "      codes: {type: list, items: {type: string, max_length: 3}, max_items: 2}\n"
                '      scores: {type: map, values: {type: "list[int]", min_items: 1}}\n'
            ),
        },
    )
    result = run("show", "m", "--root", str(tmp_path), "-f", "jsonschema")
    props = json.loads(result.stdout)["properties"]
    assert props["codes"] == {
        "type": "array",
        "maxItems": 2,
        "items": {"type": "string", "maxLength": 3},
    }
    assert props["scores"]["additionalProperties"] == {
        "type": "array",
        "items": {"type": "integer"},
        "minItems": 1,
    }
