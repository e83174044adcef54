"""Shared pieces of the runtime tests: the packages, a fake clock, frames as dicts."""

from __future__ import annotations

import json
import random
from typing import Any

import chat_protocol as proto

from wiretype.protocol import ClientConnection, Package, ServerConnection, Settings
from wiretype.protocol.package import runtime_package
from wiretype.protocol.session import Session

APP = Package.from_module(proto)
RUNTIME = runtime_package()
AUTHOR = {"id": "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11", "name": "Ada"}
MSG_ID = "1f0e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"


def sent_v1(text: str = "hello", **extra: Any) -> dict[str, Any]:
    return {
        "id": MSG_ID,
        "room": "lobby",
        "text": text,
        "sent_at": "2026-03-01T09:30:00Z",
        "author": AUTHOR,
        "reply_to": None,
        **extra,
    }


def sent_v3(body: str = "hello", **extra: Any) -> dict[str, Any]:
    return {
        "id": MSG_ID,
        "room": "lobby",
        "body": body,
        "sent_at": "2026-03-01T09:30:00Z",
        "author": AUTHOR,
        "reply_to": None,
        **extra,
    }


def hello(
    speaks: dict[str, list[int]] | None = None,
    registry: str = "chat",
    resume: dict[str, Any] | None = None,
) -> str:
    data: dict[str, Any] = {
        "client": {"name": "test", "version": "1"},
        "registry": registry,
        "speaks": speaks if speaks is not None else APP.speaks(),
    }
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
    return ServerConnection(
        APP, Settings.build(**settings), clock.now, protocol=RUNTIME, rng=random.Random(7)
    )


def opened(
    clock: Clock,
    speaks: dict[str, list[int]] | None = None,
    *,
    session: Session | None = None,
    **settings: Any,
) -> ServerConnection:
    """A server connection past its handshake (welcome read and dropped)."""
    conn = server(clock, **settings)
    conn.receive_text(hello(speaks), clock.now)
    conn.events_received()
    conn.accept(session or Session("s-1", 3, {}), False, clock.now)
    conn.data_to_send()
    return conn


def client(clock: Clock, app: Package = APP, **settings: Any) -> ClientConnection:
    return ClientConnection(
        app, Settings.build(**settings), name="test", version="1", rng=random.Random(7)
    )


class Sessions:
    """A tiny synchronous session store for core tests (the real one is async)."""

    def __init__(self, epoch: int = 3) -> None:
        self.epoch = epoch
        self.by_id: dict[str, Session] = {}
        self.count = 0

    def answer(self, conn: ServerConnection, now: float) -> bool:
        """Accept the pending hello: resume when possible; True when resumed."""
        from wiretype.protocol.events import HelloReceived

        hellos = [e for e in conn.events_received() if isinstance(e, HelloReceived)]
        assert hellos, "no HelloReceived"
        hello = hellos[0]
        if hello.resume is not None:
            found = self.by_id.get(hello.resume[0])
            if found is not None and found.can_resume(
                hello.resume[2], hello.resume[1], hello.versions
            ):
                conn.accept(found, True, now)
                return True
        self.count += 1
        session = Session(f"s-{self.count}", self.epoch, dict(hello.versions))
        self.by_id[session.id] = session
        conn.accept(session, False, now)
        return False


class Pair:
    """A client core and server cores wired in memory: frames move when ``pump`` runs."""

    def __init__(
        self,
        clock: Clock,
        *,
        app: Package = APP,
        client_settings: Any = None,
        **server_settings: Any,
    ) -> None:
        self.clock = clock
        self.sessions = Sessions()
        self.server_settings = server_settings
        self.client = client(clock, app, **(client_settings or {}))
        self.server: ServerConnection | None = None
        self.server_events: list[Any] = []
        self.client_events: list[Any] = []
        self.wire_to_client: list[dict[str, Any]] = []

    def connect(self) -> bool:
        self.server = server(self.clock, **self.server_settings)
        self.client.connect(self.clock.now)
        for text in self.client.data_to_send():
            self.server.receive_text(text, self.clock.now)
        resumed = self.sessions.answer(self.server, self.clock.now)
        self.pump()
        return resumed

    def drop(self, code: int = 1006) -> None:
        assert self.server is not None
        self.server.connection_lost(self.clock.now)
        self.client.connection_lost(code, "", self.clock.now)
        self.server = None

    def pump(self) -> None:
        for _ in range(20):
            moved = False
            if self.server is not None:
                for text in self.server.data_to_send():
                    moved = True
                    self.wire_to_client.append(json.loads(text))
                    self.client.receive_text(text, self.clock.now)
                events = self.server.events_received()
                moved = moved or bool(events)
                self.server_events += self._serve(events)
            for text in self.client.data_to_send():
                moved = True
                if self.server is not None:
                    self.server.receive_text(text, self.clock.now)
            self.client_events += self.client.events_received()
            if not moved:
                return

    def _serve(self, events: list[Any]) -> list[Any]:
        """Answer every received message as a handler that returns would."""
        from wiretype.protocol.events import MessageReceived

        for event in events:
            if isinstance(event, MessageReceived) and self.server is not None:
                self.server.ack(event.header, self.clock.now)
        return events
