/**
 * The envelope on the wire: reading a frame's header and runtime keys, writing frames.
 *
 * A frame is one JSON object: `type`, `v`, `id` (1-128 characters), `data` and the
 * runtime's optional keys `ack ts ttl prio re seq epoch`. The checks and the frame layout
 * are those of `wiretype/protocol/envelope.py`, so both clients write the same text.
 */

export const DEFAULT_PRIO = 4;
export const MAX_ID = 128;

/** Why a frame is not a usable envelope: `bad_frame` (not JSON) or `bad_envelope`. */
export class FrameProblem {
  constructor(
    readonly code: "bad_frame" | "bad_envelope",
    readonly message: string,
    readonly id: string | null = null,
  ) {}
}

/** The envelope around a message, with the runtime keys checked. */
export interface Header {
  readonly type: string;
  readonly v: number;
  readonly id: string;
  readonly ack: boolean;
  readonly ts: number | null;
  readonly ttl: number | null;
  readonly prio: number;
  readonly re: string | null;
  readonly seq: number | null;
  readonly epoch: number | null;
}

export function expiresAt(header: { ts: number | null; ttl: number | null }): number | null {
  return header.ts === null || header.ttl === null ? null : header.ts + header.ttl;
}

const isInt = (x: unknown): x is number => typeof x === "number" && Number.isInteger(x);
const isId = (x: unknown): x is string => typeof x === "string" && x.length >= 1 && x.length <= MAX_ID;

function problem(code: FrameProblem["code"], message: string, id: string | null = null): FrameProblem {
  return new FrameProblem(code, message, id);
}

/** The JSON value of a text frame, or `bad_frame`. */
export function load(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    return problem("bad_frame", `not JSON: ${String((err as Error).message).slice(0, 200)}`);
  }
}

/** The header of a loaded frame, or what is wrong with it. */
export function headerOf(frame: unknown): Header | FrameProblem {
  if (typeof frame !== "object" || frame === null || Array.isArray(frame)) {
    return problem("bad_envelope", "a frame must be a JSON object");
  }
  const f = frame as Record<string, unknown>;
  const id = isId(f.id) ? f.id : null;
  if (typeof f.type !== "string" || f.type.length === 0) {
    return problem("bad_envelope", "`type` must be a non-empty string", id);
  }
  if (!isInt(f.v) || f.v < 1) return problem("bad_envelope", "`v` must be an integer >= 1", id);
  if (id === null) return problem("bad_envelope", "`id` must be a string of 1-128 characters");
  const wrong = keyProblem(f);
  if (wrong !== null) return problem("bad_envelope", wrong, id);
  const opt = (key: string): number | null => (f[key] === undefined || f[key] === null ? null : (f[key] as number));
  return {
    type: f.type,
    v: f.v,
    id,
    ack: f.ack === true,
    ts: opt("ts"),
    ttl: opt("ttl"),
    prio: f.prio === undefined ? DEFAULT_PRIO : (f.prio as number),
    re: typeof f.re === "string" ? f.re : null,
    seq: opt("seq"),
    epoch: opt("epoch"),
  };
}

function keyProblem(f: Record<string, unknown>): string | null {
  if (f.ack !== undefined && typeof f.ack !== "boolean") return "`ack` must be true or false";
  for (const key of ["ts", "ttl", "seq", "epoch"]) {
    const value = f[key];
    if (value !== undefined && value !== null && (!isInt(value) || value < 0)) {
      return `\`${key}\` must be an integer >= 0`;
    }
  }
  if (f.prio !== undefined && (!isInt(f.prio) || f.prio < 0 || f.prio > 9)) {
    return "`prio` must be an integer from 0 to 9";
  }
  if (f.re !== undefined && f.re !== null && !isId(f.re)) return "`re` must be a string of 1-128 characters";
  return null;
}

/** A JSON string literal. */
export const quote = (text: string): string => JSON.stringify(text);

export interface FrameKeys {
  ack?: boolean;
  ts?: number | null;
  ttl?: number | null;
  prio?: number;
  re?: string | null;
}

/** A whole frame: the layout of the Python runtime's `body(...) + "}"`. */
export function frameText(type: string, v: number, id: string, dataJson: string, keys: FrameKeys = {}): string {
  let out = `{"type":${quote(type)},"v":${v},"id":${quote(id)},"data":${dataJson}`;
  if (keys.ack) out += ',"ack":true';
  for (const key of ["ts", "ttl", "prio", "re"] as const) {
    const value = keys[key];
    if (value != null && (key !== "prio" || value !== DEFAULT_PRIO)) out += `,"${key}":${JSON.stringify(value)}`;
  }
  return out + "}";
}

/** The size of `text` in UTF-8 bytes (a lone surrogate as the 3 of its replacement character). */
export function utf8Size(text: string): number {
  let n = 0;
  for (const ch of text) n += ch < "\x80" ? 1 : ch < "\u0800" ? 2 : ch.length + 2;
  return n;
}
