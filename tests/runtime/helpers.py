"""Shared pieces of the runtime tests: the packages, a fake clock, frames as dicts."""

from __future__ import annotations

import json
import random
from typing import Any

import wiretype_protocol as proto
from wiretype.protocol import ClientConnection, Package, ServerConnection, Settings
from wiretype.protocol.package import runtime_package
from wiretype.protocol.session import Session

APP = Package.from_module(proto)
RUNTIME = runtime_package()
AUTHOR = {"id": "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11", "name": "Ada"}
MSG_ID = "1f0e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"


def sent_v1(text: str = "hello", **extra: Any) -> dict[str, Any]:
    return {"id": MSG_ID, "room": "lobby", "text": text, "sent_at": "2026-03-01T09:30:00Z",
            "author": AUTHOR, "reply_to": None, **extra}


def sent_v3(body: str = "hello", **extra: Any) -> dict[str, Any]:
    return {"id": MSG_ID, "room": "lobby", "body": body, "sent_at": "2026-03-01T09:30:00Z",
            "author": AUTHOR, "reply_to": None, **extra}


def hello(speaks: dict[str, list[int]] | None = None, registry: str = "wiretype_protocol",
          resume: dict[str, Any] | None = None) -> str:
    data: dict[str, Any] = {"client": {"name": "test", "version": "1"}, "registry": registry,
                            "speaks": speaks if speaks is not None else APP.speaks()}
    if resume is not None:
        data["resume"] = resume
    return frame("wiretype.hello", 1, "h-1", data)


def frame(name: str, v: int, ident: str, data: Any, **keys: Any) -> str:
    return json.dumps({"type": name, "v": v, "id": ident, "data": data, **keys})


def read(frames: list[str]) -> list[dict[str, Any]]:
    return [json.loads(f) for f in frames]


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, ms: float) -> float:
        self.now += ms
        return self.now


def server(clock: Clock, **settings: Any) -> ServerConnection:
    return ServerConnection(APP, RUNTIME, Settings.build(**settings), clock.now,
                            rng=random.Random(7))


def opened(clock: Clock, speaks: dict[str, list[int]] | None = None, *,
           session: Session | None = None, **settings: Any) -> ServerConnection:
    """A server connection past its handshake (welcome read and dropped)."""
    conn = server(clock, **settings)
    conn.receive_text(hello(speaks), clock.now)
    conn.events_received()
    conn.accept(session or Session("s-1", 3, {}), False, clock.now)
    conn.data_to_send()
    return conn


def client(clock: Clock, app: Package = APP, **settings: Any) -> ClientConnection:
    return ClientConnection(app, RUNTIME, Settings.build(**settings), name="test",
                            version="1", rng=random.Random(7))
