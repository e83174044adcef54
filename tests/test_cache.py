"""The cache: only ever faster, never different, and never a way in.

Every test points the cache at its own tmp folder. A run with a warm cache must
print exactly what a run without one prints; nothing in the work tree is read
from or written to; an entry that was edited, or written under another machine's
key, is ignored; editing one file works out again only what depends on it.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from registry.cli import cache
from registry.findings import Finding
from tests.helpers import TESTS, Result, run, write_tree

USER = """\
kind: type
versions:
  1:
    fields:
      id: uuid
      name: {type: string, max_length: 80}
"""

SENT = """\
description: A message was posted.
versions:
  1:
    fields:
      who: common.user
      text: {type: string, max_length: 100}
      priority: {enum: [low, high]}
    examples:
      - {who: {id: 7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11, name: Ada}, text: hi, priority: low}
  2:
    fields:
      who: common.user
      text: {type: string, max_length: 100}
      priority: {enum: [low, high]}
      note: {type: string, required: false}
"""
BREAKING = SENT.replace(
    "      priority: {enum: [low, high]}\n      note:", "      priority: {enum: [low]}\n      note:"
)

EDITED = """\
versions:
  1:
    fields:
      who: common.user
      text: string
"""

TYPING = """\
versions:
  1:
    fields:
      room: string
"""

REGISTRY = {
    "wiretype.yaml": "compatibility: backward\n",
    "schemas/common/user.yaml": USER,
    "schemas/chat/sent.yaml": SENT,
    "schemas/chat/edited.yaml": EDITED,
    "schemas/chat/typing.yaml": TYPING,
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "project", REGISTRY)


def check(root: Path, cache_dir: Path | None, *args: str) -> Result:
    return run("check", "--root", str(root), "--format", "json", *args, cache=cache_dir)


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


# --- nothing a commit can carry is read ---------------------------------------------------------


class _Runs:
    """A pickle that runs code when it is loaded (what a crafted cache file would hold)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (exec, (f"open({str(self.marker)!r}, 'w').write('ran')",))


def _plant(root: Path, payload: bytes) -> None:
    """Crafted files where wiretype kept its cache before: under every name an earlier run
    left there, and under names of each kind it used."""
    folder = root / ".wiretype_cache"
    folder.mkdir(exist_ok=True)
    names = {p.name for p in folder.glob("*.pickle")}
    names |= {f"{kind}-{'0' * 32}.pickle" for kind in ("load", "check")}
    for name in [*names, "verdicts-table.pickle"]:
        (folder / name).write_bytes(payload)


def test_a_pickle_in_the_work_tree_is_never_loaded(project: Path, tmp_path: Path) -> None:
    (project / "schemas/chat/sent.yaml").write_text(BREAKING, encoding="utf-8")
    assert check(project, tmp_path / "cache").exit_code == 1
    marker = tmp_path / "pwned"
    _plant(project, pickle.dumps(_Runs(marker)))
    assert check(project, tmp_path / "cache").exit_code == 1
    assert not marker.exists()


def test_a_forged_verdict_in_the_work_tree_does_not_pass_a_breaking_change(
    project: Path, tmp_path: Path
) -> None:
    (project / "schemas/chat/sent.yaml").write_text(BREAKING, encoding="utf-8")
    first = check(project, tmp_path / "cache")
    assert first.exit_code == 1
    _plant(project, pickle.dumps([]))  # "no findings"
    again = check(project, tmp_path / "cache")
    assert again.exit_code == 1
    assert again.stdout == first.stdout


def test_the_cache_lives_outside_the_work_tree(project: Path, tmp_path: Path) -> None:
    before = _files(project)
    assert check(project, tmp_path / "cache").exit_code == 0
    assert check(project, tmp_path / "cache").exit_code == 0
    assert _files(project) == before
    [pack] = (tmp_path / "cache" / "packs").iterdir()
    mac, _, payload = pack.read_bytes().partition(b"\n")  # data, never code: a MAC, then JSON
    assert len(mac) == 64 and json.loads(payload)["entries"]
    for private in (pack, tmp_path / "cache" / "key"):
        assert stat.S_IMODE(private.stat().st_mode) == 0o600


def test_a_cache_folder_inside_the_work_tree_is_not_used(project: Path, tmp_path: Path) -> None:
    (project / ".git").mkdir()  # the project is a repository...
    inside = project / "build" / "cache"  # ...and the cache folder is asked for inside it
    assert check(project, inside).exit_code == 0
    assert not inside.exists()
    nested = write_tree(project / "proto", REGISTRY)  # a project in a subfolder of the clone
    assert check(nested, project / "cache").exit_code == 0
    assert not (project / "cache").exists()


