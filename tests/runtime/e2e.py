"""Helpers of the loopback end-to-end tests: each test is one coroutine, bounded in time."""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable, Coroutine
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from tests.runtime.helpers import APP

LIMIT_S = 20.0
FAST = {
    "heartbeat_ms": 200,
    "heartbeat_grace_ms": 300,
    "backoff_min_ms": 20,
    "backoff_max_ms": 200,
    "ack_timeout_ms": 300,
}


def bounded(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test in its own loop, failing it after LIMIT_S seconds."""
    return bounded_by(LIMIT_S)(test)


def bounded_by(
    seconds: float,
) -> Callable[[Callable[..., Coroutine[Any, Any, None]]], Callable[..., None]]:
    """``bounded`` with a limit of its own, for a test that does thousands of things."""

    def wrap(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
        @functools.wraps(test)
        def run(*args: Any, **kwargs: Any) -> None:
            async def main() -> None:
                async with asyncio.timeout(seconds):
                    await test(*args, **kwargs)

            asyncio.run(main())

        return run

    return wrap


async def raw(port: int, **options: Any) -> ClientConnection:
    """A plain websockets client, speaking the JSON by hand."""
    options.setdefault("subprotocols", ["wiretype.v1"])
    return await connect(f"ws://127.0.0.1:{port}", ping_interval=None, **options)


def hello(
    speaks: dict[str, list[int]] | None = None,
    *,
    registry: str = "chat",
    resume: dict[str, Any] | None = None,
) -> str:
    data: dict[str, Any] = {
        "client": {"name": "raw", "version": "1"},
        "registry": registry,
        "speaks": APP.speaks() if speaks is None else speaks,
    }
    if resume:
        data["resume"] = resume
    return json.dumps({"type": "wiretype.hello", "v": 1, "id": "hello-1", "data": data})


async def frames_until(
    ws: ClientConnection, kind: str, *, skip: tuple[str, ...] = ("wiretype.ping",)
) -> dict[str, Any]:
    """Read frames until one of type ``kind`` (others listed in ``skip`` are passed over)."""
    while True:
        message = json.loads(await ws.recv())
        if message["type"] == kind:
            return message  # type: ignore[no-any-return]
        if message["type"] not in skip:
            raise AssertionError(f"expected {kind}, got {message}")


async def closed_code(ws: ClientConnection) -> int | None:
    with_code = None
    try:
        while True:
            await ws.recv()
    except Exception:
        with_code = ws.close_code
    return with_code
