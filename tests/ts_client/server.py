"""The real Python server the TypeScript client's tests talk to, run as a subprocess.

    python tests/ts_client/server.py '{"settings": {...}, "presence": ["room.*"], "origins": [...]}'

It serves ``wiretype.Server`` with the chat example's generated ``chat_protocol`` package
(examples/chat/generated/python) on 127.0.0.1 at a free port, prints ``{"port": N}``, then
takes one JSON command a line on stdin and answers each with one JSON line ``{"re": n, ...}``
on stdout:

- ``received``: every message its handlers took, in order (``type``, ``v`` of the handler,
  ``data`` as the handler's latest model dumps it);
- ``publish`` ``topic`` ``type`` ``data`` [``prio`` ``ttl``]: publish from outside a handler;
- ``stop``: drain (status ``draining``, close 1001) and stop listening, keeping the store
  (sessions, replay buffers), as a server restarting would;
- ``start``: listen again on the same port with a new ``Server`` on the same store;
- ``sessions``: how many sessions the store holds; ``connections``: how many are open.

Handlers: ``chat.message_sent`` and ``chat.typing`` are published to ``room.<room>``;
``chat.reaction_added`` is answered with ``ctx.send`` of the same reaction; a message sent
to the room ``reject`` is refused (``Reject("rejected")``); everything is recorded.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import chat_protocol as proto

from wiretype import Context, Reject, Server
from wiretype.store import MemoryStore


class Harness:
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        self.store = MemoryStore()
        self.received: list[dict[str, Any]] = []
        self.server: Server | None = None
        self.port = 0

    def build(self) -> Server:
        server = Server(
            proto,
            store=self.store,
            presence=self.options.get("presence", ()),
            origins=self.options.get("origins"),
            **self.options.get("settings", {}),
        )

        @server.on("chat.message_sent")
        async def sent(msg: Any, ctx: Context) -> None:
            self.record("chat.message_sent", msg)
            if msg.room == "reject":
                raise Reject("rejected", "this room takes no messages")
            await ctx.publish(f"room.{msg.room}", msg)

        @server.on("chat.typing")
        async def typing(msg: Any, ctx: Context) -> None:
            self.record("chat.typing", msg)
            await ctx.publish(f"room.{msg.room}", msg)

        @server.on("chat.reaction_added")
        async def reacted(msg: Any, ctx: Context) -> None:
            self.record("chat.reaction_added", msg)
            await ctx.send(msg)

        @server.on("*")
        async def anything(msg: Any, ctx: Context) -> None:
            self.record(type(msg).__wire_name__, msg)

        return server

    def record(self, name: str, msg: Any) -> None:
        data = json.loads(msg.__pydantic_serializer__.to_json(msg, by_alias=True))
        self.received.append({"type": name, "v": type(msg).__wire_version__, "data": data})

    async def start(self) -> None:
        self.server = self.build()
        await self.server.start("127.0.0.1", self.port)
        self.port = self.server.port

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.drain(deadline_ms=5_000)
            self.server = None

    async def command(self, cmd: dict[str, Any]) -> dict[str, Any]:
        run = getattr(self, f"_cmd_{cmd.get('cmd')}", None)
        if run is None:
            return {"error": f"unknown command {cmd.get('cmd')!r}"}
        answer: dict[str, Any] = await run(cmd)
        return answer

    async def _cmd_received(self, cmd: dict[str, Any]) -> dict[str, Any]:
        return {"received": self.received}

    async def _cmd_publish(self, cmd: dict[str, Any]) -> dict[str, Any]:
        assert self.server is not None
        model = proto.MESSAGES[cmd["type"]][max(proto.MESSAGES[cmd["type"]])]
        reached = await self.server.publish(
            cmd["topic"],
            model.model_validate(cmd["data"]),
            prio=cmd.get("prio", 4),
            ttl=cmd.get("ttl"),
        )
        return {"reached": reached}

    async def _cmd_stop(self, cmd: dict[str, Any]) -> dict[str, Any]:
        await self.stop()
        return {"stopped": True}

    async def _cmd_start(self, cmd: dict[str, Any]) -> dict[str, Any]:
        await self.start()
        return {"port": self.port}

    async def _cmd_sessions(self, cmd: dict[str, Any]) -> dict[str, Any]:
        return {"sessions": len(self.store)}

    async def _cmd_connections(self, cmd: dict[str, Any]) -> dict[str, Any]:
        return {"connections": self.server.connections if self.server else 0}


async def main() -> None:
    harness = Harness(json.loads(sys.argv[1]) if len(sys.argv) > 1 else {})
    await harness.start()
    print(json.dumps({"port": harness.port}), flush=True)
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        cmd = json.loads(line)
        try:
            answer = await harness.command(cmd)
        except Exception as exc:  # the test sees what failed instead of a silent hang
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps({"re": cmd.get("n"), **answer}), flush=True)
    await harness.stop()


if __name__ == "__main__":
    asyncio.run(main())
