// upgrade, downgrade and convert: the migrations of one registry, run as docs/shims.md
// describes, from its table (shims.ts holds it: the same data as the Python package's).
// Hand-written: wiretype copies it into every package with only a header added.
import { frame, rebuild, validData, validatorOf, type Validators } from "./envelope.js";
import { DecodeError, carried, cloneJson, deq, hasOwn, isObj, setOwn } from "./validation.js";

/** One step: [kind, field, arg]; a `custom` step's arg indexes the package's customs. */
export type Step = readonly [kind: string, field: string, arg: any];
/** The hops of one message: [message, [[from version, to version, its steps], ...]]. */
export type Hops = readonly [message: string, hops: readonly (readonly [from: number, to: number, steps: readonly Step[]])[]];
/** A user's function of a `custom` step: a copy of the data in, the new data out. */
export type Custom = (data: any) => any;

const REMOVE = Symbol("remove");
const INTEGER_TEXT = /^-?[0-9]+$/;
const NUMBER_TEXT = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

function convert(value: unknown, name: string, param: unknown): unknown {
  switch (name) {
    case "int_to_string":
      return Number.isInteger(value) ? String(value) : value;
    case "string_to_int":
      // as JSON.parse reads it, when a double carries it (else validation refuses the text)
      return typeof value === "string" && INTEGER_TEXT.test(value) && carried(value) ? Number(value) || 0 : value;
    case "float_to_string":
      return typeof value === "number" ? String(value) : value;
    case "string_to_float":
      return typeof value === "string" && NUMBER_TEXT.test(value) ? Number(value) || 0 : value;
    case "float_to_int":
      return typeof value === "number" ? Math.trunc(value) || 0 : value;
    case "scale":
      return typeof value === "number" && Number.isFinite(value) ? scale(value, param as string) : value;
    case "truncate":
      return typeof value === "string" ? truncate(value, param as number) : value;
    case "wrap_list":
      return [value];
    case "unwrap_list":
      if (!Array.isArray(value)) return value;
      return value.length > 0 ? value[0] : REMOVE;
    default: // int_to_float: an integer already is a number
      return value;
  }
}

/** `x` times `factor` (exact text such as "1/100"), exactly, on `x` as JSON writes it. */
function scale(x: number, factor: string): number {
  const text = /^(-?)([0-9]+)(?:\.([0-9]+))?(?:e([+-][0-9]+))?$/.exec(String(x))!;
  const fraction = text[3] ?? "";
  const exponent = Number(text[4] ?? "0") - fraction.length;
  const [top, bottom = "1"] = factor.split("/");
  let p = BigInt(text[1]! + text[2]! + fraction) * BigInt(top!);
  let q = BigInt(bottom);
  if (exponent >= 0) p *= 10n ** BigInt(exponent);
  else q *= 10n ** BigInt(-exponent);
  return fromRatio(p, q);
}

const SAFE_INTEGER = 9007199254740992n; // 2 ** 53, as literals (an expression would stay in a bundle unused)
const LOW = 10000000000000000n; // 10 ** 16
const HIGH = 100000000000000000n; // 10 ** 17

/** p/q as a number: a whole number up to 2**53 exactly, any other rounded to 17 significant
 * digits (half to even) and read as a double, as the Python package does. */
function fromRatio(p: bigint, q: bigint): number {
  if (q < 0n) [p, q] = [-p, -q];
  const sign = p < 0n ? "-" : "";
  const a = p < 0n ? -p : p;
  if (a % q === 0n && a / q <= SAFE_INTEGER) return Number(p / q);
  let shift = 16 - (a.toString().length - q.toString().length);
  let [top, bottom] = shifted(a, q, shift);
  let digits = top / bottom;
  if (digits >= HIGH) [top, bottom] = shifted(a, q, --shift);
  else if (digits < LOW) [top, bottom] = shifted(a, q, ++shift);
  digits = top / bottom;
  const twice = 2n * (top - digits * bottom);
  if (twice > bottom || (twice === bottom && digits % 2n === 1n)) digits += 1n;
  return Number(`${sign}${digits}e${-shift}`);
}

function shifted(a: bigint, q: bigint, shift: number): [bigint, bigint] {
  return shift >= 0 ? [a * 10n ** BigInt(shift), q] : [a, q * 10n ** BigInt(-shift)];
}

/** The first `length` code points of `s`. */
function truncate(s: string, length: number): string {
  let count = 0;
  let end = 0;
  for (const ch of s) {
    if (count === length) return s.slice(0, end);
    count += 1;
    end += ch.length;
  }
  return s;
}

/**
 * The object that holds `path` and the key in it: a field name (also one with a dot in it,
 * when the data has that key), else a dotted path; [null, key] when a parent is missing.
 */
function split(data: Record<string, any>, path: string): [Record<string, any> | null, string] {
  if (hasOwn(data, path) || !path.includes(".")) return [data, path];
  const parts = path.split(".");
  let node: unknown = data;
  for (const part of parts.slice(0, -1)) node = isObj(node) && hasOwn(node, part) ? node[part] : null;
  return [isObj(node) ? node : null, parts[parts.length - 1]!];
}

/** Sets the value at `path`, creating objects on the way; false when a parent is not one. */
function put(data: Record<string, any>, path: string, value: unknown): boolean {
  if (hasOwn(data, path) || !path.includes(".")) {
    setOwn(data, path, value);
    return true;
  }
  const parts = path.split(".");
  let node = data;
  for (const part of parts.slice(0, -1)) {
    if (!hasOwn(node, part)) setOwn(node, part, {});
    if (!isObj(node[part])) return false;
    node = node[part];
  }
  setOwn(node, parts[parts.length - 1]!, value);
  return true;
}

