"""``ServerConnection``: one connection's state machine on the server side.

The adapter pumps it::

    conn = ServerConnection(app, settings, now)     # app: Package.from_module(generated)
    conn.receive_text(text, now)        # a text frame from the client
    conn.tick(now)                      # deadlines: handshake, heartbeat, ack retries
    for event in conn.events_received(): ...   # HelloReceived -> conn.accept(session, ...)
    for frame in conn.data_to_send(): ...      # write each, in order
    conn.next_deadline()                # when tick must run next

Every frame written after ``welcome`` (but pings) carries the session's next ``seq`` and its
``epoch`` and is kept in the session's replay buffer.
"""

from __future__ import annotations

import enum
import random
import re
from collections.abc import Iterable, Mapping
from typing import Any

from . import envelope as env
from .delivery import DedupeWindow, Outbox
from .events import (
    AckReceived,
    CloseRequested,
    Dropped,
    ErrorReceived,
    Event,
    HelloReceived,
    MessageReceived,
    Pong,
    ProtocolProblem,
    SendFailed,
    StatusReceived,
    Subscribed,
    Unsubscribed,
)
from .heartbeat import Heartbeat
from .limits import Settings, TokenBucket
from .negotiation import PROTOCOL_PREFIX, negotiate
from .package import Package, runtime_package
from .queues import Item, PriorityQueue
from .session import ReplayBuffer, Session

_TYPE = re.compile(r'\{\s*"type"\s*:\s*"([^"\\]*)"')
MAX_TOPIC = 256
# Codes after which a client retry may succeed: the dedupe window forgets the id.
_RETRYABLE = frozenset({"rate_limited", "overloaded", "internal"})


class State(enum.IntEnum):
    CONNECTING = 0  # before welcome
    OPEN = 1
    CLOSING = 2  # close asked for, waiting for the transport
    CLOSED = 3


