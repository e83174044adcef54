"""Lifecycle over 127.0.0.1: SIGTERM drains a running server, hooks, retries that run out."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import chat_protocol as proto
import pytest

from tests.runtime.e2e import bounded, closed_code, frames_until, hello, raw
from tests.runtime.helpers import sent_v3
from wiretype import Client, Context, SendFailed, Server

pytestmark = pytest.mark.timeout(40)
ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    import sys
    import chat_protocol as proto
    from wiretype import Server

    server = Server(proto, drain_ms=5_000)
    server.run("127.0.0.1", int(sys.argv[1]))
    print("drained", flush=True)
""")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _until_listening(port: int, process: subprocess.Popen[str]) -> None:
    while process.poll() is None:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.02)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise AssertionError("the server process ended")


@bounded
async def test_sigterm_sends_status_then_1001_then_the_process_exits() -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "examples" / "chat" / "generated" / "python")},
    )
    try:
        await _until_listening(port, process)
        ws = await raw(port)
        await ws.send(hello())
        await frames_until(ws, "wiretype.welcome")
        process.send_signal(signal.SIGTERM)
        status = await frames_until(ws, "wiretype.status")
        assert status["data"]["state"] == "draining"
        assert await closed_code(ws) == 1001
        out, _ = await asyncio.get_running_loop().run_in_executor(None, process.communicate)
        assert process.returncode == 0 and "drained" in out
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


@bounded
async def test_connect_and_disconnect_hooks_see_the_context() -> None:
    server = Server(proto, auth=lambda request: "ada")
    seen: list[tuple[str, object, object]] = []
    gone = asyncio.Event()

    @server.on_connect
    async def connected(ctx: Context) -> None:
        seen.append(("connect", ctx.principal, ctx.client))

    @server.on_disconnect
    async def disconnected(ctx: Context, code: int | None) -> None:
        seen.append(("disconnect", ctx.session_id is not None, code))
        gone.set()

    async with server.serving():
        async with Client(proto, f"ws://127.0.0.1:{server.port}", name="hooked"):
            pass
        await gone.wait()
    assert seen == [("connect", "ada", "hooked"), ("disconnect", True, 1000)]


@bounded
async def test_a_send_that_is_never_acked_fails_after_the_retries() -> None:
    server = Server(proto)
    release = asyncio.Event()
    runs = 0

    @server.on("chat.message_sent")
    async def stuck(msg: object, ctx: Context) -> None:
        nonlocal runs
        runs += 1
        await release.wait()

    async with server.serving():
        client = Client(proto, f"ws://127.0.0.1:{server.port}", ack_timeout_ms=100, retries=2)
        async with client:
            with pytest.raises(SendFailed) as failed:
                await client.send(proto.MessageSentV3(**sent_v3()), ack=True)
            release.set()
    assert failed.value.code == "timeout"
    assert runs == 1  # the resends reached a handler still running: not run again


@bounded
async def test_draining_server_refuses_new_connections_with_503() -> None:
    from websockets.exceptions import InvalidStatus

    server = Server(proto)
    async with server.serving():
        held = await raw(server.port)
        await held.send(hello())
        await frames_until(held, "wiretype.welcome")
        drain = asyncio.create_task(server.drain(deadline_ms=1_000))
        assert await closed_code(held) == 1001
        with pytest.raises((InvalidStatus, OSError)):
            await raw(server.port)
        await drain
