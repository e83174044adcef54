"""A queue that sends lower ``prio`` first and, within a priority, oldest first.

Bounded by a count and a byte size; what overflows is what would be sent last (the new item
itself when it ranks last). Items past their expiry are dropped by ``expire`` and by ``pop``,
and every drop is returned, so the caller can count it: nothing stale is ever handed out.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(slots=True)
class Item(Generic[T]):
    payload: T
    prio: int
    size: int
    expires_at: float | None = None


class PriorityQueue(Generic[T]):
    """Ten FIFO lanes, one per priority, created on first use."""

    __slots__ = ("_bytes", "_count", "_lanes", "max_bytes", "max_count")

    def __init__(self, max_count: int, max_bytes: int) -> None:
        self._lanes: dict[int, deque[Item[T]]] = {}
        self._count = 0
        self._bytes = 0
        self.max_count = max_count
        self.max_bytes = max_bytes

    def __len__(self) -> int:
        return self._count

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def push(self, item: Item[T]) -> list[Item[T]]:
        """Add ``item``; return what overflowed (possibly ``item`` itself)."""
        if item.size > self.max_bytes or self.max_count <= 0:
            return [item]
        self._lanes.setdefault(item.prio, deque()).append(item)
        self._count += 1
        self._bytes += item.size
        dropped: list[Item[T]] = []
        while self._count > self.max_count or self._bytes > self.max_bytes:
            dropped.append(self._pop_last())
        return dropped

    def pop(self, now: float) -> tuple[Item[T] | None, list[Item[T]]]:
        """The next item to send (None when empty) and the expired ones skipped on the way."""
        expired: list[Item[T]] = []
        for prio in sorted(self._lanes):
            lane = self._lanes[prio]
            while lane:
                item = lane.popleft()
                self._forget(item)
                if item.expires_at is not None and item.expires_at <= now:
                    expired.append(item)
                    continue
                self._tidy(prio)
                return item, expired
            self._tidy(prio)
        return None, expired

    def drain(self, now: float) -> tuple[list[Item[T]], list[Item[T]]]:
        """Every live item in send order, and the expired ones."""
        live: list[Item[T]] = []
        expired: list[Item[T]] = []
        while True:
            item, skipped = self.pop(now)
            expired.extend(skipped)
            if item is None:
                return live, expired
            live.append(item)

    def expire(self, now: float) -> list[Item[T]]:
        """Drop and return every item whose expiry has passed."""
        dropped: list[Item[T]] = []
        for prio in list(self._lanes):
            lane = self._lanes[prio]
            gone = [i for i in lane if i.expires_at is not None and i.expires_at <= now]
            if gone:
                for item in gone:
                    self._forget(item)
                self._lanes[prio] = deque(i for i in lane if all(i is not g for g in gone))
                dropped.extend(gone)
                self._tidy(prio)
        return dropped

    def remove(self, payload: T) -> bool:
        for prio, lane in self._lanes.items():
            for item in lane:
                if item.payload is payload:
                    lane.remove(item)
                    self._forget(item)
                    self._tidy(prio)
                    return True
        return False

    def next_expiry(self) -> float | None:
        times = [
            i.expires_at for lane in self._lanes.values() for i in lane if i.expires_at is not None
        ]
        return min(times) if times else None

    def __iter__(self) -> Iterator[Item[T]]:
        for prio in sorted(self._lanes):
            yield from self._lanes[prio]

    def _pop_last(self) -> Item[T]:
        prio = max(self._lanes)
        item = self._lanes[prio].pop()
        self._forget(item)
        self._tidy(prio)
        return item

    def _forget(self, item: Item[T]) -> None:
        self._count -= 1
        self._bytes -= item.size

    def _tidy(self, prio: int) -> None:
        if not self._lanes.get(prio, True):
            del self._lanes[prio]
