// The Node client (`@wiretype/client/node`, the `ws` package) against the real Python
// server (tests/ts_client/server.py), over 127.0.0.1. Every test is bounded in time and
// waits on states and events, never on a fixed sleep. Performance figures are reported as
// diagnostics, never asserted: the speed bars are measured by bench/bench_ts_client.mjs.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import {
  AUTHOR, client, connectChat, FAST, LIMIT_MS, sentV3, startProxy, startServer, typing, until, watch,
} from "./helpers.mjs";

const OPEN = { rate: 1e9, burst: 1_000_000_000, max_connections_per_ip: 10_000 };
const bounded = { timeout: LIMIT_MS };

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

let server;
before(async () => {
  server = await startServer({ settings: OPEN, presence: ["room.*"] });
});
after(async () => {
  await server?.stop();
});

const made = new Set(); // every client a test made, closed after it even when it failed
afterEach(async () => {
  await Promise.all([...made].map((c) => c.close()));
  made.clear();
});

function dial(url = server.url, options = {}) {
  const c = connectChat(url, { ...FAST, ...options });
  made.add(c);
  return c;
}

async function opened(url = server.url, options = {}) {
  const c = dial(url, options);
  await c.ready();
  return c;
}

describe("E2E Communication", () => {
  test("sends and receives messages", bounded, async () => {
    const a = await opened();
    const b = await opened();
    const seenA = watch(a);
    const seenB = watch(b);
    const presence = [];
    a.onPresence((p) => presence.push(p));
    await a.subscribe("room.e2e");
    await b.subscribe("room.e2e");
    const id = await a.send("chat.message_sent", sentV3("hello", { room: "e2e", priority: "notify" }), { ack: true });
    assert.match(id, /^c[0-9a-f]{10}-[0-9]+$/);
    await until(() => seenA.messages.length === 1 && seenB.messages.length === 1, "the published message");
    for (const seen of [seenA, seenB]) {
      const [{ data, meta }] = seen.messages;
      assert.equal(data.body, "hello");
      assert.equal(data.priority, "notify");
      assert.equal(meta.wireVersion, 3);
      assert.ok(meta.seq >= 1);
    }
    await until(() => presence.some((p) => p.event === "joined" && p.topic === "room.e2e" && p.client === "node-test"), "presence");
    const reactions = [];
    a.on("chat.reaction_added", (data) => reactions.push(data));
    const reaction = { message_id: sentV3().id, room: "e2e", user_id: AUTHOR.id, emoji: "👍" };
    await a.send("chat.reaction_added", reaction, { ack: true });
    await until(() => reactions.length === 1, "the server's answer");
    assert.equal(reactions[0].emoji, "👍");
    await assert.rejects(a.send("chat.message_sent", sentV3("no", { room: "reject" }), { ack: true }), (err) => {
      assert.equal(err.code, "rejected");
      assert.equal(err.name, "SendFailed");
      return true;
    });
    // The package says chat.message_deleted is server_to_client: the client refuses it before the wire.
    await assert.rejects(
      async () => a.send("chat.message_deleted", { id: sentV3().id, room: "e2e", by: AUTHOR }, { ack: true }),
      /chat\.message_deleted is sent by the server only/,
    );
    const received = await server.received();
    assert.deepEqual(received.filter((m) => m.data.room === "e2e").map((m) => m.type), ["chat.message_sent", "chat.reaction_added"]);
    assert.equal(received.filter((m) => m.data.room === "reject").length, 1);
    await a.close();
    await b.close();
    assert.equal(a.state, "closed");
  });

  test("handles connection interrupts: resume, replay, and what was sent meanwhile", bounded, async () => {
    const proxy = await startProxy(server.port);
    const c = dial(proxy.url);
    const seen = watch(c);
    await c.ready();
    await c.subscribe("room.cut");
    await server.command({ cmd: "publish", topic: "room.cut", type: "chat.message_sent", data: sentV3("before", { room: "cut" }) });
    await until(() => seen.messages.length === 1, "the first message");
    proxy.refuse();
    proxy.cut();
    await until(() => c.state !== "open", "the drop to be seen");
    for (const body of ["away 1", "away 2", "away 3"]) {
      await server.command({ cmd: "publish", topic: "room.cut", type: "chat.message_sent", data: sentV3(body, { room: "cut" }) });
    }
    const sends = ["mine 1", "mine 2"].map((body) => c.send("chat.message_sent", sentV3(body, { room: "cut-mine" }), { ack: true }));
    await until(() => c.state === "offline", "a failed attempt");
    proxy.accept();
    await Promise.all(sends);
    await until(() => seen.messages.length === 4, "the replay");
    assert.deepEqual(seen.messages.map((m) => m.data.body), ["before", "away 1", "away 2", "away 3"]);
    assert.deepEqual(seen.welcomes.map((w) => w.resumed), [false, true]);
    const mine = (await server.received()).filter((m) => m.data.room === "cut-mine").map((m) => m.data.body);
    assert.deepEqual(mine, ["mine 1", "mine 2"]);
    assert.ok(seen.states.includes("reconnecting") && seen.states.includes("offline"), seen.states.join());
    await c.close();
    await proxy.close();
  });

  test("maintains message order", bounded, async () => {
    const c = await opened();
    const seen = watch(c);
    await c.subscribe("room.order");
    const sends = [];
    for (let i = 0; i < 300; i++) sends.push(c.send("chat.message_sent", sentV3(`n${i}`, { room: "order" }), { ack: i % 3 === 0 }));
    await Promise.all(sends);
    await until(() => seen.messages.length === 300, "300 messages back");
    const expected = Array.from({ length: 300 }, (_, i) => `n${i}`);
    assert.deepEqual(seen.messages.map((m) => m.data.body), expected);
    const seqs = seen.messages.map((m) => m.meta.seq);
    assert.ok(seqs.every((s, i) => i === 0 || s > seqs[i - 1]), "seq increases");
    const got = (await server.received()).filter((m) => m.data.room === "order").map((m) => m.data.body);
    assert.deepEqual(got, expected);
    await c.close();
  });

  test("survives a server restart: draining, queued while down, resumed, nothing lost", bounded, async () => {
    const restarting = await startServer({ settings: OPEN });
    const c = dial(restarting.url);
    const seen = watch(c);
    await c.ready();
    await c.subscribe("room.restart");
    await c.send("chat.message_sent", sentV3("one", { room: "restart" }), { ack: true });
    await restarting.command({ cmd: "stop" });
    await until(() => c.state === "offline", "the client to find the server gone");
    assert.equal(c.lastStatus?.state, "draining");
    const sends = ["two", "three"].map((body) => c.send("chat.message_sent", sentV3(body, { room: "restart" }), { ack: true }));
    assert.equal(c.core.queue.length, 2);
    await restarting.command({ cmd: "start" });
    await Promise.all(sends);
    await until(() => seen.messages.length === 3, "the three messages back");
    assert.deepEqual(seen.messages.map((m) => m.data.body), ["one", "two", "three"]);
    assert.deepEqual(seen.welcomes.map((w) => w.resumed), [false, true]);
    assert.deepEqual((await restarting.received()).map((m) => m.data.body), ["one", "two", "three"]);
    await c.close();
    await restarting.stop();
  });
});

