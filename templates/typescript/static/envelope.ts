// The wire envelope {"type", "v", "id", "data", ...other keys kept}: what decode, encode and
// decodeData of one registry's messages run, given its validators (codec.ts binds them).
// Hand-written: wiretype copies it into every package with only a header added.
import {
  DecodeError, bigNumbers, holdsBig, inexactIntegers, isObj, notCarried, setOwn,
  type ValidationError, type Validator,
} from "./validation.js";
import * as WORDS from "./words.js";

/** Message name -> live version -> the validator of its data. */
export type Validators = ReadonlyMap<string, ReadonlyMap<number, Validator>>;

const FRAME_KEYS = new Set(["type", "v", "id", "data"]);

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DecodeError([{ path: "", message: WORDS.notJson.replace("{detail}", (err as Error).message) }]);
  }
}

/** `data` checked and normalised as one version, or DecodeError (paths under `path`). */
export function validData(validator: Validator, data: unknown, path: string, context = ""): unknown {
  if (!validator.check(data)) {
    const errors: ValidationError[] = [];
    validator.report(data, path, errors);
    if (errors.length === 0) errors.push({ path, message: "is not valid" });
    if (context) for (const err of errors) err.message = `${context}: ${err.message}`;
    throw new DecodeError(errors);
  }
  return validator.shape(data);
}

/** The envelope with `v` and `data` replaced; every other key kept, in order. */
export function rebuild<E>(envelope: Record<string, any>, v: number, data: unknown): E {
  const out: Record<string, any> = { type: envelope.type, v, id: envelope.id, data };
  for (const k of Object.keys(envelope)) if (!FRAME_KEYS.has(k)) setOwn(out, k, envelope[k]);
  return out as E;
}

/** Checks an envelope value and its data; returns the normalised envelope. */
export function frame<E>(validators: Validators, value: unknown): E {
  if (!isObj(value)) throw new DecodeError([{ path: "", message: WORDS.notEnvelope }]);
  const errors: ValidationError[] = [];
  const { type, v, id, data } = value;
  const versions = typeof type === "string" ? validators.get(type) : undefined;
  if (versions === undefined) {
    const message = typeof type === "string" ? WORDS.unknownType.replace("{name}", JSON.stringify(type)) : WORDS.notType;
    errors.push({ path: "/type", message });
  }
  const validator = Number.isInteger(v) ? versions?.get(v) : undefined;
  if (!Number.isInteger(v)) errors.push({ path: "/v", message: WORDS.notInteger });
  else if (versions !== undefined && validator === undefined) {
    errors.push({ path: "/v", message: WORDS.notLive.replace("{v}", String(v)).replace("{name}", String(type)) });
  }
  if (typeof id !== "string" || id.length === 0) errors.push({ path: "/id", message: WORDS.notId });
  if (!isObj(data)) errors.push({ path: "/data", message: WORDS.notObject });
  if (errors.length > 0 || validator === undefined) throw new DecodeError(errors);
  return rebuild(value, v, validData(validator, data, "/data"));
}

/** The validator of `type` v`v`; RangeError when the registry has no such message version. */
export function validatorOf(validators: Validators, type: string, v: number): Validator {
  const versions = validators.get(type);
  if (versions === undefined) throw new RangeError(`${JSON.stringify(type)} is not a message of this package`);
  const validator = versions.get(v);
  if (validator === undefined) {
    throw new RangeError(`${type} has no live version ${String(v)} (live: ${[...versions.keys()].join(", ")})`);
  }
  return validator;
}

/**
 * A message from JSON text (or an already parsed value), validated against its version. An
 * integer the message keeps that a double would change (`9007199254740993`) is refused.
 */
export function readEnvelope<E>(validators: Validators, raw: string | unknown): E {
  if (typeof raw !== "string") return frame(validators, raw);
  const envelope = frame<E>(validators, parse(raw));
  if (holdsBig(envelope)) {
    // the literals a double changed, where the message keeps them; then what overflowed
    const big = bigNumbers(envelope);
    const refused = inexactIntegers(raw).filter((found) => big.has(found.path))
      .map((found) => ({ path: found.path, message: notCarried(found.literal) }));
    const seen = new Set(refused.map((e) => e.path));
    for (const [path, n] of big) if (!Number.isFinite(n) && !seen.has(path)) refused.push({ path, message: WORDS.overflow });
    if (refused.length > 0) throw new DecodeError(refused);
  }
  return envelope;
}

/** What a package's PROTOCOL says of one message. */
export interface MessageDescriptor {
  readonly versions: readonly number[];
  readonly latest: number;
  readonly direction: "both" | "client_to_server" | "server_to_client";
  readonly sensitive: readonly string[];
}

/** A package's PROTOCOL: the registry's name and its messages (shared types are not listed). */
export interface Protocol {
  readonly name: string;
  readonly messages: Readonly<Record<string, MessageDescriptor>>;
}
