// Validation support of a generated package: what its validators, codec and shims share.
// Hand-written (wiretype copies it into every package with only a header added); no
// dependencies. Numbers are doubles, judged as the Python package judges them.
import {
  DATE_PATTERN, DATE_TIME_PATTERN, EMAIL_PATTERN, TIME_PATTERN, URI_PATTERN, UUID_PATTERN, notCarried as NOT_CARRIED,
} from "./words.js";

/** One reason a value was rejected: where it is (a JSON Pointer) and why. */
export interface ValidationError {
  path: string;
  message: string;
}

/** A message (or envelope) that is not valid; `errors` says where and why. */
export class DecodeError extends Error {
  readonly errors: ValidationError[];

  constructor(errors: ValidationError[], message?: string) {
    super(message ?? describe(errors));
    this.name = "DecodeError";
    this.errors = errors;
  }
}

function describe(errors: ValidationError[]): string {
  const shown = errors.slice(0, 3).map((err) => `${err.path || "/"}: ${err.message}`);
  const more = errors.length > 3 ? ` (and ${errors.length - 3} more)` : "";
  return `invalid message: ${shown.join("; ")}${more}`;
}

/** Checks, reports and normalises the data of one version. */
export interface Validator {
  check(x: unknown): boolean;
  report(x: unknown, path: string, errors: ValidationError[]): void;
  shape(x: unknown): unknown;
}

/** Records one error: the generated reporters write every error through this. */
export function fail(e: ValidationError[], path: string, message: string): void {
  e.push({ path, message });
}

/** A generated reporter: pushes the errors of `x` (at the JSON Pointer `p`) onto `e`. */
export type Report = (x: any, p: string, e: ValidationError[]) => void;

export function isObj(x: unknown): x is Record<string, any> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

export function hasOwn(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

/** Sets an own, enumerable property, even one called `__proto__`. */
export function setOwn(o: Record<string, any>, k: string, v: unknown): void {
  if (k === "__proto__") {
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  } else {
    o[k] = v;
  }
}

/** The length of a string in Unicode code points (a surrogate pair counts once). */
export function cpLen(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** A property name as a JSON Pointer token. */
export function ptr(k: string): string {
  return k.indexOf("~") < 0 && k.indexOf("/") < 0 ? k : k.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** JSON equality: 1 equals 1.0, 1 is not true, objects compare without key order. */
export function deq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deq(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!hasOwn(b, k) || !deq((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** True when no two items of the array are JSON-equal. */
export function uniq(a: unknown[]): boolean {
  if (a.every((v) => typeof v !== "object" || v === null)) return new Set(a).size === a.length;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) if (deq(a[i], a[j])) return false;
  }
  return true;
}

const DECIMAL = /^(-?)([0-9]+)(?:\.([0-9]+))?(?:e([+-][0-9]+))?$/;

/**
 * `multipleOf`, exactly: `x / (sm * 10^se)` is an integer, with `x` read as its shortest
 * decimal (what `String(x)` writes), so 0.29 is a multiple of 0.01 and 0.3 of 0.1.
 */
export function multOf(x: number, sm: bigint, se: number): boolean {
  const m = Number.isFinite(x) ? DECIMAL.exec(String(x)) : null;
  if (m === null) return false;
  const fraction = m[3] ?? "";
  const xm = BigInt(m[1] + m[2] + fraction);
  const xe = (m[4] === undefined ? 0 : Number(m[4])) - fraction.length;
  if (xe >= se) return (xm * 10n ** BigInt(xe - se)) % sm === 0n;
  return xm % (sm * 10n ** BigInt(se - xe)) === 0n;
}

const BIG = 9007199254740992; // 2^53: below it every integer literal is a double exactly

/**
 * Whether `value` holds a number of magnitude 2^53 or more: only there can JSON.parse have
 * rounded an integer literal (a walk of the decoded message, far cheaper than searching
 * the text for long runs of digits).
 */
export function holdsBig(value: unknown): boolean {
  if (typeof value === "number") return value >= BIG || value <= -BIG;
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (holdsBig(value[i])) return true;
    return false;
  }
  for (const k in value) if (holdsBig((value as Record<string, unknown>)[k])) return true;
  return false;
}

/**
 * Whether an integer literal survives being read as a double: the double holds it exactly,
 * or the literal is the double's own text (`1152921504606847000`).
 */
export function carried(literal: string): boolean {
  const n = Number(literal);
  return Number.isFinite(n) && (BigInt(n) === BigInt(literal) || String(n) === literal);
}

/** The words for an integer literal that a double would change. */
export function notCarried(literal: string): string {
  return NOT_CARRIED.replace("{literal}", literal).replace("{double}", String(Number(literal)));
}

/**
 * Every integer literal (digits only) of the JSON text `text` that a double would change,
 * with its JSON Pointer, in the order of the text. JSON.parse cannot tell them apart, so
 * each is swapped for a marker string no string of the text can hold (a character the text
 * has neither as itself nor as an escape) and the text read again: where a marker lands is
 * the literal's path, and a repeated key keeps only its last value, as JSON.parse does.
 */
export function inexactIntegers(text: string): { path: string; literal: string }[] {
  const lower = text.toLowerCase();
  let code = 0xe000;
  while (text.includes(String.fromCharCode(code)) || lower.includes("\\u" + code.toString(16))) code++;
  const mark = String.fromCharCode(code);
  const literals: string[] = [];
  const marked = text.replace(/"(?:[^"\\]|\\.)*"|-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/g, (token) => {
    if (!/^-?[0-9]{16,}$/.test(token) || carried(token)) return token;
    literals.push(token);
    return `"${mark}${literals.length - 1}"`;
  });
  const found: [number, string][] = [];
  const walk = (value: unknown, path: string): void => {
    if (typeof value === "string" && value[0] === mark) found.push([Number(value.slice(1)), path]);
    else if (Array.isArray(value)) value.forEach((item, i) => walk(item, `${path}/${i}`));
    else if (isObj(value)) for (const k of Object.keys(value)) walk(value[k], `${path}/${ptr(k)}`);
  };
  if (literals.length > 0) walk(JSON.parse(marked), "");
  return found.sort((a, b) => a[0] - b[0]).map(([at, path]) => ({ path, literal: literals[at]! }));
}

