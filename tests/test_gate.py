"""The CI gate on a real git repository: ``wiretype check --against REF --format github``.

Each test builds a repository in a tmp folder (a registry with v1 and its lock,
committed), then commits a change and runs the gate as CI would, as a separate
process. The last tests do it in a shallow clone, where the base must be fetched.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import REPO, run, write_tree

MESSAGE_V1 = """\
description: A chat message was posted.
versions:
  1:
    fields:
      id: uuid
      text: {type: string, max_length: 100}
      priority: {enum: [low, high]}
"""

V2_COMPATIBLE = """\
  2:
    fields:
      id: uuid
      text: {type: string, max_length: 100}
      priority: {enum: [low, high]}
      note: {type: string, required: false}
"""

V2_BREAKING = """\
  2:
    fields:
      id: uuid
      text: {type: string, max_length: 100}
      priority: {enum: [low]}
"""

MESSAGE_FILE = "schemas/chat/sent.yaml"
ANNOTATION = re.compile(
    r"^::error file=(?P<file>[^,]+),line=(?P<line>\d+),col=\d+,"
    r"title=(?P<rule>[A-Z_]+)::",
    re.MULTILINE,
)


def _env(tmp: Path) -> dict[str, str]:
    """git without the user's configuration, with an author; wiretype without its cache."""
    return {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Gate Test",
        "GIT_AUTHOR_EMAIL": "gate@example.com",
        "GIT_COMMITTER_NAME": "Gate Test",
        "GIT_COMMITTER_EMAIL": "gate@example.com",
        "HOME": str(tmp),
        "WIRETYPE_NO_CACHE": "1",
    }


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=repo,
        env=_env(repo.parent),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def wiretype(
    repo: Path,
    *args: str,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "registry", *args],
        cwd=cwd or repo,
        env=_env(repo.parent),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose only commit holds a registry with chat.sent@1, locked."""
    root = tmp_path / "repo"
    write_tree(root, {"wiretype.yaml": "compatibility: full\n", MESSAGE_FILE: MESSAGE_V1})
    git(root, "init", "--quiet", "--initial-branch", "main")
    assert wiretype(root, "lock").returncode == 0
    commit_all(root, "chat.sent v1")
    return root


def annotations(output: str) -> list[tuple[str, int, str]]:
    return [(m["file"], int(m["line"]), m["rule"]) for m in ANNOTATION.finditer(output)]


def test_changing_a_published_version_fails_on_its_line(repo: Path) -> None:
    message = repo / MESSAGE_FILE
    message.write_text(MESSAGE_V1.replace("max_length: 100", "max_length: 50"), encoding="utf-8")
    assert wiretype(repo, "lock", "--force").returncode == 0  # the lock no longer tells
    commit_all(repo, "narrow text in place")
    done = wiretype(repo, "check", "--against", "HEAD~1", "--format", "github")
    assert done.returncode == 1, done.stdout + done.stderr
    assert annotations(done.stdout) == [(MESSAGE_FILE, 3, "REF_VERSION_CHANGED")]
    assert "chat.sent@1 exists at HEAD~1 but its schema changed" in done.stdout


def test_adding_an_incompatible_version_fails_on_the_field(repo: Path) -> None:
    (repo / MESSAGE_FILE).write_text(MESSAGE_V1 + V2_BREAKING, encoding="utf-8")
    assert wiretype(repo, "lock").returncode == 0
    commit_all(repo, "chat.sent v2 drops a priority")
    done = wiretype(repo, "check", "--against", "HEAD~1", "--format", "github")
    assert done.returncode == 1, done.stdout + done.stderr
    assert annotations(done.stdout) == [(MESSAGE_FILE, 12, "ENUM_VALUE_NO_DELETE")]


def test_deleting_a_published_definition_fails(repo: Path) -> None:
    (repo / MESSAGE_FILE).unlink()
    (repo / "schemas/chat/other.yaml").write_text(
        "versions:\n  1:\n    fields: {id: uuid}\n", encoding="utf-8"
    )
    assert wiretype(repo, "lock", "--prune").returncode == 0
    commit_all(repo, "drop chat.sent")
    done = wiretype(repo, "check", "--against", "HEAD~1", "--format", "github")
    assert done.returncode == 1
    # the file as it was at the ref, not a line of a lock that no longer lists it
    assert annotations(done.stdout) == [(MESSAGE_FILE, 1, "REF_DEFINITION_DELETED")]


def test_weakening_the_mode_with_a_new_version_fails(repo: Path) -> None:
    weakened = "compatibility: none\n" + MESSAGE_V1 + V2_BREAKING
    (repo / MESSAGE_FILE).write_text(weakened, encoding="utf-8")
    assert wiretype(repo, "lock").returncode == 0
    commit_all(repo, "chat.sent: mode none, and a breaking v2")
    done = wiretype(repo, "check", "--against", "HEAD~1", "--format", "github")
    assert done.returncode == 1, done.stdout + done.stderr
    assert annotations(done.stdout) == [(MESSAGE_FILE, 1, "REF_COMPATIBILITY_WEAKENED")]


def test_weakening_the_mode_alone_passes(repo: Path) -> None:
    (repo / MESSAGE_FILE).write_text("compatibility: backward\n" + MESSAGE_V1, encoding="utf-8")
    commit_all(repo, "chat.sent: backward is enough")
    done = wiretype(repo, "check", "--against", "HEAD~1", "--format", "github")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_compatible_version_passes(repo: Path) -> None:
    (repo / MESSAGE_FILE).write_text(MESSAGE_V1 + V2_COMPATIBLE, encoding="utf-8")
    assert wiretype(repo, "lock").returncode == 0
    commit_all(repo, "chat.sent v2 with an optional note")
    done = wiretype(repo, "check", "--against", "HEAD~1", "--format", "github")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "::error" not in done.stdout and "::warning" not in done.stdout
    assert done.stdout.strip().endswith("ok")


def test_a_ref_that_is_not_there_is_exit_2_and_says_to_fetch(repo: Path) -> None:
    done = wiretype(repo, "check", "--against", "origin/main", "--format", "github")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "'origin/main' is not in this clone" in done.stderr
    assert "git fetch origin main" in done.stderr and "fetch-depth: 0" in done.stderr


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    """A repository whose registry sits in its subfolder proto/ (chat.sent@1, locked),
    committed after a first commit that holds no registry yet."""
    root = tmp_path / "repo"
    write_tree(root, {"README.md": "services and their protocol\n"})
    git(root, "init", "--quiet", "--initial-branch", "main")
    commit_all(root, "a service, no registry yet")
    write_tree(root / "proto", {"wiretype.yaml": "compatibility: full\n", MESSAGE_FILE: MESSAGE_V1})
    assert wiretype(root, "lock", cwd=root / "proto").returncode == 0
    commit_all(root, "proto: chat.sent v1")
    return root


def test_a_project_in_a_subfolder_is_compared_with_the_ref(monorepo: Path) -> None:
    """A changed published version that was re-locked is caught only by --against, which
    must find the ref's files under proto/, not at the repository's top."""
    message = monorepo / "proto" / MESSAGE_FILE
    message.write_text(MESSAGE_V1.replace("max_length: 100", "max_length: 50"), encoding="utf-8")
    assert wiretype(monorepo, "lock", "--force", cwd=monorepo / "proto").returncode == 0
    commit_all(monorepo, "narrow text in place")
    done = wiretype(
        monorepo, "check", "--against", "HEAD~1", "--format", "github", cwd=monorepo / "proto"
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert annotations(done.stdout) == [(f"proto/{MESSAGE_FILE}", 3, "REF_VERSION_CHANGED")]
    by_root = wiretype(monorepo, "check", "--root", "proto", "--against", "HEAD~1")
    assert by_root.returncode == 1 and "REF_VERSION_CHANGED" in by_root.stdout


def test_annotations_in_a_subfolder_name_files_from_the_repository_top(monorepo: Path) -> None:
    (monorepo / "proto" / MESSAGE_FILE).write_text(MESSAGE_V1 + V2_BREAKING, encoding="utf-8")
    done = wiretype(monorepo, "check", "--format", "github", cwd=monorepo / "proto")
    assert done.returncode == 1, done.stdout + done.stderr
    assert annotations(done.stdout) == [(f"proto/{MESSAGE_FILE}", 12, "ENUM_VALUE_NO_DELETE")]
    text = wiretype(monorepo, "check", cwd=monorepo / "proto")  # text stays project-relative
    assert f"\n{MESSAGE_FILE}:12:" in "\n" + text.stdout


def test_a_ref_without_the_registry_is_exit_2_naming_it(monorepo: Path) -> None:
    done = wiretype(monorepo, "check", "--against", "HEAD~1", cwd=monorepo / "proto")
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""
    assert "git ref 'HEAD~1' holds no definitions in proto/schemas/" in done.stderr


def test_against_outside_a_git_repository_says_so(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "plain", {"wiretype.yaml": "{}\n", MESSAGE_FILE: MESSAGE_V1})
    done = wiretype(root, "check", "--against", "HEAD")
    assert done.returncode == 2
    assert f"{root} is not a git repository" in done.stderr
    assert "not in this clone" not in done.stderr


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def test_a_shallow_clone_reads_the_fetched_base_through_git(repo: Path, tmp_path: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    (repo / MESSAGE_FILE).write_text(MESSAGE_V1 + V2_BREAKING, encoding="utf-8")
    assert wiretype(repo, "lock").returncode == 0
    commit_all(repo, "chat.sent v2 drops a priority")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", "--depth", "1", f"file://{repo}", str(clone))
    assert git(clone, "rev-list", "--count", "HEAD") == "1"

    missing = wiretype(clone, "check", "--against", base)
    assert missing.returncode == 2 and "fetch" in missing.stderr

    git(clone, "fetch", "--quiet", "--depth", "1", "origin", base)
    before = _snapshot(clone)
    done = wiretype(clone, "check", "--against", base, "--format", "github")
    assert done.returncode == 1, done.stdout + done.stderr
    assert annotations(done.stdout) == [(MESSAGE_FILE, 12, "ENUM_VALUE_NO_DELETE")]
    assert _snapshot(clone) == before  # the base was read from git objects, not checked out
    assert git(clone, "status", "--porcelain", "--ignored") == ""
    assert git(clone, "rev-parse", "HEAD") != base


def test_a_shallow_clone_sees_a_changed_published_version(repo: Path, tmp_path: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    message = repo / MESSAGE_FILE
    message.write_text(MESSAGE_V1.replace("[low, high]", "[low, high, urgent]"), encoding="utf-8")
    assert wiretype(repo, "lock", "--force").returncode == 0
    commit_all(repo, "widen priority in place")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", "--depth", "1", f"file://{repo}", str(clone))
    git(clone, "fetch", "--quiet", "--depth", "1", "origin", base)
    done = wiretype(clone, "check", "--against", "FETCH_HEAD", "--format", "github")
    assert done.returncode == 1, done.stdout + done.stderr
    assert annotations(done.stdout) == [(MESSAGE_FILE, 3, "REF_VERSION_CHANGED")]


# --- the files that users copy: .pre-commit-hooks.yaml and docs/ci.md ------------------------

HOOKS = REPO / ".pre-commit-hooks.yaml"
CI_DOC = REPO / "docs" / "ci.md"


def _yaml_blocks(markdown: str) -> list[Any]:
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", markdown, re.S)]


def test_pre_commit_hooks_name_both_hooks() -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load(HOOKS.read_text(encoding="utf-8"))}
    assert set(hooks) == {"wiretype-check", "wiretype-generate"}
    assert hooks["wiretype-check"]["entry"] == "wiretype check"
    assert hooks["wiretype-generate"]["entry"] == "wiretype generate --check"
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["pass_filenames"] is False
        files = re.compile(hook["files"])
        for path in ("schemas/chat/sent.yaml", "wiretype.yaml", "wiretype.lock", "pyproject.toml"):
            assert files.search(path), (hook["id"], path)
        for path in ("README.md", "src/app.py", "docs/schemas.md", "old_wiretype.yaml"):
            assert not files.search(path), (hook["id"], path)


@pytest.mark.parametrize("hook", ["wiretype-check", "wiretype-generate"])
def test_hook_entries_are_real_commands(hook: str) -> None:
    """The entry is the console script this package installs, with a command it has."""
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert scripts["project"]["scripts"]["wiretype"] == "registry.cli:main"
    entry = next(
        h["entry"] for h in yaml.safe_load(HOOKS.read_text(encoding="utf-8")) if h["id"] == hook
    )
    program, *args = entry.split()
    assert program == "wiretype"
    assert run(*args, "--help").exit_code == 0  # an unknown command or option exits 2
    assert run("check", "--no-such-option").exit_code == 2  # (so the line above can fail)


def test_the_hooks_run_on_a_project(tmp_path: Path) -> None:
    assert run("init", str(tmp_path)).exit_code == 0
    assert run("check", "--root", str(tmp_path)).exit_code == 0
    assert run("generate", "--check", "--root", str(tmp_path)).exit_code == 1  # not generated


def test_ci_doc_pre_commit_config_uses_the_exported_hooks() -> None:
    exported = {hook["id"] for hook in yaml.safe_load(HOOKS.read_text(encoding="utf-8"))}
    configs = [
        b
        for b in _yaml_blocks(CI_DOC.read_text(encoding="utf-8"))
        if isinstance(b, dict) and "repos" in b
    ]
    local, remote = configs  # what `wiretype init` writes, and the remote repository form
    for config in configs:
        [entry] = config["repos"]
        assert {hook["id"] for hook in entry["hooks"]} == exported
    assert local["repos"][0]["repo"] == "local"
    assert remote["repos"][0]["repo"] == "https://github.com/OWNER/wiretype"
    assert remote["repos"][0]["rev"] == "<commit>"  # no release tags exist to pin


def test_ci_doc_workflow_is_valid_and_runs_the_gate_on_pull_requests() -> None:
    blocks = _yaml_blocks(CI_DOC.read_text(encoding="utf-8"))
    [workflow] = [b for b in blocks if isinstance(b, dict) and "jobs" in b]
    triggers = workflow[True]  # YAML 1.1 (PyYAML) reads the key `on` as true; GitHub does not
    assert "pull_request" in triggers
    [job] = workflow["jobs"].values()
    steps = job["steps"]
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    commands = [s["run"] for s in steps if "run" in s]
    assert 'pip install "git+https://github.com/OWNER/wiretype@<commit>"' in commands
    assert 'wiretype check --against "origin/${{ github.base_ref }}" --format github' in commands
    assert "wiretype generate --check" in commands
    # the shallow variant: a list of steps that fetches the base before the check
    [shallow] = [b for b in blocks if isinstance(b, list)]
    runs = [s["run"] for s in shallow if "run" in s]
    assert runs[0].startswith("git fetch --depth 1 origin") and "--against" in runs[1]


def test_ci_doc_lists_every_exit_code() -> None:
    text = CI_DOC.read_text(encoding="utf-8")
    for code in ("| 0 |", "| 1 |", "| 2 |"):
        assert code in text
