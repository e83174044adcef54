"""The client's state machine: states, offline queue, acks and retries, reconnect rules."""

from __future__ import annotations

import itertools
import json
import random

import chat_protocol as proto
import pytest

from tests.runtime.helpers import APP, Clock, Pair, client, frame, read, sent_v3
from wiretype.errors import SendFailed as SendFailedError
from wiretype.protocol.backoff import full_jitter
from wiretype.protocol.events import (
    AckReceived,
    CloseRequested,
    Dropped,
    ProtocolProblem,
    SendFailed,
    StateChanged,
)


def _msg(body: str = "hi") -> proto.MessageSentV3:
    return proto.MessageSentV3(**sent_v3(body))


def _states(events: list[object]) -> list[str]:
    return [e.state for e in events if isinstance(e, StateChanged)]


def test_hello_names_the_client_registry_and_every_version_it_speaks() -> None:
    clock = Clock()
    core = client(clock, APP.restrict({"chat.message_sent": [1, 2]}))
    core.connect(clock.now)
    [text] = core.data_to_send()
    hello = json.loads(text)
    assert hello["type"] == "wiretype.hello"
    data = hello["data"]
    assert data["client"] == {"name": "test", "version": "1"}
    assert data["registry"] == "chat"
    assert data["speaks"]["chat.message_sent"] == [1, 2]
    assert data["speaks"]["wiretype.nack"] == [1, 2]
    assert "resume" not in data


def test_a_welcome_naming_a_version_never_offered_leaves_that_message_out() -> None:
    clock = Clock()
    core = client(clock)
    core.connect(clock.now)
    core.data_to_send()
    welcome = {
        "session": "s-1",
        "heartbeat_ms": 25_000,
        "versions": {"chat.message_sent": 3, "chat.typing": 7, "wiretype.ack": 1},
        "limits": {"max_frame_bytes": 65_536, "max_in_flight": 64},
        "resumed": False,
    }
    core.receive_text(frame("wiretype.welcome", 1, "w-1", welcome, epoch=7), clock.now)
    told = [e for e in core.events_received() if isinstance(e, ProtocolProblem)]
    assert [(e.code, e.message) for e in told] == [
        (
            "unsupported_version",
            "the welcome names versions this client does not speak: chat.typing v7",
        )
    ]
    assert core.versions == {"chat.message_sent": 3, "wiretype.ack": 1}
    with pytest.raises(SendFailedError) as refused:
        core.send(
            proto.TypingV1(room="lobby", user_id=sent_v3()["author"]["id"], typing=True), clock.now
        )
    assert refused.value.code == "unsupported_version"


def test_states_through_a_drop_a_failed_attempt_and_a_final_close() -> None:
    clock = Clock()
    pair = Pair(clock)
    pair.connect()
    pair.drop(1006)
    pair.client.connect(clock.now)
    pair.client.connect_failed(clock.now)
    pair.client.connect(clock.now)
    pair.client.connection_lost(4406, "handshake failed", clock.now)
    assert _states(pair.client_events + pair.client.events_received()) == [
        "connecting",
        "open",
        "reconnecting",
        "offline",
        "reconnecting",
        "closed",
    ]


@pytest.mark.parametrize("code", [1001, 1006, 1011, 1013, 4410, 4429, 4499])
def test_codes_that_reconnect(code: int) -> None:
    clock = Clock()
    pair = Pair(clock)
    pair.connect()
    pair.drop(code)
    assert pair.client.state == "reconnecting"
    assert pair.client.next_attempt_at is not None


@pytest.mark.parametrize("code", [1000, 1008, 4400, 4401, 4406, 4409])
def test_codes_that_are_final(code: int) -> None:
    clock = Clock()
    pair = Pair(clock)
    pair.connect()
    pair.drop(code)
    assert pair.client.state == "closed"
    assert pair.client.next_attempt_at is None


def test_a_client_closing_with_1000_ends_without_reconnecting() -> None:
    clock = Clock()
    pair = Pair(clock)
    pair.connect()
    pair.client.close()
    assert CloseRequested(1000, "bye") in pair.client.events_received()
    pair.drop(1000)
    assert pair.client.state == "closed"


def test_full_jitter_backoff_stays_in_bounds_and_grows() -> None:
    rng = random.Random(1)
    delays = [[full_jitter(a, 500, 20_000, rng) for _ in range(200)] for a in range(8)]
    for attempt, sample in enumerate(delays):
        assert all(500 <= d <= min(20_000, 500 + 500 * 2**attempt) for d in sample)
    assert max(delays[7]) == 20_000 or max(delays[7]) > max(delays[0])


