"""The chat example's server: the messages of ``schemas/`` served with ``wiretype.Server``.

    python examples/chat/server.py [--host 127.0.0.1] [--port 8765]

Every ``chat.message_sent`` and ``chat.typing`` a client sends is published to the topic
``room.<room>``; each subscriber receives it in the version it speaks, converted by the
generated shims (a v1 client reads ``text``, a v3 client reads ``body``). ``--port 0`` picks a
free port. The first line on stdout is ``listening on ws://HOST:PORT``; then one line per
message handled. SIGTERM or Ctrl-C drains (``wiretype.status`` draining, close 1001) and
exits 0. ``wiretype serve server:server`` (in examples/chat) serves the same ``server``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The example's generated package, imported from where `wiretype generate` wrote it (a project
# of your own would `pip install generated/python` instead).
sys.path.insert(0, str(HERE / "generated" / "python"))

import chat_protocol as proto  # noqa: E402

from wiretype import Context, Server  # noqa: E402


def build() -> Server:
    """The chat server: room messages fan out to the room's subscribers."""
    server = Server(proto, drain_ms=2_000)

    @server.on("chat.message_sent")
    async def posted(msg: proto.MessageSent, ctx: Context) -> None:
        reached = await ctx.publish(f"room.{msg.room}", msg)
        came = ctx.message.wire_version if ctx.message else proto.MessageSent.__wire_version__
        print(
            f"server: chat.message_sent from {ctx.client} (sent as v{came}, handled as "
            f"v{msg.__wire_version__}) -> room.{msg.room}, {reached} subscriber(s)",
            flush=True,
        )

    @server.on("chat.typing")
    async def typing(msg: proto.Typing, ctx: Context) -> None:
        await ctx.publish(f"room.{msg.room}", msg, exclude_self=True)

    return server


server = build()  # `wiretype serve server:server` (run in examples/chat) serves it too


async def main(host: str, port: int) -> None:
    await server.start(host, port)
    print(f"listening on ws://{host}:{server.port}", flush=True)
    await server.until_signalled()  # SIGTERM / Ctrl-C: drain, then return
    print("server: drained and stopped", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="The chat example's server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0: any free port")
    args = parser.parse_args()
    asyncio.run(main(args.host, args.port))
