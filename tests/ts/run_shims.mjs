// Runs a batch of shim calls on a generated TypeScript package, for the round-trip property
// tests (tests/test_shim_roundtrip.py): one process per generated registry.
//
//   node run_shims.mjs PACKAGE_DIR BATCH.json
//
// PACKAGE_DIR holds the package's src/*.ts; they are transpiled (types stripped, no type
// check: tsc --strict is run on generated packages by tests/test_render_typescript.py) into
// PACKAGE_DIR/dist. BATCH.json is a list of {type, v, data, to: [versions...]}: the message
// is decoded, then upgraded or downgraded to each version in turn. Prints, per item, the
// encoded message after each call, or {"error": ...} where one failed.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";

const [root, batchFile] = process.argv.slice(2).map((p) => resolve(p));
const dist = join(root, "dist");
mkdirSync(dist, { recursive: true });
for (const name of readdirSync(join(root, "src")).filter((f) => f.endsWith(".ts"))) {
  const source = readFileSync(join(root, "src", name), "utf8");
  const out = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
  });
  writeFileSync(join(dist, name.replace(/\.ts$/, ".js")), out.outputText);
}
const p = await import(pathToFileURL(join(dist, "index.js")).href);

function step(msg, to) {
  return to >= msg.v ? p.upgrade(msg, to) : p.downgrade(msg, to);
}

const results = JSON.parse(readFileSync(batchFile, "utf8")).map(({ type, v, data, to }) => {
  const outputs = [];
  try {
    let msg = p.decode(JSON.stringify({ type, v, id: "m", data }));
    for (const version of to) {
      msg = step(msg, version);
      outputs.push(JSON.parse(p.encode(msg)));
    }
  } catch (err) {
    if (!(err instanceof p.DecodeError) && !(err instanceof RangeError)) throw err;
    outputs.push({ error: String(err.message) });
  }
  return outputs;
});
process.stdout.write(JSON.stringify(results));
