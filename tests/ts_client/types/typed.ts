// Must compile: `connect` is typed by the generated package (tsc --strict, module nodenext).
import { connect, SendFailed, SendFailedError, type LatestData, type MessageMeta } from "../../../clients/typescript/src/index.js";
import * as proto from "../../../examples/chat/generated/typescript/chat-protocol/src/index.js";

const client = connect("ws://127.0.0.1:1", proto, { registry: "chat", name: "web", version: "1.4.2" });

client.on("chat.message_sent", (msg, meta: MessageMeta) => {
  const latest: proto.MessageSentV3 = msg; // the latest version's type
  const body: string = msg.body;
  const priority: "quiet" | "normal" | "notify" | "alert" | undefined = msg.priority;
  void [latest, body, priority, meta.wireVersion];
});
client.on("chat.typing", (msg) => {
  const typing: boolean = msg.typing;
  void typing;
});
client.on("*", (message) => {
  if (message.type === "chat.message_sent") {
    const body: string = message.data.body;
    void body;
  }
});
client.onStatus((state) => {
  const known: "idle" | "connecting" | "open" | "reconnecting" | "offline" | "closing" | "closed" = state;
  void known;
});

const data: LatestData<typeof proto, "chat.message_sent"> = {
  id: "1f0e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
  room: "lobby",
  body: "hello",
  sent_at: "2026-03-01T09:30:00Z",
  author: { id: "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11", name: "Ada" },
  reply_to: null,
  priority: "alert",
};
export async function main(): Promise<void> {
  // every send resolves with its id, but a volatile one without ack (dropped when it cannot go)
  const id: string = await client.send("chat.message_sent", data, { ack: true, prio: 2, ttl: 30_000 });
  const plain: string = await client.send("chat.message_sent", data);
  const queued: string = await client.send("chat.message_sent", data, { prio: 1, volatile: false });
  const acked: string = await client.send("chat.message_sent", data, { ack: true, volatile: true });
  const maybe: string | undefined = await client.send("chat.message_sent", data, { volatile: true });
  await client.subscribe("room.lobby");
  await client.close();
  void [id, plain, queued, acked, maybe];
}

// the error a failed send rejects with, under the name the docs give it (and its older name)
export function failure(err: unknown): string | null {
  if (err instanceof SendFailed) return err.code;
  const same: typeof SendFailedError = SendFailed;
  void same;
  return null;
}
