"""The chat example, live: a server, a client speaking ``chat.message_sent`` v1 and one
speaking v3, and the same messages arriving in each client's own version.

    python examples/chat/tour.py [--transcript FILE]

It starts ``server.py`` on a free loopback port, then ``client.py --speaks 1`` (ada) and
``client.py --speaks 3`` (bob) in the room ``lobby``; ada posts a message in v1 words, bob one
in v3 words, and each client prints what it sent and what it received. The server converts
between versions with the generated shims (v1 ``text`` is v3 ``body``; v1 ``high`` is v3
``notify``), so each client reads both messages in its own shape. Then the clients leave and
the server drains (SIGTERM). Exit 0 when every step happened and each message arrived in both
shapes, 1 otherwise. ``--transcript`` writes what each side sent and received, as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
STEP_S = 20.0  # the longest any one step may take (the whole tour takes a few seconds)
# (name, version of chat.message_sent, priority in that version's words, what it says)
PEOPLE = [("ada", 1, "high", "hello from a v1 client"),
          ("bob", 3, "alert", "hello from a v3 client")]  # fmt: skip
HIDDEN = ("id", "sent_at", "author")  # the same in every version: left out of the printout


class TourError(Exception):
    pass


@dataclass
class Side:
    """One process of the tour, and the JSON lines it printed."""

    name: str
    process: asyncio.subprocess.Process
    speaks: int = 0
    sent: list[dict[str, Any]] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)

    async def line(self) -> str:
        assert self.process.stdout is not None
        try:
            raw = await asyncio.wait_for(self.process.stdout.readline(), STEP_S)
        except TimeoutError:
            raise TourError(f"{self.name}: nothing printed within {STEP_S:g} s") from None
        if not raw:
            code = await self.process.wait()
            raise TourError(f"{self.name}: ended (exit {code}) before the tour was done")
        return raw.decode("utf-8").rstrip("\n")

    async def event(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(await self.line())
        if found["event"] == "sent":
            self.sent.append(found)
        elif found["event"] == "received":
            self.received.append(found)
        return found

    async def until_received(self, ident: str) -> dict[str, Any]:
        while True:
            for got in self.received:
                if got["data"]["id"] == ident:
                    return got
            await self.event()

    async def say(self, text: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        before = len(self.sent)
        self.process.stdin.write(text.encode("utf-8") + b"\n")
        await self.process.stdin.drain()
        while len(self.sent) == before:
            await self.event()
        return self.sent[before]


def shown(data: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in data.items() if k not in HIDDEN}, ensure_ascii=False)


async def spawn(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, *args, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )


def check_shape(got: dict[str, Any], version: int, sent: dict[str, Any], text: str) -> None:
    """A received message is in the receiver's version: v1 carries ``text``, v3 ``body``."""
    data, word = got["data"], ("text" if version == 1 else "body")
    if got["v"] != version or data.get(word) != text or data["id"] != sent["data"]["id"]:
        raise TourError(f"{got['client']} got {got} instead of {sent['data']['id']} in v{version}")
    other = "body" if version == 1 else "text"
    if other in data:
        raise TourError(f"{got['client']} got a v{version} message with {other!r} in it")


async def exchange(server: Side, url: str, people: list[Side], transcript: dict[str, Any]) -> None:
    for name, version, priority, _ in PEOPLE:
        process = await spawn(str(HERE / "client.py"), url, "--speaks", str(version), "--name",
                              name, "--priority", priority, "--json")  # fmt: skip
        people.append(Side(name, process, version))
    for side in people:
        ready = await side.event()
        print(
            f"{side.name} joined room.{ready['room']}, speaking chat.message_sent "
            f"v{ready['versions']['chat.message_sent']}"
        )
    for side, (_, version, _, text) in zip(people, PEOPLE, strict=True):
        sent = await side.say(text)
        print(f"\n{side.name} sent (v{version}):     {shown(sent['data'])}")
        for reader in people:
            got = await reader.until_received(sent["data"]["id"])
            check_shape(got, reader.speaks, sent, text)
            print(f"  {reader.name} received (v{got['v']}): {shown(got['data'])}")
        print(f"  {await server.line()}")
    for side in people:
        assert side.process.stdin is not None
        side.process.stdin.close()  # end of input: the client closes and exits
        code = await asyncio.wait_for(side.process.wait(), STEP_S)
        if code != 0:
            raise TourError(f"{side.name} exited {code}")
        transcript[side.name] = {"speaks": side.speaks, "sent": side.sent,
                                 "received": side.received}  # fmt: skip


async def tour(transcript: dict[str, Any]) -> None:
    server = Side("server", await spawn(str(HERE / "server.py"), "--port", "0"))
    people: list[Side] = []
    try:
        first = await server.line()
        print(f"server {first}")
        url = first.rpartition(" ")[2]
        await exchange(server, url, people, transcript)
        server.process.send_signal(signal.SIGTERM)
        print(f"\n{await server.line()}")
        code = await asyncio.wait_for(server.process.wait(), STEP_S)
        if code != 0:
            raise TourError(f"the server exited {code} after SIGTERM")
        transcript["server"] = {"url": url, "exit": code}
    finally:  # whatever failed, no process of the tour outlives it
        for side in [*people, server]:
            if side.process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    side.process.kill()
                await side.process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transcript", type=Path, help="write what each side sent and received")
    args = parser.parse_args()
    transcript: dict[str, Any] = {}
    try:
        asyncio.run(tour(transcript))
    except (TourError, TimeoutError, OSError, json.JSONDecodeError) as exc:
        print(f"\ntour failed: {exc or type(exc).__name__}", file=sys.stderr)
        return 1
    finally:
        if args.transcript:
            args.transcript.write_text(json.dumps(transcript, indent=1) + "\n", encoding="utf-8")
    print("\nthe same messages arrived at each client in its own version of chat.message_sent")
    return 0


if __name__ == "__main__":
    sys.exit(main())
