"""Find a project and read its settings into a frozen ``Config``.

Settings come from ``wiretype.yaml`` or from the ``[tool.wiretype]`` table of
``pyproject.toml``; every key is optional. A settings file that cannot be read,
or holds a wrong key or a value of the wrong kind, is an ``InputError`` (exit 2)
naming the file, line and column: nothing else can run. A value that can be
read but would not work (a package name that cannot be imported or published)
is a finding, in ``Config.findings``, reported with the registry's own.
"""

from __future__ import annotations

import difflib
import json
import keyword
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.errors import InputError, UsageError
from registry.findings import Finding, Severity
from registry.mode import FULL, NAMES, Mode, parse_mode

# `name` is DESIGN.md's key for the registry's name; `registry` is its older spelling.
_KEYS = {"schemas", "compatibility", "python", "typescript", "name", "registry", "allow_unproven"}
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
    compatibility: Mode = FULL
    allow_unproven: bool = False  # "cannot prove" is a warning instead of an error
    name: str = ""
    python: Target = Target("wiretype_messages", "generated/python")
    typescript: Target = Target("@wiretype/messages", "generated/typescript")
    findings: tuple[Finding, ...] = ()  # settings that can be read but would not work

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
        data, where = _read_yaml(settings_file)
        return _from_mapping(root, _Source("wiretype.yaml", where), data)
    text = _pyproject_text(root)
    table = _pyproject_table(root)
    if text is not None and table is not None:
        return _from_mapping(root, _Source("pyproject.toml", _toml_where(text)), table)
    raise UsageError(
        f"{root} has no wiretype.yaml and no [tool.wiretype] in pyproject.toml",
        hint="run `wiretype init` there, or pass the right --root",
    )


Where = Callable[[tuple[str, ...]], tuple[int, int]]


@dataclass(frozen=True)
class _Source:
    """The settings file, and where each key of it is written."""

    file: str
    where: Where

    def refuse(self, key: tuple[str, ...], message: str, hint: str = "") -> InputError:
        line, column = self.where(key)
        return InputError(message, path=f"{self.file}:{line}:{column}", hint=hint)

    def finding(
        self, key: tuple[str, ...], rule: str, message: str, hint: str, severity: Severity = "error"
    ) -> Finding:
        line, column = self.where(key)
        return Finding(self.file, line, column, rule, message, hint, severity=severity)


def _read_yaml(path: Path) -> tuple[dict[str, Any], Where]:
    """The settings mapping and its positions, read as strictly as a definition file."""
    from registry.load.source import parse_text

    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read settings: {err.strerror}", path=path.name) from None
    doc, problems = parse_text(path.name, raw)
    if doc is None and problems[0].rule == "FILE_EMPTY":
        return {}, lambda key: (1, 1)
    if problems:
        first = problems[0]
        raise InputError(
            first.message, path=f"{first.file}:{first.line}:{first.column}", hint=first.hint
        )
    assert doc is not None
    if not isinstance(doc.data, dict):
        raise InputError("settings must be a mapping of keys to values", path=f"{path.name}:1:1")
    return doc.data, doc.where


def _pyproject_text(folder: Path) -> str | None:
    try:
        return (folder / "pyproject.toml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _pyproject_table(folder: Path) -> dict[str, Any] | None:
    path = folder / "pyproject.toml"
    if not path.is_file():
        return None
    import tomllib  # only here: most projects have a wiretype.yaml

    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror}", path=path.name) from None
    except tomllib.TOMLDecodeError as err:  # "... (at line 3, column 5)": said as file:line:col
        message = str(err)
        at = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
        where = f"{path.name}:{at[1]}:{at[2]}" if at else path.name
        raise InputError(message[: at.start()] if at else message, path=where) from None
    table = data.get("tool", {}).get("wiretype")
    return table if isinstance(table, dict) else None


