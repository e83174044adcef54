/**
 * `@wiretype/client`: `connect(url, proto, options)`, the adapter that pumps the sans-I/O
 * `ClientConnection` (`./core/`) over any WebSocket constructor: the browser's global, the
 * `ws` package in Node (`options.WebSocket`, or `@wiretype/client/node`).
 *
 * One timer dials when the core's `nextAttemptAt` comes, one fires at its `nextDeadline`
 * (ack retries, expiry, the passive heartbeat deadline); in a browser the page's `online`,
 * `offline` and `visibilitychange` events dial at once or drop a dead link. Frames are
 * written in the order the core produced them.
 */
import { ClientConnection, FINAL_CODES, SendFailedError, type Journal, type Outgoing } from "./core/client.js";
import type { ClientEvent, ErrorReceived, State, StatusReceived, Welcomed } from "./core/events.js";
import type { Header } from "./core/envelope.js";
import { Package, type GeneratedPackage } from "./core/package.js";
import { buildSettings, ConfigurationError, isSetting, type Settings } from "./core/settings.js";
import { WIRE } from "./core/wire.js";
import type { QueueStore, StoredMessage } from "./store/index.js";
import type { AnyMessage, LatestData, MessageName, Receivable, Sendable } from "./types.js";

export { ClientConnection, SendFailedError, FINAL_CODES, RECONNECT_CODES } from "./core/client.js";
/** What a failed send rejects with (`code`, `reason`): the name the docs and the Python runtime use. */
export { SendFailedError as SendFailed } from "./core/client.js";
export type { ClientEvent, State } from "./core/events.js";
export type { Header } from "./core/envelope.js";
export { Package, type Descriptor, type GeneratedPackage } from "./core/package.js";
export { ConfigurationError, DEFAULTS, type Settings } from "./core/settings.js";
export { IndexedDBQueue, MemoryQueue, type QueueStore, type StoredMessage } from "./store/index.js";
export type * from "./types.js";

export const SUBPROTOCOL = "wiretype.v1";

/** The part of a WebSocket the client uses (the browser's, or the `ws` package's). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: any) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: any) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string, protocols: string[], options?: any) => SocketLike;

/** A connection that could not be made or was refused for good (HTTP 401, close 4406, ...). */
export class HandshakeFailed extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    readonly status: number | null = null,
  ) {
    super(`handshake failed: ${code}${reason ? ` ${reason}` : ""}`);
    this.name = "HandshakeFailed";
  }
}

/** What the application learns of each message besides its data. */
export interface MessageMeta {
  readonly type: string;
  readonly id: string;
  /** The version it travelled in (the data is always the latest). */
  readonly wireVersion: number;
  readonly seq: number | null;
  readonly header: Header;
}

export type Handler<D> = (data: D, meta: MessageMeta) => void | Promise<void>;

export interface Presence {
  readonly topic: string;
  readonly event: "joined" | "left";
  readonly session: string;
  readonly client: string;
  readonly user?: string;
  readonly members: number;
}

export interface ConnectOptions<P> extends Partial<Settings> {
  /** The client program, told in the hello. */
  name?: string;
  version?: string;
  /** The registry's name; taken from the generated package's PROTOCOL when left out. */
  registry?: string;
  /** Pin the client to some versions of its package's messages (e.g. `{ "chat.message_sent": [1] }`). */
  speaks?: { [T in MessageName<P>]?: number[] };
  /** More URLs, tried in turn on each attempt (after `url`). */
  urls?: string[];
  /** The WebSocket constructor (default: `globalThis.WebSocket`); in Node 20 the `ws` package. */
  WebSocket?: WebSocketConstructor;
  /** Headers of the upgrade request (Node `ws` only; browsers send cookies instead). */
  headers?: Record<string, string>;
  /** Keep the offline queue across page loads: `new IndexedDBQueue("chat")` (or any QueueStore). */
  queue_store?: QueueStore;
  /** Messages with no handler kept for `receive()` / `for await`, oldest dropped past it. */
  inbox_size?: number;
  /** React to the page's online / offline / visibility events (default: when there is a page). */
  watch_page?: boolean;
  /** The random source of ids, backoff and jitter (tests inject one). */
  random?: () => number;
}

