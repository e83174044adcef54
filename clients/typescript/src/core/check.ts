/**
 * The compact checks of the runtime's own messages: one small interpreter of the JSON Schema
 * keywords `schemas/wiretype/` uses, run over `../protocol/schemas.ts` (each version's schema,
 * generated), in place of the generated validators (`../protocol/validators.ts`), which a
 * page would otherwise ship for a dozen control frames.
 *
 * It answers as the generated validators do, word for word: the same values accepted, the
 * same errors in the same order (a wrong type stops at that value, every other failure is
 * told), the same data back (fields in declaration order, defaults filled, unknown fields
 * dropped). A test holds the two to it on every field of every version; the generator
 * script refuses a keyword this file does not read.
 */
import { cpLen, isObj, ptr, setOwn, uniq, type ValidationError, type Validator } from "../protocol/validation.js";

/** A schema node as `schemas.ts` holds it. */
export interface Schema {
  readonly type?: string;
  readonly enum?: readonly string[];
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: Schema;
  readonly items?: Schema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly default?: unknown;
}

type Errors = ValidationError[] | null;

/** Whether `x` is valid at `node`; each error is pushed onto `e` (none when `e` is null). */
function visit(node: Schema, x: any, p: string, e: Errors): boolean {
  let ok = true;
  const fail = (message: string, at = p): boolean => {
    e?.push({ path: at, message });
    return (ok = false);
  };
  const bound = (low: number | undefined, high: number | undefined, n: number, words: (w: string, b: number) => string): void => {
    if (low !== undefined && n < low) fail(words("at least", low));
    if (high !== undefined && n > high) fail(words("at most", high));
  };
  const values = node.enum;
  if (values !== undefined) {
    const shown = values.slice(0, 10).map((v) => JSON.stringify(v)).join(", ");
    return values.includes(x) || fail(`must be one of ${shown}${values.length > 10 ? `, … (${values.length} in all)` : ""}`);
  }
  switch (node.type) {
    case "string":
      if (typeof x !== "string") return fail("must be string");
      bound(node.minLength, node.maxLength, cpLen(x), (w, b) => `must be ${w} ${b} characters long`);
      return ok;
    case "integer":
      if (!Number.isInteger(x)) return fail("must be integer");
      bound(node.minimum, node.maximum, x, (w, b) => `must be ${w} ${b}`);
      return ok;
    case "boolean":
      return typeof x === "boolean" || fail("must be boolean");
    case "array":
      if (!Array.isArray(x)) return fail("must be array");
      bound(node.minItems, node.maxItems, x.length, (w, b) => `must have ${w} ${b} items`);
      if (node.uniqueItems && !uniq(x)) fail("must not hold the same item twice");
      if (node.items !== undefined) {
        for (let i = 0; i < x.length; i++) if (!visit(node.items, x[i], e ? p + "/" + i : p, e)) ok = false;
      }
      return ok;
  }
  // an object: its fields, or (a map) every value
  if (!isObj(x)) return fail("must be object");
  for (const k of node.required ?? []) if (x[k] === undefined) fail("is required", e ? p + "/" + ptr(k) : p);
  for (const [k, field] of Object.entries(node.properties ?? {})) {
    if (x[k] !== undefined && !visit(field, x[k], e ? p + "/" + ptr(k) : p, e)) ok = false;
  }
  const map = node.additionalProperties;
  if (map !== undefined) for (const k of Object.keys(x)) if (!visit(map, x[k], e ? p + "/" + ptr(k) : p, e)) ok = false;
  return ok;
}

/** Whether `shape` rebuilds values of `node` (only objects with fields, and what holds them). */
function rebuilds(node: Schema | undefined): boolean {
  return node !== undefined && (node.properties !== undefined || rebuilds(node.items) || rebuilds(node.additionalProperties));
}

/** Valid data as its version declares it: fields in order, defaults filled, unknown dropped. */
function shape(node: Schema, x: any): any {
  if (node.properties !== undefined) {
    const out: Record<string, unknown> = {};
    for (const [k, field] of Object.entries(node.properties)) {
      if (x[k] !== undefined) out[k] = shape(field, x[k]);
      else if ("default" in field) out[k] = typeof field.default === "object" ? JSON.parse(JSON.stringify(field.default)) : field.default;
    }
    return out;
  }
  const inner = node.items ?? node.additionalProperties;
  if (inner === undefined || !rebuilds(inner)) return x;
  if (Array.isArray(x)) return x.map((item) => shape(inner, item));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(x)) setOwn(out, k, shape(inner, x[k]));
  return out;
}

/** The validator of one version's schema: check, report, shape. */
export function validatorOf(schema: Schema): Validator {
  return {
    check: (x) => visit(schema, x, "", null),
    report: (x, path, errors) => void visit(schema, x, path, errors),
    shape: (x) => shape(schema, x),
  };
}
