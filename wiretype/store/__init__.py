"""Where sessions live: one interface (``Store``), one module per backend.

``memory`` (the default) keeps everything in the process; ``sqlite`` and ``redis`` come later
and implement the same interface, checked by the same contract tests.
"""

from __future__ import annotations

from .base import Store
from .memory import MemoryStore

__all__ = ["MemoryStore", "Store", "open_store"]


def open_store(url: str | Store | None) -> Store:
    """A store from its URL (``memory://``) or an instance."""
    if url is None or url == "memory" or (isinstance(url, str) and url.startswith("memory:")):
        return MemoryStore()
    if isinstance(url, str):
        from ..errors import ConfigurationError

        raise ConfigurationError(f"store {url!r}: only memory:// is available in this version")
    return url
