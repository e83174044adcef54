/**
 * What the core needs from a generated TypeScript package: the seam with the generator.
 *
 * A generated package exports `validators` (message -> version -> validator), `decode`,
 * `decodeData`, `upgrade`, `downgrade`, `convert` and `DecodeError`; the client checks and
 * converts through them (it has no codec of its own). What else it needs is read from an
 * optional export `PROTOCOL`, of the same shape as the Python runtime's
 * (`wiretype/protocol/package.py`), plus each message's live versions and latest:
 *
 *     export const PROTOCOL = {
 *       name: "chat",
 *       messages: {
 *         "chat.message_sent": { direction: "both", versions: [1, 2, 3], latest: 3, sensitive: [] },
 *       },
 *     } as const;
 *
 * Without it: the registry name comes from the `registry` option (there is no other way
 * to know it in a browser), versions from `validators`, direction `both`.
 */
import { ConfigurationError } from "./settings.js";
import type { ErrorDetail } from "./events.js";

export type Direction = "both" | "client_to_server" | "server_to_client";
export const DIRECTIONS: readonly Direction[] = ["both", "client_to_server", "server_to_client"];

export interface MessageDescriptor {
  readonly direction?: Direction;
  readonly versions?: readonly number[];
  readonly latest?: number;
  readonly sensitive?: readonly string[];
}

/** The descriptor a generated package may export as `PROTOCOL`. */
export interface Descriptor {
  readonly name?: string;
  readonly messages?: Readonly<Record<string, MessageDescriptor>>;
}

/** What `connect` takes as `proto`: the generated package (its module namespace). */
export interface GeneratedPackage {
  readonly validators: ReadonlyMap<string, ReadonlyMap<number, unknown>>;
  decode(raw: any): unknown;
  /** `data` checked and normalised as `type` v`v` (errors point into the data). */
  decodeData(type: string, v: number, data: unknown): unknown;
  upgrade(msg: any, to?: number): unknown;
  downgrade(msg: any, to: number): unknown;
  /** `data` of `type` v`from` as v`to`, hop by hop through the generated shims. */
  convert(type: string, data: unknown, from: number, to: number): unknown;
  readonly DecodeError?: abstract new (...args: any[]) => Error;
  readonly PROTOCOL?: Descriptor;
}

/** One message of a package: its live versions and who may send it. */
export interface MessageInfo {
  readonly name: string;
  readonly versions: readonly number[];
  readonly latest: number;
  readonly direction: Direction;
}

export const sentByClient = (info: MessageInfo): boolean => info.direction !== "server_to_client";

/** A value checked as one version, or what is wrong with it (paths point into the data). */
export type Decoded = { readonly ok: true; readonly data: unknown } | { readonly ok: false; readonly errors: ErrorDetail[] };

export class Package {
  constructor(
    readonly module: GeneratedPackage,
    readonly name: string,
    readonly messages: ReadonlyMap<string, MessageInfo>,
  ) {}

  static fromModule(
    module: GeneratedPackage,
    options: { name?: string | undefined; speaks?: Readonly<Record<string, readonly number[]>> | undefined } = {},
  ): Package {
    if (!(module.validators instanceof Map) || typeof module.decode !== "function" || typeof module.convert !== "function") {
      throw new ConfigurationError("proto is not a generated wiretype package (no validators / decode)");
    }
    const described = module.PROTOCOL?.messages ?? {};
    const messages = new Map<string, MessageInfo>();
    for (const [name, versions] of module.validators) {
      const given = described[name];
      const direction = given?.direction ?? "both";
      if (!DIRECTIONS.includes(direction)) {
        throw new ConfigurationError(`${name}: direction ${String(direction)} is not one of ${DIRECTIONS.join(", ")}`);
      }
      messages.set(name, infoOf(name, given?.versions ?? [...versions.keys()], direction));
    }
    const registry = options.name ?? module.PROTOCOL?.name;
    if (typeof registry !== "string" || registry.length === 0) {
      throw new ConfigurationError(
        "the generated package names no registry (no PROTOCOL export): pass { registry: NAME }, " +
          "the `name` of its wiretype settings (default: the Python package name)",
      );
    }
    const pkg = new Package(module, registry, messages);
    return options.speaks ? pkg.restrict(options.speaks) : pkg;
  }

