"""wiretype's cache: answers already worked out, kept in the user's cache folder.

``wiretype check`` runs in a pre-commit hook after every edit, so it keeps what
it worked out about each definition file and each pair of versions, and works
out again only what an edit changed (see ``registry.check.survey`` for what is kept
and what each entry is keyed by). Nothing in the cache can make an answer
different, only faster; this module makes sure nothing a commit can carry is
ever read from it:

* **where**: ``$WIRETYPE_CACHE_DIR``, else ``$XDG_CACHE_HOME/wiretype``, else
  ``~/.cache/wiretype``; never inside the project or the git work tree around it
  (a folder there is not used at all, so a file a pull request adds cannot be
  read). ``WIRETYPE_NO_CACHE=1`` turns the cache off; answers are then kept only
  for the length of one run.
* **what**: JSON data, never code (no pickle): one *pack* per project (its
  folder) and version of wiretype's code, ``packs/<hash>``, holding that
  project's entries by kind and key; a pack that another version of wiretype
  wrote is never found. One file, read once and written once per run, because
  creating hundreds of small files costs more than the checks they save.
* **trust**: a pack starts with its HMAC-SHA256, computed under a random key
  that wiretype creates in the cache folder on first use (``key``, mode 0600)
  and that never leaves the machine. A pack that was edited, copied from
  another machine or written under another key is ignored whole (every lookup
  a miss), and so is any entry whose data does not have the expected shape
  (callers decode strictly). A key file that is not a regular file owned by
  the user with mode 0600 (git checks files out 0644) turns the cache off.
* **size**: an entry not used for 30 days is dropped when its pack is next
  written; a pack not written for 30 days is deleted (checked once a day).

Reading or writing the cache never fails a command: an error is a miss.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from registry import __version__
from registry.check.survey import digest

FORMAT = "1"  # of the entries; a change makes every older entry a miss
MAX_AGE = 30 * 24 * 3600  # seconds an entry is kept after it was written
_PRUNE_EVERY = 24 * 3600
_KEY_FILE = "key"


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
    """Entries by (kind, key): the project's pack, read at the first lookup, kept in memory,
    and written back by ``close`` when the run added to it.

    A store without a pack keeps its entries in memory only: one run still works
    out each answer once (the working tree and a git ref share most files).
    """

    def __init__(self, pack: Path | None = None, secret: bytes = b"") -> None:
        self.pack = pack if secret else None
        self._secret = secret
        self._entries: dict[str, dict[str, list[Any]]] | None = None
        self._today = int(time.time() // 86400)
        self._changed = False

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def get(self, kind: str, key: str) -> Any:
        """The value stored under (kind, key), or None (a miss)."""
        found = self._table(kind).get(key)
        if found is None:
            return None
        if found[0] != self._today:  # kept another 30 days from today: written back once a day
            found[0], self._changed = self._today, True
        return found[1]

    def put(self, kind: str, key: str, value: Any) -> None:
        """Keep ``value`` (JSON data) under (kind, key), for this run and, if on, the next."""
        self._table(kind)[key] = [self._today, value]
        self._changed = True

    def close(self) -> None:
        """Write the pack back (without the entries not used for ``MAX_AGE``), if it changed."""
        if self.pack is None or self._entries is None or not self._changed:
            return
        oldest = self._today - MAX_AGE // 86400
        kept = {
            kind: {key: entry for key, entry in table.items() if entry[0] >= oldest}
            for kind, table in self._entries.items()
        }
        # ASCII: any text (even a file name git gave as undecodable bytes) reads back as is
        data = {"wiretype": __version__, "entries": kept}
        payload = json.dumps(data, separators=(",", ":")).encode("ascii")
        temp = self.pack.with_name(f".{self.pack.name}.{os.getpid()}.tmp")
        try:
            self.pack.parent.mkdir(mode=0o700, exist_ok=True)
            _write_private(temp, self._mac(payload).encode() + b"\n" + payload)
            temp.replace(self.pack)  # readers see the old pack or the new one, never half
        except OSError:
            temp.unlink(missing_ok=True)
            return
        self._changed = False
        prune(self.pack.parent.parent)

    def _table(self, kind: str) -> dict[str, list[Any]]:
        if self._entries is None:
            self._entries = self._read() if self.pack is not None else {}
        return self._entries.setdefault(kind, {})

    def _mac(self, payload: bytes) -> str:
        assert self.pack is not None
        message = digest(FORMAT, self.pack.name, payload).encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def _read(self) -> dict[str, dict[str, list[Any]]]:
        """The pack's entries; an unreadable, unauthenticated or malformed pack is empty."""
        assert self.pack is not None
        try:
            raw = self.pack.read_bytes()
        except OSError:
            return {}
        mac, _, payload = raw.partition(b"\n")
        if not hmac.compare_digest(mac, self._mac(payload).encode()):
            return {}  # edited, foreign or written under another key: never believed
        try:
            data = json.loads(payload)
        except ValueError:
            return {}
        if not isinstance(data, dict) or data.get("wiretype") != __version__:
            return {}
        entries = data.get("entries")
        if not isinstance(entries, dict):
            return {}
        return {
            kind: {key: entry for key, entry in table.items() if _is_entry(entry)}
            for kind, table in entries.items()
            if isinstance(table, dict)
        }


def _write_private(path: Path, data: bytes) -> None:
    """Write a new file that only its owner can read (the cache holds the user's schemas)."""
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        out.write(data)


def _is_entry(entry: Any) -> bool:
    return isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], int)


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
        name = digest(code_version(), str(project_root.resolve()))[:40]
        return Store(where / "packs" / name, _secret(where))
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
    import secrets  # only here: once per machine

    temp = path.with_name(f".key.{os.getpid()}.{secrets.token_hex(4)}")
    _write_private(temp, secrets.token_hex(32).encode("ascii") + b"\n")
    try:
        os.link(temp, path)
    except FileExistsError:
        pass  # another run made one first: theirs is the key
    except OSError:  # a file system without hard links: not atomic, but never half-written
        temp.replace(path)
    finally:
        temp.unlink(missing_ok=True)


def prune(where: Path, now: float | None = None) -> int:
    """Delete the packs not written for ``MAX_AGE`` (other projects, older versions of
    wiretype), at most once a day; returns how many went."""
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
        for pack in os.scandir(where / "packs"):
            if now - pack.stat(follow_symlinks=False).st_mtime > MAX_AGE:
                Path(pack.path).unlink(missing_ok=True)
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
    parts += _installed(("pyyaml", "jsonschema", "regress"))
    return digest(*parts)


def _installed(distributions: tuple[str, ...]) -> list[str]:
    """The installed versions of the libraries whose answers are cached (their
    ``*.dist-info`` folders name them), read without importing anything."""
    found = []
    for entry in sys.path:
        try:
            names = [path.name for path in Path(entry or ".").iterdir()]
        except OSError:
            continue
        found += sorted(
            n
            for n in names
            if n.endswith(".dist-info")
            and n.lower().replace("_", "-").split("-")[0] in distributions
        )
    return found
