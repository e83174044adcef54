/**
 * Where the offline queue is kept: in memory (the default: the queue itself), or in
 * IndexedDB, so that what was queued survives a page reload. A store holds JSON text and
 * plain values only; what it gives back is validated again by the generated package.
 */
export { IndexedDBQueue, type IndexedDBFactory } from "./indexeddb.js";
export { MemoryQueue } from "./memory.js";

/** One queued message as a store keeps it: its data as JSON text at version `v`. */
export interface StoredMessage {
  readonly id: string;
  readonly type: string;
  readonly v: number;
  readonly data: string;
  readonly ack: boolean;
  readonly prio: number;
  readonly ts: number | null;
  readonly ttl: number | null;
  /** Orders the messages by age across page loads. */
  readonly stamp: number;
}

/** What `connect(..., { queue_store })` takes. Writes are fire-and-forget, kept in order. */
export interface QueueStore {
  load(): Promise<StoredMessage[]>;
  put(message: StoredMessage): void;
  remove(id: string): void;
  /** Resolves once every write so far is stored. */
  flushed(): Promise<void>;
  close(): void;
}
