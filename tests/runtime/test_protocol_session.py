"""Wire protocol items 5, 6 and 9: seq and epoch, replay and resume, heartbeat, priority."""

from __future__ import annotations

import chat_protocol as proto

from tests.runtime.helpers import Clock, Pair, frame, hello, opened, read, sent_v3, server
from wiretype.protocol.events import CloseRequested, Dropped, Pong, Welcomed
from wiretype.protocol.server import enqueue_detached
from wiretype.protocol.session import Session


def _typing(n: int) -> proto.TypingV1:
    return proto.TypingV1(room=f"r{n}", user_id="7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11", typing=True)


def test_every_server_message_carries_seq_and_epoch_in_order() -> None:
    clock = Clock()
    conn = opened(clock, {"chat.typing": [1]})
    for n in range(3):
        conn.send(_typing(n), clock.now)
    frames = read(conn.data_to_send())
    assert [(f["seq"], f["epoch"]) for f in frames] == [(1, 3), (2, 3), (3, 3)]


def test_resume_replays_everything_after_last_seq_in_order_before_new_frames() -> None:
    clock = Clock()
    session = Session("s-1", 3, {})
    conn = opened(clock, {"chat.typing": [1]}, session=session)
    for n in range(5):
        conn.send(_typing(n), clock.now)
    conn.data_to_send()
    conn.connection_lost(clock.now)
    enqueue_detached(
        session,
        conn.settings,
        '{"type":"chat.typing","v":1,"id":"late",'
        '"data":{"room":"r9","user_id":"7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11",'
        '"typing":false}',
        4,
        None,
    )
    again = server(clock)
    again.receive_text(
        hello({"chat.typing": [1]}, resume={"session": "s-1", "last_seq": 2, "epoch": 3}), clock.now
    )
    [event] = again.events_received()
    assert event.resume == ("s-1", 2, 3)
    assert session.can_resume(3, 2, event.versions)
    again.accept(session, True, clock.now)
    welcome, *rest = read(again.data_to_send())
    assert welcome["data"]["resumed"] is True
    assert [f["seq"] for f in rest] == [3, 4, 5, 6]
    assert [f["data"]["room"] for f in rest] == ["r2", "r3", "r4", "r9"]


def test_resume_is_refused_when_history_is_gone_or_the_epoch_changed() -> None:
    clock = Clock()
    session = Session("s-1", 3, {"chat.typing": 1})
    conn = opened(clock, {"chat.typing": [1]}, session=session, replay_size=2)
    for n in range(5):
        conn.send(_typing(n), clock.now)
    versions = dict(conn.versions)
    assert session.can_resume(3, 3, versions)
    assert not session.can_resume(3, 2, versions)  # seq 3 was pushed out
    assert not session.can_resume(4, 5, versions)  # another epoch
    assert not session.can_resume(3, 9, versions)  # from the future
    assert not session.can_resume(3, 5, {"chat.typing": 1})  # other versions


def test_replay_drops_frames_older_than_replay_ms() -> None:
    clock = Clock()
    session = Session("s-1", 3, {})
    conn = opened(clock, {"chat.typing": [1]}, session=session, replay_ms=1_000)
    conn.send(_typing(0), clock.now)
    clock.advance(1_000)
    assert session.replay is not None
    session.replay.trim(clock.now)
    assert not session.can_resume(3, 0, dict(conn.versions))


def test_replay_skips_frames_whose_ttl_passed_and_counts_them() -> None:
    clock = Clock()
    session = Session("s-1", 3, {})
    conn = opened(clock, {"chat.typing": [1]}, session=session)
    conn.send(_typing(0), clock.now, ttl=100)
    conn.send(_typing(1), clock.now)
    conn.connection_lost(clock.advance(500))
    again = server(clock)
    again.receive_text(
        hello({"chat.typing": [1]}, resume={"session": "s-1", "last_seq": 0, "epoch": 3}), clock.now
    )
    again.events_received()
    again.accept(session, True, clock.now)
    _, *rest = read(again.data_to_send())
    assert [f["data"]["room"] for f in rest] == ["r1"]
    assert Dropped("expired", 1) in again.events_received()