def test_the_cache_can_be_turned_off(project: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    result = run("check", "--root", str(project), cache=None)  # WIRETYPE_NO_CACHE=1
    assert result.exit_code == 0
    assert not folder.exists()


# --- an entry that is not this machine's own is ignored ---------------------------------------


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, Any]]:
    """Every entry wiretype writes, as (kind, key, value)."""
    from registry.cli.cache import Store

    puts: list[tuple[str, str, Any]] = []
    real = Store.put

    def put(self: Any, kind: str, key: str, value: Any) -> None:
        puts.append((kind, key, value))
        real(self, kind, key, value)

    monkeypatch.setattr(Store, "put", put)
    return puts


def _cleared(value: Any) -> Any:
    """An entry's value saying that the file has no findings at all."""
    if isinstance(value, dict) and "variants" in value:
        for variant in value["variants"]:
            variant["report"]["findings"] = []
            variant["report"]["pairs"] = []
    return value


def _forge(root: Path, folder: Path, puts: list[tuple[str, str, Any]]) -> None:
    """Entries claiming "no findings", correctly signed with the key of ``folder``."""
    with cache.open_store(root) as store:
        assert store.pack is not None and store.pack.parent.parent == folder.resolve()
        for kind, key, value in puts:
            store.put(kind, key, _cleared(json.loads(json.dumps(value))))


