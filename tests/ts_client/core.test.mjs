// The sans-I/O core (clients/typescript/src/core/), fed frames and a fake clock: no sockets,
// no timers. The scripted exchanges both clients share are in parity.test.mjs; these are
// the cases that need a loop, many messages, or go beyond what the Python core does.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  chat, Clock, core, frame, frames, kinds, makeCore, openCore, sentV1, sentV3, typing, welcome,
} from "./helpers.mjs";

const what = (e) => [e.kind, e.kind === "dropped" ? e.reason : e.code];
const pushed = (c, type, v, seq, data, keys = {}, now = 0) =>
  c.receiveText(frame(type, v, `m-${seq}`, data, { seq, epoch: 7, ...keys }), now);

describe("Message Validation", () => {
  test("validates correct message format", () => {
    const clock = new Clock();
    const c = openCore(clock);
    const id = c.send("chat.message_sent", { ...sentV3("hi"), unknown_field: 1 }, clock.now, { ack: true, prio: 2 });
    const [written] = frames(c);
    assert.deepEqual(Object.keys(written), ["type", "v", "id", "data", "ack", "prio"]);
    assert.equal(written.id, id);
    assert.deepEqual(written.data, { ...sentV3("hi"), priority: "normal", mentions: [], edited: false });
    c.receiveText(frame("chat.message_sent", 3, "m-1", sentV3("in"), { seq: 1, epoch: 7 }), clock.now);
    const [event] = c.eventsReceived();
    assert.equal(event.kind, "message");
    assert.deepEqual(event.data, { ...sentV3("in"), priority: "normal", mentions: [], edited: false });
    assert.equal(event.header.seq, 1);
  });

  test("rejects invalid messages", () => {
    const clock = new Clock();
    const c = openCore(clock);
    assert.throws(() => c.send("chat.message_sent", { ...sentV3(), room: "" }, clock.now), (err) => {
      assert.ok(err instanceof chat.DecodeError);
      assert.deepEqual(err.errors.map((e) => e.path), ["/data/room"]);
      return true;
    });
    assert.throws(() => c.send("chat.typing", { ...typing(), typing: "yes" }, clock.now), chat.DecodeError);
    assert.throws(() => c.send("wiretype.ping", { nonce: 1 }, clock.now), TypeError);
    assert.throws(() => c.send("chat.typing", typing(), clock.now, { prio: 1.5 }), RangeError);
    assert.deepEqual(c.dataToSend(), []);
    c.receiveText(frame("chat.message_sent", 3, "m-1", { ...sentV3(), author: { id: "not a uuid", name: "" } }, { seq: 1 }), clock.now);
    c.receiveText('{"type":"chat.typing","v":1,"id":"m-2","data":{"room":"l","user_id":"7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11","typing":NaN}}', clock.now);
    const events = c.eventsReceived();
    assert.deepEqual(events.map((e) => [e.kind, e.code, e.id]), [["problem", "invalid", "m-1"], ["problem", "bad_frame", null]]);
    assert.deepEqual(events[0].errors.map((e) => e.path).sort(), ["/author/id", "/author/name"]);
    assert.equal(c.lastSeq, 0);
  });

  test("refuses a received integer a double would change, naming its field, instead of rounding it", () => {
    const clock = new Clock();
    const c = openCore(clock);
    const joined = (id, seq, members) => frame("chat.room.joined", 1, id, {
      room: "lobby", user: { id: "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11", name: "Ada" },
      joined_at: "2026-03-01T09:00:00Z", members: 1,
    }, { seq }).replace('"members":1', `"members":${members}`);
    c.receiveText(joined("m-1", 1, "9007199254740993"), clock.now); // 2^53 + 1: JSON.parse makes it ...992
    c.receiveText(joined("m-2", 1, "9007199254740992"), clock.now); // 2^53: a double holds it exactly
    const [refused, kept] = c.eventsReceived();
    assert.deepEqual([refused.kind, refused.code, refused.id], ["problem", "invalid", "m-1"]);
    assert.deepEqual(refused.errors.map((e) => e.path), ["/members"]);
    assert.match(refused.errors[0].message, /9007199254740993/);
    assert.equal(kept.kind, "message");
    assert.equal(kept.data.members, 2 ** 53);
  });

  test("refuses a runtime frame holding an integer a double would change, as a problem, never throwing", () => {
    const clock = new Clock();
    const c = openCore(clock);
    const status = (id, seq, retry) => frame("wiretype.status", 1, id, { state: "draining", reason: "maintenance", retry_in_ms: 1 }, { seq, epoch: 7 })
      .replace('"retry_in_ms":1', `"retry_in_ms":${retry}`);
    c.receiveText(status("s-1", 1, "90071992547409931"), clock.now); // JSON.parse makes it ...920
    c.receiveText(status("s-2", 1, "9007199254740992"), clock.now);
    const [refused, kept] = c.eventsReceived();
    assert.deepEqual([refused.kind, refused.code, refused.id], ["problem", "invalid", "s-1"]);
    assert.deepEqual(refused.errors.map((e) => e.path), ["/retry_in_ms"]);
    assert.match(refused.errors[0].message, /90071992547409931/);
    assert.deepEqual([kept.kind, kept.retryInMs], ["status", 2 ** 53]);
  });

  test("refuses a frame larger than the server takes, instead of being closed for it", () => {
    const clock = new Clock();
    const c = openCore(clock, {}, { limits: { max_frame_bytes: 600 } });
    c.send("chat.message_sent", sentV3("é".repeat(200)), clock.now, { ack: true });
    assert.deepEqual(c.dataToSend(), []);
    assert.deepEqual(c.eventsReceived().map(what), [["dropped", "too_large"], ["send_failed", "too_large"]]);
  });

  test("handles message versioning", () => {
    const clock = new Clock();
    const versions = { "chat.message_sent": 2, "wiretype.ack": 1, "wiretype.pong": 1, "wiretype.subscribe": 1 };
    const c = openCore(clock, {}, { versions });
    pushed(c, "chat.message_sent", 2, 1, { ...sentV1(), text: undefined, body: "urgent one", priority: "urgent" });
    const [event] = c.eventsReceived();
    assert.equal(event.wireVersion, 2);
    assert.equal(event.data.priority, "alert");
    assert.equal(event.data.edited, false);
    c.send("chat.message_sent", sentV3("to v2", { priority: "notify" }), clock.now);
    const [written] = frames(c);
    assert.equal(written.v, 2);
    assert.equal(written.data.priority, "high");
    assert.equal(written.data.body, "to v2");
    assert.equal("edited" in written.data, false);
    const pinned = makeCore({ speaks: { "chat.message_sent": [1, 2] } });
    pinned.connect(clock.now);
    const [hello] = frames(pinned);
    assert.deepEqual(hello.data.speaks["chat.message_sent"], [1, 2]);
    assert.deepEqual(hello.data.speaks["wiretype.nack"], [1, 2]);
    assert.throws(() => makeCore({ speaks: { "chat.message_sent": [7] } }), core.ConfigurationError);
  });

  test("a message queued before the handshake is written in the version negotiated later", () => {
    const clock = new Clock();
    const c = makeCore();
    c.send("chat.message_sent", sentV3("queued", { priority: "alert" }), clock.now);
    c.connect(clock.now);
    c.receiveText(welcome(c, { versions: { "chat.message_sent": 1 } }), clock.now);
    const written = frames(c).filter((f) => f.type === "chat.message_sent");
    assert.deepEqual(written.map((f) => [f.v, f.data.text, f.data.priority]), [[1, "queued", "high"]]);
  });
  test("a welcome naming a version this client never offered leaves that message out, told as a problem", () => {
    const clock = new Clock();
    const c = makeCore();
    c.connect(clock.now);
    frames(c);
    c.receiveText(welcome(c, { versions: { "chat.message_sent": 3, "chat.typing": 7, "wiretype.ack": 1, "wiretype.nack": 2 } }), clock.now);
    const told = c.eventsReceived().filter((e) => e.kind === "problem");
    assert.deepEqual(told.map((e) => [e.code, e.message]), [
      ["unsupported_version", "the welcome names versions this client does not speak: chat.typing v7"],
    ]);
    assert.deepEqual(c.versions, { "chat.message_sent": 3, "wiretype.ack": 1, "wiretype.nack": 2 });
    assert.throws(() => c.send("chat.typing", typing(), clock.now), (e) => e instanceof core.SendFailedError && e.code === "unsupported_version");
  });
});

