"""wiretype's cache: answers already worked out, kept in the user's cache folder.

``wiretype check`` runs in a pre-commit hook after every edit, so it keeps what
it worked out about each definition file and each pair of versions, and works
out again only what an edit changed (see ``registry.reports`` for what is kept
and what each entry is keyed by). Nothing in the cache can make an answer
different, only faster; this module makes sure nothing a commit can carry is
ever read from it:

* **where**: ``$WIRETYPE_CACHE_DIR``, else ``$XDG_CACHE_HOME/wiretype``, else
  ``~/.cache/wiretype``; never inside the project or the git work tree around it
  (a folder there is not used at all, so a file a pull request adds cannot be
  read). ``WIRETYPE_NO_CACHE=1`` turns the cache off; answers are then kept only
  for the length of one run.
* **what**: entries are JSON data, never code (no pickle), one file each under
  ``entries/``, named by a hash of wiretype's own code and the entry's key, so
  that another version of wiretype never finds them.
* **trust**: each entry starts with its HMAC-SHA256, computed under a random key
  that wiretype creates in the cache folder on first use (``key``, mode 0600)
  and that never leaves the machine. An entry that was edited, copied from
  another machine or written under another key, or whose data does not have the
  expected shape, is a miss and is worked out again. A key file that is not a
  regular file owned by the user with mode 0600 (e.g. one checked out by git,
  which writes 0644) turns the cache off.
* **size**: entries not written for 30 days are deleted, at most once a day.

Reading or writing the cache never fails a command: an error is a miss.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import stat
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from registry import __version__

FORMAT = "1"  # of the entries; a change makes every older entry a miss
MAX_AGE = 30 * 24 * 3600  # seconds an entry is kept after it was written
_PRUNE_EVERY = 24 * 3600
_KEY_FILE = "key"


def digest(*parts: str | bytes) -> str:
    """A SHA-256 of ``parts``, each length-prefixed (so ("ab", "c") != ("a", "bc"))."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
        h.update(b"%d:" % len(data))
        h.update(data)
    return h.hexdigest()


def folder() -> Path | None:
    """The cache folder the environment asks for (None: the cache is off)."""
    if os.environ.get("WIRETYPE_NO_CACHE", "") not in ("", "0"):
        return None
    chosen = os.environ.get("WIRETYPE_CACHE_DIR") or ""
    if chosen:
        return Path(chosen).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME") or ""
    base = Path(xdg) if Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "wiretype"


class Store:
    """Entries by (kind, key), read once per run and kept in memory for the rest of it.

    A store without a folder keeps its entries in memory only: one run still
    works out each answer once (the working tree and a git ref share most files).
    """

    def __init__(self, where: Path | None = None, secret: bytes = b"") -> None:
        self.where = where if secret else None
        self._secret = secret
        self._memory: dict[tuple[str, str], Any] = {}
        self._pruned = False

    def get(self, kind: str, key: str) -> Any:
        """The value stored under (kind, key), or None (a miss)."""
        if (kind, key) in self._memory:
            return self._memory[kind, key]
        value = self._read(kind, key) if self.where is not None else None
        self._memory[kind, key] = value
        return value

    def put(self, kind: str, key: str, value: Any) -> None:
        """Keep ``value`` (JSON data) under (kind, key), for this run and, if on, the next."""
        self._memory[kind, key] = value
        if self.where is not None:
            self._write(kind, key, value)

    # -- the files ------------------------------------------------------------------------
    def _path(self, kind: str, key: str) -> Path:
        assert self.where is not None
        return self.where / "entries" / digest(code_version(), kind, key)[:40]

    def _mac(self, kind: str, key: str, payload: bytes) -> str:
        message = digest(FORMAT, kind, key, payload).encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def _read(self, kind: str, key: str) -> Any:
        try:
            raw = self._path(kind, key).read_bytes()
        except OSError:
            return None
        mac, _, payload = raw.partition(b"\n")
        if not hmac.compare_digest(mac, self._mac(kind, key, payload).encode()):
            return None  # edited, foreign or written under another key: never believed
        try:
            data = json.loads(payload)
        except ValueError:
            return None
        if not isinstance(data, dict) or data.get("wiretype") != __version__:
            return None
        return data.get("value")

    def _write(self, kind: str, key: str, value: Any) -> None:
        payload = json.dumps(
            {"wiretype": __version__, "value": value}, ensure_ascii=False, separators=(",", ":")
        ).encode("utf-8", "surrogateescape")
        path = self._path(kind, key)
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(mode=0o700, exist_ok=True)
            temp.write_bytes(self._mac(kind, key, payload).encode() + b"\n" + payload)
            temp.replace(path)
        except OSError:
            temp.unlink(missing_ok=True)
            return
        if not self._pruned:
            self._pruned = True
            prune(path.parent.parent)


