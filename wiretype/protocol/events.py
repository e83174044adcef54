"""What the state machines tell their adapter. Plain frozen values; the adapter acts on them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .envelope import HeaderView


@dataclass(frozen=True, slots=True)
class HelloReceived:
    """Server: a valid hello with a usable registry. Answer with ``accept`` or ``refuse``."""

    client: str
    client_version: str
    versions: dict[str, int]
    resume: tuple[str, int, int] | None  # (session, last_seq, epoch)


class MessageReceived(NamedTuple):
    """A registry message, validated and converted to the version its reader wants.
    Server: answer it with ``ack`` / ``nack`` (``settle`` when it asked for no ack).
    A named tuple, not a dataclass: one is made per message, and this is the cheapest
    immutable value."""

    header: HeaderView
    data: Any
    wire_version: int


@dataclass(frozen=True, slots=True)
class Subscribed:
    topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Unsubscribed:
    topics: tuple[str, ...]


class AckReceived(NamedTuple):
    """An ack for a message this side sent (a named tuple: one per acked message)."""

    id: str
    rtt_ms: float


@dataclass(frozen=True, slots=True)
class SendFailed:
    """An acked send that will not be delivered: nacked, timed out, expired or closed."""

    id: str
    code: str
    reason: str = ""
    errors: tuple[dict[str, str], ...] = ()
    retry_after_ms: int | None = None


@dataclass(frozen=True, slots=True)
class Dropped:
    """Messages dropped and never delivered: ``expired``, ``overflow``, ``volatile``,
    ``unsupported`` (no common version with the peer)."""

    reason: str
    count: int = 1


@dataclass(frozen=True, slots=True)
class Pong:
    rtt_ms: float


@dataclass(frozen=True, slots=True)
class StatusReceived:
    state: str
    reason: str
    retry_in_ms: int | None = None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class ErrorReceived:
    code: str
    message: str
    re: str | None = None


@dataclass(frozen=True, slots=True)
class ProtocolProblem:
    """Something the peer did wrong that was answered (bad frame, invalid, ...): for logs
    and counters; ``code`` is the error or nack code sent."""

    code: str
    message: str
    id: str | None = None
    errors: tuple[dict[str, str], ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Welcomed:
    """Client: the handshake finished."""

    session: str
    resumed: bool
    versions: dict[str, int]
    heartbeat_ms: int


@dataclass(frozen=True, slots=True)
class StateChanged:
    """Client: ``connecting``, ``open``, ``reconnecting``, ``offline`` or ``closed``."""

    state: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CloseRequested:
    """The machine wants the link closed with ``code`` (the adapter closes the socket)."""

    code: int
    reason: str


Event = (
    HelloReceived
    | MessageReceived
    | Subscribed
    | Unsubscribed
    | AckReceived
    | SendFailed
    | Dropped
    | Pong
    | StatusReceived
    | ErrorReceived
    | ProtocolProblem
    | Welcomed
    | StateChanged
    | CloseRequested
)
