// The error reporters of a generated package: each schema node's reporter is data (a list
// of instructions, written by wiretype's registry/render/ts_reports.py) that `report`
// carries out. Hand-written (wiretype copies it into every package with only a header added).
// Reporters run only after a check failed, so they favour size over speed.
import { cpLen, deq, fail, hasOwn, isObj, multOf, ptr, uniq, type ValidationError } from "./validation.js";

type Op = any[];
type Refs = readonly any[];
// Where an instruction names the reporter of a subschema: its instructions in place, or
// the index of its function in `refs`.
type Slot = number | Op[];

const PARSED = /* @__PURE__ */ new Map<string, Op[]>();

/**
 * Pushes the errors of `x` (at the JSON Pointer `p`) onto `e` as the instructions `ops`
 * (JSON text) say; `refs` is what they name by index: the reporters and checks of
 * subschemas, and format checks.
 */
export function report(x: any, p: string, e: ValidationError[], ops: string, ...refs: any[]): void {
  let parsed = PARSED.get(ops);
  if (parsed === undefined) {
    parsed = JSON.parse(ops) as Op[];
    PARSED.set(ops, parsed);
  }
  run(parsed, refs, x, p, e);
}

/** `k` is present on `o` (names every object inherits must be its own). */
function has(o: any, k: string): boolean {
  return k in Object.prototype ? hasOwn(o, k) : o[k] !== undefined;
}

const TYPES: Record<string, (x: any) => boolean> = {
  string: (x) => typeof x === "string",
  number: (x) => Number.isFinite(x),
  integer: (x) => Number.isInteger(x),
  boolean: (x) => typeof x === "boolean",
  null: (x) => x === null,
  array: (x) => Array.isArray(x),
  object: isObj,
};

const PATTERNS = /* @__PURE__ */ new Map<string, RegExp>();

function pattern(source: string): RegExp {
  let re = PATTERNS.get(source);
  if (re === undefined) {
    re = new RegExp(source, "u");
    PATTERNS.set(source, re);
  }
  return re;
}

const MAX_EXACT = 9007199254740991;

function sub(slot: Slot, refs: Refs, x: any, p: string, e: ValidationError[]): void {
  if (typeof slot === "number") refs[slot](x, p, e);
  else run(slot, refs, x, p, e);
}

/** Pushes the errors of `x` (at the JSON Pointer `p`) onto `e`, instruction by instruction. */
function run(ops: Op[], refs: Refs, x: any, p: string, e: ValidationError[]): void {
  for (const op of ops) {
    if (op[0] === "type") {
      if (!(op[1] as string[]).some((t) => TYPES[t](x))) return fail(e, p, op[2]);
    } else {
      step(op, refs, x, p, e);
    }
  }
}

function at(p: string, k: string | number): string {
  return p + "/" + (typeof k === "number" ? k : ptr(k));
}

