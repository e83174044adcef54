"""``wiretype lock`` and the lock findings of ``wiretype check``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run, write_tree

USER = "kind: type\nversions:\n  1:\n    fields:\n      id: uuid\n      name: string\n"
MESSAGE = """\
description: Sent.
versions:
  1:
    fields:
      who: common.user
      text: {type: string, max_length: 10}
  2:
    fields:
      who: common.user
      text: {type: string, max_length: 20}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_tree(
        tmp_path,
        {
            "wiretype.yaml": "compatibility: none\n",
            "schemas/common/user.yaml": USER,
            "schemas/chat/sent.yaml": MESSAGE,
        },
    )
    assert run("lock", "--root", str(tmp_path)).exit_code == 0
    return tmp_path


def _rules(root: Path) -> list[tuple[str, str, int]]:
    result = run("check", "--root", str(root), "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    assert result.exit_code == (1 if findings else 0)
    return [(f["rule"], f["file"], f["line"]) for f in findings]


def test_lock_lists_every_version_sorted(project: Path) -> None:
    lines = [
        ln for ln in (project / "wiretype.lock").read_text().splitlines() if not ln.startswith("#")
    ]
    assert [ln.split()[0] for ln in lines] == ["chat.sent@1", "chat.sent@2", "common.user@1"]
    assert all(ln.split()[1].startswith("sha256:") for ln in lines)
    assert _rules(project) == []


def test_changing_a_locked_version_is_a_finding_on_its_line(project: Path) -> None:
    path = project / "schemas/chat/sent.yaml"
    path.write_text(MESSAGE.replace("max_length: 10", "max_length: 5"))
    assert _rules(project) == [("LOCK_VERSION_CHANGED", "schemas/chat/sent.yaml", 3)]


def test_a_description_change_is_not_a_schema_change(project: Path) -> None:
    path = project / "schemas/chat/sent.yaml"
    path.write_text(MESSAGE.replace("description: Sent.", "description: Was sent."))
    assert _rules(project) == []


def test_changing_a_shared_type_changes_every_version_that_uses_it(project: Path) -> None:
    (project / "schemas/common/user.yaml").write_text(USER.replace("name: string", "name: int"))
    rules = {(r, line) for r, _, line in _rules(project)}
    assert ("LOCK_VERSION_CHANGED", 3) in rules and ("LOCK_VERSION_CHANGED", 7) in rules


def test_deleting_a_locked_version_or_definition_is_a_finding(project: Path) -> None:
    (project / "schemas/chat/sent.yaml").write_text(MESSAGE.split("  2:", maxsplit=1)[0])
    assert [r for r, _, _ in _rules(project)] == ["LOCK_VERSION_DELETED"]
    (project / "schemas/chat/sent.yaml").unlink()
    assert {(r, f) for r, f, _ in _rules(project)} == {("LOCK_DEFINITION_DELETED", "wiretype.lock")}


def test_lock_refuses_to_rewrite_a_changed_version_without_force(project: Path) -> None:
    path = project / "schemas/chat/sent.yaml"
    path.write_text(MESSAGE.replace("max_length: 10", "max_length: 5"))
    before = (project / "wiretype.lock").read_text()
    assert run("lock", "--root", str(project)).exit_code == 1
    assert (project / "wiretype.lock").read_text() == before
    assert run("lock", "--root", str(project), "--force").exit_code == 0
    assert _rules(project) == []


def test_a_damaged_lock_is_reported_with_its_line(project: Path) -> None:
    lock = project / "wiretype.lock"
    lock.write_text(lock.read_text() + "garbage here\n")
    assert [(r, f) for r, f, _ in _rules(project)] == [("LOCK_INVALID", "wiretype.lock")]


def test_lock_refuses_a_lock_file_it_cannot_read(tmp_path: Path) -> None:
    """A lock that is not UTF-8 stopped `wiretype lock` with an internal error."""
    assert run("init", str(tmp_path)).exit_code == 0
    (tmp_path / "wiretype.lock").write_bytes(b"\xff\xfe")
    result = run("lock", "--root", str(tmp_path))
    assert result.exit_code == 2
    assert "wiretype.lock" in result.stderr and "cannot read the lock" in result.stderr
    assert (tmp_path / "wiretype.lock").read_bytes() == b"\xff\xfe"  # left as it was
    checked = run("check", "--root", str(tmp_path), "--format", "json")
    assert [f["rule"] for f in json.loads(checked.stdout)["findings"]] == ["LOCK_INVALID"]
