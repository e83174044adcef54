"""Several nodes sharing Redis: topics cross nodes in each subscriber's version; a node killed
with SIGKILL, its clients fail over to the other and resume with nothing lost; ``--workers
2`` spreads connections over both processes and topics reach all of them."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import chat_protocol as proto
import pytest
import redis.asyncio as redis

from tests.runtime.e2e import FAST
from tests.runtime.helpers import sent_v3
from tests.runtime.procs import Served, write_app
from tests.runtime.redis_server import free_port
from wiretype import Client, Server

pytestmark = pytest.mark.timeout(90)
USER = "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11"


def _first_url_seed(urls: int = 2) -> random.Random:
    """A random source whose Client starts on the first of its urls."""
    seed = next(s for s in range(100) if random.Random(s).randrange(urls) == 0)
    return random.Random(seed)


PROBE = "probe"


async def _until_subscribed(redis_url: str, topic: str, nodes: int) -> None:
    """Wait until `nodes` Pub/Sub connections follow the topic's channel in Redis itself
    (PUBSUB NUMSUB), the moment a publish from any node reaches them all."""
    link = redis.from_url(redis_url)
    try:
        for _ in range(500):
            [(_, count)] = await link.pubsub_numsub(f"wt:t:{topic}")
            if count >= nodes:
                return
            await asyncio.sleep(0.01)
    finally:
        await link.aclose()
    raise AssertionError(f"{nodes} node(s) never subscribed to {topic} in Redis")


async def _until_live(publisher: Client, subscriber: Client) -> None:
    """Publish probes until the subscriber receives one: its node's Pub/Sub subscription is
    then live in Redis (a fixed wait for it failed on a loaded machine)."""
    for _ in range(50):
        await publisher.send(proto.TypingV1(room=PROBE, user_id=USER, typing=True), ack=True)
        try:
            got = await subscriber.receive(timeout=0.2)
        except TimeoutError:
            continue
        if getattr(got, "room", "") == PROBE:
            return
    raise AssertionError("the subscriber's node never received a probe through Redis")


def test_a_subscriber_on_one_node_gets_what_is_published_on_the_other_in_its_version(
    redis_url: str,
) -> None:
    async def main() -> None:
        one = Server(proto, store=redis_url, broker=redis_url)
        two = Server(proto, store=redis_url, broker=redis_url)
        async with one.serving(), two.serving():
            url = f"ws://127.0.0.1:{one.port}"
            async with Client(proto, url, speaks={"chat.message_sent": [1]}) as old:
                await old.subscribe("room.lobby")
                await _until_subscribed(redis_url, "room.lobby", 1)
                await two.publish("room.lobby", proto.MessageSentV3(**sent_v3("across")))
                got = await old.receive(timeout=5)
                assert type(got).__name__ == "MessageSentV1"  # the old client's latest
                assert got.text == "across"
        assert one.broker.kind == "redis"

    asyncio.run(main())


def test_a_node_killed_its_clients_resume_on_the_other_with_nothing_lost(
    redis_url: str, tmp_path: Path
) -> None:
    write_app(tmp_path)
    env = {"WT_STORE": redis_url, "WT_BROKER": redis_url}
    node_a = Served(tmp_path, free_port(), **env)
    node_b = Served(tmp_path, free_port(), **env)
    count = 30

    async def main() -> None:
        await node_a.start()
        await node_b.start()
        urls = [f"ws://127.0.0.1:{node_a.port}", f"ws://127.0.0.1:{node_b.port}"]
        subscriber = Client(proto, urls=urls, rng=_first_url_seed(), **FAST)
        async with subscriber, Client(proto, urls[1], **FAST) as publisher:
            await subscriber.subscribe("room.lobby")
            await _until_live(publisher, subscriber)  # node A's subscription reached Redis
            rooms: list[str] = []
            for n in range(count):
                await publisher.send(proto.TypingV1(room=f"r{n}", user_id=USER, typing=True),
                                     ack=True)  # fmt: skip
                if n == count // 3:
                    node_a.kill()
            while len(rooms) < count:
                got = await subscriber.receive(timeout=10)
                if type(got).__name__.startswith("Typing") and got.room != PROBE:
                    rooms.append(got.room)
            assert rooms == [f"r{n}" for n in range(count)]  # all, in order, none twice
            assert subscriber.resumed

    try:
        asyncio.run(main())
    finally:
        node_a.stop()
        node_b.stop()


def test_workers_share_the_port_and_topics_reach_all_of_them(
    redis_url: str, tmp_path: Path
) -> None:
    write_app(tmp_path)
    served = Served(tmp_path, 0, "--workers", "2", "--store", redis_url, "--broker", redis_url)

    async def main() -> None:
        port = await served.start()
        url = f"ws://127.0.0.1:{port}"
        clients = [Client(proto, url, **FAST) for _ in range(16)]
        try:
            for client in clients:
                await client.start()
                await client.wait_open(10)
                await client.subscribe("room.lobby")
            await _until_subscribed(redis_url, "room.lobby", 2)  # one per worker
            pids = set()
            for client in clients:
                await client.send(proto.TypingV1(room="pid?", user_id=USER, typing=True))
            for client in clients:
                while True:
                    room = getattr(await client.receive(timeout=10), "room", "")
                    if room.startswith("pid") and room != "pid?":
                        pids.add(room)
                        break
            assert len(pids) == 2  # both processes took connections
            await clients[0].send(proto.TypingV1(room="to-all", user_id=USER, typing=True))
            for client in clients:
                while getattr(await client.receive(timeout=10), "room", "") != "to-all":
                    pass
        finally:
            for client in clients:
                await client.close()
        assert await served.drain() == 0

    try:
        asyncio.run(main())
    finally:
        served.stop()
