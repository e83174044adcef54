"""The asyncio client: ``websockets`` 17 pumping ``ClientConnection``.

This module is the application's side: sending (acked sends wait for their answer),
subscribing, handlers and the inbox of incoming messages, status callbacks, and what each of
the core's events means to them. The link's side, dialing, reading, redialing with
full-jitter backoff, the ticker and writing frames in the order the core produced them, is
``client_link.py`` (``ClientLink``, which ``Client`` inherits).
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import inspect
import logging
import random
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any

from websockets.asyncio.client import ClientConnection as WsConnection
from websockets.protocol import State as WsState

from . import _common
from .client_link import ClientLink
from .errors import ConfigurationError, HandshakeFailed, SendFailed
from .protocol import envelope as env
from .protocol.client import ClientConnection
from .protocol.events import (
    AckReceived,
    CloseRequested,
    Dropped,
    ErrorReceived,
    Event,
    MessageReceived,
    ProtocolProblem,
    StateChanged,
    StatusReceived,
    Welcomed,
)
from .protocol.events import SendFailed as SendFailedEvent
from .protocol.limits import Settings
from .protocol.package import Package

if TYPE_CHECKING:
    from .store.journal import SqliteJournal

__all__ = ["Client"]

log = logging.getLogger("wiretype.client")
Handler = Callable[[Any], Awaitable[None] | None]
_CLOSED = object()


def _endpoints(url: str | Iterable[str] | None, urls: Iterable[str] | str) -> list[str]:
    """``url`` and ``urls`` together, each once, in the order given: ``Client(proto, a,
    urls=[b, c])`` dials a, b and c (one string is one URL, never its characters)."""
    given: list[str] = []
    for each in (url, urls):
        if each:
            given.extend([each] if isinstance(each, str) else list(each))
    return list(dict.fromkeys(given))


class Client(ClientLink):
    """``Client(proto, url, name=...)``: a reconnecting, resuming client of a wiretype server."""

    def __init__(
        self,
        proto: ModuleType | Package,
        url: str | None = None,
        *,
        urls: Iterable[str] = (),
        name: str = "python",
        version: str = "0",
        speaks: Mapping[str, Iterable[int]] | None = None,
        queue_path: str | Path | None = None,
        headers: Mapping[str, str] | None = None,
        inbox_size: int = 10_000,
        rng: random.Random | None = None,
        registry: str | None = None,
        **settings: Any,
    ) -> None:
        self.urls = _endpoints(url, urls)
        if not self.urls:
            raise ConfigurationError("Client needs a url (or urls=[...])")
        for each in self.urls:
            check_url(each)
        _refuse_server_options(settings)
        self.settings = Settings.build(**settings)
        self.app = _common.package_of(proto, name=registry, speaks=speaks)
        self.headers = dict(headers or {})
        self._journal = None
        if queue_path is not None:
            from .store.journal import SqliteJournal

            self._journal = _open_journal(SqliteJournal, queue_path)
        self.core = ClientConnection(
            self.app,
            self.settings,
            name=name,
            version=version,
            rng=rng,
            journal=self._journal,
        )
        if self._journal is not None:
            self.core.restore(self._journal.load(self.app))
        self.counters: dict[str, int] = {}
        self.resumed = False
        self.last_status: StatusReceived | None = None
        self._inbox: asyncio.Queue[Any] = asyncio.Queue(maxsize=inbox_size)
        self._handlers: list[tuple[str, Handler]] = []
        self._status_callbacks: list[Callable[[str], Any]] = []
        self._waiters: dict[str, asyncio.Future[None]] = {}
        self._ws: WsConnection | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None
        self._opened: asyncio.Event | None = None
        self._changed: asyncio.Condition | None = None
        self._final: BaseException | None = None
        self._error: ErrorReceived | None = None
        # several endpoints: start on a random one, then move on after each failure
        self._url_index = (rng or random.Random()).randrange(len(self.urls))
        self._tasks: set[asyncio.Task[Any]] = set()

    # --- lifecycle ------------------------------------------------------------------------

    async def __aenter__(self) -> Client:
        await self.start()
        await self.wait_open()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def start(self) -> None:
        if self._supervisor is not None:
            return
        self._wake = asyncio.Event()
        self._opened = asyncio.Event()
        self._changed = asyncio.Condition()
        self._supervisor = asyncio.create_task(self._run())
        self._ticker = asyncio.create_task(self._tick())

    async def wait_open(self, timeout: float | None = None) -> None:
        """Until the client is open; raises ``HandshakeFailed`` if it closed for good."""
        assert self._opened is not None
        async with asyncio.timeout(timeout):
            while not self._opened.is_set():
                if self.core.state == "closed":
                    raise self._final or HandshakeFailed(1000, "closed")
                await self._wait_change()

    async def wait_state(self, *states: str, timeout: float | None = None) -> str:
        """Until the client's state is one of ``states``; returns it."""
        async with asyncio.timeout(timeout):
            while self.core.state not in states:
                await self._wait_change()
        return self.core.state

    async def _wait_change(self) -> None:
        assert self._changed is not None
        async with self._changed:
            await self._changed.wait()

    async def close(self) -> None:
        """Close with 1000 (the server forgets the session), stop the tasks."""
        self.core.close()
        self._pump()
        if self._ws is not None and self._ws.protocol.state is WsState.OPEN:
            with contextlib.suppress(Exception):
                await self._ws.close(1000, "bye")
        if self.core.state != "closed":
            self.core.connection_lost(1000, "bye", _common.now_ms())
            self._pump()
        for task in (self._supervisor, self._ticker):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._supervisor = self._ticker = None
        self._inbox_put(_CLOSED)
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    @property
    def state(self) -> str:
        return self.core.state

    @property
    def session(self) -> str | None:
        return self.core.session

    @property
    def versions(self) -> Mapping[str, int]:
        return self.core.versions

    def retry_now(self) -> None:
        """Dial at once instead of waiting out the backoff (the network came back)."""
        self.core.retry_now(_common.now_ms())
        if self._wake is not None:
            self._wake.set()

    # --- application API ------------------------------------------------------------------

    def on(self, pattern: str) -> Callable[[Handler], Handler]:
        """``@client.on("chat.message_sent")``: call the handler with each such message
        (converted to the client's latest version); ``"chat.*"`` patterns work too."""

        def register(handler: Handler) -> Handler:
            self._handlers.append((pattern, handler))
            return handler

        return register

    def on_status(self, callback: Callable[[str], Any]) -> Callable[[str], Any]:
        """``callback(state)`` on every change: connecting, open, reconnecting, offline,
        closed."""
        self._status_callbacks.append(callback)
        return callback

    async def send(
        self,
        model: Any,
        *,
        ack: bool = False,
        prio: int = env.DEFAULT_PRIO,
        ttl: int | None = None,
        volatile: bool = False,
        message_id: str | None = None,
    ) -> str | None:
        """Send ``model`` (queued while offline). With ``ack=True``, return once the server
        acknowledged it; raise ``SendFailed`` when it was nacked or the retries ran out.
        ``message_id``: resend a message under the id it had (the server dedupes it)."""
        ident = self.core.send(
            model,
            _common.now_ms(),
            ack=ack,
            prio=prio,
            ttl=ttl,
            volatile=volatile,
            message_id=message_id,
        )
        waiter = self._waiter(ident) if ack and ident is not None else None
        self._pump()
        if ack and ident is None:
            raise SendFailed("", "volatile", "not connected, and the message is volatile")
        if waiter is not None:
            await waiter
        return ident

    def withdraw(self, message_id: str) -> bool:
        """Take back a message that waits for its ack or in the queue (``ClientPool`` sends
        it on another connection); its ``send`` is cancelled. False when it is not here."""
        core = self.core
        found = core.outbox.settle(message_id) is not None
        for item in list(core.queue):
            if item.payload.id == message_id:
                found = core.queue.remove(item.payload) or found
        core._forget(message_id)
        waiter = self._waiters.pop(message_id, None)
        if waiter is not None and not waiter.done():
            waiter.cancel()
        return found

    @property
    def in_flight(self) -> int:
        """Acked sends waiting for their answer, plus what waits in the queue."""
        return len(self.core.outbox) + len(self.core.queue)

    async def subscribe(self, *topics: str) -> None:
        """Receive what is published to ``topics``; returns once the server has them (or at
        once when offline: they are sent after the handshake)."""
        ident = self.core.subscribe(_common.topics_of("subscribe", topics), _common.now_ms())
        waiter = self._waiter(ident) if ident is not None else None
        self._pump()
        if waiter is not None:
            await waiter

    async def unsubscribe(self, *topics: str) -> None:
        ident = self.core.unsubscribe(_common.topics_of("unsubscribe", topics), _common.now_ms())
        waiter = self._waiter(ident) if ident is not None else None
        self._pump()
        if waiter is not None:
            await waiter

    def __aiter__(self) -> Client:
        return self

    async def __anext__(self) -> Any:
        item = await self._inbox.get()
        if item is _CLOSED:
            self._inbox_put(_CLOSED)
            raise StopAsyncIteration
        return item

    async def receive(self, timeout: float | None = None) -> Any:
        """The next incoming message (the latest version of its model)."""
        async with asyncio.timeout(timeout):
            return await self.__anext__()

    def _waiter(self, ident: str) -> asyncio.Future[None]:
        waiter = asyncio.get_running_loop().create_future()
        self._waiters[ident] = waiter
        return waiter

    def _event(self, event: Event) -> None:
        match event:
            case MessageReceived():
                self._deliver(event)
            case AckReceived(id=ident):
                self._settle(ident, None)
            case SendFailedEvent(
                id=ident, code=code, reason=reason, errors=errors, retry_after_ms=retry
            ):
                self._settle(ident, SendFailed(ident, code, reason, errors, retry))
            case StateChanged(state=state):
                self._state_changed(state)
            case Welcomed(resumed=resumed):
                self.resumed = resumed
            case CloseRequested(code=code, reason=reason):
                self._close_link(code, reason)
            case Dropped(reason=reason, count=count):
                self.counters[f"dropped_{reason}"] = (
                    self.counters.get(f"dropped_{reason}", 0) + count
                )
            case ErrorReceived(code=code, message=message):
                self._error = event
                log.info("server error code=%s message=%r", code, message)
            case StatusReceived():
                self.last_status = event
            case ProtocolProblem(code=code, message=message):
                log.debug("problem %s: %s", code, message)
            case _:
                pass

    def _deliver(self, event: MessageReceived) -> None:
        model = event.data
        name = type(model).__wire_name__
        handled = False
        for pattern, handler in self._handlers:
            if pattern == name or fnmatch.fnmatchcase(name, pattern):
                handled = True
                self._call(handler, model)
        if not handled:
            self._inbox_put(model)
        self.core.ack(event.header)

    def _call(self, handler: Handler, model: Any) -> None:
        try:
            result = handler(model)
        except Exception:
            log.exception("client handler failed")
            return
        if inspect.isawaitable(result):
            task = asyncio.ensure_future(result)
            self._tasks.add(task)
            task.add_done_callback(self._handler_done)

    def _handler_done(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("client handler failed", exc_info=task.exception())

    def _inbox_put(self, item: Any) -> None:
        if self._inbox.full():
            self._inbox.get_nowait()
            self.counters["dropped_inbox"] = self.counters.get("dropped_inbox", 0) + 1
        self._inbox.put_nowait(item)

    def _settle(self, ident: str, error: BaseException | None) -> None:
        waiter = self._waiters.pop(ident, None)
        if waiter is None or waiter.done():
            return
        if error is None:
            waiter.set_result(None)
        else:
            waiter.set_exception(error)

    def _state_changed(self, state: str) -> None:
        if state == "open" and self._opened is not None:
            self._opened.set()
            self._error = None
        for callback in self._status_callbacks:
            try:
                result = callback(state)
                if inspect.isawaitable(result):
                    task = asyncio.ensure_future(result)
                    self._tasks.add(task)
                    task.add_done_callback(self._handler_done)
            except Exception:
                log.exception("status callback failed")
        if self._changed is not None:
            task = asyncio.ensure_future(self._notify())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _notify(self) -> None:
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()


def check_url(url: object) -> None:
    """A URL the link could never dial is a mistake to say now, not a client that stays
    ``connecting`` forever."""
    from websockets.exceptions import InvalidURI
    from websockets.uri import parse_uri

    if not isinstance(url, str):
        raise ConfigurationError(f"Client url {url!r}: give a ws:// or wss:// URL string")
    try:
        parse_uri(url)
    except (InvalidURI, ValueError) as exc:
        raise ConfigurationError(
            f"Client url {url!r} is not a WebSocket URL (ws://host:port/path or wss://...): {exc}"
        ) from None


def _open_journal(opener: type[SqliteJournal], path: str | Path) -> SqliteJournal:
    """The offline queue's file, or a ConfigurationError naming it (a folder that does not
    exist, a file that is not an SQLite database)."""
    import sqlite3

    try:
        return opener(path)
    except sqlite3.Error as exc:
        raise ConfigurationError(
            f"queue_path {str(path)!r}: cannot keep the queue there ({exc})"
        ) from None


# DESIGN.md lists these among the keyword arguments of Server and Client; they concern only
# a server. A Client takes them at their defaults (so code written from that list runs) and
# refuses anything else, saying where it belongs, rather than ignoring it.
SERVER_ONLY = {"origins": None, "auth": None, "store": None, "broker": None, "metrics_port": None}
_DEFAULT_URLS = (None, "memory://", "memory")


def _refuse_server_options(settings: dict[str, Any]) -> None:
    for name in [each for each in settings if each in SERVER_ONLY]:
        value = settings.pop(name)
        if value is None or (name in ("store", "broker") and value in _DEFAULT_URLS):
            continue
        raise ConfigurationError(
            f"{name} is a Server setting; a Client has none (its offline queue is kept with "
            "queue_path=FILE; its upgrade request's headers are headers={...})"
        )
