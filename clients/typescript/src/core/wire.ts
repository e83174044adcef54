/**
 * The runtime's own messages (`wiretype.*`) as the client uses them: each version's schema
 * from `schemas/wiretype/` (`../protocol/schemas.ts`, generated) run by the compact checks of
 * `./check.ts`, which answer as the generated validators in `../protocol/` do (a test holds
 * them to it) for a fraction of their size; no codec, no shims. The core hands a package
 * only parsed data (`decode({type, v, id, data})`), so a validator alone does: check,
 * report on failure, shape. The client reads each runtime message in the version it arrives
 * in (as the Python client does) and writes the ones it sends (hello, pong, subscribe,
 * unsubscribe, ack) in their only version, so nothing is converted and neither the envelope
 * codec nor the shims reach a page's bundle; a test fails the day one of those gets a
 * second version.
 */
import { SCHEMAS } from "../protocol/schemas.js";
import { inexactIntegers, type ValidationError, type Validator } from "../protocol/validation.js";
import { validatorOf } from "./check.js";
import type { GeneratedPackage } from "./package.js";

const validators = new Map<string, Map<number, Validator>>(
  Object.entries(SCHEMAS).map(([name, versions]) => [
    name, new Map(Object.entries(versions).map(([v, schema]) => [Number(v), validatorOf(schema)])),
  ]),
);

/** What the runtime messages' checks throw (the core turns its errors into a problem). */
class DecodeError extends Error {
  constructor(readonly errors: ValidationError[]) {
    super("invalid runtime message");
  }
}

function unconverted(): never {
  throw new RangeError("the runtime's own messages are not converted by the client");
}

/** `data` checked and normalised as `type` v`v`, or DecodeError (paths under `path`). */
function decodeData(type: string, v: number, data: unknown, path = ""): unknown {
  const validator = validators.get(type)?.get(v);
  if (validator === undefined) throw new RangeError(`${type} v${v} is not a runtime message`);
  if (validator.check(data)) return validator.shape(data);
  const errors: ValidationError[] = [];
  validator.report(data, path, errors);
  throw new DecodeError(errors.length > 0 ? errors : [{ path, message: "is not valid" }]);
}

/**
 * A runtime frame (parsed, or its JSON text) with its data checked and normalised: what
 * the package's decode does. From text, an integer of the data that a double would change
 * is refused, as the generated packages refuse it, (the client never acts on a changed number).
 */
function decode(raw: unknown): { data: unknown } {
  if (typeof raw === "string") {
    const refused = inexactIntegers(raw).filter((found) => found.path.startsWith("/data/"));
    const message = (literal: string): string => `integer ${literal} cannot be carried exactly by a JSON number`;
    if (refused.length > 0) throw new DecodeError(refused.map((found) => ({ path: found.path, message: message(found.literal) })));
    raw = JSON.parse(raw);
  }
  const frame = raw as { type: string; v: number; data: unknown };
  return { ...frame, data: decodeData(frame.type, frame.v, frame.data, "/data") };
}

export const WIRE: GeneratedPackage = {
  validators, decode, decodeData, DecodeError, upgrade: unconverted, downgrade: unconverted, convert: unconverted,
};
export const WIRE_WRITTEN = ["wiretype.hello", "wiretype.pong", "wiretype.subscribe", "wiretype.unsubscribe", "wiretype.ack"];
