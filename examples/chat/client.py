"""The chat example's client: one person in a room, speaking a chosen version of
``chat.message_sent``.

    python examples/chat/client.py ws://127.0.0.1:8765 --speaks 1 --name ada [--room lobby]

It connects with ``wiretype.Client`` pinned to that version (``speaks``), subscribes to the
room, then sends every line typed on stdin as a ``chat.message_sent`` of its version (v1:
``text``; v2 and v3: ``body``) and prints every message the room delivers, as this client's
version of it: the server converts between versions, so a v1 client reads a v3 client's
messages as v1. End of input (Ctrl-D) closes the connection and exits 0.

``--json`` prints one JSON object a line instead (``ready``, ``sent``, ``received``), which is
what ``tour.py`` reads.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import sys
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# The example's generated package, imported from where `wiretype generate` wrote it (a project
# of your own would `pip install generated/python` instead).
sys.path.insert(0, str(HERE / "generated" / "python"))

import chat_protocol as proto  # noqa: E402

from wiretype import Client, WiretypeError  # noqa: E402

# Each version's own words for the same things: where the text goes, and the priorities.
PRIORITIES = {1: ["low", "normal", "high"], 2: ["low", "normal", "high", "urgent"],
              3: ["quiet", "normal", "notify", "alert"]}  # fmt: skip


def message(version: int, room: str, author: dict[str, str], text: str, priority: str) -> Any:
    """A ``chat.message_sent`` of ``version``, as this client's code would build it."""
    model = proto.MESSAGES["chat.message_sent"][version]
    fields: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "room": room,
        "sent_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "author": author,
        "priority": priority,
        "reply_to": None,
        ("text" if version == 1 else "body"): text,
    }
    return model.model_validate(fields)


def wire(model: Any) -> dict[str, Any]:
    """What a model holds, under its wire names."""
    dumped: dict[str, Any] = model.model_dump(mode="json", by_alias=True)
    return dumped


class Printer:
    def __init__(self, name: str, as_json: bool) -> None:
        self.name = name
        self.as_json = as_json

    def __call__(self, event: str, **fields: Any) -> None:
        if self.as_json:
            print(json.dumps({"event": event, "client": self.name, **fields}), flush=True)
        elif event == "ready":
            print(f"[{self.name}] connected, speaking {fields['versions']}", flush=True)
        else:
            data = json.dumps(fields["data"], ensure_ascii=False)
            print(f"[{self.name}] {event:8} {fields['type']} v{fields['v']} {data}", flush=True)


async def lines() -> Any:
    """stdin, a line at a time, without blocking the event loop."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := await reader.readline():
        yield line.decode("utf-8").rstrip("\n")


async def receive(client: Client, show: Printer) -> None:
    async for model in client:
        show("received", type=model.__wire_name__, v=model.__wire_version__, data=wire(model))


async def main(args: argparse.Namespace) -> int:
    show = Printer(args.name, args.json)
    author = {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"chat:{args.name}")), "name": args.name}
    speaks = {"chat.message_sent": [args.speaks]}
    client = Client(proto, args.url, name=args.name, version="1", speaks=speaks)
    async with client:
        await client.wait_open(timeout=args.timeout)
        await client.subscribe(f"room.{args.room}")
        show(
            "ready",
            versions={"chat.message_sent": client.versions["chat.message_sent"]},
            room=args.room,
        )
        reading = asyncio.create_task(receive(client, show))
        async for text in lines():
            if not text.strip():
                continue
            model = message(args.speaks, args.room, author, text, args.priority)
            show("sent", type="chat.message_sent", v=args.speaks, data=wire(model))
            await client.send(model, ack=True)  # returns once the server took it
        reading.cancel()
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="The chat example's client.")
    parser.add_argument("url", help="the server, e.g. ws://127.0.0.1:8765")
    parser.add_argument(
        "--speaks",
        type=int,
        choices=sorted(PRIORITIES),
        default=3,
        help="the version of chat.message_sent this client reads and writes",
    )
    parser.add_argument("--name", default="ada")
    parser.add_argument("--room", default="lobby")
    parser.add_argument(
        "--priority", default="normal", help="priority of what it sends, in its version's words"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object a line")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to connect")
    args = parser.parse_args()
    if args.priority not in PRIORITIES[args.speaks]:
        parser.error(f"--priority: v{args.speaks} knows {', '.join(PRIORITIES[args.speaks])}")
    try:
        sys.exit(asyncio.run(main(args)))
    except TimeoutError:
        print(f"client: no connection to {args.url} within {args.timeout:g} s", file=sys.stderr)
        sys.exit(1)
    except (OSError, WiretypeError) as exc:
        print(f"client: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
