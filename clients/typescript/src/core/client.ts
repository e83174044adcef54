/**
 * `ClientConnection`: the client's state machine across reconnects, without I/O.
 *
 * The TypeScript twin of `wiretype/protocol/client.py`, step for step: the adapter opens a
 * link when `nextAttemptAt` comes (`connect`), pumps frames in (`receiveText`) and out
 * (`dataToSend`), calls `tick` by `nextDeadline`, and reports the link's end
 * (`connectionLost`) or a failed attempt (`connectFailed`). Time is `now` in milliseconds,
 * passed in; randomness is injected. States, told as `state` events:
 *
 * - `connecting`: the first link is being opened;
 * - `open`: welcome received, messages flow;
 * - `reconnecting`: the link dropped (or a later attempt is under way); sends are queued;
 * - `offline`: an attempt failed, waiting for the next one (backoff); sends are queued;
 * - `closed`: closed by the application or by a final close code; nothing more happens.
 */
import { fullJitter, type RandomSource } from "./backoff.js";
import { DedupeWindow, Outbox } from "./delivery.js";
import { DEFAULT_PRIO, expiresAt, FrameProblem, frameText, headerOf, load, quote, utf8Size, type Header } from "./envelope.js";
import type { ClientEvent, ErrorDetail, State } from "./events.js";
import { sentByClient, type Package } from "./package.js";
import { PriorityQueue, type Item } from "./queues.js";
import { buildSettings, type Settings } from "./settings.js";

export const PROTOCOL_PREFIX = "wiretype.";
/** Codes after which the client dials again; any code not final is treated the same way. */
export const RECONNECT_CODES: ReadonlySet<number> = new Set([1001, 1006, 1011, 1012, 1013, 1014, 4410, 4429, 4499]);
/** Final until the application acts. 4409: a newer connection took this session over. */
export const FINAL_CODES: ReadonlySet<number> = new Set([1000, 1008, 4400, 4401, 4403, 4406, 4409]);

/** A message the application sent, waiting in the offline queue (data at its latest version). */
export interface Outgoing {
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly ack: boolean;
  readonly prio: number;
  readonly ts: number | null;
  readonly ttl: number | null;
  size: number;
}

const outgoingExpiry = (o: Outgoing): number | null => expiresAt(o);

/** Where the offline queue is kept across page loads (see `store/`). */
export interface Journal {
  put(item: Outgoing, dataJson: string, version: number): void;
  remove(id: string): void;
}

/** A send that will not be delivered; `code` as in `wiretype.nack`, or closed / timeout. */
export class SendFailedError extends Error {
  constructor(
    readonly id: string,
    readonly code: string,
    readonly reason: string = "",
    readonly errors: readonly ErrorDetail[] = [],
    readonly retryAfterMs: number | null = null,
  ) {
    super(`send ${id || "(none)"} failed: ${code}${reason ? ` (${reason})` : ""}`);
    this.name = "SendFailed";
  }
}

export interface SendOptions {
  ack?: boolean;
  prio?: number;
  ttl?: number | null;
  volatile?: boolean;
  id?: string;
}

export interface ClientOptions {
  settings?: Settings;
  name?: string;
  version?: string;
  random?: RandomSource;
  journal?: Journal | null;
}

type Link = "down" | "handshake" | "open" | "closing";

