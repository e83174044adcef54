"""The default store: sessions, the durable queue and the dead letters in this process. Its
epoch is drawn at start, so a restarted server answers every resume with ``resumed: false``
(and durable jobs do not survive a restart: use ``sqlite://`` or ``redis://`` for that)."""

from __future__ import annotations

import heapq
import itertools
from dataclasses import replace

from .base import DeadLetter, Job, Store


class MemoryStore(Store):
    kind = "memory"

    def __init__(self, epoch: int | None = None, url: str = "memory://") -> None:
        super().__init__(url)
        if epoch is not None:
            self.epoch = epoch
        self._ready: list[tuple[int, float, int, Job]] = []  # (prio, next_at, order, job)
        self._order = itertools.count()
        self._dead: dict[str, DeadLetter] = {}
        self.opened = True
        if not self.epoch:
            self.epoch = _drawn()

    def enqueue(self, job: Job) -> None:
        self._push(job)
        if self.on_jobs is not None:
            self.on_jobs()

    def _push(self, job: Job) -> None:
        heapq.heappush(self._ready, (job.prio, job.next_at, next(self._order), job))

    async def claim(self, limit: int, now: float) -> list[Job]:
        out: list[Job] = []
        later: list[tuple[int, float, int, Job]] = []
        while self._ready and len(out) < limit:
            entry = heapq.heappop(self._ready)
            if entry[1] <= now:
                out.append(entry[3])
            else:
                later.append(entry)
        for entry in later:
            heapq.heappush(self._ready, entry)
        return out

    def finish(self, job: Job) -> None:
        return None

    def retry(self, job: Job) -> None:
        self._push(job)

    def bury(self, job: Job, error: str, now: float) -> None:
        self._dead[job.id] = DeadLetter(job, error, now)

    async def dead_letters(self, limit: int = 1000) -> list[DeadLetter]:
        return sorted(self._dead.values(), key=lambda d: d.failed_at)[:limit]

    async def dead_letter(self, job_id: str) -> DeadLetter | None:
        return self._dead.get(job_id)

    async def revive(self, job_id: str, now: float) -> bool:
        dead = self._dead.pop(job_id, None)
        if dead is None:
            return False
        self.enqueue(replace(dead.job, attempts=0, next_at=now, error=""))
        return True

    async def discard(self, job_id: str) -> bool:
        return self._dead.pop(job_id, None) is not None


def _drawn() -> int:
    import secrets

    return secrets.randbelow(2**31 - 1) + 1
