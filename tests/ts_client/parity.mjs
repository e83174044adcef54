// The TypeScript side of the parity scripts (tests/ts_client/parity/*.json): runs a script
// through the client core and returns its transcript, recorded exactly as the Python runner
// (tests/test_client_parity.py) records its own.
//
//   node tests/ts_client/parity.mjs SCRIPT.json...   prints {name: transcript} as JSON
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { chat, core, REGISTRY } from "./helpers.mjs";

const CLIENT_ID = /^c[0-9a-f]{10}-([0-9]+)$/;

/** JSON with the client's ids as c-N (their random prefix left out). */
export function canon(value) {
  if (typeof value === "string") {
    const found = CLIENT_ID.exec(value);
    return found ? `c-${found[1]}` : value;
  }
  if (Array.isArray(value)) return value.map(canon);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, canon(v)]));
  return value;
}

export function eventOf(e) {
  switch (e.kind) {
    case "state":
      return ["state", e.state, e.reason];
    case "welcomed":
      return ["welcomed", e.session, e.resumed, e.versions, e.heartbeatMs];
    case "message":
      return ["message", e.header.type, e.wireVersion, e.data, e.header.id];
    case "ack":
      return ["ack", e.id, e.rttMs];
    case "send_failed":
      return ["send_failed", e.id, e.code, e.reason, [...e.errors], e.retryAfterMs];
    case "dropped":
      return ["dropped", e.reason, e.count];
    case "status":
      return ["status", e.state, e.reason, e.retryInMs, e.detail];
    case "error":
      return ["error", e.code, e.message, e.re];
    case "problem":
      return ["problem", e.code, e.id];
    case "close":
      return ["close", e.code, e.reason];
    default:
      throw new Error(`an event the scripts do not know: ${JSON.stringify(e)}`);
  }
}

const NOTHING = Symbol("nothing");

function send(c, step, now) {
  try {
    const id = c.send(step.type, step.data, now, {
      ack: step.ack ?? false, prio: step.prio ?? 4, ttl: step.ttl ?? null, volatile: step.volatile ?? false,
    });
    return id;
  } catch (err) {
    if (err instanceof core.SendFailedError) return { raised: err.code };
    if (err instanceof chat.DecodeError) return { raised: "invalid" };
    if (err instanceof TypeError || err instanceof RangeError) return { raised: "usage" };
    throw err;
  }
}

/** A script's server frame with the client's ids (c-N) as this client writes them. */
function ours(value, prefix) {
  if (typeof value === "string") return value.replace(/^c-([0-9]+)$/, `${prefix}-$1`);
  if (Array.isArray(value)) return value.map((v) => ours(v, prefix));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, ours(v, prefix)]));
  return value;
}

function act(c, step, now) {
  if ("server" in step) {
    c.receiveText(JSON.stringify(ours(step.server, c.idPrefix)), now);
    return NOTHING;
  }
  if ("server_text" in step) {
    c.receiveText(step.server_text, now);
    return NOTHING;
  }
  switch (step.do) {
    case "connect":
      c.connect(now);
      break;
    case "tick":
      c.tick(now);
      break;
    case "lost":
      c.connectionLost(step.code, step.reason ?? "", now);
      break;
    case "failed":
      c.connectFailed(now, { final: step.final ?? false, reason: step.reason ?? "" });
      break;
    case "close":
      c.close();
      break;
    case "retry_now":
      c.retryNow(now);
      break;
    case "send":
      return send(c, step, now);
    case "subscribe":
      return c.subscribe(step.topics, now);
    case "unsubscribe":
      return c.unsubscribe(step.topics, now);
    default:
      throw new Error(`unknown step ${step.do}`);
  }
  return NOTHING;
}

export function runScript(script) {
  const value = script.random ?? 0.5;
  const app = core.Package.fromModule(chat, { name: REGISTRY, speaks: script.speaks });
  const protocol = core.Package.fromModule(core.WIRE, { name: "wiretype" });
  const c = new core.ClientConnection(app, protocol, {
    settings: core.buildSettings(script.settings ?? {}), name: "parity", version: "1", random: () => value,
  });
  const transcript = [];
  let now = 0;
  for (const step of script.steps) {
    now = step.at ?? now;
    const result = act(c, step, now);
    const events = c.eventsReceived();
    for (const event of events) if (event.kind === "message") c.ack(event.header);
    const record = {
      frames: c.dataToSend().map((f) => JSON.parse(f)),
      events: events.map(eventOf),
      state: c.state,
      next_attempt_at: c.nextAttemptAt,
      next_deadline: c.nextDeadline(),
      last_seq: c.lastSeq,
    };
    if (result !== NOTHING) record.result = result;
    transcript.push(canon(record));
  }
  return transcript;
}

export function matches(expected, actual) {
  if (expected === "$any") return true;
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && expected.length === actual.length && expected.every((e, i) => matches(e, actual[i]));
  }
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return false;
    const keys = Object.keys(expected);
    return keys.length === Object.keys(actual).length && keys.every((k) => k in actual && matches(expected[k], actual[k]));
  }
  return expected === actual;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = {};
  for (const path of process.argv.slice(2)) out[basename(path, ".json")] = runScript(JSON.parse(readFileSync(path, "utf8")));
  process.stdout.write(JSON.stringify(out));
}
