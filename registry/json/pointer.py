"""JSON Pointers (RFC 6901): the reference tokens of a path like ``/properties/a~1b``.

``~1`` stands for ``/`` and ``~0`` for ``~`` inside a token; unescaping replaces ``~1``
first, so ``~01`` is the text ``~1``. A ``$ref`` fragment may also be percent-encoded
(``#/$defs/a%20b``): callers that read references decode it where the reader they
imitate does, before or after splitting (``unquote``).
"""

from __future__ import annotations

from urllib.parse import unquote

__all__ = ["escape", "tokens", "unescape", "unquote"]


def unescape(token: str) -> str:
    """One reference token as the key it names (``a~1b`` -> ``a/b``)."""
    return token.replace("~1", "/").replace("~0", "~")


def escape(key: str) -> str:
    """A key as a reference token (``a/b`` -> ``a~1b``)."""
    return key.replace("~", "~0").replace("/", "~1")


def tokens(pointer: str) -> list[str]:
    """The unescaped tokens of a pointer, leading and trailing ``/`` ignored ("" -> [""])."""
    return [unescape(part) for part in pointer.strip("/").split("/")]
