"""``wiretype compat``: two raw schema files compared by set inclusion (its JSON contract too)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from registry.compat import RULES
from tests.helpers import run

OBJECT = {"type": "object", "properties": {"p": {"enum": ["a", "b"]}}}
WIDER = {"type": "object", "properties": {"p": {"enum": ["a", "b", "c"]}}}
NARROWER = {"type": "object", "properties": {"p": {"enum": ["a"]}}}


def _write(folder: Path, name: str, schema: object) -> Path:
    """A schema file: JSON for .json, YAML (block style) for .yaml."""
    path = folder / name
    text = json.dumps(schema) if name.endswith(".json") else yaml.safe_dump(schema)
    path.write_text(text, encoding="utf-8")
    return path


# old, new, mode -> exit, backward, forward. WIDER accepts more (backward only).
COMPAT_CASES = [
    (OBJECT, OBJECT, "full", 0, True, True),
    (OBJECT, WIDER, "full", 1, True, False),
    (OBJECT, WIDER, "backward", 0, True, False),
    (OBJECT, WIDER, "forward", 1, True, False),
    (OBJECT, NARROWER, "backward", 1, False, True),
    (OBJECT, NARROWER, "forward", 0, False, True),
    (OBJECT, NARROWER, "none", 0, False, True),
    (
        {"type": "string", "pattern": "^(ab)*$"},
        {"type": "string", "pattern": "^(a|b)*$"},
        "backward",
        1,
        False,
        False,
    ),  # cannot prove: never compatible
]


@pytest.mark.parametrize("suffixes", [(".json", ".json"), (".yaml", ".yaml"), (".json", ".yaml")])
@pytest.mark.parametrize("case", COMPAT_CASES)
def test_compat_json_output(
    tmp_path: Path, suffixes: tuple[str, str], case: tuple[object, object, str, int, bool, bool]
) -> None:
    old, new, mode, code, backward, forward = case
    old_path = _write(tmp_path, "old" + suffixes[0], old)
    new_path = _write(tmp_path, "new" + suffixes[1], new)
    result = run("compat", str(old_path), str(new_path), "--mode", mode, "--format", "json")
    assert result.exit_code == code
    payload = json.loads(result.stdout)
    assert set(payload) == {"compatible", "backward", "forward", "verdicts", "undecided", "changes"}
    assert (payload["compatible"], payload["backward"], payload["forward"]) == (
        code == 0,
        backward,
        forward,
    )
    for change in payload["changes"]:
        assert {"path", "rule", "breaking", "message"} <= set(change)
        assert change["rule"] in RULES and isinstance(change["breaking"], bool)
    if code == 1:
        assert any(c["breaking"] for c in payload["changes"])


def test_compat_names_the_rule_and_path(tmp_path: Path) -> None:
    old, new = _write(tmp_path, "old.json", OBJECT), _write(tmp_path, "new.json", NARROWER)
    payload = json.loads(run("compat", str(old), str(new), "-f", "json").stdout)
    [change] = [c for c in payload["changes"] if c["breaking"]]
    assert (change["rule"], change["path"]) == ("ENUM_VALUE_NO_DELETE", "/properties/p/enum")
    assert '"b"' in change["message"]  # values are written as JSON


NEW_YAML = """\
type: object
properties:
  p:
    enum: [a]
