"""``wiretype diff MSG V1 V2``: true rows, keyword-level changes, and the exit code of DESIGN.md
(1 when not compatible in the message's mode, 0 when compatible, 2 for bad arguments)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run, write_tree

SENT = """\
versions:
  1:
    fields:
      id: uuid
      text: {type: string, max_length: 2000}
      priority: {enum: [low, high]}
  2:
    fields:
      id: uuid
      body: {type: string, max_length: 4000}
      priority: {enum: [low, high, urgent]}
      note: {type: string, required: false}
    migrate:
      rename: {text: body}
"""

USER = (
    "kind: type\nversions:\n  1:\n    fields: {id: uuid, name: {type: string, max_length: 80}}\n"
    "  2:\n    fields: {id: uuid, name: {type: string, max_length: 120}}\n"
)
TAG = "kind: type\nversions:\n  1:\n    fields: {label: string}\n"


def _project(tmp_path: Path, message: str, mode: str = "full") -> Path:
    return write_tree(
        tmp_path,
        {
            "wiretype.yaml": f"compatibility: {mode}\n",
            "schemas/chat/sent.yaml": message,
            "schemas/common/user.yaml": USER,
            "schemas/common/tag.yaml": TAG,
        },
    )


def _diff(root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = run("diff", "chat.sent", *args, "--root", str(root), "--format", "json")
    return result.exit_code, json.loads(result.stdout)


def _rows(payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["field"]: row for row in payload["changes"]}


def test_changes_are_told_keyword_by_keyword(tmp_path: Path) -> None:
    root = _project(tmp_path, SENT)
    code, payload = _diff(root, "1", "2")
    rows = _rows(payload)
    assert set(rows) == {"body", "priority", "note"}  # `id` did not change: no row
    assert (rows["body"]["kind"], rows["body"]["was"]) == ("renamed", "text")
    assert rows["body"]["detail"] == "max_length 2000 → 4000"
    assert rows["body"]["breaks"] == ["forward"]
    assert rows["body"]["rules"] == ["STRING_MAX_LENGTH_NO_DECREASE"]
    assert rows["priority"]["detail"] == 'enum + "urgent"'
    assert rows["priority"]["breaks"] == ["forward"]
    assert (rows["note"]["kind"], rows["note"]["breaks"]) == ("added", [])
    text = run("diff", "chat.sent", "1", "2", "--root", str(root)).stdout
    assert "text → body" in text and "max_length 2000 → 4000" in text
    assert code == 1  # full: forward fails (v1 cannot hold 4000 characters, nor "urgent")


def test_an_identical_field_is_not_a_row(tmp_path: Path) -> None:
    """A shared type added elsewhere changes the document's $defs, not the field."""
    root = _project(
        tmp_path,
        "versions:\n  1:\n    fields: {id: uuid, author: common.user@1}\n"
        "  2:\n    fields: {id: uuid, author: common.user@1, "
        "tag: {type: common.tag, required: false}}\n",
    )
    code, payload = _diff(root, "1", "2")
    assert [(r["field"], r["kind"]) for r in payload["changes"]] == [("tag", "added")]
    assert code == 0


def test_a_field_that_became_required_breaks_backward(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        "versions:\n  1:\n    fields: {id: uuid, note: {type: string, "
        "required: false}}\n  2:\n    fields: {id: uuid, note: string}\n",
        mode="backward",
    )
    code, payload = _diff(root, "1", "2")
    [row] = payload["changes"]
    assert (row["field"], row["kind"], row["detail"]) == ("note", "changed", "now required")
    assert row["breaks"] == ["backward"] and row["rules"] == ["FIELD_NO_NEW_REQUIRED"]
    assert payload["backward"] is False and payload["compatible"] is False
    assert code == 1
    text = run("diff", "chat.sent", "1", "2", "--root", str(root))
    assert text.exit_code == 1 and "NOT compatible in mode backward" in text.stdout


def test_a_field_that_became_optional_breaks_forward_only(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        "versions:\n  1:\n    fields: {note: string}\n"
        "  2:\n    fields: {note: {type: string, required: false}}\n",
        mode="backward",
    )
    code, payload = _diff(root, "1", "2")
    [row] = payload["changes"]
    assert (row["detail"], row["breaks"]) == ("now optional", ["forward"])
    assert code == 0  # backward holds, and backward is all the mode asks


def test_a_covered_break_says_so_and_passes(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        SENT.replace(
            "      rename: {text: body}\n",
            "      rename: {text: body}\n      down:\n        values: {priority: {urgent: high}}\n",
        ),
        mode="backward",
    )
    code, payload = _diff(root, "1", "2")
    priority = _rows(payload)["priority"]
    assert priority["breaks"] == ["forward"] and priority["covered"] == ["forward"]
    assert code == 0
    assert "migrate covers it" in run("diff", "chat.sent", "1", "2", "--root", str(root)).stdout


def test_a_shared_type_version_change_lists_what_changed_inside(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        "versions:\n  1:\n    fields: {author: common.user@1}\n"
        "  2:\n    fields: {author: common.user@2}\n",
        mode="backward",
    )
    code, payload = _diff(root, "1", "2")
    [row] = payload["changes"]
    assert row["field"] == "author"
    assert "$ref common.user@1 → common.user@2" in row["detail"]
    assert "name.max_length 80 → 120" in row["detail"]
    assert (row["breaks"], code) == (["forward"], 0)


def test_unchanged_versions_have_no_rows(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        "versions:\n  1:\n    fields: {id: uuid}\n"
        "  2:\n    description: the same, again\n    fields: {id: uuid}\n",
    )
    code, payload = _diff(root, "1", "2")
    assert (payload["changes"], code) == ([], 0)
    text = run("diff", "chat.sent", "1", "2", "--root", str(root)).stdout
    assert "no changes to the schema" in text and "compatible in mode full" in text


def test_mode_none_checks_nothing_and_exits_0(tmp_path: Path) -> None:
    root = _project(tmp_path, SENT.replace("versions:", "compatibility: none\nversions:", 1))
    code, payload = _diff(root, "1", "2")
    assert payload["checked"] == [] and payload["compatible"] is True and code == 0


@pytest.mark.parametrize("args", [("2", "1"), ("1", "3"), ("1", "2", "--format", "yaml")])
def test_bad_versions_are_exit_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    root = _project(tmp_path, SENT)
    result = run("diff", "chat.sent", *args, "--root", str(root))
    assert result.exit_code == 2 and result.stderr.startswith("wiretype: error:")


def test_an_unknown_message_is_exit_2_with_a_suggestion(tmp_path: Path) -> None:
    root = _project(tmp_path, SENT)
    result = run("diff", "chat.snt", "1", "2", "--root", str(root))
    assert result.exit_code == 2 and "chat.sent" in result.stderr


def test_a_raw_schema_change_outside_the_fields_is_the_message_row(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        "versions:\n  1:\n    schema: {type: object}\n"
        "  2:\n    schema: {type: object, minProperties: 1}\n",
        mode="forward",
    )
    code, payload = _diff(root, "1", "2")
    [row] = payload["changes"]
    assert (row["field"], row["detail"]) == ("(message)", "minProperties added: 1")
    assert row["breaks"] == ["backward"] and row["rules"] == ["OBJECT_MIN_PROPERTIES_NO_INCREASE"]
    assert code == 0  # forward (what the mode checks) holds
