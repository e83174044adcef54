"""Write generated files, or tell how they differ from what is on disk.

The only module that writes output. A folder is written whole or not at all:
files go to a temporary sibling first, which then replaces the folder, so an
error half-way never leaves a half-written output folder behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path


def write_tree(out: Path, files: Mapping[str, str]) -> None:
    """Replace the folder ``out`` with exactly ``files`` ({relative path: text})."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for relative, text in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, out: Path) -> None:
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(old)
    staging.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def stale_files(out: Path, files: Mapping[str, str]) -> list[str]:
    """Relative paths that differ between ``files`` and the folder ``out`` (both ways)."""
    stale = []
    for relative, text in sorted(files.items()):
        target = out / relative
        try:
            same = target.read_text(encoding="utf-8") == text
        except (OSError, UnicodeDecodeError):
            same = False
        if not same:
            stale.append(relative)
    if out.is_dir():
        on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
        stale += sorted(p for p in on_disk - set(files) if not _ignored(p))
    return stale


def _ignored(relative: str) -> bool:
    parts = relative.split("/")
    return any(p in ("node_modules", "__pycache__", "dist", ".mypy_cache") or p.endswith(
        ".egg-info") for p in parts)


def write_file(path: Path, text: str) -> None:
    """Write one file atomically (a temporary file renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