def open_store(project_root: Path) -> Store:
    """The cache for a project: the user's cache folder, or memory only when it is off or
    cannot be trusted (inside the work tree, a key that is not the user's own)."""
    try:
        where = folder()
        if where is None:
            return Store()
        where = where.resolve()
        if _inside_work_tree(where, project_root):
            return Store()
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        return Store(where, _secret(where))
    except (OSError, ValueError, RuntimeError):  # RuntimeError: no home folder to be found
        return Store()


def _inside_work_tree(where: Path, project_root: Path) -> bool:
    """Whether the cache folder lies in the project, or in the git work tree holding it."""
    top = project_root.resolve()
    for candidate in (top, *top.parents):
        if (candidate / ".git").exists():
            top = candidate
            break
    return where == top or top in where.parents


def _secret(where: Path) -> bytes:
    """The machine's key: read it, or create it (mode 0600) on first use."""
    path = where / _KEY_FILE
    if not path.exists():
        _create_key(path)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    handle = os.open(path, flags)
    try:
        info = os.fstat(handle)
        if not _private(info):
            raise ValueError(f"{path} is not a private key file")
        text = os.read(handle, 200).decode("ascii").strip()
    finally:
        os.close(handle)
    secret = bytes.fromhex(text)
    if len(secret) < 32:
        raise ValueError(f"{path} is too short to be a key")
    return secret


def _private(info: os.stat_result) -> bool:
    if not stat.S_ISREG(info.st_mode):
        return False
    if sys.platform == "win32":  # no POSIX owner or mode bits to judge by
        return True
    return info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077 == 0


def _create_key(path: Path) -> None:
    """Write a new random key next to ``path`` and link it into place: two runs that
    start at once agree on one key, and no run ever reads a half-written one."""
    temp = path.with_name(f".key.{os.getpid()}.{secrets.token_hex(4)}")
    handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(handle, secrets.token_hex(32).encode("ascii") + b"\n")
    finally:
        os.close(handle)
    try:
        os.link(temp, path)
    except FileExistsError:
        pass
    finally:
        temp.unlink(missing_ok=True)


def prune(where: Path, now: float | None = None) -> int:
    """Delete entries not written for ``MAX_AGE`` (at most once a day); how many went."""
    now = time.time() if now is None else now
    stamp = where / "pruned"
    try:
        if now - stamp.stat().st_mtime < _PRUNE_EVERY:
            return 0
    except OSError:
        pass
    removed = 0
    try:
        stamp.touch()
        for entry in os.scandir(where / "entries"):
            if now - entry.stat(follow_symlinks=False).st_mtime > MAX_AGE:
                Path(entry.path).unlink(missing_ok=True)
                removed += 1
    except OSError:
        return removed
    return removed


@lru_cache(maxsize=1)
def code_version() -> str:
    """wiretype's own code and the libraries whose answers it caches: any change is a miss."""
    package = Path(__file__).parent
    parts: list[str | bytes] = [__version__, sys.version]
    for path in sorted(package.rglob("*.py")):
        parts += [path.relative_to(package).as_posix(), path.read_bytes()]
    for library in ("yaml", "jsonschema", "regress"):
        parts.append(_library_stamp(library))
    return digest(*parts)


def _library_stamp(name: str) -> str:
    """Where a library is installed and when (cheaper than reading its version)."""
    from importlib.util import find_spec

    spec = find_spec(name)
    origin = spec.origin if spec is not None and spec.origin else ""
    try:
        info = Path(origin).stat()
    except OSError:
        return f"{name}:{origin}"
    return f"{name}:{origin}:{info.st_size}:{info.st_mtime_ns}"
