/**
 * The sans-I/O core: `ClientConnection` takes text frames and `now` (ms) and returns
 * frames to write and events. No sockets, no timers, no clock. The twin of the Python
 * runtime's `wiretype/protocol/` (client side).
 */
export { fullJitter, type RandomSource } from "./backoff.js";
export {
  ClientConnection, FINAL_CODES, PROTOCOL_PREFIX, RECONNECT_CODES, SendFailedError,
  type ClientOptions, type Journal, type Outgoing, type SendOptions,
} from "./client.js";
export { DedupeWindow, Outbox, type Pending } from "./delivery.js";
export { DEFAULT_PRIO, FrameProblem, frameText, headerOf, load, quote, utf8Size, type Header } from "./envelope.js";
export type * from "./events.js";
export { Package, sentByClient, type Decoded, type Descriptor, type Direction, type GeneratedPackage, type MessageInfo } from "./package.js";
export { PriorityQueue, type Item } from "./queues.js";
export { buildSettings, ConfigurationError, DEFAULTS, type Settings } from "./settings.js";
export { WIRE, WIRE_WRITTEN } from "./wire.js";
export * as wire from "../protocol/index.js";