export class ClientConnection {
  readonly app: Package;
  readonly protocol: Package;
  readonly settings: Settings;
  readonly name: string;
  readonly version: string;
  journal: Journal | null;
  state: State = "idle";
  link: Link = "down";
  attempt = 0;
  nextAttemptAt: number | null = 0;
  openedAt: number | null = null;
  session: string | null = null;
  epoch = 0;
  lastSeq = 0;
  versions: Record<string, number> = {};
  limits: Record<string, number> = {};
  heartbeatMs: number;
  lastHeard = 0;
  readonly topics = new Set<string>();
  readonly queue: PriorityQueue<Outgoing>;
  readonly outbox: Outbox;
  readonly #random: RandomSource;
  /** What every id this client makes starts with (`<prefix>-<n>`). */
  readonly idPrefix: string;
  #ids = 0;
  #out: string[] = [];
  #events: ClientEvent[] = [];
  #gapAt: number | null = null;
  /** The link is being closed to resume after a gap: dial at once. */
  #resync = false;
  /** Ids of delivered messages, so a message sent again is not delivered twice. */
  readonly #seen: DedupeWindow;
  /** Topics (un)subscribed while the link was down, told after a resume. */
  readonly #laterSubscribe = new Set<string>();
  readonly #laterUnsubscribe = new Set<string>();

  constructor(app: Package, protocol: Package, options: ClientOptions = {}) {
    this.app = app;
    this.protocol = protocol;
    this.settings = options.settings ?? buildSettings();
    this.name = options.name ?? "typescript";
    this.version = options.version ?? "0";
    this.#random = options.random ?? Math.random;
    this.journal = options.journal ?? null;
    this.idPrefix = `c${Math.floor(this.#random() * 2 ** 40).toString(16).padStart(10, "0")}`;
    this.heartbeatMs = this.settings.heartbeat_ms;
    this.queue = new PriorityQueue(this.settings.queue_size, this.settings.queue_bytes);
    this.outbox = new Outbox(this.settings.ack_timeout_ms, this.settings.retries, this.#random);
    this.#seen = new DedupeWindow(this.settings.dedupe_size, this.settings.dedupe_ms);
    // a name, version or registry name the hello cannot carry is told now (a TypeError),
    // not by the first dial
    this.#checked("wiretype.hello", this.#hello());
  }

  // --- output ------------------------------------------------------------------------------

  dataToSend(): string[] {
    const out = this.#out;
    this.#out = [];
    return out;
  }

  eventsReceived(): ClientEvent[] {
    const events = this.#events;
    this.#events = [];
    return events;
  }

  nextDeadline(): number | null {
    const live = this.link === "handshake" || this.link === "open";
    const times = [live ? this.lastHeard + this.heartbeatMs + this.settings.heartbeat_grace_ms : null, this.outbox.nextDeadline(), this.queue.nextExpiry()];
    const set = times.filter((t): t is number => t !== null);
    return set.length > 0 ? Math.min(...set) : null;
  }

  // --- the link ----------------------------------------------------------------------------

  /** A link is being opened now (the adapter dials); the hello goes first. */
  connect(now: number): void {
    if (this.state === "closed") return;
    this.#setState(this.state === "idle" ? "connecting" : "reconnecting");
    this.link = "handshake";
    this.lastHeard = now;
    this.nextAttemptAt = null;
    this.#out = []; // nothing of an earlier link goes before the hello
    this.#out.push(this.#control("wiretype.hello", this.#hello(), {}));
  }

  /** The data of the hello: who this is, what it speaks, and the session to resume. */
  #hello(): Record<string, unknown> {
    const hello: Record<string, unknown> = {
      client: { name: this.name, version: this.version },
      registry: this.app.name,
      speaks: this.#speaks(),
    };
    if (this.session !== null) {
      hello.resume = { session: this.session, last_seq: this.lastSeq, epoch: this.epoch };
    }
    return hello;
  }

  /** The attempt failed before a link existed (refused, HTTP error, timeout). */
  connectFailed(now: number, options: { final?: boolean; reason?: string } = {}): void {
    this.link = "down";
    if (options.final) {
      this.#finish(options.reason ?? "");
      return;
    }
    this.#setState("offline", options.reason ?? "");
    this.#schedule(now);
  }

