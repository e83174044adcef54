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

This module holds the connection's life (input, deadlines, the handshake, the end); what it
does with frames from the client is in ``inbound.py``, what it writes in ``outbound.py``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from . import envelope as env
from .delivery import Outbox
from .events import CloseRequested, Dropped, Event, HelloReceived, ProtocolProblem, SendFailed
from .heartbeat import Heartbeat
from .inbound import MAX_TOPIC, Inbound
from .limits import Settings, TokenBucket
from .negotiation import negotiate
from .outbound import Outbound, control_body, enqueue_detached
from .package import Package, runtime_package
from .parts import State
from .queues import PriorityQueue
from .session import Session

__all__ = [
    "MAX_TOPIC",
    "ServerConnection",
    "State",
    "control_body",
    "enqueue_detached",
    "shared_versions",
]


class ServerConnection(Inbound, Outbound):
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
        # (first bytes, validator, usual) of the last frame read the fast way; usual: a
        # message of the app from the client in its negotiated version, which its handler
        # reads as is (no direction, version or conversion to look at)
        self._last: tuple[str, Any, bool] | None = None
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
        if session.log is not None:
            session.log.pending_taken(session)
        if expired:
            self._events.append(Dropped("expired", len(expired)))
        for item in live:
            self._write(item.payload, item.expires_at, now)

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
