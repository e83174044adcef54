"""The jinja2 environment: a user's template folder first, then the built-in templates.

Templates (``<target>/*.jinja``) are rendered; the hand-written modules beside them
(``<target>/static/``) are copied as they are, after the do-not-edit header. Both are
looked up in the user's folder first. A user's template that does not render is a finding
(``TEMPLATE_INVALID``, at its file and line); a built-in one that does not is a bug.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from registry.diagnostics import Finding

_REPO_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def builtin_templates() -> Path:
    """The built-in templates: shipped in the wheel as ``registry.templates``."""
    try:
        from importlib.resources import files

        folder = Path(str(files("registry.templates")))
        if (folder / "python").is_dir():
            return folder
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - source checkout
        pass
    return _REPO_TEMPLATES


@lru_cache(maxsize=8)
def environment(user_templates: str | None = None) -> jinja2.Environment:
    """One environment per override folder; templates are looked up as ``<target>/<name>``."""
    loaders: list[jinja2.BaseLoader] = []
    if user_templates:
        loaders.append(jinja2.FileSystemLoader(user_templates))
    loaders.append(jinja2.FileSystemLoader(str(builtin_templates())))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass(frozen=True)
class Rendered:
    """What a renderer made: every file of the package by its path, or what stopped it."""

    files: Mapping[str, str]
    findings: tuple[Finding, ...] = ()


def render_files(
    user_templates: str | None,
    templates: Mapping[str, tuple[str, dict[str, Any]]],
    statics: Mapping[str, str],
    header: str,
) -> Rendered:
    """``templates`` (path -> template name and its context) rendered and ``statics`` (path
    -> static module) copied after ``header``; every user template that fails is a finding."""
    env = environment(user_templates)
    files: dict[str, str] = {}
    findings: list[Finding] = []
    for path, (name, context) in templates.items():
        try:
            files[path] = env.get_template(name).render(**context)
        except Exception as exc:
            findings.append(_template_finding(env, name, exc, user_templates))
    for path, name in statics.items():
        try:
            files[path] = f"{header}\n{static_source(env, name)}"
        except UnicodeDecodeError as exc:
            findings.append(_template_finding(env, name, exc, user_templates))
    return Rendered(files, tuple(findings))


def static_source(env: jinja2.Environment, name: str) -> str:
    """A hand-written module (``<target>/static/<module>``), as it is."""
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, name)
    return source


def _template_finding(
    env: jinja2.Environment, name: str, exc: Exception, user_templates: str | None
) -> Finding:
    """The finding for a template of the user's folder that failed; a built-in one re-raises."""
    filename, line = _where(env, name, exc)
    if not user_templates or not _inside(filename, user_templates):
        raise exc
    message = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else str(exc)
    return Finding(
        filename,
        line,
        1 if line else 0,
        "TEMPLATE_INVALID",
        f"the template {name} does not render: {message}",
        hint="fix it, or remove it from the --templates folder to use the built-in one",
    )


def _where(env: jinja2.Environment, name: str, exc: Exception) -> tuple[str, int]:
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return exc.filename or name, exc.lineno
    assert env.loader is not None
    try:
        _, filename, _ = env.loader.get_source(env, name)
    except (jinja2.TemplateNotFound, UnicodeDecodeError):
        return name, 0
    lines = [
        frame.lineno
        for frame in traceback.extract_tb(exc.__traceback__)
        if frame.filename == filename and frame.lineno is not None
    ]
    return filename or name, lines[-1] if lines else 0


def _inside(filename: str, folder: str) -> bool:
    return Path(filename).resolve().is_relative_to(Path(folder).resolve())
