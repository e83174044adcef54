"""Wire protocol items 2-4: conversion, validation, delivery; with every limit's answer."""

from __future__ import annotations

from typing import Any

import chat_protocol as proto

from tests.runtime.helpers import (
    Clock,
    frame,
    opened,
    read,
    sent_v1,
    sent_v3,
)
from wiretype.protocol.events import CloseRequested, Dropped, MessageReceived
from wiretype.protocol.session import Session


def _one(conn: Any) -> dict[str, Any]:
    [out] = read(conn.data_to_send())
    return out  # type: ignore[no-any-return]


def test_a_v1_message_reaches_the_handler_as_the_latest_version() -> None:
    clock = Clock()
    conn = opened(clock, {"chat.message_sent": [1]})
    conn.receive_text(frame("chat.message_sent", 1, "m1", sent_v1("hi")), clock.now)
    [event] = conn.events_received()
    assert isinstance(event, MessageReceived)
    assert isinstance(event.data, proto.MessageSentV3)
    assert event.data.body == "hi"
    assert event.wire_version == 1


def test_pinned_handler_version_gets_that_version() -> None:
    clock = Clock()
    conn = opened(clock, {"chat.message_sent": [3]})
    conn.pinned = {"chat.message_sent": 2}
    conn.receive_text(frame("chat.message_sent", 3, "m1", sent_v3(priority="alert")), clock.now)
    [event] = conn.events_received()
    assert isinstance(event.data, proto.MessageSentV2)
    assert event.data.priority == "urgent"


def test_outgoing_messages_are_converted_to_the_connection_version() -> None:
    clock = Clock()
    conn = opened(clock, {"chat.message_sent": [1]})
    conn.send(proto.MessageSentV3(**sent_v3("yo", priority="alert")), clock.now)
    out = _one(conn)
    assert (out["type"], out["v"]) == ("chat.message_sent", 1)
    assert out["data"]["text"] == "yo" and out["data"]["priority"] == "high"
    assert out["seq"] == 1 and out["epoch"] == 3


def test_invalid_data_is_nacked_invalid_with_the_errors_and_the_connection_stays() -> None:
    clock = Clock()
    conn = opened(clock, {"chat.message_sent": [1]})
    bad = sent_v1(room="", sent_at="yesterday")
    conn.receive_text(frame("chat.message_sent", 1, "m1", bad), clock.now)
    nack = _one(conn)
    assert nack["type"] == "wiretype.nack" and nack["re"] == "m1"
    assert nack["data"]["code"] == "invalid"
    paths = {e["path"]: e["message"] for e in nack["data"]["errors"]}
    assert set(paths) == {"/room", "/sent_at"}
    assert "date-time" in paths["/sent_at"]
    assert conn.close_code is None
    assert not [e for e in conn.events_received() if isinstance(e, MessageReceived)]


def test_a_peer_on_nack_v1_gets_the_v1_shape() -> None:
    clock = Clock()
    conn = opened(clock, {"chat.message_sent": [1], "wiretype.nack": [1]})
    conn.receive_text(frame("chat.message_sent", 1, "m1", {"x": 1}), clock.now)
    nack = _one(conn)
    assert nack["v"] == 1 and "errors" not in nack["data"]
    assert nack["data"]["code"] == "invalid"


def test_no_handler_code_maps_to_invalid_for_nack_v1() -> None:
    clock = Clock()
    conn = opened(clock, {"chat.message_sent": [1], "wiretype.nack": [1]})
    conn.receive_text(frame("chat.message_sent", 1, "m1", sent_v1()), clock.now)
    [event] = conn.events_received()
    conn.nack(event.header, "no_handler", "nobody", clock.now)
    assert _one(conn)["data"]["code"] == "invalid"


def test_another_version_than_negotiated_is_unsupported_version() -> None:
    clock = Clock()
    conn = opened(clock, {"chat.message_sent": [1, 2]})
    conn.receive_text(frame("chat.message_sent", 1, "m1", sent_v1()), clock.now)
    nack = _one(conn)
    assert nack["data"]["code"] == "unsupported_version"
    assert "v2" in nack["data"]["reason"]


def test_a_message_left_out_of_versions_is_unsupported_version() -> None:
    clock = Clock()
    conn = opened(clock, {"chat.message_sent": [1]})
    typing = {"room": "lobby", "user_id": "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11", "typing": True}
    conn.receive_text(frame("chat.typing", 1, "t1", typing), clock.now)
    assert _one(conn)["data"]["code"] == "unsupported_version"


def test_the_wrong_direction_is_forbidden() -> None:
    clock = Clock()
    conn = opened(clock, {"chat.message_deleted": [1]})
    data = {
        "id": "2a1b0c9d-8e7f-4a6b-9c5d-4e3f2a1b0c9d",
        "room": "lobby",
        "by": {"id": "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11", "name": "Ada"},
    }
    conn.receive_text(frame("chat.message_deleted", 1, "d1", data), clock.now)
    assert _one(conn)["data"]["code"] == "forbidden"
    conn.receive_text(frame("wiretype.ping", 1, "p1", {"nonce": 1}), clock.now)
    assert _one(conn)["data"]["code"] == "forbidden"