describe("Connection Management", () => {
  test("tracks connection status", () => {
    const clock = new Clock();
    const c = makeCore();
    const states = [];
    const take = () => states.push(...c.eventsReceived().filter((e) => e.kind === "state").map((e) => e.state));
    c.connect(clock.now);
    c.connectFailed(clock.advance(10), { reason: "refused" });
    c.connect(clock.advance(1000));
    c.receiveText(welcome(c), clock.advance(10));
    c.connectionLost(1006, "", clock.advance(10));
    c.connect(clock.advance(1000));
    c.receiveText(welcome(c, { resumed: true }), clock.advance(10));
    c.close();
    c.connectionLost(1000, "bye", clock.advance(10));
    take();
    assert.deepEqual(states, ["connecting", "offline", "reconnecting", "open", "reconnecting", "open", "closed"]);
    assert.equal(c.state, "closed");
  });

  test("handles disconnections: which close codes reconnect and which are final", () => {
    for (const code of [1001, 1006, 1011, 1013, 4410, 4429, 4499, 4000]) {
      const clock = new Clock();
      const c = openCore(clock);
      c.connectionLost(code, "", clock.advance(1));
      assert.equal(c.state, "reconnecting", `close ${code}`);
      assert.ok(c.nextAttemptAt > clock.now);
    }
    for (const code of [1000, 1008, 4400, 4401, 4406, 4409]) {
      const clock = new Clock();
      const c = openCore(clock);
      c.send("chat.typing", typing(), clock.now, { ack: true });
      c.eventsReceived();
      c.connectionLost(code, "why", clock.advance(1));
      assert.equal(c.state, "closed", `close ${code}`);
      assert.equal(c.nextAttemptAt, null);
      assert.deepEqual(kinds(c.eventsReceived()), ["state:closed", "send_failed"]);
    }
  });

  test("the passive heartbeat deadline follows the welcome's heartbeat_ms", () => {
    const clock = new Clock();
    const c = makeCore({ settings: { heartbeat_grace_ms: 1000 } });
    c.connect(clock.now);
    assert.equal(c.nextDeadline(), clock.now + 25_000 + 1000);
    c.receiveText(welcome(c).replace('"heartbeat_ms":25000', '"heartbeat_ms":2000'), clock.now);
    assert.equal(c.nextDeadline(), clock.now + 3000);
    c.tick(clock.advance(2999));
    assert.deepEqual(c.eventsReceived().filter((e) => e.kind === "close"), []);
    c.receiveText(frame("wiretype.ping", 1, "p-1", { nonce: 1 }), clock.now);
    c.tick(clock.advance(2999));
    assert.deepEqual(c.eventsReceived().filter((e) => e.kind === "close"), []);
    c.tick(clock.advance(1));
    assert.deepEqual(c.eventsReceived().filter((e) => e.kind === "close").map((e) => e.code), [4410]);
  });

  test("manages reconnection: full-jitter backoff, reset after a stable link, resume", () => {
    const delays = (random) => {
      const clock = new Clock(0);
      const c = makeCore({ random: () => random });
      const out = [];
      for (let i = 0; i < 8; i++) {
        c.connect(clock.now);
        c.connectFailed(clock.now);
        out.push(c.nextAttemptAt - clock.now);
        clock.now = c.nextAttemptAt;
      }
      return out;
    };
    assert.deepEqual(delays(0), [500, 500, 500, 500, 500, 500, 500, 500]);
    assert.deepEqual(delays(0.5), [750, 1000, 1500, 2500, 4500, 8500, 16500, 20000]);
    assert.deepEqual(delays(0.999), delays(0.999).map((d) => Math.min(d, 20_000)));
    assert.ok(delays(0.999).every((d) => d <= 20_000));
    const clock = new Clock();
    const c = openCore(clock);
    pushed(c, "chat.message_sent", 3, 1, sentV3("one"));
    c.connectionLost(1006, "", clock.advance(10));
    c.connect(clock.now = c.nextAttemptAt);
    const [hello] = frames(c);
    assert.deepEqual(hello.data.resume, { session: "s-1", last_seq: 1, epoch: 7 });
  });

  test("a message the server sends again is delivered once and acked again", () => {
    const clock = new Clock();
    const c = openCore(clock);
    pushed(c, "chat.message_sent", 3, 1, sentV3("once"), { ack: true });
    pushed(c, "chat.message_sent", 3, 2, sentV3("once"), { ack: true, id: "m-1" });
    const events = c.eventsReceived();
    assert.deepEqual(kinds(events), ["message"]);
    c.ack(events[0].header);
    const acks = frames(c).filter((f) => f.type === "wiretype.ack");
    assert.deepEqual(acks.map((f) => f.re), ["m-1", "m-1"]);
    assert.equal(c.lastSeq, 2);
  });

  test("topics changed while the link was down are told after a resume", () => {
    const clock = new Clock();
    const c = openCore(clock);
    const asked = c.subscribe(["room.a", "room.b"], clock.now);
    frames(c);
    c.receiveText(frame("wiretype.ack", 1, "a-1", { re: asked }, { re: asked, seq: 1, epoch: 7 }), clock.now);
    c.connectionLost(1006, "", clock.advance(10));
    assert.equal(c.subscribe(["room.c"], clock.now), null);
    assert.equal(c.unsubscribe(["room.a"], clock.now), null);
    c.connect(clock.advance(1000));
    c.receiveText(welcome(c, { resumed: true }), clock.now);
    const told = frames(c).filter((f) => f.type !== "wiretype.hello").map((f) => [f.type, f.data.topics]);
    assert.deepEqual(told, [["wiretype.subscribe", ["room.c"]], ["wiretype.unsubscribe", ["room.a"]]]);
    for (const [seq, pending] of c.outbox.values().entries()) {
      c.receiveText(frame("wiretype.ack", 1, `a-${seq + 2}`, { re: pending.id }, { re: pending.id, seq: seq + 2, epoch: 7 }), clock.now);
    }
    c.connectionLost(1006, "", clock.advance(10));
    c.connect(clock.advance(1000));
    c.receiveText(welcome(c, { session: "s-2" }), clock.now);
    const again = frames(c).filter((f) => f.type !== "wiretype.hello").map((f) => [f.type, f.data.topics]);
    assert.deepEqual(again, [["wiretype.subscribe", ["room.b", "room.c"]]]);
  });

  test("frames on a link being closed to resume are not taken", () => {
    const clock = new Clock();
    const c = openCore(clock);
    pushed(c, "chat.message_sent", 3, 1, sentV3("one"));
    pushed(c, "chat.message_sent", 3, 3, sentV3("three"));
    pushed(c, "chat.message_sent", 3, 4, sentV3("four"));
    assert.deepEqual(kinds(c.eventsReceived()), ["message", "problem", "close"]);
    assert.equal(c.lastSeq, 1);
  });
});