export interface MessageSendOptions {
  /** Wait for the server's ack: the promise resolves then, or rejects with SendFailed. */
  ack?: boolean;
  /** 0 (highest) to 9 (lowest); default 4. */
  prio?: number;
  /** ms after which the message is stale and dropped, never delivered late. */
  ttl?: number;
  /** Never queued: dropped when it cannot go at once. */
  volatile?: boolean;
}

const ADAPTER_OPTIONS = new Set([
  "name", "version", "registry", "speaks", "urls", "WebSocket", "headers", "queue_store", "inbox_size", "watch_page", "random",
]);

/**
 * Why a link did not open when the socket does not say (a browser's never does): the
 * server may be unreachable, or may have refused the upgrade with an HTTP status that a
 * page cannot read, so it is retried like any other failed attempt.
 */
const UNSAID =
  "connect failed: unreachable, or refused before the upgrade (origins, auth, capacity: the browser's console shows the HTTP status)";

const URL_SCHEMES = new Set(["ws:", "wss:", "http:", "https:"]);

/**
 * A URL no attempt could ever open is the application's mistake, told at once rather than
 * retried for ever: it must parse (in a page, relative to it, as a browser's WebSocket
 * resolves it) with the scheme ws or wss (http and https, which WebSockets map to them).
 */
function checkUrl(url: unknown): void {
  const base = (globalThis as { location?: { href?: string } }).location?.href;
  let parsed: URL | null = null;
  if (typeof url === "string") {
    try {
      parsed = new URL(url, base);
    } catch {
      parsed = null;
    }
  }
  if (parsed === null || !URL_SCHEMES.has(parsed.protocol)) {
    const shown = typeof url === "string" ? JSON.stringify(url) : String(url);
    throw new ConfigurationError(
      `${shown} is not a WebSocket URL: give one like "ws://127.0.0.1:8765/" or "wss://chat.example/ws"`,
    );
  }
}

/** Wall-clock milliseconds that never step back (`ts` on the wire is ms since the epoch). */
function nowMs(): number {
  return typeof performance !== "undefined" ? performance.timeOrigin + performance.now() : Date.now();
}

const OPEN = 1;

type Timer = ReturnType<typeof setTimeout>;
type Listener = (...args: any[]) => unknown;

/** The keys of the client's own listeners beside the message names (no name has a space). */
const STATUS = " status";
const WELCOME = " welcome";
const PRESENCE = " presence";
const EVENT = " event";

/** A reconnecting, resuming client of a wiretype server, typed by its generated package. */
export class Client<P extends GeneratedPackage> {
  readonly core: ClientConnection;
  readonly urls: readonly string[];
  /** Counters: `dropped_<reason>`, `dropped_inbox`, `handler_errors`, `problem_<code>`. */
  readonly counters: Record<string, number> = {};
  resumed = false;
  lastStatus: StatusReceived | null = null;
  lastError: ErrorReceived | null = null;
  readonly #Socket: WebSocketConstructor;
  readonly #headers: Record<string, string> | undefined;
  readonly #store: QueueStore | null;
  readonly #inboxSize: number;
  #ws: SocketLike | null = null;
  #opened = false;
  #urlIndex = 0;
  #attemptTimer: Timer | undefined;
  #tickTimer: Timer | undefined;
  #tickAt: number | null = null;
  #openTimer: Timer | undefined;
  #final: Error | null = null;
  readonly #waiters = new Map<string, [resolve: (id: string) => void, reject: (err: Error) => void]>();
  /** Listeners by message name, `*`, or one of the keys above. */
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #inbox: AnyMessage<P>[] = [];
  readonly #takers: Array<(m: AnyMessage<P> | null) => void> = [];
  readonly #started: Promise<void>;
  #unwatch: (() => void) | undefined;
  #closing = false;
  #pumping = false;
  #again = false;
  #loss: [code: number, reason: string] | null = null;

