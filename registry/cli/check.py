"""``wiretype lint`` and ``wiretype check [--against REF]``: every finding, then one report.

The command reads the files (the working tree, the lock, the ref's files), opens the
cache and hands it to the file-by-file survey (``registry.check.survey``), collects
every finding of every check, and only then prints them. The stages below it never
touch the disk or the cache's folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer

from registry.cli.app import Format, run

if TYPE_CHECKING:
    from pathlib import Path

    from registry.check.survey import Survey
    from registry.findings import Finding
    from registry.load.settings import Config


@dataclass(frozen=True)
class Checked:
    """What ``check`` found, and the registry it looked at."""

    survey: Survey
    findings: tuple[Finding, ...]


def lint(root: Path | None, fmt: Format) -> None:
    """The body of ``wiretype lint`` (its options are in ``commands``)."""
    from registry.cli.output import report, summary
    from registry.cli.project import config_of

    config = run(lambda: config_of(root))
    found = run(lambda: lint_project(config))
    findings = [*config.findings, *found.findings]
    what = summary(findings, f"{len(found.outlines)} definition(s) linted")
    raise typer.Exit(report(findings, fmt.value, what, config))


def check(root: Path | None, fmt: Format, against: str | None) -> None:
    """The body of ``wiretype check`` (its options are in ``commands``)."""
    from registry.cli.output import report, summary
    from registry.cli.project import config_of

    config = run(lambda: config_of(root))
    checked = run(lambda: check_project(config, against))
    outlines = checked.survey.outlines.values()
    versions = sum(len(o.versions) for o in outlines)
    findings = [*config.findings, *checked.findings]
    what = summary(findings, f"{len(outlines)} definition(s), {versions} version(s) checked")
    raise typer.Exit(report(findings, fmt.value, what, config))


def lint_project(config: Config) -> Survey:
    """Every file's parse, compile and lint findings (``wiretype lint``)."""
    from registry.check.survey import survey
    from registry.cli.cache import open_store
    from registry.load.tree import read_tree

    files = read_tree(config)
    with open_store(config.root) as store:
        return survey(config, files, store, pairs=False)


def check_project(config: Config, against: str | None = None) -> Checked:
    """Every finding of ``check``: lint, the lock, compatibility and, with ``against``, the
    registry at that git ref."""
    from registry.check.lock import check_lock
    from registry.check.survey import survey
    from registry.cli.cache import open_store
    from registry.load.tree import read_lock, read_tree

    files = read_tree(config)
    with open_store(config.root) as store:
        current = survey(config, files, store)
        lock = check_lock(read_lock(config), current.outlines, current.broken)
        findings = [*current.findings, *current.pair_findings, *lock]
        if against is not None:
            from registry.check.against import against_findings
            from registry.load.gitref import read_ref

            previous = survey(config, read_ref(config, against), store, pairs=False)
            findings += against_findings(current, previous, against)
    return Checked(current, tuple(findings))
