"""The default store: sessions in a dict of this process. Its epoch is drawn at start, so a
restarted server answers every resume with ``resumed: false``."""

from __future__ import annotations

import secrets
from typing import Any

from ..protocol.session import Session


class MemoryStore:
    __slots__ = ("_sessions", "epoch")

    def __init__(self, epoch: int | None = None) -> None:
        self.epoch = epoch if epoch is not None else secrets.randbelow(2**31 - 1) + 1
        self._sessions: dict[str, Session] = {}

    def __len__(self) -> int:
        return len(self._sessions)

    async def create(self, versions: dict[str, int], principal: Any, now: float) -> Session:
        session = Session(secrets.token_urlsafe(18), self.epoch, versions, principal=principal)
        self._sessions[session.id] = session
        return session

    async def find(self, session_id: str) -> Session | None:
        session = self._sessions.get(session_id)
        return None if session is None or session.closed else session

    async def drop(self, session_id: str) -> None:
        self._sessions.pop(session_id, None)

    async def expire(self, now: float, ttl_ms: float) -> list[Session]:
        gone = [
            s
            for s in self._sessions.values()
            if s.closed or (s.detached_at is not None and s.detached_at + ttl_ms <= now)
        ]
        for session in gone:
            del self._sessions[session.id]
            session.closed = True
        return gone
