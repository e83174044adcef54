// The TypeScript client's figures (loopback only; every loop bounded in count):
//
// 1. messages/s (the median of three runs after a warm-up): the Node client (@wiretype/client/node) sending chat.typing to the Python
//    server (bench/ts_client_server.py), until the server has acked the last; beside
//    socket.io-client emitting the same object to a Socket.IO 4 server (the last with an
//    ack), and the `ws` package sending the same frame to a plain `ws` echo server (until the
//    last echo is back);
// 2. acked round trip p50/p99: one at a time, awaited: `send(..., { ack: true })`, Socket.IO
//    `emitWithAck`, a `ws` message and its echo;
// 3. sizes: esbuild minified + gzipped (level 9): the client alone, the client with a
//    generated package of three chat messages (and what each part weighs: its minified bytes,
//    and what it adds to the gzipped bundle, the gzip of the whole minus the gzip without
//    its characters, found through the source map), the chat example's
//    generated package and a 300-message registry's (bench/registry_gen.py) whole, that one
//    with only one message's guard and validator imported (what tree-shaking leaves), and
//    socket.io-client beside them.
//
// Each server runs in a process of its own. Run: node bench/bench_ts_client.mjs [--quick] [--sizes]
// (--sizes: only the sizes)
// (or python bench/bench_ts_client.py, which `make bench` runs).
import { spawn, execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..");
const WORK = join(HERE, ".work", "ts_client");
const QUICK = process.argv.includes("--quick");
const COUNT = QUICK ? 5_000 : 20_000;
const TRIPS = QUICK ? 500 : 2_000;
const TYPING = { room: "lobby", user_id: "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11", typing: true };

// --- the servers, each in its own process ----------------------------------------------------

async function serveSocketIo() {
  const { Server } = await import("socket.io");
  const io = new Server(0, { transports: ["websocket"], serveClient: false });
  io.on("connection", (socket) => {
    socket.on("typing", (data, ack) => {
      if (typeof ack === "function") ack("ok");
    });
  });
  await new Promise((resolve) => io.httpServer.once("listening", resolve));
  console.log(JSON.stringify({ port: io.httpServer.address().port }));
}

async function serveWsEcho() {
  const { WebSocketServer } = await import("ws");
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: false });
  wss.on("connection", (ws) => ws.on("message", (data, binary) => ws.send(data, { binary })));
  await new Promise((resolve) => wss.once("listening", resolve));
  console.log(JSON.stringify({ port: wss.address().port }));
}

