"""``ClientPool``: connections opened lazily up to ``size``, sends spread over the least busy,
a send whose connection drops before its ack sent again on another, status for metrics."""

from __future__ import annotations

import asyncio

import chat_protocol as proto
import pytest

from tests.runtime.e2e import FAST
from tests.runtime.helpers import sent_v3
from wiretype import ClientPool, Context, Server

pytestmark = pytest.mark.timeout(30)


def test_the_pool_opens_lazily_spreads_sends_and_survives_a_dropped_connection() -> None:
    async def main() -> None:
        server = Server(proto)
        seen: list[tuple[int, str]] = []
        gate, holding = asyncio.Event(), asyncio.Event()

        @server.on("chat.message_sent")
        async def posted(msg: proto.MessageSent, ctx: Context) -> None:
            seen.append((ctx.connection_id, msg.body))
            if msg.body == "held":
                holding.set()
                await gate.wait()

        async with server.serving():
            pool = ClientPool(proto, [f"ws://127.0.0.1:{server.port}"], size=3, **FAST)
            async with pool:
                assert pool.status()["connections"] == 0  # lazily
                await pool.send(proto.MessageSentV3(**sent_v3("one")), ack=True)
                held = asyncio.ensure_future(
                    pool.send(proto.MessageSentV3(**sent_v3("held")), ack=True)
                )
                await holding.wait()
                busy = next(n for n, body in seen if body == "held")
                await asyncio.gather(*(
                    pool.send(proto.MessageSentV3(**sent_v3(f"m{i}")), ack=True)
                    for i in range(10)
                ))  # fmt: skip
                assert {n for n, b in seen if b.startswith("m")} - {busy}  # others took them
                status = pool.status()
                assert status["size"] == 3 and 2 <= status["connections"] <= 3
                link = next(link for link in server.hub.links.values() if link.number == busy)
                link.transport.abort()  # its connection drops before the ack
                gate.set()
                await held  # sent again on another connection, acked there
                assert pool.resent >= 1
                assert [b for _, b in seen].count("held") >= 2
            assert pool.status()["connections"] == 0

    asyncio.run(main())
