// The chat example's browser page (examples/chat/page/), as a user opens it: served over
// HTTP on 127.0.0.1 with the repository's layout (the page's import map points at
// ../../../clients/typescript/dist/ and ../generated/typescript/chat-protocol/dist/, both
// built: the client by `make node`, the package by its own `tsc -p`), in headless Chromium
// (Debian's /usr/bin/chromium, playwright-core) against examples/chat/server.py on a free
// loopback port, with examples/chat/client.py as a second person speaking v1. Everything
// is done through the page's form and read from what it shows; every wait is on a state of
// the page or a line of a process, bounded in time.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, test } from "node:test";
import { chromium } from "playwright-core";
import { BUILD, LIMIT_MS, REPO } from "./helpers.mjs";
import { PYTHON } from "./build.mjs";

const CHROMIUM = process.env.WIRETYPE_CHROMIUM ?? "/usr/bin/chromium";
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8" };
// What the page's URLs reach: the page itself, and the two built dist/ folders (the
// package's is tsc's output in the tests' build folder, where build.mjs put it).
const SERVED = [
  ["examples/chat/page/", join(REPO, "examples/chat/page")],
  ["clients/typescript/dist/", join(REPO, "clients/typescript/dist")],
  ["examples/chat/generated/typescript/chat-protocol/dist/", join(BUILD, "chat")],
];

let site;
let siteUrl;
let chat;
let browser;
const children = [];

function serve() {
  return createServer((req, res) => {
    const name = normalize(decodeURIComponent(new URL(req.url, "http://localhost").pathname)).replace(/^\/+/, "");
    const served = SERVED.find(([prefix]) => name.startsWith(prefix));
    const path = served && join(served[1], name.slice(served[0].length) || "index.html");
    if (!path || name.split(sep).includes("..") || !existsSync(path) || !statSync(path).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(realpathSync(path))] ?? "application/octet-stream" });
    res.end(readFileSync(path));
  });
}

/** A Python process of the example; `lines` yields its stdout a line at a time. */
function python(script, args) {
  const child = spawn(PYTHON, [join(REPO, "examples/chat", script), ...args], { cwd: REPO, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const seen = [];
  const waiters = [];
  createInterface({ input: child.stdout }).on("line", (line) => {
    seen.push(line);
    for (const w of [...waiters]) if (w.match(line)) waiters.splice(waiters.indexOf(w), 1) && w.resolve(line);
  });
  children.push(child);
  return {
    child,
    /** The first line (already printed or to come) for which `match` is true. */
    line(match, what) {
      const found = seen.find(match);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${script}: no ${what} within ${LIMIT_MS} ms\n${seen.join("\n")}\n${stderr}`)), LIMIT_MS);
        waiters.push({ match, resolve: (l) => (clearTimeout(timer), resolve(l)) });
        child.once("exit", (code) => reject(new Error(`${script} exited (${code}) before ${what}\n${stderr}`)));
      });
    },
  };
}

async function stop(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = once(child, "exit");
  if (signal) child.kill(signal);
  else child.stdin.end();
  const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
  const [code] = await exited;
  clearTimeout(kill);
  return code;
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (make test does it)`);
  chat = python("server.py", ["--host", "127.0.0.1", "--port", "0"]);
  const listening = await chat.line((l) => l.startsWith("listening on "), "listening line");
  chat.url = listening.slice("listening on ".length);
  site = serve();
  await new Promise((resolve) => site.listen(0, "127.0.0.1", resolve));
  siteUrl = `http://127.0.0.1:${site.address().port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true, timeout: LIMIT_MS,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
});

after(async () => {
  await browser?.close();
  site?.close();
  for (const child of children.reverse()) await stop(child, child === chat?.child ? "SIGTERM" : null);
});

/** The list as a user reads it: author, priority tag (when not normal) and text of each item. */
const listed = (page) =>
  page.$$eval("#messages li", (items) =>
    items.map((li) => ({
      author: li.querySelector(".author")?.textContent,
      priority: li.querySelector(".priority")?.textContent ?? "normal",
      body: li.querySelector(".body")?.textContent,
    })),
  );
const until = (page, fn, arg) => page.waitForFunction(fn, arg, { timeout: LIMIT_MS, polling: 10 });
const shows = (page, body) => until(page, (b) => [...document.querySelectorAll("#messages .body")].some((e) => e.textContent === b), body);

describe("E2E Communication: the chat example's page", () => {
  test("joins a room, sends with an ack, and lists its own and a v1 Python client's messages as v3", { timeout: LIMIT_MS * 4 }, async () => {
    const page = await browser.newPage();
    const problems = [];
    page.on("pageerror", (err) => problems.push(String(err)));
    page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
    page.on("response", (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));
    try {
      await page.goto(`${siteUrl}/examples/chat/page/?server=${encodeURIComponent(chat.url)}`);
      assert.equal(await page.inputValue("#join [name=server]"), chat.url);
      assert.equal(await page.textContent("#status"), "not connected");
      assert.equal(await page.isDisabled("#send"), true);

      await page.fill("#join [name=name]", "Ada");
      await page.fill("#join [name=room]", "lobby");
      await page.click("#join button");
      await until(page, () => document.querySelector("#status").textContent === "open");
      await until(page, () => !document.querySelector("#send").disabled); // subscribed
      assert.equal(await page.textContent("#room"), "lobby");

      await page.fill("#body", "hello from the page");
      await page.click("#send");
      await until(page, () => document.querySelector("#notice").textContent === "sent: the server acknowledged it");
      await shows(page, "hello from the page");
      assert.deepEqual(await listed(page), [{ author: "Ada", priority: "normal", body: "hello from the page" }]);
      assert.equal(await page.inputValue("#body"), "");

      // a second person: the example's Python client, speaking chat.message_sent v1
      const grace = python("client.py", [chat.url, "--speaks", "1", "--name", "Grace", "--room", "lobby", "--priority", "high", "--json"]);
      const ready = JSON.parse(await grace.line((l) => JSON.parse(l).event === "ready", "ready line"));
      assert.deepEqual(ready.versions, { "chat.message_sent": 1 });
      const peer = "<b>hi Ada</b> <img src=x onerror=alert(1)>";
      grace.child.stdin.write(`${peer}\n`);
      await shows(page, peer);
      // read as the page's version: v1's `text` is v3's `body`, v1's `high` is v3's `notify`
      assert.deepEqual((await listed(page)).at(-1), { author: "Grace", priority: "notify", body: peer });
      assert.equal(await page.$$eval("#messages b, #messages img", (found) => found.length), 0, "peer text is text, never markup");

      // and the page's next message reaches Grace, in her version
      await page.fill("#body", "hi Grace");
      await page.click("#send");
      const got = JSON.parse(
        await grace.line((l) => {
          const e = JSON.parse(l);
          return e.event === "received" && e.data.text === "hi Grace";
        }, "the page's message"),
      );
      assert.deepEqual([got.v, got.data.author.name, got.data.priority], [1, "Ada", "normal"]);
      await shows(page, "hi Grace");
      assert.equal(await stop(grace.child), 0);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });
});
