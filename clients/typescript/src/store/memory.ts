import type { QueueStore, StoredMessage } from "./index.js";

/** A store in this page's memory: what a test or a Node process uses when it needs one. */
export class MemoryQueue implements QueueStore {
  readonly #rows = new Map<string, StoredMessage>();

  async load(): Promise<StoredMessage[]> {
    return [...this.#rows.values()].sort((a, b) => a.stamp - b.stamp);
  }

  put(message: StoredMessage): void {
    this.#rows.set(message.id, { ...message });
  }

  remove(id: string): void {
    this.#rows.delete(id);
  }

  async flushed(): Promise<void> {}

  close(): void {}

  get size(): number {
    return this.#rows.size;
  }
}
