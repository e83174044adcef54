"""Where sessions live: one interface (``Store``), one module per backend.

``memory://`` (the default) keeps everything in the process; ``sqlite:///path`` is the
durable store of one node; ``redis://host:port/db`` serves several processes and nodes. All
three pass the same contract tests (``tests/runtime/test_store_contract.py``).
"""

from __future__ import annotations

from .base import DeadLetter, Job, Store, StoreError
from .memory import MemoryStore

__all__ = ["DeadLetter", "Job", "MemoryStore", "Store", "StoreError", "open_store", "scheme_of"]


def scheme_of(url: str) -> str:
    return url.split(":", 1)[0].lower() if ":" in url else url.lower()


def open_store(url: str | Store | None) -> Store:
    """A store from its URL (``memory://``, ``sqlite:///path``, ``redis://host:port/db``) or
    an instance. Connecting happens later (``await store.open()``, done by the server)."""
    if isinstance(url, Store):
        return url
    from ..errors import ConfigurationError

    if url is not None and not isinstance(url, str):
        raise ConfigurationError(f"store {url!r}: give a URL or a Store")
    if url is None or scheme_of(url) == "memory":
        return MemoryStore()
    scheme = scheme_of(url)
    if scheme == "sqlite":
        from .sqlite import SqliteStore

        try:
            return SqliteStore(url)
        except StoreError as exc:
            raise ConfigurationError(str(exc)) from None
    if scheme in ("redis", "rediss", "valkey", "unix"):
        from .redis import RedisStore

        try:
            return RedisStore(url)
        except StoreError as exc:
            raise ConfigurationError(str(exc)) from None
    raise ConfigurationError(
        f"store {url!r}: not a store URL (memory://, sqlite:///path, redis://host:port/db)"
    )
