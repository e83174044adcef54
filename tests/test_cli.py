"""The command line as a user meets it: help, init, show, bump, export, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from tests.helpers import REPO, run, write_tree


def test_help_lists_every_command() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("init", "lint", "check", "lock", "show", "export", "bump", "generate"):
        assert command in result.stdout


def test_init_creates_a_project_that_checks_clean(tmp_path: Path) -> None:
    assert run("init", str(tmp_path)).exit_code == 0
    assert (tmp_path / "wiretype.yaml").is_file()
    assert (tmp_path / ".pre-commit-config.yaml").is_file()
    assert run("check", "--root", str(tmp_path)).exit_code == 0
    assert run("init", str(tmp_path)).exit_code == 2  # never overwrites


def test_root_is_found_upward(tmp_path: Path) -> None:
    run("init", str(tmp_path))
    inner = tmp_path / "schemas" / "greeting"
    done = subprocess.run([sys.executable, "-m", "registry", "lint"], cwd=inner,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_no_project_is_a_usage_error(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "registry", "check"], cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "wiretype init" in done.stderr and "Traceback" not in done.stderr


def test_bad_settings_are_exit_2_with_the_file(tmp_path: Path) -> None:
    write_tree(tmp_path, {"wiretype.yaml": "schemaz: x\n"})
    result = run("lint", "--root", str(tmp_path))
    assert result.exit_code == 2
    assert "wiretype.yaml" in result.stderr and "did you mean 'schemas'" in result.stderr


def test_show_prints_the_resolved_version() -> None:
    result = run("show", "chat.message_sent@1", "--root", str(REPO))
    shown = yaml.safe_load(result.stdout)
    assert shown["version"] == 1
    assert "common.user.v1" in shown["schema"]["$defs"]
    latest = json.loads(run("show", "chat.message_sent", "--root", str(REPO),
                            "-f", "jsonschema").stdout)
    assert "edited" in latest["properties"]


def test_show_unknown_message_suggests_a_name() -> None:
    result = run("show", "chat.mesage_sent", "--root", str(REPO))
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
    write_tree(tmp_path, {"wiretype.yaml": "compatibility: none\n", "schemas/m.yaml": (
        "versions:\n  1:\n    fields: {a: int}\n  2:\n    fields: {b: int}\n"
        "    migrate:\n      rename: {a: b}\n# trailing comment\n")})
    assert run("bump", "m", "--root", str(tmp_path)).exit_code == 0
    data = yaml.safe_load((tmp_path / "schemas/m.yaml").read_text())
    assert data["versions"][3] == {"fields": {"b": "int"}}


def test_export_jsonschema_writes_both_views(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("export", "jsonschema", "--root", str(REPO), "--out", str(out)).exit_code == 0
    assert (out / "chat.message_sent" / "3.json").is_file()
    assert (out / "chat.message_sent" / "3.open.json").is_file()


def test_nothing_is_exported_from_a_broken_registry(tmp_path: Path) -> None:
    write_tree(tmp_path, {"wiretype.yaml": "{}\n", "schemas/m.yaml": "versions: {1: {}}\n"})
    out = tmp_path / "out"
    result = run("export", "jsonschema", "--root", str(tmp_path), "--out", str(out))
    assert result.exit_code == 1
    assert not out.exists()


def test_formats_github_and_junit(tmp_path: Path) -> None:
    write_tree(tmp_path, {"wiretype.yaml": "{}\n",
                          "schemas/m.yaml": "versions:\n  1:\n    fields: {a: strin}\n"})
    github = run("lint", "--root", str(tmp_path), "-f", "github").stdout
    assert "::error file=schemas/m.yaml,line=3,col=" in github and "title=TYPE_UNKNOWN" in github
    junit = run("lint", "--root", str(tmp_path), "-f", "junit").stdout
    assert '<testsuite name="wiretype" tests="1" failures="1"' in junit
