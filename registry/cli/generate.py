"""``wiretype generate``: render every package in memory, then write (or compare) them.

Nothing is written unless the registry is free of errors and every target rendered
(``registry.render``); then the files it generates are replaced and the ones it
generated before and no longer does are removed, while build outputs beside them
(``dist/``, ``node_modules/``) are left alone (``registry.write``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from registry.cli.app import run

if TYPE_CHECKING:
    from registry.check.project import Loaded
    from registry.findings import Finding
    from registry.load.settings import Config, Target
    from registry.render.templates import Rendered

    Renderer = Callable[[Loaded, Target, str | None], Rendered]

LANGUAGES = ("python", "typescript")


def generate(
    root: Path | None, check: bool, lang: str, out: Path | None, templates: Path | None
) -> None:
    """The body of ``wiretype generate`` (its options are in ``commands``)."""
    from registry.cli.output import refuse
    from registry.cli.project import load_root
    from registry.findings import sort_findings

    languages = run(lambda: parse_languages(lang))
    loaded = run(lambda: load_root(root))
    if any(f.is_error for f in loaded.findings):
        raise typer.Exit(refuse(loaded.findings, "generated"))
    jobs = run(lambda: plan(loaded, languages, out, templates))
    refused = sort_findings(f for job in jobs for f in job.findings)
    if refused:  # the same for every target: each is reported once
        raise typer.Exit(refuse(refused, "generated"))
    raise typer.Exit(_report_stale(jobs) if check else _write(jobs))


@dataclass(frozen=True)
class Job:
    """One package: its language, the folder it goes to, and its files."""

    language: str
    out: Path
    files: Mapping[str, str]
    findings: tuple[Finding, ...] = ()  # why the package could not be rendered


def parse_languages(text: str) -> tuple[str, ...]:
    from registry.errors import UsageError

    languages = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [lang for lang in languages if lang not in LANGUAGES]
    if unknown or not languages:
        raise UsageError(
            f"--lang takes {' and/or '.join(LANGUAGES)}, comma-separated; got {text!r}"
        )
    return languages


def plan(
    loaded: Loaded, languages: tuple[str, ...], out: Path | None, templates: Path | None
) -> list[Job]:
    """Every package rendered in memory (nothing is written yet)."""
    from registry.errors import UsageError

    if templates is not None and not templates.is_dir():
        raise UsageError(f"--templates {templates} is not a folder")
    folder = str(templates) if templates else None
    jobs = []
    for language in languages:
        target: Target = getattr(loaded.config, language)
        rendered = _renderer(language)(loaded, target, folder)
        folder_out = _out(loaded.config, language, out, len(languages) > 1)
        jobs.append(Job(language, folder_out, rendered.files, rendered.findings))
    return jobs


def _renderer(language: str) -> Renderer:
    if language == "python":
        from registry.render.python import render_python

        return render_python
    from registry.render.typescript import render_typescript

    return render_typescript


def _out(config: Config, language: str, out: Path | None, several: bool) -> Path:
    target: Target = getattr(config, language)
    if out is None:
        return config.root / target.out
    return out / language if several else out


def _write(jobs: list[Job]) -> int:
    from registry.write.files import write_tree

    for job in jobs:
        write_tree(job.out, job.files)
        sys.stdout.write(f"{job.language}: wrote {len(job.files)} file(s) to {job.out}\n")
    return 0


def _report_stale(jobs: list[Job]) -> int:
    from registry.write.files import stale_files

    stale = [(job, path) for job in jobs for path in stale_files(job.out, job.files)]
    for job, path in stale:
        sys.stdout.write(f"{job.out / path}: stale (run `wiretype generate`)\n")
    if not stale:
        sys.stdout.write("generated code is up to date\n")
    return 1 if stale else 0