describe("Connection Management", () => {
  test("tracks connection status over a real link", bounded, async () => {
    const proxy = await startProxy(server.port);
    const c = dial(proxy.url);
    const seen = watch(c);
    await c.ready();
    proxy.refuse();
    proxy.cut();
    await until(() => c.state === "offline", "offline");
    proxy.accept();
    await until(() => c.state === "open", "open again");
    await c.close();
    assert.deepEqual(seen.states, ["connecting", "open", "reconnecting", "offline", "reconnecting", "open", "closed"]);
    await proxy.close();
  });

  test("handles disconnections: another registry and an HTTP refusal are final", bounded, async () => {
    const other = dial(server.url, { registry: "another_registry" });
    await assert.rejects(other.ready(), (err) => err instanceof client.HandshakeFailed && err.code === 4406);
    assert.equal(other.state, "closed");
    assert.equal(other.lastError?.code, "handshake_failed");
    const guarded = await startServer({ origins: ["https://chat.example"] });
    const refused = dial(guarded.url, { headers: { Origin: "https://evil.example" } });
    await assert.rejects(refused.ready(), (err) => err instanceof client.HandshakeFailed && err.status === 403);
    const allowed = dial(guarded.url, { headers: { Origin: "https://chat.example" } });
    await allowed.ready();
    await allowed.close();
    await guarded.stop();
  });

  test("manages reconnection: a silent link is found dead by the heartbeat deadline alone", bounded, async () => {
    const beating = await startServer({ settings: { heartbeat_ms: 200 } });
    const proxy = await startProxy(beating.port);
    const c = dial(proxy.url, { heartbeat_grace_ms: 300 });
    const seen = watch(c);
    const closes = [];
    c.onEvent((e) => e.kind === "close" && closes.push(e.code));
    await c.ready();
    assert.equal(c.core.heartbeatMs, 200);
    await until(() => c.core.lastHeard > 0 && c.core.outbox.size === 0, "a first ping");
    proxy.freeze();
    await until(() => closes.includes(4410), "close 4410");
    await until(() => c.state === "open" && seen.welcomes.length === 2, "a new link");
    assert.equal(seen.welcomes[1].resumed, true);
    await c.close();
    await proxy.close();
    await beating.stop();
  });
});

