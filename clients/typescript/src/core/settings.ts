/**
 * Every tunable the client uses, named and defaulted as in DESIGN.md and the Python
 * runtime's `Settings` (`wiretype/protocol/limits.py`): the same names, the same numbers.
 * Times are milliseconds.
 */

export interface Settings {
  readonly heartbeat_ms: number;
  /** No frame for heartbeat_ms + this: the link is dead. */
  readonly heartbeat_grace_ms: number;
  readonly ack_timeout_ms: number;
  readonly retries: number;
  readonly max_in_flight: number;
  readonly handshake_timeout_ms: number;
  readonly dedupe_size: number;
  readonly dedupe_ms: number;
  readonly queue_size: number;
  readonly queue_bytes: number;
  readonly backoff_min_ms: number;
  readonly backoff_max_ms: number;
  /** A link open this long resets the backoff. */
  readonly stable_ms: number;
}

export const DEFAULTS: Settings = Object.freeze({
  heartbeat_ms: 25_000,
  heartbeat_grace_ms: 10_000,
  ack_timeout_ms: 10_000,
  retries: 5,
  max_in_flight: 64,
  handshake_timeout_ms: 10_000,
  dedupe_size: 10_000,
  dedupe_ms: 300_000,
  queue_size: 1_000,
  queue_bytes: 1024 * 1024,
  backoff_min_ms: 500,
  backoff_max_ms: 20_000,
  stable_ms: 5_000,
});

/** A setting name that is not one, or a value that is not a number >= 0. */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigurationError";
  }
}

export function isSetting(name: string): name is keyof Settings {
  return Object.hasOwn(DEFAULTS, name);
}

/** The defaults overridden by `options`; unknown names and bad values are refused. */
export function buildSettings(options: Partial<Record<string, unknown>> = {}): Settings {
  const out: Record<string, number> = { ...DEFAULTS };
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (!isSetting(name)) throw new ConfigurationError(`unknown setting: ${name}`);
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new ConfigurationError(`${name} must be a number >= 0, not ${String(value)}`);
    }
    out[name] = value;
  }
  return Object.freeze(out) as unknown as Settings;
}
