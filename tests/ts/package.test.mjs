// The packages generated from the chat example (examples/chat) and from this repository's
// schemas/ (the runtime's protocol): decode, encode, validators, guards, shims, and the
// envelope, as docs/generated-typescript.md and the common contract describe.
import assert from "node:assert/strict";
import { test } from "node:test";
import { load, readJson } from "./build.mjs";

const p = await load("example", "chat-protocol", "dist", "index.js");
const rt = await load("runtime", "protocol", "dist", "index.js");
const examples = readJson("example", "examples.json");
const USER = { id: "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11", name: "Ada" };
const V1 = {
  id: "1f0e2d3c-4b5a-4978-8695-a4b3c2d1e0f9", room: "lobby", text: "hello",
  sent_at: "2026-03-01T09:30:00Z", author: USER, reply_to: null,
};
const frame = (data, v = 1, extra = {}) => ({ type: "chat.message_sent", v, id: "m-1", data, ...extra });

function rejects(raw, path, pkg = p) {
  assert.throws(() => pkg.decode(raw), (err) => {
    assert.ok(err instanceof pkg.DecodeError, String(err));
    assert.ok(err.errors.some((e) => e.path === path), JSON.stringify(err.errors));
    return true;
  });
}

test("every example of every message decodes, and encode gives it back", () => {
  const runtimeExamples = readJson("runtime", "examples.json");
  assert.ok(examples.length + runtimeExamples.length >= 10);
  for (const [pkg, each] of [[p, examples], [rt, runtimeExamples]]) {
    assert.ok(each.length > 0);
    for (const { type, v, data } of each) {
      const msg = pkg.decode(JSON.stringify({ type, v, id: "x", data }));
      assert.equal(msg.type, type);
      const text = pkg.encode(msg);
      assert.deepEqual(pkg.decode(text), msg);
      assert.equal(text, JSON.stringify(JSON.parse(text)), "compact");
    }
  }
});

test("decode fills defaults, drops unknown fields (nested too), keeps absent optionals absent", () => {
  const msg = p.decode(frame({ ...V1, extra: 1, author: { ...USER, junk: true } }));
  assert.equal(msg.data.priority, "normal");
  assert.equal("extra" in msg.data, false);
  assert.deepEqual(msg.data.author, USER);
  assert.equal("tags" in msg.data, false);
  assert.equal(msg.data.reply_to, null);
  assert.deepEqual(Object.keys(msg.data), ["id", "room", "text", "sent_at", "author", "priority", "reply_to"]);
});

test("encode writes declared order, defaults included, compact, non-ASCII as is", () => {
  const text = p.encode(frame({ author: USER, ...V1, room: "café ☕" }));
  assert.equal(text, '{"type":"chat.message_sent","v":1,"id":"m-1","data":{"id":"1f0e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",' +
    '"room":"café ☕","text":"hello","sent_at":"2026-03-01T09:30:00Z","author":{"id":"7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11",' +
    '"name":"Ada"},"priority":"normal","reply_to":null}}');
  assert.throws(() => p.encode(frame({ ...V1, room: 5 })), p.DecodeError);
});

test("no coercion: strings are not numbers, 1.5 is not an int, 1.0 is", () => {
  const hello = (speaks) => ({ type: "wiretype.hello", v: 1, id: "h", data: {
    client: { name: "web", version: "1" }, registry: "r", speaks } });
  assert.ok(rt.decode(hello({ "a.b": [1.0] })));
  rejects(hello({ "a.b": ["1"] }), "/data/speaks/a.b/0", rt);
  rejects(hello({ "a.b": [1.5] }), "/data/speaks/a.b/0", rt);
  rejects(hello({ "a.b": [true] }), "/data/speaks/a.b/0", rt);
  rejects(hello({ "x/y~": [true] }), "/data/speaks/x~1y~0/0", rt);
  rejects(frame({ ...V1, text: 5 }), "/data/text");
  rejects(frame({ ...V1, reply_to: undefined }), "/data/reply_to");
});

test("formats: uuid, date-time with a calendar check", () => {
  rejects(frame({ ...V1, id: "not-a-uuid" }), "/data/id");
  rejects(frame({ ...V1, sent_at: "2026-02-29T09:30:00Z" }), "/data/sent_at");
  rejects(frame({ ...V1, sent_at: "2026-03-01T09:30:00Z\n" }), "/data/sent_at");
  assert.ok(p.decode(frame({ ...V1, sent_at: "2024-02-29t09:30:00.5+02:00" })));
});

test("string lengths count code points", () => {
  const emoji = "😀".repeat(64);
  assert.ok(p.decode(frame({ ...V1, room: emoji })));
  rejects(frame({ ...V1, room: emoji + "😀" }), "/data/room");
  rejects(frame({ ...V1, room: "" }), "/data/room");
});