// One instruction: [name, ...arguments]; an index argument names an entry of `refs`.
function step(op: Op, refs: Refs, x: any, p: string, e: ValidationError[]): void {
  switch (op[0]) {
    case "fail": return fail(e, p, op[1]);
    case "eq": if (!(op[1] as unknown[]).some((v) => deq(x, v))) fail(e, p, op[2]); return;
    case "r": return sub(op[1], refs, x, p, e);
    case "nullable": if (x !== null) sub(op[1], refs, x, p, e); return;
    case "any": if (!(op[1] as number[]).some((i) => refs[i](x))) fail(e, p, op[2]); return;
    case "one": if (matches(op[1], refs, x) !== 1) fail(e, p, op[2]); return;
    case "tag": if (matches(op[1], refs, x) !== 1) tagged(op, refs, x, p, e); return;
    case "not": if (refs[op[1]](x)) fail(e, p, op[2]); return;
    case "if": {
      const branch = refs[op[1]](x) ? op[2] : op[3];
      if (branch !== null) sub(branch, refs, x, p, e);
      return;
    }
    case "num": if (typeof x === "number") run(op[1], refs, x, p, e); return;
    case "str": if (typeof x === "string") run(op[1], refs, x, p, e); return;
    case "arr": if (Array.isArray(x)) run(op[1], refs, x, p, e); return;
    case "obj": if (isObj(x)) run(op[1], refs, x, p, e); return;
    case "min": if (x < op[1]) fail(e, p, op[2]); return;
    case "max": if (x > op[1]) fail(e, p, op[2]); return;
    case "xmin": if (x <= op[1]) fail(e, p, op[2]); return;
    case "xmax": if (x >= op[1]) fail(e, p, op[2]); return;
    case "mult": {
      const exact = op[3] !== null && x >= -MAX_EXACT && x <= MAX_EXACT;
      if (exact ? x % op[3] !== 0 : !multOf(x, BigInt(op[1]), op[2])) fail(e, p, op[4]);
      return;
    }
    case "minlen": if (x.length < op[1] || (x.length < 2 * op[1] && cpLen(x) < op[1])) fail(e, p, op[2]); return;
    case "maxlen": if (x.length > op[1] && cpLen(x) > op[1]) fail(e, p, op[2]); return;
    case "format": if (!refs[op[1]](x)) fail(e, p, op[2]); return;
    case "pattern": if (!pattern(op[1]).test(x)) fail(e, p, op[2]); return;
    case "minitems": if (x.length < op[1]) fail(e, p, op[2]); return;
    case "maxitems": if (x.length > op[1]) fail(e, p, op[2]); return;
    case "uniq": if (!uniq(x)) fail(e, p, op[1]); return;
    case "prefix": (op[1] as Slot[]).forEach((r, i) => { if (x.length > i) sub(r, refs, x[i], at(p, i), e); }); return;
    case "items": for (let i = op[1]; i < x.length; i++) sub(op[2], refs, x[i], at(p, i), e); return;
    case "contains": return contains(op, refs, x, p, e);
    case "req": for (const k of op[1] as string[]) if (!has(x, k)) fail(e, at(p, k), op[2]); return;
    case "props": (op[1] as string[]).forEach((k, i) => { if (has(x, k)) sub(op[2][i], refs, x[k], at(p, k), e); }); return;
    case "keys": return keys(op, refs, x, p, e);
    case "depreq": for (const [k, other, words] of op[1]) if (has(x, k) && !has(x, other)) fail(e, at(p, other), words); return;
    case "dep": if (has(x, op[1])) sub(op[2], refs, x, p, e); return;
    case "minprops": if (Object.keys(x).length < op[1]) fail(e, p, op[2]); return;
    case "maxprops": if (Object.keys(x).length > op[1]) fail(e, p, op[2]); return;
  }
  throw new Error(`unknown reporter instruction ${String(op[0])}`);
}

function matches(checks: number[], refs: Refs, x: any): number {
  let n = 0;
  for (const i of checks) if (refs[i](x)) n++;
  return n;
}

// ["tag", checks, name, tags, reporters, [not an object, required, not a tag]]: the errors
// of the branch the value's tag picks (or why no branch is picked).
function tagged(op: Op, refs: Refs, x: any, p: string, e: ValidationError[]): void {
  const [, , name, tags, reports, words] = op;
  if (!isObj(x)) return fail(e, p, words[0]);
  if (!has(x, name)) return fail(e, at(p, name), words[1]);
  const i = (tags as unknown[]).findIndex((tag) => deq(x[name], tag));
  if (i < 0) return fail(e, at(p, name), words[2]);
  sub(reports[i], refs, x, p, e);
}

// ["contains", check, at least, at most or null, words for each]
function contains(op: Op, refs: Refs, x: any, p: string, e: ValidationError[]): void {
  let found = 0;
  for (let i = 0; i < x.length; i++) if (refs[op[1]](x[i])) found++;
  if (found < op[2]) fail(e, p, op[4]);
  if (op[3] !== null && found > op[3]) fail(e, p, op[5]);
}

// ["keys", [[pattern, reporter]...], additional (null, words, or a reporter), declared
// names, propertyNames' reporter or null]: each key, in order.
function keys(op: Op, refs: Refs, x: any, p: string, e: ValidationError[]): void {
  const [, patterns, extra, declared, names] = op;
  for (const k of Object.keys(x)) {
    let matched = false;
    for (const [source, r] of patterns) {
      if (pattern(source).test(k)) {
        matched = true;
        sub(r, refs, x[k], at(p, k), e);
      }
    }
    if (extra !== null && !matched && !(declared as string[]).includes(k)) {
      if (typeof extra === "string") fail(e, at(p, k), extra);
      else sub(extra, refs, x[k], at(p, k), e);
    }
    if (names !== null) sub(names, refs, k, at(p, k), e);
  }
}
