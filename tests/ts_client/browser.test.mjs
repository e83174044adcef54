// End to end in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core;
// never a downloaded browser): pages served on 127.0.0.1 bundle @wiretype/client with a
// generated package (the chat package at v3, or an older registry's at v1) and talk to the
// real Python server. Every wait is on a state of the page, bounded in time.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { chromium } from "playwright-core";
import { BUILD, LIMIT_MS, sentV1, sentV3, startServer, until as eventually } from "./helpers.mjs";

const CHROMIUM = process.env.WIRETYPE_CHROMIUM ?? "/usr/bin/chromium";
const FAST = { backoff_min_ms: 20, backoff_max_ms: 200, ack_timeout_ms: 1000 };
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8" };
const bounded = { timeout: LIMIT_MS * 2 };

let site;
let siteUrl;
let server;
let context;
let profile;

function serveStatic(folder) {
  return createServer((req, res) => {
    const name = new URL(req.url, "http://localhost").pathname.slice(1) || "v3.html";
    const path = join(folder, name);
    if (name.includes("..") || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(readFileSync(path));
  });
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (make test does it)`);
  site = serveStatic(join(BUILD, "www"));
  await new Promise((resolve) => site.listen(0, "127.0.0.1", resolve));
  siteUrl = `http://127.0.0.1:${site.address().port}`;
  server = await startServer({ settings: { rate: 1e9, burst: 1_000_000_000 } });
  profile = mkdtempSync(join(tmpdir(), "wiretype-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run",
      "--disable-component-update", "--disable-sync",
    ],
    timeout: LIMIT_MS,
  });
});

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await server?.stop();
  site?.close();
});

/** A new page of `version` (v3 or v1), its client started against `url`. */
async function page(version = "v3", url = server.url, options = {}) {
  const p = await context.newPage();
  const problems = [];
  p.on("pageerror", (err) => problems.push(String(err)));
  await p.goto(`${siteUrl}/${version}.html`);
  await p.waitForFunction(() => window.wtReady === true, null, { timeout: LIMIT_MS });
  await p.evaluate(([u, o]) => window.wt.start(u, o), [url, { ...FAST, ...options }]);
  p.problems = problems;
  return p;
}

const until = (p, fn, arg) => p.waitForFunction(fn, arg, { timeout: LIMIT_MS, polling: 10 });
const log = (p) => p.evaluate(() => window.wt.log);
const bodies = (messages) => messages.map((m) => m.data.body);

