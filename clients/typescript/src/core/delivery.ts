/**
 * Acknowledgements: the sender's `Outbox` and the receiver's `DedupeWindow`.
 *
 * The outbox remembers every message sent with `ack: true` until its ack or nack arrives,
 * resends it (same id) when `ack_timeout_ms` passes, with full-jitter backoff, at most
 * `retries` times, then fails it. The window remembers the ids a receiver has seen and the
 * answer it gave, so a message sent again gets the same answer without reaching the
 * application twice. Mirrors `wiretype/protocol/delivery.py`.
 */
import { fullJitter, type RandomSource } from "./backoff.js";

/** A sent message waiting for its ack. */
export interface Pending {
  readonly id: string;
  /** The frame as written, resent as is. */
  readonly frame: string;
  readonly prio: number;
  sentAt: number;
  deadline: number;
  readonly expiresAt: number | null;
  /** Resends so far. */
  attempts: number;
  /** The link is down: no clock runs. */
  paused: boolean;
}

export class Outbox {
  #pending = new Map<string, Pending>();
  readonly maxMs: number;

  readonly #random: RandomSource;

  constructor(
    readonly ackTimeoutMs: number,
    readonly retries: number,
    random: RandomSource,
  ) {
    this.#random = random;
    this.maxMs = ackTimeoutMs * 8;
  }

  get size(): number {
    return this.#pending.size;
  }

  has(id: string): boolean {
    return this.#pending.has(id);
  }

  values(): Pending[] {
    return [...this.#pending.values()];
  }

  add(id: string, frame: string, prio: number, now: number, expiresAt: number | null): Pending {
    const pending: Pending = {
      id, frame, prio, sentAt: now, deadline: now + this.ackTimeoutMs, expiresAt, attempts: 0, paused: false,
    };
    this.#pending.set(id, pending);
    return pending;
  }

  /** The pending message answered by an ack or nack (null when unknown). */
  settle(id: string): Pending | null {
    const found = this.#pending.get(id);
    if (found === undefined) return null;
    this.#pending.delete(id);
    return found;
  }

  /** [to resend now, failed after the retries, expired], updating deadlines. */
  due(now: number): [Pending[], Pending[], Pending[]] {
    const resend: Pending[] = [];
    const failed: Pending[] = [];
    const expired: Pending[] = [];
    for (const pending of [...this.#pending.values()]) {
      if (pending.expiresAt !== null && pending.expiresAt <= now) {
        this.#pending.delete(pending.id);
        expired.push(pending);
      } else if (pending.paused || pending.deadline > now) {
        continue;
      } else if (pending.attempts >= this.retries) {
        this.#pending.delete(pending.id);
        failed.push(pending);
      } else {
        this.retryAt(pending, now, now + this.delay(pending.attempts));
        resend.push(pending);
      }
    }
    return [resend, failed, expired];
  }

  delay(attempt: number): number {
    return this.ackTimeoutMs + fullJitter(attempt, this.ackTimeoutMs / 2, this.maxMs, this.#random);
  }

  retryAt(pending: Pending, now: number, deadline: number): void {
    pending.attempts += 1;
    pending.sentAt = now;
    pending.deadline = deadline;
  }

  pause(): void {
    for (const pending of this.#pending.values()) pending.paused = true;
  }

  /** Unpause after a reconnect: every pending message, by priority then age, to resend now. */
  resume(now: number): Pending[] {
    const out = [...this.#pending.values()].sort((a, b) => a.prio - b.prio || a.sentAt - b.sentAt);
    for (const pending of out) {
      pending.paused = false;
      pending.sentAt = now;
      pending.deadline = now + this.ackTimeoutMs;
    }
    return out;
  }

  nextDeadline(): number | null {
    let best: number | null = null;
    for (const p of this.#pending.values()) {
      if (!p.paused && (best === null || p.deadline < best)) best = p.deadline;
      if (p.expiresAt !== null && (best === null || p.expiresAt < best)) best = p.expiresAt;
    }
    return best;
  }
}

/** The last `size` ids seen within `ms`, each with the answer frame given to it. */
export class DedupeWindow {
  #seen = new Map<string, [at: number, answer: string]>();

  constructor(
    readonly size: number,
    readonly ms: number,
  ) {}

  get length(): number {
    return this.#seen.size;
  }

  /** The answer remembered for `id` ("" when none was given), or null when not seen. */
  get(id: string, now: number): string | null {
    const found = this.#seen.get(id);
    if (found === undefined || found[0] + this.ms <= now) return null;
    return found[1];
  }

  remember(id: string, answer: string, now: number): void {
    this.#seen.set(id, [now, answer]);
    this.#prune(now);
  }

  clear(): void {
    this.#seen.clear();
  }

  #prune(now: number): void {
    while (this.#seen.size > this.size) this.#seen.delete(this.#seen.keys().next().value!);
    for (const [id, [at]] of this.#seen) {
      if (at + this.ms > now) break;
      this.#seen.delete(id);
    }
  }
}