test("the envelope: each frame key checked, extra keys kept and written back", () => {
  rejects({ ...frame(V1), type: "chat.nope" }, "/type");
  rejects({ ...frame(V1), v: 9 }, "/v");
  rejects({ ...frame(V1), v: "1" }, "/v");
  rejects({ ...frame(V1), id: "" }, "/id");
  rejects({ ...frame(V1), data: [] }, "/data");
  rejects("{not json", "");
  rejects("[]", "");
  const raw = '{"type":"chat.message_sent","v":1,"id":"m","data":' + JSON.stringify(V1) +
    ',"ack":true,"ts":5,"__proto__":{"polluted":1},"seq":2}';
  const msg = p.decode(raw);
  assert.equal(msg.ack, true);
  assert.equal({}.polluted, undefined);
  const back = JSON.parse(p.encode(msg));
  assert.deepEqual(Object.keys(back), ["type", "v", "id", "data", "ack", "ts", "__proto__", "seq"]);
  assert.deepEqual(back.__proto__, { polluted: 1 });
});

test("__proto__ inside data neither breaks validation nor pollutes prototypes", () => {
  const raw = JSON.stringify(frame({ ...V1, author: USER })).replace('"name":"Ada"', '"name":"Ada","__proto__":{"polluted":1}');
  const msg = p.decode(raw);
  assert.equal({}.polluted, undefined);
  assert.equal(Object.getPrototypeOf(msg.data.author), Object.prototype);
  const hello = '{"type":"wiretype.hello","v":1,"id":"h","data":{"client":{"name":"w","version":"1"},"registry":"r","speaks":{"__proto__":[1]}}}';
  assert.deepEqual(Object.keys(rt.decode(hello).data.speaks), ["__proto__"]);
  rejects(hello.replace("[1]", '["1"]'), "/data/speaks/__proto__/0", rt);
});

test("validators and type guards per version", () => {
  assert.equal(p.isMessageSentV1(V1), true);
  assert.equal(p.isMessageSentV2(V1), false);
  assert.deepEqual(p.validateMessageSentV1(V1), []);
  assert.deepEqual(p.validateMessageSentV2(V1).map((e) => e.path), ["/body"]);
  assert.equal(p.isUserV1(USER), true);
  assert.equal(p.isUserV1({ ...USER, avatar: "no scheme" }), false);
});

test("upgrade runs every hop; downgrade runs the inverses and the down steps", () => {
  const v1 = p.decode(frame({ ...V1, priority: "high", tags: ["x"] }, 1, { ack: true }));
  const v3 = p.upgrade(v1);
  assert.equal(v3.v, 3);
  assert.equal(v3.ack, true);
  assert.equal(v3.data.body, "hello");
  assert.equal(v3.data.priority, "notify");
  assert.deepEqual(v3.data.mentions, []);
  assert.equal(v3.data.edited, false);
  assert.equal("tags" in v3.data, false);
  const v2 = p.upgrade(v1, 2);
  assert.equal(v2.data.priority, "high");
  const urgent = p.decode(frame({ ...V1, body: "b", text: undefined, priority: "urgent" }, 2));
  const down = p.downgrade(urgent, 1);
  assert.equal(down.data.priority, "high");
  assert.equal(down.data.text, "b");
  const { tags, ...kept } = v1.data;
  assert.deepEqual(p.downgrade(p.upgrade(v1, 2), 1).data, kept, "all but the dropped field");
  assert.deepEqual(p.upgrade(v1, 1), v1);
  assert.throws(() => p.upgrade(v3, 1), RangeError);
  assert.throws(() => p.downgrade(v1, 3), RangeError);
  assert.throws(() => p.upgrade(v1, 7), RangeError);
});

test("a hop whose result is not valid raises DecodeError naming the version", () => {
  const long = "x".repeat(3000);
  const v2 = p.decode(frame({ ...V1, text: undefined, body: long }, 2));
  assert.throws(() => p.downgrade(v2, 1), (err) => {
    assert.ok(err instanceof p.DecodeError);
    assert.deepEqual(err.errors.map((e) => e.path), ["/data/text"]);
    assert.match(err.errors[0].message, /as v1/);
    return true;
  });
});

test("PROTOCOL is the Python package's, value for value", () => {
  assert.deepEqual(JSON.parse(JSON.stringify(p.PROTOCOL)), readJson("example", "protocol.json"));
  assert.deepEqual(JSON.parse(JSON.stringify(rt.PROTOCOL)), readJson("runtime", "protocol.json"));
  assert.equal(rt.PROTOCOL.messages["wiretype.hello"].direction, "client_to_server");
  assert.deepEqual(p.PROTOCOL.messages["chat.message_sent"].versions, [1, 2, 3]);
});

test("decodeData and convert: paths into the data, RangeError for what is not live", () => {
  assert.deepEqual(p.decodeData("chat.message_sent", 1, { ...V1, junk: 1 }), { ...V1, priority: "normal" });
  assert.throws(() => p.decodeData("chat.message_sent", 1, { ...V1, room: 3 }),
    (err) => err instanceof p.DecodeError && err.errors[0].path === "/room");
  assert.throws(() => p.decodeData("chat.message_sent", 4, V1), RangeError);
  assert.throws(() => p.decodeData("chat.nope", 1, V1), RangeError);
  const v3 = p.convert("chat.message_sent", V1, 1, 3);
  assert.equal(v3.body, "hello");
  assert.deepEqual(p.convert("chat.message_sent", v3, 3, 1), { ...V1, priority: "normal" });
  assert.throws(() => p.convert("chat.message_sent", V1, 1, 5), RangeError);
});