class ServerConnection:
    __slots__ = (
        "_backlog",
        "_bucket",
        "_early",
        "_events",
        "_ids",
        "_last",
        "_out",
        "_outbox",
        "_prefix",
        "_quarter",
        "_rng",
        "_strikes",
        "app",
        "bad_frames",
        "client",
        "client_version",
        "close_code",
        "close_reason",
        "handshake_deadline",
        "heartbeat",
        "in_flight",
        "pinned",
        "protocol",
        "resume",
        "session",
        "settings",
        "state",
        "versions",
    )

    def __init__(
        self,
        app: Package,
        settings: Settings | None = None,
        now: float = 0.0,
        *,
        protocol: Package | None = None,
        pinned: Mapping[str, int] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        settings = settings or Settings()
        self.app = app
        self.protocol = protocol or runtime_package()
        self.settings = settings
        self.pinned = pinned or {}
        self._rng = rng or random.Random()
        self.state = State.CONNECTING
        self.handshake_deadline = now + settings.handshake_timeout_ms
        self._quarter = settings.max_frame_bytes // 4  # shorter texts cannot be too big
        self._out: list[str] = []
        self._events: list[Event] = []
        self._early: list[str] | None = None  # frames between hello and accept
        self._ids = 0
        self._prefix = f"{self._rng.getrandbits(40):010x}"
        self._outbox: Outbox | None = None
        self._backlog: PriorityQueue[str] | None = None  # set while the transport is full
        self._last: tuple[str, Any] | None = None  # (first bytes, validator) of the last frame
        self._bucket: TokenBucket | None = None
        self._strikes = 0
        self.bad_frames = 0
        self.in_flight = 0
        self.session: Session | None = None
        self.heartbeat: Heartbeat | None = None
        self.versions: dict[str, int] = {}
        self.client = ""
        self.client_version = ""
        self.resume: tuple[str, int, int] | None = None
        self.close_code: int | None = None
        self.close_reason = ""

    # --- output ---------------------------------------------------------------------------

    def data_to_send(self) -> list[str]:
        out, self._out = self._out, []
        return out

    def events_received(self) -> list[Event]:
        events, self._events = self._events, []
        return events

    def next_deadline(self) -> float | None:
        if self.state is State.CONNECTING:
            return self.handshake_deadline
        if self.state is not State.OPEN or self.heartbeat is None:
            return None
        deadline = self.heartbeat.next_deadline()
        if self._outbox:
            pending = self._outbox.next_deadline()
            if pending is not None and pending < deadline:
                deadline = pending
        return deadline

    # --- input ----------------------------------------------------------------------------

    def receive_text(self, text: str, now: float) -> None:
        if self.state >= State.CLOSING:
            return
        if self.heartbeat is not None:
            self.heartbeat.last_heard = now
        if len(text) > self._quarter and env.utf8_size(text) > self.settings.max_frame_bytes:
            self.close(1009, "frame too big")
            return
        if self.state is State.CONNECTING:
            if self._early is not None:
                self._early.append(text)
            else:
                self._hello(text, now)
            return
        self._frame(text, now)

    def receive_binary(self, data: bytes, now: float) -> None:
        if self.state >= State.CLOSING:
            return
        if self.state is State.CONNECTING:
            self._refuse_early("handshake_required", "binary frames are not used")
            return
        if self.heartbeat is not None:
            self.heartbeat.last_heard = now
        self._problem(env.FrameProblem("bad_frame", "binary frames are not used"), now)

    def tick(self, now: float) -> None:
        if self.state is State.CONNECTING:
            if now >= self.handshake_deadline:
                self.close(4408, "no hello in time")
            return
        if self.state is not State.OPEN or self.heartbeat is None:
            return
        if self.heartbeat.dead(now):
            self.close(4410, "heartbeat timeout")
            return
        nonce = self.heartbeat.ping_due(now)
        if nonce is not None:
            self._tidy(now)
            self._out.append(self._control_body("wiretype.ping", {"nonce": nonce}) + "}")
        if self._outbox:
            self._retry(now)

    def _tidy(self, now: float) -> None:
        """Age limits, applied once a heartbeat rather than on every frame."""
        session = self.session
        if session is not None:
            if session.seen is not None:
                session.seen.prune(now)
            if session.replay is not None:
                session.replay.trim(now)

    def connection_lost(self, now: float, *, by_client_1000: bool = False) -> None:
        """The transport ended. The session is kept for resume unless the client closed
        with 1000."""
        was_open = self.state in (State.OPEN, State.CLOSING) and self.session is not None
        self.state = State.CLOSED
        if self.in_flight:
            self.in_flight = 0
        if self._outbox:
            for pending in self._outbox:
                self._events.append(SendFailed(pending.id, "closed", "connection lost"))
            self._outbox = None
        if was_open and self.session is not None:
            if by_client_1000:
                self.session.closed = True
            self.session.detached_at = now
            self._keep_backlog(self.session, now)

    def _keep_backlog(self, session: Session, now: float) -> None:
        """Frames still waiting in the outgoing queue wait for the resume instead."""
        backlog, self._backlog = self._backlog, None
        if backlog is None or session.closed:
            return
        live, _ = backlog.drain(now)
        for item in live:
            enqueue_detached(session, self.settings, item.payload, item.prio, item.expires_at)

    # --- handshake ------------------------------------------------------------------------

    def _hello(self, text: str, now: float) -> None:
        loaded = env.load(text)
        if isinstance(loaded, env.FrameProblem):
            self._refuse_early("handshake_required", "the first frame must be wiretype.hello")
            return
        header = env.header_of(loaded)
        if isinstance(header, env.FrameProblem) or header.type != "wiretype.hello":
            self._refuse_early("handshake_required", "the first frame must be wiretype.hello")
            return
        if header.v not in self.protocol.messages["wiretype.hello"].versions:
            self._fail_handshake(f"wiretype.hello v{header.v} is not spoken here", 4406)
            return
        try:
            hello = self.protocol.decode_data("wiretype.hello", header.v, loaded.get("data"))
        except Exception as exc:
            if not self.protocol.is_decode_error(exc):
                raise
            errors = self.protocol.errors_of(exc)
            shown = "; ".join(f"{e['path'] or '/'}: {e['message']}" for e in errors[:5])
            self._fail_handshake(f"invalid hello: {shown}"[:1000], 4400, "bad_envelope")
            return
        self._negotiate(hello)

    def _negotiate(self, hello: Any) -> None:
        found = negotiate(hello.registry, hello.speaks, self.app, self.protocol)
        if found.problem is not None:
            self._fail_handshake(found.problem, 4406)
            return
        self.versions = shared_versions(found.versions)
        self.client = hello.client.name
        self.client_version = hello.client.version
        resume = getattr(hello, "resume", None)
        if resume is not None and not isinstance(resume, str) and hasattr(resume, "session"):
            self.resume = (resume.session, resume.last_seq, resume.epoch)
        self._early = []
        self._events.append(
            HelloReceived(self.client, self.client_version, self.versions, self.resume)
        )

    def _refuse_early(self, code: str, message: str) -> None:
        self._fail_handshake(message, 4400, code)

    def _fail_handshake(
        self, message: str, close_code: int, code: str = "handshake_failed"
    ) -> None:
        self._out.append(self._error_body(code, message, None) + "}")
        self._events.append(ProtocolProblem(code, message))
        self.close(close_code, message[:120])

    def accept(self, session: Session, resumed: bool, now: float) -> None:
        """Answer the hello: welcome, then (when resumed) the replay, then what waited."""
        if self.state is not State.CONNECTING or self._early is None:
            raise RuntimeError("accept() needs a HelloReceived first")
        s = self.settings
        self.session = session
        session.versions = self.versions
        session.detached_at = None
        session.client, session.client_version = self.client, self.client_version
        self.state = State.OPEN
        self.heartbeat = Heartbeat(s.heartbeat_ms, s.liveness_ms, now)
        self._bucket = TokenBucket(s.rate, s.burst, now)
        welcome = {
            "session": session.id,
            "heartbeat_ms": s.heartbeat_ms,
            "versions": self.versions,
            "limits": {
                "max_frame_bytes": s.max_frame_bytes,
                "max_in_flight": s.max_in_flight,
                "max_topics": s.max_topics,
            },
            "resumed": resumed,
        }
        # the welcome carries the store's epoch (no seq): a client that hears nothing else
        # before a drop can still resume
        self._out.append(
            self._control_body("wiretype.welcome", welcome) + f',"epoch":{session.epoch}}}'
        )
        if resumed and session.replay is not None and self.resume is not None:
            frames, expired = session.replay.after(self.resume[1], now)
            self._out.extend(frames)
            if expired:
                self._events.append(Dropped("expired", expired))
        self._flush_pending(now)
        early, self._early = self._early, None
        for text in early:
            self.receive_text(text, now)

    def refuse(self, close_code: int, message: str) -> None:
        self._fail_handshake(message, close_code)

    def _flush_pending(self, now: float) -> None:
        session = self.session
        if session is None or not session.pending:
            return
        live, expired = session.pending.drain(now)
        if expired:
            self._events.append(Dropped("expired", len(expired)))
        for item in live:
            self._write(item.payload, item.expires_at, now)

    # --- frames after the handshake -------------------------------------------------------

    def _frame(self, text: str, now: float) -> None:
        last = self._last
        if last is not None and text.startswith(last[0]):  # the same kind as the frame before
            validator = last[1]
        else:
            validator = self._validator_for(text)
        # NaN / Infinity are not JSON (see envelope.maybe_non_finite), tested inline: hot path
        if validator is not None and "NaN" not in text and "Infinity" not in text:
            try:
                framed = validator.validate_json(text, by_alias=True, by_name=False)
            except (ValueError, ArithmeticError):  # the package's InexactNumber too
                pass
            else:
                self._dispatch(framed, framed.data, now)
                return
        self._careful(text, now)

    def _validator_for(self, text: str) -> Any:
        """The frame validator picked from the frame's first bytes (remembered, so that a
        run of frames of one message version costs one ``startswith`` each)."""
        found = env.HEAD.match(text)
        if found is None:
            return None
        key = found.group(1, 2)
        package = self.protocol if key[0].startswith(PROTOCOL_PREFIX) else self.app
        validator = package.validator_of(key)
        if validator is not None:
            self._last = (found.group(0), validator)
        return validator

    def _careful(self, text: str, now: float) -> None:
        """A frame the fast path refused: say precisely what is wrong with it."""
        loaded = env.load(text)
        if isinstance(loaded, env.FrameProblem):
            self._problem(loaded, now)
            return
        header = env.header_of(loaded)
        if isinstance(header, env.FrameProblem):
            self._problem(header, now)
            return
        package = self.protocol if header.type.startswith(PROTOCOL_PREFIX) else self.app
        info = package.messages.get(header.type)
        if info is None:
            self._problem(
                env.FrameProblem(
                    "unknown_type", f"no message called {header.type[:128]}", header.id
                ),
                now,
            )
            return
        if not self._admissible(header, info.sent_by_client(), now):
            return
        try:
            data = package.decode_data(header.type, header.v, loaded.get("data"))
        except Exception as exc:
            if not package.is_decode_error(exc):
                raise
            errors = package.errors_of(exc)
            self._refuse(
                header, "invalid", f"not a valid {header.type} v{header.v}", now, errors=errors
            )
            self._events.append(
                ProtocolProblem("invalid", "invalid data", header.id, tuple(errors))
            )
            return
        self._dispatch(header, data, now)

    def _admissible(self, header: env.HeaderView, from_client: bool, now: float) -> bool:
        if from_client and self.versions.get(header.type) == header.v:
            return True
        if self.versions.get(header.type) != header.v:
            spoken = self.versions.get(header.type)
            why = (
                f"{header.type} is not usable on this connection"
                if spoken is None
                else f"{header.type} travels as v{spoken} on this connection"
            )
            self._refuse(header, "unsupported_version", why, now)
            return False
        if not from_client:
            self._refuse(header, "forbidden", f"{header.type} is sent by the server only", now)
            return False
        return True

    def _dispatch(self, header: env.HeaderView, data: Any, now: float) -> None:
        name = header.type
        if name.startswith(PROTOCOL_PREFIX):
            info = self.protocol.messages.get(name)
            if info is not None and self._admissible(header, info.sent_by_client(), now):
                self._control(header, data, now)
            return
        info = self.app.messages[name]
        from_client = info.direction != "server_to_client"
        if (self.versions.get(name) != header.v or not from_client) and not self._admissible(
            header, from_client, now
        ):
            return
        bucket = self._bucket
        if bucket is not None and not bucket.take(now):
            self._limited(header, bucket, now)
            return
        self._strikes = 0
        if (header.ttl is not None and self._expired(header, now)) or (
            header.ack and self._duplicate(header, now)
        ):
            return
        if self.in_flight >= self.settings.max_in_flight:
            self._refuse(
                header,
                "overloaded",
                "too many messages in flight",
                now,
                retry_after_ms=self.settings.retry_after_ms,
            )
            return
        target = self.pinned.get(name, info.versions[-1])
        if header.v != target:
            data = self._convert(header, data, target, now)
            if data is None:
                return
        self.in_flight += 1
        if header.ack:
            self._window().remember(header.id, "", now)
        self._events.append(MessageReceived(header, data, header.v))

    def _expired(self, header: env.HeaderView, now: float) -> bool:
        expires = header.expires_at()
        if expires is None or expires > now:
            return False
        self._events.append(Dropped("expired"))
        if header.ack:
            self._refuse(header, "expired", "the message expired before it was handled", now)
        return True

    def _convert(self, header: env.HeaderView, data: Any, target: int, now: float) -> Any:
        try:
            return self.app.convert(data, target)
        except Exception as exc:
            if not self.app.is_decode_error(exc):
                raise
            self._refuse(
                header,
                "invalid",
                f"cannot convert to v{target}",
                now,
                errors=self.app.errors_of(exc),
            )
            return None

    def _rate_ok(self, header: env.HeaderView, now: float) -> bool:
        bucket = self._bucket
        if bucket is None or bucket.take(now):
            self._strikes = 0
            return True
        self._limited(header, bucket, now)
        return False

    def _limited(self, header: env.HeaderView, bucket: TokenBucket, now: float) -> None:
        self._strikes += 1
        if self._strikes >= max(self.settings.burst, 10):  # sustained: close
            self.close(4429, "rate limited")
            return
        self._refuse(header, "rate_limited", "slow down", now, retry_after_ms=bucket.wait_ms())

    def _duplicate(self, header: env.HeaderView, now: float) -> bool:
        """A retried message seen before: answer it again (or wait for its handler)."""
        seen = self.session.seen if self.session is not None else None
        if seen is None:
            return False
        answer = seen.get(header.id, now)
        if answer is None:
            return False
        if answer:
            self._write(answer, None, now)
        return True

    def _window(self) -> DedupeWindow:
        assert self.session is not None
        if self.session.seen is None:
            self.session.seen = DedupeWindow(self.settings.dedupe_size, self.settings.dedupe_ms)
        return self.session.seen

    def _problem(self, problem: env.FrameProblem, now: float) -> None:
        self.bad_frames += 1
        self._events.append(ProtocolProblem(problem.code, problem.message, problem.id))
        if self.bad_frames > self.settings.bad_frame_budget:
            self.close(4400, "too many bad frames")
            return
        self._write(self._error_body(problem.code, problem.message, problem.id), None, now)

    # --- the runtime's own messages from the client ---------------------------------------

    def _control(self, header: env.HeaderView, data: Any, now: float) -> None:
        handler = _CONTROL.get(header.type)
        if handler is None:
            self._problem(
                env.FrameProblem("bad_envelope", f"{header.type} is not expected here", header.id),
                now,
            )
            return
        handler(self, header, data, now)

    def _on_pong(self, header: env.HeaderView, data: Any, now: float) -> None:
        if self.heartbeat is not None:
            rtt = self.heartbeat.pong(data.nonce, now)
            if rtt is not None:
                self._events.append(Pong(rtt))

    def _on_subscribe(self, header: env.HeaderView, data: Any, now: float) -> None:
        assert self.session is not None
        if not self._rate_ok(header, now):
            return
        topics = tuple(t for t in data.topics if t not in self.session.topics)
        if any(not t or len(t) > MAX_TOPIC for t in topics):
            self._refuse(
                header,
                "invalid",
                f"a topic is 1-{MAX_TOPIC} characters",
                now,
                errors=[{"path": "/topics", "message": "topic length out of range"}],
            )
            return
        if len(self.session.topics) + len(topics) > self.settings.max_topics:
            self._refuse(
                header,
                "too_many_topics",
                f"at most {self.settings.max_topics} topics per connection",
                now,
            )
            return
        self.session.topics.update(topics)
        if topics:
            self._events.append(Subscribed(topics))
        self.ack(header, now)

    def _on_unsubscribe(self, header: env.HeaderView, data: Any, now: float) -> None:
        assert self.session is not None
        topics = tuple(t for t in data.topics if t in self.session.topics)
        self.session.topics.difference_update(topics)
        if topics:
            self._events.append(Unsubscribed(topics))
        self.ack(header, now)

    def _on_ack(self, header: env.HeaderView, data: Any, now: float) -> None:
        pending = self._outbox.settle(data.re) if self._outbox else None
        if pending is not None:
            self._events.append(AckReceived(pending.id, now - pending.sent_at))

    def _on_nack(self, header: env.HeaderView, data: Any, now: float) -> None:
        pending = self._outbox.settle(data.re) if self._outbox else None
        if pending is not None:
            errors = tuple(e.model_dump() for e in getattr(data, "errors", ()))
            retry = getattr(data, "retry_after_ms", None)
            retry = retry if isinstance(retry, int) else None
            self._events.append(SendFailed(pending.id, data.code, data.reason, errors, retry))

    def _on_status(self, header: env.HeaderView, data: Any, now: float) -> None:
        retry = data.retry_in_ms if isinstance(data.retry_in_ms, int) else None
        detail = data.detail if isinstance(data.detail, str) else None
        self._events.append(StatusReceived(data.state, data.reason, retry, detail))

    def _on_error(self, header: env.HeaderView, data: Any, now: float) -> None:
        self._events.append(
            ErrorReceived(data.code, data.message, data.re if isinstance(data.re, str) else None)
        )

    def _on_hello(self, header: env.HeaderView, data: Any, now: float) -> None:
        self._problem(
            env.FrameProblem("bad_envelope", "hello was already received", header.id), now
        )

    # --- answers --------------------------------------------------------------------------

    def ack(self, header: env.HeaderView, now: float) -> None:
        """The handler of a ``MessageReceived`` returned: ack it when it asked."""
        if self.in_flight and not header.type.startswith(PROTOCOL_PREFIX):
            self.in_flight -= 1
        if header.ack and self.state is State.OPEN:
            answer = self._ack_body(header.id)
            self._remember(header, answer, now)
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
        seen = self.session.seen if self.session is not None else None
        if seen is not None and header.ack and not header.type.startswith(PROTOCOL_PREFIX):
            seen.remember(header.id, answer, now)

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
    ) -> str | None:
        """Send a registry message in this connection's version of it; its id, or None when
        the client cannot read it (counted as dropped ``unsupported``)."""
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
        ident = self.new_id()
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

    def close(self, code: int, reason: str = "") -> None:
        if self.state >= State.CLOSING:
            return
        self.state = State.CLOSING
        self.close_code = code
        self.close_reason = reason[:120]
        self._events.append(CloseRequested(code, self.close_reason))

    def new_id(self) -> str:
        self._ids += 1
        return f"{self._prefix}-{self._ids}"

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


_SHARED: dict[tuple[tuple[str, int], ...], dict[str, int]] = {}


def shared_versions(versions: dict[str, int]) -> dict[str, int]:
    """One dict per distinct negotiated map, shared by every connection that has it (most
    clients of a service speak the same versions; a map is ~2 KiB). Treated as frozen."""
    key = tuple(sorted(versions.items()))
    found = _SHARED.get(key)
    if found is None:
        if len(_SHARED) >= 4096:
            _SHARED.clear()
        found = _SHARED[key] = versions
    return found


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
    return session.pending.push(Item(body, prio, len(body), expires_at))


_CONTROL = {
    "wiretype.pong": ServerConnection._on_pong,
    "wiretype.subscribe": ServerConnection._on_subscribe,
    "wiretype.unsubscribe": ServerConnection._on_unsubscribe,
    "wiretype.ack": ServerConnection._on_ack,
    "wiretype.nack": ServerConnection._on_nack,
    "wiretype.status": ServerConnection._on_status,
    "wiretype.error": ServerConnection._on_error,
    "wiretype.hello": ServerConnection._on_hello,
}
