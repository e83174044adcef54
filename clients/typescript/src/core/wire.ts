/**
 * The runtime's own messages (`wiretype.*`) as the client uses them: the validators that
 * `wiretype generate` made from `schemas/wiretype/` (in `../protocol/`), without their
 * shims. The client reads each runtime message in the version it arrives in (as the Python
 * client does) and writes the ones it sends (hello, pong, subscribe, unsubscribe, ack) in
 * their only version, so nothing is converted and the shims stay out of a page's bundle; a
 * test fails the day one of those gets a second version.
 */
import { decode, DecodeError, validators } from "../protocol/index.js";
import type { GeneratedPackage } from "./package.js";

function unconverted(): never {
  throw new RangeError("the runtime's own messages are not converted by the client");
}

export const WIRE: GeneratedPackage = { validators, decode, DecodeError, upgrade: unconverted, downgrade: unconverted };
export const WIRE_WRITTEN = ["wiretype.hello", "wiretype.pong", "wiretype.subscribe", "wiretype.unsubscribe", "wiretype.ack"];
