"""``ClientConnection``: the client's state machine across reconnects.

The adapter opens a link when ``next_attempt_at`` comes (``connect``), pumps frames in
(``receive_text``) and out (``data_to_send``), calls ``tick`` by ``next_deadline``, and reports
the link's end (``connection_lost``) or a failed attempt (``connect_failed``). States, told as
``StateChanged`` events:

- ``connecting``: the first link is being opened;
- ``open``: welcome received, messages flow;
- ``reconnecting``: the link dropped (or a later attempt is under way); sends are queued;
- ``offline``: an attempt failed, waiting for the next one (backoff); sends are queued;
- ``closed``: closed by the application or by a final close code; nothing more happens.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import SendFailed as SendFailedError
from . import envelope as env
from .backoff import full_jitter
from .delivery import DedupeWindow, Outbox
from .events import (
    AckReceived,
    CloseRequested,
    Dropped,
    ErrorReceived,
    Event,
    MessageReceived,
    ProtocolProblem,
    SendFailed,
    StateChanged,
    StatusReceived,
    Welcomed,
)
from .limits import Settings
from .negotiation import PROTOCOL_PREFIX
from .package import Package, runtime_package
from .queues import Item, PriorityQueue

_ACK_START = '{"type":"wiretype.ack","v":1,'
_ACK = re.compile(
    r'\{"type":"wiretype\.ack","v":1,"id":"[A-Za-z0-9._:~+-]{1,128}",'
    r'"data":\{"re":"([A-Za-z0-9._:~+-]{1,128})"\},"re":"[A-Za-z0-9._:~+-]{1,128}",'
    r'"seq":([0-9]{1,18}),"epoch":([0-9]{1,18})\}\Z'
)
# Codes after which the client dials again; any code not final is treated the same way.
RECONNECT_CODES = frozenset({1001, 1006, 1011, 1012, 1013, 1014, 4410, 4429, 4499})
# Final until the application acts. 4409: a newer connection took this session over (another
# process resumed it); this client steps aside instead of taking it back.
FINAL_CODES = frozenset({1000, 1008, 4400, 4401, 4403, 4406, 4409})


@dataclass(slots=True)
class Outgoing:
    """A message the application sent, waiting in the offline queue."""

    id: str
    type: str
    model: Any
    ack: bool
    prio: int
    ts: int | None
    ttl: int | None
    size: int

    def expires_at(self) -> float | None:
        return float(self.ts + self.ttl) if self.ts is not None and self.ttl is not None else None


class Journal(Protocol):
    """Where the offline queue is kept across restarts (``queue_path``)."""

    def put(self, item: Outgoing, data_json: str, version: int) -> None: ...

    def remove(self, message_id: str) -> None: ...


class ClientConnection:
    __slots__ = (
        "_events",
        "_gap_at",
        "_ids",
        "_later_subscribe",
        "_later_unsubscribe",
        "_out",
        "_prefix",
        "_resync",
        "_retry_in",
        "_rng",
        "_seen",
        "app",
        "attempt",
        "epoch",
        "heartbeat_ms",
        "journal",
        "last_heard",
        "last_seq",
        "limits",
        "link",
        "name",
        "next_attempt_at",
        "opened_at",
        "outbox",
        "protocol",
        "queue",
        "session",
        "settings",
        "state",
        "topics",
        "version",
        "versions",
    )

    def __init__(
        self,
        app: Package,
        settings: Settings | None = None,
        *,
        name: str = "python",
        version: str = "0",
        protocol: Package | None = None,
        rng: random.Random | None = None,
        journal: Journal | None = None,
    ) -> None:
        settings = settings or Settings()
        self.app = app
        self.protocol = protocol or runtime_package()
        self.settings = settings
        self.name = name
        self.version = version
        self._rng = rng or random.Random()
        self.journal = journal
        self._prefix = f"c{self._rng.getrandbits(40):010x}"
        self._ids = 0
        self._out: list[str] = []
        self._events: list[Event] = []
        self.state = "idle"
        self.link = "down"  # down | handshake | open
        self.attempt = 0
        self.next_attempt_at: float | None = 0.0
        self.opened_at: float | None = None
        self.session: str | None = None
        self.epoch = 0
        self.last_seq = 0
        self._gap_at: int | None = None
        self._resync = False  # the link is being closed to resume after a gap: dial at once
        self._retry_in: int | None = None  # a draining server's retry_in_ms, for the next dial
        self.versions: dict[str, int] = {}
        self.limits: dict[str, int] = {}
        self.heartbeat_ms = settings.heartbeat_ms
        self.last_heard = 0.0
        self.topics: set[str] = set()
        self.queue: PriorityQueue[Outgoing] = PriorityQueue(
            settings.queue_size, settings.queue_bytes
        )
        self.outbox = Outbox(settings.ack_timeout_ms, settings.retries, self._rng)
        # ids of delivered messages: a message the server sends again is acked, not delivered
        self._seen = DedupeWindow(settings.dedupe_size, settings.dedupe_ms)
        # topics (un)subscribed while the link was down, told after a resume
        self._later_subscribe: set[str] = set()
        self._later_unsubscribe: set[str] = set()

    # --- output ---------------------------------------------------------------------------

    def data_to_send(self) -> list[str]:
        out, self._out = self._out, []
        return out

    def events_received(self) -> list[Event]:
        events, self._events = self._events, []
        return events

    def next_deadline(self) -> float | None:
        times: list[float] = []
        if self.link in ("handshake", "open"):
            times.append(self.last_heard + self.heartbeat_ms + self.settings.heartbeat_grace_ms)
        pending = self.outbox.next_deadline()
        if pending is not None:
            times.append(pending)
        expiry = self.queue.next_expiry()
        if expiry is not None:
            times.append(expiry)
        return min(times) if times else None

    # --- the link -------------------------------------------------------------------------

    def connect(self, now: float) -> None:
        """A link is being opened now (the adapter dials); the hello goes first."""
        if self.state == "closed":
            return
        self._set_state("connecting" if self.state == "idle" else "reconnecting")
        self.link = "handshake"
        self.last_heard = now
        self.next_attempt_at = None
        self._out = []  # nothing of an earlier link goes before the hello
        hello: dict[str, Any] = {
            "client": {"name": self.name, "version": self.version},
            "registry": self.app.name,
            "speaks": self._speaks(),
        }
        if self.session is not None:
            hello["resume"] = {
                "session": self.session,
                "last_seq": self.last_seq,
                "epoch": self.epoch,
            }
        self._out.append(self._control("wiretype.hello", hello, versions={}) + "}")

    def connect_failed(self, now: float, *, final: bool = False, reason: str = "") -> None:
        """The attempt failed before a link existed (refused, HTTP error, timeout)."""
        self.link = "down"
        if final:
            self._finish(reason)
            return
        self._set_state("offline", reason)
        self._schedule(now)

    def connection_lost(self, code: int, reason: str, now: float) -> None:
        """The link ended with close ``code``; reconnect unless the code is final."""
        was_open = self.link == "open"
        self.link = "down"
        self.outbox.pause()
        if self.state == "closed":
            return
        if code in FINAL_CODES:
            self._finish(f"{code} {reason}".strip())
            return
        if (
            was_open
            and self.opened_at is not None
            and now - self.opened_at >= self.settings.stable_ms
        ):
            self.attempt = 0
        self._set_state("reconnecting", f"{code} {reason}".strip())
        self._schedule(now, at_once=self._resync, after_ms=self._retry_in)
        self._resync = False
        self._retry_in = None

    def close(self) -> None:
        """The application is done: close with 1000 (the server forgets the session)."""
        if self.state == "closed":
            return
        if self.link == "down":
            self._finish("closed by the application")
            return
        self.state = "closing"
        self._events.append(CloseRequested(1000, "bye"))

    def _finish(self, reason: str) -> None:
        self._set_state("closed", reason)
        self.next_attempt_at = None
        for pending in self.outbox:
            self.outbox.settle(pending.id)
            self._fail(pending.id, "closed", reason)
        live, _ = self.queue.drain(float("inf"))
        for item in live:
            if item.payload.ack:
                self._fail(item.payload.id, "closed", reason)

    def _schedule(self, now: float, *, at_once: bool = False, after_ms: int | None = None) -> None:
        """The next dial: at once (a resync), after a draining server's ``retry_in_ms``, or
        after full-jitter backoff."""
        s = self.settings
        if at_once:
            delay = 0.0
        elif after_ms is not None:
            delay = float(min(after_ms, s.backoff_max_ms))
        else:
            delay = full_jitter(self.attempt, s.backoff_min_ms, s.backoff_max_ms, self._rng)
        self.attempt += 1
        self.next_attempt_at = now + delay

    def retry_now(self, now: float) -> None:
        """Skip the wait (the network came back)."""
        if self.link == "down" and self.state not in ("closed", "idle"):
            self.next_attempt_at = now

    def _set_state(self, state: str, reason: str = "") -> None:
        if state != self.state:
            self.state = state
            self._events.append(StateChanged(state, reason))

    # --- input ----------------------------------------------------------------------------

    def receive_text(self, text: str, now: float) -> None:
        # once the link is being closed (to resume after a gap, or as dead), nothing more is
        # taken from it: the resume starts from the last seq taken
        if self.link in ("down", "closing"):
            return
        self.last_heard = now
        if self.link == "open" and text.startswith(_ACK_START):
            acked = _ACK.match(text)  # the server's own ack layout, read without a parse
            if acked is not None:
                if self._in_sequence(int(acked.group(2)), int(acked.group(3))):
                    self._acked(acked.group(1), now)
                return
        read = self._read(text)
        if read is None:
            return
        header, model = read
        if self.link == "handshake":
            self._handshake(header, model, now)
            return
        if header.seq is not None and not self._in_order(header):
            return
        if header.type.startswith(PROTOCOL_PREFIX):
            self._control_in(header, model, now)
        else:
            self._message_in(header, model, now)

    def _read(self, text: str) -> tuple[env.HeaderView, Any] | None:
        """The header and the validated data of a frame (one pass when it is well formed)."""
        found = env.HEAD.match(text)
        if found is not None:
            name = found.group(1)
            package = self.protocol if name.startswith(PROTOCOL_PREFIX) else self.app
            validator = package.validator(name, found.group(2))
            if validator is not None and not env.maybe_non_finite(text):
                try:
                    framed = validator.validate_json(text, by_alias=True, by_name=False)
                except (ValueError, ArithmeticError):  # the package's InexactNumber too
                    pass
                else:
                    return framed, framed.data
        loaded = env.load(text)
        if isinstance(loaded, env.FrameProblem):
            self._events.append(ProtocolProblem(loaded.code, loaded.message))
            return None
        header = env.header_of(loaded)
        if isinstance(header, env.FrameProblem):
            self._events.append(ProtocolProblem(header.code, header.message, header.id))
            return None
        package = self.protocol if header.type.startswith(PROTOCOL_PREFIX) else self.app
        model = self._decode(package, header, loaded.get("data"))
        return None if model is None else (header, model)

    def _in_order(self, header: env.HeaderView) -> bool:
        assert header.seq is not None
        return self._in_sequence(header.seq, header.epoch)

    def _in_sequence(self, seq: int, epoch: int | None) -> bool:
        if epoch is not None and epoch != self.epoch:
            self.epoch = epoch
        if seq <= self.last_seq:
            return False  # already seen (replay overlap)
        if seq > self.last_seq + 1 and self._gap_at != self.last_seq:
            self._gap_at = self.last_seq
            self._events.append(ProtocolProblem("gap", f"seq {seq} after {self.last_seq}"))
            self._events.append(CloseRequested(1001, "resync"))
            self._resync = True
            self.link = "closing"
            return False
        self.last_seq = seq
        return True

    def _handshake(self, header: env.HeaderView, model: Any, now: float) -> None:
        if header.type == "wiretype.error":
            self._events.append(ErrorReceived(model.code, model.message))
            return
        if header.type != "wiretype.welcome":
            return
        if header.epoch is not None:
            self.epoch = header.epoch
        self._welcomed(model, now)

    def _welcomed(self, welcome: Any, now: float) -> None:
        resumed = bool(welcome.resumed) and welcome.session == self.session
        if not resumed:
            self.last_seq = 0
            self._gap_at = None
            self._seen = DedupeWindow(self.settings.dedupe_size, self.settings.dedupe_ms)
        self.session = welcome.session
        self.versions = self._spoken_of(welcome.versions)
        self.limits = welcome.limits.model_dump()
        self.heartbeat_ms = welcome.heartbeat_ms
        self.link = "open"
        self.opened_at = now
        self._set_state("open")
        self._events.append(
            Welcomed(welcome.session, resumed, dict(self.versions), welcome.heartbeat_ms)
        )
        for pending in self.outbox.resume(now):
            self._out.append(pending.frame)
        if not resumed and self.topics:
            self._subscribe_frame(sorted(self.topics), now)
        if resumed:
            self._tell_topics_changed(now)
        self._later_subscribe.clear()
        self._later_unsubscribe.clear()
        self._flush(now)

    def _tell_topics_changed(self, now: float) -> None:
        """A resumed session kept its subscriptions: only what changed meanwhile goes."""
        added = sorted(t for t in self._later_subscribe if t in self.topics)
        gone = sorted(t for t in self._later_unsubscribe if t not in self.topics)
        if added:
            self._subscribe_frame(added, now)
        if gone:
            self._unsubscribe_frame(gone, now)

    def _control_in(self, header: env.HeaderView, model: Any, now: float) -> None:
        name = header.type
        if name == "wiretype.ack":
            self._acked(model.re, now)
        elif name == "wiretype.ping":
            self._out.append(self._control("wiretype.pong", {"nonce": model.nonce}) + "}")
        elif name == "wiretype.nack":
            self._nacked(model, now)
        elif name == "wiretype.status":
            retry = model.retry_in_ms if isinstance(model.retry_in_ms, int) else None
            detail = model.detail if isinstance(model.detail, str) else None
            if model.state == "draining" and retry is not None:
                self._retry_in = max(0, retry)
            self._events.append(StatusReceived(model.state, model.reason, retry, detail))
        elif name == "wiretype.error":
            self._events.append(
                ErrorReceived(
                    model.code, model.message, model.re if isinstance(model.re, str) else None
                )
            )
        elif name == "wiretype.presence":
            self._events.append(MessageReceived(header, model, header.v))

    def _message_in(self, header: env.HeaderView, model: Any, now: float) -> None:
        if header.ttl is not None:
            expires = header.expires_at()
            if expires is not None and expires <= now:
                self._events.append(Dropped("expired"))
                return
        info = self.app.messages.get(header.type)
        if info is not None and model.__wire_version__ != info.latest:
            try:
                model = self.app.convert(model, info.latest)
            except Exception as exc:
                if not self.app.is_decode_error(exc):
                    raise
                self._events.append(ProtocolProblem("invalid", "cannot convert", header.id))
                return
        if self._seen.get(header.id, now) is not None:
            self.ack(header)  # a message sent again: the same answer, not a second delivery
            return
        self._seen.remember(header.id, "", now)
        self._events.append(MessageReceived(header, model, header.v))

    def _decode(self, package: Package, header: env.HeaderView, data: Any) -> Any:
        if header.type not in package.messages or header.v not in package.module.MESSAGES.get(
            header.type, {}
        ):
            self._events.append(
                ProtocolProblem("unsupported_version", f"{header.type} v{header.v}", header.id)
            )
            return None
        try:
            return package.decode_data(header.type, header.v, data)
        except Exception as exc:
            if not package.is_decode_error(exc):
                raise
            self._events.append(
                ProtocolProblem(
                    "invalid", f"invalid {header.type}", header.id, tuple(package.errors_of(exc))
                )
            )
            return None

    def ack(self, header: env.HeaderView) -> None:
        """The application took a message that asked for an ack."""
        if header.ack and self.link == "open":
            quoted = env.quote(header.id)
            self._out.append(
                f'{{"type":"wiretype.ack","v":1,"id":"{self.new_id()}",'
                f'"data":{{"re":{quoted}}},"re":{quoted}}}'
            )

    def _acked(self, message_id: str, now: float) -> None:
        pending = self.outbox.settle(message_id)
        if pending is not None:
            self._forget(message_id)
            self._events.append(AckReceived(message_id, now - pending.sent_at))
            self._flush(now)

    def _nacked(self, nack: Any, now: float) -> None:
        pending = self.outbox.settle(nack.re)
        if pending is None:
            return
        retry = nack.retry_after_ms if isinstance(nack.retry_after_ms, int) else None
        if retry is not None and pending.attempts < self.outbox.retries:
            again = self.outbox.add(
                pending.id, pending.frame, pending.prio, now, pending.expires_at
            )
            again.attempts = pending.attempts
            again.deadline = now + retry
            return
        errors = tuple(e.model_dump() for e in getattr(nack, "errors", ()))
        self._forget(pending.id)
        self._events.append(SendFailed(pending.id, nack.code, nack.reason, errors, retry))
        self._flush(now)

    # --- application -> server ------------------------------------------------------------

    def send(
        self,
        model: Any,
        now: float,
        *,
        ack: bool = False,
        prio: int = env.DEFAULT_PRIO,
        ttl: int | None = None,
        volatile: bool = False,
        message_id: str | None = None,
    ) -> str | None:
        """Send now when open (and under the in-flight limit), else queue; the id, or None
        when a volatile message was dropped because the link is not open."""
        name = getattr(type(model), "__wire_name__", None)
        if not isinstance(name, str):
            raise TypeError(
                f"send takes a message model of the generated package, not {type(model).__name__}"
            )
        info = self.app.messages.get(name) or self.protocol.messages.get(name)
        if info is None:
            raise ValueError(f"{type(model).__name__} is not a message of {self.app.name}")
        if not info.sent_by_client():
            raise ValueError(f"{name} is sent by the server only")
        if not 0 <= prio <= 9:
            raise ValueError("prio is 0 (highest) to 9 (lowest)")
        if self.state == "closed":
            raise SendFailedError(message_id or "", "closed", "the client is closed")
        if self.link == "open" and name not in self.versions:
            raise SendFailedError(
                message_id or "", "unsupported_version", f"the server does not speak {name}"
            )
        ident = message_id or self.new_id()
        ts = int(now) if ttl is not None else None
        outgoing = Outgoing(ident, name, model, ack, prio, ts, ttl, 0)
        if (
            self.link == "open"
            and (not ack or len(self.outbox) < self._max_in_flight())
            and not self.queue
        ):
            self._write(outgoing, now)
            return ident
        if volatile:
            self._events.append(Dropped("volatile"))
            return None
        self._enqueue(outgoing)
        return ident

    def subscribe(self, topics: Iterable[str], now: float) -> str | None:
        new = sorted(set(topics))
        self.topics.update(new)
        if self.link == "open" and new:
            return self._subscribe_frame(new, now)
        self._later_unsubscribe.difference_update(new)
        self._later_subscribe.update(new)
        return None

    def unsubscribe(self, topics: Iterable[str], now: float) -> str | None:
        gone = sorted(set(topics) & self.topics)
        self.topics.difference_update(gone)
        if self.link == "open" and gone:
            return self._unsubscribe_frame(gone, now)
        self._later_subscribe.difference_update(gone)
        self._later_unsubscribe.update(gone)
        return None

    def _subscribe_frame(self, topics: list[str], now: float) -> str | None:
        model = self.protocol.model("wiretype.subscribe", 1)(topics=topics[:100])
        return self.send(model, now, ack=True, prio=0)

    def _unsubscribe_frame(self, topics: list[str], now: float) -> str | None:
        model = self.protocol.model("wiretype.unsubscribe", 1)(topics=topics[:100])
        return self.send(model, now, ack=True, prio=0)

    def _max_in_flight(self) -> int:
        return int(self.limits.get("max_in_flight", self.settings.max_in_flight))

    def _enqueue(self, outgoing: Outgoing) -> None:
        package = self.protocol if outgoing.type.startswith(PROTOCOL_PREFIX) else self.app
        outgoing.size = len(package.dump_json(outgoing.model).encode())
        if self.journal is not None and outgoing.type in self.app.messages:
            self.journal.put(
                outgoing, self.app.dump_json(outgoing.model), outgoing.model.__wire_version__
            )
        dropped = self.queue.push(
            Item(outgoing, outgoing.prio, outgoing.size, outgoing.expires_at())
        )
        for item in dropped:
            self._lost(item.payload, "overflow")

    def _fail(self, message_id: str, code: str, reason: str) -> None:
        self._forget(message_id)
        self._events.append(SendFailed(message_id, code, reason))

    def _lost(self, outgoing: Outgoing, reason: str, code: str | None = None) -> None:
        self._forget(outgoing.id)
        self._events.append(Dropped(reason))
        if outgoing.ack:
            self._events.append(SendFailed(outgoing.id, code or reason, f"dropped ({reason})"))

    def _flush(self, now: float) -> None:
        """Write what the queue holds, priority then age, while the link is open."""
        while self.link == "open" and self.queue:
            if len(self.outbox) >= self._max_in_flight():
                return
            item, expired = self.queue.pop(now)
            for gone in expired:
                self._lost(gone.payload, "expired")
            if item is None:
                return
            self._write(item.payload, now)

    def _write(self, outgoing: Outgoing, now: float) -> None:
        package = self.protocol if outgoing.type.startswith(PROTOCOL_PREFIX) else self.app
        version = self.versions.get(outgoing.type)
        if version is None:  # queued while offline, and the server turned out not to speak it
            self._lost(outgoing, "unsupported", "unsupported_version")
            return
        try:
            data_json = package.dump_json(package.convert(outgoing.model, version))
        except Exception as exc:
            if not package.is_decode_error(exc):
                raise
            self._lost(outgoing, "invalid", "invalid")
            return
        frame = (
            env.body(
                outgoing.type,
                version,
                outgoing.id,
                data_json,
                ack=outgoing.ack,
                ts=outgoing.ts,
                ttl=outgoing.ttl,
                prio=outgoing.prio,
            )
            + "}"
        )
        limit = self.limits.get("max_frame_bytes")
        # (a character is at most 4 bytes of UTF-8: most frames need no encoding to know)
        if limit is not None and len(frame) * 4 > limit and len(frame.encode()) > limit:
            # the server would close with 1009, and the resend after reconnecting would too
            self._lost(outgoing, "too_large", "too_large")
            return
        self._out.append(frame)
        if outgoing.ack:
            self.outbox.add(outgoing.id, frame, outgoing.prio, now, outgoing.expires_at())
        else:
            self._forget(outgoing.id)

    def _forget(self, message_id: str) -> None:
        if self.journal is not None:
            self.journal.remove(message_id)

    def restore(self, items: Iterable[Outgoing]) -> None:
        """Put back what a journal kept across a restart (before the first connect)."""
        for outgoing in items:
            for item in self.queue.push(
                Item(outgoing, outgoing.prio, outgoing.size, outgoing.expires_at())
            ):
                self._lost(item.payload, "overflow")

    # --- time -----------------------------------------------------------------------------

    def tick(self, now: float) -> None:
        if (
            self.link in ("handshake", "open")
            and now - self.last_heard >= self.heartbeat_ms + self.settings.heartbeat_grace_ms
        ):
            self._events.append(CloseRequested(4410, "heard nothing from the server"))
            self.link = "closing"
        resend, failed, expired = self.outbox.due(now)
        for pending in resend:
            if self.link == "open":
                self._out.append(pending.frame)
        for pending in failed:
            self._forget(pending.id)
            self._events.append(SendFailed(pending.id, "timeout", "no ack after the retries"))
        for pending in expired:
            self._forget(pending.id)
            self._events.append(SendFailed(pending.id, "expired", "expired before its ack"))
        for item in self.queue.expire(now):
            self._lost(item.payload, "expired")
        if failed or expired:
            self._flush(now)

    # --- helpers --------------------------------------------------------------------------

    def new_id(self) -> str:
        self._ids += 1
        return f"{self._prefix}-{self._ids}"

    def _spoken_of(self, chosen: Mapping[str, int]) -> dict[str, int]:
        """The welcome's versions this client can read and write; a version it never offered
        (a broken server) is told as a problem and left out, so sending that message fails as
        one the server does not speak instead of failing to convert."""
        speaks = self._speaks()
        usable = {n: v for n, v in chosen.items() if v in speaks.get(n, ())}
        strange = sorted(f"{n} v{v}" for n, v in chosen.items() if n not in usable)
        if strange:
            self._events.append(
                ProtocolProblem(
                    "unsupported_version",
                    "the welcome names versions this client does not speak: " + ", ".join(strange),
                )
            )
        return usable

    def _speaks(self) -> dict[str, list[int]]:
        speaks = {n: list(i.versions) for n, i in self.protocol.messages.items()}
        speaks.update(
            {
                n: list(i.versions)
                for n, i in self.app.messages.items()
                if not n.startswith(PROTOCOL_PREFIX)
            }
        )
        return speaks

    def _control(
        self, name: str, data: Mapping[str, Any], *, versions: Mapping[str, int] | None = None
    ) -> str:
        info = self.protocol.messages[name]
        spoken = self.versions if versions is None else versions
        version = spoken.get(name, info.latest)
        model = self.protocol.model(name, info.latest).model_validate(dict(data))
        data_json = self.protocol.dump_json(self.protocol.convert(model, version))
        return env.body(name, version, self.new_id(), data_json)
