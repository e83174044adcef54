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
from .pool import ClientPool
from .protocol.limits import Settings
from .protocol.package import Package
from .server import Context, Message, Server
from .store import StoreError

__all__ = [
    "Client",
    "ClientPool",
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
    "StoreError",
    "WiretypeError",
]