def test_backoff_resets_after_a_stable_connection() -> None:
    clock = Clock()
    pair = Pair(clock, client_settings={"stable_ms": 1_000})
    pair.connect()
    pair.drop(1006)
    pair.connect()
    pair.drop(1006)
    assert pair.client.attempt == 2
    pair.connect()
    clock.advance(1_000)
    pair.drop(1006)
    assert pair.client.attempt == 1


def test_offline_sends_queue_and_flush_only_after_the_handshake_in_priority_order() -> None:
    clock = Clock()
    core = client(clock)
    core.send(_msg("low"), clock.now, prio=7)
    core.send(_msg("first"), clock.now, prio=4)
    core.send(_msg("urgent"), clock.now, prio=0)
    core.send(_msg("second"), clock.now, prio=4)
    core.connect(clock.now)
    [hello] = read(core.data_to_send())
    assert hello["type"] == "wiretype.hello"  # nothing before the welcome
    pair = Pair(clock)
    pair.client = core
    pair.server = None
    from tests.runtime.helpers import server

    srv = server(clock)
    srv.receive_text(json.dumps(hello), clock.now)
    pair.sessions.answer(srv, clock.now)
    for text in srv.data_to_send():
        core.receive_text(text, clock.now)
    bodies = [f["data"]["body"] for f in read(core.data_to_send())]
    assert bodies == ["urgent", "first", "second", "low"]


def test_volatile_sends_are_never_queued() -> None:
    clock = Clock()
    core = client(clock)
    assert core.send(_msg(), clock.now, volatile=True) is None
    assert core.events_received() == [Dropped("volatile")]
    assert len(core.queue) == 0


def test_the_offline_queue_is_bounded_by_count_and_bytes() -> None:
    clock = Clock()
    core = client(clock, queue_size=2)
    ids = [core.send(_msg(str(n)), clock.now, ack=True) for n in range(3)]
    assert len(core.queue) == 2
    events = core.events_received()
    assert Dropped("overflow") in events
    assert SendFailed(ids[2], "overflow", "dropped (overflow)") in events
    small = client(clock, queue_bytes=400)
    small.send(_msg("a"), clock.now)
    small.send(_msg("b" * 200), clock.now)
    assert len(small.queue) == 1


def test_expired_queued_messages_are_dropped_and_counted() -> None:
    clock = Clock()
    core = client(clock)
    ident = core.send(_msg(), clock.now, ack=True, ttl=1_000)
    assert core.next_deadline() == clock.now + 1_000
    core.tick(clock.advance(1_000))
    events = core.events_received()
    assert Dropped("expired") in events
    assert SendFailed(ident, "expired", "dropped (expired)") in events


def test_an_acked_send_settles_with_ack() -> None:
    clock = Clock()
    pair = Pair(clock)
    pair.connect()
    ident = pair.client.send(_msg(), clock.now, ack=True)
    clock.advance(5)
    pair.pump()
    assert [e for e in pair.client_events if isinstance(e, AckReceived)] == [AckReceived(ident, 5)]


def test_unacked_sends_retry_with_backoff_then_fail_for_the_caller() -> None:
    clock = Clock()
    core = client(clock, ack_timeout_ms=100, retries=3)
    pair = Pair(clock)
    pair.client = core
    pair.connect()
    ident = core.send(_msg(), clock.now, ack=True)
    assert ident is not None
    sent = read(core.data_to_send())
    times = []
    for _ in range(400):
        core.tick(clock.advance(10))
        for f in read(core.data_to_send()):
            if f["id"] == ident:
                times.append(clock.now)
    assert len(sent) == 1 and len(times) == 3
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(g >= 100 for g in gaps)
    assert SendFailed(ident, "timeout", "no ack after the retries") in core.events_received()


def test_a_nack_with_retry_after_is_retried_then_a_final_nack_fails_it() -> None:
    clock = Clock()
    pair = Pair(clock)
    pair.connect()
    core = pair.client
    ident = core.send(_msg(), clock.now, ack=True)
    core.data_to_send()
    nack = frame(
        "wiretype.nack",
        2,
        "n1",
        {"re": ident, "code": "overloaded", "retry_after_ms": 300},
        seq=1,
        epoch=3,
    )
    core.receive_text(nack, clock.now)
    core.tick(clock.advance(299))
    assert core.data_to_send() == []
    core.tick(clock.advance(1))
    [again] = read(core.data_to_send())
    assert again["id"] == ident
    final = frame(
        "wiretype.nack",
        2,
        "n2",
        {
            "re": ident,
            "code": "invalid",
            "reason": "no",
            "errors": [{"path": "/room", "message": "x"}],
        },
        seq=2,
        epoch=3,
    )
    core.receive_text(final, clock.now)
    [failed] = [e for e in core.events_received() if isinstance(e, SendFailed)]
    assert (failed.code, failed.errors) == ("invalid", ({"path": "/room", "message": "x"},))