required: [p]
"""


def test_compat_text_github_and_junit_point_at_the_keyword(tmp_path: Path) -> None:
    old = _write(tmp_path, "old.json", OBJECT)
    new = tmp_path / "new.yaml"
    new.write_text(NEW_YAML, encoding="utf-8")
    text = run("compat", str(old), str(new))
    assert text.exit_code == 1
    assert f"{new}:4:5: error ENUM_VALUE_NO_DELETE" in text.stdout
    assert f"{new}:5:1: error FIELD_NO_NEW_REQUIRED" in text.stdout
    assert "NOT compatible (full): backward no, forward yes" in text.stdout
    github = run("compat", str(old), str(new), "-f", "github").stdout
    assert f"::error file={new},line=4,col=5,title=ENUM_VALUE_NO_DELETE::backward" in github
    junit = run("compat", str(old), str(new), "-f", "junit").stdout
    suite = ElementTree.fromstring(junit)
    assert (suite.get("tests"), suite.get("failures")) == ("2", "2")
    types = {f.get("type") for f in suite.iter("failure")}
    assert types == {"ENUM_VALUE_NO_DELETE", "FIELD_NO_NEW_REQUIRED"}


def test_compat_text_when_compatible(tmp_path: Path) -> None:
    old, new = _write(tmp_path, "old.json", OBJECT), _write(tmp_path, "new.yaml", WIDER)
    result = run("compat", str(old), str(new), "--mode", "backward")
    assert result.exit_code == 0
    assert "compatible (backward): backward yes, forward no" in result.stdout
    junit = ElementTree.fromstring(
        run("compat", str(old), str(new), "-m", "backward", "-f", "junit").stdout
    )
    assert junit.get("failures") == "0"


BAD_FILES = {
    "missing.json": None,
    "list.json": "[1, 2]",
    "number.yaml": "3\n",
    "syntax.yaml": "a: [\n",
    "truncated.json": '{"type": "object"',
    "nan.json": '{"minimum": NaN}',
    "empty.yaml": "",
    "two.yaml": "---\ntype: object\n---\ntype: string\n",
    "latin1.json": b'{"description": "caf\xe9"}',
    "badtype.json": '{"type": 5}',
    "badkeyword.yaml": "properties: [a, b]\n",
    "badpattern.json": '{"properties": {"a": {"pattern": "("}}}',
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_compat_unreadable_or_not_a_schema_is_exit_2(tmp_path: Path, name: str) -> None:
    content = BAD_FILES[name]
    bad = tmp_path / name
    if isinstance(content, bytes):
        bad.write_bytes(content)
    elif content is not None:
        bad.write_text(content, encoding="utf-8")
    good = _write(tmp_path, "good.json", OBJECT)
    for args in ((str(good), str(bad)), (str(bad), str(good))):
        result = run("compat", *args, "--format", "json")  # a crash raises here
        assert result.exit_code == 2
        assert result.stdout == ""
        assert result.stderr.startswith(f"wiretype: error: {bad}:")


def test_compat_a_folder_or_bad_mode_is_exit_2(tmp_path: Path) -> None:
    good = _write(tmp_path, "good.json", OBJECT)
    assert run("compat", str(good), str(tmp_path)).exit_code == 2
    result = run("compat", str(good), str(good), "--mode", "sideways")
    assert result.exit_code == 2 and "--mode must be one of" in result.stderr


def test_compat_error_has_no_traceback_from_the_console_script(tmp_path: Path) -> None:
    good = _write(tmp_path, "good.json", OBJECT)
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": 5}', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "registry", "compat", str(good), str(bad)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 2
    assert "bad.json" in done.stderr and "Traceback" not in done.stderr
    assert "internal error" not in done.stderr


def test_compat_refuses_yaml_1_1_boolean_words(tmp_path: Path) -> None:
    """`enum: [yes, no]` would be compared as [true, false]: which did the author mean?"""
    old = tmp_path / "old.yaml"
    old.write_text("type: string\nenum: [yes, no]\n", encoding="utf-8")
    new = tmp_path / "new.yaml"
    new.write_text('type: string\nenum: ["yes", "no"]\n', encoding="utf-8")
    result = run("compat", str(old), str(new))
    assert result.exit_code == 2
    assert f"{old}:2:8:" in result.stderr and 'quote it ("yes")' in result.stderr


def _with_defs(user: object, name: object) -> dict[str, object]:
    return {
        "type": "object",
        "properties": {"who": {"$ref": "#/$defs/user"}},
        "$defs": {"user": user, "name": name},
    }


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # the same `$ref`, pointing at a narrower schema on the right
        (_with_defs({"type": "string"}, {}), _with_defs({"type": "string", "maxLength": 3}, {})),
        # the same `$ref` and the same target, whose own `$ref` points at a narrower schema
        (
            _with_defs({"$ref": "#/$defs/name"}, {"type": "integer"}),
            _with_defs({"$ref": "#/$defs/name"}, {"type": "integer", "maximum": 9}),
        ),
    ],
)
def test_equal_references_to_different_schemas_are_compared(old: object, new: object) -> None:
    from registry.compat import includes

    assert includes(old, new).verdict == "no"
    assert includes(new, old).holds
