"""Servers in processes of their own, for the crash, multi-node and worker tests (and the
benchmarks): ``wiretype serve`` of a small app written to a tmp folder, configured through
the environment, killed with SIGKILL or drained with SIGTERM."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLI = "import sys; from registry.cli import main; sys.argv[0] = 'wiretype'; main()"
APP = """\
import os

import chat_protocol as proto
from wiretype import Server

server = Server(
    proto,
    store=os.environ.get("WT_STORE"),
    broker=os.environ.get("WT_BROKER"),
    heartbeat_ms=1_000,
    heartbeat_grace_ms=1_000,
    ack_timeout_ms=500,
    drain_ms=3_000,
    presence=["room.*"],
)
LOG = os.environ.get("WT_LOG", os.devnull)
FAILS = os.environ.get("WT_FAILS")


@server.on("chat.message_sent", durable=True, max_attempts=3)
async def posted(msg, ctx):
    if FAILS and msg.body.startswith(FAILS):
        raise RuntimeError(f"cannot take {msg.body}")
    with open(LOG, "a") as log:
        log.write(f"{msg.body} {os.getpid()}\\n")


@server.on("chat.typing")
async def typed(msg, ctx):
    await ctx.publish("room.lobby", msg)
    if msg.room.startswith("pid"):
        await ctx.send(proto.TypingV1(room=f"pid{os.getpid()}", user_id=msg.user_id, typing=True))
"""


def write_app(folder: Path) -> None:
    (folder / "crash_app.py").write_text(APP)


def env_for(folder: Path, **extra: str) -> dict[str, str]:
    path = os.pathsep.join(
        [
            str(folder),
            str(ROOT),
            str(ROOT / "generated" / "python"),
            str(ROOT / "examples" / "chat" / "generated" / "python"),
        ]
    )
    return {**os.environ, "PYTHONPATH": path, **extra}


class Served:
    """One ``wiretype serve`` process; ``kill`` is SIGKILL, ``drain`` is SIGTERM."""

    def __init__(self, folder: Path, port: int, *args: str, **env: str) -> None:
        self.folder = folder
        self.port = port
        self.args = args
        self.env = env
        self.process: subprocess.Popen[str] | None = None

    async def start(self) -> int:
        command = [sys.executable, "-c", CLI, "serve", "crash_app:server", "--port",
                   str(self.port), *self.args]  # fmt: skip
        with (self.folder / "server.log").open("a") as errors:
            self.process = subprocess.Popen(
                command,
                cwd=self.folder,
                env=env_for(self.folder, **self.env),
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
            )
        assert self.process.stdout is not None
        line = await asyncio.get_running_loop().run_in_executor(None, self.process.stdout.readline)
        found = re.search(r"on ws://[^:]+:(\d+)", line)
        if found is None:
            self.process.communicate(timeout=10)
            err = (self.folder / "server.log").read_text()
            raise AssertionError(f"the server did not start: {line!r} {err[-3000:]}")
        self.port = int(found.group(1))
        return self.port

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.communicate()
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()

    async def drain(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        await asyncio.get_running_loop().run_in_executor(None, self.process.communicate)
        if self.process.stdout is not None:
            self.process.stdout.close()
        return self.process.returncode

    def stop(self) -> None:
        self.kill()