type Data = Record<string, any>;

// One function per kind of step (docs/shims.md), as in the Python package's _migration.py.
// Exported one by one: a package's shims.ts hands `table` only the kinds its table uses, so a
// bundle leaves the others (and the number conversions of `convert`) out.
export function rename(data: Data, field: string, to: string): Data {
  const [holder, key] = split(data, field);
  if (holder !== null && hasOwn(holder, key)) {
    const value = holder[key];
    delete holder[key];
    setOwn(holder, to, value);
  }
  return data;
}

export function move(data: Data, field: string, to: string): Data {
  const [holder, key] = split(data, field);
  if (holder === null || !hasOwn(holder, key)) return data;
  const value = holder[key];
  delete holder[key];
  if (!put(data, to, value)) setOwn(holder, key, value);
  return data;
}

export function defaults(data: Data, field: string, value: unknown): Data {
  const [holder, key] = split(data, field);
  if (holder === null) put(data, field, cloneJson(value));
  else if (!hasOwn(holder, key)) setOwn(holder, key, cloneJson(value));
  return data;
}

export function drop(data: Data, field: string): Data {
  const [holder, key] = split(data, field);
  if (holder !== null && hasOwn(holder, key)) delete holder[key];
  return data;
}

export function values(data: Data, field: string, mapping: Array<[unknown, unknown]>): Data {
  const [holder, key] = split(data, field);
  if (holder === null || !hasOwn(holder, key)) return data;
  const hit = mapping.find(([from]) => deq(holder[key], from));
  if (hit !== undefined) setOwn(holder, key, cloneJson(hit[1]));
  return data;
}

export function convertStep(data: Data, field: string, [name, param]: [string, unknown]): Data {
  const [holder, key] = split(data, field);
  if (holder === null || !hasOwn(holder, key)) return data;
  const value = convert(holder[key], name, param);
  if (value === REMOVE) delete holder[key];
  else setOwn(holder, key, value);
  return data;
}

/** A package's step functions by kind: each takes the data, the step's field and its arg. */
export type Steps = Readonly<Record<string, (data: Data, field: string, arg: any) => Data>>;

function run(data: Data, [kind, field, arg]: Step, customs: readonly Custom[], kinds: Steps): Data {
  return kind === "custom" ? customs[arg as number]!(cloneJson(data)) : kinds[kind]!(data, field, arg);
}

/** The steps of one hop, in order, each on the data as the step before left it. */
export function runSteps(
  data: Record<string, any>, steps: readonly Step[], customs: readonly Custom[], kinds: Steps,
): unknown {
  let work = data;
  for (const step of steps) {
    work = run(work, step, customs, kinds);
    if (!isObj(work)) return work;
  }
  return work;
}

/** What upgrade, downgrade and convert run on: a registry's validators and migrations. */
export interface Table {
  readonly validators: Validators;
  readonly hops: ReadonlyMap<string, readonly Step[]>;
  readonly customs: readonly Custom[];
  readonly kinds: Steps;
}

/** The table of `validators` and the hops of each message `hops`, run with the steps `kinds`. */
export function table(validators: Validators, hops: readonly Hops[], customs: readonly Custom[], kinds: Steps): Table {
  const byKey = new Map<string, readonly Step[]>();
  for (const [message, its] of hops) for (const [from, to, steps] of its) byKey.set(`${message} ${from} ${to}`, steps);
  return { validators, hops: byKey, customs, kinds };
}

/** `data` of `type` v`from`, hop by hop to v`to`; errors under `path`. */
function walk(t: Table, type: string, data: unknown, from: number, to: number, path: string): unknown {
  validatorOf(t.validators, type, from);
  const versions = [...t.validators.get(type)!.keys()];
  const start = versions.indexOf(from);
  const end = versions.indexOf(to);
  let current = data;
  for (let i = start; i !== end; i += end > start ? 1 : -1) {
    const next = versions[i + (end > start ? 1 : -1)]!;
    const steps = t.hops.get(`${type} ${versions[i]} ${next}`) ?? [];
    const work = runSteps(cloneJson(current) as Record<string, any>, steps, t.customs, t.kinds);
    if (!isObj(work)) throw new DecodeError([{ path, message: `as v${next}: a custom step returned no object` }]);
    current = validData(validatorOf(t.validators, type, next), work, path, `as v${next}`);
  }
  return current;
}

/** The message converted to version `to` (default: the latest) `way`, one hop at a time. */
export function migrate<E>(t: Table, msg: E, to: number | undefined, way: "up" | "down"): E {
  const start: Record<string, any> = frame(t.validators, msg);
  const versions = [...t.validators.get(start.type)!.keys()];
  const target = to ?? versions[versions.length - 1]!;
  const end = Number.isInteger(target) ? versions.indexOf(target) : -1;
  if (end < 0) throw new RangeError(`${target} is not a live version of ${start.type}`);
  const from = versions.indexOf(start.v);
  if (way === "up" ? end < from : end > from) {
    throw new RangeError(`cannot ${way}grade ${start.type} from v${start.v} to v${target}`);
  }
  return rebuild(start, target, walk(t, start.type, start.data, start.v, target, "/data"));
}

/**
 * `data` of `type` v`from` as v`to`, up or down, re-validated after every hop; errors point
 * into the data (`/room`); RangeError for a version that is not live.
 */
export function convertData(t: Table, type: string, data: unknown, from: number, to: number): unknown {
  validatorOf(t.validators, type, to);
  return walk(t, type, validData(validatorOf(t.validators, type, from), data, ""), from, to, "");
}
