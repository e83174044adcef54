// The normalisers of a generated package: valid data rebuilt as its version declares it
// (declared fields in order, unknown ones dropped, defaults filled). Each object's
// normaliser is data written by wiretype's registry/render/ts_shape.py, run by `shape`.
// Hand-written (wiretype copies it into every package with only a header added).
import { cloneJson, hasOwn, mapValues, setOwn } from "./validation.js";

type Shape = (x: any) => any;
type Value = 0 | ["s", number] | ["list", Value] | ["map", Value] | ["null", Value];
// [name, how (0 required, 1 optional, 2 defaulted), value, default, inherited name?]
type FieldOf = [string, 0 | 1 | 2, Value, unknown, boolean];

const PARSED = /* @__PURE__ */ new Map<string, FieldOf[]>();

function parse(fields: string): FieldOf[] {
  const parsed = (JSON.parse(fields) as FieldOf[]).map(
    (f): FieldOf => [f[0], f[1], f[2], f[3], f[0] in Object.prototype],
  );
  PARSED.set(fields, parsed);
  return parsed;
}

/**
 * `x` rebuilt from the fields of its object (JSON text: `[name, how, value, default?]`,
 * how: 0 required, 1 optional, 2 defaulted), `refs` the normalisers they name by index.
 */
export function shape(x: any, fields: string, ...refs: Shape[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const f of PARSED.get(fields) ?? parse(fields)) {
    const k = f[0];
    if (f[4] ? hasOwn(x, k) : x[k] !== undefined) {
      setOwn(o, k, f[2] === 0 ? x[k] : value(f[2], refs, x[k]));
    } else if (f[1] === 2) {
      setOwn(o, k, cloneJson(f[3]));
    }
  }
  return o;
}

function value(how: Value, refs: readonly Shape[], x: any): unknown {
  if (how === 0) return x;
  switch (how[0]) {
    case "s": return refs[how[1]](x);
    case "list": return (x as unknown[]).map((item) => value(how[1], refs, item));
    case "map": return mapValues(x, (item) => value(how[1], refs, item));
    case "null": return x === null ? null : value(how[1], refs, x);
  }
}

/** A `one_of` normalised by the first branch whose check accepts it: `branches` alternate
 * checks and normalisers. */
export function pick(x: any, ...branches: ((x: any) => any)[]): unknown {
  for (let i = 0; i < branches.length; i += 2) if (branches[i](x)) return branches[i + 1](x);
  return x;
}
