"""What goes to the client: the answers to its messages (ack, nack, remembered for dedupe),
the application's sends, status, and the writing itself: each frame after welcome gets the
session's next ``seq`` and ``epoch`` and is kept for replay; while the transport is
congested frames wait in a queue by priority, and past ``max_buffer_bytes`` the connection
is evicted (4499)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from . import envelope as env
from .delivery import Outbox
from .events import Dropped, SendFailed
from .limits import Settings
from .negotiation import PROTOCOL_PREFIX
from .package import Package
from .parts import Parts, State
from .queues import Item, PriorityQueue
from .session import ReplayBuffer, Session

__all__ = ["Outbound", "control_body", "enqueue_detached"]

# Codes after which a client retry may succeed: the dedupe window forgets the id.
_RETRYABLE = frozenset({"rate_limited", "overloaded", "internal"})


class Outbound(Parts):
    if not TYPE_CHECKING:  # no state of its own; mypy reads the attributes below
        __slots__ = ()

    def ack(self, header: env.HeaderView, now: float) -> None:
        """The handler of a ``MessageReceived`` returned: ack it when it asked."""
        own = header.type.startswith(PROTOCOL_PREFIX)
        if self.in_flight and not own:
            self.in_flight -= 1
        if header.ack and self.state is State.OPEN:
            answer = self._ack_body(header.id)
            session = self.session
            if not own and session is not None and session.seen is not None:
                session.seen.remember(header.id, answer, now)  # what _remember does
                if session.log is not None:
                    session.log.answered(session, header.id, answer, now)
            self._write(answer, None, now)

    def nack(
        self,
        header: env.HeaderView,
        code: str,
        reason: str,
        now: float,
        *,
        retry_after_ms: int | None = None,
        errors: Iterable[Mapping[str, str]] = (),
    ) -> None:
        """The handler of a ``MessageReceived`` refused it with ``code`` (a nack code)."""
        self._settled(header)
        self._refuse(header, code, reason, now, retry_after_ms=retry_after_ms, errors=errors)

    def settle(self, header: env.HeaderView, now: float) -> None:
        """Alias of ``ack`` (for a message that asked for none, nothing is sent)."""
        self.ack(header, now)

    def _settled(self, header: env.HeaderView) -> None:
        if self.in_flight and not header.type.startswith(PROTOCOL_PREFIX):
            self.in_flight -= 1

    def _remember(self, header: env.HeaderView, answer: str, now: float) -> None:
        session = self.session
        seen = session.seen if session is not None else None
        if seen is not None and header.ack and not header.type.startswith(PROTOCOL_PREFIX):
            seen.remember(header.id, answer, now)
            if session is not None and session.log is not None:
                session.log.answered(session, header.id, answer, now)

    def _refuse(
        self,
        header: env.HeaderView,
        code: str,
        reason: str,
        now: float,
        *,
        retry_after_ms: int | None = None,
        errors: Iterable[Mapping[str, str]] = (),
    ) -> None:
        if self.state is not State.OPEN:
            return
        data: dict[str, Any] = {
            "re": header.id,
            "code": code,
            "reason": reason[:1000],
            "errors": [
                {"path": e["path"][:1000], "message": e["message"][:1000]}
                for e in list(errors)[:100]
            ],
        }
        if retry_after_ms is not None:
            data["retry_after_ms"] = max(0, int(retry_after_ms))
        answer = self._control_body("wiretype.nack", data, re=header.id)
        if code in _RETRYABLE or retry_after_ms is not None:
            if self.session is not None and self.session.seen is not None:
                self.session.seen.forget(header.id)
        else:
            self._remember(header, answer, now)
        self._write(answer, None, now)

    # --- application -> client ------------------------------------------------------------

    def send(
        self,
        model: Any,
        now: float,
        *,
        ack: bool = False,
        prio: int = env.DEFAULT_PRIO,
        ttl: int | None = None,
        re: str | None = None,
        ident: str | None = None,
    ) -> str | None:
        """Send a registry message in this connection's version of it; its id, or None when
        the client cannot read it (counted as dropped ``unsupported``). ``ident``: the id to
        send it under (a durable handler's, the same on every run of its job); a new one
        when None."""
        name = getattr(type(model), "__wire_name__", None)
        if not isinstance(name, str):
            raise TypeError(
                f"send takes a message model of the generated package, not {type(model).__name__}"
            )
        version = self.versions.get(name)
        info = self.app.messages.get(name)
        if info is not None and not info.sent_by_server():
            raise ValueError(f"{name} is sent by clients only")
        if version is None or self.state is not State.OPEN:
            self._events.append(Dropped("unsupported" if version is None else "closed"))
            return None
        data_json = self.app.dump_json(self.app.convert(model, version))
        ident = ident or self.new_id()
        ts = int(now) if ttl is not None else None
        body = env.body(name, version, ident, data_json, ack=ack, ts=ts, ttl=ttl, prio=prio, re=re)
        expires = now + ttl if ttl is not None else None
        self._write(body, expires, now, prio)
        if ack:
            self._outbox_().add(ident, body, prio, now, expires)
        return ident

    def send_body(
        self, body: str, now: float, expires_at: float | None = None, prio: int = env.DEFAULT_PRIO
    ) -> None:
        """Write a pre-encoded frame body (see ``envelope.body``): publish's fast path."""
        if self.state is State.OPEN:
            self._write(body, expires_at, now, prio)

    def status(
        self,
        state: str,
        reason: str,
        now: float,
        *,
        retry_in_ms: int | None = None,
        detail: str | None = None,
    ) -> None:
        data: dict[str, Any] = {"state": state, "reason": reason}
        if retry_in_ms is not None:
            data["retry_in_ms"] = retry_in_ms
        if detail is not None:
            data["detail"] = detail[:500]
        if self.state is State.OPEN:
            self._write(self._control_body("wiretype.status", data, prio=0), None, now, 0)

    def check_backlog(self, buffered_bytes: int) -> None:
        """The transport holds ``buffered_bytes`` unsent: past the limit, evict (4499)."""
        if buffered_bytes > self.settings.max_buffer_bytes:
            self._evict()

    @property
    def congested(self) -> bool:
        return self._backlog is not None

    def congest(self) -> None:
        """The transport is filling up: from now on frames wait in this connection's queue
        (priority, then age, expiry), bounded by ``max_buffer_bytes``, until ``decongest``."""
        if self._backlog is None and self.state is State.OPEN:
            self._backlog = PriorityQueue(
                self.settings.replay_size * 10, self.settings.max_buffer_bytes
            )

    def decongest(self, now: float, budget_bytes: int | None = None) -> None:
        """The transport has room again: write what waited (lower prio first, oldest first;
        expired frames dropped and counted), up to ``budget_bytes``."""
        backlog, session = self._backlog, self.session
        if backlog is None or session is None:
            return
        budget = self.settings.max_buffer_bytes if budget_bytes is None else budget_bytes
        expired = 0
        while backlog and budget > 0:
            item, skipped = backlog.pop(now)
            expired += len(skipped)
            if item is None:
                break
            budget -= item.size
            self._stamp(session, item.payload, item.expires_at, now)
        expired += len(backlog.expire(now))
        if expired:
            self._events.append(Dropped("expired", expired))
        if not backlog:
            self._backlog = None

    def _evict(self) -> None:
        if self.state is State.OPEN:
            self.close(4499, "slow consumer")
            self._events.append(Dropped("slow"))

    # --- writing --------------------------------------------------------------------------

    def _write(
        self, body: str, expires_at: float | None, now: float, prio: int = env.DEFAULT_PRIO
    ) -> None:
        session = self.session
        if session is None:
            self._out.append(body + "}")
            return
        backlog = self._backlog
        if backlog is not None:  # the transport is congested: wait here, by priority
            for _ in backlog.push(Item(body, prio, len(body), expires_at)):
                self._evict()
            return
        self._stamp(session, body, expires_at, now)

    def _stamp(self, session: Session, body: str, expires_at: float | None, now: float) -> None:
        """Give the frame its seq, write it, keep it for replay."""
        seq = session.next_seq()
        frame = f'{body},"seq":{seq},"epoch":{session.epoch}}}'
        self._out.append(frame)
        if session.replay is None:
            session.replay = ReplayBuffer(
                self.settings.replay_size, self.settings.replay_ms, self.settings.max_buffer_bytes
            )
        session.replay.add(seq, frame, now, expires_at)
        if session.log is not None:
            session.log.frame(session, seq, frame, now, expires_at)

    def _outbox_(self) -> Outbox:
        if self._outbox is None:
            self._outbox = Outbox(self.settings.ack_timeout_ms, self.settings.retries, self._rng)
        return self._outbox

    def _retry(self, now: float) -> None:
        assert self._outbox is not None
        resend, failed, expired = self._outbox.due(now)
        for pending in resend:
            self._write(pending.frame, pending.expires_at, now)
        for pending in failed:
            self._events.append(SendFailed(pending.id, "timeout", "no ack after the retries"))
        for pending in expired:
            self._events.append(SendFailed(pending.id, "expired", "expired before its ack"))

    def _ack_body(self, re: str) -> str:
        quoted = env.quote(re)
        return (
            (
                f'{{"type":"wiretype.ack","v":1,"id":"{self.new_id()}","data":{{"re":{quoted}}}'
                f',"re":{quoted}'
            )
            if self.versions.get("wiretype.ack", 1) == 1
            else self._control_body("wiretype.ack", {"re": re}, re=re)
        )

    def _error_body(self, code: str, message: str, re: str | None) -> str:
        data: dict[str, Any] = {"code": code, "message": message[:1000]}
        if re is not None:
            data["re"] = re
        return self._control_body("wiretype.error", data, re=re)

    def _control_body(
        self,
        name: str,
        data: dict[str, Any],
        *,
        re: str | None = None,
        prio: int = env.DEFAULT_PRIO,
    ) -> str:
        """A runtime message built at its latest version, sent in the negotiated one."""
        return control_body(
            self.protocol, self.versions, name, data, self.new_id(), re=re, prio=prio
        )


def control_body(
    protocol: Package,
    versions: Mapping[str, int],
    name: str,
    data: dict[str, Any],
    ident: str,
    *,
    re: str | None = None,
    prio: int = env.DEFAULT_PRIO,
) -> str:
    info = protocol.messages[name]
    model = protocol.model(name, info.latest).model_validate(data)
    version = versions.get(name, info.latest)
    data_json = protocol.dump_json(protocol.convert(model, version))
    return env.body(name, version, ident, data_json, re=re, prio=prio)


def enqueue_detached(
    session: Session, settings: Settings, body: str, prio: int, expires_at: float | None
) -> list[Item[str]]:
    """Keep a frame body for a session whose client is away; return what overflowed."""
    if session.pending is None:
        session.pending = PriorityQueue(settings.replay_size, settings.max_buffer_bytes)
    if session.log is not None:
        session.log.pending(session, body, prio, expires_at)
    return session.pending.push(Item(body, prio, len(body), expires_at))
