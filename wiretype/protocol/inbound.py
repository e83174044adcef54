"""Frames from the client after the handshake: the fast path (one pydantic-core pass per
frame, the validator picked by the frame's first bytes), the careful path that says what is
wrong with a frame, admission (version, direction), then rate limit, expiry, dedupe and the
in-flight bound before a ``MessageReceived``; and the runtime's own messages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import envelope as env
from .delivery import DedupeWindow
from .events import (
    AckReceived,
    Dropped,
    ErrorReceived,
    MessageReceived,
    Pong,
    ProtocolProblem,
    SendFailed,
    StatusReceived,
    Subscribed,
    Unsubscribed,
)
from .limits import TokenBucket
from .negotiation import PROTOCOL_PREFIX
from .parts import Parts

__all__ = ["MAX_TOPIC", "Inbound"]

MAX_TOPIC = 256


class Inbound(Parts):
    if not TYPE_CHECKING:  # no state of its own; mypy reads the attributes below
        __slots__ = ()

    def _frame(self, text: str, now: float) -> None:
        last = self._last
        if last is None or not text.startswith(last[0]):  # not the kind of the frame before
            last = self._validator_for(text)
        # NaN / Infinity are not JSON (see envelope.maybe_non_finite), tested inline: hot path
        if last is not None and "NaN" not in text and "Infinity" not in text:
            try:
                framed = last[1].validate_json(text, by_alias=True, by_name=False)
            except (ValueError, ArithmeticError):  # the package's InexactNumber too
                pass
            else:
                if last[2]:
                    self._deliver(framed, framed.data, now)
                else:
                    self._dispatch(framed, framed.data, now)
                return
        self._careful(text, now)

    def _validator_for(self, text: str) -> tuple[str, Any, bool] | None:
        """The frame validator picked from the frame's first bytes (remembered, so that a
        run of frames of one message version costs one ``startswith`` each)."""
        found = env.HEAD.match(text)
        if found is None:
            return None
        key = found.group(1, 2)
        package = self.protocol if key[0].startswith(PROTOCOL_PREFIX) else self.app
        validator = package.validator_of(key)
        if validator is None:
            return None
        self._last = (found.group(0), validator, self._usual(key[0], int(key[1])))
        return self._last

    def _usual(self, name: str, version: int) -> bool:
        info = None if name.startswith(PROTOCOL_PREFIX) else self.app.messages.get(name)
        return (
            info is not None
            and info.sent_by_client()
            and self.versions.get(name) == version
            and self.pinned.get(name, info.latest) == version
        )

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
        self._deliver(header, data, now, self.pinned.get(name, info.versions[-1]))

    def _deliver(
        self, header: env.HeaderView, data: Any, now: float, target: int | None = None
    ) -> None:
        """An admissible message: rate limit, expiry, dedupe, in-flight bound, conversion to
        ``target`` (None: the handler reads it as it came), then the event."""
        bucket = self._bucket
        if bucket is not None and not bucket.take(now):
            self._limited(header, bucket, now)
            return
        self._strikes = 0
        if header.ttl is not None and self._expired(header, now):
            return
        ack = header.ack
        seen = self.session.seen if ack and self.session is not None else None
        if seen is not None and self._duplicate(header, now, seen):
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
        if target is not None and header.v != target:
            data = self._convert(header, data, target, now)
            if data is None:
                return
        self.in_flight += 1
        if ack:
            (seen if seen is not None else self._window()).remember(header.id, "", now)
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

    def _duplicate(self, header: env.HeaderView, now: float, seen: DedupeWindow) -> bool:
        """A retried message seen before: answer it again (or wait for its handler)."""
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


_CONTROL = {
    "wiretype.pong": Inbound._on_pong,
    "wiretype.subscribe": Inbound._on_subscribe,
    "wiretype.unsubscribe": Inbound._on_unsubscribe,
    "wiretype.ack": Inbound._on_ack,
    "wiretype.nack": Inbound._on_nack,
    "wiretype.status": Inbound._on_status,
    "wiretype.error": Inbound._on_error,
    "wiretype.hello": Inbound._on_hello,
}
