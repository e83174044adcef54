// The page of clients/typescript/README.md ("In a page"), taken from the README as it is, run
// in headless Chromium (Debian's /usr/bin/chromium, playwright-core) against the real Python
// server, the two ways the README gives: its import map over the built dist/ folders, and
// its module bundled by esbuild through node_modules (the packages' own package.json
// exports, no alias). A new user's app is laid out in a temporary folder: node_modules/
// holds @wiretype/client (this repository's clients/typescript, built) and
// @acme/chat-protocol (the chat example's generated package, built), as `npm install` of
// the two local folders would. The only change made to the README's page is its server's
// port (the README says ws://localhost:8765; the test's server listens on a free one).
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { after, before, describe, test } from "node:test";
import { chromium } from "playwright-core";
import { BUILD, LIMIT_MS, REPO, sentV3, startServer } from "./helpers.mjs";

const CHROMIUM = process.env.WIRETYPE_CHROMIUM ?? "/usr/bin/chromium";
const README = readFileSync(join(REPO, "clients/typescript/README.md"), "utf8");
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8" };

/** The fenced blocks of `lang` in the README's section `heading`, joined. */
function block(heading, lang) {
  const section = README.split(/^## /m).find((part) => part.startsWith(`${heading}\n`));
  assert.ok(section, `the README has a section "## ${heading}"`);
  const found = [...section.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]);
  assert.ok(found.length > 0, `the README's "${heading}" shows a ${lang} block`);
  return found.join("\n");
}

let app;
let site;
let siteUrl;
let server;
let browser;

/** The app folder a user would have after `npm install` of the two built packages. */
function layOutApp() {
  const folder = mkdtempSync(join(tmpdir(), "wiretype-readme-app-"));
  const scope = (name) => {
    mkdirSync(join(folder, "node_modules", name), { recursive: true });
    return join(folder, "node_modules", name);
  };
  symlinkSync(join(REPO, "clients/typescript"), join(scope("@wiretype"), "client"));
  const proto = join(scope("@acme"), "chat-protocol");
  mkdirSync(proto);
  cpSync(join(REPO, "examples/chat/generated/typescript/chat-protocol/package.json"), join(proto, "package.json"));
  symlinkSync(join(BUILD, "chat"), join(proto, "dist")); // what its `npm run build` writes
  return folder;
}

function serve(folder) {
  return createServer((req, res) => {
    const name = normalize(decodeURIComponent(new URL(req.url, "http://localhost").pathname)).replace(/^\/+/, "");
    const path = join(folder, name || "index.html");
    if (name.startsWith("..") || !existsSync(path) || !statSync(path).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(realpathSync(path))] ?? "application/octet-stream" });
    res.end(readFileSync(path));
  });
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (make test does it)`);
  server = await startServer({});
  app = layOutApp();
  site = serve(app);
  await new Promise((resolve) => site.listen(0, "127.0.0.1", resolve));
  siteUrl = `http://localhost:${site.address().port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true, timeout: LIMIT_MS,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  site?.close();
  if (app) rmSync(app, { recursive: true, force: true });
});

/** The README's page as index.html, its module as app.ts, and a page of the bundle. */
function writePages() {
  const html = block("In a page", "html").replaceAll("ws://localhost:8765", server.url);
  writeFileSync(join(app, "index.html"), html);
  const module = /<script type="module">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(module, "the README's page has a module script");
  writeFileSync(join(app, "app.ts"), module[1]);
  writeFileSync(join(app, "bundled.html"), '<!doctype html><meta charset="utf-8"><title>chat</title><script type="module" src="/public/app.js"></script>\n');
}

/** Opens `path`, waits for the README's page to say "open", has the server publish, reads the page. */
async function runPage(path, body) {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (err) => problems.push(String(err)));
  page.on("response", (res) => res.status() >= 400 && !res.url().endsWith("/favicon.ico") && problems.push(`${res.status()} ${res.url()}`));
  try {
    await page.goto(`${siteUrl}${path}`);
    await page.waitForFunction(() => document.title === "open", null, { timeout: LIMIT_MS });
    // the page subscribes right after it opens: publish until one reaches it
    let text = "";
    const deadline = Date.now() + LIMIT_MS;
    while (!text.includes(`Ada: ${body}`) && Date.now() < deadline) {
      await server.command({ cmd: "publish", topic: "room.lobby", type: "chat.message_sent", data: sentV3(body) });
      text = await page.waitForFunction((b) => document.body.textContent.includes(`Ada: ${b}`) && document.body.textContent, body, {
        timeout: 1000, polling: 10,
      }).then((h) => h.jsonValue(), () => "");
    }
    assert.match(text, new RegExp(`Ada: ${body}`));
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
}

describe("E2E Communication: the README's page", () => {
  test("loads both packages through its import map over their dist/ folders, connects and receives", { timeout: LIMIT_MS * 2 }, async () => {
    writePages();
    assert.match(block("In a page", "html"), /"@wiretype\/client": "\/node_modules\/@wiretype\/client\/dist\/index\.js"/);
    await runPage("/index.html", "through the import map");
  });

  test("bundled by esbuild as the README says, resolving both packages through node_modules", { timeout: LIMIT_MS * 2 }, async () => {
    writePages();
    const command = block("In a page", "sh").split("\n").find((line) => line.startsWith("npx esbuild"));
    assert.ok(command, "the README gives the esbuild command");
    const args = command.replace(/#.*$/, "").trim().split(/\s+/).slice(2);
    assert.deepEqual(args, ["app.ts", "--bundle", "--format=esm", "--outfile=public/app.js"]);
    const esbuild = await import("esbuild");
    await esbuild.build({
      absWorkingDir: app, entryPoints: [join(app, "app.ts")], bundle: true, format: "esm", outfile: join(app, "public/app.js"),
      platform: "browser", logLevel: "silent",
    });
    await runPage("/bundled.html", "through the bundle");
  });
});
