// The package itself: what npm would publish, its types, its dependencies, and the copy of
// the runtime's own messages it ships (generated, never written by hand).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { BUILD, REPO } from "./helpers.mjs";
import { CLIENT, PYTHON } from "./build.mjs";

const pkg = JSON.parse(readFileSync(join(CLIENT, "package.json"), "utf8"));
const typesConfig = {
  compilerOptions: {
    target: "ES2022", lib: ["ES2022", "DOM"], module: "NodeNext", moduleResolution: "NodeNext",
    strict: true, noEmit: true, skipLibCheck: true, types: [],
  },
};

describe("Message Validation: the types", () => {
  test("connect is typed by the generated package: typed.ts compiles, every @ts-expect-error line is an error", () => {
    const config = join(BUILD, "tsconfig.types.json");
    writeFileSync(config, JSON.stringify({
      ...typesConfig,
      files: [join(REPO, "tests/ts_client/types/typed.ts"), join(REPO, "tests/ts_client/types/errors.ts")],
    }));
    const done = spawnSync(join(REPO, "node_modules/.bin/tsc"), ["-p", config], { encoding: "utf8" });
    assert.equal(done.status, 0, done.stdout + done.stderr);
    const lines = readFileSync(join(REPO, "tests/ts_client/types/errors.ts"), "utf8").split("\n");
    assert.ok(lines.filter((l) => l.trim().startsWith("// @ts-expect-error")).length >= 12);
  });

  test("without the expect-error comments the same lines do not compile", () => {
    const source = readFileSync(join(REPO, "tests/ts_client/types/errors.ts"), "utf8");
    const stripped = join(BUILD, "errors-stripped.ts");
    writeFileSync(stripped, source.replaceAll("// @ts-expect-error", "// (an error)").replaceAll('"../../../', `"${REPO}/`));
    const config = join(BUILD, "tsconfig.stripped.json");
    writeFileSync(config, JSON.stringify({ ...typesConfig, files: [stripped] }));
    const done = spawnSync(join(REPO, "node_modules/.bin/tsc"), ["-p", config], { encoding: "utf8" });
    const errors = done.stdout.split("\n").filter((l) => l.includes("error TS")).map((l) => Number(/\((\d+),/.exec(l)[1]));
    const marked = source.split("\n").flatMap((l, i) => (l.trim().startsWith("// @ts-expect-error") ? [i + 2] : []));
    assert.deepEqual([...new Set(errors)], marked, done.stdout);
  });
});

describe("Connection Management: the package", () => {
  test("its entry points resolve by name under every moduleResolution a user may have (node10 too)", () => {
    const program = join(BUILD, "names-program.ts");
    writeFileSync(program, [
      'import { connect } from "@wiretype/client";',
      'import { connect as connectNode } from "@wiretype/client/node";',
      'import { ClientConnection } from "@wiretype/client/core";',
      'import { MemoryQueue } from "@wiretype/client/store";',
      "export const all = [connect, connectNode, ClientConnection, MemoryQueue] as const;",
      "",
    ].join("\n"));
    for (const [module, moduleResolution] of [["ES2022", "node"], ["NodeNext", "NodeNext"], ["ES2022", "Bundler"]]) {
      const config = join(BUILD, `tsconfig.names-${moduleResolution}.json`);
      writeFileSync(config, JSON.stringify({
        compilerOptions: {
          target: "ES2022", lib: ["ES2022", "DOM"], module, moduleResolution, strict: true, noEmit: true,
          types: ["node"], typeRoots: [join(REPO, "node_modules/@types")],
        },
        files: [program],
      }));
      const done = spawnSync(join(REPO, "node_modules/.bin/tsc"), ["-p", config], { encoding: "utf8" });
      assert.equal(done.status, 0, `${moduleResolution}: ${done.stdout}${done.stderr}`);
    }
  });

  test("its declarations compile in a Node program whose lib has no DOM, without skipLibCheck", () => {
    const program = join(BUILD, "node-program.ts");
    writeFileSync(program, [
      `import { connect, IndexedDBQueue, MemoryQueue, SendFailed, type Client } from "${join(CLIENT, "dist/node.js")}";`,
      "export type Connect = typeof connect;",
      "export const stores = [IndexedDBQueue, MemoryQueue, SendFailed] as const;",
      "export type AnyClient = Client<never>;",
      "",
    ].join("\n"));
    const config = join(BUILD, "tsconfig.node-program.json");
    writeFileSync(config, JSON.stringify({
      compilerOptions: {
        target: "ES2022", lib: ["ES2022"], module: "NodeNext", moduleResolution: "NodeNext", strict: true,
        noEmit: true, skipLibCheck: false, types: ["node"], typeRoots: [join(REPO, "node_modules/@types")],
      },
      files: [program],
    }));
    const done = spawnSync(join(REPO, "node_modules/.bin/tsc"), ["-p", config], { encoding: "utf8" });
    assert.equal(done.status, 0, done.stdout + done.stderr);
  });

  test("is an ES module package with types and no runtime dependency", () => {
    assert.equal(pkg.name, "@wiretype/client");
    assert.equal(pkg.type, "module");
    assert.deepEqual(Object.keys(pkg.exports), [".", "./node", "./core", "./store"]);
    assert.equal(pkg.exports["."].types, "./dist/index.d.ts");
    assert.equal(pkg.dependencies, undefined);
    assert.deepEqual(pkg.peerDependenciesMeta, { ws: { optional: true } });
  });

  test("bundles for a browser with nothing outside it", async () => {
    const esbuild = await import("esbuild");
    const out = await esbuild.build({
      entryPoints: [join(CLIENT, "dist/index.js")], bundle: true, write: false, format: "esm", platform: "browser",
      logLevel: "silent",
    });
    const text = out.outputFiles[0].text;
    assert.doesNotMatch(text, /\brequire\(|from\s*["']ws["']|import\(["']/);
  });

  test("the runtime's messages the client writes have one version, so it needs no shims of them", async () => {
    const { core } = await import("./helpers.mjs");
    for (const name of core.WIRE_WRITTEN) assert.deepEqual([...core.wire.validators.get(name).keys()], [1], name);
    assert.deepEqual([...core.WIRE.validators.keys()], [...core.wire.validators.keys()]);
  });

  test("its copy of the runtime's messages is what wiretype generate makes from schemas/wiretype", () => {
    const done = spawnSync(PYTHON, [join(CLIENT, "scripts/generate_protocol.py"), "--check"], { cwd: REPO, encoding: "utf8" });
    assert.equal(done.status, 0, done.stdout + done.stderr);
    const first = readFileSync(join(CLIENT, "src/protocol/validators.ts"), "utf8").split("\n")[0];
    assert.match(first, /^\/\/ Generated by wiretype .* Do not edit/);
  });
});
