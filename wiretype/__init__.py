"""wiretype's runtime: typed, versioned messages over WebSockets (see docs/runtime.md)."""

from .errors import (
    ConfigurationError,
    ConnectionClosed,
    HandshakeFailed,
    Reject,
    SendFailed,
    WiretypeError,
)
from .client import Client
from .protocol.limits import Settings
from .protocol.package import Package
from .server import Context, Message, Server

__all__ = [
    "Client",
    "Context",
    "Message",
    "Server",
    "ConfigurationError",
    "ConnectionClosed",
    "HandshakeFailed",
    "Package",
    "Reject",
    "SendFailed",
    "Settings",
    "WiretypeError",
]
