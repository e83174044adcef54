// A hostile registry: wire names that are keywords, prototype keys, spaces and digits; text
// that tries to break out of comments and strings; recursion, one_of, three versions.
import assert from "node:assert/strict";
import { test } from "node:test";
import { load, readJson } from "./build.mjs";

const p = await load("hostile", "proto", "dist", "index.js");
const [example] = readJson("hostile", "examples.json");
const frame = (data, v = 1) => ({ type: "evil.thing", v, id: "t", data });

test("wire names are kept as written, __proto__ included", () => {
  const msg = p.decode(JSON.stringify(frame(example.data)));
  const data = msg.data;
  for (const key of ["class", "type", "self", "constructor", "from", "with space", "__proto__"]) {
    assert.ok(Object.hasOwn(data, key), key);
  }
  assert.equal(data.__proto__, "p");
  assert.equal(Object.getPrototypeOf(data), Object.prototype);
  assert.equal(data.note, 'say "hi" */ \\ \u2028');
  const text = p.encode(msg);
  assert.ok(text.includes('"with space":5') && text.includes('"__proto__":"p"'));
});

test("a constructor field is checked as an own property", () => {
  const { constructor, ...rest } = example.data;
  assert.throws(() => p.decode(JSON.stringify(frame(rest))), (err) =>
    err.errors.some((e) => e.path === "/data/constructor"));
  assert.equal(p.isThingV1({ ...rest, constructor: "" }), false);
});

test("enum values with quotes and newlines, recursion, one_of", () => {
  assert.ok(p.isThingV1({ ...example.data, level: "line\nbreak" }));
  assert.ok(p.isThingV1({ ...example.data, level: "it's \"quoted\"" }));
  assert.equal(p.isThingV1({ ...example.data, level: "line break" }), false);
  const deep = { label: "a", children: [{ label: "b", children: [{ label: 3 }] }] };
  assert.equal(p.isThingV1({ ...example.data, tree: deep }), false);
  assert.equal(p.isThingV1({ ...example.data, pet: { kind: "cat", good: true } }), false);
  const msg = p.decode(frame({ ...example.data, pet: { kind: "cat", lives: 9, x: 1 }, box: { inner: {} } }));
  assert.deepEqual(msg.data.pet, { kind: "cat", lives: 9 });
  assert.deepEqual(msg.data.box, { inner: { deep: 7 } });
  assert.deepEqual(msg.data.tree.children[0], { label: "leaf", children: [] });
});

test("three versions: rename, values, defaults, move, convert, and back", () => {
  const v1 = p.decode(frame(example.data));
  const v3 = p.upgrade(v1);
  assert.equal(v3.v, 3);
  assert.equal(v3.data.origin, 1);
  assert.equal(v3.data.level, "high");
  assert.equal(v3.data.added, "it's \"new\"");
  assert.deepEqual(v3.data.stats, { count: 3 });
  assert.equal(v3.data["with space"], "5");
  const back = p.downgrade(v3, 1);
  assert.deepEqual(back, v1);
});

test("custom steps call the user's functions, statically imported", () => {
  const v1 = p.decode({ type: "evil.custom", v: 1, id: "c", data: { celsius: 20 } });
  const v2 = p.upgrade(v1);
  assert.deepEqual(v2.data, { kelvin: 293.15 });
  assert.ok(Math.abs(p.downgrade(v2, 1).data.celsius - 20) < 1e-9);
});