describe("Load Testing", () => {
  test("handles multiple connections", bounded, async () => {
    const clients = await Promise.all(Array.from({ length: 50 }, () => opened()));
    const seen = clients.map((c) => watch(c));
    await Promise.all(clients.map((c) => c.subscribe("room.many")));
    const { reached } = await server.command({ cmd: "publish", topic: "room.many", type: "chat.message_sent", data: sentV3("all", { room: "many" }) });
    assert.equal(reached, 50);
    await until(() => seen.every((s) => s.messages.length === 1), "every client to get it");
    await Promise.all(clients.map((c) => c.close()));
  });

  test("processes high message volume", bounded, async (t) => {
    const c = await opened();
    const started = performance.now();
    for (let i = 0; i < 5000; i++) c.send("chat.typing", typing(`volume-${i}`));
    await c.send("chat.typing", typing("volume-end"), { ack: true });
    const ms = performance.now() - started;
    const got = (await server.received()).filter((m) => m.data.room.startsWith("volume-")).map((m) => m.data.room);
    assert.equal(got.length, 5001);
    assert.deepEqual(got.slice(0, 3), ["volume-0", "volume-1", "volume-2"]);
    assert.equal(got.at(-1), "volume-end");
    t.diagnostic(`5001 messages in ${ms.toFixed(0)} ms (${((5001 / ms) * 1000).toFixed(0)}/s, loopback, with the test server's recording)`);
    await c.close();
  });

  test("manages resource usage: the queue stays bounded, close leaves no timer", bounded, async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const baseline = timers();
    const proxy = await startProxy(server.port);
    proxy.refuse();
    const c = connectChat(proxy.url, { ...FAST, queue_size: 100, queue_bytes: 1_000_000 });
    const failures = [];
    for (let i = 0; i < 1000; i++) c.send("chat.typing", typing(`q${i}`), { ack: true }).catch((err) => failures.push(err.code));
    assert.equal(c.core.queue.length, 100);
    assert.equal(c.counters.dropped_overflow, 900);
    await until(() => failures.length === 900, "the overflow to fail its sends");
    assert.ok(failures.every((code) => code === "overflow"));
    await c.close();
    await until(() => failures.length === 1000, "close to fail what was queued");
    await proxy.close();
    assert.ok(timers() <= baseline, `${timers()} timers left, ${baseline} before`);
  });
});

describe("Message Throughput", () => {
  test("measures message latency", bounded, async (t) => {
    const c = await opened();
    const rtts = [];
    c.onEvent((e) => e.kind === "ack" && rtts.push(e.rttMs));
    for (let i = 0; i < 200; i++) await c.send("chat.typing", typing("latency"), { ack: true });
    assert.equal(rtts.length, 200);
    assert.ok(rtts.every((ms) => Number.isFinite(ms) && ms >= 0));
    t.diagnostic(`acked round trip p50 ${quantile(rtts, 0.5).toFixed(3)} ms, p99 ${quantile(rtts, 0.99).toFixed(3)} ms`);
    await c.close();
  });

  test("handles burst traffic within max_in_flight", bounded, async () => {
    const c = await opened(server.url, { queue_size: 5000 });
    let most = 0;
    c.onEvent(() => (most = Math.max(most, c.core.outbox.size)));
    const limit = c.core.limits.max_in_flight;
    await Promise.all(Array.from({ length: 2000 }, (_, i) => c.send("chat.typing", typing(`burst-${i}`), { ack: true })));
    assert.ok(most <= limit && most > 0, `in flight at most ${most} of ${limit}`);
    const got = (await server.received()).filter((m) => m.data.room.startsWith("burst-"));
    assert.equal(got.length, 2000);
    await c.close();
  });

  test("maintains performance under load: every round delivered, nothing dropped", bounded, async () => {
    const c = await opened();
    const seen = watch(c, "chat.typing");
    await c.subscribe("room.sustained");
    for (let round = 1; round <= 5; round++) {
      for (let i = 0; i < 999; i++) c.send("chat.typing", typing("sustained"));
      await c.send("chat.typing", typing("sustained"), { ack: true });
      await until(() => seen.messages.length === round * 1000, `round ${round}`);
    }
    assert.deepEqual(Object.keys(c.counters).filter((k) => k.startsWith("dropped")), []);
    await c.close();
  });
});

describe("Connection Performance", () => {
  test("measures connection time", bounded, async (t) => {
    const times = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      const c = await opened();
      times.push(performance.now() - started);
      await c.close();
    }
    assert.ok(times.every((ms) => Number.isFinite(ms) && ms > 0));
    t.diagnostic(`connect to welcome p50 ${quantile(times, 0.5).toFixed(2)} ms`);
  });

  test("handles connection pool", bounded, async () => {
    const pool = await Promise.all(Array.from({ length: 100 }, () => opened()));
    assert.ok(pool.every((c) => c.state === "open"));
    assert.equal(new Set(pool.map((c) => c.session)).size, 100);
    await until(async () => (await server.command({ cmd: "connections" })).connections >= 100, "100 connections");
    await Promise.all(pool.map((c) => c.close()));
    await until(async () => (await server.command({ cmd: "connections" })).connections === 0, "every connection closed");
  });

  test("manages connection resources: a client closed with 1000 leaves no session", bounded, async () => {
    await until(async () => (await server.command({ cmd: "connections" })).connections === 0, "a quiet server");
    const before = (await server.command({ cmd: "sessions" })).sessions;
    for (let i = 0; i < 30; i++) {
      const c = await opened();
      await c.close();
    }
    await until(async () => (await server.command({ cmd: "sessions" })).sessions === before, "the sessions to be forgotten");
  });
});
