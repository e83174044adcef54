"""The plain-HTTP pages a server answers beside the WebSocket upgrade, and their own port.

``/healthz`` and ``/readyz`` (``admission.health``), ``/metrics`` (the Prometheus text
format) and ``/connections`` (an authenticated JSON view of every live connection: its
client, negotiated versions, topics, age, queue depth and round trip). They are served on
the server's own port (the ``websockets`` listener's ``process_request``, the ASGI app's
HTTP scope), or, when ``metrics_port`` is set, ``/metrics`` and ``/connections`` move to a
listener of their own on that port (with the health pages), off the public one.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import http
import inspect
import json
import logging
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from websockets.datastructures import Headers
from websockets.http11 import Request

from .admission import HEALTH_PATHS, Verdict, health

if TYPE_CHECKING:
    from .hub import Hub

__all__ = ["PATHS", "answer", "connections", "listen"]

log = logging.getLogger("wiretype")
PATHS = (*HEALTH_PATHS, "/metrics", "/connections")
MAX_REQUEST_BYTES = 16 * 1024
READ_TIMEOUT_S = 5.0


async def answer(hub: Hub, target: str, headers: Headers, *, own_port: bool) -> Verdict | None:
    """The page at ``target`` (path and query), or None when it is not one of ``PATHS``.
    ``own_port``: asked on the WebSocket port (False: on ``metrics_port``)."""
    path, _, query = target.partition("?")
    if path not in PATHS:
        return None
    if path in HEALTH_PATHS:
        return health(hub, path)
    unserved = _unserved(hub, path, own_port)
    if unserved is not None:
        return unserved
    if path == "/metrics":
        assert hub.metrics is not None
        text = (await hub.metrics.exposition()).decode()
        return Verdict(http.HTTPStatus.OK, text, content_type=hub.metrics.content_type)
    refusal = await _admitted(hub, Request(target, headers))
    if refusal is not None:
        return refusal
    body = json.dumps(connections(hub, parse_qs(query)), sort_keys=True)
    return Verdict(http.HTTPStatus.OK, body)


def _unserved(hub: Hub, path: str, own_port: bool) -> Verdict | None:
    """404 for ``/metrics`` and ``/connections`` when metrics are off, or asked on the
    WebSocket port while ``metrics_port`` serves them."""
    metrics = hub.metrics
    if metrics is None:
        return Verdict(http.HTTPStatus.NOT_FOUND, "metrics are off (Server(metrics=False))")
    if own_port and metrics.port is not None:
        return Verdict(http.HTTPStatus.NOT_FOUND, f"{path} is served on port {metrics.port}")
    return None


async def _admitted(hub: Hub, request: Request) -> Verdict | None:
    """``/connections`` needs ``admin_token`` (``Authorization: Bearer ...``) or
    ``admin_auth(request)`` returning something true; without either it is off (404)."""
    metrics = hub.metrics
    assert metrics is not None
    token, check = metrics.admin_token, metrics.admin_auth
    if token is None and check is None:
        return Verdict(http.HTTPStatus.NOT_FOUND, "the connections view is off: set admin_token")
    given = request.headers.get("Authorization", "")
    if token is not None and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return None
    if check is not None:
        allowed = check(request)
        if inspect.isawaitable(allowed):
            allowed = await allowed
        if allowed:
            return None
    return Verdict(http.HTTPStatus.UNAUTHORIZED, "unauthorized")


def connections(hub: Hub, query: dict[str, list[str]]) -> dict[str, Any]:
    """Every live connection (``?type=NAME&v=N``: those that negotiated that version)."""
    wanted = query.get("type", [None])[0]
    version = query.get("v", [None])[0]
    now = time.perf_counter()
    rows = []
    for link in list(hub.links.values()):
        conn = link.conn
        if wanted is not None:
            spoken = conn.versions.get(wanted)
            if spoken is None or (version is not None and str(spoken) != version):
                continue
        session = conn.session
        backlog = conn._backlog
        heartbeat = conn.heartbeat
        rows.append(
            {
                "connection": link.number,
                "session": session.id if session is not None else None,
                "client": conn.client,
                "client_version": conn.client_version,
                "address": link.ip,
                "state": conn.state.name.lower(),
                "versions": dict(conn.versions),
                "topics": sorted(session.topics) if session is not None else [],
                "age_s": round(now - link.opened_at, 3),
                "queue_depth": (len(backlog) if backlog is not None else 0) + len(link.held or ()),
                "buffered_bytes": link.transport.buffered(),
                "rtt_ms": heartbeat.rtt_ms if heartbeat is not None else None,
            }
        )
    return {"registry": hub.app.name, "count": len(rows), "connections": rows}


# --- metrics_port: a listener of its own -----------------------------------------------------


async def listen(hub: Hub, host: str, port: int) -> asyncio.Server:
    """Serve ``PATHS`` over plain HTTP/1.1 on ``host:port`` (one request per connection)."""

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(READ_TIMEOUT_S):
                head = await reader.readuntil(b"\r\n\r\n")
            verdict = await _answer_raw(hub, head)
            writer.write(_response(verdict))
            await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            pass
        except (ConnectionError, OSError):
            pass
        except Exception:
            log.exception("metrics port: answering failed")
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    return await asyncio.start_server(client, host, port, limit=MAX_REQUEST_BYTES)


async def _answer_raw(hub: Hub, head: bytes) -> Verdict:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        return Verdict(http.HTTPStatus.BAD_REQUEST, "bad request")
    if parts[0] not in ("GET", "HEAD"):
        return Verdict(http.HTTPStatus.METHOD_NOT_ALLOWED, "GET only")
    headers = Headers()
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip()] = value.strip()
    found = await answer(hub, parts[1], headers, own_port=False)
    return found or Verdict(http.HTTPStatus.NOT_FOUND, "not found")


def _response(verdict: Verdict) -> bytes:
    assert verdict.status is not None
    status = http.HTTPStatus(verdict.status)
    body = verdict.body()
    head = [
        f"HTTP/1.1 {status.value} {status.phrase}",
        f"Content-Type: {verdict.media_type()}",
        f"Content-Length: {len(body)}",
        "Connection: close",
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body
