"""Find a project and read its settings into a frozen ``Config``.

Settings come from ``wiretype.yaml`` or from the ``[tool.wiretype]`` table of
``pyproject.toml``; every key is optional. A settings file that cannot be read
or holds a wrong key is an ``InputError`` (exit 2): nothing else can run.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.errors import InputError, UsageError

MODES = (
    "backward", "forward", "full",
    "backward_transitive", "forward_transitive", "full_transitive", "none",
)
_KEYS = {"schemas", "compatibility", "python", "typescript", "registry", "allow_unproven"}
_TARGET_KEYS = {"package", "out"}


@dataclass(frozen=True)
class Target:
    """Where one language's package goes."""

    package: str
    out: str


@dataclass(frozen=True)
class Config:
    """A project's settings, with every default filled in."""

    root: Path
    source: str  # the settings file, relative to root ("" when defaults only)
    schemas: str = "schemas"
    compatibility: str = "full"
    allow_unproven: bool = False  # "cannot prove" is a warning instead of an error
    name: str = ""
    python: Target = Target("wiretype_messages", "generated/python")
    typescript: Target = Target("@wiretype/messages", "generated/typescript")

    @property
    def schemas_dir(self) -> Path:
        return self.root / self.schemas

    @property
    def lock_path(self) -> Path:
        return self.root / "wiretype.lock"

    @property
    def registry_name(self) -> str:
        return self.name or self.python.package

    @property
    def repository_prefix(self) -> str:
        """The project's folder from the top of the git work tree around it (``proto/``),
        or "" at the top or outside git: CI annotations name files from there."""
        for folder in (self.root, *self.root.parents):
            if (folder / ".git").exists():
                inside = self.root.relative_to(folder).as_posix()
                return "" if inside == "." else f"{inside}/"
        return ""


def find_root(start: Path) -> Path:
    """The nearest folder upward from ``start`` that holds a wiretype project."""
    for folder in (start, *start.parents):
        if (folder / "wiretype.yaml").is_file() or _pyproject_table(folder) is not None:
            return folder
    raise UsageError(
        f"no wiretype project found in {start} or any folder above it",
        hint="run `wiretype init` to create one, or pass --root DIR",
    )


def load_config(root: Path) -> Config:
    """Read the settings of the project at ``root``."""
    if not root.is_dir():
        raise UsageError(f"--root {root} is not a folder")
    settings_file = root / "wiretype.yaml"
    if settings_file.is_file():
        return _from_mapping(root, "wiretype.yaml", _read_yaml(settings_file))
    table = _pyproject_table(root)
    if table is not None:
        return _from_mapping(root, "pyproject.toml", table)
    raise UsageError(f"{root} has no wiretype.yaml and no [tool.wiretype] in pyproject.toml",
                     hint="run `wiretype init` there, or pass the right --root")


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise InputError(f"cannot read settings: {err}", path=str(path)) from None
    if not isinstance(data, dict):
        raise InputError("settings must be a mapping of keys to values", path=str(path))
    return data


def _pyproject_table(folder: Path) -> dict[str, Any] | None:
    path = folder / "pyproject.toml"
    if not path.is_file():
        return None
    import tomllib  # only here: most projects have a wiretype.yaml

    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise InputError(f"cannot read: {err}", path=str(path)) from None
    table = data.get("tool", {}).get("wiretype")
    return table if isinstance(table, dict) else None


def _from_mapping(root: Path, source: str, data: dict[str, Any]) -> Config:
    for key in data:
        if key not in _KEYS:
            raise InputError(f"unknown setting {key!r}{_suggest(str(key), _KEYS)}", path=source)
    mode = data.get("compatibility", "full")
    if mode not in MODES:
        raise InputError(f"compatibility must be one of {', '.join(MODES)}, not {mode!r}",
                         path=source)
    defaults = Config(root, source)
    return Config(
        root=root,
        source=source,
        schemas=_string(data, "schemas", defaults.schemas, source),
        compatibility=mode,
        allow_unproven=_flag(data, "allow_unproven", source),
        name=_string(data, "registry", "", source),
        python=_target(data, "python", defaults.python, source),
        typescript=_target(data, "typescript", defaults.typescript, source),
    )


def _string(data: dict[str, Any], key: str, default: str, source: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or (key != "registry" and not value):
        raise InputError(f"setting {key!r} must be a non-empty string", path=source)
    return value


def _flag(data: dict[str, Any], key: str, source: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise InputError(f"setting {key!r} must be true or false", path=source)
    return value


def _target(data: dict[str, Any], key: str, default: Target, source: str) -> Target:
    value = data.get(key, {})
    if not isinstance(value, dict) or not set(value) <= _TARGET_KEYS:
        raise InputError(f"setting {key!r} must be a mapping with `package` and `out`",
                         path=source)
    return Target(
        package=_string(value, "package", default.package, source),
        out=_string(value, "out", default.out, source),
    )


def _suggest(word: str, choices: set[str]) -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
