"""What a new user of the persistence and scale-out runtime tries first, from the docs alone:
several endpoints for one client, store and broker URLs with a typo, a server told to stop
while a peer no longer answers, `wiretype dlq` with the id the user knows."""

from __future__ import annotations

import chat_protocol as proto
import pytest

from tests.runtime.e2e import FAST, bounded
from tests.runtime.redis_server import free_port
from wiretype import Client, Server

pytestmark = pytest.mark.timeout(30)


@bounded
async def test_a_client_given_url_and_urls_dials_every_one_of_them() -> None:
    nobody = f"ws://127.0.0.1:{free_port()}"  # nothing listens there
    server = Server(proto, **FAST)
    async with server.serving():
        live = f"ws://127.0.0.1:{server.port}"
        for first, more in ((nobody, [live]), (live, [nobody])):
            client = Client(proto, first, urls=more, **FAST)
            assert client.urls == [first, *more]
            await client.start()
            try:
                await client.wait_state("open", timeout=10)  # the live one, wherever it is
            finally:
                await client.close()
