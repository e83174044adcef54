"""What the parts of ``ServerConnection`` share: its ``State`` and, for the type checker,
the attributes and methods each part uses of the others (``inbound.py``: frames from the
client; ``outbound.py``: answers and frames to it; ``server.py``: the handshake and life)."""

from __future__ import annotations

import enum
import random
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import envelope as env
    from .delivery import Outbox
    from .events import Event
    from .heartbeat import Heartbeat
    from .limits import Settings, TokenBucket
    from .package import Package
    from .queues import PriorityQueue
    from .session import Session

__all__ = ["Parts", "State"]


class State(enum.IntEnum):
    CONNECTING = 0  # before welcome
    OPEN = 1
    CLOSING = 2  # close asked for, waiting for the transport
    CLOSED = 3


class Parts:
    """The base of the parts: no state of its own (the slots are ``ServerConnection``'s)."""

    if not TYPE_CHECKING:  # no state of its own; mypy reads the attributes below
        __slots__ = ()

    if TYPE_CHECKING:
        app: Package
        protocol: Package
        settings: Settings
        pinned: Mapping[str, int]
        state: State
        session: Session | None
        heartbeat: Heartbeat | None
        versions: dict[str, int]
        in_flight: int
        bad_frames: int
        client: str
        client_version: str
        _out: list[str]
        _events: list[Event]
        _last: tuple[str, Any, bool] | None
        _bucket: TokenBucket | None
        _strikes: int
        _outbox: Outbox | None
        _backlog: PriorityQueue[str] | None
        _rng: random.Random

        def close(self, code: int, reason: str = "") -> None: ...
        def new_id(self) -> str: ...
        def ack(self, header: env.HeaderView, now: float) -> None: ...
        def _write(
            self, body: str, expires_at: float | None, now: float, prio: int = ...
        ) -> None: ...
        def _refuse(
            self,
            header: env.HeaderView,
            code: str,
            reason: str,
            now: float,
            *,
            retry_after_ms: int | None = None,
            errors: Iterable[Mapping[str, str]] = (),
        ) -> None: ...
        def _error_body(self, code: str, message: str, re: str | None) -> str: ...
        def _problem(self, problem: env.FrameProblem, now: float) -> None: ...
        def _window(self) -> Any: ...
