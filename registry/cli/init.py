"""``wiretype init [DIR]``: a new project with settings, one example message and a
pre-commit config (the files are in ``templates/init/``)."""

from __future__ import annotations

from pathlib import Path

import typer

from registry.cli.app import run

# What `init` writes (target in the new project: file under templates/init/). The
# pre-commit config is the one the README shows, with both hooks of .pre-commit-hooks.yaml.
INIT_FILES = {
    "wiretype.yaml": "wiretype.yaml",
    "schemas/greeting/hello.yaml": "hello.yaml",
    ".pre-commit-config.yaml": "pre-commit-config.yaml",
}


def init_files() -> dict[str, str]:
    """{path in the new project: text}, read from the built-in templates."""
    from registry.render.templates import builtin_templates

    folder = builtin_templates() / "init"
    return {
        target: (folder / name).read_text(encoding="utf-8") for target, name in INIT_FILES.items()
    }


def init(directory: Path) -> None:
    """The body of ``wiretype init`` (its options are in ``commands``)."""
    for path in run(lambda: _init(directory)):
        typer.echo(f"created {path}")
    typer.echo(
        "next: edit schemas/, then run `wiretype check`, `wiretype lock` and "
        "`wiretype generate`; `pre-commit install` turns on the hooks"
    )


def _init(directory: Path) -> list[str]:
    from registry.errors import UsageError
    from registry.write.files import write_file

    files = init_files()
    existing = [name for name in files if (directory / name).exists()]
    if existing:
        raise UsageError(
            f"{directory} already has {', '.join(existing)}",
            hint="init only creates new projects; pick an empty folder",
        )
    for name, text in files.items():
        write_file(directory / name, text)
    return [str(directory / name) for name in files]