  /** The same package speaking only the given versions of the messages named. */
  restrict(speaks: Readonly<Record<string, readonly number[]>>): Package {
    const messages = new Map(this.messages);
    for (const [name, versions] of Object.entries(speaks)) {
      const info = messages.get(name);
      if (info === undefined) throw new ConfigurationError(`speaks names ${JSON.stringify(name)}, not in ${this.name}`);
      const kept = info.versions.filter((v) => versions.includes(v));
      if (kept.length === 0) throw new ConfigurationError(`speaks leaves no live version of ${name}`);
      messages.set(name, infoOf(name, kept, info.direction));
    }
    return new Package(this.module, this.name, messages);
  }

  speaks(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const [name, info] of this.messages) out[name] = [...info.versions];
    return out;
  }

  /** Whether the generated code has version `v` of `type` at all. */
  has(type: string, v: number): boolean {
    return this.module.validators.get(type)?.has(v) ?? false;
  }

  /** `data` checked and normalised (defaults filled, unknown fields dropped) as `type` v`v`. */
  decodeData(type: string, v: number, data: unknown): Decoded {
    return this.#tried(() => this.module.decodeData(type, v, data));
  }

  /**
   * decodeData for the data of a received frame whose JSON text is `text`. JSON.parse has
   * already rounded an integer literal a double cannot hold (`9007199254740993`), so when
   * the data holds a number that large the frame's text goes through the package's own
   * decode, which refuses such a literal naming its field (the Python client carries it
   * exactly; neither ever hands the application a changed number).
   */
  decodeReceived(type: string, v: number, data: unknown, text: string): Decoded {
    const decoded = this.decodeData(type, v, data);
    return decoded.ok && holdsBig(data) ? this.#tried(() => (this.module.decode(text), decoded.data)) : decoded;
  }

  /** `data` of version `from` at version `to`, hop by hop through the generated shims. */
  convert(type: string, data: unknown, from: number, to: number): Decoded {
    return from === to ? { ok: true, data } : this.#tried(() => this.module.convert(type, data, from, to));
  }

  /** What `run` returns, or the structured errors of the package's DecodeError it threw. */
  #tried(run: () => unknown): Decoded {
    try {
      return { ok: true, data: run() };
    } catch (err) {
      return { ok: false, errors: this.#errorsOf(err) };
    }
  }

  /** The structured errors of the package's DecodeError; anything else is a bug: rethrown. */
  #errorsOf(err: unknown): ErrorDetail[] {
    const known = this.module.DecodeError;
    const errors = (err as { errors?: unknown }).errors;
    if ((known !== undefined && !(err instanceof known)) || !Array.isArray(errors)) throw err;
    return errors.slice(0, 100).map((e: { path?: unknown; message?: unknown }) => ({
      path: intoData(String(e.path ?? "")),
      message: String(e.message ?? ""),
    }));
  }
}

/** A message's info from its live versions (in any order). */
function infoOf(name: string, versions: readonly number[], direction: Direction): MessageInfo {
  const live = [...versions].sort((a, b) => a - b);
  return { name, versions: live, latest: live[live.length - 1]!, direction };
}

const BIG = 2 ** 53; // below it a double holds every integer literal exactly

/** Whether `value` holds a number of magnitude 2^53 or more (where rounding can have happened). */
function holdsBig(value: unknown): boolean {
  if (typeof value === "number") return value >= BIG || value <= -BIG;
  return typeof value === "object" && value !== null && Object.values(value).some(holdsBig);
}

/** A path of the whole frame (`/data/room`, decode's) as a path into its data (`/room`). */
function intoData(path: string): string {
  return path === "/data" || path.startsWith("/data/") ? path.slice("/data".length) : path;
}