  constructor(url: string | readonly string[], proto: P, options: ConnectOptions<P> = {}) {
    const settings: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(options)) {
      if (isSetting(key)) settings[key] = value;
      else if (!ADAPTER_OPTIONS.has(key)) throw new ConfigurationError(`unknown option: ${key}`);
    }
    this.urls = [...(typeof url === "string" ? [url] : url), ...(options.urls ?? [])];
    if (this.urls.length === 0) throw new ConfigurationError("connect needs a url");
    this.urls.forEach(checkUrl);
    const Socket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (Socket === undefined) {
      throw new ConfigurationError("no WebSocket here: pass { WebSocket } (in Node 20: the ws package)");
    }
    this.#Socket = Socket;
    this.#headers = options.headers;
    this.#inboxSize = options.inbox_size ?? 10_000;
    const app = Package.fromModule(proto, { name: options.registry, speaks: options.speaks as Record<string, number[]> });
    const store = (this.#store = options.queue_store ?? null);
    try {
      this.core = new ClientConnection(app, Package.fromModule(WIRE, { name: "wiretype" }), {
        settings: buildSettings(settings),
        name: options.name ?? "typescript",
        version: options.version ?? "0",
        random: options.random ?? Math.random,
        journal: store && journalOf(store),
      });
    } catch (err) {
      // the core refuses a name, version or registry its hello cannot carry
      throw err instanceof TypeError ? new ConfigurationError(err.message) : err;
    }
    if (options.watch_page ?? typeof window !== "undefined") this.#unwatch = this.#watchPage();
    this.#started = this.#start();
  }

  // --- state -------------------------------------------------------------------------------

  get state(): State {
    return this.core.state;
  }

  get session(): string | null {
    return this.core.session;
  }

  get versions(): Readonly<Record<string, number>> {
    return this.core.versions;
  }

  /** Resolves once the client is open; rejects with HandshakeFailed if it closed for good. */
  ready(): Promise<void> {
    return this.waitState("open").then(() => undefined);
  }

