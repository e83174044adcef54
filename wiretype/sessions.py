"""Sessions across connections, restarts and nodes: which session a hello gets, what a
session read back from a shared store missed, messages to a session wherever it is, and
what other nodes say (a session taken over, a send to a session held here)."""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any

from . import _common
from .protocol import envelope as env
from .protocol.events import HelloReceived
from .protocol.server import enqueue_detached
from .protocol.session import Session
from .store.records import principal_key

if TYPE_CHECKING:
    from .context import Link
    from .hub import Hub

__all__ = ["Sessions"]

log = logging.getLogger("wiretype")
CATCH_UP_MARGIN_MS = 1_000.0  # clocks of nodes differ a little; ids keep it exact
_ID = re.compile(r'"id":("(?:[^"\\]|\\.)*")')


class Sessions:
    def __init__(self, hub: Hub) -> None:
        self._hub = hub

    async def session_for(self, link: Link, event: HelloReceived) -> tuple[Session, bool]:
        hub = self._hub
        store = hub.store
        now = _common.now_ms()
        if event.resume is not None:
            session_id, last_seq, epoch = event.resume
            here = session_id in store._sessions
            found = await store.find(session_id, now)
            if (
                found is not None
                and principal_key(found.principal) == principal_key(link.principal)
                and found.can_resume(epoch, last_seq, event.versions, now)
            ):
                old = hub.topics.attached.get(found.id)
                if old is not None and old is not link:
                    old.replaced = True
                    old.conn.close(4409, "replaced by a newer connection")
                    hub.pump_sync(old)
                if not here:  # read back from the store: its last node is gone or elsewhere
                    hub.broker.control({"kind": "taken", "session": found.id})
                    await self._catch_up(found)
                return found, True
        return await store.create(event.versions, link.principal, now), False

    async def _catch_up(self, session: Session) -> None:
        """Queue what was published to the session's topics while no node held it.

        The session joins this node's topics first, with what is published for it held
        aside; every write this node queued before is then made durable and the store's
        topic logs read: what they hold, then what was held, none twice, in order."""
        hub = self._hub
        since = getattr(hub.store, "since", lambda _: None)(session.id)
        if since is None or not session.topics:
            return
        topics = hub.topics
        held = topics.hold(session)
        try:
            await hub.store.sync()
            entries = await hub.store.missed(sorted(session.topics), since - CATCH_UP_MARGIN_MS)
        finally:
            topics.release(session)
        seen = _ids(session)
        now = _common.now_ms()
        for _, payload in entries:
            remote = topics.decode(payload)
            if remote is None or remote.ident in seen or remote.exclude == session.id:
                continue
            seen.add(remote.ident)
            if remote.expires_at is not None and remote.expires_at <= now:
                continue
            body = topics.body_for(session, remote)
            if body is not None:
                self._keep(session, body, remote.prio, remote.expires_at)
                hub.count("caught_up")
        for ident, body, prio, expires in held:
            if ident not in seen:
                seen.add(ident)
                self._keep(session, body, prio, expires)

    def _keep(self, session: Session, body: str, prio: int, expires: float | None) -> None:
        """Queue a frame for a session whose client is away, counting what overflows."""
        for _ in enqueue_detached(session, self._hub.settings, body, prio, expires):
            self._hub.count("dropped_overflow")

    # --- sending to a session, wherever it is ---------------------------------------------

    async def send_to(
        self, session_id: str, model: Any, *, prio: int, ttl: int | None, ident: str | None = None
    ) -> str | None:
        hub = self._hub
        link = hub.topics.attached.get(session_id)
        if link is not None and link.context is not None:
            return await hub.send(link, model, ack=False, prio=prio, ttl=ttl, ident=ident)
        session = hub.store._sessions.get(session_id)
        if session is not None and not session.closed:
            return self._queue_for(session, model, prio, ttl, ident)
        if hub.broker.distributed:
            name = type(model).__wire_name__
            hub.broker.control(
                {
                    "kind": "send",
                    "session": session_id,
                    "type": name,
                    "v": type(model).__wire_version__,
                    "data": hub.app.dump_json(model),
                    "prio": prio,
                    "ttl": ttl,
                    "id": ident,
                }
            )
            return ident
        hub.count("dropped_no_session")
        return None

    def _queue_for(
        self, session: Session, model: Any, prio: int, ttl: int | None, ident: str | None = None
    ) -> str | None:
        hub = self._hub
        name = type(model).__wire_name__
        version = session.versions.get(name)
        if version is None:
            hub.count("dropped_unsupported")
            return None
        now = _common.now_ms()
        ident = ident or f"d{hub.topics.next_id():x}-{int(now):x}"
        data_json = hub.app.dump_json(hub.app.convert(model, version))
        ts = int(now) if ttl is not None else None
        body = env.body(name, version, ident, data_json, ts=ts, ttl=ttl, prio=prio)
        expires = now + ttl if ttl is not None else None
        for _ in enqueue_detached(session, hub.settings, body, prio, expires):
            hub.count("dropped_overflow")
        return ident

    # --- what other nodes say -------------------------------------------------------------

    def control(self, message: dict[str, Any]) -> None:
        kind = message.get("kind")
        try:
            if kind == "taken":
                self._taken(str(message["session"]))
            elif kind == "send":
                self._send_here(message)
            elif kind == "presence":
                self._hub.topics.remote_presence(message)
        except Exception:
            log.exception("a control message from another node failed: %r", kind)

    def _taken(self, session_id: str) -> None:
        """Another node resumed this session: step aside (4409) and forget our copy."""
        hub = self._hub
        link = hub.topics.attached.get(session_id)
        if link is not None:
            link.replaced = True
            link.conn.close(4409, "replaced by a newer connection on another node")
            hub.pump_sync(link)
        session = hub.store._sessions.get(session_id)
        if session is not None:
            hub.topics.forget_here(session)
            hub.store.forget_cached(session_id)

    def _send_here(self, message: dict[str, Any]) -> None:
        hub = self._hub
        session_id = str(message["session"])
        if session_id not in hub.store._sessions:
            return
        model = hub.app.decode_data(
            str(message["type"]), int(message["v"]), json.loads(message["data"])
        )
        link = hub.topics.attached.get(session_id)
        prio = int(message.get("prio", 4))
        ttl = message.get("ttl")
        given = message.get("id")
        ident = given if isinstance(given, str) and 0 < len(given) <= env.MAX_ID else None
        if link is not None:
            link.conn.send(model, _common.now_ms(), prio=prio, ttl=ttl, ident=ident)
            hub.pump_sync(link)
        else:
            self._queue_for(hub.store._sessions[session_id], model, prio, ttl, ident)


def _ids(session: Session) -> set[str]:
    """The message ids a session was already given (its replay) or waits for."""
    out: set[str] = set()
    texts: list[str] = []
    if session.replay is not None:
        texts += [f[1] for f in session.replay._frames]
    if session.pending is not None:
        texts += [item.payload for item in session.pending]
    for text in texts:
        found = _ID.search(text)
        if found is not None:
            out.add(found.group(1)[1:-1])
    return out
