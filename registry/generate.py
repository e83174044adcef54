"""``wiretype generate``: render every package in memory, then write (or compare) them.

Nothing is written unless the registry is free of errors and every target
rendered; then the files it generates are replaced and the ones it generated before and
no longer does are removed, while build outputs beside them (``dist/``, ``node_modules/``)
are left alone (see ``writer``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from registry.config import Config, Target
from registry.diagnostics import Finding, has_errors, render_text, sort_findings
from registry.errors import UsageError
from registry.project import Loaded
from registry.render.templates import Rendered
from registry.writer import stale_files, write_tree

LANGUAGES = ("python", "typescript")
Renderer = Callable[[Loaded, Target, str | None], Rendered]


@dataclass(frozen=True)
class Job:
    language: str
    out: Path
    files: Mapping[str, str]
    findings: tuple[Finding, ...] = ()  # why the package could not be rendered


def _renderer(language: str) -> Renderer:
    if language == "python":
        from registry.render.python import render_python

        return render_python
    from registry.render.typescript import render_typescript

    return render_typescript


def parse_languages(text: str) -> tuple[str, ...]:
    languages = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [lang for lang in languages if lang not in LANGUAGES]
    if unknown or not languages:
        raise UsageError(f"--lang takes {' and/or '.join(LANGUAGES)}, comma-separated; "
                         f"got {text!r}")
    return languages


def _out(config: Config, language: str, out: Path | None, several: bool) -> Path:
    target: Target = getattr(config, language)
    if out is None:
        return config.root / target.out
    return out / language if several else out


def plan(loaded: Loaded, languages: tuple[str, ...], out: Path | None,
         templates: Path | None) -> list[Job]:
    if templates is not None and not templates.is_dir():
        raise UsageError(f"--templates {templates} is not a folder")
    folder = str(templates) if templates else None
    jobs = []
    for language in languages:
        target: Target = getattr(loaded.config, language)
        rendered = _renderer(language)(loaded, target, folder)
        jobs.append(Job(language, _out(loaded.config, language, out, len(languages) > 1),
                        rendered.files, rendered.findings))
    return jobs


def generate(loaded: Loaded, languages: tuple[str, ...], *, out: Path | None = None,
             templates: Path | None = None, check: bool = False) -> int:
    """Write the packages (or, with ``check``, report stale ones); returns the exit code."""
    if has_errors(loaded.findings):
        errors = [f for f in loaded.findings if f.is_error]
        sys.stderr.write(render_text(errors, summary="nothing generated: fix these first"))
        return 1
    jobs = plan(loaded, languages, out, templates)
    refused = sort_findings(f for job in jobs for f in job.findings)
    if refused:  # the same for every target: each is reported once
        sys.stderr.write(render_text(refused, summary="nothing generated: fix these first"))
        return 1
    if check:
        return _report_stale(jobs)
    for job in jobs:
        write_tree(job.out, job.files)
        sys.stdout.write(f"{job.language}: wrote {len(job.files)} file(s) to {job.out}\n")
    return 0


def _report_stale(jobs: list[Job]) -> int:
    stale = [(job, path) for job in jobs for path in stale_files(job.out, job.files)]
    for job, path in stale:
        sys.stdout.write(f"{job.out / path}: stale (run `wiretype generate`)\n")
    if not stale:
        sys.stdout.write("generated code is up to date\n")
    return 1 if stale else 0
