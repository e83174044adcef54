"""The core's small parts: the priority queue, the dedupe window, the token bucket."""

from __future__ import annotations

import pytest

from wiretype.errors import ConfigurationError, Reject
from wiretype.protocol.delivery import DedupeWindow
from wiretype.protocol.limits import Settings, TokenBucket
from wiretype.protocol.queues import Item, PriorityQueue


def _queue(
    *items: tuple[str, int, float | None], count: int = 100, size: int = 10_000
) -> PriorityQueue[str]:
    queue: PriorityQueue[str] = PriorityQueue(count, size)
    for payload, prio, expires in items:
        queue.push(Item(payload, prio, len(payload), expires))
    return queue


def test_lower_prio_first_then_oldest_first() -> None:
    queue = _queue(("a", 4, None), ("b", 0, None), ("c", 4, None), ("d", 9, None), ("e", 0, None))
    live, expired = queue.drain(0)
    assert [i.payload for i in live] == ["b", "e", "a", "c", "d"]
    assert expired == []


def test_expired_items_are_dropped_and_returned_never_popped() -> None:
    queue = _queue(("old", 0, 10.0), ("new", 4, None), ("later", 4, 100.0))
    assert [i.payload for i in queue.expire(10.0)] == ["old"]
    item, skipped = queue.pop(100.0)
    assert item is not None and item.payload == "new" and skipped == []
    item, skipped = queue.pop(100.0)
    assert item is None and [i.payload for i in skipped] == ["later"]
    assert len(queue) == 0 and queue.size_bytes == 0


def test_overflow_drops_what_would_be_sent_last() -> None:
    queue = _queue(("a", 1, None), ("b", 5, None), count=2)
    dropped = queue.push(Item("c", 5, 1))
    assert [i.payload for i in dropped] == ["c"]
    dropped = queue.push(Item("z", 0, 1))
    assert [i.payload for i in dropped] == ["b"]
    assert [i.payload for i in queue] == ["z", "a"]


def test_the_byte_bound_counts_sizes() -> None:
    queue = _queue(("aaaa", 4, None), size=6)
    assert [i.payload for i in queue.push(Item("bbbb", 4, 4))] == ["bbbb"]
    assert queue.size_bytes == 4
    assert [i.payload for i in queue.push(Item("x" * 7, 0, 7))] == ["x" * 7]


def test_dedupe_window_is_bounded_by_count_and_time() -> None:
    window = DedupeWindow(size=2, ms=100)
    window.remember("a", "A", 0)
    window.remember("b", "B", 10)
    window.remember("c", "C", 20)
    assert window.get("a", 20) is None and window.get("b", 20) == "B"
    assert window.get("c", 119) == "C" and window.get("c", 120) is None
    window.prune(200)
    assert len(window) == 0


def test_token_bucket_bursts_then_refills_at_the_rate() -> None:
    bucket = TokenBucket(rate=10, burst=3, now=0)
    assert [bucket.take(0) for _ in range(4)] == [True, True, True, False]
    assert bucket.wait_ms() <= 100
    assert bucket.take(100)
    assert not bucket.take(100)


def test_settings_refuse_unknown_names_and_bad_values() -> None:
    assert Settings.build(heartbeat_ms=5).heartbeat_ms == 5
    with pytest.raises(ConfigurationError, match="unknown"):
        Settings.build(heartbeat=5)
    with pytest.raises(ConfigurationError, match=">= 0"):
        Settings.build(retries=-1)


def test_reject_takes_only_nack_codes() -> None:
    assert Reject("forbidden", "no").code == "forbidden"
    with pytest.raises(ConfigurationError):
        Reject("nope")


def test_a_clock_that_steps_back_does_not_empty_the_bucket() -> None:
    bucket = TokenBucket(rate=10, burst=2, now=1_000)
    assert bucket.take(500)
    assert bucket.take(500)
    assert not bucket.take(500)
    assert bucket.take(600)