def test_pending_acks_are_resent_with_the_same_id_after_a_reconnect() -> None:
    clock = Clock()
    pair = Pair(clock)
    pair.connect()
    ident = pair.client.send(_msg(), clock.now, ack=True)
    pair.client.data_to_send()  # lost with the link
    pair.drop(1006)
    pair.connect()
    assert [e.id for e in pair.client_events if isinstance(e, AckReceived)] == [ident]


def test_the_in_flight_limit_holds_acked_sends_until_acks_come() -> None:
    clock = Clock()
    pair = Pair(clock, max_in_flight=1)
    pair.connect()
    core = pair.client
    core.send(_msg("a"), clock.now, ack=True)
    core.send(_msg("b"), clock.now, ack=True)
    assert [f["data"]["body"] for f in read(core.data_to_send())] == ["a"]
    assert len(core.queue) == 1


def test_passive_heartbeat_deadline_on_the_client() -> None:
    clock = Clock()
    pair = Pair(clock, heartbeat_ms=1_000, client_settings={"heartbeat_grace_ms": 500})
    pair.connect()
    pair.client.tick(clock.advance(1_499))
    assert pair.client.events_received() == []
    pair.client.tick(clock.advance(1))
    assert CloseRequested(4410, "heard nothing from the server") in pair.client.events_received()


def test_the_client_answers_ping_with_pong() -> None:
    clock = Clock()
    pair = Pair(clock, heartbeat_ms=1_000)
    pair.connect()
    assert pair.server is not None
    pair.server.tick(clock.advance(1_000))
    pair.pump()
    from wiretype.protocol.events import Pong

    assert [e for e in pair.server_events if isinstance(e, Pong)] == [Pong(0)]


def test_subscriptions_are_sent_again_after_a_fresh_session_only() -> None:
    clock = Clock()
    pair = Pair(clock, replay_size=0)
    pair.connect()
    pair.client.subscribe(["room.lobby"], clock.now)
    pair.pump()
    assert pair.server is not None and pair.server.session is not None
    assert pair.server.session.topics == {"room.lobby"}
    pair.drop(1006)
    pair.connect()  # replay_size 0: history is gone, a fresh session
    assert pair.server is not None and pair.server.session is not None
    assert pair.server.session.topics == {"room.lobby"}


def test_sending_a_message_the_server_does_not_speak_raises() -> None:
    clock = Clock()
    pair = Pair(clock)
    pair.client = client(clock, APP.restrict({"chat.message_sent": [1]}))
    pair.connect()
    pair.client.versions.pop("chat.message_sent")
    with pytest.raises(SendFailedError) as raised:
        pair.client.send(
            proto.MessageSentV1(
                id="1f0e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
                room="r",
                text="t",
                sent_at="2026-03-01T09:30:00Z",
                author={"id": "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11", "name": "A"},
                reply_to=None,
            ),
            clock.now,
        )
    assert raised.value.code == "unsupported_version"


def test_a_server_only_message_cannot_be_sent_by_the_client() -> None:
    clock = Clock()
    core = client(clock)
    deleted = proto.MessageDeletedV1(
        id="2a1b0c9d-8e7f-4a6b-9c5d-4e3f2a1b0c9d",
        room="r",
        by={"id": "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11", "name": "A"},
    )
    with pytest.raises(ValueError, match="server only"):
        core.send(deleted, clock.now)


def test_a_resync_after_a_gap_dials_at_once() -> None:
    clock = Clock()
    pair = Pair(clock)
    pair.connect()
    assert pair.server is not None
    pair.server.send(
        proto.TypingV1(room="a", user_id=sent_v3()["author"]["id"], typing=True), clock.now
    )
    pair.server.data_to_send()  # seq 1 never arrives
    pair.server.send(
        proto.TypingV1(room="b", user_id=sent_v3()["author"]["id"], typing=True), clock.now
    )
    pair.pump()
    pair.drop(1001)
    assert pair.client.next_attempt_at == clock.now


def test_send_refuses_what_is_not_a_message_model() -> None:
    clock = Clock()
    core = client(clock)
    with pytest.raises(TypeError, match="message model"):
        core.send({"room": "lobby"}, clock.now)
