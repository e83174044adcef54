// Raw `schema:` versions are validated with exactly their schema and pass through as written;
// literal enums and consts of every JSON kind; a registry without messages compiles (fixture).
import assert from "node:assert/strict";
import { test } from "node:test";
import { load } from "./build.mjs";

const p = await load("raw", "raw", "dist", "index.js");
const decode = (v, data) => p.decode({ type: "x.raw", v, id: "1", data }).data;
const paths = (v, data) => {
  try {
    decode(v, data);
    return [];
  } catch (err) {
    return err.errors.map((e) => e.path);
  }
};

test("a raw version keeps every field and checks exactly its schema", () => {
  const data = { a: "baab", b: { k: 1 }, n: 9, m: 1.5, z1: 3, extra: "kept" };
  assert.deepEqual(decode(1, data), data);
  assert.deepEqual(paths(1, { a: "b", b: { k: 1, q: 2 }, n: 4, m: 1.2, z1: "s" }),
    ["/data/a", "/data/b/q", "/data/n", "/data/m", "/data/z1"]);
  assert.deepEqual(paths(1, { a: null, n: 9.0 }), []);
  assert.deepEqual(paths(1, {}), ["/data/a"]);
});

test("defaults that are objects are fresh copies; enum and const literals of every kind", () => {
  const one = decode(2, { a: null });
  const two = decode(2, { a: null });
  assert.deepEqual(one.lst, [{ k: 1 }]);
  one.lst[0].k = 5;
  assert.deepEqual(two.lst, [{ k: 1 }]);
  for (const e of [1, 1.0, "one", true, null]) assert.deepEqual(paths(2, { a: null, e }), []);
  for (const e of [2, "1", false, 0, [], {}]) assert.deepEqual(paths(2, { a: null, e }), ["/data/e"]);
  assert.deepEqual(paths(2, { a: null, c: JSON.parse('{"__proto__": 1}') }), []);
  assert.deepEqual(paths(2, { a: null, c: {} }), ["/data/c"]);
  assert.equal(p.isShapeV1({ k: 1 }), true);
  assert.equal(p.isShapeV1({ k: 1, j: 2 }), false);
});
