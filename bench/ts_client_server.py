"""The Python server ``bench_ts_client.mjs`` measures the TypeScript client against.

    python bench/ts_client_server.py        prints {"port": N}; stops when stdin closes

``wiretype.Server`` with the chat example's ``chat_protocol`` package, limits out of the way
(rate, burst, in flight), and a ``chat.typing`` handler that does nothing: every message
is validated, converted and routed, and acked when it asks, as a real server would.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "examples" / "chat" / "generated" / "python")]

import chat_protocol as proto  # noqa: E402

from wiretype import Context, Server  # noqa: E402

UNLIMITED = {"rate": 1e9, "burst": 10**9, "max_in_flight": 10**6, "max_connections_per_ip": 10**5}


async def main() -> None:
    server = Server(proto, **UNLIMITED)

    @server.on("chat.typing")
    async def typing(msg: Any, ctx: Context) -> None:
        return None

    async with server.serving("127.0.0.1", 0):
        print(json.dumps({"port": server.port}), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    asyncio.run(main())
