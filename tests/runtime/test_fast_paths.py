"""The hand-built write paths say exactly what the general ones say (they exist for speed:
``bench/bench_runtime.py``)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import chat_protocol as proto
import pytest
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from tests.runtime.e2e import bounded, closed_code, frames_until, hello, raw
from tests.runtime.helpers import frame, sent_v3
from wiretype import Context, Server
from wiretype.client_link import _masked_text_frame
from wiretype.protocol.session import ReplayBuffer


def _parse(wire: bytes, *, mask: bool) -> Frame:
    reader = StreamReader()
    reader.feed_data(wire)
    parser = Frame.parse(reader.read_exact, mask=mask)
    with pytest.raises(StopIteration) as done:
        next(parser)
    frame: Frame = done.value.value
    return frame


@pytest.mark.parametrize("size", [0, 1, 125, 126, 300, 65535, 65536, 70000])
def test_the_client_frame_is_a_masked_final_text_frame_a_server_reads(size: int) -> None:
    payload = "é".encode() * (size // 2) + b"x" * (size % 2)
    wire = _masked_text_frame(payload)
    frame = _parse(wire, mask=True)  # a server requires the mask bit (RFC 6455 5.1)
    assert (frame.opcode, frame.fin, frame.data) == (Opcode.TEXT, True, payload)
    assert not (frame.rsv1 or frame.rsv2 or frame.rsv3)


def test_two_client_frames_of_one_payload_get_different_masks() -> None:
    first, second = _masked_text_frame(b"same"), _masked_text_frame(b"same")
    assert _parse(first, mask=True).data == _parse(second, mask=True).data == b"same"
    assert first != second  # fresh random key each time (RFC 6455 5.3)


def test_a_replay_buffer_full_by_count_keeps_the_last_frames_in_order() -> None:
    replay = ReplayBuffer(3, 60_000.0, 1_000)
    for seq in range(1, 8):
        replay.add(seq, f"frame-{seq}", float(seq), None)
    assert len(replay) == 3
    assert replay.lost_through == 4
    assert not replay.covers(3) and replay.covers(4)
    assert replay.after(4, 8.0) == (["frame-5", "frame-6", "frame-7"], 0)


def test_a_replay_buffer_full_by_count_and_by_size_honours_both() -> None:
    replay = ReplayBuffer(3, 60_000.0, 20)
    for seq, text in enumerate(["a" * 8, "b" * 8, "c" * 8, "d" * 15], start=1):
        replay.add(seq, text, float(seq), None)
    assert replay.after(0, 5.0) == (["d" * 15], 0)  # the count and the size bound both bite
    assert replay.lost_through == 3
    replay.add(5, "e" * 4, 60_006.0, None)  # frames older than max_ms go too
    assert replay.after(0, 60_006.0) == (["e" * 4], 0)


@bounded
async def test_frames_of_one_read_are_handled_in_order_whatever_their_kind() -> None:
    """Complete text frames queued behind another are taken the short way, fragments,
    binary frames and bad UTF-8 the usual way: the answers come in the order sent."""
    server = Server(proto)
    handled: list[str] = []

    @server.on("chat.message_sent")
    async def posted(msg: Any, ctx: Context) -> None:
        handled.append(msg.body)

    def message(ident: str) -> bytes:
        return frame("chat.message_sent", 3, ident, sent_v3(ident), ack=True).encode()

    async with server.serving():
        ws = await raw(server.port)
        await ws.send(hello({"chat.message_sent": [3]}))
        await frames_until(ws, "wiretype.welcome")
        protocol = ws.protocol
        protocol.send_text(message("m1"))
        protocol.send_text(message("m2"))
        protocol.send_binary(b"\x00\x01")
        whole = message("m3")
        protocol.send_text(whole[:40], fin=False)
        protocol.send_continuation(whole[40:], fin=True)
        protocol.send_text(message("m4"))
        protocol.send_text(b"\xff\xfe")  # not UTF-8: the connection fails (1007)
        protocol.send_text(message("m5"))  # after the failure: never handled
        assert ws.transport is not None
        ws.transport.write(b"".join(protocol.data_to_send()))  # one write, one read
        answers = [json.loads(await ws.recv()) for _ in range(5)]
        code = await closed_code(ws)
    assert [(a["type"], a.get("re")) for a in answers] == [
        ("wiretype.ack", "m1"),
        ("wiretype.ack", "m2"),
        ("wiretype.error", None),
        ("wiretype.ack", "m3"),
        ("wiretype.ack", "m4"),
    ]
    assert answers[2]["data"]["code"] == "bad_frame"
    assert handled == ["m1", "m2", "m3", "m4"]
    assert code == 1007


@bounded
async def test_acks_of_one_read_of_durable_messages_keep_their_order_with_other_answers(
    tmp_path: Path,
) -> None:
    """The acks of a read's durable messages go out together after their commit: in the
    order sent, interleaved with what other frames of the read got (an error, the answer
    to a retried id), each message handled once."""
    server = Server(proto, store=f"sqlite:///{tmp_path / 'wt.db'}")
    handled: list[str] = []
    done = asyncio.Event()

    @server.on("chat.message_sent", durable=True)
    async def posted(msg: Any, ctx: Any) -> None:
        handled.append(msg.body)
        if len(handled) == 3:
            done.set()

    def message(ident: str) -> bytes:
        return frame("chat.message_sent", 3, ident, sent_v3(ident), ack=True).encode()

    async with server.serving():
        ws = await raw(server.port)
        await ws.send(hello({"chat.message_sent": [3]}))
        await frames_until(ws, "wiretype.welcome")
        protocol = ws.protocol
        for text in (message("m1"), message("m2"), b"{not json", message("m2"), message("m3")):
            protocol.send_text(text)
        assert ws.transport is not None
        ws.transport.write(b"".join(protocol.data_to_send()))  # one write, one read
        answers = [json.loads(await ws.recv()) for _ in range(5)]
        await done.wait()
    assert [(a["type"], a.get("re")) for a in answers] == [
        ("wiretype.ack", "m1"),
        ("wiretype.ack", "m2"),
        ("wiretype.error", None),
        ("wiretype.ack", "m2"),  # the retried id: answered again, not handled again
        ("wiretype.ack", "m3"),
    ]
    assert [a["seq"] for a in answers] == sorted(a["seq"] for a in answers)
    assert handled == ["m1", "m2", "m3"]  # one session: one lane, in order