def test_bad_frames_are_answered_then_past_the_budget_closed_4400() -> None:
    clock = Clock()
    conn = opened(clock, bad_frame_budget=3)
    answers = []
    for text in ("nope", "[1]", '{"type": "x", "v": "1", "id": "a"}'):
        conn.receive_text(text, clock.now)
        answers.append(_one(conn)["data"]["code"])
    assert answers == ["bad_frame", "bad_envelope", "bad_envelope"]
    conn.receive_binary(b"\x00", clock.now)
    assert CloseRequested(4400, "too many bad frames") in conn.events_received()


def test_bad_runtime_keys_are_bad_envelope() -> None:
    clock = Clock()
    conn = opened(clock, {"chat.message_sent": [1]})
    for keys in ({"prio": 10}, {"ack": "yes"}, {"ttl": -1}):
        conn.receive_text(frame("chat.message_sent", 1, "m1", sent_v1(), **keys), clock.now)
        error = _one(conn)
        assert error["data"]["code"] == "bad_envelope", keys
        assert error["re"] == "m1"
    conn.receive_text(frame("chat.message_sent", 1, "x" * 129, sent_v1()), clock.now)
    assert _one(conn)["data"]["code"] == "bad_envelope"


def test_an_unknown_type_is_an_error_naming_it() -> None:
    clock = Clock()
    conn = opened(clock)
    conn.receive_text(frame("chat.mesage_sent", 1, "m1", {}), clock.now)
    error = _one(conn)
    assert error["data"]["code"] == "unknown_type"
    assert error["data"]["re"] == "m1"


def test_ack_after_the_handler_and_the_same_answer_for_a_duplicate() -> None:
    clock = Clock()
    conn = opened(clock, {"chat.message_sent": [1]})
    text = frame("chat.message_sent", 1, "m1", sent_v1(), ack=True)
    conn.receive_text(text, clock.now)
    [event] = conn.events_received()
    assert conn.data_to_send() == []  # no ack before the handler returns
    conn.ack(event.header, clock.now)
    ack = _one(conn)
    assert ack["type"] == "wiretype.ack" and ack["re"] == "m1" and ack["data"] == {"re": "m1"}
    conn.receive_text(text, clock.advance(50))
    assert conn.events_received() == []  # the handler does not run twice
    again = _one(conn)
    assert again["re"] == "m1" and again["type"] == "wiretype.ack"


def test_a_duplicate_while_its_handler_runs_is_ignored() -> None:
    clock = Clock()
    conn = opened(clock, {"chat.message_sent": [1]})
    text = frame("chat.message_sent", 1, "m1", sent_v1(), ack=True)
    conn.receive_text(text, clock.now)
    conn.receive_text(text, clock.now)
    assert len(conn.events_received()) == 1
    assert conn.data_to_send() == []


def test_the_dedupe_window_forgets_after_its_time() -> None:
    clock = Clock()
    conn = opened(clock, {"chat.message_sent": [1]}, dedupe_ms=1_000)
    text = frame("chat.message_sent", 1, "m1", sent_v1())
    conn.receive_text(text, clock.now)
    [event] = conn.events_received()
    conn.ack(event.header, clock.now)
    conn.receive_text(text, clock.advance(1_001))
    assert len(conn.events_received()) == 1


def test_dedupe_survives_a_resume_because_it_lives_in_the_session() -> None:
    clock = Clock()
    session = Session("s-1", 3, {})
    conn = opened(clock, {"chat.message_sent": [1]}, session=session)
    text = frame("chat.message_sent", 1, "m1", sent_v1(), ack=True)
    conn.receive_text(text, clock.now)
    conn.ack(conn.events_received()[0].header, clock.now)
    conn.connection_lost(clock.now)
    again = opened(clock, {"chat.message_sent": [1]}, session=session)
    again.receive_text(text, clock.now)
    assert again.events_received() == []
    assert _one(again)["type"] == "wiretype.ack"


def test_a_rejecting_handler_nacks_with_code_and_retry_after() -> None:
    clock = Clock()
    conn = opened(clock, {"chat.message_sent": [1]})
    text = frame("chat.message_sent", 1, "m1", sent_v1(), ack=True)
    conn.receive_text(text, clock.now)
    [event] = conn.events_received()
    conn.nack(event.header, "overloaded", "busy", clock.now, retry_after_ms=250)
    nack = _one(conn)
    assert nack["data"]["code"] == "overloaded" and nack["data"]["retry_after_ms"] == 250
    conn.receive_text(text, clock.advance(250))  # a retry runs the handler again
    assert len(conn.events_received()) == 1


def test_an_expired_message_is_dropped_counted_and_never_delivered() -> None:
    clock = Clock()
    conn = opened(clock, {"chat.message_sent": [1]})
    stale = frame(
        "chat.message_sent", 1, "m1", sent_v1(), ts=int(clock.now) - 5_000, ttl=1_000, ack=True
    )
    conn.receive_text(stale, clock.now)
    assert conn.events_received() == [Dropped("expired")]
    assert _one(conn)["data"]["code"] == "expired"