function start(command, args) {
  const child = spawn(command, args, { cwd: ROOT, stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited (${code})`)));
    lines.once("line", (line) => resolve({ port: JSON.parse(line).port, stop: () => { child.stdin.end(); child.kill(); } }));
  });
}

// --- the measures ----------------------------------------------------------------------------

const quantile = (values, q) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))];

async function trips(one) {
  for (let i = 0; i < 50; i++) await one(); // warm up
  const times = [];
  for (let i = 0; i < TRIPS; i++) {
    const started = performance.now();
    await one();
    times.push(performance.now() - started);
  }
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
}

/** Messages per second of `burst(COUNT)`: the median of three runs after one to warm up. */
async function rate(burst) {
  await burst(COUNT);
  const rates = [];
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    await burst(COUNT);
    rates.push(COUNT / ((performance.now() - started) / 1000));
  }
  return quantile(rates, 0.5);
}

async function wiretype(python) {
  const { connect } = await import(pathToFileURL(join(ROOT, "clients/typescript/dist/node.js")).href);
  const proto = await import(pathToFileURL(join(ROOT, "build/ts-client/chat/index.js")).href);
  const server = await start(python, [join(HERE, "ts_client_server.py")]);
  const client = connect(`ws://127.0.0.1:${server.port}`, proto, { registry: "chat", name: "bench", queue_size: COUNT * 2 });
  await client.ready();
  const burst = async (n) => {
    for (let i = 1; i < n; i++) client.send("chat.typing", TYPING);
    await client.send("chat.typing", TYPING, { ack: true });
  };
  const perSecond = await rate(burst);
  const rtt = await trips(() => client.send("chat.typing", TYPING, { ack: true }));
  await client.close();
  server.stop();
  return { perSecond, rtt };
}

async function socketIo() {
  const { io } = await import("socket.io-client");
  const server = await start(process.execPath, [fileURLToPath(import.meta.url), "--serve", "socketio"]);
  const socket = io(`http://127.0.0.1:${server.port}`, { transports: ["websocket"] });
  await new Promise((resolve) => socket.once("connect", resolve));
  const burst = async (n) => {
    for (let i = 1; i < n; i++) socket.emit("typing", TYPING);
    await socket.emitWithAck("typing", TYPING);
  };
  const perSecond = await rate(burst);
  const rtt = await trips(() => socket.emitWithAck("typing", TYPING));
  socket.close();
  server.stop();
  return { perSecond, rtt };
}

async function wsEcho() {
  const { default: WebSocket } = await import("ws");
  const server = await start(process.execPath, [fileURLToPath(import.meta.url), "--serve", "ws"]);
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}`, { perMessageDeflate: false });
  await new Promise((resolve) => ws.once("open", resolve));
  const frame = JSON.stringify({ type: "chat.typing", v: 1, id: "c0000000000-1", data: TYPING });
  let waiting = 0;
  let done = null;
  ws.on("message", () => {
    waiting -= 1;
    if (waiting === 0) done?.();
  });
  const echoed = (n) => new Promise((resolve) => {
    done = resolve;
    waiting = n;
    for (let i = 0; i < n; i++) ws.send(frame);
  });
  const perSecond = await rate(echoed);
  const rtt = await trips(() => echoed(1));
  ws.close();
  server.stop();
  return { perSecond, rtt };
}

// --- sizes -----------------------------------------------------------------------------------

function partOf(path) {
  return path.includes("clients/typescript/dist/protocol/") ? "the client's copy of wiretype.*" :
    path.includes("clients/typescript/") ? "the client's own code" :
    /\/(dist|src)\/validators\./.test(path) ? "the package's validators" :
    /\/(dist|src)\/shims\./.test(path) ? "the package's shims" :
    /\/(dist|src)\//.test(path) ? "the package's codec, types, runtime" : "other";
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** The source index of each character of `code`, read from its source map's segments. */
function sourceOfEachChar(code, map) {
  const owner = new Int32Array(code.length).fill(-1);
  const lineStarts = [0];
  for (let i = 0; i < code.length; i++) if (code[i] === "\n") lineStarts.push(i + 1);
  let source = 0;
  let last = -1;
  let lastSource = -1;
  map.mappings.split(";").forEach((line, row) => {
    let column = 0;
    for (const segment of line.split(",")) {
      if (segment === "") continue;
      const fields = [];
      let value = 0;
      let shift = 0;
      for (const ch of segment) {
        const digit = BASE64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += fields[0];
      if (fields.length > 1) source += fields[1];
      const at = lineStarts[row] + column;
      if (last >= 0) owner.fill(lastSource, last, at);
      last = at;
      lastSource = fields.length > 1 ? source : -1;
    }
  });
  if (last >= 0) owner.fill(lastSource, last);
  return owner;
}

/** What each part adds to the gzipped bundle: the gzip of the whole minus the gzip without it. */
function gzippedParts(code, map, gzipped) {
  const owner = sourceOfEachChar(code, map);
  const partOfSource = map.sources.map((path) => partOf(path));
  const out = {};
  for (const part of new Set(partOfSource)) {
    let rest = "";
    let from = 0;
    for (let i = 0; i <= code.length; i++) {
      const mine = i < code.length && owner[i] >= 0 && partOfSource[owner[i]] === part;
      if (mine && from >= 0) {
        rest += code.slice(from, i);
        from = -1;
      } else if (!mine && from < 0) from = i;
    }
    if (from >= 0) rest += code.slice(from);
    out[part] = gzipped - gzipSync(rest, { level: 9 }).length;
  }
  return out;
}

async function bundled(name, source, resolveDir) {
  const esbuild = await import("esbuild");
  const out = await esbuild.build({
    stdin: { contents: source, resolveDir, loader: "js" }, bundle: true, minify: true, format: "esm", platform: "browser",
    target: "es2022", write: false, metafile: true, logLevel: "silent", sourcemap: "external", outfile: join(WORK, "bundle.js"),
  });
  const js = out.outputFiles.find((f) => f.path.endsWith(".js"));
  const map = JSON.parse(out.outputFiles.find((f) => f.path.endsWith(".map")).text);
  const bytes = js.contents;
  const parts = {};
  for (const [path, input] of Object.entries(Object.entries(out.metafile.outputs).find(([path]) => path.endsWith(".js"))[1].inputs)) {
    const part = partOf(path);
    parts[part] = (parts[part] ?? 0) + input.bytesInOutput;
  }
  const gzipped = gzipSync(bytes, { level: 9 }).length;
  return { name, minified: bytes.length, gzipped, parts, gzippedParts: gzippedParts(js.text, map, gzipped) };
}

// The chat example's schemas: schemas/chat and schemas/common today, examples/chat/schemas/
// once the example has moved there.
function chatSchemas() {
  const moved = join(ROOT, "examples/chat/schemas");
  return existsSync(join(moved, "chat")) ? moved : join(ROOT, "schemas");
}

function threeMessages(python) {
  const registry = join(WORK, "three");
  const schemas = chatSchemas();
  rmSync(registry, { recursive: true, force: true });
  mkdirSync(join(registry, "schemas/chat"), { recursive: true });
  mkdirSync(join(registry, "schemas/common"), { recursive: true });
  for (const name of ["message_sent", "typing", "reaction_added"]) {
    cpSync(join(schemas, `chat/${name}.yaml`), join(registry, `schemas/chat/${name}.yaml`));
  }
  cpSync(join(schemas, "common/user.yaml"), join(registry, "schemas/common/user.yaml"));
  writeFileSync(join(registry, "wiretype.yaml"), 'schemas: schemas\nname: chat\ntypescript: {package: "@chat/three", out: out}\n');
  execFileSync(python, ["-m", "registry", "generate", "--root", registry, "--lang", "typescript"], { cwd: ROOT });
  const tsc = join(ROOT, "node_modules/.bin/tsc");
  execFileSync(tsc, ["-p", join(registry, "out/three"), "--outDir", join(registry, "out/three/dist")], { cwd: ROOT });
  writeFileSync(join(registry, "out/three/dist/package.json"), '{"type": "module"}');
  return join(registry, "out/three/dist/index.js");
}

/** A generated package's own entry (src/index.ts; esbuild strips the types), for `schemas`. */
function wholePackage(python, name, copy) {
  const registry = join(WORK, name);
  rmSync(registry, { recursive: true, force: true });
  copy(join(registry, "schemas"));
  writeFileSync(join(registry, "wiretype.yaml"), `schemas: schemas\nname: ${name}\ntypescript: {package: "@bench/${name}", out: out}\n`);
  execFileSync(python, ["-m", "registry", "generate", "--root", registry, "--lang", "typescript"], { cwd: ROOT });
  return join(registry, "out", name, "src/index.ts");
}

const chatPackage = (python) => wholePackage(python, "chat", (to) => {
  for (const folder of ["chat", "common"]) cpSync(join(chatSchemas(), folder), join(to, folder), { recursive: true });
});

const bigPackage = (python) => wholePackage(python, "big", (to) => {
  const made = join(WORK, "big-300");
  if (!existsSync(join(made, "schemas"))) execFileSync(python, [join(HERE, "registry_gen.py"), made, "--messages", "300"], { cwd: ROOT });
  cpSync(join(made, "schemas"), to, { recursive: true });
});

async function sizes(python) {
  const client = join(ROOT, "clients/typescript/dist/index.js");
  const three = threeMessages(python);
  const chat = chatPackage(python);
  const big = bigPackage(python);
  const whole = (entry) => `export * from ${JSON.stringify(entry)};`;
  const one = (entry) => `export { isMessage0000V3, validateMessage0000V3 } from ${JSON.stringify(entry)};`;
  return [
    await bundled("@wiretype/client alone", `export { connect } from ${JSON.stringify(client)};`, ROOT),
    await bundled(
      "@wiretype/client + 3 chat messages",
      `import { connect } from ${JSON.stringify(client)}; import * as proto from ${JSON.stringify(three)};\n` +
        `export const open = (url) => connect(url, proto, { registry: "chat" });`,
      ROOT,
    ),
    await bundled("the chat example's package, whole", whole(chat), ROOT),
    await bundled("a 300-message registry's package, whole", whole(big), ROOT),
    await bundled("the same, one message's guard and validator", one(big), ROOT),
    await bundled("socket.io-client (for scale)", `export { io } from "socket.io-client";`, ROOT),
  ];
}

// --- main ------------------------------------------------------------------------------------

async function main() {
  const serve = process.argv.indexOf("--serve");
  if (serve >= 0) {
    await (process.argv[serve + 1] === "ws" ? serveWsEcho() : serveSocketIo());
    return;
  }
  const { ensureBuilt, PYTHON } = await import(pathToFileURL(join(ROOT, "tests/ts_client/build.mjs")).href);
  await ensureBuilt();
  mkdirSync(WORK, { recursive: true });
  const SIZES_ONLY = process.argv.includes("--sizes");
  const rows = SIZES_ONLY ? [] : [
    ["@wiretype/client → wiretype.Server (Python)", await wiretype(PYTHON)],
    ["socket.io-client → Socket.IO 4 server (Node)", await socketIo()],
    ["ws → plain ws echo (Node)", await wsEcho()],
  ];
  console.log(`messages/s (${COUNT} sent, until the last is acked or echoed) and acked round trip (${TRIPS}, one at a time):`);
  for (const [name, { perSecond, rtt }] of rows) {
    console.log(`  ${name.padEnd(46)} ${Math.round(perSecond).toLocaleString("en").padStart(9)} msg/s   p50 ${rtt.p50.toFixed(3)} ms   p99 ${rtt.p99.toFixed(3)} ms`);
  }
  const measured = await sizes(PYTHON);
  console.log("\nsizes, esbuild --minify, gzip -9:");
  for (const size of measured) {
    console.log(`  ${size.name.padEnd(46)} ${(size.gzipped / 1024).toFixed(1).padStart(5)} KB gzipped (${(size.minified / 1024).toFixed(1)} KB minified)`);
    if (!size.name.startsWith("socket")) {
      for (const [part, bytes] of Object.entries(size.parts).sort((a, b) => b[1] - a[1])) {
        const gz = size.gzippedParts[part];
        const adds = gz === undefined ? "" : `, adds ${(gz / 1024).toFixed(1)} KB gzipped`;
        console.log(`      ${part.padEnd(40)} ${(bytes / 1024).toFixed(1).padStart(5)} KB minified${adds}`);
      }
    }
  }
  writeFileSync(join(WORK, "figures.json"), JSON.stringify({ count: COUNT, trips: TRIPS, rows: Object.fromEntries(rows), sizes: measured }, null, 1));
  process.exit(0);
}

await main();
