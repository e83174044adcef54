"""Topics and fan-out: the in-process topic table (topic → sessions), presence, and
``publish``, which encodes a message once per distinct version among the subscribers and
splices each recipient's ``seq`` into the pre-encoded body. Sessions whose client is away
keep what is published for them until it comes back (or the session expires). With a
distributed broker, a publish also goes once to the other nodes (``Remote``), which fan it
out to their own subscribers; presence events travel the same way."""

from __future__ import annotations

import fnmatch
import itertools
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from . import _common
from .errors import ConfigurationError
from .protocol import envelope as env
from .protocol.server import control_body, enqueue_detached
from .protocol.session import Session

if TYPE_CHECKING:
    from .context import Link
    from .hub import Hub

__all__ = ["Remote", "Topics"]


class Remote(NamedTuple):
    """A publish as it travels between nodes: once, in the publisher's version."""

    node: str
    ident: str
    name: str
    version: int
    data_json: str
    prio: int
    ttl: int | None
    ts: int | None
    exclude: str | None

    @property
    def expires_at(self) -> float | None:
        return float(self.ts + self.ttl) if self.ts is not None and self.ttl is not None else None


class Topics:
    def __init__(self, hub: Hub, presence: Iterable[str] | bool) -> None:
        self._hub = hub
        self.table: dict[str, dict[str, Session]] = {}
        self.attached: dict[str, Link] = {}  # session id -> the link it is attached to
        # topic patterns with presence on; True: every topic
        self.presence = ("*",) if presence is True else () if presence is False else tuple(presence)
        self._ids = itertools.count(1)
        self.remote_members: dict[tuple[str, str], int] = {}  # (topic, node) -> members there
        # sessions being caught up from the store: what is published for them meanwhile is
        # held here (ident, body, prio, expires) and queued after what they missed, in order
        self.held: dict[str, list[tuple[str, str, int, float | None]]] = {}

    def next_id(self) -> int:
        return next(self._ids)

    def _join(self, topic: str, session: Session) -> None:
        members = self.table.get(topic)
        if members is None:
            members = self.table[topic] = {}
            self._hub.broker.interest(topic, True)
        members[session.id] = session

    def members(self, topic: str) -> int:
        return len(self.table.get(topic, ()))

    # --- a session comes and goes ---------------------------------------------------------

    def attach(self, session: Session, link: Link, resumed: bool) -> None:
        self.attached[session.id] = link
        for topic in session.topics:
            self._join(topic, session)
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

    def forget_here(self, session: Session) -> None:
        """Another node holds the session now: out of this node's table, kept in the store."""
        link = self.attached.get(session.id)
        if link is not None and link.conn.session is session:
            del self.attached[session.id]
        for topic in session.topics:
            self._leave(topic, session)

    def hold(self, session: Session) -> list[tuple[str, str, int, float | None]]:
        """Join a session read back from the store, holding what is published for it until
        ``release``: the catch-up reads what it missed meanwhile, and both keep their order."""
        held = self.held[session.id] = []
        self.restore(session)
        return held

    def release(self, session: Session) -> None:
        self.held.pop(session.id, None)

    def restore(self, session: Session) -> None:
        """A session read back at start (its client away): what is published waits for it."""
        for topic in session.topics:
            self._join(topic, session)

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
            self._join(topic, session)
            self._presence(topic, session, "joined")
        self._hub.store.saved(session)

    def unsubscribed(self, link: Link, topics: tuple[str, ...]) -> None:
        session = link.conn.session
        assert session is not None
        for topic in topics:
            self._leave(topic, session)
            self._presence(topic, session, "left")
        self._hub.store.saved(session)

    def _leave(self, topic: str, session: Session) -> None:
        members = self.table.get(topic)
        if members is not None:
            members.pop(session.id, None)
            if not members:
                del self.table[topic]
                self._hub.broker.interest(topic, False)

    # --- presence -------------------------------------------------------------------------

    def _presence(self, topic: str, session: Session, event: str) -> None:
        if not self.presence or not any(fnmatch.fnmatchcase(topic, p) for p in self.presence):
            return
        members = self.table.get(topic, {})
        here = sum(1 for sid in members if sid in self.attached)
        data: dict[str, Any] = {
            "topic": topic[:256],
            "event": event,
            "session": session.id,
            "client": session.client[:128],
            "members": here + self._elsewhere(topic),
        }
        if isinstance(session.principal, str):
            data["user"] = session.principal[:256]
        broker = self._hub.broker
        if broker.distributed:
            broker.control({"kind": "presence", "data": data, "here": here})
        self._tell(topic, data, session.id if event == "left" else None)

    def _elsewhere(self, topic: str) -> int:
        return sum(n for (t, _), n in self.remote_members.items() if t == topic)

    def remote_presence(self, message: dict[str, Any]) -> None:
        """A presence event from another node: told to this node's subscribers."""
        data = dict(message["data"])
        topic = str(data["topic"])
        self.remote_members[(topic, str(message.get("node")))] = int(message.get("here", 0))
        if not self.remote_members[(topic, str(message.get("node")))]:
            del self.remote_members[(topic, str(message.get("node")))]
        if topic not in self.table:
            return
        here = sum(1 for sid in self.table[topic] if sid in self.attached)
        data["members"] = here + self._elsewhere(topic)
        self._tell(topic, data, None)

    def _tell(self, topic: str, data: dict[str, Any], skip: str | None) -> None:
        members = self.table.get(topic, {})
        now = _common.now_ms()
        ident = f"p{next(self._ids)}"
        bodies: dict[int, str] = {}
        runtime = self._hub.runtime
        for sid, member in members.items():
            link = self.attached.get(sid)
            if link is None or sid == skip:
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
        ident: str | None = None,
    ) -> int:
        """Send ``model`` to every subscriber of ``topic``, each in its version; encoded once
        per distinct version (and sent once to the other nodes, when the broker spans
        several). Returns how many sessions of this node it was written or queued for.
        ``ident``: the message id to publish it under (a new one when None)."""
        hub = self._hub
        app = hub.app
        name = getattr(type(model), "__wire_name__", None)
        if not isinstance(name, str) or name not in app.messages:
            raise ConfigurationError(f"{type(model).__name__} is not a message of {app.name}")
        now = _common.now_ms()
        ts = int(now) if ttl is not None else None
        ident = ident or f"{next(self._ids):x}-{int(now):x}-{hub.broker.node}"
        if hub.broker.distributed or hub.store.keeps_topics:
            remote = (hub.broker.node, ident, name, type(model).__wire_version__)
            tail = (prio, ttl, ts, exclude)
            payload = json.dumps([*remote, app.dump_json(model), *tail], separators=(",", ":"))
            hub.broker.publish(topic, payload)
            hub.store.published(topic, payload)
        return self._fan_out(topic, model, name, ident, prio, ttl, ts, exclude, now)

    def remote(self, topic: str, payload: str) -> None:
        """A publish from another node: fanned out to this node's subscribers."""
        found = self.decode(payload)
        if found is None or found.node == self._hub.broker.node or topic not in self.table:
            return
        app = self._hub.app
        try:
            model = app.decode_data(found.name, found.version, json.loads(found.data_json))
        except Exception:
            self._hub.count("dropped_undecodable")
            return
        self._fan_out(
            topic,
            model,
            found.name,
            found.ident,
            found.prio,
            found.ttl,
            found.ts,
            found.exclude,
            _common.now_ms(),
        )

    def decode(self, payload: str) -> Remote | None:
        try:
            return Remote(*json.loads(payload))
        except (ValueError, TypeError):
            self._hub.count("dropped_undecodable")
            return None

    def body_for(self, session: Session, remote: Remote) -> str | None:
        """The frame body of ``remote`` in ``session``'s version (None: it has none)."""
        app = self._hub.app
        version = session.versions.get(remote.name)
        if version is None:
            return None
        model = app.decode_data(remote.name, remote.version, json.loads(remote.data_json))
        data_json = app.dump_json(app.convert(model, version))
        return env.body(
            remote.name,
            version,
            remote.ident,
            data_json,
            ts=remote.ts,
            ttl=remote.ttl,
            prio=remote.prio,
        )

    def _fan_out(  # noqa: PLR0917 (the hot path: the envelope's parts, unpacked once)
        self,
        topic: str,
        model: Any,
        name: str,
        ident: str,
        prio: int,
        ttl: int | None,
        ts: int | None,
        exclude: str | None,
        now: float,
    ) -> int:
        members = self.table.get(topic)
        if not members:
            return 0
        hub = self._hub
        app = hub.app
        expires = float(ts + ttl) if ts is not None and ttl is not None else None
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
                held = self.held.get(sid)
                if held is not None:
                    held.append((ident, body, prio, expires))
                    continue
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
