"""The files of a project as the load stage reads them (``registry.load.tree``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from registry.load.settings import load_config
from registry.load.source import MAX_FILE_BYTES
from registry.load.tree import TOO_LARGE, definition_name, read_tree
from tests.helpers import run, write_tree


def _rules(root: Path) -> list[str]:
    result = run("lint", "--root", str(root), "--format", "json")
    return [f["rule"] for f in json.loads(result.stdout)["findings"]]


@pytest.mark.parametrize("content", [b"\0too-large", b"\0unreadable"])
def test_a_file_is_judged_by_what_it_holds(tmp_path: Path, content: bytes) -> None:
    """The reader once marked unreadable files with these very bytes, so a file holding
    them was reported as too large or unreadable instead of for what it is."""
    write_tree(tmp_path, {"wiretype.yaml": "{}\n"})
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "m.yaml").write_bytes(content)
    assert _rules(tmp_path) == ["YAML_SYNTAX"]


def test_a_file_too_large_is_reported_not_read(tmp_path: Path) -> None:
    write_tree(tmp_path, {"wiretype.yaml": "{}\n", "schemas/big.yaml": "#" * (MAX_FILE_BYTES + 1)})
    assert read_tree(load_config(tmp_path)) == {"schemas/big.yaml": TOO_LARGE}
    assert _rules(tmp_path) == ["FILE_TOO_LARGE"]


def test_definition_names_come_from_paths() -> None:
    assert definition_name("chat/room/joined.yaml") == "chat.room.joined"
    assert definition_name("chat/message-sent.yaml") is None