/**
 * Each number of `value` that `holdsBig` finds (one that JSON.parse may have rounded, or
 * Infinity from `1e400`), by its JSON Pointer, in the order of a walk of `value`.
 */
export function bigNumbers(value: unknown, path = "", out = new Map<string, number>()): Map<string, number> {
  if (typeof value === "number") {
    if (value >= BIG || value <= -BIG) out.set(path, value);
  } else if (Array.isArray(value)) value.forEach((item, i) => bigNumbers(item, `${path}/${i}`, out));
  else if (isObj(value)) for (const k of Object.keys(value)) bigNumbers(value[k], `${path}/${ptr(k)}`, out);
  return out;
}

/** A deep copy of a JSON value (own `__proto__` keys are copied as data). */
export function cloneJson<T>(v: T): T {
  if (typeof v !== "object" || v === null) return v;
  if (Array.isArray(v)) return v.map((item) => cloneJson(item)) as T;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) setOwn(out, k, cloneJson((v as Record<string, unknown>)[k]));
  return out as T;
}

/** A map (a JSON object with any keys) with every value passed through `f`. */
export function mapValues(x: Record<string, unknown>, f: (v: any) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(x)) setOwn(out, k, f(x[k]));
  return out;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function calendar(m: RegExpExecArray | null): boolean {
  return m !== null && Number(m[3]) <= daysIn(Number(m[1]), Number(m[2]));
}

// The formats of docs/formats.md (words.ts): a date and a date-time also name a real day.
// Each pattern is compiled by a pure call, so a bundle keeps only the formats it checks.
const UUID = /* @__PURE__ */ new RegExp(UUID_PATTERN);
const DATE = /* @__PURE__ */ new RegExp(DATE_PATTERN);
const TIME = /* @__PURE__ */ new RegExp(TIME_PATTERN);
const DATE_TIME = /* @__PURE__ */ new RegExp(DATE_TIME_PATTERN);
const EMAIL = /* @__PURE__ */ new RegExp(EMAIL_PATTERN);
const URI = /* @__PURE__ */ new RegExp(URI_PATTERN);

export function fmtUuid(s: string): boolean {
  return UUID.test(s);
}

export function fmtDate(s: string): boolean {
  return calendar(DATE.exec(s));
}

export function fmtTime(s: string): boolean {
  return TIME.test(s);
}

export function fmtDateTime(s: string): boolean {
  return calendar(DATE_TIME.exec(s));
}

export function fmtEmail(s: string): boolean {
  return EMAIL.test(s);
}

export function fmtUri(s: string): boolean {
  return URI.test(s);
}