  /** Resolves with the state once it is one of `states`; rejects when closed before it. */
  waitState(...states: State[]): Promise<State> {
    return new Promise((resolve, reject) => {
      const check = (): unknown => {
        const state = this.core.state;
        if (states.includes(state)) return resolve(state), off();
        if (state === "closed") reject(this.#final ?? new HandshakeFailed(1000, "closed")), off();
      };
      const off = this.onStatus(check);
      check();
    });
  }

  // --- application API ---------------------------------------------------------------------

  /** Call `handler` with each `type` message, converted to the latest version; returns an off(). */
  on<T extends Receivable<P>>(type: T, handler: Handler<LatestData<P, T>>): () => void;
  on(type: "*", handler: (message: AnyMessage<P>, meta: MessageMeta) => void | Promise<void>): () => void;
  on(type: string, handler: Handler<any>): () => void {
    if (type !== "*" && !this.core.app.messages.has(type)) {
      throw new TypeError(`${JSON.stringify(type)} is not a message of ${this.core.app.name}`);
    }
    return this.#listen(type, handler);
  }

  /** `callback(state, reason)` at every change: connecting, open, reconnecting, offline, closed. */
  onStatus(callback: (state: State, reason: string) => void): () => void {
    return this.#listen(STATUS, callback);
  }

  /** After each handshake; `resumed: false` after a drop means: resync the application. */
  onWelcome(callback: (welcome: Welcomed) => void): () => void {
    return this.#listen(WELCOME, callback);
  }

  /** Someone joined or left a topic with presence on. */
  onPresence(callback: (presence: Presence) => void): () => void {
    return this.#listen(PRESENCE, callback);
  }

  /** Every event of the core, as it comes (for logs and metrics). */
  onEvent(callback: (event: ClientEvent) => void): () => void {
    return this.#listen(EVENT, callback);
  }

  /**
   * Send (queued while not open). Resolves with the message id: at once, or with
   * `ack: true` once the server acknowledged it; rejects with SendFailed when it was
   * nacked, ran out of retries, expired, overflowed or the client closed. Invalid data,
   * a name that is not a message and a bad `prio` throw at once. Only a `volatile` send
   * without `ack` can resolve with no id (undefined): it was dropped, as it could not go at once.
   */
  send<T extends Sendable<P>>(type: T, data: LatestData<P, T>, options?: MessageSendOptions & ({ volatile?: false } | { ack: true })): Promise<string>;
  send<T extends Sendable<P>>(type: T, data: LatestData<P, T>, options: MessageSendOptions): Promise<string | undefined>;
  send(type: string, data: unknown, options: MessageSendOptions = {}): Promise<string | undefined> {
    const { ack = false, ttl = null, volatile = false } = options;
    let id: string | null;
    try {
      id = this.core.send(type, data, nowMs(), { ack, prio: options.prio, ttl, volatile });
    } catch (err) {
      if (err instanceof SendFailedError) return Promise.reject(err);
      throw err;
    }
    const waiting = ack && id !== null ? this.#waiter(id) : Promise.resolve(id ?? undefined);
    this.#pump();
    return ack && id === null ? Promise.reject(new SendFailedError("", "volatile", "not connected, and the message is volatile")) : waiting;
  }

  /** Receive what is published to `topics`; resolves once the server has them (or at once offline). */
  subscribe(...topics: string[]): Promise<void> {
    return this.#acked(this.core.subscribe(topics, nowMs()));
  }

  unsubscribe(...topics: string[]): Promise<void> {
    return this.#acked(this.core.unsubscribe(topics, nowMs()));
  }

  /** Resolves once the frame `id` is acked (at once when nothing was written: null). */
  #acked(id: string | null): Promise<void> {
    const waiting = id === null ? Promise.resolve() : this.#waiter(id).then(() => undefined);
    this.#pump();
    return waiting;
  }