def test_pending_flush_order_is_priority_then_age() -> None:
    clock = Clock()
    session = Session("s-1", 3, {})
    conn = opened(clock, session=session)
    conn.connection_lost(clock.now)
    for ident, prio in (("a", 4), ("b", 1), ("c", 4), ("d", 0)):
        enqueue_detached(
            session, conn.settings, f'{{"type":"x","v":1,"id":"{ident}","data":{{}}', prio, None
        )
    enqueue_detached(
        session, conn.settings, '{"type":"x","v":1,"id":"gone","data":{}', 2, clock.now
    )
    again = server(clock)
    again.receive_text(hello(), clock.now)
    again.events_received()
    again.accept(session, False, clock.now)
    _, *rest = read(again.data_to_send())
    assert [f["id"] for f in rest] == ["d", "b", "a", "c"]
    assert Dropped("expired", 1) in again.events_received()


def test_server_pings_every_heartbeat_and_measures_the_round_trip() -> None:
    clock = Clock()
    conn = opened(clock, heartbeat_ms=1_000)
    assert conn.next_deadline() == clock.now + 1_000
    conn.tick(clock.advance(1_000))
    [ping] = read(conn.data_to_send())
    assert ping["type"] == "wiretype.ping" and "seq" not in ping
    conn.receive_text(
        frame("wiretype.pong", 1, "p", {"nonce": ping["data"]["nonce"]}), clock.advance(40)
    )
    assert conn.events_received() == [Pong(40)]


def test_silence_for_heartbeat_plus_grace_closes_4410() -> None:
    clock = Clock()
    conn = opened(clock, heartbeat_ms=1_000, heartbeat_grace_ms=500)
    conn.tick(clock.advance(1_000))
    conn.data_to_send()
    conn.tick(clock.advance(499))
    assert conn.close_code is None
    conn.tick(clock.advance(1))
    assert CloseRequested(4410, "heartbeat timeout") in conn.events_received()


def test_any_frame_counts_as_life() -> None:
    clock = Clock()
    conn = opened(clock, heartbeat_ms=1_000, heartbeat_grace_ms=500)
    conn.tick(clock.advance(1_400))
    conn.receive_text("garbage", clock.now)
    conn.tick(clock.advance(1_400))
    assert conn.close_code is None


def test_client_and_server_resume_end_to_end_in_memory_with_nothing_lost() -> None:
    clock = Clock()
    pair = Pair(clock)
    assert pair.connect() is False
    assert pair.server is not None
    for n in range(3):
        pair.server.send(_typing(n), clock.now)
    pair.pump()
    session = pair.server.session
    assert session is not None
    pair.server.send(_typing(3), clock.now)
    pair.server.data_to_send()  # written but lost on the way
    pair.drop(1006)
    assert pair.client.state == "reconnecting"
    clock.advance(pair.client.next_attempt_at - clock.now if pair.client.next_attempt_at else 0)
    assert pair.connect() is True
    rooms = [e.data.room for e in pair.client_events if type(e).__name__ == "MessageReceived"]
    assert rooms == ["r0", "r1", "r2", "r3"]
    welcomes = [e for e in pair.client_events if isinstance(e, Welcomed)]
    assert [w.resumed for w in welcomes] == [False, True]


def test_a_gap_in_seq_makes_the_client_resume_instead_of_skipping() -> None:
    clock = Clock()
    pair = Pair(clock)
    pair.connect()
    assert pair.server is not None
    pair.server.send(_typing(0), clock.now)
    pair.pump()
    pair.server.send(_typing(1), clock.now)
    pair.server.data_to_send()  # seq 2 is lost
    pair.server.send(_typing(2), clock.now)
    pair.pump()
    assert CloseRequested(1001, "resync") in pair.client_events
    assert pair.client.last_seq == 1
    pair.drop(1001)
    clock.advance(30_000)
    assert pair.connect() is True
    rooms = [e.data.room for e in pair.client_events if type(e).__name__ == "MessageReceived"]
    assert rooms == ["r0", "r1", "r2"]


