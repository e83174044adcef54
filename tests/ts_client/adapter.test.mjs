// The adapter (clients/typescript/src/index.ts) over a fake WebSocket constructor: what it
// does with a socket that never opens, an HTTP refusal told by `ws`, and a close code a
// browser's WebSocket refuses. No network.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { chat, client, REGISTRY, until, welcome, makeCore } from "./helpers.mjs";

/** A WebSocket that records what is done to it; the test plays the network. */
function fakeSockets({ browser = false } = {}) {
  const made = [];
  class FakeSocket {
    constructor(url, protocols) {
      this.url = url;
      this.protocols = protocols;
      this.readyState = 0;
      this.sent = [];
      this.closed = null;
      this.onopen = this.onmessage = this.onclose = this.onerror = null;
      made.push(this);
    }

    send(text) {
      this.sent.push(JSON.parse(text));
    }

    close(code = 1000, reason = "") {
      if (browser && code !== 1000 && (code < 3000 || code > 4999)) throw new DOMException("not allowed", "InvalidAccessError");
      this.closed = [code, reason];
      this.readyState = 3;
    }

    open() {
      this.readyState = 1;
      this.onopen?.({});
    }

    receive(text) {
      this.onmessage?.({ data: text });
    }

    drop(code = 1006, reason = "") {
      this.readyState = 3;
      this.onclose?.({ code, reason });
    }
  }
  return { WebSocket: FakeSocket, made };
}

const options = (sockets, more = {}) => ({
  registry: REGISTRY, WebSocket: sockets.WebSocket, backoff_min_ms: 1, backoff_max_ms: 5, watch_page: false, ...more,
});

