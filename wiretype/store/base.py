"""The store interface: sessions (with their replay buffer, pending frames, dedupe window
and subscriptions) found by id, created fresh, and expired ``session_ttl_ms`` after their
last connection ended. Methods are coroutines so that networked stores fit."""

from __future__ import annotations

from typing import Any, Protocol

from ..protocol.session import Session


class Store(Protocol):
    epoch: int  # changes when the store loses its sessions (a restart of a memory store)

    async def create(self, versions: dict[str, int], principal: Any, now: float) -> Session: ...

    async def find(self, session_id: str) -> Session | None: ...

    async def drop(self, session_id: str) -> None: ...

    async def expire(self, now: float, ttl_ms: float) -> list[Session]: ...

    def __len__(self) -> int: ...
