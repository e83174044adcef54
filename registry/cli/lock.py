"""``wiretype lock``: record the current versions as published, in ``wiretype.lock``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from registry.cli.app import Format, run

if TYPE_CHECKING:
    from pathlib import Path

    from registry.load.settings import Config


def lock(root: Path | None, fmt: Format, force: bool, prune: bool) -> None:
    """The body of ``wiretype lock`` (its options are in ``commands``)."""
    from registry.check.lock import plan_lock
    from registry.cli.output import report
    from registry.cli.project import config_of, load_project
    from registry.write.files import write_file

    config = run(lambda: config_of(root))
    loaded = run(lambda: load_project(config))
    old_text = run(lambda: _lock_text(config))
    plan = plan_lock(loaded.schemas, loaded.findings, old_text, force=force, prune=prune)
    if plan.text is not None:
        write_file(config.lock_path, plan.text)
    raise typer.Exit(report(plan.findings, fmt.value, plan.message, config))


def _lock_text(config: Config) -> str:
    """The lock as it is ("" when there is none); one that cannot be read stops the command."""
    from registry.errors import InputError
    from registry.load.tree import Unreadable, read_lock

    text = read_lock(config)
    if isinstance(text, Unreadable):
        raise InputError(text.message, path=config.lock_path.name, hint="restore it from git")
    return text or ""
