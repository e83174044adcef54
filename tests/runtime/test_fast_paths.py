"""The hand-built write paths say exactly what the general ones say (they exist for speed:
``bench/bench_runtime.py``)."""

from __future__ import annotations

import pytest
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

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
    for seq, frame in enumerate(["a" * 8, "b" * 8, "c" * 8, "d" * 15], start=1):
        replay.add(seq, frame, float(seq), None)
    assert replay.after(0, 5.0) == (["d" * 15], 0)  # the count and the size bound both bite
    assert replay.lost_through == 3
    replay.add(5, "e" * 4, 60_006.0, None)  # frames older than max_ms go too
    assert replay.after(0, 60_006.0) == (["e" * 4], 0)
