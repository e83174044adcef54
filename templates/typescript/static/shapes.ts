// The normalisers of a generated package: valid data rebuilt as its version declares it
// (declared fields in order, unknown ones dropped, defaults filled). Each object's
// normaliser is data written by wiretype's registry/render/ts_shape.py, run by `shape`.
// Hand-written (wiretype copies it into every package with only a header added).
import { cloneJson, hasOwn, mapValues, setOwn } from "./validation.js";

type Shape = (x: any) => any;
type Value = 0 | ["s", number] | ["list", Value] | ["map", Value] | ["null", Value];
// A field as `shape` reads it: name, how (0 required, 1 optional, 2 defaulted), value, default;
// or only the name of a required field kept as it is ([name, 0, 0]).
type Field = [string, 0 | 1 | 2, Value, unknown?] | string;

// A field as `shape` runs it: also whether the name is one every object inherits (its
// presence is then an own property) and whether it is `__proto__` (set as data).
interface Step {
  k: string;
  how: 0 | 1 | 2;
  value: Value;
  fallback: unknown;
  inherited: boolean;
  proto: boolean;
}

const PARSED = /* @__PURE__ */ new Map<string, Step[]>();

function parse(fields: string): Step[] {
  const steps = (JSON.parse(fields) as Field[]).map((field): Step => {
    const [k, how, value, fallback] = typeof field === "string" ? [field, 0, 0] as const : field;
    return { k, how, value, fallback, inherited: k in Object.prototype, proto: k === "__proto__" };
  });
  PARSED.set(fields, steps);
  return steps;
}

/**
 * `x` rebuilt from the fields of its object (JSON text: `[name, how, value, default?]`),
 * `refs` the normalisers they name by index.
 */
export function shape(x: any, fields: string, ...refs: Shape[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const steps = PARSED.get(fields) ?? parse(fields);
  for (let i = 0; i < steps.length; i++) {
    const f = steps[i];
    const k = f.k;
    let v: unknown = x[k];
    if (f.inherited ? hasOwn(x, k) : v !== undefined) {
      if (f.value !== 0) v = value(f.value, refs, v);
    } else if (f.how === 2) {
      v = cloneJson(f.fallback);
    } else {
      continue;
    }
    if (f.proto) setOwn(o, k, v);
    else o[k] = v;
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

/**
 * A `one_of` normalised by the first branch whose check accepts it: `branches` alternate
 * checks and normalisers.
 */
export function pick(x: any, ...branches: ((x: any) => any)[]): unknown {
  for (let i = 0; i < branches.length; i += 2) if (branches[i](x)) return branches[i + 1](x);
  return x;
}
