"""What handlers see: the ``Context`` of their connection and the ``Message`` being handled,
and the server's record of one accepted connection (``Link``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from . import _common
from .protocol import envelope as env
from .protocol.events import MessageReceived
from .protocol.server import ServerConnection

if TYPE_CHECKING:
    from .hub import Hub
    from .transport import Transport

__all__ = ["Context", "Handler", "Hook", "Link", "Message", "Middleware"]

Handler = Callable[[Any, "Context"], Awaitable[None]]
Middleware = Callable[["Message", "Context", Callable[..., Awaitable[None]]], Awaitable[None]]
Hook = Callable[["Context"], Awaitable[None]]


class Message:
    """What middleware sees: the envelope's header and the data (at the handler's version)."""

    __slots__ = ("data", "header", "wire_version")

    def __init__(self, header: env.HeaderView, data: Any, wire_version: int) -> None:
        self.header = header
        self.data = data
        self.wire_version = wire_version

    @property
    def type(self) -> str:
        return self.header.type

    @property
    def id(self) -> str:
        return self.header.id


class Context:
    """A connection as its handlers see it."""

    __slots__ = ("_data", "_event", "_hub", "_link", "_message")

    def __init__(self, hub: Hub, link: Link) -> None:
        self._hub = hub
        self._link = link
        self._event: MessageReceived | None = None  # the message being handled
        self._data: Any = None
        self._message: Message | None = None

    @property
    def message(self) -> Message | None:
        """The message being handled (its header, its data at the handler's version)."""
        if self._message is None and self._event is not None:
            self._message = Message(self._event.header, self._data, self._event.wire_version)
        return self._message

    @property
    def principal(self) -> Any:
        return self._link.principal

    @property
    def session_id(self) -> str | None:
        return self._link.conn.session.id if self._link.conn.session else None

    @property
    def connection_id(self) -> int:
        return self._link.number

    @property
    def client(self) -> str:
        return self._link.conn.client

    @property
    def client_version(self) -> str:
        return self._link.conn.client_version

    @property
    def versions(self) -> Mapping[str, int]:
        return self._link.conn.versions

    @property
    def rtt_ms(self) -> float | None:
        """The round trip of the last answered heartbeat, in ms (None before the first)."""
        heartbeat = self._link.conn.heartbeat
        return heartbeat.rtt_ms if heartbeat is not None else None

    @property
    def remote_address(self) -> str:
        return self._link.ip

    @property
    def topics(self) -> frozenset[str]:
        session = self._link.conn.session
        return frozenset(session.topics) if session else frozenset()

    async def send(
        self, model: Any, *, ack: bool = False, prio: int = env.DEFAULT_PRIO, ttl: int | None = None
    ) -> str | None:
        """Send to this connection only, in its version of the message."""
        return await self._hub.send(self._link, model, ack=ack, prio=prio, ttl=ttl)

    async def publish(
        self,
        topic: str,
        model: Any,
        *,
        prio: int = env.DEFAULT_PRIO,
        ttl: int | None = None,
        exclude_self: bool = False,
    ) -> int:
        return await self._hub.publish(
            topic, model, prio=prio, ttl=ttl, exclude=self.session_id if exclude_self else None
        )

    async def subscribe(self, *topics: str) -> None:
        self._hub.topics.subscribe(self._link, _common.topics_of("subscribe", topics))

    async def unsubscribe(self, *topics: str) -> None:
        self._hub.topics.unsubscribe(self._link, _common.topics_of("unsubscribe", topics))

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self._link.conn.close(code, reason)
        self._hub.pump_sync(self._link)


class Link:
    """One accepted WebSocket (its ``Transport``) and its core state machine."""

    __slots__ = (
        "closing",
        "conn",
        "context",
        "held",
        "held_until",
        "ip",
        "number",
        "opened_at",
        "principal",
        "reader",
        "replaced",
        "scheduled",
        "transport",
        "waiters",
    )

    def __init__(
        self, transport: Transport, conn: ServerConnection, number: int, ip: str, principal: Any
    ) -> None:
        self.transport = transport
        self.conn = conn
        self.number = number
        self.ip = ip
        self.principal = principal
        self.replaced = False
        self.scheduled: float | None = None
        self.waiters: dict[str, asyncio.Future[None]] | None = None
        self.context: Context | None = None
        self.held: list[str] | None = None  # frames waiting for the store (writeahead.py)
        self.held_until = 0
        self.closing: tuple[int, str] | None = None  # a close waiting for the held frames
        self.opened_at = 0.0  # perf_counter() when admitted (the connection duration metric)
        # the task that reads this connection's frames and runs its handlers (it waits for
        # each handler, so an ack awaited from it could never be read)
        self.reader: asyncio.Task[Any] | None = None
