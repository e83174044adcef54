"""Wire protocol item 1 (handshake and negotiation), fed as strings with a fake clock."""

from __future__ import annotations

from tests.runtime.helpers import APP, Clock, frame, hello, read, sent_v1, server
from wiretype.protocol import State
from wiretype.protocol.events import CloseRequested, HelloReceived
from wiretype.protocol.session import Session


def _closed_with(conn: object, code: int) -> None:
    events = conn.events_received()  # type: ignore[attr-defined]
    assert CloseRequested(code, conn.close_reason) in events  # type: ignore[attr-defined]
    assert conn.close_code == code  # type: ignore[attr-defined]


def test_hello_gets_welcome_with_the_highest_common_version_of_each_message() -> None:
    clock = Clock()
    conn = server(clock)
    conn.receive_text(
        hello({"chat.message_sent": [1, 2], "chat.typing": [1], "wiretype.ack": [1]}), clock.now
    )
    [event] = conn.events_received()
    assert isinstance(event, HelloReceived)
    assert event.versions["chat.message_sent"] == 2
    conn.accept(Session("s-9", 5, {}), False, clock.now)
    [welcome] = read(conn.data_to_send())
    assert welcome["type"] == "wiretype.welcome"
    data = welcome["data"]
    assert data["session"] == "s-9"
    assert data["resumed"] is False
    assert data["heartbeat_ms"] == 25_000
    assert data["versions"]["chat.message_sent"] == 2
    assert data["versions"]["chat.typing"] == 1
    assert data["versions"]["wiretype.nack"] == 2  # not listed: the server's latest
    assert "chat.message_deleted" not in data["versions"]  # not spoken by the client
    assert data["limits"] == {"max_frame_bytes": 65536, "max_in_flight": 64, "max_topics": 100}
    assert conn.state is State.OPEN


def test_a_message_with_no_common_version_is_left_out() -> None:
    clock = Clock()
    conn = server(clock)
    conn.receive_text(hello({"chat.message_sent": [7]}), clock.now)
    [event] = conn.events_received()
    assert "chat.message_sent" not in event.versions


def test_frame_before_hello_closes_4400_with_an_error() -> None:
    clock = Clock()
    conn = server(clock)
    conn.receive_text(frame("chat.message_sent", 1, "m1", sent_v1()), clock.now)
    [error] = read(conn.data_to_send())
    assert error["type"] == "wiretype.error"
    assert error["data"]["code"] == "handshake_required"
    _closed_with(conn, 4400)


def test_non_json_and_binary_before_hello_close_4400() -> None:
    clock = Clock()
    for feed in ("not json", b"\x00\x01"):
        conn = server(clock)
        if isinstance(feed, bytes):
            conn.receive_binary(feed, clock.now)
        else:
            conn.receive_text(feed, clock.now)
        _closed_with(conn, 4400)


def test_no_hello_within_the_handshake_timeout_closes_4408() -> None:
    clock = Clock()
    conn = server(clock)
    assert conn.next_deadline() == clock.now + 10_000
    conn.tick(clock.advance(9_999))
    assert conn.state is State.CONNECTING
    conn.tick(clock.advance(1))
    _closed_with(conn, 4408)


def test_another_registry_is_handshake_failed_4406() -> None:
    clock = Clock()
    conn = server(clock)
    conn.receive_text(hello(registry="someone-else"), clock.now)
    [error] = read(conn.data_to_send())
    assert error["data"]["code"] == "handshake_failed"
    assert "someone-else" in error["data"]["message"]
    _closed_with(conn, 4406)


def test_no_common_version_of_a_runtime_message_is_4406() -> None:
    clock = Clock()
    conn = server(clock)
    conn.receive_text(hello({"wiretype.ack": [9]}), clock.now)
    [error] = read(conn.data_to_send())
    assert error["data"]["code"] == "handshake_failed"
    _closed_with(conn, 4406)


def test_an_invalid_hello_closes_4400_naming_the_field() -> None:
    clock = Clock()
    conn = server(clock)
    conn.receive_text(frame("wiretype.hello", 1, "h", {"registry": "x"}), clock.now)
    [error] = read(conn.data_to_send())
    assert error["data"]["code"] == "bad_envelope"
    assert "/client" in error["data"]["message"]
    _closed_with(conn, 4400)


def test_refuse_sends_handshake_failed_and_closes_with_the_code() -> None:
    clock = Clock()
    conn = server(clock)
    conn.receive_text(hello(), clock.now)
    conn.events_received()
    conn.refuse(4401, "token expired")
    [error] = read(conn.data_to_send())
    assert error["data"] == {"code": "handshake_failed", "message": "token expired"}
    _closed_with(conn, 4401)


def test_frames_right_after_hello_are_handled_after_accept() -> None:
    clock = Clock()
    conn = server(clock)
    conn.receive_text(hello(), clock.now)
    conn.receive_text(frame("chat.message_sent", 3, "m1", {"bad": 1}), clock.now)
    conn.events_received()
    conn.accept(Session("s", 1, {}), False, clock.now)
    welcome, nack = read(conn.data_to_send())
    assert welcome["type"] == "wiretype.welcome"
    assert nack["type"] == "wiretype.nack" and nack["data"]["code"] == "invalid"


def test_the_package_knows_directions_from_the_registry() -> None:
    assert APP.messages["chat.message_deleted"].direction == "server_to_client"
    assert APP.messages["chat.message_sent"].direction == "both"
    assert APP.name == "chat"
