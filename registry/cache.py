"""A content-addressed cache of loaded registries, so an unchanged registry loads at once.

``wiretype check`` runs in a pre-commit hook on every commit, usually with no
definition changed. The cache key is a hash of wiretype's version, the settings
and every definition file's path and bytes: any change to any of them is a miss.
The cache lives in ``.wiretype_cache/`` at the project root (ignored by git, like
``.mypy_cache``); set ``WIRETYPE_NO_CACHE=1`` to bypass it. A cache that cannot be
read or written is ignored: it can only make things faster, never different.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from registry import __version__

FOLDER = ".wiretype_cache"
_KEEP = 4  # the working tree and a few git refs (check --against)


def cache_key(settings: object, files: Mapping[str, bytes]) -> str:
    digest = hashlib.sha256(f"{__version__}\0{_code()}\0{settings!r}".encode())
    for path in sorted(files):
        digest.update(f"\0{path}\0{len(files[path])}\0".encode())
        digest.update(files[path])
    return digest.hexdigest()[:32]


@lru_cache(maxsize=1)
def _code() -> str:
    """wiretype's own source files (path, size, mtime): a changed wiretype is a miss too."""
    package = Path(__file__).parent
    stamps = sorted((str(p.relative_to(package)), p.stat().st_size, p.stat().st_mtime_ns)
                    for p in package.rglob("*.py"))
    return hashlib.sha256(repr(stamps).encode()).hexdigest()


def _enabled() -> bool:
    return os.environ.get("WIRETYPE_NO_CACHE", "") in ("", "0")


def read(root: Path, kind: str, key: str) -> Any:
    """The cached value of ``kind`` under ``key``, or None on a miss."""
    if not _enabled():
        return None
    try:
        with (root / FOLDER / f"{kind}-{key}.pickle").open("rb") as handle:
            return pickle.load(handle)
    except Exception:
        return None


def write(root: Path, kind: str, key: str, value: Any) -> None:
    if not _enabled():
        return
    folder = root / FOLDER
    try:
        folder.mkdir(exist_ok=True)
        (folder / ".gitignore").write_text("# written by wiretype\n*\n")
        temp = folder / f".{kind}-{key}.{os.getpid()}.tmp"
        temp.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        temp.replace(folder / f"{kind}-{key}.pickle")
        _prune(folder, kind)
    except OSError:
        return


def _prune(folder: Path, kind: str) -> None:
    entries = sorted(folder.glob(f"{kind}-*.pickle"), key=lambda p: p.stat().st_mtime,
                     reverse=True)
    for old in entries[_KEEP:]:
        old.unlink(missing_ok=True)
