"""The asyncio server: ``websockets`` 17 (new asyncio API) pumping ``ServerConnection``.

What must be refused is refused before the upgrade, in ``process_request`` (see
``admission.py``). After the upgrade each connection's handler reads frames, feeds the core
and acts on its events; handlers run inline, in order. One sweep task per server ticks the
connections whose deadline came (heartbeat, hello timeout, ack retries) and expires
sessions; there is no timer per connection. Frames are written straight to the connection's
protocol, as ``websockets.broadcast`` does, so a published message costs one encode per
version and a string splice per recipient.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import functools
import heapq
import inspect
import itertools
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from types import ModuleType
from typing import Any

from websockets.asyncio.server import Server as WsServer
from websockets.asyncio.server import ServerConnection as WsConnection
from websockets.asyncio.server import serve as ws_serve
from websockets.exceptions import ConnectionClosed as WsClosed
from websockets.http11 import Request
from websockets.protocol import State as WsState

from . import _common, admission
from .context import Context, Handler, Hook, Link, Message, Middleware, Route
from .errors import ConfigurationError, Reject
from .protocol import envelope as env
from .protocol.events import (
    AckReceived,
    CloseRequested,
    Dropped,
    Event,
    HelloReceived,
    MessageReceived,
    Pong,
    ProtocolProblem,
    SendFailed,
    Subscribed,
    Unsubscribed,
)
from .protocol.limits import Settings
from .protocol.package import Package, runtime_package
from .protocol.server import ServerConnection, State, control_body, enqueue_detached
from .protocol.session import Session
from .store import Store, open_store

__all__ = ["Context", "Message", "Server"]

log = logging.getLogger("wiretype")
CONGESTED_RECHECK_MS = 10.0  # how often the sweep looks at a congested connection


class Server:
    """``Server(proto, **settings)``: route registry messages to handlers over WebSockets."""

    def __init__(
        self,
        proto: ModuleType | Package,
        *,
        origins: Iterable[str] | None = None,
        auth: Callable[[Request], Any] | None = None,
        store: str | Store | None = None,
        broker: str | None = None,
        metrics_port: int | None = None,
        presence: Iterable[str] | bool = (),
        name: str | None = None,
        sweep_ms: int = 1_000,
        **settings: Any,
    ) -> None:
        self.settings = Settings.build(**settings)
        self.app = _common.package_of(proto, name=name)
        self.runtime = runtime_package()
        self.origins = frozenset(origins) if origins is not None else None
        self.auth = auth
        self.store: Store = open_store(store)
        if broker not in (None, "memory", "memory://"):
            raise ConfigurationError("only the in-process broker (memory) is available")
        self.metrics_port = metrics_port
        # topic patterns with presence on; True: every topic
        self.presence = ("*",) if presence is True else () if presence is False else tuple(presence)
        self.sweep_ms = sweep_ms
        self.counters: dict[str, int] = {}
        self._routes: dict[str, Route] = {}
        self._patterns: list[Route] = []
        self._fallback: Route | None = None
        self._middleware: list[Middleware] = []
        self._on_connect: list[Hook] = []
        self._on_disconnect: list[Callable[[Context, int | None], Awaitable[None]]] = []
        self._links: dict[int, Link] = {}
        self._per_ip: dict[str, int] = {}
        self._attached: dict[str, Link] = {}
        self._topics: dict[str, dict[str, Session]] = {}
        self._principals: dict[int, Any] = {}
        self._numbers = itertools.count(1)
        self._heap: list[tuple[float, int, Link]] = []
        self._wake: asyncio.Event | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self._ws_server: WsServer | None = None
        self._draining = False
        self._pinned: dict[str, int] = {}
        self._ids = itertools.count(1)
        self._closing_tasks: set[asyncio.Task[Any]] = set()
        self._congested: set[Link] = set()
        self._high_water = max(1, self.settings.max_buffer_bytes // 4)

    # --- registration ---------------------------------------------------------------------

    def on(
        self, pattern: str, *, version: int | None = None, durable: bool = False
    ) -> Callable[[Handler], Handler]:
        """Route messages named ``pattern`` (``"chat.*"``; ``"*"`` is the fallback) to the
        decorated ``async def handler(msg, ctx)``; it gets ``version`` (default latest)."""
        if durable:
            raise ConfigurationError(
                "durable handlers need the sqlite or redis store, "
                "which this version does not have yet"
            )

        def register(handler: Handler) -> Handler:
            if not inspect.iscoroutinefunction(handler):
                raise ConfigurationError(f"handler {handler!r} must be an async function")
            route = Route(pattern, handler, version)
            if pattern == "*":
                self._fallback = route
            elif any(c in pattern for c in "*?["):
                self._patterns.append(route)
            else:
                self._exact(route)
            return handler

        return register

    def _exact(self, route: Route) -> None:
        info = self.app.messages.get(route.pattern)
        if info is None:
            raise ConfigurationError(f"no message called {route.pattern!r} in {self.app.name}")
        if route.version is not None:
            if route.version not in info.versions:
                raise ConfigurationError(f"{route.pattern} has no live version {route.version}")
            self._pinned[route.pattern] = route.version
        self._routes[route.pattern] = route

    def use(self, middleware: Middleware) -> Middleware:
        """Add ``async def mw(msg, ctx, call_next)`` around every handler (first added runs
        first); ``await call_next()`` runs the rest of the chain."""
        self._middleware.append(middleware)
        return middleware

    def on_connect(self, hook: Hook) -> Hook:
        self._on_connect.append(hook)
        return hook

    def on_disconnect(self, hook: Callable[[Context, int | None], Awaitable[None]]) -> Any:
        self._on_disconnect.append(hook)
        return hook

    def _route(self, name: str) -> Route | None:
        route = self._routes.get(name)
        if route is None:
            route = next(
                (r for r in self._patterns if fnmatch.fnmatchcase(name, r.pattern)), self._fallback
            )
            if route is not None:
                self._routes[name] = route
        return route

    # --- running --------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._ws_server is None:
            raise RuntimeError("the server is not started")
        return int(self._ws_server.sockets[0].getsockname()[1])

    @property
    def connections(self) -> int:
        return len(self._links)

    async def start(self, host: str = "127.0.0.1", port: int = 8765, **ws_options: Any) -> None:
        """Listen on ``host:port`` (0: any free port, see ``port``) and return."""
        self._wake = asyncio.Event()
        self._ws_server = await ws_serve(
            self._handler,
            host,
            port,
            subprotocols=[_common.SUBPROTOCOL],  # type: ignore[list-item]
            select_subprotocol=admission.select_subprotocol,
            process_request=functools.partial(admission.process_request, self),
            max_size=self.settings.max_frame_bytes,
            ping_interval=None,
            compression=None,
            open_timeout=self.settings.handshake_timeout_ms / 1000,
            server_header=None,
            **ws_options,
        )
        self._sweeper = asyncio.create_task(self._sweep())
        log.info("listening on %s:%s registry=%s", host, self.port, self.app.name)

    @contextlib.asynccontextmanager
    async def serving(
        self, host: str = "127.0.0.1", port: int = 0, **ws_options: Any
    ) -> AsyncIterator[Server]:
        """``async with server.serving(host, port):`` start, then close on the way out."""
        await self.start(host, port, **ws_options)
        try:
            yield self
        finally:
            await self.close()

    async def serve(self, host: str = "127.0.0.1", port: int = 8765) -> None:
        """Start and run until closed (``drain`` or ``close``)."""
        await self.start(host, port)
        assert self._ws_server is not None
        await self._ws_server.wait_closed()

    def run(self, host: str = "127.0.0.1", port: int = 8765) -> None:
        """Serve until SIGTERM or SIGINT, which drain the server first."""
        asyncio.run(self._run(host, port))

    async def _run(self, host: str, port: int) -> None:
        await self.start(host, port)
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await self.drain()

    async def drain(self, deadline_ms: int | None = None, retry_in_ms: int | None = None) -> None:
        """Tell every client (status ``draining``), close them with 1001, wait until they are
        gone or the deadline passes, then stop."""
        self._draining = True
        retry = self.settings.backoff_min_ms if retry_in_ms is None else retry_in_ms
        log.info("draining %d connection(s)", len(self._links))
        for link in list(self._links.values()):
            link.conn.status("draining", "shutdown", _common.now_ms(), retry_in_ms=retry)
            link.conn.close(1001, "server draining")
            self._pump_sync(link)
        wait = (self.settings.drain_ms if deadline_ms is None else deadline_ms) / 1000
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                while self._links:
                    await asyncio.sleep(0.01)
        await self.close()

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None
        if self._ws_server is not None:
            self._ws_server.close()
            await self._ws_server.wait_closed()
        for task in list(self._closing_tasks):
            with contextlib.suppress(Exception):
                await task

    # --- a connection ---------------------------------------------------------------------

    async def _handler(self, ws: WsConnection) -> None:
        now = _common.now_ms()
        conn = ServerConnection(
            self.app, self.settings, now, protocol=self.runtime, pinned=self._pinned
        )
        ip = admission.ip_of(ws)
        link = Link(ws, conn, next(self._numbers), ip, self._principals.pop(id(ws), None))
        self._links[link.number] = link
        self._per_ip[ip] = self._per_ip.get(ip, 0) + 1
        self._schedule(link)
        try:
            async for message in ws:
                if isinstance(message, str):
                    conn.receive_text(message, _common.now_ms())
                else:
                    conn.receive_binary(message, _common.now_ms())
                events = conn._events
                first = events[0] if len(events) == 1 else None
                if isinstance(first, MessageReceived) and not conn._out:
                    # the usual frame: one message for a handler, nothing else to do first
                    events.clear()
                    route = self._routes.get(first.header.type)
                    if (
                        route is None
                        or route.version is not None
                        or self._middleware
                        or log.isEnabledFor(logging.DEBUG)
                    ):
                        await self._handle(link, first)
                    else:
                        await self._run_plain(link, route, first)
                    if conn._out or conn._events:
                        await self._pump(link)
                else:
                    await self._pump(link)
                if conn.state >= State.CLOSING:
                    await ws.close(conn.close_code or 1000, conn.close_reason)
                    break
        except WsClosed:
            pass
        finally:
            await self._lost(link)

    async def _pump(self, link: Link) -> None:
        conn = link.conn
        while True:
            frames = conn.data_to_send()
            if frames:
                self._write(link, frames)
            events = conn.events_received()
            if not events:
                break
            for event in events:
                if type(event) is MessageReceived:
                    await self._handle(link, event)
                elif type(event) is HelloReceived:
                    await self._hello(link, event)
                else:
                    self._event(link, event)
        # no _schedule here: frames from the client only move deadlines later, and the
        # sweep re-files a connection whose deadline moved when it comes due

    def _pump_sync(self, link: Link) -> None:
        """Pump after a tick or a call from outside the reader (no handler runs here)."""
        conn = link.conn
        while True:
            frames = conn.data_to_send()
            if frames:
                self._write(link, frames)
            events = conn.events_received()
            if not events:
                break
            for event in events:
                self._event(link, event)
        self._schedule(link)

    def _write(self, link: Link, frames: list[str]) -> None:
        ws = link.ws
        protocol = ws.protocol
        if protocol.state is not WsState.OPEN:
            return
        for frame in frames:
            protocol.send_text(frame.encode("utf-8", "surrogatepass"))
        ws.send_data()
        transport = ws.transport
        if transport is not None:
            buffered = transport.get_write_buffer_size()
            if buffered > self._high_water:
                self._congested_write(link, buffered)

    def _congested_write(self, link: Link, buffered: int) -> None:
        """The transport holds more than a quarter of ``max_buffer_bytes``: frames wait in
        the connection's queue (by priority) until the sweep sees room; past the whole
        budget the connection is evicted (4499)."""
        conn = link.conn
        if buffered > self.settings.max_buffer_bytes:
            conn.check_backlog(buffered)
            self._pump_sync(link)
            return
        if not conn.congested:
            conn.congest()
            self._congested.add(link)
            if self._wake is not None:
                self._wake.set()

    def _relieve(self, now: float) -> None:
        """Write what waited on congested connections whose transport has room again."""
        for link in list(self._congested):
            transport = link.ws.transport
            buffered = transport.get_write_buffer_size() if transport is not None else 0
            if link.number not in self._links or not link.conn.congested:
                self._congested.discard(link)
            elif buffered <= self._high_water // 2:
                link.conn.decongest(now, self._high_water - buffered)
                if not link.conn.congested:
                    self._congested.discard(link)
                self._pump_sync(link)

    async def _hello(self, link: Link, event: HelloReceived) -> None:
        now = _common.now_ms()
        session, resumed = await self._session_for(link, event)
        link.conn.accept(session, resumed, now)
        self._attached[session.id] = link
        link.context = Context(self, link)
        for topic in session.topics:
            self._topics.setdefault(topic, {})[session.id] = session
        self._count("connects_resumed" if resumed else "connects_ok")
        log.info(
            "connect n=%d session=%s client=%r version=%r ip=%s resumed=%s",
            link.number,
            session.id,
            event.client,
            event.client_version,
            link.ip,
            resumed,
        )
        self._write(link, link.conn.data_to_send())
        self._schedule(link)
        if resumed:
            for topic in session.topics:
                self._presence(topic, session, "joined")
        for hook in self._on_connect:
            await self._run_hook(hook(link.context))

    async def _session_for(self, link: Link, event: HelloReceived) -> tuple[Session, bool]:
        now = _common.now_ms()
        if event.resume is not None:
            session_id, last_seq, epoch = event.resume
            found = await self.store.find(session_id)
            if (
                found is not None
                and found.principal == link.principal
                and found.can_resume(epoch, last_seq, event.versions, now)
            ):
                old = self._attached.get(found.id)
                if old is not None and old is not link:
                    old.replaced = True
                    old.conn.close(4409, "replaced by a newer connection")
                    self._pump_sync(old)
                return found, True
        return await self.store.create(event.versions, link.principal, now), False

    async def _handle(self, link: Link, event: MessageReceived) -> None:
        conn = link.conn
        header = event.header
        route = self._routes.get(header.type) or self._route(header.type)
        if route is None:
            conn.nack(header, "no_handler", f"no handler for {header.type}", _common.now_ms())
            return
        data = event.data
        if route.version is not None and route.version != type(data).__wire_version__:
            data = self.app.convert(data, route.version)
        ctx = link.context
        assert ctx is not None
        ctx._event, ctx._data, ctx._message = event, data, None
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "message n=%d type=%s v=%d id=%r data=%s",
                link.number,
                header.type,
                event.wire_version,
                header.id,
                _common.data_for_log(self.app, data),
            )
        try:
            if self._middleware:
                message = ctx.message
                assert message is not None
                await self._chain(route, message, ctx, 0)
            else:
                await route.handler(data, ctx)
        except Exception as exc:
            self._failed(link, header, exc)
        else:
            conn.ack(header, _common.now_ms() if header.ack else 0.0)
        finally:
            ctx._event = ctx._data = ctx._message = None

    async def _run_plain(self, link: Link, route: Route, event: MessageReceived) -> None:
        """``_handle`` for the common case: a routed message, no middleware, no pinning."""
        ctx = link.context
        assert ctx is not None
        ctx._event, ctx._data, ctx._message = event, event.data, None
        try:
            await route.handler(event.data, ctx)
        except Exception as exc:
            self._failed(link, event.header, exc)
        else:
            link.conn.ack(event.header, _common.now_ms() if event.header.ack else 0.0)
        finally:
            ctx._event = ctx._data = ctx._message = None

    def _failed(self, link: Link, header: env.HeaderView, exc: Exception) -> None:
        """A handler raised: ``Reject`` is its nack; anything else is ``internal``, logged
        with its traceback and never sent."""
        if isinstance(exc, Reject):
            link.conn.nack(
                header, exc.code, exc.reason, _common.now_ms(), retry_after_ms=exc.retry_after_ms
            )
            self._count(f"nack_{exc.code}")
            return
        log.error(
            "handler of %s failed (n=%d id=%r)", header.type, link.number, header.id, exc_info=exc
        )
        link.conn.nack(header, "internal", "internal error", _common.now_ms())
        self._count("nack_internal")

    async def _chain(self, route: Route, message: Message, ctx: Context, index: int) -> None:
        if index == len(self._middleware):
            await route.handler(message.data, ctx)
            return

        async def call_next(msg: Message | None = None, context: Context | None = None) -> None:
            await self._chain(route, msg or message, context or ctx, index + 1)

        await self._middleware[index](message, ctx, call_next)

    async def _run_hook(self, result: Awaitable[None]) -> None:
        try:
            await result
        except Exception:
            log.exception("connection hook failed")

    def _event(self, link: Link, event: Event) -> None:
        match event:
            case CloseRequested(code=code, reason=reason):
                self._close_link(link, code, reason)
            case Subscribed(topics=topics):
                self._subscribed(link, topics)
            case Unsubscribed(topics=topics):
                self._unsubscribed(link, topics)
            case Dropped(reason=reason, count=count):
                self._count(f"dropped_{reason}", count)
            case ProtocolProblem(code=code, message=message):
                self._count(f"problem_{code}")
                log.debug("problem n=%d code=%s message=%r", link.number, code, message)
            case AckReceived() | SendFailed():
                self._settled(link, event)
            case Pong(rtt_ms=rtt):
                log.debug("pong n=%d rtt_ms=%.1f", link.number, rtt)
            case _:
                log.debug("event n=%d %r", link.number, event)

    def _settled(self, link: Link, event: AckReceived | SendFailed) -> None:
        waiter = link.waiters.pop(event.id, None) if link.waiters else None
        if waiter is None or waiter.done():
            return
        if isinstance(event, SendFailed):
            from .errors import SendFailed as SendFailedError

            waiter.set_exception(
                SendFailedError(
                    event.id, event.code, event.reason, event.errors, event.retry_after_ms
                )
            )
        else:
            waiter.set_result(None)

    def _close_link(self, link: Link, code: int, reason: str) -> None:
        log.info("closing n=%d code=%d reason=%s", link.number, code, reason)
        if code == 4499:  # it does not read: do not wait long for its closing handshake
            link.ws.close_timeout = min(link.ws.close_timeout or 2.0, 2.0)
        task = asyncio.get_running_loop().create_task(link.ws.close(code, reason))
        self._closing_tasks.add(task)
        task.add_done_callback(self._closing_tasks.discard)

    async def _lost(self, link: Link) -> None:
        now = _common.now_ms()
        ws = link.ws
        rcvd = ws.protocol.close_rcvd
        by_client_1000 = (
            rcvd is not None and rcvd.code == 1000 and bool(ws.protocol.close_rcvd_then_sent)
        )
        code = ws.protocol.close_code
        self._links.pop(link.number, None)
        left = self._per_ip.get(link.ip, 1) - 1
        if left > 0:
            self._per_ip[link.ip] = left
        else:
            self._per_ip.pop(link.ip, None)
        session = link.conn.session
        link.conn.connection_lost(now, by_client_1000=by_client_1000 and not link.replaced)
        self._pump_events_only(link)
        if session is not None and not link.replaced:
            self._detach(session, link)
        self._count(f"disconnects_{code}")
        log.info(
            "disconnect n=%d session=%s code=%s", link.number, session.id if session else None, code
        )
        if link.context is not None:
            for hook in self._on_disconnect:
                await self._run_hook(hook(link.context, code))

    def _pump_events_only(self, link: Link) -> None:
        for event in link.conn.events_received():
            if isinstance(event, (AckReceived, SendFailed)):
                self._settled(link, event)
        link.conn.data_to_send()

    def _detach(self, session: Session, link: Link) -> None:
        if self._attached.get(session.id) is link:
            del self._attached[session.id]
        for topic in session.topics:
            self._presence(topic, session, "left")
        if session.closed:
            self._forget_session(session)

    def _forget_session(self, session: Session) -> None:
        for topic in session.topics:
            members = self._topics.get(topic)
            if members is not None:
                members.pop(session.id, None)
                if not members:
                    del self._topics[topic]
        asyncio.get_running_loop().create_task(self.store.drop(session.id))

    # --- the sweep ------------------------------------------------------------------------

    def _schedule(self, link: Link) -> None:
        deadline = link.conn.next_deadline()
        if deadline is None or (link.scheduled is not None and link.scheduled <= deadline):
            return
        link.scheduled = deadline
        heap = self._heap
        heapq.heappush(heap, (deadline, link.number, link))
        if heap[0][2] is link and self._wake is not None:
            self._wake.set()

    async def _sweep(self) -> None:
        assert self._wake is not None
        next_expiry = 0.0
        while True:
            now = _common.now_ms()
            heap = self._heap
            while heap and heap[0][0] <= now:
                deadline, _, link = heapq.heappop(heap)
                if link.scheduled != deadline or link.number not in self._links:
                    continue
                link.scheduled = None
                link.conn.tick(now)
                self._pump_sync(link)
            if self._congested:
                self._relieve(now)
            if now >= next_expiry:
                next_expiry = now + self.sweep_ms
                await self._expire(now)
            wait = min(heap[0][0] - now if heap else self.sweep_ms, self.sweep_ms)
            if self._congested:
                wait = min(wait, CONGESTED_RECHECK_MS)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(wait, 1.0) / 1000):
                    await self._wake.wait()

    async def _expire(self, now: float) -> None:
        for session in await self.store.expire(now, self.settings.session_ttl_ms):
            if session.id not in self._attached:
                self._forget_session(session)
                self._count("sessions_expired")

    # --- topics and publishing ------------------------------------------------------------

    def _subscribe(self, link: Link, topics: Iterable[str]) -> None:
        session = link.conn.session
        if session is None:
            return
        new = tuple(t for t in topics if t not in session.topics)
        session.topics.update(new)
        self._subscribed(link, new)

    def _unsubscribe(self, link: Link, topics: Iterable[str]) -> None:
        session = link.conn.session
        if session is None:
            return
        gone = tuple(t for t in topics if t in session.topics)
        session.topics.difference_update(gone)
        self._unsubscribed(link, gone)

    def _subscribed(self, link: Link, topics: tuple[str, ...]) -> None:
        session = link.conn.session
        assert session is not None
        for topic in topics:
            self._topics.setdefault(topic, {})[session.id] = session
            self._presence(topic, session, "joined")

    def _unsubscribed(self, link: Link, topics: tuple[str, ...]) -> None:
        session = link.conn.session
        assert session is not None
        for topic in topics:
            members = self._topics.get(topic)
            if members is not None:
                members.pop(session.id, None)
                if not members:
                    del self._topics[topic]
            self._presence(topic, session, "left")

    def _presence(self, topic: str, session: Session, event: str) -> None:
        if not self.presence or not any(fnmatch.fnmatchcase(topic, p) for p in self.presence):
            return
        members = self._topics.get(topic, {})
        attached = sum(1 for sid in members if sid in self._attached)
        data: dict[str, Any] = {
            "topic": topic[:256],
            "event": event,
            "session": session.id,
            "client": session.client[:128],
            "members": attached,
        }
        if isinstance(session.principal, str):
            data["user"] = session.principal[:256]
        now = _common.now_ms()
        ident = f"p{next(self._ids)}"
        bodies: dict[int, str] = {}
        for sid, member in members.items():
            link = self._attached.get(sid)
            if link is None or (sid == session.id and event == "left"):
                continue
            version = member.versions.get("wiretype.presence")
            if version is None:
                continue
            body = bodies.get(version)
            if body is None:
                body = bodies[version] = control_body(
                    self.runtime, member.versions, "wiretype.presence", data, ident
                )
            link.conn.send_body(body, now)
            self._pump_sync(link)

    def publish_now(
        self,
        topic: str,
        model: Any,
        *,
        prio: int = env.DEFAULT_PRIO,
        ttl: int | None = None,
        exclude: str | None = None,
    ) -> int:
        """Send ``model`` to every subscriber of ``topic``, each in its version; encoded once
        per distinct version. Returns how many sessions it was written or queued for."""
        members = self._topics.get(topic)
        if not members:
            return 0
        name = getattr(type(model), "__wire_name__", None)
        if not isinstance(name, str) or name not in self.app.messages:
            raise ConfigurationError(f"{type(model).__name__} is not a message of {self.app.name}")
        now = _common.now_ms()
        ts = int(now) if ttl is not None else None
        expires = now + ttl if ttl is not None else None
        ident = f"{next(self._ids):x}-{int(now):x}"
        bodies: dict[int, str] = {}
        reached = 0
        for sid, session in members.items():
            if sid == exclude:
                continue
            version = session.versions.get(name)
            if version is None:
                self._count("dropped_unsupported")
                continue
            body = bodies.get(version)
            if body is None:
                data_json = self.app.dump_json(self.app.convert(model, version))
                body = bodies[version] = env.body(
                    name, version, ident, data_json, ts=ts, ttl=ttl, prio=prio
                )
            reached += 1
            link = self._attached.get(sid)
            if link is None:
                for _ in enqueue_detached(session, self.settings, body, prio, expires):
                    self._count("dropped_overflow")
                continue
            conn = link.conn
            conn.send_body(body, now, expires, prio)
            if conn._events:  # an eviction or a drop to act on
                self._pump_sync(link)
            else:
                self._write(link, conn.data_to_send())
        return reached

    async def publish(
        self, topic: str, model: Any, *, prio: int = env.DEFAULT_PRIO, ttl: int | None = None
    ) -> int:
        """``publish_now`` for use from anywhere (outside a handler too)."""
        return self.publish_now(topic, model, prio=prio, ttl=ttl)

    async def _send(
        self, link: Link, model: Any, *, ack: bool, prio: int, ttl: int | None
    ) -> str | None:
        ident = link.conn.send(model, _common.now_ms(), ack=ack, prio=prio, ttl=ttl)
        waiter: asyncio.Future[None] | None = None
        if ack and ident is not None:
            waiter = asyncio.get_running_loop().create_future()
            if link.waiters is None:
                link.waiters = {}
            link.waiters[ident] = waiter
        self._pump_sync(link)
        if waiter is not None:
            await waiter
        return ident

    def _count(self, name: str, by: int = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + by
