/**
 * What the client state machine tells its adapter: plain frozen values, one kind each.
 * Each mirrors an event of `wiretype/protocol/events.py` (named in its comment).
 */
import type { Header } from "./envelope.js";

/** JSON pointer into a message's data, and what is wrong there. */
export interface ErrorDetail {
  readonly path: string;
  readonly message: string;
}

/** `MessageReceived`: a registry message, validated and converted to the latest version. */
export interface MessageReceived {
  readonly kind: "message";
  readonly header: Header;
  readonly data: unknown;
  /** The version it travelled in. */
  readonly wireVersion: number;
}

/** `AckReceived`: an ack for a message this client sent. */
export interface AckReceived {
  readonly kind: "ack";
  readonly id: string;
  readonly rttMs: number;
}

/** `SendFailed`: an acked send that will not be delivered (nacked, timed out, expired, closed). */
export interface SendFailed {
  readonly kind: "send_failed";
  readonly id: string;
  readonly code: string;
  readonly reason: string;
  readonly errors: readonly ErrorDetail[];
  readonly retryAfterMs: number | null;
}

/** `Dropped`: messages never delivered: `expired`, `overflow`, `volatile`, `unsupported`. */
export interface Dropped {
  readonly kind: "dropped";
  readonly reason: string;
  readonly count: number;
}

/** `StatusReceived`: the server's `wiretype.status`. */
export interface StatusReceived {
  readonly kind: "status";
  readonly state: string;
  readonly reason: string;
  readonly retryInMs: number | null;
  readonly detail: string | null;
}

/** `ErrorReceived`: the server's `wiretype.error`. */
export interface ErrorReceived {
  readonly kind: "error";
  readonly code: string;
  readonly message: string;
  readonly re: string | null;
}

/** `ProtocolProblem`: something the server did wrong (bad frame, invalid data, a gap). */
export interface ProtocolProblem {
  readonly kind: "problem";
  readonly code: string;
  readonly message: string;
  readonly id: string | null;
  readonly errors: readonly ErrorDetail[];
}

/** `Welcomed`: the handshake finished. */
export interface Welcomed {
  readonly kind: "welcomed";
  readonly session: string;
  readonly resumed: boolean;
  readonly versions: Readonly<Record<string, number>>;
  readonly heartbeatMs: number;
}

export type State = "idle" | "connecting" | "open" | "reconnecting" | "offline" | "closing" | "closed";

/** `StateChanged`: connecting, open, reconnecting, offline or closed. */
export interface StateChanged {
  readonly kind: "state";
  readonly state: State;
  readonly reason: string;
}

/** `CloseRequested`: the machine wants the link closed with `code`. */
export interface CloseRequested {
  readonly kind: "close";
  readonly code: number;
  readonly reason: string;
}

export type ClientEvent =
  | MessageReceived
  | AckReceived
  | SendFailed
  | Dropped
  | StatusReceived
  | ErrorReceived
  | ProtocolProblem
  | Welcomed
  | StateChanged
  | CloseRequested;
