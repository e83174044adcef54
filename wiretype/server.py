"""The server: ``Server(proto, **settings)``, its routes, and two ways to serve it.

``server.run`` / ``serve`` / ``serving`` listen with ``websockets`` 17 (new asyncio API):
what must be refused is refused before the upgrade (``admission.py``), then each connection's
handler reads frames and feeds the hub (``hub.py``), which pumps the sans-I/O core. The same
hub serves ``server.asgi()`` (``asgi.py``) under uvicorn, Starlette or FastAPI. One sweep task
per server does the periodic work (``sweep.py``); topics and fan-out are in ``topics.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import logging
import os
import signal
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from types import ModuleType
from typing import TYPE_CHECKING, Any

from websockets.asyncio.server import Server as WsServer
from websockets.asyncio.server import ServerConnection as WsConnection
from websockets.asyncio.server import serve as ws_serve
from websockets.exceptions import ConnectionClosed as WsClosed
from websockets.http11 import Request

from . import _common, admission
from .broker import Broker, open_broker
from .context import Context, Handler, Hook, Message, Middleware
from .durable import DEFAULT_MAX_ATTEMPTS, DurableRoute
from .errors import ConfigurationError
from .hub import Hub
from .protocol import envelope as env
from .protocol.limits import Settings
from .protocol.package import Package, runtime_package
from .store import Store, open_store
from .transport import FastConnection, WebsocketsTransport, read_messages

if TYPE_CHECKING:
    from .asgi import AsgiApp
    from .metrics import Metrics

__all__ = ["Context", "Message", "Server"]

log = logging.getLogger("wiretype")
ADMIN_TOKEN_ENV = "WIRETYPE_ADMIN_TOKEN"  # the admin_token when none is given


def _check_options(*, auth: Any, admin_auth: Any, metrics_port: Any) -> None:
    """Mistakes in the options that would otherwise surface only at the first request."""
    for label, value in (("auth", auth), ("admin_auth", admin_auth)):
        if value is not None and not callable(value):
            raise ConfigurationError(
                f"{label} must be a function of the HTTP request (sync or async), not {value!r}"
            )
    if metrics_port is not None and (
        isinstance(metrics_port, bool)
        or not isinstance(metrics_port, int)
        or not 0 <= metrics_port < 65536
    ):
        raise ConfigurationError(
            f"metrics_port must be a port number (0-65535), not {metrics_port!r}"
        )


def _listed(value: Iterable[str] | None) -> tuple[str, ...] | None:
    """``origins``, ``presence`` and ``metrics_clients`` take a list; one string is one item
    (never its characters)."""
    if value is None:
        return None
    return (value,) if isinstance(value, str) else tuple(value)


class Server:
    """``Server(proto, **settings)``: route registry messages to handlers over WebSockets."""

    def __init__(
        self,
        proto: ModuleType | Package,
        *,
        origins: Iterable[str] | None = None,
        auth: Callable[[Request], Any] | None = None,
        store: str | Store | None = None,
        broker: str | Broker | None = None,
        metrics_port: int | None = None,
        metrics: bool = True,
        metrics_host: str | None = None,
        metrics_clients: Iterable[str] = (),
        admin_token: str | None = None,
        admin_auth: Callable[[Request], Any] | None = None,
        presence: Iterable[str] | bool = (),
        name: str | None = None,
        sweep_ms: int = 1_000,
        durable_concurrency: int = 8,
        **settings: Any,
    ) -> None:
        self.settings = Settings.build(**settings)
        self.app = _common.package_of(proto, name=name)
        _check_options(auth=auth, admin_auth=admin_auth, metrics_port=metrics_port)
        origins = _listed(origins)
        metrics_clients = _listed(metrics_clients) or ()
        presence = presence if isinstance(presence, bool) else _listed(presence) or ()
        self.metrics_port = metrics_port
        self.hub = Hub(
            self.app,
            runtime_package(),
            self.settings,
            open_store(store),
            origins=origins,
            auth=auth,
            presence=presence,
            sweep_ms=sweep_ms,
            broker=open_broker(broker),
            durable_concurrency=durable_concurrency,
        )
        if metrics:  # metrics.py; /metrics and /connections are pages.py
            self._meter(metrics_clients, metrics_host, admin_token, admin_auth)
        self._ws_server: WsServer | None = None
        # what auth returned for a connection admitted but not yet upgraded; weak, so that a
        # peer that leaves mid-handshake leaves nothing behind
        self._principals: weakref.WeakKeyDictionary[WsConnection, Any] = weakref.WeakKeyDictionary()

    def _meter(
        self,
        clients: Iterable[str],
        host: str | None,
        admin_token: str | None,
        admin_auth: Callable[[Request], Any] | None,
    ) -> None:
        from .metrics import Metrics

        token = admin_token if admin_token is not None else os.environ.get(ADMIN_TOKEN_ENV)
        found = Metrics(
            self.hub,
            clients=clients,
            port=self.metrics_port,
            host=host,
            admin_token=token or None,
            admin_auth=admin_auth,
        )
        self.hub.metrics, self.hub.tally = found, found.tally

    @property
    def metrics(self) -> Metrics | None:
        """The server's metrics (``metrics.registry`` is its own ``CollectorRegistry``)."""
        return self.hub.metrics

    @property
    def counters(self) -> dict[str, int]:
        return self.hub.counters

    @property
    def store(self) -> Store:
        return self.hub.store

    @property
    def broker(self) -> Broker:
        return self.hub.broker

    def health(self) -> dict[str, Any]:
        """``{"status": "ok" | "degraded", "store": {...}, "broker": {...}}``."""
        return self.hub.health()

    @property
    def origins(self) -> frozenset[str] | None:
        return self.hub.origins

    @property
    def auth(self) -> Callable[[Any], Any] | None:
        return self.hub.auth

    # --- registration ---------------------------------------------------------------------

    def on(
        self,
        pattern: str,
        *,
        version: int | None = None,
        durable: bool = False,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    ) -> Callable[[Handler], Handler]:
        """Route messages named ``pattern`` (``"chat.*"``; ``"*"`` is the fallback) to the
        decorated ``async def handler(msg, ctx)``; it gets ``version`` (default latest).
        ``durable=True``: the message is stored, acked, then handled by workers (retried up
        to ``max_attempts`` times, then dead-lettered); it needs an exact message name."""

        def register(handler: Handler) -> Handler:
            if not durable:
                self.hub.router.add(pattern, handler, version)
                return handler
            self._durable(pattern, handler, version, max_attempts)
            return handler

        return register

    def _durable(
        self, pattern: str, handler: Handler, version: int | None, max_attempts: int
    ) -> None:
        info = self.app.messages.get(pattern)
        if info is None:
            raise ConfigurationError(
                f"durable handlers take one message by its exact name, not {pattern!r}"
            )
        if not inspect.iscoroutinefunction(handler):
            raise ConfigurationError(f"handler {handler!r} must be an async function")
        if max_attempts < 1:
            raise ConfigurationError("max_attempts must be 1 or more")
        route = DurableRoute(pattern, handler, version or info.latest, max_attempts)
        durable = self.hub.durable
        durable.routes[pattern] = route

        async def store_it(msg: Any, ctx: Context) -> None:
            durable.accept(ctx, route, msg)

        def store_now(msg: Any, ctx: Context) -> None:  # the same, without a coroutine
            durable.accept(ctx, route, msg)

        self.hub.router.add(pattern, store_it, version, store_now)

    def use(self, middleware: Middleware) -> Middleware:
        """Add ``async def mw(msg, ctx, call_next)`` around every handler (first added runs
        first); ``await call_next()`` runs the rest of the chain."""
        if not inspect.iscoroutinefunction(middleware):
            raise ConfigurationError(
                f"middleware {middleware!r} must be an async function: "
                "async def mw(msg, ctx, call_next)"
            )
        self.hub.router.middleware.append(middleware)
        return middleware

    def on_connect(self, hook: Hook) -> Hook:
        self.hub.router.on_connect.append(hook)
        return hook

    def on_disconnect(self, hook: Callable[[Context, int | None], Awaitable[None]]) -> Any:
        self.hub.router.on_disconnect.append(hook)
        return hook

    # --- publishing -----------------------------------------------------------------------

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
        return self.hub.topics.publish(topic, model, prio=prio, ttl=ttl, exclude=exclude)

    async def publish(
        self, topic: str, model: Any, *, prio: int = env.DEFAULT_PRIO, ttl: int | None = None
    ) -> int:
        """``publish_now`` for use from anywhere (outside a handler too); with a durable
        store it returns once the frames it queued for absent clients are durable."""
        return await self.hub.publish(topic, model, prio=prio, ttl=ttl)

    # --- serving with websockets ----------------------------------------------------------

    @property
    def port(self) -> int:
        if self._ws_server is None:
            raise RuntimeError("the server is not started")
        return int(self._ws_server.sockets[0].getsockname()[1])

    @property
    def connections(self) -> int:
        return len(self.hub.links)

    async def start(self, host: str = "127.0.0.1", port: int = 8765, **ws_options: Any) -> None:
        """Open the store and broker, listen on ``host:port`` (0: any free port, see
        ``port``; ``reuse_port=True`` to share it with other processes) and return."""
        if self.hub.metrics is not None and self.hub.metrics.host is None:
            self.hub.metrics.host = host  # metrics_port listens beside the server
        await self.hub.start()
        if self.hub.metrics is not None and self.hub.metrics.listener is not None:
            self.metrics_port = self.hub.metrics.port  # metrics_port=0: the one it took
        self._ws_server = await ws_serve(
            self._handler,
            host,
            port,
            subprotocols=[_common.SUBPROTOCOL],  # type: ignore[list-item]
            select_subprotocol=admission.select_subprotocol,
            process_request=functools.partial(
                admission.process_request, self.hub, self._principals
            ),
            max_size=self.settings.max_frame_bytes,
            ping_interval=None,
            compression=None,
            open_timeout=self.settings.handshake_timeout_ms / 1000,
            server_header=None,
            **{"create_connection": FastConnection, **ws_options},
        )
        self.hub.sweep.start()
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

    def run(self, host: str = "127.0.0.1", port: int = 8765, **ws_options: Any) -> None:
        """Serve until SIGTERM or SIGINT, which drain the server first."""
        asyncio.run(self.run_until_signalled(host, port, **ws_options))

    async def run_until_signalled(self, host: str, port: int, **ws_options: Any) -> None:
        """``run`` inside a running loop: serve, and drain on SIGTERM or SIGINT."""
        await self.start(host, port, **ws_options)
        await self.until_signalled()

    async def until_signalled(self, ready: Callable[[], None] | None = None) -> None:
        """Wait for SIGTERM or SIGINT, then drain. ``ready`` runs once they are caught (so a
        serving line printed there is never followed by a signal that kills undrained)."""
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        if ready is not None:
            ready()
        await stop.wait()
        await self.drain()

    async def _handler(self, ws: WsConnection) -> None:
        hub = self.hub
        link = hub.open(
            WebsocketsTransport(ws), admission.ip_of(ws), self._principals.pop(ws, None)
        )
        try:
            # Read to the end, also once the core closes (the hub is closing the socket; the
            # core drops what still comes): a reader that stopped would leave the peer's
            # answer to the close unread behind a full queue, and the link would end 1006.
            await read_messages(ws, hub.take, link, hub.flush)
        except WsClosed:
            pass
        finally:
            await hub.lost(link)

    # --- serving under ASGI ---------------------------------------------------------------

    def asgi(self) -> AsgiApp:
        """This server as an ASGI application (uvicorn, Starlette ``Mount`` or
        ``WebSocketRoute``, FastAPI): the same protocol, admission and health checks."""
        from .asgi import AsgiApp

        return AsgiApp(self.hub)

    # --- stopping -------------------------------------------------------------------------

    async def drain(self, deadline_ms: int | None = None, retry_in_ms: int | None = None) -> None:
        """Tell every client (status ``draining``), close them with 1001, wait until they are
        gone or the deadline passes, then stop."""
        self.hub.drain_links(self.settings.backoff_min_ms if retry_in_ms is None else retry_in_ms)
        wait = (self.settings.drain_ms if deadline_ms is None else deadline_ms) / 1000
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                while self.hub.links:
                    await asyncio.sleep(0.01)
        for link in list(self.hub.links.values()):
            link.transport.abort()  # past the deadline: a peer that never answers the close
        await self.close()

    async def close(self) -> None:
        await self.hub.sweep.stop()
        if self._ws_server is not None:
            self._ws_server.close()
            await self._ws_server.wait_closed()
        await self.hub.stop()
