// Parity with the Python package: tests/parity/vectors.json (written by
// tests/parity/make_vectors.py from the Python package's answers) must get the same `ok`
// and the same `output` from the TypeScript package, vector by vector.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { jsonEqual, load } from "./build.mjs";

const VECTORS = process.env.WIRETYPE_PARITY_VECTORS ??
  join(dirname(fileURLToPath(import.meta.url)), "..", "parity", "vectors.json");
const p = await load("example", "protocol", "dist", "index.js");

function attempt(run) {
  try {
    return { ok: true, output: JSON.parse(p.encode(run())) };
  } catch (err) {
    if (!(err instanceof p.DecodeError) && !(err instanceof RangeError)) throw err;
    return { ok: false };
  }
}

function agree(vector, got) {
  assert.equal(got.ok, vector.ok, `${vector.name}: ok`);
  if (vector.ok) assert.ok(jsonEqual(got.output, vector.output), `${vector.name}: output\n${JSON.stringify(got.output)}\n${JSON.stringify(vector.output)}`);
}

if (!existsSync(VECTORS)) {
  test("parity vectors", { skip: "tests/parity/vectors.json does not exist yet" }, () => {});
} else {
  const vectors = JSON.parse(readFileSync(VECTORS, "utf8"));
  test("decode vectors", () => {
    assert.ok(vectors.decode.length > 0);
    for (const vector of vectors.decode) agree(vector, attempt(() => p.decode(JSON.stringify(vector.raw))));
  });
  test("shim vectors", () => {
    for (const vector of vectors.shims) {
      const run = () => {
        const msg = p.decode(JSON.stringify(vector.raw));
        return vector.op === "upgrade" ? p.upgrade(msg, vector.to ?? undefined) : p.downgrade(msg, vector.to);
      };
      agree(vector, attempt(run));
    }
  });
}
