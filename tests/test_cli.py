"""The command line as a user meets it: help, init, show, bump, export, exit codes."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.helpers import CHAT, REPO, run, write_tree

DESIGN_COMMANDS = (
    "init",
    "lint",
    "check",
    "compat",
    "generate",
    "lock",
    "show",
    "diff",
    "bump",
    "export",
    "rules",
    "explain",
)


def _listed_commands(help_text: str) -> dict[str, str]:
    """The ``Commands:`` section of a help page: each command's name and its summary."""
    _, _, section = help_text.partition("\nCommands:\n")
    rows = [line.split(None, 1) for line in section.splitlines() if line.startswith("  ")]
    return {row[0]: row[1] if len(row) > 1 else "" for row in rows}


def test_help_lists_every_command() -> None:
    """Every command of DESIGN.md is listed by name with a summary (not merely a word of
    the text: the help itself says `checked` and `generated`), and has a help page."""
    result = run("--help")
    assert result.exit_code == 0
    listed = _listed_commands(result.stdout)
    for command in DESIGN_COMMANDS:
        assert listed.get(command), f"{command} is not listed with a summary: {sorted(listed)}"
        page = run(command, "--help")
        assert page.exit_code == 0 and f"Usage: wiretype {command}" in page.stdout


def test_init_creates_a_project_that_checks_clean(tmp_path: Path) -> None:
    assert run("init", str(tmp_path)).exit_code == 0
    assert (tmp_path / "wiretype.yaml").is_file()
    assert (tmp_path / ".pre-commit-config.yaml").is_file()
    assert run("check", "--root", str(tmp_path)).exit_code == 0
    assert run("init", str(tmp_path)).exit_code == 2  # never overwrites


