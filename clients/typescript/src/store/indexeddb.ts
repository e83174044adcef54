import type { QueueStore, StoredMessage } from "./index.js";

const STORE = "queue";

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/**
 * Where `IndexedDBQueue` opens its database: `globalThis.indexedDB`, or one passed in (a
 * test's fake). Typed without the DOM library's names, so that a Node program whose
 * `lib` has no "DOM" compiles against this package's declarations.
 */
export interface IndexedDBFactory {
  open(name: string, version?: number): unknown;
}

/**
 * The offline queue in an IndexedDB database of this origin (`name`), one object store
 * keyed by message id. Read-write transactions on one store run in the order they were
 * made, so writes need not be awaited; `flushed()` waits for them.
 */
export class IndexedDBQueue implements QueueStore {
  readonly #db: Promise<IDBDatabase>;
  #writing = new Set<Promise<void>>();

  constructor(
    readonly name = "wiretype-queue",
    factory: IndexedDBFactory | undefined = (globalThis as { indexedDB?: IndexedDBFactory }).indexedDB,
  ) {
    if (factory === undefined) throw new Error("IndexedDB is not available here");
    const open = (factory as IDBFactory).open(name, 1);
    open.onupgradeneeded = () => {
      if (!open.result.objectStoreNames.contains(STORE)) open.result.createObjectStore(STORE, { keyPath: "id" });
    };
    this.#db = request(open);
  }

  async load(): Promise<StoredMessage[]> {
    const db = await this.#db;
    const rows = (await request(db.transaction(STORE, "readonly").objectStore(STORE).getAll())) as StoredMessage[];
    return rows.sort((a, b) => a.stamp - b.stamp);
  }

  put(message: StoredMessage): void {
    this.#write((store) => store.put({ ...message }));
  }

  remove(id: string): void {
    this.#write((store) => store.delete(id));
  }

  async flushed(): Promise<void> {
    while (this.#writing.size > 0) await Promise.allSettled([...this.#writing]);
  }

  close(): void {
    void this.#db.then((db) => db.close());
  }

  #write(op: (store: IDBObjectStore) => IDBRequest): void {
    const done: Promise<void> = this.#db.then(
      (db) =>
        new Promise<void>((resolve, reject) => {
          const tx = db.transaction(STORE, "readwrite");
          op(tx.objectStore(STORE));
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
          tx.onabort = () => reject(tx.error);
        }),
    );
    this.#writing.add(done);
    const settle = (): void => void this.#writing.delete(done);
    done.then(settle, settle);
  }
}
