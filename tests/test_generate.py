"""``wiretype generate`` as a user drives it: --lang, --out, --templates, --check, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run, write_tree

MESSAGE = """\
description: Hello.
versions:
  1:
    fields:
      id: uuid
      name: {type: string, max_length: 10}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_tree(tmp_path, {
        "wiretype.yaml": "python: {package: hello_pkg, out: gen/py}\n"
                         "typescript: {package: \"@acme/hello\", out: gen/ts}\n",
        "schemas/greet/hello.yaml": MESSAGE,
    })


def test_generate_writes_both_packages_where_the_settings_say(project: Path) -> None:
    result = run("generate", "--root", str(project))
    assert result.exit_code == 0, result.stderr
    assert (project / "gen/py/hello_pkg/__init__.py").is_file()
    assert (project / "gen/py/pyproject.toml").is_file()
    assert (project / "gen/ts/hello/package.json").is_file()
    assert (project / "gen/ts/hello/src/index.ts").is_file()


def test_lang_picks_one_language_and_out_overrides_the_folder(project: Path) -> None:
    out = project / "elsewhere"
    result = run("generate", "--root", str(project), "--lang", "python", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert (out / "hello_pkg/models.py").is_file()
    assert not (project / "gen").exists()
    both = project / "both"
    assert run("generate", "--root", str(project), "--out", str(both)).exit_code == 0
    assert (both / "python/hello_pkg").is_dir() and (both / "typescript/hello").is_dir()


def test_unknown_language_is_a_usage_error(project: Path) -> None:
    result = run("generate", "--root", str(project), "--lang", "rust")
    assert result.exit_code == 2 and "--lang" in result.stderr


def test_check_is_clean_after_generate_and_stale_after_a_change(project: Path) -> None:
    assert run("generate", "--root", str(project), "--check").exit_code == 1  # nothing yet
    assert run("generate", "--root", str(project)).exit_code == 0
    assert run("generate", "--root", str(project), "--check").exit_code == 0
    message = project / "schemas/greet/hello.yaml"
    message.write_text(MESSAGE.replace("max_length: 10", "max_length: 12"))
    before = (project / "gen/py/hello_pkg/models.py").read_text()
    result = run("generate", "--root", str(project), "--check")
    assert result.exit_code == 1 and "stale" in result.stdout
    assert (project / "gen/py/hello_pkg/models.py").read_text() == before  # wrote nothing


def test_a_registry_with_errors_generates_nothing(project: Path) -> None:
    (project / "schemas/greet/hello.yaml").write_text(MESSAGE.replace("uuid", "uuidd"))
    result = run("generate", "--root", str(project))
    assert result.exit_code == 1 and "TYPE_UNKNOWN" in result.stderr
    assert not (project / "gen").exists()


def test_a_user_template_overrides_a_builtin_one_by_name(project: Path) -> None:
    folder = project / "my-templates" / "python"
    folder.mkdir(parents=True)
    (folder / "py.typed.jinja").write_text("# typed, by our own template\n")
    result = run("generate", "--root", str(project), "--lang", "python",
                 "--templates", str(project / "my-templates"))
    assert result.exit_code == 0, result.stderr
    assert (project / "gen/py/hello_pkg/py.typed").read_text() == "# typed, by our own template\n"
    assert "class HelloV1" in (project / "gen/py/hello_pkg/models.py").read_text()


def test_templates_must_be_a_folder(project: Path) -> None:
    result = run("generate", "--root", str(project), "--templates", str(project / "nope"))
    assert result.exit_code == 2 and "--templates" in result.stderr


def test_generate_leaves_build_outputs_and_removes_what_it_no_longer_writes(
        project: Path) -> None:
    assert run("generate", "--root", str(project)).exit_code == 0
    ts = project / "gen/ts/hello"
    built = {ts / "dist/index.js": "export {};\n", ts / "node_modules/x/package.json": "{}\n",
             project / "gen/py/NOTES.md": "ours\n"}
    for path, text in built.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    settings = project / "wiretype.yaml"
    settings.write_text(settings.read_text().replace("hello_pkg", "greeting_pkg"))
    assert run("generate", "--root", str(project)).exit_code == 0
    for path, text in built.items():
        assert path.read_text() == text, path
    assert (project / "gen/py/greeting_pkg/models.py").is_file()
    assert not (project / "gen/py/hello_pkg").exists()  # generated before, not any more
    assert run("generate", "--root", str(project), "--check").exit_code == 0


def test_check_reports_a_generated_file_that_generate_would_remove(project: Path) -> None:
    assert run("generate", "--root", str(project)).exit_code == 0
    settings = project / "wiretype.yaml"
    settings.write_text(settings.read_text().replace("hello_pkg", "greeting_pkg"))
    result = run("generate", "--root", str(project), "--check")
    assert result.exit_code == 1
    assert "hello_pkg/models.py: stale" in result.stdout


def test_adding_a_definition_never_renames_another_ones_classes(tmp_path: Path) -> None:
    chat = "versions:\n  1:\n    fields: {text: string}\n"
    write_tree(tmp_path, {"wiretype.yaml": "python: {package: p, out: py}\n",
                          "schemas/lobby/chat.yaml": chat})
    assert run("generate", "--root", str(tmp_path), "--lang", "python").exit_code == 0
    models = tmp_path / "py/p/models.py"
    assert "class ChatV1(" in models.read_text()
    write_tree(tmp_path, {"schemas/game/chat.yaml": chat})  # a second `chat`, elsewhere
    result = run("check", "--root", str(tmp_path))
    assert result.exit_code == 1 and "CLASS_NAME_COLLISION" in result.stdout
    assert "class_name: GameChat" in result.stdout
    assert run("generate", "--root", str(tmp_path), "--lang", "python").exit_code == 1
    assert "class ChatV1(" in models.read_text()  # nothing was renamed or written
    write_tree(tmp_path, {"schemas/game/chat.yaml": f"class_name: GameChat\n{chat}"})
    assert run("check", "--root", str(tmp_path)).exit_code == 0
    assert run("generate", "--root", str(tmp_path), "--lang", "python").exit_code == 0
    text = models.read_text()
    assert "class ChatV1(" in text and "class GameChatV1(" in text
    assert "Chat = ChatV1" in text and "LobbyChat" not in text


# --- what generate cannot do is a finding, the same for every target ---------------------------

DYNAMIC = """\
compatibility: none
versions:
  1:
    schema:
      type: object
      properties:
        a: {$dynamicRef: "#x"}
"""
NESTED_ID = """\
compatibility: none
versions:
  1:
    schema:
      allOf:
        - {type: object}
        - properties:
            b: {$id: "https://example.com/b", type: string}
"""


@pytest.mark.parametrize("lang", ["python", "typescript", "python,typescript"])
def test_a_schema_the_validators_cannot_implement_is_a_finding_for_every_target(
        project: Path, lang: str) -> None:
    write_tree(project, {"schemas/raw/dynamic.yaml": DYNAMIC,
                         "schemas/raw/nested.yaml": NESTED_ID})
    for check in ((), ("--check",)):
        result = run("generate", "--root", str(project), "--lang", lang, *check)
        assert result.exit_code == 1, result.stderr
        lines = [line for line in result.stderr.splitlines() if " error " in line]
        assert lines == [
            "schemas/raw/dynamic.yaml:7:13: error SCHEMA_NOT_GENERATED: raw.dynamic v1: the "
            "keyword $dynamicRef is not supported, so `wiretype generate` cannot write a "
            "validator that accepts exactly this schema",
            "schemas/raw/nested.yaml:8:17: error SCHEMA_NOT_GENERATED: raw.nested v1: $id "
            "below the document root is not supported, so `wiretype generate` cannot write a "
            "validator that accepts exactly this schema",
        ]
    assert not (project / "gen").exists()


def test_a_user_template_that_does_not_render_is_a_finding_at_its_line(project: Path) -> None:
    folder = project / "my-templates" / "python"
    write_tree(folder, {
        "py.typed.jinja": "{{ header }}\n\n{% for name in view.exports %}\n{{ name }}\n",
        "models.py.jinja": "{{ header }}\nimport typing\n{{ view.no_such_thing }}\n",
    })
    result = run("generate", "--root", str(project), "--templates",
                 str(project / "my-templates"))
    assert result.exit_code == 1, result.stderr
    where = [line.split(": error ")[0].removeprefix(str(project) + "/")
             for line in result.stderr.splitlines() if ": error TEMPLATE_INVALID" in line]
    assert where == ["my-templates/python/models.py.jinja:3:1",
                     "my-templates/python/py.typed.jinja:4:1"]  # where jinja saw the end
    assert "no_such_thing" in result.stderr and "endfor" in result.stderr
    assert "internal error" not in result.stderr
    assert not (project / "gen").exists()


def test_a_user_copy_of_a_support_module_is_copied_instead(project: Path) -> None:
    own = "# our own words\nWORDS: dict[str, str] = {}\n"
    write_tree(project / "my-templates" / "python" / "static", {"_words.py": own})
    result = run("generate", "--root", str(project), "--lang", "python",
                 "--templates", str(project / "my-templates"))
    assert result.exit_code == 0, result.stderr
    header, _, body = (project / "gen/py/hello_pkg/_words.py").read_text().partition("\n")
    assert "Do not edit" in header and body == own
    assert "FORMATS" in (project / "gen/py/hello_pkg/_scalars.py").read_text()  # built-in
