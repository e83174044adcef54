"""The exceptions of the runtime, in one tree.

.. code-block:: text

    WiretypeError
    ├── ConfigurationError       a setting or a package the runtime cannot use
    ├── ConnectionClosed         the link ended; ``code`` and ``reason`` of the close
    │   └── HandshakeFailed      refused before or during hello (HTTP status or close code)
    ├── SendFailed               a message was not delivered: ``code``, ``reason``, ``errors``
    └── Reject                   raised by a handler to nack a message (``code``, ``reason``,
                                 ``retry_after_ms``)

Every exception carries its facts as fields, so a program can switch on ``code`` instead of
parsing a message.
"""

from __future__ import annotations

__all__ = [
    "NACK_CODES",
    "ConfigurationError",
    "ConnectionClosed",
    "HandshakeFailed",
    "Reject",
    "SendFailed",
    "WiretypeError",
]

# The codes of wiretype.nack (latest version); peers on v1 get them mapped to v1's codes.
NACK_CODES = frozenset(
    {
        "invalid",
        "unsupported_version",
        "too_large",
        "rate_limited",
        "overloaded",
        "expired",
        "forbidden",
        "internal",
        "no_handler",
        "unauthorized",
        "not_found",
        "conflict",
        "too_many_topics",
        "rejected",
    }
)


class WiretypeError(Exception):
    """The root of every exception the runtime raises on purpose."""


class ConfigurationError(WiretypeError, ValueError):
    """A setting, handler or package that the runtime cannot work with."""


class ConnectionClosed(WiretypeError):  # noqa: N818 (names fixed by DESIGN.md)
    """The connection ended with ``code`` (a WebSocket close code) and ``reason``."""

    def __init__(self, code: int, reason: str = "") -> None:
        self.code = code
        self.reason = reason
        super().__init__(f"connection closed: {code} {reason}".rstrip())


class HandshakeFailed(ConnectionClosed):
    """The server refused the connection: an HTTP ``status`` before the upgrade, or a close
    code (4406, 4401, ...) after hello. Final until the application acts."""

    def __init__(self, code: int, reason: str = "", status: int | None = None) -> None:
        super().__init__(code, reason)
        self.status = status


class SendFailed(WiretypeError):  # noqa: N818 (names fixed by DESIGN.md)
    """A message was not delivered: nacked with ``code`` or not acknowledged after the
    retries (``code`` = ``"timeout"``), or dropped (``"expired"``, ``"overflow"``,
    ``"closed"``). ``errors`` holds the peer's ``{path, message}`` list for ``invalid``."""

    def __init__(
        self,
        message_id: str,
        code: str,
        reason: str = "",
        errors: tuple[dict[str, str], ...] = (),
        retry_after_ms: int | None = None,
    ) -> None:
        self.id = message_id
        self.code = code
        self.reason = reason
        self.errors = errors
        self.retry_after_ms = retry_after_ms
        super().__init__(f"{code}: {reason}" if reason else code)


class Reject(WiretypeError):  # noqa: N818 (names fixed by DESIGN.md)
    """Raised by a handler to refuse a message: the sender gets ``wiretype.nack`` with this
    ``code`` (one of ``NACK_CODES``), ``reason`` and, when worth retrying,
    ``retry_after_ms``."""

    def __init__(self, code: str, reason: str = "", retry_after_ms: int | None = None) -> None:
        if code not in NACK_CODES:
            known = ", ".join(sorted(NACK_CODES))
            raise ConfigurationError(f"Reject code {code!r} is not a nack code ({known})")
        self.code = code
        self.reason = reason
        self.retry_after_ms = retry_after_ms
        super().__init__(f"{code}: {reason}" if reason else code)