def test_root_is_found_upward(tmp_path: Path) -> None:
    run("init", str(tmp_path))
    inner = tmp_path / "schemas" / "greeting"
    done = subprocess.run(
        [sys.executable, "-m", "registry", "lint"],
        cwd=inner,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("command", ["lint", "check"])
def test_the_console_script_ends_with_all_its_output_its_code_and_its_cache(
    tmp_path: Path, command: str
) -> None:
    """``check`` and ``lint`` end the process without the interpreter's teardown: what they
    print, their exit code and the cache entries they write must all be there."""
    case = REPO / "tests" / "definitions" / "yaml_boolean_words"
    env = {**os.environ, "WIRETYPE_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("WIRETYPE_NO_CACHE", None)
    done = subprocess.run(
        [sys.executable, "-m", "registry", command, "--root", str(case), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert done.returncode == 1, done.stderr
    in_process = run(command, "--root", str(case), "--format", "json")
    assert json.loads(done.stdout) == json.loads(in_process.stdout)
    assert len(json.loads(done.stdout)["findings"]) == 8
    assert len(list((tmp_path / "cache" / "packs").iterdir())) == 1


def test_no_project_is_a_usage_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "registry", "check"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "wiretype init" in done.stderr and "Traceback" not in done.stderr


def test_bad_settings_are_exit_2_with_the_file(tmp_path: Path) -> None:
    write_tree(tmp_path, {"wiretype.yaml": "schemaz: x\n"})
    result = run("lint", "--root", str(tmp_path))
    assert result.exit_code == 2
    assert "wiretype.yaml" in result.stderr and "did you mean 'schemas'" in result.stderr


def test_show_prints_the_resolved_version() -> None:
    result = run("show", "chat.message_sent@1", "--root", str(CHAT))
    shown = yaml.safe_load(result.stdout)
    assert shown["version"] == 1
    assert "common.user.v1" in shown["schema"]["$defs"]
    latest = json.loads(
        run("show", "chat.message_sent", "--root", str(CHAT), "-f", "jsonschema").stdout
    )
    assert "edited" in latest["properties"]


def test_show_unknown_message_suggests_a_name() -> None:
    result = run("show", "chat.mesage_sent", "--root", str(CHAT))
    assert result.exit_code == 2
    assert "chat.message_sent" in result.stderr


def test_bump_appends_a_copy_of_the_latest_version(tmp_path: Path) -> None:
    run("init", str(tmp_path))
    result = run("bump", "greeting.hello", "--root", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    data = yaml.safe_load((tmp_path / "schemas/greeting/hello.yaml").read_text())
    assert list(data["versions"]) == [1, 2]
    assert data["versions"][2]["fields"] == data["versions"][1]["fields"]
    assert run("check", "--root", str(tmp_path)).exit_code == 0


def test_bump_drops_the_migration_of_the_copied_version(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "wiretype.yaml": "compatibility: none\n",
            "schemas/m.yaml": (
                "versions:\n  1:\n    fields: {a: int}\n  2:\n    fields: {b: int}\n"
                "    migrate:\n      rename: {a: b}\n# trailing comment\n"
            ),
        },
    )
    assert run("bump", "m", "--root", str(tmp_path)).exit_code == 0
    data = yaml.safe_load((tmp_path / "schemas/m.yaml").read_text())
    assert data["versions"][3] == {"fields": {"b": "int"}}


def test_export_jsonschema_writes_both_views(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("export", "jsonschema", "--root", str(CHAT), "--out", str(out)).exit_code == 0
    assert (out / "chat.message_sent" / "3.json").is_file()
    assert (out / "chat.message_sent" / "3.open.json").is_file()


def test_nothing_is_exported_from_a_broken_registry(tmp_path: Path) -> None:
    write_tree(tmp_path, {"wiretype.yaml": "{}\n", "schemas/m.yaml": "versions: {1: {}}\n"})
    out = tmp_path / "out"
    result = run("export", "jsonschema", "--root", str(tmp_path), "--out", str(out))
    assert result.exit_code == 1
    assert not out.exists()


def test_formats_github_and_junit(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"wiretype.yaml": "{}\n", "schemas/m.yaml": "versions:\n  1:\n    fields: {a: strin}\n"},
    )
    github = run("lint", "--root", str(tmp_path), "-f", "github").stdout
    assert "::error file=schemas/m.yaml,line=3,col=" in github and "title=TYPE_UNKNOWN" in github
    junit = run("lint", "--root", str(tmp_path), "-f", "junit").stdout
    assert '<testsuite name="wiretype" tests="1" failures="1"' in junit


@pytest.fixture(params=[0o022, 0o077], ids=["umask022", "umask077"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def _modes(root: Path) -> dict[str, int]:
    return {
        p.relative_to(root).as_posix(): stat.S_IMODE(p.stat().st_mode)
        for p in [root, *root.rglob("*")]
        if ".wiretype_cache" not in p.parts
    }


def _assert_umask(root: Path, mask: int) -> None:
    for relative, mode in _modes(root).items():
        want = (0o777 if (root / relative).is_dir() else 0o666) & ~mask
        assert mode == want, f"{relative}: {oct(mode)}, want {oct(want)} under umask {oct(mask)}"


def test_every_command_writes_with_the_umask(tmp_path: Path, umask: int) -> None:
    project = tmp_path / "p"
    assert run("init", str(project)).exit_code == 0
    _assert_umask(project, umask)
    root = ("--root", str(project))
    assert run("lock", *root).exit_code == 0
    assert run("bump", "greeting.hello", *root).exit_code == 0
    assert run("generate", *root).exit_code == 0
    assert run("export", "jsonschema", *root).exit_code == 0
    assert (
        run("export", "asyncapi", *root, "--out", str(project / "api/asyncapi.json")).exit_code == 0
    )
    _assert_umask(project, umask)
    assert (project / "generated/python/messages/models.py").is_file()
    assert (project / "generated/jsonschema/greeting.hello/2.json").is_file()


def test_bump_and_lock_keep_the_mode_of_the_file_they_rewrite(tmp_path: Path, umask: int) -> None:
    run("init", str(tmp_path))
    message, lock = tmp_path / "schemas/greeting/hello.yaml", tmp_path / "wiretype.lock"
    run("lock", "--root", str(tmp_path))
    for mode in (0o644, 0o640):
        message.chmod(mode)
        lock.chmod(mode)
        old_message, old_lock = message.read_text(), lock.read_text()
        assert run("bump", "greeting.hello", "--root", str(tmp_path)).exit_code == 0
        assert run("lock", "--root", str(tmp_path)).exit_code == 0
        assert message.read_text() != old_message and lock.read_text() != old_lock
        assert stat.S_IMODE(message.stat().st_mode) == mode
        assert stat.S_IMODE(lock.stat().st_mode) == mode


def test_a_deleted_shared_type_is_one_finding_at_each_use(tmp_path: Path) -> None:
    user = "kind: type\nversions:\n  1:\n    fields: {id: uuid}\n"
    message = "versions:\n  1:\n    fields: {author: common.user, editor: common.user?}\n"
    write_tree(
        tmp_path,
        {
            "wiretype.yaml": "{}\n",
            "schemas/common/user.yaml": user,
            "schemas/chat/sent.yaml": message,
            "schemas/chat/typing.yaml": "versions: {1: {fields: {who: uuid}}}\n",
        },
    )
    assert run("lock", "--root", str(tmp_path)).exit_code == 0
    (tmp_path / "schemas/common/user.yaml").unlink()
    result = run("check", "--root", str(tmp_path), "--format", "json")
    assert result.exit_code == 1
    found = [(f["rule"], f["file"], f["line"]) for f in json.loads(result.stdout)["findings"]]
    assert found == [("TYPE_UNKNOWN", "schemas/chat/sent.yaml", 3)] * 2  # author and editor
    text = run("check", "--root", str(tmp_path)).stdout
    assert "no shared type named 'common.user'" in text and "common/user.yaml" in text


# --- settings ---------------------------------------------------------------------------------

GREETING = "versions:\n  1:\n    fields: {name: string}\n"


@pytest.mark.parametrize(
    ("settings", "where", "rule"),
    [
        ("python: {package: import}\n", "wiretype.yaml:1:10", "SETTINGS_PYTHON_PACKAGE_INVALID"),
        ("python:\n  package: class\n", "wiretype.yaml:2:3", "SETTINGS_PYTHON_PACKAGE_INVALID"),
        ("python: {package: 1abc}\n", "wiretype.yaml:1:10", "SETTINGS_PYTHON_PACKAGE_INVALID"),
        ("python: {package: my-pkg}\n", "wiretype.yaml:1:10", "SETTINGS_PYTHON_PACKAGE_INVALID"),
        (
            'typescript: {package: "@Acme/Chat"}\n',
            "wiretype.yaml:1:14",
            "SETTINGS_NPM_PACKAGE_INVALID",
        ),
        (
            'typescript: {package: "chat protocol"}\n',
            "wiretype.yaml:1:14",
            "SETTINGS_NPM_PACKAGE_INVALID",
        ),
    ],
)
def test_a_package_name_that_cannot_be_imported_or_published_is_a_finding(
    tmp_path: Path, settings: str, where: str, rule: str
) -> None:
    write_tree(tmp_path, {"wiretype.yaml": settings, "schemas/greet/hello.yaml": GREETING})
    result = run("check", "--root", str(tmp_path))
    assert result.exit_code == 1, result.stdout + result.stderr
    assert f"{where}: error {rule}" in result.stdout
    generated = run("generate", "--root", str(tmp_path))
    assert generated.exit_code == 1 and rule in generated.stderr
    assert not (tmp_path / "generated").exists()


def test_package_names_in_pyproject_are_located_too(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "app"\n\n[tool.wiretype]\n'
            'python = { package = "class" }\n',
            "schemas/greet/hello.yaml": GREETING,
        },
    )
    result = run("lint", "--root", str(tmp_path))
    assert result.exit_code == 1
    assert "pyproject.toml:5:12: error SETTINGS_PYTHON_PACKAGE_INVALID" in result.stdout


@pytest.mark.parametrize(
    ("settings", "where"),
    [
        ("schemas: [a\n", "wiretype.yaml:2:1"),
        ("schemas: x\ncompat: full\n", "wiretype.yaml:2:1"),
        ("python: {pakage: x}\n", "wiretype.yaml:1:10"),
        ("a: 1\n\tb: 2\n", "wiretype.yaml:2:1"),
        ("schemas: x\ncompatibility: fool\n", "wiretype.yaml:2:1"),
    ],
)
def test_unreadable_settings_name_the_file_line_and_column(
    tmp_path: Path, settings: str, where: str
) -> None:
    write_tree(tmp_path, {"wiretype.yaml": settings, "schemas/greet/hello.yaml": GREETING})
    result = run("lint", "--root", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"wiretype: error: {where}: "), result.stderr
    assert "<unicode string>" not in result.stderr


def test_broken_pyproject_names_the_file(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": '[tool.wiretype]\nschemas = "x\n'})
    result = run("lint", "--root", str(tmp_path))
    assert result.exit_code == 2 and "pyproject.toml:2:" in result.stderr


def test_the_registry_name_is_the_name_setting(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "wiretype.yaml": "name: chat\npython: {package: chat_protocol}\n",
            "schemas/greet/hello.yaml": GREETING,
        },
    )
    assert run("generate", "--root", str(tmp_path), "--lang", "python").exit_code == 0
    models = (tmp_path / "generated/python/chat_protocol/models.py").read_text()
    assert "from the registry chat " in models


# --- what the docs tell a user to run --------------------------------------------------------


def _yaml_blocks(markdown: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", markdown, flags=re.DOTALL)


def test_init_writes_the_pre_commit_config_the_readme_shows(tmp_path: Path) -> None:
    run("init", str(tmp_path))
    written = (tmp_path / ".pre-commit-config.yaml").read_text()
    readme = (REPO / "README.md").read_text()
    assert written in _yaml_blocks(readme)
    config = yaml.safe_load(written)
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    exported = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == set(exported) == {"wiretype-check", "wiretype-generate"}
    for hook_id, hook in hooks.items():  # the same hooks as the ones this repository exports
        for key in ("name", "entry", "pass_filenames", "files"):
            assert hook[key] == exported[hook_id][key], (hook_id, key)


def test_the_pre_commit_hooks_pass_on_a_fresh_project(tmp_path: Path) -> None:
    """What the hooks run, run as they would be after the quickstart."""
    run("init", str(tmp_path))
    hooks = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())["repos"][0]
    run("lock", "--root", str(tmp_path))
    run("generate", "--root", str(tmp_path))
    for hook in hooks["hooks"]:
        args = hook["entry"].split()[1:]
        assert run(*args, "--root", str(tmp_path)).exit_code == 0, hook["id"]


@pytest.mark.parametrize("doc", ["README.md", "docs/ci.md"])
def test_install_instructions_use_what_exists(doc: str) -> None:
    """wiretype is not on a package index and has no tags: install from the repository."""
    text = (REPO / doc).read_text()
    commands = [line for block in _yaml_blocks(text) for line in block.splitlines()]
    assert not [line for line in commands if re.search(r"pip install wiretype\b", line)]
    assert not re.search(r"rev:\s*v?\d+\.\d+", text), "pins a release tag that does not exist"
    assert any('pip install "git+https://' in line for line in commands)


def test_compat_docs_say_patterns_are_ecma_262() -> None:
    text = (REPO / "docs/compat.md").read_text()
    paragraph = next(p for p in text.split("\n- ") if p.startswith("Lengths count code points"))
    assert "`pattern` is an ECMA-262 regular expression" in paragraph
    assert "evaluated with Python's" not in " ".join(paragraph.split())


def test_a_deleted_shared_type_is_not_a_cascade_against_a_ref_either(tmp_path: Path) -> None:
    from tests.test_gate import commit_all, git, wiretype

    root = tmp_path / "repo"
    user = "kind: type\nversions: {1: {fields: {id: uuid}}}\n"
    write_tree(
        root,
        {
            "wiretype.yaml": "{}\n",
            "schemas/common/user.yaml": user,
            "schemas/chat/sent.yaml": "versions: {1: {fields: {author: common.user}}}\n",
        },
    )
    git(root, "init", "--quiet", "--initial-branch", "main")
    assert wiretype(root, "lock").returncode == 0
    commit_all(root, "a message and its shared type")
    (root / "schemas/common/user.yaml").unlink()
    done = wiretype(root, "check", "--against", "HEAD", "--format", "json")
    assert done.returncode == 1, done.stderr
    found = [(f["rule"], f["file"]) for f in json.loads(done.stdout)["findings"]]
    assert found == [("TYPE_UNKNOWN", "schemas/chat/sent.yaml")]


def test_exit_codes_are_chosen_by_the_command_layer() -> None:
    """The exception tree carries messages, not command-line policy."""
    from registry.cli.app import exit_code
    from registry.errors import GitError, InputError, UsageError, WiretypeError

    assert not hasattr(WiretypeError("x"), "exit_code")
    for error in (UsageError("x"), InputError("x"), GitError("x"), WiretypeError("x")):
        assert exit_code(error) == 2
