"""A new user's mistakes in the options of ``Server``, ``Client`` and ``ClientPool``: each is a
``ConfigurationError`` naming the option when the object is built, never a TypeError deep
inside, a client that stays ``connecting`` forever, or a string taken for its characters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import chat_protocol as proto
import pytest
from websockets.exceptions import InvalidStatus

from tests.runtime.e2e import bounded, raw
from tests.runtime.helpers import sent_v3
from wiretype import Client, ClientPool, ConfigurationError, Server

pytestmark = pytest.mark.timeout(30)


@pytest.mark.parametrize(
    "url", ["junk", "http://127.0.0.1:8765", "ws://", "ws://127.0.0.1:99999", "127.0.0.1:8765"]
)
def test_a_url_no_link_could_dial_is_refused_when_the_client_is_built(url: str) -> None:
    with pytest.raises(ConfigurationError, match="not a WebSocket URL"):
        Client(proto, url)
    with pytest.raises(ConfigurationError, match="not a WebSocket URL"):
        Client(proto, urls=["ws://127.0.0.1:8765", url])
    with pytest.raises(ConfigurationError, match="not a WebSocket URL"):
        ClientPool(proto, [url], size=2)


def test_urls_given_as_one_string_is_one_url_not_its_characters() -> None:
    client = Client(proto, urls="ws://127.0.0.1:8765/ws")
    assert client.urls == ["ws://127.0.0.1:8765/ws"]


def test_a_queue_path_that_cannot_hold_a_database_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "queue.db"
    with pytest.raises(ConfigurationError, match="queue_path") as caught:
        Client(proto, "ws://127.0.0.1:8765", queue_path=missing)
    assert str(missing) in str(caught.value)
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("not a database, just text that is long enough " * 20)
    with pytest.raises(ConfigurationError, match="queue_path"):
        Client(proto, "ws://127.0.0.1:8765", queue_path=not_sqlite)


@pytest.mark.parametrize(
    ("options", "said"),
    [
        ({"store": 3}, "store 3: give a URL or a Store"),
        ({"broker": 3}, "broker 3: give a URL or a Broker"),
        ({"auth": "token"}, "auth must be a function of the HTTP request"),
        ({"admin_auth": 1}, "admin_auth must be a function"),
        ({"metrics_port": "9100"}, "metrics_port must be a port number"),
        ({"metrics_port": 70000}, "metrics_port must be a port number"),
        ({"metrics_port": True}, "metrics_port must be a port number"),
    ],
)
def test_server_options_of_the_wrong_kind_are_configuration_errors(
    options: dict[str, Any], said: str
) -> None:
    with pytest.raises(ConfigurationError, match=said):
        Server(proto, **options)


def test_middleware_that_is_not_async_is_refused_when_added() -> None:
    server = Server(proto)

    def log_every_message(msg: object, ctx: object, call_next: object) -> None:
        return None

    with pytest.raises(ConfigurationError, match="must be an async function"):
        server.use(log_every_message)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="must be an async function"):
        server.use(3)  # type: ignore[arg-type]


async def _status(port: int, origin: str) -> int:
    try:
        ws = await raw(port, origin=origin)
    except InvalidStatus as exc:
        return exc.response.status_code
    await ws.close()
    return 101


@bounded
async def test_one_origin_given_as_a_string_is_that_origin() -> None:
    server = Server(proto, origins="https://chat.example")  # type: ignore[arg-type]
    async with server.serving():
        assert await _status(server.port, "https://chat.example") == 101
        assert await _status(server.port, "https://evil.example") == 403


@bounded
async def test_presence_given_as_one_pattern_turns_presence_on_for_it() -> None:
    server = Server(proto, presence="room.lobby")  # type: ignore[arg-type]
    async with server.serving():
        url = f"ws://127.0.0.1:{server.port}"
        async with Client(proto, url, name="watcher") as watcher:
            await watcher.subscribe("room.lobby")
            async with Client(proto, url, name="joiner") as joiner:
                await joiner.subscribe("room.lobby")
                seen = []
                while len(seen) < 2:  # the watcher's own join, then the joiner's
                    seen.append(await watcher.receive(5))
        assert [m.__wire_name__ for m in seen] == ["wiretype.presence"] * 2
        assert seen[-1].client == "joiner" and seen[-1].event == "joined"


@bounded
async def test_topics_passed_as_one_list_say_how_to_call_subscribe() -> None:
    server = Server(proto)
    async with server.serving(), Client(proto, f"ws://127.0.0.1:{server.port}") as client:
        for call in (client.subscribe, client.unsubscribe):
            with pytest.raises(TypeError, match=r"takes topics as arguments, each a string"):
                await call(["room.a", "room.b"])  # type: ignore[arg-type]
        await client.subscribe(*["room.a", "room.b"])  # the right way still works


@pytest.mark.parametrize(
    ("name", "default", "other"),
    [
        ("origins", None, ["https://chat.example"]),
        ("auth", None, lambda request: "ada"),
        ("store", "memory://", "sqlite:///wt.db"),
        ("broker", "memory://", "redis://127.0.0.1:6379/0"),
        ("metrics_port", None, 9108),
    ],
)
def test_server_settings_that_design_lists_for_client_too_are_taken_at_their_defaults(
    name: str, default: object, other: object
) -> None:
    Client(proto, "ws://127.0.0.1:8765", **{name: default})  # the list in DESIGN.md
    with pytest.raises(ConfigurationError, match=f"{name} is a Server setting"):
        Client(proto, "ws://127.0.0.1:8765", **{name: other})


@bounded
async def test_client_options_a_pool_cannot_use_are_refused_when_the_pool_is_built() -> None:
    # they were refused only inside the background task opening a connection ("Task
    # exception was never retrieved"), while pool.send waited for one that never came
    url = "ws://127.0.0.1:8765"
    with pytest.raises(ConfigurationError, match="unknown setting"):
        ClientPool(proto, url, size=2, heartbeat=3)
    with pytest.raises(ConfigurationError, match=r"speaks names 'chat\.nosuch'"):
        ClientPool(proto, url, size=2, speaks={"chat.nosuch": [1]})
    with pytest.raises(ConfigurationError, match="a size of 1 or more"):
        ClientPool(proto, url, size="2")  # type: ignore[arg-type]
    server = Server(proto)

    @server.on("chat.message_sent")
    async def posted(msg: object, ctx: object) -> None:
        return None

    async with server.serving():
        async with ClientPool(proto, f"ws://127.0.0.1:{server.port}", size=2) as pool:
            assert await pool.send(proto.MessageSentV3(**sent_v3("via the pool")), ack=True)
            assert pool.status()["size"] == 2
        closed = ClientPool(proto, f"ws://127.0.0.1:{server.port}", size=1)
        await closed.close()  # built, never used: closes cleanly
