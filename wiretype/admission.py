"""Admission: what is decided before the WebSocket upgrade, on the HTTP request.

``/healthz`` and ``/readyz``; the origin allow-list (403); draining and the connection caps
(503 with ``Retry-After``); ``auth`` (401/403, the principal kept for the handler).
"""

from __future__ import annotations

import http
import inspect
import logging
from typing import TYPE_CHECKING, Any

from websockets.asyncio.server import ServerConnection as WsConnection
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from . import _common
from .errors import Reject

if TYPE_CHECKING:
    from .server import Server

log = logging.getLogger("wiretype")


async def process_request(
    server: Server, connection: WsConnection, request: Request
) -> Response | None:
    path = request.path.split("?", 1)[0]
    if path in ("/healthz", "/readyz"):
        return _health(server, connection, path)
    ip = ip_of(connection)
    refusal = _admission(server, request.headers, ip)
    if refusal is not None:
        status, text, retry = refusal
        return _refuse(server, connection, status, text, retry, ip=ip)
    return await _authenticate(server, connection, request, ip)


def _health(server: Server, connection: WsConnection, path: str) -> Response:
    if path == "/readyz" and server._draining:
        return connection.respond(http.HTTPStatus.SERVICE_UNAVAILABLE, "draining\n")
    return connection.respond(http.HTTPStatus.OK, "ok\n" if path == "/healthz" else "ready\n")


async def _authenticate(
    server: Server, connection: WsConnection, request: Request, ip: str
) -> Response | None:
    if server.auth is None:
        return None
    try:
        principal = server.auth(request)
        if inspect.isawaitable(principal):
            principal = await principal
    except Reject as exc:
        status = (
            http.HTTPStatus.FORBIDDEN if exc.code == "forbidden" else http.HTTPStatus.UNAUTHORIZED
        )
        return _refuse(server, connection, status, exc.reason or status.phrase, None, ip=ip)
    if principal is None:
        return _refuse(
            server, connection, http.HTTPStatus.UNAUTHORIZED, "unauthorized", None, ip=ip
        )
    server._principals[id(connection)] = principal
    return None


def _admission(
    server: Server, headers: Headers, ip: str
) -> tuple[http.HTTPStatus, str, int | None] | None:
    origin = headers.get("Origin")
    if server.origins is not None and origin is not None and origin not in server.origins:
        return http.HTTPStatus.FORBIDDEN, "origin not allowed", None
    retry = max(1, server.settings.backoff_max_ms // 4000)
    if server._draining:
        return http.HTTPStatus.SERVICE_UNAVAILABLE, "draining", retry
    if len(server._links) >= server.settings.max_connections:
        return http.HTTPStatus.SERVICE_UNAVAILABLE, "server full", retry
    if server._per_ip.get(ip, 0) >= server.settings.max_connections_per_ip:
        return (
            http.HTTPStatus.SERVICE_UNAVAILABLE,
            "too many connections from this address",
            retry,
        )
    return None


def _refuse(
    server: Server,
    connection: WsConnection,
    status: http.HTTPStatus,
    text: str,
    retry_after: int | None,
    *,
    ip: str,
) -> Response:
    response = connection.respond(status, text + "\n")
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    server._count(f"refused_{status.value}")
    log.info("refused ip=%s status=%d reason=%s", ip, status.value, text)
    return response


def select_subprotocol(connection: WsConnection, offered: Any) -> Any:
    return _common.SUBPROTOCOL if _common.SUBPROTOCOL in offered else None


def ip_of(connection: WsConnection) -> str:
    address = connection.remote_address
    if isinstance(address, tuple) and address:
        return str(address[0])
    return str(address or "")
