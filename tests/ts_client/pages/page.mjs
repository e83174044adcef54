// The browser test page: @wiretype/client and one generated package (the chat package at
// v3, or an older registry's at v1), bundled by esbuild. The test drives it through
// `window.wt` and reads what happened from `window.wt.log`.
import { connect, IndexedDBQueue } from "wiretype-client";
import * as proto from "wiretype-proto";

const log = { messages: [], states: [], welcomes: [], failures: [], presence: [] };
let client = null;

window.wt = {
  log,
  versions: () => Object.fromEntries([...proto.validators].map(([name, v]) => [name, [...v.keys()]])),
  start(url, { queue_db, ...options } = {}) {
    if (queue_db) options.queue_store = new IndexedDBQueue(queue_db);
    client = connect(url, proto, { registry: "chat", name: "page", version: "1", ...options });
    client.on("chat.message_sent", (data, meta) => {
      log.messages.push({ type: meta.type, wireVersion: meta.wireVersion, seq: meta.seq, data });
    });
    client.onStatus((state, reason) => log.states.push({ state, reason }));
    client.onWelcome((w) => log.welcomes.push({ resumed: w.resumed, session: w.session, versions: w.versions }));
    client.onPresence((p) => log.presence.push(p));
    return true;
  },
  state: () => client?.state ?? "none",
  session: () => client?.session ?? null,
  negotiated: () => ({ ...(client?.versions ?? {}) }),
  queued: () => client?.core.queue.length ?? 0,
  ready: () => client.ready().then(() => client.state),
  subscribe: (...topics) => client.subscribe(...topics).then(() => true),
  /** Send and report the outcome (an id, or the failure's code) without throwing. */
  send(type, data, options = {}) {
    return client.send(type, data, options).then(
      (id) => ({ id }),
      (err) => {
        log.failures.push({ code: err.code, reason: err.reason });
        return { failed: err.code ?? String(err) };
      },
    );
  },
  /** Send without waiting (the promise is kept); resolves to the id at once. */
  post(type, data, options = {}) {
    const pending = client.send(type, data, options);
    pending.catch((err) => log.failures.push({ code: err.code, reason: err.reason }));
    return true;
  },
  persisted: () => client.persisted().then(() => true),
  Store: IndexedDBQueue,
  close: () => client.close().then(() => true),
};
window.wtReady = true;
