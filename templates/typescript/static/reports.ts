// The error reporters of a generated package: each schema node's reporter is data (a list
// of instructions, written by wiretype's registry/render/ts_reports.py) that `report`
// carries out. Hand-written (wiretype copies it into every package with only a header added).
// Reporters run only after a check failed, so they favour size over speed. Each keyword is a
// handler of its own, exported, that an instruction names by its index in the reporter's
// `refs` (never by name): validators.ts imports the handlers it uses, so a bundle keeps only
// those of the messages it holds.
import { cpLen, deq, fail, hasOwn, isObj, multOf, ptr, uniq, type ValidationError } from "./validation.js";

type Op = any[];
type Refs = readonly any[];
// Where an instruction names the reporter of a subschema: its instructions in place, or
// the index of its function in `refs`.
type Slot = number | Op[];
// One instruction: [index of its handler in `refs`, ...arguments]; an index argument names
// an entry of `refs` too. A handler that returns true ends its list (a wrong type). Words
// marked `words?` may be left out: the handler then writes those messages.py writes.
type E = ValidationError[];

const PARSED = /* @__PURE__ */ new Map<string, Op[]>();

/**
 * Pushes the errors of `x` (at the JSON Pointer `p`) onto `e` as the instructions `ops`
 * (JSON text) say; `refs` is what they name by index: their handlers, the reporters and
 * checks of subschemas, and format checks.
 */
export function report(x: any, p: string, e: E, ops: string, ...refs: any[]): void {
  let parsed = PARSED.get(ops);
  if (parsed === undefined) {
    parsed = JSON.parse(ops) as Op[];
    PARSED.set(ops, parsed);
  }
  run(parsed, refs, x, p, e);
}

/**
 * The instructions of a reporter a factory makes (reporters that differ only in their
 * leaves): `ops` with each U+0001 (never in JSON text) replaced by the next of `values`.
 */
export function fill(ops: string, values: string): string {
  const put = JSON.parse(values) as unknown[];
  let i = 0;
  return ops.replace(/\x01/g, () => JSON.stringify(put[i++]));
}

/** Pushes the errors of `x` (at the JSON Pointer `p`) onto `e`, instruction by instruction. */
function run(ops: Op[], refs: Refs, x: any, p: string, e: E): void {
  for (const op of ops) if (refs[op[0]](op, refs, x, p, e) === true) return;
}

function sub(slot: Slot, refs: Refs, x: any, p: string, e: E): void {
  if (typeof slot === "number") refs[slot](x, p, e);
  else run(slot, refs, x, p, e);
}

/** `k` is present on `o` (names every object inherits must be its own). */
function has(o: any, k: string): boolean {
  return k in Object.prototype ? hasOwn(o, k) : o[k] !== undefined;
}

function at(p: string, k: string | number): string {
  return p + "/" + (typeof k === "number" ? k : ptr(k));
}

function matches(checks: number[], refs: Refs, x: any): number {
  let n = 0;
  for (const i of checks) if (refs[i](x)) n++;
  return n;
}

const PATTERNS = /* @__PURE__ */ new Map<string, RegExp>();