describe("E2E Communication in Chromium", () => {
  test("connects, sends and receives typed messages", bounded, async () => {
    const p = await page();
    assert.equal(await p.evaluate(() => window.wt.ready()), "open");
    await p.evaluate(() => window.wt.subscribe("room.web"));
    const sent = await p.evaluate((data) => window.wt.send("chat.message_sent", data, { ack: true }), sentV3("from the page", { room: "web" }));
    assert.match(sent.id, /^c[0-9a-f]{10}-[0-9]+$/);
    await until(p, () => window.wt.log.messages.length === 1);
    const [message] = (await log(p)).messages;
    assert.equal(message.data.body, "from the page");
    assert.equal(message.wireVersion, 3);
    assert.deepEqual(message.data.mentions, []);
    const invalid = await p.evaluate((data) => {
      try {
        window.wt.post("chat.message_sent", data);
        return "sent";
      } catch (err) {
        return `${err.name}: ${err.errors.map((e) => e.path).join()}`;
      }
    }, sentV3("x", { room: "" }));
    assert.equal(invalid, "DecodeError: /data/room");
    const received = (await server.received()).filter((m) => m.data.room === "web");
    assert.deepEqual(received.map((m) => m.data.body), ["from the page"]);
    assert.deepEqual(p.problems, []);
    await p.evaluate(() => window.wt.close());
    await p.close();
  });

  test("survives a server restart with resume and nothing lost", bounded, async () => {
    const restarting = await startServer();
    const p = await page("v3", restarting.url);
    await p.evaluate(() => window.wt.ready());
    await p.evaluate(() => window.wt.subscribe("room.restart"));
    for (const body of ["one", "two", "three"]) {
      await p.evaluate((data) => window.wt.send("chat.message_sent", data, { ack: true }), sentV3(body, { room: "restart" }));
    }
    await restarting.command({ cmd: "stop" });
    await until(p, () => window.wt.state() === "offline");
    for (const body of ["four", "five", "six"]) {
      await p.evaluate((data) => window.wt.post("chat.message_sent", data, { ack: true }), sentV3(body, { room: "restart" }));
    }
    assert.equal(await p.evaluate(() => window.wt.queued()), 3);
    await restarting.command({ cmd: "start" });
    await until(p, () => window.wt.log.messages.length === 6);
    const seen = await log(p);
    assert.deepEqual(bodies(seen.messages), ["one", "two", "three", "four", "five", "six"]);
    assert.deepEqual(seen.welcomes.map((w) => w.resumed), [false, true]);
    assert.equal(seen.welcomes[0].session, seen.welcomes[1].session);
    assert.deepEqual(seen.failures, []);
    assert.deepEqual((await restarting.received()).map((m) => m.data.body), ["one", "two", "three", "four", "five", "six"]);
    await p.evaluate(() => window.wt.close());
    await p.close();
    await restarting.stop();
  });

  test("keeps order", bounded, async () => {
    const p = await page();
    await p.evaluate(() => window.wt.ready());
    await p.evaluate(() => window.wt.subscribe("room.order"));
    await p.evaluate((template) => {
      for (let i = 0; i < 200; i++) window.wt.post("chat.message_sent", { ...template, body: `n${i}` }, { ack: i % 4 === 0 });
    }, sentV3("", { room: "order" }));
    await until(p, () => window.wt.log.messages.length === 200);
    const expected = Array.from({ length: 200 }, (_, i) => `n${i}`);
    const seen = await log(p);
    assert.deepEqual(bodies(seen.messages), expected);
    assert.ok(seen.messages.every((m, i) => i === 0 || m.seq > seen.messages[i - 1].seq));
    const received = (await server.received()).filter((m) => m.data.room === "order");
    assert.deepEqual(received.map((m) => m.data.body), expected);
    await p.evaluate(() => window.wt.close());
    await p.close();
  });

  test("queues while offline and flushes on reconnect", bounded, async () => {
    const p = await page();
    await p.evaluate(() => window.wt.ready());
    await context.setOffline(true);
    await until(p, () => window.wt.state() === "offline");
    await p.evaluate((template) => {
      for (let i = 0; i < 5; i++) window.wt.post("chat.message_sent", { ...template, body: `offline ${i}` }, { ack: true, prio: 9 - i });
      window.wt.post("chat.typing", { room: "offline", user_id: template.author.id, typing: true }, { volatile: true });
    }, sentV3("", { room: "offline" }));
    assert.equal(await p.evaluate(() => window.wt.queued()), 5);
    await context.setOffline(false);
    await until(p, () => window.wt.state() === "open" && window.wt.queued() === 0);
    const expected = [4, 3, 2, 1, 0].map((i) => `offline ${i}`); // prio 5 first ... prio 9 last
    const received = await eventually(async () => {
      const got = (await server.received()).filter((m) => m.data.room === "offline");
      return got.length >= 5 && got;
    }, "the queued messages at the server");
    assert.deepEqual(received.map((m) => m.data.body ?? m.type), expected);
    const told = (await log(p)).states;
    const states = told.map((s) => s.state);
    assert.deepEqual(states.slice(0, 2), ["connecting", "open"]);
    assert.ok(told.some((s) => s.state === "reconnecting" && s.reason.includes("the browser went offline")), JSON.stringify(told));
    assert.ok(told.some((s) => s.state === "offline" && s.reason === "the browser is offline"), JSON.stringify(told));
    assert.equal(states.at(-1), "open");
    await p.evaluate(() => window.wt.close());
    await p.close();
  });

  test("dials at once when the page comes online or becomes visible, not after the backoff", bounded, async () => {
    const restarting = await startServer();
    const slow = { backoff_min_ms: 300_000, backoff_max_ms: 300_000 }; // longer than the test may last
    const p = await page("v3", restarting.url, slow);
    await p.evaluate(() => window.wt.ready());
    await restarting.command({ cmd: "stop" });
    await until(p, () => window.wt.state() === "reconnecting"); // the next attempt: in 5 minutes
    await restarting.command({ cmd: "start" });
    await p.evaluate(() => {
      Object.defineProperty(document, "visibilityState", { value: "visible", configurable: true });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await until(p, () => window.wt.state() === "open");
    await restarting.command({ cmd: "stop" });
    await until(p, () => window.wt.state() === "reconnecting");
    await restarting.command({ cmd: "start" });
    await context.setOffline(true);
    await context.setOffline(false); // the page's online event
    await until(p, () => window.wt.state() === "open");
    assert.deepEqual((await log(p)).welcomes.map((w) => w.resumed), [false, true, true]);
    await p.evaluate(() => window.wt.close());
    await p.close();
    await restarting.stop();
  });

  test("keeps its offline queue in IndexedDB across a page reload", bounded, async () => {
    const restarting = await startServer();
    await restarting.command({ cmd: "stop" });
    const options = { queue_db: "wiretype-reload-test" };
    const p = await page("v3", restarting.url, options);
    await until(p, () => window.wt.state() === "offline");
    await p.evaluate((template) => {
      for (let i = 0; i < 3; i++) window.wt.post("chat.message_sent", { ...template, body: `kept ${i}` }, { ack: true });
    }, sentV3("", { room: "reload" }));
    await p.evaluate(() => window.wt.persisted());
    await p.reload();
    await p.waitForFunction(() => window.wtReady === true, null, { timeout: LIMIT_MS });
    await restarting.command({ cmd: "start" });
    await p.evaluate(([u, o]) => window.wt.start(u, o), [restarting.url, { ...FAST, ...options }]);
    await until(p, () => window.wt.state() === "open" && window.wt.queued() === 0);
    const received = await eventually(async () => {
      const got = await restarting.received();
      return got.length >= 3 && got;
    }, "the kept messages at the server");
    assert.deepEqual(received.map((m) => m.data.body), ["kept 0", "kept 1", "kept 2"]);
    await p.evaluate(() => window.wt.close());
    const left = await p.evaluate(() => new window.wt.Store("wiretype-reload-test").load().then((rows) => rows.length));
    assert.equal(left, 0);
    await p.close();
    await restarting.stop();
  });

  test("a v1 client of an older registry and a v3 client share one conversation", bounded, async () => {
    const old = await page("v1");
    const current = await page("v3");
    assert.deepEqual((await old.evaluate(() => window.wt.versions()))["chat.message_sent"], [1]);
    for (const p of [old, current]) {
      await p.evaluate(() => window.wt.ready());
      await p.evaluate(() => window.wt.subscribe("room.mixed"));
    }
    assert.equal((await old.evaluate(() => window.wt.negotiated()))["chat.message_sent"], 1);
    assert.equal((await current.evaluate(() => window.wt.negotiated()))["chat.message_sent"], 3);
    await old.evaluate((data) => window.wt.send("chat.message_sent", data, { ack: true }), sentV1("from v1", { room: "mixed", priority: "high", tags: ["t"] }));
    await current.evaluate((data) => window.wt.send("chat.message_sent", data, { ack: true }), sentV3("from v3", { room: "mixed", priority: "alert" }));
    await until(old, () => window.wt.log.messages.length === 2);
    await until(current, () => window.wt.log.messages.length === 2);
    const seenOld = (await log(old)).messages;
    const seenNew = (await log(current)).messages;
    assert.deepEqual(seenOld.map((m) => [m.wireVersion, m.data.text, m.data.priority]), [[1, "from v1", "high"], [1, "from v3", "high"]]);
    assert.deepEqual(seenNew.map((m) => [m.wireVersion, m.data.body, m.data.priority]), [[3, "from v1", "notify"], [3, "from v3", "alert"]]);
    assert.ok(seenOld.every((m) => !("body" in m.data)));
    assert.ok(seenNew.every((m) => !("text" in m.data) && m.data.edited === false));
    const received = (await server.received()).filter((m) => m.data.room === "mixed");
    assert.deepEqual(received.map((m) => [m.v, m.data.body, m.data.priority]), [[3, "from v1", "notify"], [3, "from v3", "alert"]]);
    for (const p of [old, current]) {
      assert.deepEqual(p.problems, []);
      await p.evaluate(() => window.wt.close());
      await p.close();
    }
  });
});
