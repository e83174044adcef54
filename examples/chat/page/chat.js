// The chat page's code: connect to the example's server, show the connection's status, join
// a room (subscribe to `room.<name>`), send chat.message_sent with an ack, and list what the
// room delivers. Every message arrives as this page's version (v3: `body`, priorities quiet /
// normal / notify / alert): the server converts what a v1 or v2 client sent. Peer text only
// ever goes in through textContent.
import { connect } from "@wiretype/client";
import * as proto from "@wiretype-example/chat-protocol";

const $ = (selector) => document.querySelector(selector);
const joinForm = $("#join");
const postForm = $("#post");

let client = null;
let serverUrl = null;
let room = null;
const me = { id: uuid4(), name: "web" };

/** A random UUID (crypto.randomUUID needs a secure context; getRandomValues does not). */
function uuid4() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function showStatus(state, reason) {
  $("#status").dataset.state = state;
  $("#status").textContent = reason ? `${state} (${reason})` : state;
}

function notice(text) {
  $("#notice").textContent = text;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.textContent = text;
  return node;
}

/** One received chat.message_sent (v3) as a list item. */
function render(msg) {
  if (msg.room !== room) return;
  const item = document.createElement("li");
  const at = new Date(msg.sent_at);
  const time = element("time", "", at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }));
  time.dateTime = msg.sent_at;
  item.append(time, " ", element("strong", "author", msg.author.name), " ");
  if (msg.priority !== "normal") item.append(element("span", "priority", msg.priority), " ");
  item.append(element("span", "body", msg.body));
  $("#messages").append(item);
}

/** A client for `url`, in place of the one before (whose last statuses are then ignored). */
function open(url) {
  client?.close();
  client = serverUrl = room = null;
  const mine = connect(url, proto, { name: "chat-page", version: "1.0.0" });
  mine.onStatus((state, reason) => mine === client && showStatus(state, reason));
  mine.on("chat.message_sent", render);
  client = mine;
  serverUrl = url;
}

async function join(event) {
  event.preventDefault();
  const fields = new FormData(joinForm);
  me.name = String(fields.get("name")).trim() || "web";
  const url = String(fields.get("server")).trim();
  const next = String(fields.get("room")).trim();
  postForm.body.disabled = postForm.send.disabled = true;
  try {
    if (url !== serverUrl) open(url);
    else if (room) await client.unsubscribe(`room.${room}`);
    room = next;
    $("#messages").replaceChildren();
    $("#room").textContent = room;
    await client.subscribe(`room.${room}`); // resolves once the server has it
    postForm.body.disabled = postForm.send.disabled = false;
    postForm.body.focus();
    notice(`joined ${room}`);
  } catch (err) {
    notice(`could not join: ${err.message}`);
  }
}

async function post(event) {
  event.preventDefault();
  const body = postForm.body.value.trim();
  if (!body || !client || !room) return;
  const message = {
    id: uuid4(), room, body, sent_at: new Date().toISOString(), author: { ...me },
    priority: "normal", reply_to: null, mentions: [], edited: false,
  };
  postForm.send.disabled = true;
  try {
    await client.send("chat.message_sent", message, { ack: true }); // resolves once the server took it
    postForm.body.value = "";
    notice("sent: the server acknowledged it");
  } catch (err) {
    notice(`not sent: ${err.code ?? err.message}`); // a nack code, timeout, expired, ...; or invalid data
  } finally {
    postForm.send.disabled = false;
  }
}

const params = new URLSearchParams(location.search);
joinForm.server.value = params.get("server") ?? `ws://${location.hostname || "localhost"}:8765`;
joinForm.addEventListener("submit", join);
postForm.addEventListener("submit", post);
