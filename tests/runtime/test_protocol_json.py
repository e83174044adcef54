"""Frames that are not JSON (NaN, Infinity, lone brackets) are bad_frame, however they
start; frames laid out differently from the usual key order still work."""

from __future__ import annotations

import json

from tests.runtime.helpers import Clock, opened, read, sent_v1
from wiretype.protocol.events import MessageReceived


def test_nan_anywhere_is_bad_frame_even_in_an_ignored_key() -> None:
    clock = Clock()
    conn = opened(clock, {"chat.message_sent": [1]})
    good = json.dumps({"type": "chat.message_sent", "v": 1, "id": "m", "data": sent_v1()})
    for bad in (good[:-1] + ', "x": NaN}', good[:-1] + ', "x": -Infinity}'):
        conn.receive_text(bad, clock.now)
        [error] = read(conn.data_to_send())
        assert error["data"]["code"] == "bad_frame"
    assert conn.events_received()[-1].code == "bad_frame"


def test_other_key_orders_and_spacing_are_read_the_careful_way() -> None:
    clock = Clock()
    conn = opened(clock, {"chat.message_sent": [1]})
    text = json.dumps(
        {
            "data": sent_v1("NaN is fine in a string"),
            "id": "m",
            "v": 1,
            "type": "chat.message_sent",
        },
        indent=2,
    )
    conn.receive_text(text, clock.now)
    [event] = conn.events_received()
    assert isinstance(event, MessageReceived)
    assert event.data.body == "NaN is fine in a string"