def test_rate_limit_nacks_with_retry_after_then_4429_when_sustained() -> None:
    clock = Clock()
    conn = opened(clock, {"chat.message_sent": [1]}, rate=10, burst=3)
    codes = []
    for i in range(3 + 9):
        conn.receive_text(frame("chat.message_sent", 1, f"m{i}", sent_v1()), clock.now)
        for event in conn.events_received():
            if isinstance(event, MessageReceived):
                conn.ack(event.header, clock.now)
        codes += [f["data"]["code"] for f in read(conn.data_to_send())]
    assert codes == ["rate_limited"] * 9  # three pass, then nine strikes are answered
    conn.receive_text(frame("chat.message_sent", 1, "m9", sent_v1()), clock.now)
    assert CloseRequested(4429, "rate limited") in conn.events_received()


def test_rate_budget_refills_with_time() -> None:
    clock = Clock()
    conn = opened(clock, {"chat.message_sent": [1]}, rate=10, burst=1)
    conn.receive_text(frame("chat.message_sent", 1, "a", sent_v1()), clock.now)
    conn.ack(conn.events_received()[0].header, clock.now)
    conn.receive_text(frame("chat.message_sent", 1, "b", sent_v1()), clock.now)
    assert _one(conn)["data"]["retry_after_ms"] > 0
    conn.receive_text(frame("chat.message_sent", 1, "c", sent_v1()), clock.advance(100))
    assert isinstance(conn.events_received()[0], MessageReceived)


def test_in_flight_limit_is_overloaded_with_retry_after() -> None:
    clock = Clock()
    conn = opened(clock, {"chat.message_sent": [1]}, max_in_flight=2)
    for i in range(3):
        conn.receive_text(frame("chat.message_sent", 1, f"m{i}", sent_v1()), clock.now)
    assert len(conn.events_received()) == 2
    nack = _one(conn)
    assert nack["data"]["code"] == "overloaded" and nack["data"]["retry_after_ms"] == 1000


def test_a_frame_over_max_frame_bytes_closes_1009() -> None:
    clock = Clock()
    conn = opened(clock, {"chat.message_sent": [1]}, max_frame_bytes=200)
    conn.receive_text(frame("chat.message_sent", 1, "m1", sent_v1("é" * 100)), clock.now)
    assert CloseRequested(1009, "frame too big") in conn.events_received()


def test_a_backlog_over_max_buffer_bytes_is_slow_consumer_4499() -> None:
    clock = Clock()
    conn = opened(clock, max_buffer_bytes=1000)
    conn.check_backlog(1000)
    assert conn.close_code is None
    conn.check_backlog(1001)
    assert CloseRequested(4499, "slow consumer") in conn.events_received()


def test_topics_subscribe_unsubscribe_and_the_topic_limit() -> None:
    from wiretype.protocol.events import Subscribed, Unsubscribed

    clock = Clock()
    session = Session("s-1", 3, {})
    conn = opened(clock, session=session, max_topics=2)
    conn.receive_text(
        frame("wiretype.subscribe", 1, "s1", {"topics": ["a", "b"]}, ack=True), clock.now
    )
    assert conn.events_received() == [Subscribed(("a", "b"))]
    assert _one(conn)["type"] == "wiretype.ack"
    conn.receive_text(frame("wiretype.subscribe", 1, "s2", {"topics": ["c"]}, ack=True), clock.now)
    assert _one(conn)["data"]["code"] == "too_many_topics"
    conn.receive_text(frame("wiretype.unsubscribe", 1, "u1", {"topics": ["a"]}), clock.now)
    assert conn.events_received() == [Unsubscribed(("a",))]
    assert session.topics == {"b"}


def test_server_acked_send_retries_with_the_same_id_then_fails() -> None:
    from wiretype.protocol.events import SendFailed

    clock = Clock()
    conn = opened(
        clock, {"chat.message_sent": [3]}, ack_timeout_ms=100, retries=2, heartbeat_ms=100_000
    )
    ident = conn.send(proto.MessageSentV3(**sent_v3()), clock.now, ack=True)
    first = _one(conn)
    assert first["ack"] is True and first["id"] == ident
    resent = []
    for _ in range(20):
        conn.tick(clock.advance(100))
        resent += read(conn.data_to_send())
    assert [f["id"] for f in resent] == [ident, ident]
    assert SendFailed(ident, "timeout", "no ack after the retries") in conn.events_received()


def test_status_is_sent_with_seq() -> None:
    clock = Clock()
    conn = opened(clock)
    conn.status("draining", "shutdown", clock.now, retry_in_ms=500)
    out = _one(conn)
    assert out["type"] == "wiretype.status" and out["prio"] == 0
    assert out["data"] == {"state": "draining", "reason": "shutdown", "retry_in_ms": 500}
    assert out["seq"] == 1
