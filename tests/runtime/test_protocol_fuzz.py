"""Fuzzed and malformed frames against the server core: it answers, never raises, and every
frame it writes is one JSON object of the protocol."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.runtime.helpers import RUNTIME, Clock, opened, sent_v1, server

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_types = st.sampled_from(
    [
        "chat.message_sent",
        "chat.typing",
        "wiretype.subscribe",
        "wiretype.pong",
        "wiretype.ack",
        "wiretype.hello",
        "wiretype.nack",
        "nope",
        "",
    ]
)
_envelopes = st.fixed_dictionaries(
    {"type": _types, "v": st.integers(-1, 4) | st.booleans(), "id": st.text(max_size=130)},
    optional={
        "data": _json,
        "ack": st.booleans() | st.integers(),
        "prio": st.integers(-2, 12),
        "ts": st.integers(-5, 10**13),
        "ttl": st.integers(-5, 10**6),
        "re": st.text(max_size=3),
        "seq": _json,
    },
)


def _check(conn: Any) -> None:
    for text in conn.data_to_send():
        out = json.loads(text)
        assert isinstance(out, dict) and out["type"] in RUNTIME.messages | {"chat.message_sent": 0}
        assert 1 <= len(out["id"]) <= 128
    conn.events_received()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_envelopes.map(json.dumps) | st.text(max_size=40), max_size=6))
def test_open_connection_survives_any_frames(frames: list[str]) -> None:
    clock = Clock()
    conn = opened(clock, bad_frame_budget=1000, rate=1e9, burst=10**6)
    for text in frames:
        conn.receive_text(text, clock.advance(1))
        _check(conn)
    assert conn.close_code in (None, 1009)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        _envelopes.map(json.dumps) | st.text(max_size=40) | st.binary(max_size=8),
        min_size=1,
        max_size=3,
    )
)
def test_before_hello_anything_but_hello_closes_4400(frames: list[Any]) -> None:
    clock = Clock()
    conn = server(clock)
    for item in frames:
        if isinstance(item, bytes):
            conn.receive_binary(item, clock.now)
        else:
            conn.receive_text(item, clock.now)
        _check(conn)
    assert conn.close_code in (None, 4400, 4406)
    if conn.close_code is None:
        assert conn.versions  # only a valid hello keeps it open


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(list(sent_v1())), _json, max_size=6))
def test_mutated_messages_are_nacked_invalid_or_accepted(changes: dict[str, Any]) -> None:
    clock = Clock()
    conn = opened(clock, {"chat.message_sent": [1]})
    conn.receive_text(
        json.dumps(
            {"type": "chat.message_sent", "v": 1, "id": "m", "data": {**sent_v1(), **changes}}
        ),
        clock.now,
    )
    frames = [json.loads(t) for t in conn.data_to_send()]
    events = conn.events_received()
    assert (frames and frames[0]["data"]["code"] == "invalid") or events


@settings(max_examples=200, deadline=None)
@given(st.lists(_envelopes.map(json.dumps) | st.text(max_size=40), max_size=6))
def test_the_client_core_survives_any_frames_from_a_server(frames: list[str]) -> None:
    from tests.runtime.helpers import Pair

    clock = Clock()
    pair = Pair(clock)
    pair.connect()
    for text in frames:
        pair.client.receive_text(text, clock.advance(1))
        for out in pair.client.data_to_send():
            assert isinstance(json.loads(out), dict)
        pair.client.events_received()
    assert pair.client.state in ("open", "closed")