function pattern(source: string): RegExp {
  let re = PATTERNS.get(source);
  if (re === undefined) {
    re = new RegExp(source, "u");
    PATTERNS.set(source, re);
  }
  return re;
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

// --- every instance type: [handler, ...] ----------------------------------------------------

/** [, types, words?]: a value of none of the types fails and ends the list. */
export function kType(op: Op, _r: Refs, x: any, p: string, e: E): boolean {
  if ((op[1] as string[]).some((t) => TYPES[t](x))) return false;
  fail(e, p, op[2] ?? "must be " + op[1].join(" or "));
  return true;
}
/** [, words]: `false`, nothing is valid. */
export function kFail(op: Op, _r: Refs, _x: any, p: string, e: E): void {
  fail(e, p, op[1]);
}
/** [, values, words?]: `const` and `enum` (without words: an enum's, the values as JSON). */
export function kEq(op: Op, _r: Refs, x: any, p: string, e: E): void {
  if (!(op[1] as unknown[]).some((v) => deq(x, v))) fail(e, p, op[2] ?? "must be one of " + op[1].map((v: unknown) => JSON.stringify(v)).join(", "));
}
/** [, reporter]: `$ref` and each of `allOf`. */
export function kRef(op: Op, refs: Refs, x: any, p: string, e: E): void {
  sub(op[1], refs, x, p, e);
}
/** [, reporter]: a nullable T, explained as T. */
export function kNullable(op: Op, refs: Refs, x: any, p: string, e: E): void {
  if (x !== null) sub(op[1], refs, x, p, e);
}
/** [, checks, words]: `anyOf`. */
export function kAny(op: Op, refs: Refs, x: any, p: string, e: E): void {
  if (!(op[1] as number[]).some((i) => refs[i](x))) fail(e, p, op[2]);
}
/** [, checks, words]: `oneOf`. */
export function kOne(op: Op, refs: Refs, x: any, p: string, e: E): void {
  if (matches(op[1], refs, x) !== 1) fail(e, p, op[2]);
}
/**
 * [, checks, name, tags, reporters, [not an object, required, not a tag]]: a `oneOf` with
 * a discriminator: the errors of the branch the value's tag picks (or why none is picked).
 */
export function kTag(op: Op, refs: Refs, x: any, p: string, e: E): void {
  if (matches(op[1], refs, x) === 1) return;
  const [, , name, tags, reports, words] = op;
  if (!isObj(x)) return fail(e, p, words[0]);
  if (!has(x, name)) return fail(e, at(p, name), words[1]);
  const i = (tags as unknown[]).findIndex((tag) => deq(x[name], tag));
  if (i < 0) return fail(e, at(p, name), words[2]);
  sub(reports[i], refs, x, p, e);
}
/** [, check, words]: `not`. */
export function kNot(op: Op, refs: Refs, x: any, p: string, e: E): void {
  if (refs[op[1]](x)) fail(e, p, op[2]);
}
/** [, check, then or null, else or null]. */
export function kIf(op: Op, refs: Refs, x: any, p: string, e: E): void {
  const branch = refs[op[1]](x) ? op[2] : op[3];
  if (branch !== null) sub(branch, refs, x, p, e);
}

// --- the keywords of one instance type, under a guard when `type` does not fix it ----------

/** [, instructions]: run only on a number. */
export function kNum(op: Op, refs: Refs, x: any, p: string, e: E): void {
  if (typeof x === "number") run(op[1], refs, x, p, e);
}
/** [, instructions]: run only on a string. */
export function kStr(op: Op, refs: Refs, x: any, p: string, e: E): void {
  if (typeof x === "string") run(op[1], refs, x, p, e);
}
/** [, instructions]: run only on an array. */
export function kArr(op: Op, refs: Refs, x: any, p: string, e: E): void {
  if (Array.isArray(x)) run(op[1], refs, x, p, e);
}
/** [, instructions]: run only on an object. */
export function kObj(op: Op, refs: Refs, x: any, p: string, e: E): void {
  if (isObj(x)) run(op[1], refs, x, p, e);
}

// --- numbers: [, bound, words?] ------------------------------------------------------------
// Without words, a bound's are "must be <how> <bound>" (messages.py's; wiretype leaves them
// out only where the bound reads back as the same text, so both packages print the same).

export function kMin(op: Op, _r: Refs, x: any, p: string, e: E): void {
  if (x < op[1]) fail(e, p, op[2] ?? "must be at least " + op[1]);
}
export function kMax(op: Op, _r: Refs, x: any, p: string, e: E): void {
  if (x > op[1]) fail(e, p, op[2] ?? "must be at most " + op[1]);
}
export function kXmin(op: Op, _r: Refs, x: any, p: string, e: E): void {
  if (x <= op[1]) fail(e, p, op[2] ?? "must be greater than " + op[1]);
}
export function kXmax(op: Op, _r: Refs, x: any, p: string, e: E): void {
  if (x >= op[1]) fail(e, p, op[2] ?? "must be less than " + op[1]);
}

const MAX_EXACT = 9007199254740991;

/** [, mantissa (decimal text), exponent, step or null, words]: `multipleOf`. */
export function kMult(op: Op, _r: Refs, x: any, p: string, e: E): void {
  const exact = op[3] !== null && x >= -MAX_EXACT && x <= MAX_EXACT;
  if (exact ? x % op[3] !== 0 : !multOf(x, BigInt(op[1]), op[2])) fail(e, p, op[4]);
}

// --- strings: [, bound, words?] (a format: [, check, words]) -------------------------------

export function kMinLen(op: Op, _r: Refs, x: any, p: string, e: E): void {
  if (x.length < op[1] || (x.length < 2 * op[1] && cpLen(x) < op[1])) fail(e, p, op[2] ?? `must be at least ${op[1]} characters long`);
}
export function kMaxLen(op: Op, _r: Refs, x: any, p: string, e: E): void {
  if (x.length > op[1] && cpLen(x) > op[1]) fail(e, p, op[2] ?? `must be at most ${op[1]} characters long`);
}
export function kFormat(op: Op, refs: Refs, x: any, p: string, e: E): void {
  if (!refs[op[1]](x)) fail(e, p, op[2]);
}
export function kPattern(op: Op, _r: Refs, x: any, p: string, e: E): void {
  if (!pattern(op[1]).test(x)) fail(e, p, op[2]);
}

// --- arrays ----------------------------------------------------------------------------------

/** [, bound, words?] */
export function kMinItems(op: Op, _r: Refs, x: any, p: string, e: E): void {
  if (x.length < op[1]) fail(e, p, op[2] ?? `must have at least ${op[1]} items`);
}
/** [, bound, words?] */
export function kMaxItems(op: Op, _r: Refs, x: any, p: string, e: E): void {
  if (x.length > op[1]) fail(e, p, op[2] ?? `must have at most ${op[1]} items`);
}
/** [, words] */
export function kUniq(op: Op, _r: Refs, x: any, p: string, e: E): void {
  if (!uniq(x)) fail(e, p, op[1]);
}
/** [, reporters]: `prefixItems`. */
export function kPrefix(op: Op, refs: Refs, x: any, p: string, e: E): void {
  (op[1] as Slot[]).forEach((r, i) => {
    if (x.length > i) sub(r, refs, x[i], at(p, i), e);
  });
}
/** [, first index, reporter]: `items`. */
export function kItems(op: Op, refs: Refs, x: any, p: string, e: E): void {
  for (let i = op[1]; i < x.length; i++) sub(op[2], refs, x[i], at(p, i), e);
}
/** [, check, at least, at most or null, words for each]: `contains`. */
export function kContains(op: Op, refs: Refs, x: any, p: string, e: E): void {
  let found = 0;
  for (let i = 0; i < x.length; i++) if (refs[op[1]](x[i])) found++;
  if (found < op[2]) fail(e, p, op[4]);
  if (op[3] !== null && found > op[3]) fail(e, p, op[5]);
}

// --- objects ---------------------------------------------------------------------------------

/** [, names, words?]: `required`. */
export function kReq(op: Op, _r: Refs, x: any, p: string, e: E): void {
  for (const k of op[1] as string[]) if (!has(x, k)) fail(e, at(p, k), op[2] ?? "is required");
}
/** [, names, reporters]: `properties`. */
export function kProps(op: Op, refs: Refs, x: any, p: string, e: E): void {
  (op[1] as string[]).forEach((k, i) => {
    if (has(x, k)) sub(op[2][i], refs, x[k], at(p, k), e);
  });
}
/**
 * [, [[pattern, reporter]...], additional (null, words, or a reporter), declared names,
 * propertyNames' reporter or null]: each key, in order.
 */
export function kKeys(op: Op, refs: Refs, x: any, p: string, e: E): void {
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
/** [, [[name, other, words]...]]: `dependentRequired`. */
export function kDepReq(op: Op, _r: Refs, x: any, p: string, e: E): void {
  for (const [k, other, words] of op[1]) if (has(x, k) && !has(x, other)) fail(e, at(p, other), words);
}
/** [, name, reporter]: one of `dependentSchemas`. */
export function kDep(op: Op, refs: Refs, x: any, p: string, e: E): void {
  if (has(x, op[1])) sub(op[2], refs, x, p, e);
}
/** [, bound, words?] */
export function kMinProps(op: Op, _r: Refs, x: any, p: string, e: E): void {
  if (Object.keys(x).length < op[1]) fail(e, p, op[2] ?? `must have at least ${op[1]} properties`);
}
/** [, bound, words?] */
export function kMaxProps(op: Op, _r: Refs, x: any, p: string, e: E): void {
  if (Object.keys(x).length > op[1]) fail(e, p, op[2] ?? `must have at most ${op[1]} properties`);
}
