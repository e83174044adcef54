"""Routes and handlers: which handler takes a message, and running it (middleware, the ack
or nack it earns). Handlers of one connection run in order, one at a time."""

from __future__ import annotations

import fnmatch
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from . import _common
from .context import Context, Handler, Hook, Message, Middleware
from .errors import ConfigurationError, Reject
from .protocol import envelope as env
from .protocol.events import MessageReceived
from .protocol.package import Package

if TYPE_CHECKING:
    from .context import Link

__all__ = ["Route", "Router"]

log = logging.getLogger("wiretype")
DisconnectHook = Callable[[Context, int | None], Awaitable[None]]


class Route:
    """``inline``: a plain function that does what ``handler`` does without awaiting (a
    durable route's, which only queues the message): the fast path calls it directly, no
    coroutine per message; middleware still sees ``handler``."""

    __slots__ = ("handler", "inline", "pattern", "version")

    def __init__(
        self,
        pattern: str,
        handler: Handler,
        version: int | None,
        inline: Callable[[Any, Context], None] | None = None,
    ) -> None:
        self.pattern = pattern
        self.handler = handler
        self.version = version
        self.inline = inline


class Router:
    """Exact names first, then ``fnmatch`` patterns in the order registered, then ``"*"``."""

    def __init__(self, app: Package, count: Callable[[str], None]) -> None:
        self.app = app
        self._count = count
        self.routes: dict[str, Route] = {}  # exact names, and names a pattern already took
        self.patterns: list[Route] = []
        self.fallback: Route | None = None
        self.middleware: list[Middleware] = []
        self.on_connect: list[Hook] = []
        self.on_disconnect: list[DisconnectHook] = []
        self.pinned: dict[str, int] = {}  # message -> the version its handler wants

    # --- registration ---------------------------------------------------------------------

    def add(
        self,
        pattern: str,
        handler: Handler,
        version: int | None,
        inline: Callable[[Any, Context], None] | None = None,
    ) -> None:
        if not inspect.iscoroutinefunction(handler):
            raise ConfigurationError(f"handler {handler!r} must be an async function")
        route = Route(pattern, handler, version, inline)
        if pattern == "*":
            self.fallback = route
        elif any(c in pattern for c in "*?["):
            self.patterns.append(route)
        else:
            self._exact(route)

    def _exact(self, route: Route) -> None:
        info = self.app.messages.get(route.pattern)
        if info is None:
            raise ConfigurationError(f"no message called {route.pattern!r} in {self.app.name}")
        if route.version is not None:
            if route.version not in info.versions:
                raise ConfigurationError(f"{route.pattern} has no live version {route.version}")
            self.pinned[route.pattern] = route.version
        self.routes[route.pattern] = route

    def route(self, name: str) -> Route | None:
        route = self.routes.get(name)
        if route is None:
            route = next(
                (r for r in self.patterns if fnmatch.fnmatchcase(name, r.pattern)), self.fallback
            )
            if route is not None:
                self.routes[name] = route
        return route

    def plain(self, name: str) -> Route | None:
        """The route of ``name`` when its handler can run the short way (``Hub.feed`` runs
        it inline): already routed, not pinned, no middleware, no per-message logging."""
        route = self.routes.get(name)
        if (
            route is None
            or route.version is not None
            or self.middleware
            or log.isEnabledFor(logging.DEBUG)
        ):
            return None
        return route

    # --- running --------------------------------------------------------------------------

    async def handle(self, link: Link, event: MessageReceived) -> None:
        conn = link.conn
        header = event.header
        route = self.routes.get(header.type) or self.route(header.type)
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
            if self.middleware:
                message = ctx.message
                assert message is not None
                await self._chain(route, message, ctx, 0)
            elif route.inline is not None:
                route.inline(data, ctx)
            else:
                await route.handler(data, ctx)
        except Exception as exc:
            self._failed(link, header, exc)
        else:
            conn.ack(header, _common.now_ms() if header.ack else 0.0)
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
        if index == len(self.middleware):
            await route.handler(message.data, ctx)
            return

        async def call_next(msg: Message | None = None, context: Context | None = None) -> None:
            await self._chain(route, msg or message, context or ctx, index + 1)

        await self.middleware[index](message, ctx, call_next)

    async def run_hooks(self, hooks: list[Any], *args: Any) -> None:
        for hook in hooks:
            try:
                await hook(*args)
            except Exception:
                log.exception("connection hook failed")
