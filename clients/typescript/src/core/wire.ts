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
import { DecodeError, type ValidationError, type Validator } from "../protocol/validation.js";
import { validatorOf } from "./check.js";
import type { GeneratedPackage } from "./package.js";

const validators = new Map<string, Map<number, Validator>>(
  Object.entries(SCHEMAS).map(([name, versions]) => [
    name, new Map(Object.entries(versions).map(([v, schema]) => [Number(v), validatorOf(schema)])),
  ]),
);

function unconverted(): never {
  throw new RangeError("the runtime's own messages are not converted by the client");
}

/** The data of a parsed runtime frame checked and normalised: what the package's decode does. */
function decode(frame: { type: string; v: number; data: unknown }): { data: unknown } {
  const validator = validators.get(frame.type)?.get(frame.v);
  if (validator === undefined) throw new RangeError(`${frame.type} v${frame.v} is not a runtime message`);
  if (!validator.check(frame.data)) {
    const errors: ValidationError[] = [];
    validator.report(frame.data, "/data", errors);
    throw new DecodeError(errors.length > 0 ? errors : [{ path: "/data", message: "is not valid" }]);
  }
  return { data: validator.shape(frame.data) };
}

export const WIRE: GeneratedPackage = { validators, decode, DecodeError, upgrade: unconverted, downgrade: unconverted };
export const WIRE_WRITTEN = ["wiretype.hello", "wiretype.pong", "wiretype.subscribe", "wiretype.unsubscribe", "wiretype.ack"];
