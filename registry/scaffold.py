"""Commands that create or edit a user's files: ``init``, ``lock``, ``bump``, and ``show``."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from registry.check.lock import current_entries, parse_lock, render_lock
from registry.check.project import Loaded
from registry.compile.model import Definition, Version
from registry.diagnostics import Finding, has_errors
from registry.errors import UsageError
from registry.writer import write_file

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


def init_project(directory: Path) -> list[str]:
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


def lock_project(loaded: Loaded, *, force: bool, prune: bool) -> tuple[list[Finding], str]:
    findings = list(loaded.findings)
    if has_errors(findings):
        return findings, "not locked: fix the errors first"
    path = loaded.config.lock_path
    old_text = path.read_text(encoding="utf-8") if path.is_file() else ""
    locked, problems = parse_lock(old_text)
    if problems:
        return problems, "not locked: the lock file is damaged"
    current = current_entries(loaded.schemas)
    entries = {key: entry.digest for key, entry in locked.items()}
    refused = _refusals(loaded, locked, current, force=force, prune=prune)
    if refused:
        return refused, "not locked: published versions would change"
    entries.update(current)
    if prune:
        entries = {key: value for key, value in entries.items() if key in current}
    write_file(path, render_lock(entries))
    added = len(set(current) - set(locked))
    return [], f"locked {len(entries)} version(s) ({added} new) in {path.name}"


def _refusals(
    loaded: Loaded, locked: dict[Any, Any], current: dict[Any, str], *, force: bool, prune: bool
) -> list[Finding]:
    refused = []
    for key, entry in sorted(locked.items()):
        if key not in current and not prune:
            refused.append(
                Finding(
                    "wiretype.lock",
                    entry.line,
                    1,
                    "LOCK_VERSION_DELETED",
                    f"{key[0]}@{key[1]} is locked but no longer defined",
                    "restore it, or pass --prune to forget it",
                )
            )
        elif key in current and current[key] != entry.digest and not force:
            definition = loaded.registry.definitions[key[0]]
            loc = _version(definition, key[1]).location
            refused.append(
                Finding(
                    loc.file,
                    loc.line,
                    loc.column,
                    "LOCK_VERSION_CHANGED",
                    f"{key[0]}@{key[1]} changed since it was locked",
                    "restore it and add a new version, or pass --force",
                )
            )
    return refused


def _version(definition: Definition, number: int) -> Version:
    version = definition.version(number)
    if version is None:
        raise UsageError(
            f"{definition.name} has no version {number}",
            hint=f"versions: {', '.join(str(v.number) for v in definition.versions)}",
        )
    return version


def find_definition(loaded: Loaded, spec: str) -> tuple[Definition, Version]:
    """``MSG`` or ``MSG@V`` -> the definition and version (the latest when none is given)."""
    name, _, number = spec.partition("@")
    definition = loaded.registry.definitions.get(name)
    if definition is None:
        from registry.compile.context import did_you_mean

        known = loaded.registry.definitions
        raise UsageError(
            f"no message or type named {name!r}{did_you_mean(name, known)}",
            hint="`wiretype lint` lists the problems of files that did not load",
        )
    if not number:
        return definition, definition.latest
    if not number.isdigit():
        raise UsageError(f"{spec!r}: the version after @ must be a number")
    return definition, _version(definition, int(number))


def show_version(loaded: Loaded, spec: str, fmt: str, view: str) -> int:
    if view not in ("closed", "open"):
        raise UsageError("--view must be closed or open")
    definition, version = find_definition(loaded, spec)
    document = loaded.schemas.document(definition, version, closed=view == "closed")
    if fmt == "jsonschema":
        sys.stdout.write(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    else:
        import yaml

        resolved = {
            "name": definition.name,
            "kind": definition.kind,
            "version": version.number,
            "compatibility": definition.compatibility.name,
            "direction": definition.direction,
            "schema": document,
        }
        sys.stdout.write(yaml.safe_dump(resolved, sort_keys=False, allow_unicode=True))
    return 0


def bump_definition(loaded: Loaded, name: str) -> str:
    """Append version N+1, a copy of version N (without its migration), to the YAML file."""
    definition, latest = find_definition(loaded, name)
    path = loaded.config.root / definition.file
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = latest.location.line - 1
    key_indent = _indent(lines[start])
    end = _block_end(lines, start, key_indent)
    block = _without_key(lines[start:end], "migrate", key_indent)
    first = re.sub(
        rf"^(\s*['\"]?){latest.number}(['\"]?\s*:)", rf"\g<1>{latest.number + 1}\g<2>", block[0]
    )
    if first == block[0] or not lines[start].strip().startswith(str(latest.number)):
        raise UsageError(
            f"cannot bump {definition.name}: its versions are not written in block style",
            hint="add the new version by hand",
        )
    if not block[-1].endswith("\n"):
        block[-1] += "\n"
    new_lines = [*lines[:end], first, *block[1:], *lines[end:]]
    if end == len(lines) and not lines[-1].endswith("\n"):
        new_lines[end - 1] += "\n"
    write_file(path, "".join(new_lines))
    return (
        f"{definition.file}: added version {latest.number + 1} of {definition.name} "
        f"(a copy of {latest.number}); edit it, then run `wiretype check`"
    )


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _block_end(lines: list[str], start: int, indent: int) -> int:
    end = start + 1
    while end < len(lines):
        stripped = lines[end].strip()
        if stripped and not stripped.startswith("#") and _indent(lines[end]) <= indent:
            break
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return end


def _without_key(block: list[str], key: str, parent_indent: int) -> list[str]:
    out, skipping, skip_indent = [], False, 0
    for line in block:
        stripped = line.strip()
        if skipping and (not stripped or _indent(line) > skip_indent):
            continue
        skipping = False
        if stripped.startswith(f"{key}:") and _indent(line) > parent_indent:
            skipping, skip_indent = True, _indent(line)
            continue
        out.append(line)
    return out
