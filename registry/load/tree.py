"""The definition files of a project: read from its folder, named, and parsed.

Files arrive as ``{path from the project's root: bytes}``, from the working tree
(``read_tree``) or from a git ref (``registry.load.gitref``), so that the stages after
this one never see where they came from. A file that cannot be read at all (too
large, no permission) is kept in the tree as ``Unreadable``, so that it is reported
with the others rather than skipped. ``parse_files`` names every file after its path
(``chat/room/joined.yaml`` is ``chat.room.joined``) and parses it into a ``Document``.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from registry.errors import UsageError
from registry.findings import Finding
from registry.load.settings import Config
from registry.load.source import MAX_FILE_BYTES, Document, parse_text

SUFFIXES = (".yaml", ".yml")
_NAME_PART = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Unreadable:
    """A file that is there but cannot be read: why, and what to do."""

    rule: str
    message: str
    hint: str


Files = Mapping[str, bytes | Unreadable]

TOO_LARGE = Unreadable(
    "FILE_TOO_LARGE",
    f"file is larger than {MAX_FILE_BYTES} bytes",
    "split the definition; move shared parts to `kind: type` files",
)
NO_ACCESS = Unreadable("FILE_UNREADABLE", "file cannot be read", "check its permissions")


def read_tree(config: Config) -> dict[str, bytes | Unreadable]:
    """Every definition file under the schemas folder, keyed by its path from the root."""
    folder = config.schemas_dir
    if not folder.is_dir():
        raise UsageError(
            f"the schemas folder {folder} does not exist",
            hint=f"create it, or set `schemas:` in {config.source or 'wiretype.yaml'}",
        )
    files: dict[str, bytes | Unreadable] = {}
    for parent, dirs, names in os.walk(folder):  # symbolic links to folders are not followed
        dirs.sort()
        here = Path(parent)
        relative = here.relative_to(config.root).as_posix()  # once per folder, not per file
        prefix = "" if relative == "." else f"{relative}/"
        for name in sorted(names):
            if not name.endswith(SUFFIXES) or (name.startswith(".") and name[1:] in _BARE):
                continue  # what Path.suffix says: `.yaml` alone has none
            path = here / name
            try:
                info = path.stat()  # what Path.is_file asks, once for both questions
            except OSError:
                continue  # gone, or a dangling link: not a file
            if stat.S_ISREG(info.st_mode):
                files[prefix + name] = _read(path, info.st_size)
    return files


_BARE = frozenset(s.removeprefix(".") for s in SUFFIXES)  # `.yaml`: a suffix, no name


def _read(path: Path, size: int) -> bytes | Unreadable:
    if size > MAX_FILE_BYTES:
        return TOO_LARGE
    try:
        return path.read_bytes()
    except OSError:
        return NO_ACCESS


def definition_name(relative: str) -> str | None:
    """``chat/room/joined.yaml`` -> ``chat.room.joined``; None when not a legal name."""
    stem = relative.rsplit(".", 1)[0]
    parts = stem.split("/")
    return ".".join(parts) if all(_NAME_PART.match(p) for p in parts) else None


def parse_files(config: Config, files: Files) -> tuple[dict[str, Document], list[Finding]]:
    """Every file parsed, by definition name, and the findings met on the way."""
    documents: dict[str, Document] = {}
    findings: list[Finding] = []
    prefix = config.schemas.strip("/") + "/"
    for relative, raw in sorted(files.items()):
        name = definition_name(relative.removeprefix(prefix))
        problem = file_problem(relative, raw, name, documents)
        if problem is not None:
            findings.append(problem)
            continue
        assert isinstance(raw, bytes) and name is not None
        doc, found = parse_text(relative, raw)
        findings += found
        if doc is not None:
            documents[name] = doc
    return documents, findings


def file_problem(
    relative: str, raw: bytes | Unreadable, name: str | None, documents: Mapping[str, object]
) -> Finding | None:
    """Why a file is not parsed at all (unreadable, badly named, a duplicate)."""
    if isinstance(raw, Unreadable):
        return Finding(relative, 1, 1, raw.rule, raw.message, raw.hint)
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


def read_lock(config: Config) -> str | Unreadable | None:
    """The text of the project's ``wiretype.lock`` (None when there is none)."""
    path = config.lock_path
    if not path.is_file():
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        return Unreadable("LOCK_INVALID", f"cannot read the lock: {err}", "")