describe("Message Processing", () => {
  test("processes message queue: flushed after the handshake, within max_in_flight", () => {
    const clock = new Clock();
    const c = makeCore();
    for (let i = 0; i < 100; i++) c.send("chat.message_sent", sentV3(`m${i}`), clock.advance(1), { ack: i % 2 === 0 });
    assert.equal(c.queue.length, 100);
    c.connect(clock.now);
    assert.deepEqual(frames(c).map((f) => f.type), ["wiretype.hello"]);
    c.receiveText(welcome(c, { limits: { max_in_flight: 10 } }), clock.now);
    let written = frames(c).map((f) => f.data.body);
    assert.equal(c.outbox.size, 10);
    assert.deepEqual(written, Array.from({ length: 19 }, (_, i) => `m${i}`));
    let seq = 0;
    while (c.queue.length > 0 || c.outbox.size > 0) {
      const pending = c.outbox.values()[0];
      c.receiveText(frame("wiretype.ack", 1, `a-${++seq}`, { re: pending.id }, { re: pending.id, seq, epoch: 7 }), clock.advance(1));
      assert.ok(c.outbox.size <= 10);
      written = written.concat(frames(c).map((f) => f.data.body));
    }
    assert.deepEqual(written, Array.from({ length: 100 }, (_, i) => `m${i}`));
  });

  test("handles message priorities: lower prio first, then oldest first", () => {
    const clock = new Clock();
    const c = makeCore();
    const sent = [];
    let n = 0;
    for (const prio of [5, 0, 9, 4, 0, 2, 9, 5, 1, 4, 3, 0]) {
      const body = `p${prio}-${n++}`;
      sent.push({ prio, body, n });
      c.send("chat.message_sent", sentV3(body), clock.advance(1), { prio });
    }
    c.connect(clock.now);
    c.receiveText(welcome(c), clock.now);
    const written = frames(c).filter((f) => f.type === "chat.message_sent").map((f) => f.data.body);
    assert.deepEqual(written, [...sent].sort((a, b) => a.prio - b.prio || a.n - b.n).map((s) => s.body));
  });

  test("manages message expiration: queued, in flight, and incoming", () => {
    const clock = new Clock();
    const c = makeCore();
    c.send("chat.typing", typing(), clock.now, { ttl: 100, ack: true });
    c.send("chat.typing", typing(), clock.now, { ttl: 300 });
    assert.equal(c.nextDeadline(), clock.now + 100);
    c.connect(clock.advance(200));
    c.receiveText(welcome(c), clock.now);
    const events = c.eventsReceived();
    assert.deepEqual(events.filter((e) => e.kind !== "state" && e.kind !== "welcomed").map(what), [
      ["dropped", "expired"], ["send_failed", "expired"],
    ]);
    assert.deepEqual(frames(c).filter((f) => f.type === "chat.typing").map((f) => f.ttl), [300]);
    pushed(c, "chat.typing", 1, 1, typing(), { ts: clock.now - 50, ttl: 50 }, clock.now);
    assert.deepEqual(c.eventsReceived().map((e) => [e.kind, e.reason]), [["dropped", "expired"]]);
  });

  test("a queued message the server turns out not to speak is dropped, not sent", () => {
    const clock = new Clock();
    const c = makeCore();
    c.send("chat.typing", typing(), clock.now, { ack: true });
    c.connect(clock.now);
    c.receiveText(welcome(c, { versions: { "wiretype.ack": 1 } }), clock.now);
    assert.deepEqual(frames(c).map((f) => f.type), ["wiretype.hello"]);
    const failed = c.eventsReceived().filter((e) => e.kind === "send_failed");
    assert.deepEqual(failed.map((e) => e.code), ["unsupported_version"]);
  });

  test("restore puts what a journal kept ahead of what was queued since", () => {
    const clock = new Clock();
    const calls = [];
    const journal = { put: (item, json, v) => calls.push(["put", item.id, v, JSON.parse(json).body]), remove: (id) => calls.push(["remove", id]) };
    const c = makeCore({ journal });
    c.send("chat.message_sent", sentV3("new"), clock.now);
    c.restore([{ id: "old-1", type: "chat.message_sent", data: sentV3("old"), ack: false, prio: 4, ts: null, ttl: null, size: 10 }]);
    c.connect(clock.now);
    c.receiveText(welcome(c), clock.now);
    assert.deepEqual(frames(c).filter((f) => f.type === "chat.message_sent").map((f) => f.data.body), ["old", "new"]);
    assert.deepEqual(calls, [["put", calls[0][1], 3, "new"], ["remove", "old-1"], ["remove", calls[0][1]]]);
  });
});
