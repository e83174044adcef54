"""Write-ahead: with a durable store, no frame leaves before what it depends on is durable.

Every frame the core stamps is written to the store (its replay), every ack follows a
stored answer (the dedupe window) or a stored job (a durable handler). So that a crash can
never take back what a client already saw, the hub hands frames to ``Hold.write`` instead
of the transport while the store has writes in flight; they go out, in order, when the
batch that holds their writes is durable (one commit releases every connection waiting on
it). A store that is unreachable releases everything at once: the node keeps serving live
traffic without durability and reports itself degraded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .context import Link
    from .hub import Hub

__all__ = ["Hold"]


class Hold:
    __slots__ = ("_armed_for", "_holding", "_hub")

    def __init__(self, hub: Hub) -> None:
        self._hub = hub
        self._holding: list[Link] = []
        self._armed_for = 0  # the store batch the newest release waits for

    def needed(self, link: Link) -> bool:
        store = self._hub.store
        return store.durable and store.healthy and (link.held is not None or store.unsynced)

    def write(self, link: Link, frames: list[str]) -> None:
        target = self._hub.store.next_batch
        if link.held is None:
            link.held = []
            self._holding.append(link)
        link.held.extend(frames)
        link.held_until = max(link.held_until, target)
        if self._armed_for < target:
            self._armed_for = target
            self._hub.store.on_synced(self._release)

    def close_after(self, link: Link, code: int, reason: str) -> bool:
        """Close ``link`` once its held frames are out (True), or now (False: none held)."""
        if link.held is None:
            return False
        link.closing = (code, reason)
        return True

    def _release(self) -> None:
        done = self._hub.store.synced_through
        keep: list[Link] = []
        for link in self._holding:
            if link.held_until > done:
                keep.append(link)
                continue
            frames, link.held = link.held, None
            if link.number in self._hub.links and frames:
                self._hub.write_now(link, frames)
            if link.closing is not None:
                code, reason = link.closing
                link.closing = None
                self._hub.close_link(link, code, reason)
        self._holding = keep