  /** The next message no handler took (null once closed, or after `timeoutMs`). */
  receive(timeoutMs?: number): Promise<AnyMessage<P> | null> {
    const first = this.#inbox.shift();
    if (first !== undefined || this.core.state === "closed") return Promise.resolve(first ?? null);
    return new Promise((resolve) => {
      let timer: Timer | undefined;
      const take = (m: AnyMessage<P> | null): void => {
        clearTimeout(timer);
        resolve(m);
      };
      this.#takers.push(take);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          const at = this.#takers.indexOf(take);
          if (at >= 0) this.#takers.splice(at, 1);
          resolve(null);
        }, timeoutMs);
      }
    });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<AnyMessage<P>> {
    for (let next; (next = await this.receive()) !== null; ) yield next;
  }

  /** Resolves once every change to the offline queue is stored (at once without a store). */
  async persisted(): Promise<void> {
    await this.#started.catch(() => undefined);
    await this.#store?.flushed();
  }

  /** Dial at once instead of waiting out the backoff. */
  retryNow(): void {
    this.core.retryNow(nowMs());
    this.#scheduleAttempt();
  }

  /** Close with 1000 (the server forgets the session); every timer and listener stops. */
  async close(): Promise<void> {
    await this.#started.catch(() => undefined);
    this.#closing = true;
    this.core.close();
    this.#pump();
    if (this.core.state !== "closed") {
      this.core.connectionLost(1000, "bye", nowMs());
      this.#pump();
    }
    this.#stopTimers();
    this.#unwatch?.();
    this.#unwatch = undefined;
    const store = this.#store;
    if (store !== null) {
      await store.flushed();
      store.close();
    }
  }

  // --- the link ----------------------------------------------------------------------------

  async #start(): Promise<void> {
    const store = this.#store;
    if (store !== null) {
      const rows: Outgoing[] = [];
      for (const row of await store.load()) {
        const item = this.#outgoingOf(row);
        if (item === null) store.remove(row.id);
        else rows.push(item);
      }
      this.core.restore(rows);
    }
    if (!this.#closing) this.#scheduleAttempt();
  }

  /** A stored row back as a queued message at the latest version (null when unreadable). */
  #outgoingOf(row: StoredMessage): Outgoing | null {
    const app = this.core.app;
    const info = app.messages.get(row.type);
    if (info === undefined || !app.has(row.type, row.v)) return null;
    let data: unknown;
    try {
      data = JSON.parse(row.data);
    } catch {
      return null;
    }
    const checked = app.decodeData(row.type, row.v, data);
    const moved = checked.ok ? app.convert(row.type, checked.data, row.v, info.latest) : checked;
    if (!moved.ok) return null;
    return { id: row.id, type: row.type, data: moved.data, ack: row.ack, prio: row.prio, ts: row.ts, ttl: row.ttl, size: row.data.length };
  }

  #scheduleAttempt(): void {
    clearTimeout(this.#attemptTimer);
    this.#attemptTimer = undefined;
    const core = this.core;
    const at = core.nextAttemptAt;
    if (at === null || core.link !== "down" || core.state === "closed") return;
    const offline = pageOffline();
    if (offline && core.state === "offline") return; // the page's online event dials
    this.#attemptTimer = setTimeout(() => this.#attempt(), offline ? 0 : Math.max(0, at - nowMs()));
  }

  #attempt(): void {
    this.#attemptTimer = undefined;
    const core = this.core;
    if (core.state === "closed" || core.link !== "down") return;
    if (pageOffline()) {
      if (core.state !== "offline") core.connectFailed(nowMs(), { reason: "the browser is offline" });
      this.#pump();
      return;
    }
    const url = this.urls[this.#urlIndex % this.urls.length]!;
    core.connect(nowMs());
    this.#pump();
    let ws: SocketLike;
    try {
      ws = this.#headers ? new this.#Socket(url, [SUBPROTOCOL], { headers: this.#headers }) : new this.#Socket(url, [SUBPROTOCOL]);
    } catch (err) {
      this.#failed(`cannot open ${url}: ${(err as Error).message}`, null);
      return;
    }
    this.#ws = ws;
    this.#opened = false;
    let problem = "";
    const mine = (): boolean => this.#ws === ws;
    this.#openTimer = setTimeout(() => {
      if (!mine() || this.#opened) return;
      this.#detach(ws, 1000);
      this.#failed("timeout", null);
    }, core.settings.handshake_timeout_ms);
    ws.onopen = () => {
      if (!mine()) return;
      this.#opened = true;
      this.#clearOpenTimer();
      this.#pump();
    };
    ws.onmessage = (event) => {
      if (!mine() || typeof event.data !== "string") return;
      core.receiveText(event.data, nowMs());
      this.#pump();
    };
    ws.onerror = (event) => {
      problem = String((event as { message?: unknown })?.message ?? "");
    };
    ws.onclose = (event) => {
      if (!mine()) return;
      this.#ws = null;
      this.#clearOpenTimer();
      if (this.#opened) return this.#lost(event.code || 1006, event.reason ?? "");
      const status = /(\d{3})/.exec(/server response/i.test(problem) ? problem : "")?.[1];
      this.#failed(status ? `HTTP ${status}` : problem || UNSAID, status ? Number(status) : null);
    };
  }

  #failed(reason: string, status: number | null): void {
    this.#ws = null;
    this.#urlIndex += 1;
    const final = status !== null && [400, 401, 403, 404].includes(status);
    if (final) this.#final = new HandshakeFailed(status === 401 ? 4401 : 1008, reason, status);
    this.core.connectFailed(nowMs(), { final, reason });
    this.#pump();
  }

  #lost(code: number, reason: string): void {
    if (this.core.state !== "closed" && code !== 1000 && FINAL_CODES.has(code)) {
      this.#final = new HandshakeFailed(code, this.lastError?.message ?? reason);
    }
    this.core.connectionLost(code, reason, nowMs());
    this.#pump();
  }

  /** The core asked for the link to go: close the socket and let the core know at once. */
  #closeLink(code: number, reason: string): void {
    const ws = this.#ws;
    if (ws === null) return;
    this.#ws = null;
    this.#clearOpenTimer();
    this.#detach(ws, code, reason);
    this.#loss = [code, reason];
    this.#pump();
  }

  #detach(ws: SocketLike, code: number, reason = ""): void {
    ws.onopen = ws.onmessage = ws.onclose = null;
    ws.onerror = () => undefined;
    if (ws.readyState > OPEN) return;
    const terminate = (ws as { terminate?: () => void }).terminate;
    if (code === 4410 && typeof terminate === "function") return terminate.call(ws);
    try {
      ws.close(code, reason);
    } catch {
      ws.close(4000 + (code % 1000), reason); // a browser allows only 1000 and 3000-4999
    }
  }

  #clearOpenTimer(): void {
    clearTimeout(this.#openTimer);
    this.#openTimer = undefined;
  }

  #stopTimers(): void {
    [this.#attemptTimer, this.#tickTimer, this.#openTimer].forEach(clearTimeout);
    this.#attemptTimer = this.#tickTimer = this.#openTimer = undefined;
    this.#tickAt = null;
  }

  // --- pumping -----------------------------------------------------------------------------

  /**
   * Write the core's frames and act on its events, until there are none. A handler that
   * sends, or a link the core wants closed, is picked up by the same loop (never re-entered).
   */
  #pump(): void {
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        const ws = this.#ws; // frames wait for an open socket (the hello too)
        if (ws !== null && ws.readyState === OPEN) for (const frame of this.core.dataToSend()) ws.send(frame);
        const events = this.core.eventsReceived();
        for (const event of events) this.#event(event);
        const loss = this.#loss;
        this.#loss = null;
        if (loss !== null) this.#lost(...loss);
        if (events.length > 0 || loss !== null) this.#again = true;
      } while (this.#again);
    } finally {
      this.#pumping = false;
    }
    this.#scheduleTick();
    this.#scheduleAttempt();
  }

  #scheduleTick(): void {
    const deadline = this.core.nextDeadline();
    if (deadline === null || this.core.state === "closed" || (this.#tickAt !== null && this.#tickAt <= deadline)) return;
    clearTimeout(this.#tickTimer);
    this.#tickAt = deadline;
    this.#tickTimer = setTimeout(() => {
      this.#tickTimer = undefined;
      this.#tickAt = null;
      this.core.tick(nowMs());
      this.#pump();
    }, Math.max(0, deadline - nowMs()) + 1);
  }

  #event(event: ClientEvent): void {
    this.#emit(EVENT, event);
    switch (event.kind) {
      case "message":
        return this.#deliver(event.header, event.data, event.wireVersion);
      case "ack":
        return this.#settle(event.id, null);
      case "send_failed":
        return this.#settle(event.id, new SendFailedError(event.id, event.code, event.reason, event.errors, event.retryAfterMs));
      case "state":
        return this.#stateChanged(event.state, event.reason);
      case "welcomed":
        this.resumed = event.resumed;
        return this.#emit(WELCOME, event);
      case "close":
        return this.#closeLink(event.code, event.reason);
      case "dropped":
        return this.#count(`dropped_${event.reason}`, event.count);
      case "error":
        this.lastError = event;
        return;
      case "status":
        this.lastStatus = event;
        return;
      case "problem":
        return this.#count(`problem_${event.code}`);
    }
  }

  #deliver(header: Header, data: unknown, wireVersion: number): void {
    const type = header.type;
    const meta: MessageMeta = { type, id: header.id, wireVersion, seq: header.seq, header };
    if (type === "wiretype.presence") this.#emit(PRESENCE, data);
    else {
      const message = { type, data } as AnyMessage<P>;
      if (!this.#listeners.get(type)?.size && !this.#listeners.get("*")?.size) this.#toInbox(message);
      this.#emit(type, data, meta);
      this.#emit("*", message, meta);
    }
    this.core.ack(header);
  }

  #toInbox(message: AnyMessage<P>): void {
    const taker = this.#takers.shift();
    if (taker !== undefined) return taker(message);
    if (this.#inbox.length >= this.#inboxSize) {
      this.#inbox.shift();
      this.#count("dropped_inbox");
    }
    this.#inbox.push(message);
  }

  #stateChanged(state: State, reason: string): void {
    if (state === "open") this.lastError = null;
    if (state === "closed") {
      this.#stopTimers();
      for (const taker of this.#takers.splice(0)) taker(null);
    }
    this.#emit(STATUS, state, reason);
  }

  #waiter(id: string): Promise<string> {
    return new Promise((resolve, reject) => this.#waiters.set(id, [resolve, reject]));
  }

  #settle(id: string, error: Error | null): void {
    const waiter = this.#waiters.get(id);
    if (waiter === undefined) return;
    this.#waiters.delete(id);
    if (error === null) waiter[0](id);
    else waiter[1](error);
  }

  #count(name: string, by = 1): void {
    this.counters[name] = (this.counters[name] ?? 0) + by;
  }

  /** Add `callback` to the listeners of `key`; returns the off() that takes it out again. */
  #listen(key: string, callback: Listener): () => void {
    let set = this.#listeners.get(key);
    if (set === undefined) this.#listeners.set(key, (set = new Set()));
    set.add(callback);
    return () => void set.delete(callback);
  }

  /**
   * Call every listener of `key` (those there when it starts). One that throws (or
   * rejects) is counted and logged; it never breaks the client.
   */
  #emit(key: string, ...args: unknown[]): void {
    for (const listener of [...(this.#listeners.get(key) ?? [])]) {
      try {
        const result = listener(...args);
        if (result instanceof Promise) result.catch((err) => this.#handlerFailed(err));
      } catch (err) {
        this.#handlerFailed(err);
      }
    }
  }

  #handlerFailed(err: unknown): void {
    this.#count("handler_errors");
    console.error("wiretype: a handler failed", err);
  }

  // --- the page ----------------------------------------------------------------------------

  #watchPage(): () => void {
    type Target = { addEventListener?: (n: string, f: () => void) => void; removeEventListener?: (n: string, f: () => void) => void };
    const page = globalThis as Target & { document?: Target & { visibilityState?: string } };
    const visible = (): void => {
      if (page.document?.visibilityState !== "visible") return;
      this.core.tick(nowMs()); // timers of a hidden tab are throttled: look at the deadlines now
      this.#pump();
      if (this.core.link === "down") this.retryNow();
    };
    const watched: [Target | undefined, string, () => void][] = [
      [page, "online", () => this.retryNow()],
      [page, "offline", () => this.core.link !== "down" && this.#closeLink(4000, "the browser went offline")],
      [page.document, "visibilitychange", visible],
    ];
    for (const [target, name, fn] of watched) target?.addEventListener?.(name, fn);
    return () => {
      for (const [target, name, fn] of watched) target?.removeEventListener?.(name, fn);
    };
  }
}

function pageOffline(): boolean {
  const nav = (globalThis as { navigator?: { onLine?: boolean } }).navigator;
  return typeof window !== "undefined" && nav?.onLine === false;
}

let stamps = 0;

function journalOf(store: QueueStore): Journal {
  return {
    put(item: Outgoing, dataJson: string, version: number): void {
      stamps = (stamps + 1) % 1000;
      store.put({
        id: item.id, type: item.type, v: version, data: dataJson, ack: item.ack, prio: item.prio, ts: item.ts, ttl: item.ttl,
        stamp: Date.now() * 1000 + stamps,
      });
    },
    remove: (id) => store.remove(id),
  };
}

/**
 * `connect(url, proto, options)`: a client of the wiretype server at `url`, typed by the
 * generated package `proto`. It dials at once and keeps reconnecting until `close()`.
 */
export function connect<P extends GeneratedPackage>(
  url: string | readonly string[],
  proto: P,
  options: ConnectOptions<P> = {},
): Client<P> {
  return new Client(url, proto, options);
}
