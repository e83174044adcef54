"""The catalog of ids: every id the code can print is in it, none is ever removed, and
``wiretype rules`` / ``wiretype explain`` print it."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.catalog import CATALOG, CATEGORIES
from registry.compat import RULES
from tests.helpers import REPO, TESTS, run

ID = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$")
# UPPER_SNAKE strings in registry/ that are not ids, each with the reason.
NOT_IDS = {
    "ALL_TYPES": "a constant of the compatibility engine (the JSON types)",
    "NO_WITNESS": "the repr of the engine's no-witness sentinel",
    "WIRETYPE_DEBUG": "an environment variable",
    "WIRETYPE_NO_CACHE": "an environment variable",
    "WIRETYPE_CACHE_DIR": "an environment variable",
    "WIRETYPE_JOBS": "an environment variable",
    "WIRETYPE_ADMIN_TOKEN": "an environment variable (wiretype versions --token)",
    "XDG_CACHE_HOME": "an environment variable",
    "LC_ALL": "an environment variable (git's locale)",
    "O_NOFOLLOW": "an os.open flag",
    "MAY_HOLD_NON_FINITE": "a name the generated Python package exports",
}
# Calls that create a finding, and the position of their rule id argument.
RULE_ARGUMENT = {"Finding": 3, "error": 1, "_ParseError": 0, "Change": 1, "finding": 1}
SNAPSHOT = TESTS / "catalog_ids.txt"


def _modules() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted((REPO / "registry").rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _id_literals() -> dict[str, str]:
    found = {}
    for path, tree in _modules():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and ID.match(node.value)
            ):
                found.setdefault(node.value, f"{path.relative_to(REPO)}:{node.lineno}")
    return found


def test_every_id_in_the_code_is_catalogued() -> None:
    literals = _id_literals()
    missing = {i: where for i, where in literals.items() if i not in CATALOG and i not in NOT_IDS}
    assert not missing, f"ids printed by the code but not in registry/catalog.py: {missing}"
    assert set(NOT_IDS) <= set(literals), "NOT_IDS lists a string the code no longer has"


def _rule_argument(call: ast.Call) -> ast.expr | None:
    name = (
        call.func.attr
        if isinstance(call.func, ast.Attribute)
        else call.func.id
        if isinstance(call.func, ast.Name)
        else ""
    )
    if name not in RULE_ARGUMENT:
        return None
    keyword = next((k.value for k in call.keywords if k.arg == "rule"), None)
    position = RULE_ARGUMENT[name]
    return (
        keyword
        if keyword is not None
        else call.args[position]
        if len(call.args) > position
        else None
    )


def test_ids_are_written_out_where_findings_are_made() -> None:
    """A rule built at run time (an f-string, ``key.upper()``) would escape the scan above."""
    built = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                argument = _rule_argument(node)
                if isinstance(argument, (ast.JoinedStr, ast.BinOp, ast.Call)):
                    built.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not built, f"rule ids built at run time: {built}"


def test_ids_derived_for_check_against_are_catalogued() -> None:
    """``check --against`` reports the lock's findings under REF_* (checks._against)."""
    assert 'replace("LOCK_", "REF_")' in (REPO / "registry/checks.py").read_text()
    for rule_id in CATALOG:
        if rule_id.startswith("LOCK_") and rule_id != "LOCK_INVALID":
            assert rule_id.replace("LOCK_", "REF_") in CATALOG, rule_id


def test_no_shipped_id_is_removed_or_renamed() -> None:
    shipped = {
        line for line in SNAPSHOT.read_text().splitlines() if line and not line.startswith("#")
    }
    gone = sorted(shipped - set(CATALOG))
    assert not gone, f"ids are forever: retire {gone} in registry/catalog.py, do not delete"
    new = sorted(set(CATALOG) - shipped)
    assert not new, f"new ids {new}: add them to {SNAPSHOT.name} (they ship from now on)"


def test_every_entry_is_documented() -> None:
    categories = {key for key, _ in CATEGORIES}
    assert set(RULES) <= set(CATALOG)
    for entry in CATALOG.values():
        assert ID.match(entry.id) and entry.category in categories, entry.id
        for text in (entry.summary, entry.protects, entry.before, entry.after, entry.fix):
            assert text.strip(), entry.id
        assert (entry.category == "retired") == bool(entry.replaced_by), entry.id


# --- the commands ----------------------------------------------------------------------------


def test_rules_lists_every_id_once_by_category() -> None:
    result = run("rules")
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ")]
    assert sorted(listed) == sorted(CATALOG)
    headings = [line for line in result.stdout.splitlines() if line.endswith(":")]
    assert headings == [f"{heading}:" for _, heading in CATEGORIES]
    for line in result.stdout.splitlines():
        if line.startswith("  "):
            assert line.endswith(CATALOG[line.split()[0]].summary)


@pytest.mark.parametrize(
    "rule_id",
    [
        "REF_COMPATIBILITY_WEAKENED",
        "LOCK_VERSION_CHANGED",
        "DEFAULT_INVALID",
        "YAML_AMBIGUOUS_BOOLEAN",
        "CLASS_NAME_COLLISION",
        "ENUM_VALUE_NO_DELETE",
    ],
)
def test_explain_knows_every_kind_of_id(rule_id: str) -> None:
    result = run("explain", rule_id.lower())
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"{rule_id}\n")
    entry = CATALOG[rule_id]
    for text in (entry.summary, entry.protects, entry.before, entry.after, entry.fix):
        assert text in result.stdout


def test_explain_shows_an_engine_rule_as_old_and_new_schemas() -> None:
    result = run("explain", "ENUM_VALUE_NO_DELETE")
    assert "Before (OLD): {enum: [low, normal, high]}" in result.stdout
    assert "After  (NEW): {enum: [low, normal]}" in result.stdout
    assert "How to evolve safely:" in result.stdout


def test_explain_an_unknown_id_is_exit_2_with_a_suggestion() -> None:
    result = run("explain", "NOPE")
    assert result.exit_code == 2 and "wiretype rules" in result.stderr
    close = run("explain", "LOCK_VERSION_CHANGD")
    assert close.exit_code == 2 and "did you mean 'LOCK_VERSION_CHANGED'" in close.stderr


def test_a_retired_id_says_what_replaced_it() -> None:
    result = run("explain", "FIELD_WIDENED")
    assert result.exit_code == 0 and "Retired" in result.stdout
