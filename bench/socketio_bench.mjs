// Socket.IO 4 side of bench/bench_rivals.py (loopback only; every loop bounded).
//   node bench/socketio_bench.mjs server PORT           a Socket.IO server (websocket transport)
//   node bench/socketio_bench.mjs echo URL COUNT ROUNDS  acked round trips: emitWithAck
//   node bench/socketio_bench.mjs subscribers URL COUNT  COUNT clients in room "room"
//   node bench/socketio_bench.mjs publish URL ROUNDS     ask the server to time room emits
// Each prints one JSON line (or "ready") on stdout.
import { createServer } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { Server } from "socket.io";
import { io } from "socket.io-client";

const DATA = {
  id: "1f0e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
  room: "lobby",
  body: "hello there",
  sent_at: "2026-03-01T09:30:00Z",
  author: { id: "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11", name: "Ada" },
  reply_to: null,
  priority: "normal",
  mentions: [],
  edited: false,
};
const OPTIONS = { transports: ["websocket"], reconnection: false, forceNew: true };

function seconds(start) {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function serve(port) {
  const http = createServer();
  const server = new Server(http, { transports: ["websocket"], serveClient: false });
  server.on("connection", (socket) => {
    socket.on("chat", (data, ack) => ack(true));
    socket.on("join", (room, ack) => {
      socket.join(room);
      ack(true);
    });
    socket.on("bench_publish", async (rounds, ack) => {
      const times = [];
      for (let n = 0; n < rounds; n += 1) {
        const start = process.hrtime.bigint();
        server.to("room").emit("chat", DATA);
        times.push(seconds(start));
        await sleep(5); // let the sockets flush, as the other servers are given
      }
      ack(times);
    });
  });
  http.listen(port, "127.0.0.1", () => console.log("ready"));
}

function connect(url) {
  return new Promise((resolve, reject) => {
    const socket = io(url, OPTIONS);
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

function percentiles(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const p50 = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return [p50, sorted[Math.floor(sorted.length * 0.99) - 1]];
}

async function echo(url, count, rounds) {
  const socket = await connect(url);
  const one = async (n) => {
    const samples = [];
    for (let i = 0; i < n; i += 1) {
      const start = process.hrtime.bigint();
      await socket.emitWithAck("chat", DATA);
      samples.push(seconds(start));
    }
    return samples;
  };
  await one(Math.floor(count / 5)); // warm up
  const found = [];
  for (let r = 0; r < rounds; r += 1) found.push(percentiles(await one(count)));
  socket.close();
  console.log(JSON.stringify(found));
}

async function subscribers(url, count) {
  const sockets = [];
  let received = 0;
  for (let start = 0; start < count; start += 100) {
    const batch = [];
    for (let n = start; n < Math.min(count, start + 100); n += 1) {
      batch.push(
        connect(url).then(async (socket) => {
          socket.on("chat", () => {
            received += 1;
          });
          await socket.emitWithAck("join", "room");
          sockets.push(socket);
        }),
      );
    }
    await Promise.all(batch);
  }
  console.log("ready");
  process.stdin.resume();
  process.stdin.on("end", () => {
    for (const socket of sockets) socket.close();
    console.error(`received ${received}`);
    process.exit(0);
  });
}

async function publish(url, rounds) {
  const socket = await connect(url);
  const times = await socket.timeout(600_000).emitWithAck("bench_publish", rounds);
  socket.close();
  console.log(JSON.stringify(times));
}

const [mode, where, ...rest] = process.argv.slice(2);
const modes = {
  server: () => serve(Number(where)),
  echo: () => echo(where, Number(rest[0]), Number(rest[1])),
  subscribers: () => subscribers(where, Number(rest[0])),
  publish: () => publish(where, Number(rest[0])),
};
if (!modes[mode]) {
  console.error("usage: socketio_bench.mjs server|echo|subscribers|publish ...");
  process.exit(2);
}
await modes[mode]();
