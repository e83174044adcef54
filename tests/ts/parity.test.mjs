// Parity with the Python package: tests/parity/vectors.json (written by
// tests/parity/make_vectors.py from the Python package's answers) must get the same answer
// from the TypeScript package, vector by vector: the same `ok`; when ok, byte for byte the
// same `encoded` text; when not, errors at the same paths, with the Python message among the
// TypeScript messages at each path (a JSON syntax error is worded by each parser).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { load } from "./build.mjs";

const VECTORS = process.env.WIRETYPE_PARITY_VECTORS ??
  join(dirname(fileURLToPath(import.meta.url)), "..", "parity", "vectors.json");
const vectors = JSON.parse(readFileSync(VECTORS, "utf8"));
const packages = {
  example: await load("example", "chat-protocol", "dist", "index.js"),
  runtime: await load("runtime", "protocol", "dist", "index.js"),
  parity: await load("parity", "protocol", "dist", "index.js"),
};

function attempt(p, run) {
  try {
    return { ok: true, encoded: p.encode(run()) };
  } catch (err) {
    if (err instanceof p.DecodeError) return { ok: false, errors: err.errors };
    if (err instanceof RangeError) return { ok: false };
    throw err;
  }
}

function agree(vector, got) {
  const what = `${vector.name}\n  ${vector.text ?? JSON.stringify(vector.data)}\n  got ${JSON.stringify(got)}`;
  assert.equal(got.ok, vector.ok, `${what}: ok`);
  if (vector.ok) {
    assert.equal(got.encoded, vector.encoded, `${what}: encoded`);
    return;
  }
  if (vector.errors === undefined) return;
  const paths = (errors) => [...new Set(errors.map((e) => e.path))].sort();
  assert.deepEqual(paths(got.errors), paths(vector.errors), `${what}: paths`);
  for (const expected of vector.errors) {
    if (expected.path === "" && expected.message.startsWith("is not JSON:")) continue;
    const words = got.errors.filter((e) => e.path === expected.path).map((e) => e.message);
    assert.ok(words.includes(expected.message), `${what}: ${expected.path} says ${JSON.stringify(expected.message)}`);
  }
}

function run(p, vector) {
  if (vector.op === undefined) return () => p.decode(vector.text);
  const [from, to] = vector.versions ?? [];
  if (vector.op === "decode_data") return () => ({ type: vector.type, v: from, id: "-", data: p.decodeData(vector.type, from, vector.data) });
  if (vector.op === "convert") return () => ({ type: vector.type, v: to, id: "-", data: p.convert(vector.type, vector.data, from, to) });
  return () => {
    const msg = p.decode(vector.text);
    return vector.op === "upgrade" ? p.upgrade(msg, vector.to ?? undefined) : p.downgrade(msg, vector.to);
  };
}

for (const [section, p] of Object.entries(packages)) {
  test(`${section}: decode vectors`, () => {
    assert.ok(vectors[section].decode.length > 0);
    for (const vector of vectors[section].decode) agree(vector, attempt(p, run(p, vector)));
  });
  test(`${section}: shim vectors`, () => {
    assert.ok(vectors[section].shims.length > 0);
    for (const vector of vectors[section].shims) agree(vector, attempt(p, run(p, vector)));
  });
}

test("example: decodeData and convert answer as decode_data and convert do", () => {
  assert.ok(vectors.example.api.length >= 10);
  for (const vector of vectors.example.api) agree(vector, attempt(packages.example, run(packages.example, vector)));
});

test("encode writes what it decodes: the encoded text is a fixed point", () => {
  for (const [section, p] of Object.entries(packages)) {
    for (const vector of vectors[section].decode.filter((v) => v.ok)) {
      assert.equal(p.encode(p.decode(vector.encoded)), vector.encoded, vector.name);
    }
  }
});

const validation = await load("parity", "protocol", "dist", "validation.js");
const double = (hex) => Buffer.from(hex, "hex").readDoubleBE(0);

test("numbers: each double is written as the Python package writes it", () => {
  assert.ok(vectors.numbers.text.length > 500);
  for (const { double: bits, text } of vectors.numbers.text) {
    assert.equal(JSON.stringify(double(bits)), text, bits);
  }
});

test("numbers: multipleOf is exact decimal arithmetic, judged as in Python", () => {
  const answers = new Set(vectors.numbers.multiple.map((v) => v.multiple));
  assert.deepEqual([...answers].sort(), [false, true]);
  for (const { double: bits, step, multiple } of vectors.numbers.multiple) {
    assert.equal(validation.multOf(double(bits), BigInt(step[0]), step[1]), multiple, `${double(bits)} / ${step}`);
  }
});

test("numbers: every inexact integer is told at its path, in the order of the text, whatever the strings and keys hold", async () => {
  const { inexactIntegers } = await load("parity", "protocol", "dist", "validation.js");
  const B = "9007199254740993";
  const C = "123456789012345678901234567890";
  const cases = [
    // a repeated key: JSON.parse keeps its last value, so only that one is told
    [`{"a":${B},"b":${B},"a":${C}}`, [["/b", B], ["/a", C]]],
    [`{"a":{"x":${B}},"a":{"y":${C}}}`, [["/a/y", C]]],
    // keys that look like indexes are told in the order of the text, not JSON.parse's
    [`{"b":${B},"1":${C},"0":${B}}`, [["/b", B], ["/1", C], ["/0", B]]],
    [`[${B},[${C},{"x":[1,${B}]}]]`, [["/0", B], ["/1/0", C], ["/1/1/x/1", B]]],
    [`{"a b/c~d":${B},"__proto__":-${B}}`, [["/a b~1c~0d", B], ["/__proto__", `-${B}`]]],
    // digits inside strings are not numbers; a string may hold any character, escaped or not
    [`{"s":"${B}","t":"\\"${B}","\\ue000":${B},"k":"\\uE000x \ue001"}`, [["/\ue000", B]]],
    // carried exactly, or not an integer literal: nothing to tell
    [`{"a":9007199254740992,"b":1152921504606847000,"c":${B}.5,"d":1e400}`, []],
  ];
  for (const [text, expected] of cases) {
    assert.deepEqual(inexactIntegers(text).map((f) => [f.path, f.literal]), expected, text);
  }
});
