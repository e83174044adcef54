// Must compile, and every line under a `@ts-expect-error` must be a type error: a wrong
// message name, data of another version, a missing field, a message the client may not send.
import { connect } from "../../../clients/typescript/src/index.js";
import * as proto from "../../../examples/chat/generated/typescript/chat-protocol/src/index.js";

const client = connect("ws://127.0.0.1:1", proto, { registry: "chat" });
const v3 = {
  id: "1f0e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
  room: "lobby",
  body: "hello",
  sent_at: "2026-03-01T09:30:00Z",
  author: { id: "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11", name: "Ada" },
  reply_to: null,
};

// @ts-expect-error a message the registry does not have
client.on("chat.mesage_sent", () => undefined);
// @ts-expect-error the runtime's own messages are not the application's
client.on("wiretype.ping", () => undefined);
client.on("chat.message_sent", (msg) => {
  // @ts-expect-error v1's `text` is not in the latest version
  void msg.text;
});
// @ts-expect-error a message the registry does not have
void client.send("chat.mesage_sent", v3);
const { body: _body, ...bodyless } = v3;
// @ts-expect-error v1 data (`text`) where the latest version is v3 (`body`)
void client.send("chat.message_sent", { ...bodyless, text: "hello" });
// @ts-expect-error `urgent` is a v2 priority; v3 calls it `alert`
void client.send("chat.message_sent", { ...v3, priority: "urgent" });
const { room: _room, ...roomless } = v3;
// @ts-expect-error `room` is required
void client.send("chat.message_sent", roomless);
// @ts-expect-error typing is a boolean
void client.send("chat.typing", { room: "lobby", user_id: v3.author.id, typing: "yes" });
// @ts-expect-error send options are typed too
void client.send("chat.message_sent", v3, { ack: "yes" });
// @ts-expect-error unknown option names are refused
connect("ws://127.0.0.1:1", proto, { registry: "chat", ack_timeout: 5 });
// @ts-expect-error speaks names messages of the package
connect("ws://127.0.0.1:1", proto, { registry: "chat", speaks: { "chat.nope": [1] } });

// With the descriptor the generator is to emit, directions are typed as well.
const described = {
  ...proto,
  PROTOCOL: {
    name: "chat",
    messages: {
      "chat.message_deleted": { direction: "server_to_client" },
      "chat.typing": { direction: "client_to_server" },
    },
  },
} as const;
const typed = connect("ws://127.0.0.1:1", described);
typed.on("chat.message_deleted", () => undefined);
void typed.send("chat.typing", { room: "lobby", user_id: v3.author.id, typing: true });
const deleted: proto.MessageDeleted = { id: v3.id, room: "lobby", by: v3.author };
// @ts-expect-error the generated package's own PROTOCOL says only the server sends it
void client.send("chat.message_deleted", deleted);
// @ts-expect-error only the server sends chat.message_deleted
void typed.send("chat.message_deleted", deleted);
// @ts-expect-error only clients send chat.typing: the client never receives it
typed.on("chat.typing", () => undefined);

export async function ids(): Promise<void> {
  // @ts-expect-error a volatile send that is not acked may be dropped: it has no id then
  const dropped: string = await client.send("chat.message_sent", v3, { volatile: true });
  void dropped;
}
