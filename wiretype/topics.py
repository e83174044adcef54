"""Topics and fan-out: the in-process topic table (topic → sessions), presence, and
``publish``, which encodes a message once per distinct version among the subscribers and
splices each recipient's ``seq`` into the pre-encoded body. Sessions whose client is away
keep what is published for them until it comes back (or the session expires)."""

from __future__ import annotations

import fnmatch
import itertools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from . import _common
from .errors import ConfigurationError
from .protocol import envelope as env
from .protocol.server import control_body, enqueue_detached
from .protocol.session import Session

if TYPE_CHECKING:
    from .context import Link
    from .hub import Hub

__all__ = ["Topics"]


class Topics:
    def __init__(self, hub: Hub, presence: Iterable[str] | bool) -> None:
        self._hub = hub
        self.table: dict[str, dict[str, Session]] = {}
        self.attached: dict[str, Link] = {}  # session id -> the link it is attached to
        # topic patterns with presence on; True: every topic
        self.presence = ("*",) if presence is True else () if presence is False else tuple(presence)
        self._ids = itertools.count(1)

    def members(self, topic: str) -> int:
        return len(self.table.get(topic, ()))

    # --- a session comes and goes ---------------------------------------------------------

    def attach(self, session: Session, link: Link, resumed: bool) -> None:
        self.attached[session.id] = link
        for topic in session.topics:
            self.table.setdefault(topic, {})[session.id] = session
        if resumed:
            for topic in session.topics:
                self._presence(topic, session, "joined")

    def detach(self, session: Session, link: Link) -> None:
        if self.attached.get(session.id) is link:
            del self.attached[session.id]
        for topic in session.topics:
            self._presence(topic, session, "left")
        if session.closed:
            self.forget(session)

    def forget(self, session: Session) -> None:
        for topic in session.topics:
            self._leave(topic, session)
        self._hub.forget_session(session)

    # --- subscriptions --------------------------------------------------------------------

    def subscribe(self, link: Link, topics: Iterable[str]) -> None:
        """From a handler: subscribe its connection (no limit checks, no ack)."""
        session = link.conn.session
        if session is None:
            return
        new = tuple(t for t in topics if t not in session.topics)
        session.topics.update(new)
        self.subscribed(link, new)

    def unsubscribe(self, link: Link, topics: Iterable[str]) -> None:
        session = link.conn.session
        if session is None:
            return
        gone = tuple(t for t in topics if t in session.topics)
        session.topics.difference_update(gone)
        self.unsubscribed(link, gone)

    def subscribed(self, link: Link, topics: tuple[str, ...]) -> None:
        session = link.conn.session
        assert session is not None
        for topic in topics:
            self.table.setdefault(topic, {})[session.id] = session
            self._presence(topic, session, "joined")

    def unsubscribed(self, link: Link, topics: tuple[str, ...]) -> None:
        session = link.conn.session
        assert session is not None
        for topic in topics:
            self._leave(topic, session)
            self._presence(topic, session, "left")

    def _leave(self, topic: str, session: Session) -> None:
        members = self.table.get(topic)
        if members is not None:
            members.pop(session.id, None)
            if not members:
                del self.table[topic]

    # --- presence -------------------------------------------------------------------------

    def _presence(self, topic: str, session: Session, event: str) -> None:
        if not self.presence or not any(fnmatch.fnmatchcase(topic, p) for p in self.presence):
            return
        members = self.table.get(topic, {})
        data: dict[str, Any] = {
            "topic": topic[:256],
            "event": event,
            "session": session.id,
            "client": session.client[:128],
            "members": sum(1 for sid in members if sid in self.attached),
        }
        if isinstance(session.principal, str):
            data["user"] = session.principal[:256]
        now = _common.now_ms()
        ident = f"p{next(self._ids)}"
        bodies: dict[int, str] = {}
        runtime = self._hub.runtime
        for sid, member in members.items():
            link = self.attached.get(sid)
            if link is None or (sid == session.id and event == "left"):
                continue
            version = member.versions.get("wiretype.presence")
            if version is None:
                continue
            body = bodies.get(version)
            if body is None:
                body = bodies[version] = control_body(
                    runtime, member.versions, "wiretype.presence", data, ident
                )
            link.conn.send_body(body, now)
            self._hub.pump_sync(link)

    # --- publishing -----------------------------------------------------------------------

    def publish(
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
        members = self.table.get(topic)
        if not members:
            return 0
        hub = self._hub
        app = hub.app
        name = getattr(type(model), "__wire_name__", None)
        if not isinstance(name, str) or name not in app.messages:
            raise ConfigurationError(f"{type(model).__name__} is not a message of {app.name}")
        now = _common.now_ms()
        ts = int(now) if ttl is not None else None
        expires = now + ttl if ttl is not None else None
        ident = f"{next(self._ids):x}-{int(now):x}"
        bodies: dict[int, str] = {}
        reached = 0
        attached = self.attached
        for sid, session in members.items():
            if sid == exclude:
                continue
            version = session.versions.get(name)
            if version is None:
                hub.count("dropped_unsupported")
                continue
            body = bodies.get(version)
            if body is None:
                data_json = app.dump_json(app.convert(model, version))
                body = bodies[version] = env.body(
                    name, version, ident, data_json, ts=ts, ttl=ttl, prio=prio
                )
            reached += 1
            link = attached.get(sid)
            if link is None:
                for _ in enqueue_detached(session, hub.settings, body, prio, expires):
                    hub.count("dropped_overflow")
                continue
            conn = link.conn
            conn.send_body(body, now, expires, prio)
            if conn._events:  # an eviction or a drop to act on
                hub.pump_sync(link)
            else:
                hub.write(link, conn.data_to_send())
        return reached
