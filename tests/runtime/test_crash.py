"""Crash tests: the server runs as a separate process and is killed with SIGKILL at random
points mid-stream (a bounded number of times), then started again on the same store.

- every acked client→server message is handled after the restart (durable handler);
- every server→client message published while the subscriber was away is delivered after
  its resume, in order, none twice."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path

import chat_protocol as proto
import pytest

from tests.runtime.e2e import FAST, frames_until, hello, raw
from tests.runtime.helpers import sent_v3
from tests.runtime.procs import Served, write_app
from tests.runtime.redis_server import free_port
from wiretype import Client

pytestmark = pytest.mark.timeout(120)
USER = "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11"
KILLS = 2


def _store(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'wt.db'}"
    return str(request.getfixturevalue("redis_url"))


async def _restart(served: Served) -> None:
    served.kill()
    await served.start()


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_every_acked_message_is_handled_after_kill_9(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    write_app(tmp_path)
    log = tmp_path / "handled.log"
    served = Served(
        tmp_path, free_port(), WT_STORE=_store(kind, tmp_path, request), WT_LOG=str(log)
    )
    count = 60
    kills = sorted(random.Random(kind).sample(range(5, count - 5), KILLS))

    async def main() -> None:
        await served.start()
        acked: list[str] = []
        async with Client(proto, f"ws://127.0.0.1:{served.port}", **FAST) as client:
            sends = []
            for n in range(count):
                body = f"m{n}"
                sends.append(asyncio.ensure_future(
                    client.send(proto.MessageSentV3(**sent_v3(body)), ack=True)
                ))  # fmt: skip
                if n in kills:
                    await asyncio.sleep(0)  # some are on the wire, some acked, some not
                    await _restart(served)
                if n % 7 == 0:
                    await asyncio.gather(*sends)
                    acked += [f"m{i}" for i in range(len(acked), len(sends))]
            await asyncio.gather(*sends)
            acked = [f"m{i}" for i in range(count)]
        while True:  # bounded by the test's timeout
            handled = (
                [line.split()[0] for line in log.read_text().splitlines()] if log.exists() else []
            )
            if set(acked) <= set(handled):
                break
            await asyncio.sleep(0.05)
        served.stop()
        assert set(acked) <= set(handled)

    try:
        asyncio.run(main())
    finally:
        served.stop()


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_what_was_published_while_away_survives_kill_9_in_order_once(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    write_app(tmp_path)
    served = Served(tmp_path, free_port(), WT_STORE=_store(kind, tmp_path, request))
    count = 40
    kills = sorted(random.Random(f"away-{kind}").sample(range(3, count - 3), KILLS))

    async def main() -> None:
        await served.start()
        ws = await raw(served.port)
        await ws.send(hello())
        welcome = await frames_until(ws, "wiretype.welcome")
        session, epoch = welcome["data"]["session"], welcome["epoch"]
        subscribe = {"type": "wiretype.subscribe", "v": 1, "id": "s1", "ack": True,
                     "data": {"topics": ["room.lobby"]}}  # fmt: skip
        await ws.send(json.dumps(subscribe))
        last_seq = (await frames_until(ws, "wiretype.ack"))["seq"]
        assert ws.transport is not None
        ws.transport.abort()  # away, without a 1000 close: the session waits for a resume
        async with Client(proto, f"ws://127.0.0.1:{served.port}", **FAST) as publisher:
            for n in range(count):
                typing = proto.TypingV1(room=f"r{n}", user_id=USER, typing=True)
                await publisher.send(typing, ack=True)
                if n in kills:
                    await _restart(served)
        back = await raw(served.port)
        resume = {"session": session, "last_seq": last_seq, "epoch": epoch}
        await back.send(hello(resume=resume))
        again = await frames_until(back, "wiretype.welcome")
        assert again["data"]["resumed"] is True
        rooms = []
        while len(rooms) < count:
            try:
                frame = await frames_until(
                    back, "chat.typing", skip=("wiretype.ping", "wiretype.presence")
                )
            except Exception:
                raise AssertionError(f"got only {rooms}") from None
            rooms.append(frame["data"]["room"])
        assert rooms == [f"r{n}" for n in range(count)]  # all, in order, none twice
        await back.close()

    try:
        asyncio.run(main())
    finally:
        served.stop()
