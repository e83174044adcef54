"""The jinja2 environment: a user's template folder first, then the built-in templates.

Templates (``<target>/*.jinja``) are rendered; the hand-written modules beside them
(``<target>/static/``) are copied as they are. Both are looked up in the user's folder first.
"""

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


def static_source(env: jinja2.Environment, target: str, name: str) -> str:
    """A hand-written module of ``templates/<target>/static/`` (or the user's copy of it),
    as it is: it is copied into the package, not rendered."""
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, f"{target}/static/{name}")
    return source
