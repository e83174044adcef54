"""The hub: what every adapter shares once a connection is admitted.

An adapter (the ``websockets`` listener in ``server.py``, the ASGI app in ``asgi.py``) wraps
its socket in a ``Transport`` and calls ``open``, then ``feed`` for each frame it reads, then
``lost`` when the link is gone. The hub pumps the connection's core (``ServerConnection``):
it writes the frames the core produced, acts on its events (hello → a session, messages →
their handlers, closes, acks of the server's own sends), and files the connection with the
sweep. Topics, the sweep and the routes are parts of their own (``topics.py``, ``sweep.py``,
``routes.py``), as are sessions across nodes (``sessions.py``), durable handlers
(``durable.py``) and the write-ahead hold of a durable store (``writeahead.py``).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable, Coroutine, Iterable
from time import perf_counter
from typing import TYPE_CHECKING, Any

from . import _common
from .context import Context, Link
from .errors import SendFailed as SendFailedError
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
from .protocol.package import Package
from .protocol.server import ServerConnection, State
from .protocol.session import Session
from .routes import Route, Router
from .sessions import Sessions
from .store import Store
from .sweep import Sweep
from .topics import Topics
from .transport import Transport
from .writeahead import Hold

if TYPE_CHECKING:
    from .broker import Broker
    from .metrics import Metrics, Tally

__all__ = ["Hub"]

log = logging.getLogger("wiretype")


class Hub:
    def __init__(
        self,
        app: Package,
        runtime: Package,
        settings: Settings,
        store: Store,
        *,
        origins: Iterable[str] | None,
        auth: Callable[[Any], Any] | None,
        presence: Iterable[str] | bool,
        sweep_ms: float,
        broker: Broker | None = None,
        durable_concurrency: int = 8,
    ) -> None:
        from .broker import Broker
        from .durable import Durable

        self.app = app
        self.runtime = runtime
        self.settings = settings
        self.store = store
        self.broker = broker or Broker()
        self.sessions = Sessions(self)
        self.hold = Hold(self)
        self.durable = Durable(self, durable_concurrency)
        self.started = False
        self.origins = frozenset(origins) if origins is not None else None
        self.auth = auth
        self.counters: dict[str, int] = {}
        self.router = Router(app, self.count)
        self.topics = Topics(self, presence)
        self.sweep = Sweep(self, sweep_ms)
        self.links: dict[int, Link] = {}
        self.per_ip: dict[str, int] = {}
        self.draining = False
        self.warned_ack_in_handler = False  # _ack_not_awaited: said once per server
        self.high_water = max(1, settings.max_buffer_bytes // 4)
        self._numbers = itertools.count(1)
        self._tasks: set[asyncio.Task[Any]] = set()
        # metrics (metrics.py): set by Server unless metrics=False; None costs nothing
        self.metrics: Metrics | None = None
        self.tally: Tally | None = None

    def count(self, name: str, by: int = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + by

    async def start(self) -> None:
        """Open the store and the broker, put back the sessions a durable store kept, start
        the sweep and the durable workers (once; the adapters call it before serving)."""
        if self.started:
            return
        self.started = True
        try:
            await self.store.open(self.settings)
            await self.broker.start(self.topics.remote, self.sessions.control)
        except BaseException:
            self.started = False
            raise
        for session in self.store.cached():
            self.topics.restore(session)
        self.sweep.start()
        self.durable.start()
        if self.metrics is not None:
            await self.metrics.start()

    async def stop(self) -> None:
        if self.metrics is not None:
            await self.metrics.stop()
        await self.durable.stop()
        await self.sweep.stop()
        await self.settle()
        if self.started:
            self.started = False
            await self.broker.close()
            await self.store.close()

    def health(self) -> dict[str, Any]:
        """What ``/healthz`` says: ``degraded`` (with the reason) while the store or the
        broker is unreachable; the node keeps serving live traffic meanwhile."""
        store, broker = self.store.status(), self.broker.status()
        ok = store["healthy"] and broker["healthy"]
        return {"status": "ok" if ok else "degraded", "store": store, "broker": broker}

    # --- a connection's life --------------------------------------------------------------

    def open(self, transport: Transport, ip: str, principal: Any) -> Link:
        """An admitted, upgraded connection: its core, filed with the sweep."""
        self.sweep.start()
        conn = ServerConnection(
            self.app,
            self.settings,
            _common.now_ms(),
            protocol=self.runtime,
            pinned=self.router.pinned,
        )
        link = Link(transport, conn, next(self._numbers), ip, principal)
        link.opened_at = perf_counter()
        link.reader = asyncio.current_task()
        self.links[link.number] = link
        self.per_ip[ip] = self.per_ip.get(ip, 0) + 1
        self.sweep.schedule(link)
        return link

    async def feed(self, link: Link, message: str | bytes) -> bool:
        """One frame from the client; False once the connection is closing."""
        rest = self.take(link, message)
        if rest is not None:
            await rest
        return link.conn.state < State.CLOSING

    def take(
        self, link: Link, message: str | bytes, write: bool = True
    ) -> Coroutine[Any, Any, None] | None:
        """``feed`` without its coroutine: the frame is read and, when it is the usual one
        (one message for a handler that runs inline, such as a durable handler's store),
        handled here, and None comes back; otherwise what is left to await.

        ``write=False``: the usual frame's ack stays in the core's queue, after those of the
        frames taken before it, until ``flush`` (a read's frames, their acks in one write);
        what is left to await writes them first."""
        conn = link.conn
        now = _common.now_ms()
        out = conn._out
        queued = len(out)
        if isinstance(message, str):
            conn.receive_text(message, now)
        else:
            conn.receive_binary(message, now)
        events = conn._events
        first = events[0] if len(events) == 1 else None
        if type(first) is not MessageReceived or len(out) != queued or out is not conn._out:
            return self._unusual(link, message)
        # the usual frame: one message for a handler, nothing else to do first
        events.clear()
        route = self.router.plain(first.header.type)
        if route is None:
            return self._then_write(link, self._handle(link, first, message))
        if route.inline is None:
            return self._then_write(link, self._awaited(link, route, first, message, now))
        self._inline(link, route, first, message, now)
        if conn._events:
            return self.pump(link)
        if write and conn._out:  # its ack: written here, without a pump coroutine
            self.write(link, conn.data_to_send())
        return None

    def flush(self, link: Link) -> None:
        """Write what ``take(..., write=False)`` left in the core's queue (in its order)."""
        if link.conn._out:
            self.write(link, link.conn.data_to_send())

    def _inline(
        self, link: Link, route: Route, event: MessageReceived, frame: str | bytes, now: float
    ) -> None:
        """Router.handle the short way (see Router.plain) for a handler that runs inline;
        ``now`` (when the frame came) is the dedupe window's clock for its ack."""
        ctx = link.context
        assert ctx is not None and route.inline is not None
        tally = self.tally
        ctx._event, ctx._data, ctx._message = event, event.data, None
        started = perf_counter() if tally is not None else 0.0  # metrics
        try:
            route.inline(event.data, ctx)
        except Exception as exc:
            self.router._failed(link, event.header, exc)
        else:
            link.conn.ack(event.header, now)
        finally:
            ctx._event = ctx._data = ctx._message = None
            if tally is not None:  # metrics: the frame, its bytes, its handler's time
                tally.took(frame, event.header, perf_counter() - started)

    async def _awaited(
        self, link: Link, route: Route, event: MessageReceived, frame: str | bytes, now: float
    ) -> None:
        """``_inline`` for a handler that is awaited."""
        ctx = link.context
        assert ctx is not None
        tally = self.tally
        ctx._event, ctx._data, ctx._message = event, event.data, None
        started = perf_counter() if tally is not None else 0.0  # metrics
        try:
            await route.handler(event.data, ctx)
        except Exception as exc:
            self.router._failed(link, event.header, exc)
        else:
            link.conn.ack(event.header, now)
        finally:
            ctx._event = ctx._data = ctx._message = None
            if tally is not None:  # metrics: the frame, its bytes, its handler's time
                tally.took(frame, event.header, perf_counter() - started)

    async def _then_write(self, link: Link, handling: Coroutine[Any, Any, None]) -> None:
        """The handler, then what it left: events for the pump, or its ack to write."""
        await handling
        conn = link.conn
        if conn._events:
            await self.pump(link)
        elif conn._out:
            self.write(link, conn.data_to_send())

    async def _unusual(self, link: Link, frame: str | bytes) -> None:
        """Any other frame: counted, then the pump acts on whatever the core made of it."""
        if self.tally is not None:  # metrics
            self.tally.received(frame, None)
        await self.pump(link)

    async def _handle(self, link: Link, event: MessageReceived, frame: str | bytes) -> None:
        """A message whose handler cannot run the short way (middleware, a pinned version,
        DEBUG logging, a route not looked up yet), timed for the metrics."""
        tally = self.tally
        if tally is None:
            await self.router.handle(link, event)
            return
        started = perf_counter()
        try:
            await self.router.handle(link, event)
        finally:  # metrics: the frame, its bytes, its handler's time
            tally.took(frame, event.header, perf_counter() - started)

    async def lost(self, link: Link) -> None:
        """The transport is gone: keep the session for a resume (unless the client closed
        with 1000), settle what waited for acks, tell the hooks."""
        code, by_client_1000 = link.transport.ended()
        self.links.pop(link.number, None)
        left = self.per_ip.get(link.ip, 1) - 1
        if left > 0:
            self.per_ip[link.ip] = left
        else:
            self.per_ip.pop(link.ip, None)
        session = link.conn.session
        link.conn.connection_lost(
            _common.now_ms(), by_client_1000=by_client_1000 and not link.replaced
        )
        for event in link.conn.events_received():
            if isinstance(event, (AckReceived, SendFailed)):
                self._settled(link, event)
        link.conn.data_to_send()
        if session is not None and not link.replaced:
            self.store.saved(session)
            self.topics.detach(session, link)
        self.count(f"disconnects_{code}")
        if self.tally is not None:  # metrics
            self.tally.duration.observe(perf_counter() - link.opened_at)
        if link.context is None:  # it never got a welcome
            self.count("connects_timeout" if code == 4408 else "connects_protocol")
        log.info(
            "disconnect n=%d session=%s code=%s", link.number, session.id if session else None, code
        )
        if link.context is not None:
            await self.router.run_hooks(self.router.on_disconnect, link.context, code)

    # --- pumping --------------------------------------------------------------------------

    async def pump(self, link: Link) -> None:
        """Write what the core produced and act on its events, running handlers inline."""
        conn = link.conn
        router = self.router
        while True:
            frames = conn.data_to_send()
            if frames:
                self.write(link, frames)
            events = conn.events_received()
            if not events:
                break
            for event in events:
                if type(event) is MessageReceived:
                    if self.tally is None:
                        await router.handle(link, event)
                    else:  # metrics
                        started = perf_counter()
                        await router.handle(link, event)
                        self.tally.handled(event.header.type, perf_counter() - started)
                elif type(event) is HelloReceived:
                    await self._hello(link, event)
                else:
                    self._event(link, event)
        # no schedule here: frames from the client only move deadlines later, and the
        # sweep re-files a connection whose deadline moved when it comes due

    def pump_sync(self, link: Link) -> None:
        """Pump after a tick or a call from outside the reader (no handler runs here)."""
        conn = link.conn
        while True:
            frames = conn.data_to_send()
            if frames:
                self.write(link, frames)
            events = conn.events_received()
            if not events:
                break
            for event in events:
                self._event(link, event)
        self.sweep.schedule(link)

    def write(self, link: Link, frames: list[str]) -> None:
        if self.store.durable and self.hold.needed(link):
            self.hold.write(link, frames)  # out once their writes are durable
            return
        buffered = link.transport.write(frames)
        if self.tally is not None:  # metrics
            self.tally.sent(frames)
        if buffered > self.high_water:
            self._congested_write(link, buffered)

    def write_now(self, link: Link, frames: list[str]) -> None:
        buffered = link.transport.write(frames)
        if self.tally is not None:  # metrics
            self.tally.sent(frames)
        if buffered > self.high_water:
            self._congested_write(link, buffered)

    def _congested_write(self, link: Link, buffered: int) -> None:
        """The transport holds more than a quarter of ``max_buffer_bytes``: frames wait in
        the connection's queue (by priority) until the sweep sees room; past the whole
        budget the connection is evicted (4499)."""
        conn = link.conn
        if buffered > self.settings.max_buffer_bytes:
            conn.check_backlog(buffered)
            self.pump_sync(link)
            return
        if not conn.congested:
            conn.congest()
            self.sweep.congest(link)

    # --- events ---------------------------------------------------------------------------

    def _event(self, link: Link, event: Event) -> None:
        match event:
            case CloseRequested(code=code, reason=reason):
                self.close_link(link, code, reason)
            case Subscribed(topics=topics):
                self.topics.subscribed(link, topics)
            case Unsubscribed(topics=topics):
                self.topics.unsubscribed(link, topics)
            case Dropped(reason=reason, count=count):
                self.count(f"dropped_{reason}", count)
            case ProtocolProblem(code=code, message=message):
                self.count(f"problem_{code}")
                log.debug("problem n=%d code=%s message=%r", link.number, code, message)
            case AckReceived(rtt_ms=rtt):
                if self.tally is not None:  # metrics
                    self.tally.ack.observe(rtt / 1000)
                self._settled(link, event)
            case SendFailed():
                self._settled(link, event)
            case Pong(rtt_ms=rtt):
                if self.tally is not None:  # metrics
                    self.tally.ping.observe(rtt / 1000)
                log.debug("pong n=%d rtt_ms=%.1f", link.number, rtt)
            case _:
                log.debug("event n=%d %r", link.number, event)

    def _settled(self, link: Link, event: AckReceived | SendFailed) -> None:
        waiter = link.waiters.pop(event.id, None) if link.waiters else None
        if waiter is None or waiter.done():
            return
        if isinstance(event, SendFailed):
            waiter.set_exception(
                SendFailedError(
                    event.id, event.code, event.reason, event.errors, event.retry_after_ms
                )
            )
        else:
            waiter.set_result(None)

    def close_link(self, link: Link, code: int, reason: str) -> None:
        if self.hold.close_after(link, code, reason):
            return  # after the frames that wait for the store
        log.info("closing n=%d code=%d reason=%s", link.number, code, reason)
        self.spawn(link.transport.close(code, reason))

    def spawn(self, work: Any) -> None:
        """Run a coroutine beside the connection (kept until done, awaited by ``settle``)."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settle(self) -> None:
        """Wait for what ``spawn`` started (closes, store drops)."""
        for task in list(self._tasks):
            try:
                await task
            except Exception:
                log.debug("a background task failed", exc_info=True)

    # --- the handshake --------------------------------------------------------------------

    async def _hello(self, link: Link, event: HelloReceived) -> None:
        session, resumed = await self.sessions.session_for(link, event)
        link.conn.accept(session, resumed, _common.now_ms())
        self.store.saved(session)
        link.context = Context(self, link)
        self.topics.attach(session, link, resumed)
        self.count("connects_resumed" if resumed else "connects_ok")
        log.info(
            "connect n=%d session=%s client=%r version=%r ip=%s resumed=%s",
            link.number,
            session.id,
            event.client,
            event.client_version,
            link.ip,
            resumed,
        )
        self.write(link, link.conn.data_to_send())
        self.sweep.schedule(link)
        await self.router.run_hooks(self.router.on_connect, link.context)

    # --- sessions -------------------------------------------------------------------------

    def forget_session(self, session: Session) -> None:
        self.spawn(self.store.drop(session.id))

    async def expire_sessions(self, now: float) -> None:
        for session in await self.store.expire(now, self.settings.session_ttl_ms):
            if session.id not in self.topics.attached:
                self.topics.forget(session)
                self.count("sessions_expired")

    # --- the server's own sends and draining ----------------------------------------------

    async def publish(
        self,
        topic: str,
        model: Any,
        *,
        prio: int,
        ttl: int | None,
        exclude: str | None = None,
        ident: str | None = None,
    ) -> int:
        """Publish; with a durable store, return once what it queued is durable."""
        reached = self.topics.publish(
            topic, model, prio=prio, ttl=ttl, exclude=exclude, ident=ident
        )
        if self.store.unsynced:
            await self.store.sync()
        return reached

    async def send_to_session(
        self, session_id: str, model: Any, *, prio: int, ttl: int | None, ident: str | None = None
    ) -> str | None:
        return await self.sessions.send_to(session_id, model, prio=prio, ttl=ttl, ident=ident)

    async def send(
        self,
        link: Link,
        model: Any,
        *,
        ack: bool,
        prio: int,
        ttl: int | None,
        ident: str | None = None,
    ) -> str | None:
        ident = link.conn.send(model, _common.now_ms(), ack=ack, prio=prio, ttl=ttl, ident=ident)
        waiter: asyncio.Future[None] | None = None
        if ack and ident is not None:
            if link.reader is asyncio.current_task():
                self._ack_not_awaited()  # its ack is read once the handler returns; retried
            else:
                waiter = asyncio.get_running_loop().create_future()
                if link.waiters is None:
                    link.waiters = {}
                link.waiters[ident] = waiter
        self.pump_sync(link)
        if waiter is not None:
            await waiter
        return ident

    def _ack_not_awaited(self) -> None:
        """``ctx.send(ack=True)`` awaited by a handler (or hook) of the same connection: the
        connection's frames are read by the task that runs its handlers, one at a time, so
        the client's ack waits behind the handler; waiting for it would hang the handler
        until the heartbeat closed the link. It returns once written instead, said once."""
        if not self.warned_ack_in_handler:
            self.warned_ack_in_handler = True
            log.warning(
                "ctx.send(..., ack=True) in a handler of the same connection returns once the "
                "frame is written: the client's ack is read after the handler returns (retried "
                "as usual); await the ack from a task of its own to wait for it"
            )

    def drain_links(self, retry_in_ms: int) -> None:
        """Status ``draining`` to every connection, then close 1001."""
        self.draining = True
        log.info("draining %d connection(s)", len(self.links))
        for link in list(self.links.values()):
            link.conn.status("draining", "shutdown", _common.now_ms(), retry_in_ms=retry_in_ms)
            link.conn.close(1001, "server draining")
            self.pump_sync(link)
