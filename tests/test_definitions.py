"""Every kind of broken definition: one folder per case under tests/definitions/.

Each case is a small project with an ``expected.yaml`` naming the exit code and every
finding (rule, file and line) that ``wiretype lint --format json`` reports: those and
nothing else, as many times as listed (no cascade, no noise, none missing).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from registry.catalog import CATALOG
from tests.helpers import TESTS, run

CASES = sorted(p for p in (TESTS / "definitions").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_definition_is_reported(case: Path) -> None:
    expected = yaml.safe_load((case / "expected.yaml").read_text())
    result = run("lint", "--root", str(case), "--format", "json")
    assert result.exit_code == expected["exit"], result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    found = json.loads(result.stdout)["findings"]
    got = sorted((f["rule"], f["file"], f["line"]) for f in found)
    want = sorted((w["rule"], w["file"], w["line"]) for w in expected["findings"])
    assert got == want
    for finding in found:
        assert finding["message"] and finding["column"] >= 1
        assert finding["rule"] in CATALOG, f"{finding['rule']} is not in registry/catalog/"


def test_every_case_has_expectations() -> None:
    assert len(CASES) >= 40
    for case in CASES:
        assert (case / "expected.yaml").is_file(), case


def test_text_output_names_file_line_and_column() -> None:
    result = run("lint", "--root", str(TESTS / "definitions" / "unknown_field_key"))
    assert result.exit_code == 1
    assert "schemas/a/m.yaml:4:" in result.stdout
    assert "did you mean 'max_length'?" in result.stdout


def test_unknown_key_suggests_the_right_one() -> None:
    result = run(
        "lint", "--root", str(TESTS / "definitions" / "unknown_version_key"), "--format", "json"
    )
    messages = [f["message"] for f in json.loads(result.stdout)["findings"]]
    assert any("did you mean 'fields'?" in m for m in messages), messages


@pytest.mark.parametrize(
    ("case", "says"),
    [
        ("yaml_flow_brackets", 'quote it: "map[int]"'),
        ("yaml_tab_indent", "indented with tabs"),
        ("yaml_boolean_words", 'quote it ("yes")'),
        ("class_name_collision", "class_name: GameChat"),
    ],
)
def test_the_message_says_what_to_do(case: str, says: str) -> None:
    result = run("lint", "--root", str(TESTS / "definitions" / case))
    assert result.exit_code == 1 and says in result.stdout, result.stdout
