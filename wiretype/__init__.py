"""wiretype's runtime: typed, versioned messages over WebSockets (see docs/runtime.md)."""

from .client import Client
from .errors import (
    ConfigurationError,
    ConnectionClosed,
    HandshakeFailed,
    Reject,
    SendFailed,
    WiretypeError,
)
from .protocol.limits import Settings
from .protocol.package import Package
from .server import Context, Message, Server

__all__ = [
    "Client",
    "ConfigurationError",
    "ConnectionClosed",
    "Context",
    "HandshakeFailed",
    "Message",
    "Package",
    "Reject",
    "SendFailed",
    "Server",
    "Settings",
    "WiretypeError",
]