def test_entries_signed_with_another_key_are_ignored(
    project: Path,
    tmp_path: Path,
    recorded: list[tuple[str, str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (project / "schemas/chat/sent.yaml").write_text(BREAKING, encoding="utf-8")
    theirs, ours = tmp_path / "theirs", tmp_path / "ours"
    honest = check(project, ours)
    assert honest.exit_code == 1
    monkeypatch.setenv("WIRETYPE_CACHE_DIR", str(theirs))
    _forge(project, theirs, list(recorded))
    assert check(project, theirs).exit_code == 0  # under their own key, the forgery works
    [pack] = (theirs / "packs").iterdir()  # copied onto this machine, it does not
    shutil.copy(pack, ours / "packs" / pack.name)
    again = check(project, ours)
    assert again.exit_code == 1
    assert again.stdout == honest.stdout


def test_an_edited_entry_is_ignored(project: Path, tmp_path: Path) -> None:
    (project / "schemas/chat/sent.yaml").write_text(BREAKING, encoding="utf-8")
    folder = tmp_path / "cache"
    honest = check(project, folder)
    assert honest.exit_code == 1
    [pack] = (folder / "packs").iterdir()
    mac, _, payload = pack.read_bytes().partition(b"\n")
    data = json.loads(payload)
    for entry in data["entries"]["file"].values():
        _cleared(entry[1])
    pack.write_bytes(mac + b"\n" + json.dumps(data, separators=(",", ":")).encode())
    again = check(project, folder)
    assert again.exit_code == 1
    assert again.stdout == honest.stdout


def test_a_key_that_others_can_read_turns_the_cache_off(
    project: Path,
    tmp_path: Path,
    recorded: list[tuple[str, str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """git checks files out 0644: a key file committed with forged entries is not trusted."""
    (project / "schemas/chat/sent.yaml").write_text(BREAKING, encoding="utf-8")
    folder = tmp_path / "cache"
    assert check(project, folder).exit_code == 1
    monkeypatch.setenv("WIRETYPE_CACHE_DIR", str(folder))
    _forge(project, folder, list(recorded))
    assert check(project, folder).exit_code == 0  # the forgery, signed with the real key
    (folder / "key").chmod(0o644)
    assert check(project, folder).exit_code == 1


@pytest.mark.parametrize("mangle", ["garbage", "wrong shape", "empty"])
def test_a_malformed_entry_is_a_miss(
    project: Path, tmp_path: Path, mangle: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "schemas/chat/sent.yaml").write_text(BREAKING, encoding="utf-8")
    folder = tmp_path / "cache"
    honest = check(project, folder)
    monkeypatch.setenv("WIRETYPE_CACHE_DIR", str(folder))
    from registry.check import survey as reports

    values = {
        "garbage": "not an entry",
        "wrong shape": {"index": None, "variants": [{"context": 1, "deps": "x", "report": []}]},
        "empty": None,
    }
    tree = reports._Tree(_config(project), {"schemas/chat/sent.yaml": BREAKING.encode()})
    with cache.open_store(project) as store:
        store.put("file", tree.key("schemas/chat/sent.yaml"), values[mangle])
    again = check(project, folder)
    assert again.exit_code == 1
    assert again.stdout == honest.stdout


def _config(root: Path) -> Any:
    from registry.load.settings import load_config

    return load_config(root)


# --- warm answers are the same answers --------------------------------------------------------


def _edits(project: Path) -> Iterator[str]:
    """A sequence of edits of the registry, named."""
    sent = project / "schemas/chat/sent.yaml"
    sent.write_text(BREAKING, encoding="utf-8")
    yield "a message made incompatible"
    (project / "schemas/chat/typing.yaml").write_text(TYPING.replace("room: string", "room: strin"))
    yield "another message broken"
    (project / "schemas/common/user.yaml").write_text(
        USER.replace("max_length: 80", "max_length: 2")
    )
    yield "the shared type narrowed (its example no longer fits)"
    assert run("lock", "--root", str(project), "--force").exit_code in (0, 1)
    yield "locked"
    sent.write_text(SENT, encoding="utf-8")
    yield "the message restored (its lock entry changed)"
    (project / "schemas/common/user.yaml").unlink()
    yield "the shared type deleted"


def test_warm_answers_equal_cold_ones_through_a_series_of_edits(
    project: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "cache"
    for edit in ["the registry as written", *_edits(project)]:
        cold = check(project, None)
        first = check(project, folder)
        warm = check(project, folder)
        assert first.stdout == cold.stdout, edit
        assert warm.stdout == cold.stdout, edit
        assert warm.exit_code == cold.exit_code, edit
        lint = run("lint", "--root", str(project), "--format", "json")
        assert (
            run("lint", "--root", str(project), "--format", "json", cache=folder).stdout
            == lint.stdout
        ), edit


CASES = sorted([*(TESTS / "policy_cases").iterdir(), *(TESTS / "definitions").iterdir()])


@pytest.mark.parametrize("case", [c for c in CASES if c.is_dir()], ids=lambda c: c.name)
def test_every_case_checks_the_same_warm(case: Path, tmp_path: Path) -> None:
    root = shutil.copytree(case, tmp_path / case.name)
    for command in ("check", "lint"):

        def once(folder: Path | None, command: str = command) -> Result:
            return run(command, "--root", str(root), "--format", "json", cache=folder)

        cold = once(None)
        once(tmp_path / "cache")
        warm = once(tmp_path / "cache")
        assert (warm.exit_code, warm.stdout) == (cold.exit_code, cold.stdout), command


def test_check_against_is_the_same_warm(project: Path, tmp_path: Path) -> None:
    from tests.test_gate import commit_all, git

    git(project, "init", "--quiet", "--initial-branch", "main")
    commit_all(project, "v1")
    narrowed = SENT.replace("max_length: 100", "max_length: 9", 1)
    (project / "schemas/chat/sent.yaml").write_text(narrowed, encoding="utf-8")
    cold = check(project, None, "--against", "HEAD")
    check(project, tmp_path / "cache", "--against", "HEAD")
    warm = check(project, tmp_path / "cache", "--against", "HEAD")
    assert cold.exit_code == 1 and "REF_VERSION_CHANGED" in cold.stdout
    assert (warm.exit_code, warm.stdout) == (cold.exit_code, cold.stdout)


# --- only what an edit touches is worked out again --------------------------------------------


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The path of every file parsed."""
    from registry.check import survey as reports

    seen: list[str] = []
    real = reports.parse_text

    def parse_text(path: str, raw: bytes) -> Any:
        seen.append(path)
        return real(path, raw)

    monkeypatch.setattr(reports, "parse_text", parse_text)
    return seen


def test_editing_a_message_parses_only_it_and_the_types_it_uses(
    project: Path, tmp_path: Path, parsed: list[str]
) -> None:
    folder = tmp_path / "cache"
    assert check(project, folder).exit_code == 0
    assert len(parsed) == 4
    parsed.clear()
    assert check(project, folder).exit_code == 0
    assert parsed == []
    (project / "schemas/chat/sent.yaml").write_text(BREAKING, encoding="utf-8")
    assert check(project, folder).exit_code == 1
    assert sorted(parsed) == ["schemas/chat/sent.yaml", "schemas/common/user.yaml"]
    parsed.clear()
    (project / "schemas/chat/typing.yaml").write_text(TYPING + "description: Typing.\n")
    assert check(project, folder).exit_code == 1
    assert parsed == ["schemas/chat/typing.yaml"]


def test_editing_a_shared_type_checks_its_users_again(
    project: Path, tmp_path: Path, parsed: list[str]
) -> None:
    folder = tmp_path / "cache"
    assert check(project, folder).exit_code == 0
    parsed.clear()
    user = project / "schemas/common/user.yaml"
    user.write_text(USER.replace("max_length: 80", "max_length: 1"), encoding="utf-8")
    result = check(project, folder)
    assert result.exit_code == 1 and "EXAMPLE_INVALID" in result.stdout  # sent's example
    assert sorted(set(parsed)) == [
        "schemas/chat/edited.yaml",
        "schemas/chat/sent.yaml",
        "schemas/common/user.yaml",
    ]


@pytest.fixture
def decided(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every inclusion question the engine is asked."""
    from registry.check import policy

    asked: list[Any] = []
    real = policy.includes

    def includes(a: Any, b: Any, proved: set[str] | None = None) -> Any:
        asked.append((a, b))
        return real(a, b, proved)

    monkeypatch.setattr(policy, "includes", includes)
    return asked


def test_a_new_version_decides_no_old_pair_again(
    project: Path, tmp_path: Path, decided: list[Any]
) -> None:
    folder = tmp_path / "cache"
    assert check(project, folder).exit_code == 0
    assert len(decided) == 1  # chat.sent v1 -> v2 (backward)
    decided.clear()
    sent = project / "schemas/chat/sent.yaml"
    v3 = "\n".join(SENT.splitlines()[-6:]).replace("  2:", "  3:")
    sent.write_text(SENT + v3 + "\n", encoding="utf-8")
    assert check(project, folder).exit_code == 0
    assert len(decided) == 1  # v2 -> v3 only


# --- the store itself -----------------------------------------------------------------------


def test_entries_not_used_for_a_month_are_dropped(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WIRETYPE_CACHE_DIR", str(tmp_path / "cache"))
    with cache.open_store(project) as store:
        store.put("proof", "used today", True)
        store.put("proof", "used long ago", True)
        store._table("proof")["used long ago"][0] -= cache.MAX_AGE // 86400 + 1
    with cache.open_store(project) as store:
        assert store.get("proof", "used today") is True
        assert store.get("proof", "used long ago") is None


def test_packs_not_written_for_a_month_are_deleted(tmp_path: Path) -> None:
    packs = tmp_path / "packs"
    packs.mkdir()
    old, new = packs / "old", packs / "new"
    old.write_text("x")
    new.write_text("y")
    month_ago = old.stat().st_mtime - cache.MAX_AGE - 60
    os.utime(old, (month_ago, month_ago))
    assert cache.prune(tmp_path) == 1
    assert not old.exists() and new.exists()
    os.utime(new, (month_ago, month_ago))
    assert cache.prune(tmp_path) == 0  # at most once a day


def test_a_finding_keeps_every_field_through_the_cache() -> None:
    from dataclasses import fields

    from registry.check import report

    assert tuple(f.name for f in fields(Finding)) == report.FINDING_FIELDS
    finding = Finding(
        "a.yaml",
        3,
        4,
        "RULE_ID",
        "message",
        "hint",
        "warning",
        "m@2",
        "/properties/x",
        (("k", "v"),),
    )
    encoded: Callable[[Finding], Any] = report.finding_json
    assert report.decode_finding(json.loads(json.dumps(encoded(finding)))) == finding
    assert report.decode_finding(json.loads(json.dumps(encoded(finding)))).extra == finding.extra


def test_the_cache_folder_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WIRETYPE_CACHE_DIR", raising=False)
    monkeypatch.delenv("WIRETYPE_NO_CACHE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert cache.folder() == tmp_path / "home" / ".cache" / "wiretype"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    assert cache.folder() == tmp_path / "home" / ".cache" / "wiretype"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.folder() == tmp_path / "xdg" / "wiretype"
    monkeypatch.setenv("WIRETYPE_CACHE_DIR", str(tmp_path / "chosen"))
    assert cache.folder() == tmp_path / "chosen"
    monkeypatch.setenv("WIRETYPE_NO_CACHE", "1")
    assert cache.folder() is None
