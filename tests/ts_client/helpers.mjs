// Shared pieces of the client's Node tests: the built modules, the real Python server as a
// subprocess, a TCP proxy that can cut or refuse links, waits on states, sample messages.
import { spawn } from "node:child_process";
import { once } from "node:events";
import net from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { BUILD, CLIENT, ensureBuilt, PYTHON, REPO } from "./build.mjs";

export { BUILD, REPO };
export const LIMIT_MS = 30_000; // the bound of every test that talks to a server

await ensureBuilt();
export const client = await import(pathToFileURL(join(CLIENT, "dist/index.js")).href);
export const core = await import(pathToFileURL(join(CLIENT, "dist/core/index.js")).href);
export const store = await import(pathToFileURL(join(CLIENT, "dist/store/index.js")).href);
export const node = await import(pathToFileURL(join(CLIENT, "dist/node.js")).href);
export const chat = await import(pathToFileURL(join(BUILD, "chat/index.js")).href);
export const chatV1 = await import(pathToFileURL(join(BUILD, "v1/index.js")).href);
export const REGISTRY = "chat";

export const AUTHOR = { id: "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11", name: "Ada" };
const ID = "1f0e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";

/** chat.message_sent at v3 (the latest); `n` goes into the body, so order can be checked. */
export function sentV3(body = "hello", extra = {}) {
  return { id: ID, room: "lobby", body, sent_at: "2026-03-01T09:30:00Z", author: AUTHOR, reply_to: null, ...extra };
}

export function sentV1(text = "hello", extra = {}) {
  return { id: ID, room: "lobby", text, sent_at: "2026-03-01T09:30:00Z", author: AUTHOR, reply_to: null, ...extra };
}

export function typing(room = "lobby", on = true) {
  return { room, user_id: AUTHOR.id, typing: on };
}

/** Resolves once `check()` is truthy (looked at every few ms), or fails after `ms`. */
export async function until(check, what = "the condition", ms = LIMIT_MS) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The Python server (tests/ts_client/server.py) on a free port, driven by JSON commands. */
export async function startServer(options = {}) {
  const env = { ...process.env, PYTHONPATH: [REPO, join(REPO, "generated/python"), join(REPO, "examples/chat/generated/python"), process.env.PYTHONPATH].filter(Boolean).join(":") };
  const child = spawn(PYTHON, [join(REPO, "tests/ts_client/server.py"), JSON.stringify(options)], {
    cwd: REPO, env, stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout });
  const waiting = new Map();
  let first = null;
  const started = new Promise((resolve, reject) => {
    first = { resolve, reject };
    child.once("exit", (code) => reject(new Error(`server exited (${code}) before listening:\n${stderr}`)));
  });
  lines.on("line", (line) => {
    const answer = JSON.parse(line);
    if (first !== null && "port" in answer && answer.re === undefined) {
      first.resolve(answer.port);
      first = null;
      return;
    }
    waiting.get(answer.re)?.(answer);
    waiting.delete(answer.re);
  });
  const timer = setTimeout(() => first?.reject(new Error(`server did not start:\n${stderr}`)), LIMIT_MS);
  const port = await started.finally(() => clearTimeout(timer));
  let n = 0;
  const command = (cmd) =>
    new Promise((resolve, reject) => {
      n += 1;
      waiting.set(n, (answer) => (answer.error ? reject(new Error(answer.error)) : resolve(answer)));
      child.stdin.write(`${JSON.stringify({ n, ...cmd })}\n`);
    });
  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    command,
    received: async () => (await command({ cmd: "received" })).received,
    async stop() {
      if (child.exitCode !== null) return;
      child.stdin.end();
      const exited = once(child, "exit");
      const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(kill);
    },
    stderr: () => stderr,
  };
}

/**
 * A TCP proxy to `target`: `cut()` breaks every link at once (no close frame: the server
 * sees a drop, the client a 1006), `freeze()` silences them without closing them,
 * `refuse()` answers new links by closing them until `accept()`. The network failures a test needs, without touching the server.
 */