describe("Connection Management: the adapter", () => {
  test("dials with the wiretype.v1 subprotocol and writes the hello once the socket opens", async () => {
    const sockets = fakeSockets();
    const c = client.connect("ws://example.test/ws", chat, options(sockets));
    await until(() => sockets.made.length === 1, "a dial");
    const [socket] = sockets.made;
    assert.deepEqual(socket.protocols, ["wiretype.v1"]);
    assert.deepEqual(socket.sent, []);
    socket.open();
    assert.deepEqual(socket.sent.map((f) => f.type), ["wiretype.hello"]);
    socket.receive(welcome(makeCore()));
    assert.equal(c.state, "open");
    await c.close();
    assert.deepEqual(socket.closed, [1000, "bye"]);
  });

  test("a socket that does not open in handshake_timeout_ms is a failed attempt", async () => {
    const sockets = fakeSockets();
    const c = client.connect("ws://example.test/ws", chat, options(sockets, { handshake_timeout_ms: 20 }));
    await until(() => sockets.made.length === 2, "a second attempt after the first timed out");
    assert.ok(sockets.made[0].closed !== null);
    await c.close();
  });

  test("an HTTP 401 told by ws is final; a 503 is retried", async () => {
    const sockets = fakeSockets();
    const c = client.connect("ws://example.test/ws", chat, options(sockets));
    await until(() => sockets.made.length === 1, "a dial");
    sockets.made[0].onerror({ message: "Unexpected server response: 503" });
    sockets.made[0].drop(1006);
    await until(() => sockets.made.length === 2, "a retry after 503");
    sockets.made[1].onerror({ message: "Unexpected server response: 401" });
    sockets.made[1].drop(1006);
    await assert.rejects(c.ready(), (err) => err instanceof client.HandshakeFailed && err.status === 401 && err.code === 4401);
    assert.equal(c.state, "closed");
    assert.equal(sockets.made.length, 2);
  });

  test("a link a browser's socket fails without a word (an HTTP 403 from origins looks so) says what it may be", async () => {
    const sockets = fakeSockets({ browser: true });
    const c = client.connect("ws://example.test/ws", chat, options(sockets));
    const reasons = [];
    c.onStatus((state, reason) => reasons.push(`${state}: ${reason}`));
    await until(() => sockets.made.length === 1, "a dial");
    sockets.made[0].onerror({ type: "error" }); // what a browser gives: an Event, no message
    sockets.made[0].drop(1006);
    await until(() => reasons.some((r) => r.startsWith("offline")), "the failed attempt");
    assert.match(reasons.find((r) => r.startsWith("offline")), /^offline: connect failed: unreachable, or refused before the upgrade \(origins, auth/);
    await c.close();
  });

  test("a resync close (1001) becomes 4001 where a browser refuses 1001; the session is kept", async () => {
    const sockets = fakeSockets({ browser: true });
    const c = client.connect("ws://example.test/ws", chat, options(sockets));
    await until(() => sockets.made.length === 1, "a dial");
    const [socket] = sockets.made;
    socket.open();
    socket.receive(welcome(makeCore()));
    const frame = (seq) => JSON.stringify({ type: "chat.typing", v: 1, id: `m-${seq}`, data: { room: "r", user_id: "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11", typing: true }, seq, epoch: 7 });
    socket.receive(frame(1));
    socket.receive(frame(3));
    assert.deepEqual(socket.closed, [4001, "resync"]);
    await until(() => sockets.made.length === 2, "a new link at once");
    sockets.made[1].open();
    assert.deepEqual(sockets.made[1].sent[0].data.resume, { session: "s-1", last_seq: 1, epoch: 7 });
    await c.close();
  });

  test("a URL no attempt could open is refused at connect, naming it, instead of being retried for ever", async () => {
    const sockets = fakeSockets();
    for (const bad of ["localhost:8765", "127.0.0.1:8765", "ftp://127.0.0.1:8765", "not a url", ""]) {
      assert.throws(
        () => client.connect(bad, chat, options(sockets)),
        (err) => err instanceof client.ConfigurationError && err.message.startsWith(`${JSON.stringify(bad)} is not a WebSocket URL`),
        bad,
      );
    }
    assert.throws(() => client.connect("ws://127.0.0.1:1", chat, options(sockets, { urls: ["127.0.0.1:2"] })), /"127\.0\.0\.1:2" is not a WebSocket URL/);
    assert.equal(sockets.made.length, 0);
    for (const good of ["ws://127.0.0.1:1/", "wss://chat.example/ws", "http://127.0.0.1:1", "https://chat.example/ws"]) {
      const c = client.connect(good, chat, options(sockets));
      await c.close();
    }
  });

  test("unknown options, and a package naming no registry without the option, are refused", async () => {
    const sockets = fakeSockets();
    assert.throws(() => client.connect("ws://x", chat, options(sockets, { ack_timeout: 1 })), client.ConfigurationError);
    const { PROTOCOL: _described, ...undescribed } = chat;
    assert.throws(() => client.connect("ws://x", undescribed, { WebSocket: sockets.WebSocket, watch_page: false }), /registry/);
    assert.throws(() => client.connect("ws://x", chat, options(sockets, { retries: -1 })), client.ConfigurationError);
    assert.equal(sockets.made.length, 0);
    // A package that describes itself (PROTOCOL) names its registry: no option needed.
    const described = client.connect("ws://x", chat, { WebSocket: sockets.WebSocket, watch_page: false });
    await until(() => sockets.made.length === 1, "the described package's first link");
    await described.close();
  });

  test("a name, version or registry the hello cannot carry is refused at connect, not thrown by the first dial", () => {
    const sockets = fakeSockets();
    const cases = [
      [{ name: "x".repeat(129) }, "/client/name must be at most 128 characters long"],
      [{ version: "" }, "/client/version must be at least 1 characters long"],
      [{ registry: "r".repeat(129) }, "/registry must be at most 128 characters long"],
    ];
    for (const [bad, words] of cases) {
      assert.throws(
        () => client.connect("ws://x", chat, options(sockets, bad)),
        (err) => err instanceof client.ConfigurationError && err.message === `wiretype.hello: ${words}`,
        JSON.stringify(bad),
      );
    }
    assert.equal(sockets.made.length, 0);
  });
});
