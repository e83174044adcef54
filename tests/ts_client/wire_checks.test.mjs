// The client checks the runtime's own frames (wiretype.*) with the compact checks of
// src/core/check.ts over src/protocol/schemas.ts, not with the generated validators of
// src/protocol/validators.ts (a page would ship those for a dozen control frames). Both
// must give the same answers: for every version of every runtime message, a valid value
// and every field of it replaced by each probe below (and removed, and the whole value
// replaced) are checked, reported and shaped by both, and must agree word for word.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { core } from "./helpers.mjs";

const compact = core.WIRE.validators;
const generated = core.wire.validators;

// A valid value of a schema node: `full` also fills every optional field.
function sample(node, full) {
  if (node.enum) return node.enum[node.enum.length - 1];
  switch (node.type) {
    case "string":
      return "s".repeat(Math.max(node.minLength ?? 0, 1));
    case "integer":
      return node.minimum ?? 3;
    case "boolean":
      return true;
    case "array": {
      const n = Math.max(node.minItems ?? 0, full ? 2 : 0);
      return Array.from({ length: n }, (_, i) => (node.items?.type === "string" ? `t${i}` : node.items ? sample(node.items, full) : i));
    }
  }
  if (node.additionalProperties) return { k: sample(node.additionalProperties, full), "a/b~c": sample(node.additionalProperties, full) };
  const out = { extra_field: "dropped" };
  for (const [k, field] of Object.entries(node.properties ?? {})) {
    if (full || (node.required ?? []).includes(k)) out[k] = sample(field, full);
  }
  return out;
}

// What each value of a field is replaced by: each type, each bound and one past it.
function probes(node) {
  const out = [null, true, false, 0, -1, 1.5, 2 ** 53, "", "x", [], {}, [1, 1], ["a", "a"], { k: 1 }, { k: [] }];
  for (const n of [node.minLength, node.maxLength]) {
    if (n !== undefined) out.push("a".repeat(n), "a".repeat(n + 1), "a".repeat(Math.max(n - 1, 0)), "\u{1F600}".repeat(n), "\u{1F600}".repeat(n + 1));
  }
  for (const n of [node.minimum, node.maximum]) if (n !== undefined) out.push(n, n - 1, n + 1, n + 0.5);
  for (const n of [node.minItems, node.maxItems]) {
    if (n !== undefined) for (const m of [n - 1, n, n + 1]) if (m >= 0) out.push(Array.from({ length: m }, (_, i) => (node.items ? sample(node.items, true) : i)));
  }
  if (node.items) out.push([sample(node.items, true)], [sample(node.items, false), null], [sample(node.items, true), sample(node.items, true)]);
  if (node.enum) out.push(...node.enum, node.enum[0].toUpperCase(), `${node.enum[0]} `);
  if (node.additionalProperties) out.push({ a: null, b: sample(node.additionalProperties, true) }, { __proto__: null, x: 1 });
  if (node.properties) out.push(sample(node, false), sample(node, true));
  return out;
}

// Every (path, node) of a schema, the root first.
function* nodes(node, path = []) {
  yield [path, node];
  for (const [k, field] of Object.entries(node.properties ?? {})) yield* nodes(field, [...path, k]);
  if (node.items) yield* nodes(node.items, [...path, 0]);
  if (node.additionalProperties) yield* nodes(node.additionalProperties, [...path, "k"]);
}

// `value` with the node at `path` replaced (`undefined`: removed); unchanged when a parent is missing.
function replaced(value, path, by) {
  if (path.length === 0) return by;
  if (value === null || typeof value !== "object") return value;
  const [head, ...rest] = path;
  if (rest.length > 0 && (value[head] === null || typeof value[head] !== "object")) return value;
  const copy = Array.isArray(value) ? [...value] : { ...value };
  const inner = replaced(copy[head], rest, by);
  if (inner === undefined) delete copy[head];
  else copy[head] = inner;
  return copy;
}

function answers(validator, value) {
  const ok = validator.check(value);
  const errors = [];
  validator.report(value, "/data", errors);
  return { ok, errors, shaped: ok ? JSON.stringify(validator.shape(value)) : null };
}

describe("Message Validation: the runtime's own frames", () => {
  test("the compact checks know every runtime message and version the generated package has", () => {
    assert.deepEqual([...compact.keys()], [...generated.keys()]);
    for (const [name, versions] of generated) assert.deepEqual([...compact.get(name).keys()], [...versions.keys()], name);
  });

  test("accept, report and shape exactly as the generated validators do, on every field of every version", async () => {
    const { SCHEMAS } = await import("../../clients/typescript/dist/protocol/schemas.js");
    let compared = 0;
    let refused = 0;
    for (const [name, versions] of Object.entries(SCHEMAS)) {
      for (const [v, schema] of Object.entries(versions)) {
        const mine = compact.get(name).get(Number(v));
        const theirs = generated.get(name).get(Number(v));
        for (const base of [sample(schema, false), sample(schema, true)]) {
          assert.equal(theirs.check(base), true, `${name} v${v}: the sample is valid`);
          for (const [path, node] of nodes(schema)) {
            for (const by of [undefined, ...probes(node)]) {
              const value = replaced(base, path, by);
              const expected = answers(theirs, value);
              assert.deepEqual(answers(mine, value), expected, `${name} v${v} /${path.join("/")} = ${JSON.stringify(by)}`);
              compared += 1;
              if (!expected.ok) refused += 1;
            }
          }
        }
      }
    }
    assert.ok(compared > 2000 && refused > 1000 && compared - refused > 500, `${compared} compared, ${refused} refused`);
  });

  test("an invalid runtime frame is told as a problem with the generated validators' errors, never acted on", () => {
    const protocol = core.Package.fromModule(core.WIRE, { name: "wiretype" });
    const bad = { session: "", heartbeat_ms: 50, versions: { a: "1" }, limits: { max_in_flight: 0 } };
    const decoded = protocol.decodeData("wiretype.welcome", 1, bad);
    assert.equal(decoded.ok, false);
    const errors = [];
    generated.get("wiretype.welcome").get(1).report(bad, "", errors);
    assert.deepEqual(decoded.errors, errors);
    assert.deepEqual(errors.map((e) => e.path), ["/session", "/heartbeat_ms", "/versions/a", "/limits/max_frame_bytes", "/limits/max_in_flight"]);
  });
});