export async function startProxy(target) {
  const sockets = new Set();
  let refusing = false;
  const server = net.createServer((inbound) => {
    if (refusing) {
      inbound.destroy();
      return;
    }
    const outbound = net.connect(target, "127.0.0.1");
    for (const [a, b] of [[inbound, outbound], [outbound, inbound]]) {
      sockets.add(a);
      a.on("error", () => b.destroy());
      a.on("close", () => {
        sockets.delete(a);
        b.destroy();
      });
      a.pipe(b);
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = server.address().port;
  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    links: () => sockets.size / 2,
    cut() {
      for (const socket of sockets) socket.destroy();
    },
    /** Stop forwarding on the links that exist (they stay up, silent: a dead network). */
    freeze() {
      for (const socket of sockets) {
        socket.unpipe();
        socket.pause();
      }
    },
    refuse() {
      refusing = true;
    },
    accept() {
      refusing = false;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, "close");
    },
  };
}

/** A Node client of the chat package (the `ws` package as its WebSocket). */
export function connectChat(url, options = {}) {
  return node.connect(url, chat, { registry: REGISTRY, name: "node-test", version: "1", ...options });
}

/** Fast timings for tests that wait on reconnects, retries and deadlines. */
export const FAST = { backoff_min_ms: 20, backoff_max_ms: 200, ack_timeout_ms: 300, heartbeat_ms: 200, heartbeat_grace_ms: 300 };

/** Collects a client's states and messages; waits on them. */
export function watch(c, type = "chat.message_sent") {
  const seen = { states: [], messages: [], welcomes: [] };
  c.onStatus((state) => seen.states.push(state));
  c.onWelcome((w) => seen.welcomes.push(w));
  c.on(type, (data, meta) => seen.messages.push({ data, meta }));
  return seen;
}

// --- the core, by hand -----------------------------------------------------------------------

export class Clock {
  constructor(now = 1_000_000) {
    this.now = now;
  }

  advance(ms) {
    this.now += ms;
    return this.now;
  }
}

/** A ClientConnection of the chat package with a fixed random source (0.5 unless told). */
export function makeCore({ settings = {}, speaks, random = () => 0.5, journal = null } = {}) {
  const app = core.Package.fromModule(chat, { name: REGISTRY, speaks });
  const protocol = core.Package.fromModule(core.WIRE, { name: "wiretype" });
  return new core.ClientConnection(app, protocol, {
    settings: core.buildSettings(settings), name: "test", version: "1", random, journal,
  });
}

export const frames = (c) => c.dataToSend().map((f) => JSON.parse(f));
export const kinds = (events) => events.map((e) => (e.kind === "state" ? `state:${e.state}` : e.kind));

export function frame(type, v, id, data, keys = {}) {
  return JSON.stringify({ type, v, id, data, ...keys });
}

export function welcome(c, { session = "s-1", resumed = false, epoch = 7, versions, limits = {} } = {}) {
  const spoken = versions ?? {
    "chat.message_sent": 3, "chat.typing": 1, "chat.message_deleted": 1, "wiretype.ack": 1, "wiretype.nack": 2,
    "wiretype.ping": 1, "wiretype.pong": 1, "wiretype.subscribe": 1, "wiretype.unsubscribe": 1, "wiretype.status": 1,
    "wiretype.error": 1, "wiretype.presence": 1, "wiretype.welcome": 1, "wiretype.hello": 1,
  };
  return frame("wiretype.welcome", 1, "w-1", {
    session, heartbeat_ms: 25_000, versions: spoken, limits: { max_frame_bytes: 65_536, max_in_flight: 64, ...limits }, resumed,
  }, { epoch });
}

/** A core that has said hello and been welcomed (its frames and events so far taken). */
export function openCore(clock, options = {}, welcomeOptions = {}) {
  const c = makeCore(options);
  c.connect(clock.now);
  c.receiveText(welcome(c, welcomeOptions), clock.now);
  c.dataToSend();
  c.eventsReceived();
  return c;
}
