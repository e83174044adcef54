// Builds what the client's tests run: the client (tsc, into clients/typescript/dist), the
// chat example's generated package (examples/chat, tsc), the package of an older registry
// (v1 only: generated with `wiretype generate`, then tsc), and the browser pages' bundles (esbuild). Each test file
// calls `ensureBuilt()`; the first one builds, the others wait for it (a lock directory) and
// reuse the build while its inputs are unchanged.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BUILD = join(REPO, "build", "ts-client");
export const CLIENT = join(REPO, "clients", "typescript");
export const PYTHON =
  process.env.WIRETYPE_PYTHON ?? (existsSync(join(REPO, ".venv", "bin", "python")) ? join(REPO, ".venv", "bin", "python") : "python3");
const TSC = join(REPO, "node_modules", ".bin", "tsc");
const LOCK = `${BUILD}.lock`;
const INPUTS = [
  "clients/typescript/src", "clients/typescript/tsconfig.json", "examples/chat/generated/typescript/chat-protocol/src",
  "examples/chat/schemas/chat/message_sent.yaml", "examples/chat/schemas/common/user.yaml", "examples/chat/wiretype.yaml", "tests/ts_client/pages",
  "tests/ts_client/old_registry.py", "tests/ts_client/build.mjs",
];

function files(path) {
  const full = join(REPO, path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full).flatMap((name) => files(join(path, name)));
}

function inputsKey() {
  const hash = createHash("sha256");
  for (const path of INPUTS.flatMap(files).sort()) hash.update(`${path}\0`).update(readFileSync(join(REPO, path))).update("\0");
  return hash.digest("hex");
}

function run(command, args, options = {}) {
  try {
    return execFileSync(command, args, { cwd: REPO, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...options });
  } catch (err) {
    throw new Error(`${command} ${args.join(" ")} failed:\n${err.stdout ?? ""}${err.stderr ?? ""}`);
  }
}

/** A package.json beside compiled code, so Node reads it as ES modules. */
function moduleFolder(folder) {
  writeFileSync(join(folder, "package.json"), JSON.stringify({ type: "module" }));
}

async function bundle(entry, out, alias) {
  const esbuild = await import("esbuild");
  await esbuild.build({
    entryPoints: [entry], outfile: out, bundle: true, format: "esm", platform: "browser", target: "es2022",
    alias, logLevel: "silent",
  });
}

async function build() {
  rmSync(BUILD, { recursive: true, force: true });
  mkdirSync(BUILD, { recursive: true });
  run(TSC, ["-p", CLIENT]);
  run(TSC, ["-p", join(REPO, "examples/chat/generated/typescript/chat-protocol"), "--outDir", join(BUILD, "chat")]);
  moduleFolder(join(BUILD, "chat"));
  const v1 = run(PYTHON, [join(REPO, "tests/ts_client/old_registry.py"), join(BUILD, "v1-src")]).trim();
  run(TSC, ["-p", v1, "--outDir", join(BUILD, "v1")]);
  moduleFolder(join(BUILD, "v1"));
  const www = join(BUILD, "www");
  mkdirSync(www, { recursive: true });
  const page = join(REPO, "tests/ts_client/pages/page.mjs");
  const client = join(CLIENT, "dist/index.js");
  await bundle(page, join(www, "v3.js"), { "wiretype-client": client, "wiretype-proto": join(BUILD, "chat/index.js") });
  await bundle(page, join(www, "v1.js"), { "wiretype-client": client, "wiretype-proto": join(BUILD, "v1/index.js") });
  for (const name of ["v3", "v1"]) {
    writeFileSync(
      join(www, `${name}.html`),
      `<!doctype html><meta charset="utf-8"><title>wiretype ${name}</title><script type="module" src="./${name}.js"></script>\n`,
    );
  }
}

function holderAlive() {
  try {
    process.kill(Number(readFileSync(join(LOCK, "pid"), "utf8")), 0);
    return true;
  } catch (err) {
    return err.code === "EPERM" || (err.code === "ENOENT" && existsSync(LOCK)); // no pid yet: being made
  }
}

async function locked(work) {
  mkdirSync(dirname(LOCK), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, "pid"), String(process.pid));
      break;
    } catch (err) {
      if (err.code !== "EEXIST") throw err;
      if (!holderAlive()) {
        rmSync(LOCK, { recursive: true, force: true }); // left by a process that died
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${relative(REPO, LOCK)} held for 3 minutes: remove it`);
      await new Promise((resolve) => setTimeout(resolve, 100)); // another test process is building
    }
  }
  try {
    return await work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Build once per change of the inputs; returns the build folder. */
export async function ensureBuilt() {
  return locked(async () => {
    const key = inputsKey();
    const stamp = join(BUILD, "stamp");
    if (existsSync(stamp) && readFileSync(stamp, "utf8") === key) return BUILD;
    await build();
    writeFileSync(stamp, key);
    return BUILD;
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(await ensureBuilt());
}
