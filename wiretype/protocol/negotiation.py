"""Hello → the version of every message on this connection: the highest both sides speak.

The runtime's own ``wiretype.*`` messages come from the protocol package; a client that does
not list one of them reads the server's latest version of it (the subprotocol
``wiretype.v1`` promises them); one that lists it with no version in common cannot talk to
this server. A registry message the client does not list, or shares no version of, is left
out (sending it is nacked ``unsupported_version``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .package import Package

PROTOCOL_PREFIX = "wiretype."


@dataclass(frozen=True, slots=True)
class Negotiated:
    versions: dict[str, int]
    problem: str | None = None  # set when the handshake fails (close 4406)


def negotiate(
    registry: str, speaks: Mapping[str, Sequence[int]], app: Package, protocol: Package
) -> Negotiated:
    if registry not in _names_of(app):
        return Negotiated(
            {}, f"this server speaks the registry {app.name!r}, not {registry[:128]!r}"
        )
    versions: dict[str, int] = {}
    for name, info in protocol.messages.items():
        if name not in speaks:
            versions[name] = info.latest
            continue
        common = set(speaks[name]) & set(info.versions)
        if not common:
            return Negotiated(
                {}, f"no common version of {name} (server: {', '.join(map(str, info.versions))})"
            )
        versions[name] = max(common)
    for name, info in app.messages.items():
        if name.startswith(PROTOCOL_PREFIX) or name not in speaks:
            continue
        common = set(speaks[name]) & set(info.versions)
        if common:
            versions[name] = max(common)
    return Negotiated(versions)


def _names_of(app: Package) -> set[str]:
    """The registry's name, and its Python package's name (the default registry name)."""
    return {app.name, app.module.__name__.split(".")[0]}