def _toml_where(text: str) -> Where:
    """Positions in ``[tool.wiretype]`` (tomllib keeps none): each key of the path is looked
    for from where the one before it was found, within the table; else its header."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if _TABLE.match(line)), 0)
    end = next(
        (
            i
            for i in range(start + 1, len(lines))
            if lines[i].lstrip().startswith("[") and not _TABLE.match(lines[i])
        ),
        len(lines),
    )

    def where(key: tuple[str, ...]) -> tuple[int, int]:
        line, column = start, 0
        for part in key:
            pattern = re.compile(rf"(^\s*|[{{,.]\s*|\[tool\.wiretype\.){re.escape(part)}\s*[=\]]")
            found = next(
                (
                    (n, m)
                    for n in range(line, end)
                    if (m := pattern.search(lines[n], column if n == line else 0))
                ),
                None,
            )
            if found is None:
                break
            line, column = found[0], found[1].start() + len(found[1].group(1))
        return line + 1, column + 1

    return where


_TABLE = re.compile(r"\s*\[\s*tool\.wiretype\s*[.\]]")


def _from_mapping(root: Path, source: _Source, data: dict[str, Any]) -> Config:
    for key in data:
        if key not in _KEYS:
            raise source.refuse(
                (str(key),),
                f"unknown setting {key!r}{_suggest(str(key), _KEYS)}",
                f"settings are {', '.join(sorted(_KEYS - {'registry'}))}",
            )
    written = data.get("compatibility", "full")
    mode = parse_mode(written)
    if mode is None:
        raise source.refuse(
            ("compatibility",),
            f"compatibility must be one of {', '.join(NAMES)}, not {json.dumps(written)}",
        )
    if "name" in data and "registry" in data:
        raise source.refuse(
            ("registry",),
            "set the registry's name once, as `name`",
            "remove `registry:`, the older spelling of `name:`",
        )
    defaults = Config(root, source.file)
    name_key = "registry" if "registry" in data else "name"
    python = _target(data, "python", defaults.python, source)
    typescript = _target(data, "typescript", defaults.typescript, source)
    return Config(
        root=root,
        source=source.file,
        schemas=_string(data, "schemas", defaults.schemas, source),
        compatibility=mode,
        allow_unproven=_flag(data, "allow_unproven", source),
        name=_string(data, name_key, "", source, empty=True),
        python=python,
        typescript=typescript,
        findings=(*_python_package(python, data, source), *_npm_package(typescript, data, source)),
    )


def _string(
    data: dict[str, Any],
    key: str,
    default: str,
    source: _Source,
    path: tuple[str, ...] = (),
    *,
    empty: bool = False,
) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or not (empty or value):
        raise source.refuse(
            (*path, key),
            f"setting {'.'.join((*path, key))!r} must be a "
            f"non-empty string, not {json.dumps(value)}",
        )
    return value


def _flag(data: dict[str, Any], key: str, source: _Source) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise source.refuse(
            (key,), f"setting {key!r} must be true or false, not {json.dumps(value)}"
        )
    return value


def _target(data: dict[str, Any], key: str, default: Target, source: _Source) -> Target:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise source.refuse(
            (key,),
            f"setting {key!r} must be a mapping with `package` and `out`",
            f"e.g. {key}: {{package: ..., out: generated/{key}}}",
        )
    for inner in value:
        if inner not in _TARGET_KEYS:
            raise source.refuse(
                (key, str(inner)),
                f"unknown setting {key}.{inner}{_suggest(str(inner), _TARGET_KEYS)}",
                f"{key} takes `package` and `out`",
            )
    return Target(
        package=_string(value, "package", default.package, source, (key,)),
        out=_string(value, "out", default.out, source, (key,)),
    )


_PYTHON_NAME = re.compile(r"^[A-Za-z]([A-Za-z0-9_]*[A-Za-z0-9])?$")
_SHADOWED = frozenset(
    {
        *sys.stdlib_module_names,
        "pydantic",
        "pydantic_core",
        "jsonschema",
        "typing_extensions",
        "wiretype",
        "registry",
    }
)


def _python_package(target: Target, data: dict[str, Any], source: _Source) -> list[Finding]:
    """The Python package must be importable (an identifier, not a keyword) and installable
    (a distribution name: letters, digits and `_`, starting and ending alphanumeric)."""
    name, at = target.package, ("python", "package") if "python" in data else ()
    if not _PYTHON_NAME.match(name) or keyword.iskeyword(name):
        why = (
            "is a Python keyword"
            if keyword.iskeyword(name)
            else "is not a name Python can import and pip can install"
        )
        return [
            source.finding(
                at,
                "SETTINGS_PYTHON_PACKAGE_INVALID",
                f"python.package {json.dumps(name)} {why}",
                f"use letters, digits and `_`, starting with a letter: {_python_suggestion(name)}",
            )
        ]
    if name in _SHADOWED:
        return [
            source.finding(
                at,
                "SETTINGS_PYTHON_PACKAGE_SHADOWS",
                f"python.package {json.dumps(name)} would shadow the module "
                f"`{name}` that Python or the generated code imports",
                f"use a name of its own, e.g. {name}_messages",
                severity="warning",
            )
        ]
    return []


def _python_suggestion(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower() or "messages"
    cleaned = f"p_{cleaned}" if cleaned[0].isdigit() else cleaned
    return f"{cleaned}_messages" if keyword.iskeyword(cleaned) else cleaned


_NPM_PART = r"[a-z0-9~-][a-z0-9._~-]*"
_NPM_NAME = re.compile(rf"^(@{_NPM_PART}/)?{_NPM_PART}$")
_NPM_MAX = 214


def _npm_package(target: Target, data: dict[str, Any], source: _Source) -> list[Finding]:
    """The TypeScript package must be a name npm publishes: lower case, URL-safe, at most
    214 characters, optionally under one ``@scope/``."""
    name, at = target.package, ("typescript", "package") if "typescript" in data else ()
    if (
        _NPM_NAME.match(name)
        and len(name) <= _NPM_MAX
        and name.rsplit("/", 1)[-1] not in ("node_modules", "favicon.ico")
    ):
        return []
    why = (
        "has capital letters, which npm refuses"
        if name.lower() != name
        else f"is longer than {_NPM_MAX} characters"
        if len(name) > _NPM_MAX
        else "is not a name npm can publish"
    )
    bare = re.sub(r"[^a-z0-9._~-]+", "-", name.lower().rsplit("/", 1)[-1]).strip("-._")
    scope = (
        re.sub(r"[^a-z0-9._~-]+", "-", name.lower().rsplit("/", 1)[0]).strip("-._")
        if "/" in name
        else "acme"
    )
    return [
        source.finding(
            at,
            "SETTINGS_NPM_PACKAGE_INVALID",
            f"typescript.package {json.dumps(name)} {why}",
            "use lower-case letters, digits, `-`, `.` and `_`, optionally "
            f'under one scope, e.g. "@{scope or "acme"}/{bare or "messages"}"',
        )
    ]


def _suggest(word: str, choices: set[str]) -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
