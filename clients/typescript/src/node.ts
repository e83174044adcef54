/**
 * `@wiretype/client/node`: the same `connect`, with the `ws` package as its WebSocket
 * (Node 20 has no global one). `ws` is an optional peer dependency: install it beside.
 */
import WebSocket from "ws";
import { connect as connectWith, type Client, type ConnectOptions, type WebSocketConstructor } from "./index.js";
import type { GeneratedPackage } from "./core/package.js";

export * from "./index.js";

export function connect<P extends GeneratedPackage>(
  url: string | readonly string[],
  proto: P,
  options: ConnectOptions<P> = {},
): Client<P> {
  return connectWith(url, proto, { WebSocket: WebSocket as unknown as WebSocketConstructor, ...options });
}
