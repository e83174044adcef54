"""The jinja2 environment: a user's template folder first, then the built-in templates."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

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