def test_resumed_false_when_history_is_gone_gives_a_fresh_session() -> None:
    clock = Clock()
    pair = Pair(clock, replay_size=1)
    pair.connect()
    first = pair.client.session
    assert pair.server is not None
    for n in range(3):
        pair.server.send(_typing(n), clock.now)
        pair.server.data_to_send()
    pair.drop(1006)
    clock.advance(30_000)
    assert pair.connect() is False
    assert pair.client.session != first
    assert pair.client.last_seq == 0
    assert [w.resumed for w in pair.client_events if isinstance(w, Welcomed)] == [False, False]


def test_outgoing_message_from_server_v3_reaches_a_v1_client_as_v1() -> None:
    from tests.runtime.helpers import APP

    clock = Clock()
    pair = Pair(clock, app=APP.restrict({"chat.message_sent": [1]}))
    pair.connect()
    assert pair.server is not None
    pair.server.send(proto.MessageSentV3(**sent_v3("x")), clock.now)
    pair.pump()
    [received] = [e.data for e in pair.client_events if type(e).__name__ == "MessageReceived"]
    assert isinstance(received, proto.MessageSentV1) and received.text == "x"


def test_the_replay_is_bounded_by_size_too() -> None:
    clock = Clock()
    session = Session("s-1", 3, {})
    conn = opened(clock, {"chat.typing": [1]}, session=session, max_buffer_bytes=1_000)
    for n in range(50):
        conn.send(_typing(n), clock.now)
    assert session.replay is not None
    assert 0 < len(session.replay) < 10
    assert not session.can_resume(3, 0, dict(conn.versions))
    assert session.can_resume(3, 49, dict(conn.versions))


def test_a_congested_connection_queues_by_priority_and_drops_what_expires() -> None:
    clock = Clock()
    conn = opened(clock, {"chat.typing": [1]})
    conn.congest()
    conn.send(_typing(0), clock.now, prio=6)
    conn.send(_typing(1), clock.now, prio=1, ttl=50)
    conn.send(_typing(2), clock.now, prio=1)
    conn.status("draining", "shutdown", clock.now)
    assert conn.data_to_send() == []
    conn.decongest(clock.advance(100))
    frames = read(conn.data_to_send())
    assert [f["type"] for f in frames] == ["wiretype.status", "chat.typing", "chat.typing"]
    assert [f["data"].get("room") for f in frames[1:]] == ["r2", "r0"]
    assert [f["seq"] for f in frames] == [1, 2, 3]  # seq in the order written
    assert conn.events_received() == [Dropped("expired", 1)]
    assert not conn.congested


def test_a_congested_queue_over_max_buffer_bytes_evicts_4499() -> None:
    clock = Clock()
    conn = opened(clock, {"chat.typing": [1]}, max_buffer_bytes=500)
    conn.congest()
    for n in range(10):
        conn.send(_typing(n), clock.now)
    events = conn.events_received()
    assert CloseRequested(4499, "slow consumer") in events
    assert Dropped("slow") in events


def test_decongest_writes_only_its_budget() -> None:
    clock = Clock()
    conn = opened(clock, {"chat.typing": [1]})
    conn.congest()
    for n in range(5):
        conn.send(_typing(n), clock.now)
    conn.decongest(clock.now, budget_bytes=150)
    assert len(conn.data_to_send()) == 2
    assert conn.congested
    conn.decongest(clock.now)
    assert len(conn.data_to_send()) == 3 and not conn.congested


def test_frames_waiting_in_a_congested_queue_survive_a_drop_for_the_resume() -> None:
    clock = Clock()
    session = Session("s-1", 3, {})
    conn = opened(clock, {"chat.typing": [1]}, session=session)
    conn.congest()
    conn.send(_typing(0), clock.now)
    conn.send(_typing(1), clock.now, prio=0)
    conn.connection_lost(clock.now)
    again = server(clock)
    again.receive_text(
        hello({"chat.typing": [1]}, resume={"session": "s-1", "last_seq": 0, "epoch": 3}), clock.now
    )
    [event] = again.events_received()
    again.accept(session, session.can_resume(3, 0, event.versions), clock.now)
    _, *rest = read(again.data_to_send())
    assert [f["data"]["room"] for f in rest] == ["r1", "r0"]
