"""Load a project: its settings and every definition file, from disk or from a git ref.

This is the *load* stage. Files arrive as ``{relative path: bytes}`` so the same
code reads the working tree and ``git show REF:path`` alike; the compile stage
never sees where they came from.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from registry.config import Config
from registry.diagnostics import Finding
from registry.errors import UsageError
from registry.model import Registry
from registry.source import MAX_FILE_BYTES, Document, parse_text

SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Loaded:
    """A compiled registry, and every finding met on the way."""

    config: Config
    registry: Registry
    findings: tuple[Finding, ...]
    documents: Mapping[str, Document]


def read_tree(config: Config) -> dict[str, bytes]:
    """Every definition file under the schemas folder, keyed by its path from the root."""
    folder = config.schemas_dir
    if not folder.is_dir():
        raise UsageError(
            f"the schemas folder {folder} does not exist",
            hint=f"create it, or set `schemas:` in {config.source or 'wiretype.yaml'}",
        )
    files: dict[str, bytes] = {}
    for parent, dirs, names in os.walk(folder):  # symbolic links to folders are not followed
        dirs.sort()
        for name in sorted(names):
            path = Path(parent) / name
            if path.suffix in SUFFIXES and path.is_file():
                files[path.relative_to(config.root).as_posix()] = _read(path)
    return files


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return b"\0too-large"
        return path.read_bytes()
    except OSError:
        return b"\0unreadable"


def load(config: Config, files: Mapping[str, bytes] | None = None) -> Loaded:
    """Parse and compile the definitions (read from disk unless ``files`` is given).

    The whole registry, for the commands that need all of it (generate, show, ...);
    ``check`` and ``lint`` work file by file instead (``registry.reports``).
    """
    from registry.compile import compile_registry
    from registry.lint import lint_registry

    files = read_tree(config) if files is None else files
    documents, findings = parse_files(config, files)
    registry, compiled = compile_registry(documents, config.compatibility, config.allow_unproven)
    findings += compiled
    findings += lint_registry(registry, documents)
    return Loaded(config, registry, tuple(findings), documents)


def parse_files(
    config: Config, files: Mapping[str, bytes]
) -> tuple[dict[str, Document], list[Finding]]:
    from registry.compile import definition_name

    documents: dict[str, Document] = {}
    findings: list[Finding] = []
    prefix = config.schemas.strip("/") + "/"
    for relative, raw in sorted(files.items()):
        name = definition_name(relative.removeprefix(prefix))
        problem = file_problem(relative, raw, name, documents)
        if problem is not None:
            findings.append(problem)
            continue
        doc, found = parse_text(relative, raw)
        findings += found
        if doc is not None and name is not None:
            documents[name] = doc
    return documents, findings


def file_problem(
    relative: str, raw: bytes, name: str | None, documents: Mapping[str, object]
) -> Finding | None:
    """Why a file is not parsed at all (too large, unreadable, badly named, a duplicate)."""
    if raw == b"\0too-large":
        return Finding(
            relative,
            1,
            1,
            "FILE_TOO_LARGE",
            f"file is larger than {MAX_FILE_BYTES} bytes",
            "split the definition; move shared parts to `kind: type` files",
        )
    if raw == b"\0unreadable":
        return Finding(
            relative, 1, 1, "FILE_UNREADABLE", "file cannot be read", "check its permissions"
        )
    if name is None:
        return Finding(
            relative,
            1,
            1,
            "FILE_NAME_INVALID",
            "the file's path is not a legal definition name",
            "use letters, digits and _ in folder and file names, e.g. chat/sent.yaml",
        )
    if name in documents:
        return Finding(
            relative,
            1,
            1,
            "DEFINITION_DUPLICATE",
            f"{name} is defined by two files",
            "keep one of .yaml and .yml",
        )
    return None
