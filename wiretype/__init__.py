"""wiretype's runtime: typed, versioned messages over WebSockets (see docs/runtime.md)."""

from .errors import (
    ConfigurationError,
    ConnectionClosed,
    HandshakeFailed,
    Reject,
    SendFailed,
    WiretypeError,
)
from .protocol.package import Package
from .protocol.limits import Settings

__all__ = [
    "ConfigurationError",
    "ConnectionClosed",
    "HandshakeFailed",
    "Package",
    "Reject",
    "SendFailed",
    "Settings",
    "WiretypeError",
]