  /** The link ended with close `code`; reconnect unless the code is final. */
  connectionLost(code: number, reason: string, now: number): void {
    const wasOpen = this.link === "open";
    this.link = "down";
    this.outbox.pause();
    if (this.state === "closed") return;
    const told = `${code} ${reason}`.trim();
    if (FINAL_CODES.has(code)) {
      this.#finish(told);
      return;
    }
    if (wasOpen && this.openedAt !== null && now - this.openedAt >= this.settings.stable_ms) this.attempt = 0;
    this.#setState("reconnecting", told);
    this.#schedule(now, this.#resync);
    this.#resync = false;
  }

  /** The application is done: close with 1000 (the server forgets the session). */
  close(): void {
    if (this.state === "closed") return;
    if (this.link === "down") {
      this.#finish("closed by the application");
      return;
    }
    this.state = "closing";
    this.#events.push({ kind: "close", code: 1000, reason: "bye" });
  }

  #finish(reason: string): void {
    this.#setState("closed", reason);
    this.nextAttemptAt = null;
    for (const pending of this.outbox.values()) {
      this.outbox.settle(pending.id);
      this.#fail(pending.id, "closed", reason);
    }
    const [live] = this.queue.drain(Infinity);
    for (const item of live) if (item.payload.ack) this.#fail(item.payload.id, "closed", reason);
  }

  #schedule(now: number, atOnce = false): void {
    const s = this.settings;
    const delay = atOnce ? 0 : fullJitter(this.attempt, s.backoff_min_ms, s.backoff_max_ms, this.#random);
    this.attempt += 1;
    this.nextAttemptAt = now + delay;
  }

  /** Skip the wait (the network came back). */
  retryNow(now: number): void {
    if (this.link === "down" && this.state !== "closed" && this.state !== "idle") this.nextAttemptAt = now;
  }

  #setState(state: State, reason = ""): void {
    if (state !== this.state) {
      this.state = state;
      this.#events.push({ kind: "state", state, reason });
    }
  }

  // --- input -------------------------------------------------------------------------------

  receiveText(text: string, now: number): void {
    // once the link is being closed to resume (a gap, a dead link), nothing
    // more is taken from it; the resume starts from the last seq taken
    if (this.link === "down" || this.link === "closing") return;
    this.lastHeard = now;
    const read = this.#read(text);
    if (read === null) return;
    const [header, data] = read;
    if (this.link === "handshake") {
      this.#handshake(header, data, now);
      return;
    }
    if (header.seq !== null && !this.#inSequence(header.seq, header.epoch)) return;
    if (header.type.startsWith(PROTOCOL_PREFIX)) this.#controlIn(header, data as Record<string, any>, now);
    else this.#messageIn(header, data, now);
  }

  /** The header and the validated data of a frame, or null (a problem was told). */
  #read(text: string): [Header, unknown] | null {
    const loaded = load(text);
    if (loaded instanceof FrameProblem) {
      this.#problem(loaded.code, loaded.message);
      return null;
    }
    const header = headerOf(loaded);
    if (header instanceof FrameProblem) {
      this.#problem(header.code, header.message, header.id);
      return null;
    }
    const pkg = this.#packageOf(header.type);
    if (!pkg.messages.has(header.type) || !pkg.has(header.type, header.v)) {
      this.#problem("unsupported_version", `${header.type} v${header.v}`, header.id);
      return null;
    }
    const decoded = pkg.decodeReceived(header.type, header.v, (loaded as Record<string, unknown>).data, text);
    if (!decoded.ok) {
      this.#problem("invalid", `invalid ${header.type}`, header.id, decoded.errors);
      return null;
    }
    return [header, decoded.data];
  }

  #problem(code: string, message: string, id: string | null = null, errors: readonly ErrorDetail[] = []): void {
    this.#events.push({ kind: "problem", code, message, id, errors });
  }

  #inSequence(seq: number, epoch: number | null): boolean {
    if (epoch !== null && epoch !== this.epoch) this.epoch = epoch;
    if (seq <= this.lastSeq) return false; // already seen (replay overlap)
    if (seq > this.lastSeq + 1 && this.#gapAt !== this.lastSeq) {
      this.#gapAt = this.lastSeq;
      this.#problem("gap", `seq ${seq} after ${this.lastSeq}`);
      this.#events.push({ kind: "close", code: 1001, reason: "resync" });
      this.#resync = true;
      this.link = "closing";
      return false;
    }
    this.lastSeq = seq;
    return true;
  }

  #handshake(header: Header, data: unknown, now: number): void {
    const d = data as Record<string, any>;
    if (header.type === "wiretype.error") {
      this.#events.push({ kind: "error", code: d.code, message: d.message, re: null });
      return;
    }
    if (header.type !== "wiretype.welcome") return;
    if (header.epoch !== null) this.epoch = header.epoch;
    this.#welcomed(d, now);
  }

  #welcomed(welcome: Record<string, any>, now: number): void {
    const resumed = welcome.resumed === true && welcome.session === this.session;
    if (!resumed) {
      this.lastSeq = 0;
      this.#gapAt = null;
      this.#seen.clear();
    }
    this.session = welcome.session;
    this.versions = this.#spokenOf(welcome.versions);
    this.limits = { ...welcome.limits };
    this.heartbeatMs = welcome.heartbeat_ms;
    this.link = "open";
    this.openedAt = now;
    this.#setState("open");
    this.#events.push({
      kind: "welcomed", session: welcome.session, resumed, versions: { ...this.versions }, heartbeatMs: welcome.heartbeat_ms,
    });
    for (const pending of this.outbox.resume(now)) this.#out.push(pending.frame);
    if (!resumed && this.topics.size > 0) this.#subscribeFrame([...this.topics].sort(), now);
    if (resumed) this.#tellTopicsChanged(now);
    this.#laterSubscribe.clear();
    this.#laterUnsubscribe.clear();
    this.#flush(now);
  }

  /** A resumed session keeps its subscriptions, so only the changes go. */
  #tellTopicsChanged(now: number): void {
    const added = [...this.#laterSubscribe].filter((t) => this.topics.has(t)).sort();
    const gone = [...this.#laterUnsubscribe].filter((t) => !this.topics.has(t)).sort();
    if (added.length > 0) this.#subscribeFrame(added, now);
    if (gone.length > 0) this.#sendInternal("wiretype.unsubscribe", { topics: gone }, now);
  }

  #controlIn(header: Header, d: Record<string, any>, now: number): void {
    switch (header.type) {
      case "wiretype.ack":
        this.#acked(d.re, now);
        break;
      case "wiretype.ping":
        this.#out.push(this.#control("wiretype.pong", { nonce: d.nonce }));
        break;
      case "wiretype.nack":
        this.#nacked(d, now);
        break;
      case "wiretype.status":
        this.#events.push({
          kind: "status", state: d.state, reason: d.reason, retryInMs: intOrNull(d.retry_in_ms), detail: strOrNull(d.detail),
        });
        break;
      case "wiretype.error":
        this.#events.push({ kind: "error", code: d.code, message: d.message, re: strOrNull(d.re) });
        break;
      case "wiretype.presence":
        this.#events.push({ kind: "message", header, data: d, wireVersion: header.v });
        break;
    }
  }

  #messageIn(header: Header, data: unknown, now: number): void {
    if (header.ttl !== null) {
      const expires = expiresAt(header);
      if (expires !== null && expires <= now) {
        this.#events.push({ kind: "dropped", reason: "expired", count: 1 });
        return;
      }
    }
    const info = this.app.messages.get(header.type);
    if (info !== undefined && header.v !== info.latest) {
      const moved = this.app.convert(header.type, data, header.v, info.latest);
      if (!moved.ok) {
        this.#problem("invalid", "cannot convert", header.id);
        return;
      }
      data = moved.data;
    }
    const answered = this.#seen.get(header.id, now);
    if (answered !== null) {
      this.ack(header); // a message sent again: the same answer, not a second delivery
      return;
    }
    this.#seen.remember(header.id, "", now);
    this.#events.push({ kind: "message", header, data, wireVersion: header.v });
  }

  /** The application took a message that asked for an ack. */
  ack(header: Header): void {
    if (header.ack && this.link === "open") {
      const quoted = quote(header.id);
      this.#out.push(`{"type":"wiretype.ack","v":1,"id":"${this.newId()}","data":{"re":${quoted}},"re":${quoted}}`);
    }
  }

  #acked(id: string, now: number): void {
    const pending = this.outbox.settle(id);
    if (pending !== null) {
      this.#forget(id);
      this.#events.push({ kind: "ack", id, rttMs: now - pending.sentAt });
      this.#flush(now);
    }
  }

  #nacked(nack: Record<string, any>, now: number): void {
    const pending = this.outbox.settle(nack.re);
    if (pending === null) return;
    const retry = intOrNull(nack.retry_after_ms);
    if (retry !== null && pending.attempts < this.outbox.retries) {
      const again = this.outbox.add(pending.id, pending.frame, pending.prio, now, pending.expiresAt);
      again.attempts = pending.attempts;
      again.deadline = now + retry;
      return;
    }
    const errors: ErrorDetail[] = Array.isArray(nack.errors) ? nack.errors.map((e: ErrorDetail) => ({ ...e })) : [];
    this.#forget(pending.id);
    this.#events.push({ kind: "send_failed", id: pending.id, code: nack.code, reason: nack.reason, errors, retryAfterMs: retry });
    this.#flush(now);
  }

  // --- application -> server ---------------------------------------------------------------

  /**
   * Send now when open (and under the in-flight limit), else queue; the id, or null when a
   * volatile message was dropped because it could not go now. `data` is the message at the
   * package's latest version; it is validated here (the package's DecodeError is thrown).
   */
  send(type: string, data: unknown, now: number, options: SendOptions = {}): string | null {
    const info = this.app.messages.get(type);
    if (info === undefined || type.startsWith(PROTOCOL_PREFIX)) {
      throw new TypeError(`${JSON.stringify(type)} is not a message of ${this.app.name}`);
    }
    if (!sentByClient(info)) throw new TypeError(`${type} is sent by the server only`);
    const checked = this.app.module.decode({ type, v: info.latest, id: "-", data }) as { data: unknown };
    return this.#sendChecked(type, checked.data, now, options);
  }

  #sendChecked(type: string, data: unknown, now: number, options: SendOptions): string | null {
    const { ack = false, prio = DEFAULT_PRIO, ttl = null, volatile = false } = options;
    if (!Number.isInteger(prio) || prio < 0 || prio > 9) throw new RangeError("prio is 0 (highest) to 9 (lowest)");
    if (ttl !== null && (!Number.isInteger(ttl) || ttl < 0)) throw new RangeError("ttl is a whole number of ms >= 0");
    if (this.state === "closed") throw new SendFailedError(options.id ?? "", "closed", "the client is closed");
    if (this.link === "open" && !(type in this.versions)) {
      throw new SendFailedError(options.id ?? "", "unsupported_version", `the server does not speak ${type}`);
    }
    const id = options.id ?? this.newId();
    const ts = ttl !== null ? Math.trunc(now) : null;
    const outgoing: Outgoing = { id, type, data, ack, prio, ts, ttl, size: 0 };
    if (this.link === "open" && (!ack || this.outbox.size < this.#maxInFlight()) && this.queue.length === 0) {
      this.#write(outgoing, now);
      return id;
    }
    if (volatile) {
      this.#events.push({ kind: "dropped", reason: "volatile", count: 1 });
      return null;
    }
    this.#enqueue(outgoing);
    return id;
  }

  #sendInternal(type: string, data: unknown, now: number): string | null {
    return this.#sendChecked(type, this.#checked(type, data), now, { ack: true, prio: 0 });
  }

  subscribe(topics: Iterable<string>, now: number): string | null {
    const fresh = [...new Set(topics)].sort();
    for (const topic of fresh) this.topics.add(topic);
    if (this.link === "open" && fresh.length > 0) return this.#subscribeFrame(fresh, now);
    for (const topic of fresh) {
      this.#laterUnsubscribe.delete(topic);
      this.#laterSubscribe.add(topic);
    }
    return null;
  }

  unsubscribe(topics: Iterable<string>, now: number): string | null {
    const gone = [...new Set(topics)].filter((t) => this.topics.has(t)).sort();
    for (const topic of gone) this.topics.delete(topic);
    if (this.link === "open" && gone.length > 0) return this.#sendInternal("wiretype.unsubscribe", { topics: gone }, now);
    for (const topic of gone) {
      this.#laterSubscribe.delete(topic);
      this.#laterUnsubscribe.add(topic);
    }
    return null;
  }

  #subscribeFrame(topics: string[], now: number): string | null {
    return this.#sendInternal("wiretype.subscribe", { topics: topics.slice(0, 100) }, now);
  }

  #maxInFlight(): number {
    return this.limits.max_in_flight ?? this.settings.max_in_flight;
  }

  #enqueue(outgoing: Outgoing): void {
    const dataJson = JSON.stringify(outgoing.data);
    outgoing.size = utf8Size(dataJson);
    if (this.journal !== null && this.app.messages.has(outgoing.type) && !outgoing.type.startsWith(PROTOCOL_PREFIX)) {
      this.journal.put(outgoing, dataJson, this.app.messages.get(outgoing.type)!.latest);
    }
    this.#push(this.#itemOf(outgoing));
  }

  /** Queue one item; what the queue drops to make room is lost as `overflow`. */
  #push(item: Item<Outgoing>): void {
    for (const gone of this.queue.push(item)) this.#lost(gone.payload, "overflow");
  }

  #itemOf(outgoing: Outgoing): Item<Outgoing> {
    return { payload: outgoing, prio: outgoing.prio, size: outgoing.size, expiresAt: outgoingExpiry(outgoing) };
  }

  #fail(id: string, code: string, reason: string): void {
    this.#forget(id);
    this.#failed(id, code, reason);
  }

  #failed(id: string, code: string, reason: string): void {
    this.#events.push({ kind: "send_failed", id, code, reason, errors: [], retryAfterMs: null });
  }

  #lost(outgoing: Outgoing, reason: string, code: string = reason): void {
    this.#forget(outgoing.id);
    this.#events.push({ kind: "dropped", reason, count: 1 });
    if (outgoing.ack) this.#failed(outgoing.id, code, `dropped (${reason})`);
  }

  /** Write what the queue holds, priority then age, while the link is open. */
  #flush(now: number): void {
    while (this.link === "open" && this.queue.length > 0) {
      if (this.outbox.size >= this.#maxInFlight()) return;
      const [item, expired] = this.queue.pop(now);
      for (const gone of expired) this.#lost(gone.payload, "expired");
      if (item === null) return;
      this.#write(item.payload, now);
    }
  }

  #write(outgoing: Outgoing, now: number): void {
    const pkg = this.#packageOf(outgoing.type);
    const version = this.versions[outgoing.type];
    if (version === undefined) {
      // queued while offline, and the server does not speak it
      this.#lost(outgoing, "unsupported", "unsupported_version");
      return;
    }
    const moved = pkg.convert(outgoing.type, outgoing.data, pkg.messages.get(outgoing.type)!.latest, version);
    if (!moved.ok) {
      this.#lost(outgoing, "invalid", "invalid");
      return;
    }
    const frame = frameText(outgoing.type, version, outgoing.id, JSON.stringify(moved.data), outgoing);
    const limit = this.limits.max_frame_bytes;
    if (limit !== undefined && utf8Size(frame) > limit) {
      // the server would close 1009, and the resend would do it again
      this.#lost(outgoing, "too_large", "too_large");
      return;
    }
    this.#out.push(frame);
    if (outgoing.ack) this.outbox.add(outgoing.id, frame, outgoing.prio, now, outgoingExpiry(outgoing));
    else this.#forget(outgoing.id);
  }

  #forget(id: string): void {
    this.journal?.remove(id);
  }

  /** Put back what a journal kept across a reload, ahead of anything queued since. */
  restore(items: Iterable<Outgoing>): void {
    const since = this.queue.clear();
    for (const outgoing of items) this.#push(this.#itemOf(outgoing));
    for (const waiting of since) this.#push(waiting);
  }

  // --- time --------------------------------------------------------------------------------

  tick(now: number): void {
    if (
      (this.link === "handshake" || this.link === "open") &&
      now - this.lastHeard >= this.heartbeatMs + this.settings.heartbeat_grace_ms
    ) {
      this.#events.push({ kind: "close", code: 4410, reason: "heard nothing from the server" });
      this.link = "closing";
    }
    const [resend, failed, expired] = this.outbox.due(now);
    for (const pending of resend) if (this.link === "open") this.#out.push(pending.frame);
    for (const pending of failed) this.#fail(pending.id, "timeout", "no ack after the retries");
    for (const pending of expired) this.#fail(pending.id, "expired", "expired before its ack");
    for (const item of this.queue.expire(now)) this.#lost(item.payload, "expired");
    if (failed.length > 0 || expired.length > 0) this.#flush(now);
  }

  // --- helpers -----------------------------------------------------------------------------

  newId(): string {
    this.#ids += 1;
    return `${this.idPrefix}-${this.#ids}`;
  }

  #packageOf(type: string): Package {
    return type.startsWith(PROTOCOL_PREFIX) ? this.protocol : this.app;
  }

  /** The welcome's versions this client can read and write; one it never offered (a broken
   * server) is told as a problem and left out, so sending it fails as a message the server does
   * not speak instead of failing to convert. */
  #spokenOf(chosen: Record<string, number>): Record<string, number> {
    const speaks = this.#speaks();
    const usable: Record<string, number> = {};
    const strange: string[] = [];
    for (const [name, v] of Object.entries(chosen)) {
      if (speaks[name]?.includes(v)) usable[name] = v;
      else strange.push(`${name} v${v}`);
    }
    if (strange.length > 0) {
      this.#problem("unsupported_version", `the welcome names versions this client does not speak: ${strange.sort().join(", ")}`);
    }
    return usable;
  }

  #speaks(): Record<string, number[]> {
    const speaks = this.protocol.speaks();
    for (const [name, info] of this.app.messages) if (!name.startsWith(PROTOCOL_PREFIX)) speaks[name] = [...info.versions];
    return speaks;
  }

  /** A runtime message built at its latest version, written in the negotiated one. */
  #control(name: string, data: Record<string, unknown>, versions?: Record<string, number>): string {
    const latest = this.protocol.messages.get(name)!.latest;
    const version = (versions ?? this.versions)[name] ?? latest;
    const moved = this.protocol.convert(name, this.#checked(name, data), latest, version);
    if (!moved.ok) throw new TypeError(`${name}: cannot write v${version}`);
    return frameText(name, version, this.newId(), JSON.stringify(moved.data));
  }

  /** The data the client built for a runtime message, checked; a TypeError when it is refused. */
  #checked(name: string, data: unknown): unknown {
    const checked = this.protocol.decodeData(name, this.protocol.messages.get(name)!.latest, data);
    if (!checked.ok) throw new TypeError(`${name}: ${checked.errors.map((e) => `${e.path} ${e.message}`).join("; ")}`);
    return checked.data;
  }
}

function intOrNull(x: unknown): number | null {
  return typeof x === "number" && Number.isInteger(x) ? x : null;
}

function strOrNull(x: unknown): string | null {
  return typeof x === "string" ? x : null;
}
