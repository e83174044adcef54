"""Brokers: how a publish reaches the subscribers on other processes and nodes.

``memory`` (the default) is this process alone. ``redis://host:port/db`` spreads topics over
Redis Pub/Sub: ONE subscriber connection per node (never one per client), subscribed to the
channels of the topics this node's sessions follow, plus one control channel (presence,
sessions taken over by another node, sends to a session held elsewhere). A publish goes out
once per node, in the publisher's version; each node decodes it once and encodes it once
per version among its own subscribers. (The Redis store keeps each topic's last messages,
so that a session whose node was killed picks up, on the node it resumes on, what was
published while it had no node: see ``RedisStore.missed``.) ``?sharded=1`` uses sharded Pub/Sub
(``SPUBLISH`` / ``SSUBSCRIBE``) for Redis Cluster.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Callable
from typing import Any

__all__ = ["Broker", "RedisBroker", "open_broker"]

log = logging.getLogger("wiretype")
CONTROL = "wt:control"

Deliver = Callable[[str, str], None]  # (topic, payload) from another node
Control = Callable[[dict[str, Any]], None]


class Broker:
    """The in-process broker: nothing leaves this process."""

    kind = "memory"
    distributed = False

    def __init__(self, url: str = "memory://") -> None:
        self.url = url
        self.node = secrets.token_hex(6)
        self.healthy = True
        self.problem = ""

    async def start(self, deliver: Deliver, control: Control) -> None:
        return None

    async def close(self) -> None:
        return None

    def interest(self, topic: str, on: bool) -> None:
        return None

    def publish(self, topic: str, payload: str) -> None:
        return None

    def control(self, message: dict[str, Any]) -> None:
        return None

    def status(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "healthy": self.healthy}
        if self.problem:
            out["problem"] = self.problem
        return out


class RedisBroker(Broker):
    kind = "redis"
    distributed = True

    def __init__(self, url: str) -> None:
        from .errors import ConfigurationError
        from .store.redis import redis_url_problem

        base, _, query = url.partition("?")
        problem = redis_url_problem(base)
        if problem is not None:
            raise ConfigurationError(f"broker {url}: {problem}")
        super().__init__(base)
        self.sharded = "sharded=1" in query or "sharded=true" in query
        self.redis: Any = None
        self._topics: set[str] = set()
        self._changes: asyncio.Queue[tuple[str, bool]] | None = None
        self._out: list[tuple[str, str]] = []
        self._flushing = False
        self._tasks: list[asyncio.Task[None]] = []
        self._deliver: Deliver | None = None
        self._control: Control | None = None
        self._pubsub: Any = None

    async def start(self, deliver: Deliver, control: Control) -> None:
        from .store.redis import connect

        self._deliver, self._control = deliver, control
        self.redis = connect(self.url)
        try:
            await self.redis.ping()
        except Exception as exc:
            await self.redis.aclose()
            from .store.base import StoreError

            raise StoreError(self.url, f"cannot reach Redis: {exc}", what="broker") from None
        self._changes = asyncio.Queue()
        self._pubsub = await self._subscribed()
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._read()), loop.create_task(self._follow())]

    async def close(self) -> None:
        await self._flush()
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        with contextlib.suppress(Exception):
            if self._pubsub is not None:
                await self._pubsub.aclose()
            await self.redis.aclose()

    # --- subscriptions (one connection for the node) --------------------------------------

    async def _subscribed(self) -> Any:
        pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(CONTROL)
        channels = [_channel(t) for t in self._topics]
        if channels:
            await (pubsub.ssubscribe if self.sharded else pubsub.subscribe)(*channels)
        return pubsub

    def interest(self, topic: str, on: bool) -> None:
        if (topic in self._topics) == on:
            return
        (self._topics.add if on else self._topics.discard)(topic)
        if self._changes is not None:
            self._changes.put_nowait((topic, on))

    async def _follow(self) -> None:
        assert self._changes is not None
        while True:
            topic, on = await self._changes.get()
            if (topic in self._topics) != on:
                continue
            try:
                if self.sharded:
                    call = self._pubsub.ssubscribe if on else self._pubsub.sunsubscribe
                else:
                    call = self._pubsub.subscribe if on else self._pubsub.unsubscribe
                await call(_channel(topic))
            except Exception as exc:
                self._down(exc)

    async def _read(self) -> None:
        delay = 0.05
        while True:
            try:
                async for message in self._messages():
                    self._heard(message)
                    delay = 0.05
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._down(exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                with contextlib.suppress(Exception):
                    await self._pubsub.aclose()
                with contextlib.suppress(Exception):
                    self._pubsub = await self._subscribed()
                    self.healthy, self.problem = True, ""
                    log.warning("broker %s reachable again", self.url)

    async def _messages(self) -> Any:
        while True:
            message = await self._pubsub.get_message(timeout=1.0)
            if message is not None:
                yield message

    def _heard(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind not in ("message", "smessage"):
            return
        channel, data = message["channel"], message["data"]
        if channel == CONTROL:
            found = json.loads(data)
            if found.get("node") != self.node and self._control is not None:
                self._control(found)
        elif self._deliver is not None:
            topic = channel[len("wt:t:") :]
            if topic in self._topics:
                self._deliver(topic, data)

    def _down(self, exc: BaseException) -> None:
        """The first failure is the problem told: the retries that follow fail on the closed
        subscription ("pubsub connection not set"), which says nothing about Redis."""
        if self.healthy:
            log.warning("broker %s unreachable: %s", self.url, exc)
            self.problem = f"{type(exc).__name__}: {exc}"[:300]
        self.healthy = False

    # --- publishing -----------------------------------------------------------------------

    def publish(self, topic: str, payload: str) -> None:
        self._queue(_channel(topic), payload, topic)

    def control(self, message: dict[str, Any]) -> None:
        self._queue(CONTROL, json.dumps({**message, "node": self.node}), None)

    def _queue(self, channel: str, payload: str, topic: str | None) -> None:
        self._out.append((channel, payload if topic is None else f"{topic}\n{payload}"))
        if not self._flushing:
            self._flushing = True
            asyncio.get_running_loop().create_task(self._flush())

    async def _flush(self) -> None:
        """What was published during one turn of the loop: one pipelined round trip."""
        try:
            await asyncio.sleep(0)
            while self._out:
                out, self._out = self._out, []
                pipe = self.redis.pipeline(transaction=False)
                for channel, payload in out:
                    if channel == CONTROL:
                        pipe.publish(channel, payload)
                        continue
                    _, _, body = payload.partition("\n")
                    (pipe.spublish if self.sharded else pipe.publish)(channel, body)
                try:
                    await pipe.execute()
                except Exception as exc:
                    self._down(exc)
        finally:
            self._flushing = False


def _channel(topic: str) -> str:
    return f"wt:t:{topic}"


def open_broker(url: str | Broker | None) -> Broker:
    if isinstance(url, Broker):
        return url
    from .errors import ConfigurationError

    if url is not None and not isinstance(url, str):
        raise ConfigurationError(f"broker {url!r}: give a URL or a Broker")
    if url is None or url.split(":", 1)[0] == "memory":
        return Broker()
    if url.split(":", 1)[0] in ("redis", "rediss", "valkey"):
        return RedisBroker(url)
    raise ConfigurationError(f"broker {url!r}: not a broker URL (memory://, redis://host:port/db)")
