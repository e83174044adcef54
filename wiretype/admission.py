"""Admission: what is decided before the WebSocket upgrade, on the HTTP request.

``/healthz`` and ``/readyz``; the origin allow-list (403); draining and the connection caps
(503 with ``Retry-After``); ``auth`` (401/403, the principal kept for the handlers). The
decision (``decide``) knows nothing of sockets: the ``websockets`` listener answers it with
``process_request``, the ASGI app with an HTTP response of its own (``asgi.py``).
"""

from __future__ import annotations

import http
import inspect
import json
import logging
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from websockets.asyncio.server import ServerConnection as WsConnection
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from . import _common
from .errors import Reject

if TYPE_CHECKING:
    from .hub import Hub

__all__ = ["HEALTH_PATHS", "Verdict", "decide", "health", "process_request"]

log = logging.getLogger("wiretype")
HEALTH_PATHS = ("/healthz", "/readyz")


@dataclass(frozen=True, slots=True)
class Verdict:
    """What to do with an upgrade request: answer it over HTTP (``status`` set), or let it
    through with ``principal`` (what ``auth`` returned)."""

    status: int | None = None
    text: str = ""
    retry_after: int | None = None
    principal: Any = None
    outcome: str = ""  # a refusal's outcome label (metrics.OUTCOMES): origin, full, auth
    content_type: str = ""  # default: JSON for a text that starts with "{", else plain text

    @property
    def admitted(self) -> bool:
        return self.status is None

    def body(self) -> bytes:
        return (self.text if self.text.endswith("\n") else self.text + "\n").encode()

    def media_type(self) -> str:
        if self.content_type:
            return self.content_type
        return "application/json" if self.text.startswith("{") else "text/plain; charset=utf-8"


def health(hub: Hub, path: str) -> Verdict:
    """``/healthz``: 200 while the process serves, with a JSON body whose ``status`` is
    ``ok`` or ``degraded`` (the store or broker unreachable, with the reason); ``/readyz``:
    503 once draining or while the store or broker is unreachable."""
    report = hub.health()
    if path == "/healthz":
        return Verdict(http.HTTPStatus.OK, json.dumps(report, sort_keys=True))
    if hub.draining:
        return Verdict(http.HTTPStatus.SERVICE_UNAVAILABLE, "draining")
    if report["status"] != "ok":
        down = [p for p in ("store", "broker") if not report[p]["healthy"]]
        return Verdict(http.HTTPStatus.SERVICE_UNAVAILABLE, f"{' and '.join(down)} unreachable")
    return Verdict(http.HTTPStatus.OK, "ready")


async def decide(hub: Hub, request: Request, ip: str) -> Verdict:
    """The whole decision on an upgrade request: origin, caps, then ``auth``."""
    refusal = _admission(hub, request.headers, ip)
    if refusal is None:
        refusal = await _authenticate(hub, request)
    if refusal.status is not None:
        hub.count(f"refused_{refusal.status}")
        hub.count(f"connects_{refusal.outcome}")  # metrics: wiretype_connects_total
        log.info("refused ip=%s status=%d reason=%s", ip, refusal.status, refusal.text)
    return refusal


def _admission(hub: Hub, headers: Headers, ip: str) -> Verdict | None:
    origin = headers.get("Origin")
    if hub.origins is not None and origin is not None and origin not in hub.origins:
        return Verdict(http.HTTPStatus.FORBIDDEN, "origin not allowed", outcome="origin")
    retry = max(1, hub.settings.backoff_max_ms // 4000)
    unavailable = http.HTTPStatus.SERVICE_UNAVAILABLE
    if hub.draining:
        return Verdict(unavailable, "draining", retry, outcome="full")
    if len(hub.links) >= hub.settings.max_connections:
        return Verdict(unavailable, "server full", retry, outcome="full")
    if hub.per_ip.get(ip, 0) >= hub.settings.max_connections_per_ip:
        return Verdict(unavailable, "too many connections from this address", retry, outcome="full")
    return None


async def _authenticate(hub: Hub, request: Request) -> Verdict:
    if hub.auth is None:
        return Verdict()
    try:
        principal = hub.auth(request)
        if inspect.isawaitable(principal):
            principal = await principal
    except Reject as exc:
        status = (
            http.HTTPStatus.FORBIDDEN if exc.code == "forbidden" else http.HTTPStatus.UNAUTHORIZED
        )
        return Verdict(status, exc.reason or status.phrase, outcome="auth")
    if principal is None:
        return Verdict(http.HTTPStatus.UNAUTHORIZED, "unauthorized", outcome="auth")
    return Verdict(principal=principal)


# --- the websockets listener ------------------------------------------------------------


async def process_request(
    hub: Hub,
    principals: MutableMapping[WsConnection, Any],
    connection: WsConnection,
    request: Request,
) -> Response | None:
    """``websockets``' hook: answer health checks and refusals, keep the principal of an
    admitted request in ``principals`` (by connection) for the handler."""
    from .pages import answer  # the plain-HTTP pages: health, /metrics, /connections

    page = await answer(hub, request.path, request.headers, own_port=True)
    if page is not None:
        return _respond(connection, page)
    verdict = await decide(hub, request, ip_of(connection))
    if not verdict.admitted:
        return _respond(connection, verdict)
    if verdict.principal is not None:
        principals[connection] = verdict.principal
    return None


def _respond(connection: WsConnection, verdict: Verdict) -> Response:
    assert verdict.status is not None
    response = connection.respond(http.HTTPStatus(verdict.status), verdict.body().decode())
    del response.headers["Content-Type"]  # respond() set text/plain
    response.headers["Content-Type"] = verdict.media_type()
    if verdict.retry_after is not None:
        response.headers["Retry-After"] = str(verdict.retry_after)
    return response


def select_subprotocol(connection: WsConnection, offered: Any) -> Any:
    return _common.SUBPROTOCOL if _common.SUBPROTOCOL in offered else None


def ip_of(connection: WsConnection) -> str:
    address = connection.remote_address
    if isinstance(address, tuple) and address:
        return str(address[0])
    return str(address or "")
