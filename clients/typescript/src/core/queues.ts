/**
 * A queue that sends lower `prio` first and, within a priority, oldest first.
 *
 * Bounded by a count and a byte size; what overflows is what would be sent last (the new
 * item itself when it ranks last). Items past their expiry are dropped by `expire` and by
 * `pop`, and every drop is returned so the caller can count it: nothing stale is handed out.
 * Mirrors `wiretype/protocol/queues.py` step for step (the order of drops included).
 */

export interface Item<T> {
  readonly payload: T;
  readonly prio: number;
  readonly size: number;
  readonly expiresAt: number | null;
}

export class PriorityQueue<T> {
  /** One FIFO lane per priority, created on first use (insertion order kept, as a dict). */
  #lanes = new Map<number, Item<T>[]>();
  #count = 0;
  #bytes = 0;

  constructor(
    readonly maxCount: number,
    readonly maxBytes: number,
  ) {}

  get length(): number {
    return this.#count;
  }

  get sizeBytes(): number {
    return this.#bytes;
  }

  /** Add `item`; return what overflowed (possibly `item` itself). */
  push(item: Item<T>): Item<T>[] {
    if (item.size > this.maxBytes || this.maxCount <= 0) return [item];
    let lane = this.#lanes.get(item.prio);
    if (lane === undefined) this.#lanes.set(item.prio, (lane = []));
    lane.push(item);
    this.#count += 1;
    this.#bytes += item.size;
    const dropped: Item<T>[] = [];
    while (this.#count > this.maxCount || this.#bytes > this.maxBytes) dropped.push(this.#popLast());
    return dropped;
  }

  /** The next item to send (null when empty) and the expired ones skipped on the way. */
  pop(now: number): [Item<T> | null, Item<T>[]] {
    const expired: Item<T>[] = [];
    for (const prio of this.#prios()) {
      const lane = this.#lanes.get(prio)!;
      while (lane.length > 0) {
        const item = lane.shift()!;
        this.#forget(item);
        if (item.expiresAt !== null && item.expiresAt <= now) {
          expired.push(item);
          continue;
        }
        this.#tidy(prio);
        return [item, expired];
      }
      this.#tidy(prio);
    }
    return [null, expired];
  }

  /** Every live item in send order, and the expired ones. */
  drain(now: number): [Item<T>[], Item<T>[]] {
    const live: Item<T>[] = [];
    const expired: Item<T>[] = [];
    for (;;) {
      const [item, skipped] = this.pop(now);
      expired.push(...skipped);
      if (item === null) return [live, expired];
      live.push(item);
    }
  }

  /** Drop and return every item whose expiry has passed. */
  expire(now: number): Item<T>[] {
    const dropped: Item<T>[] = [];
    for (const [prio, lane] of [...this.#lanes]) {
      const gone = lane.filter((i) => i.expiresAt !== null && i.expiresAt <= now);
      if (gone.length === 0) continue;
      for (const item of gone) this.#forget(item);
      this.#lanes.set(prio, lane.filter((i) => !gone.includes(i)));
      dropped.push(...gone);
      this.#tidy(prio);
    }
    return dropped;
  }

  /** Empty the queue (what it held is returned, in send order). */
  clear(): Item<T>[] {
    const all = [...this];
    this.#lanes.clear();
    this.#count = 0;
    this.#bytes = 0;
    return all;
  }

  nextExpiry(): number | null {
    let best: number | null = null;
    for (const lane of this.#lanes.values()) {
      for (const item of lane) {
        if (item.expiresAt !== null && (best === null || item.expiresAt < best)) best = item.expiresAt;
      }
    }
    return best;
  }

  /** Every item in send order (priority, then age). */
  *[Symbol.iterator](): IterableIterator<Item<T>> {
    for (const prio of this.#prios()) yield* this.#lanes.get(prio)!;
  }

  #prios(): number[] {
    return [...this.#lanes.keys()].sort((a, b) => a - b);
  }

  #popLast(): Item<T> {
    const prio = Math.max(...this.#lanes.keys());
    const item = this.#lanes.get(prio)!.pop()!;
    this.#forget(item);
    this.#tidy(prio);
    return item;
  }

  #forget(item: Item<T>): void {
    this.#count -= 1;
    this.#bytes -= item.size;
  }

  #tidy(prio: number): void {
    if (this.#lanes.get(prio)?.length === 0) this.#lanes.delete(prio);
  }
}
