"""``wiretype serve MODULE:SERVER``: a real process serving, drained by SIGTERM; the options
this version cannot serve yet are refused with exit 2 and a message naming what is missing."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import run, write_tree
from tests.runtime.e2e import bounded, closed_code, frames_until, hello, raw
from tests.runtime.helpers import sent_v3

pytestmark = pytest.mark.timeout(40)
ROOT = Path(__file__).resolve().parents[2]
APP = """\
import chat_protocol as proto
from wiretype import Server

server = Server(proto, drain_ms=5_000)
not_a_server = 42


@server.on("chat.message_sent")
async def posted(msg, ctx):
    return None
"""
BROKEN = "import wiretype\nraise RuntimeError('no database configured')\n"
CLI = "import sys; from registry.cli import main; sys.argv[0] = 'wiretype'; main()"


def _env(folder: Path) -> dict[str, str]:
    path = os.pathsep.join(
        [
            str(folder),
            str(ROOT),
            str(ROOT / "generated" / "python"),
            str(ROOT / "examples" / "chat" / "generated" / "python"),
        ]
    )
    return {**os.environ, "PYTHONPATH": path}


async def _serving_port(process: subprocess.Popen[str]) -> int:
    assert process.stdout is not None
    line = await asyncio.get_running_loop().run_in_executor(None, process.stdout.readline)
    found = re.search(r"on ws://127\.0\.0\.1:(\d+)", line)
    assert found, f"no serving line: {line!r}"
    return int(found.group(1))


@bounded
async def test_serve_runs_the_server_and_sigterm_drains_it(tmp_path: Path) -> None:
    write_tree(tmp_path, {"chat_app.py": APP})
    process = subprocess.Popen(
        [sys.executable, "-c", CLI, "serve", "chat_app:server", "--port", "0"],
        cwd=tmp_path,
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = await _serving_port(process)
        ws = await raw(port)
        await ws.send(hello())
        await frames_until(ws, "wiretype.welcome")
        message = {"type": "chat.message_sent", "v": 3, "id": "m1", "data": sent_v3()}
        await ws.send(json.dumps({**message, "ack": True}))
        assert (await frames_until(ws, "wiretype.ack"))["re"] == "m1"
        process.send_signal(signal.SIGTERM)
        status = await frames_until(ws, "wiretype.status")
        assert status["data"]["state"] == "draining" and status["data"]["retry_in_ms"] >= 0
        assert await closed_code(ws) == 1001
        out, _ = await asyncio.get_running_loop().run_in_executor(None, process.communicate)
        assert process.returncode == 0 and "drained" in out
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--workers", "2"], "--workers 2 needs a Redis broker and store"),
        (["--workers", "2", "--store", "sqlite:///tmp/x.db"], "missing: store (--store redis"),
        (["--workers", "2", "--store", "redis://127.0.0.1:1/0"], "missing: broker (--broker"),
        (["--workers", "0"], "--workers must be 1 or more"),
        (["--store", "mysql://db/x"], "not a store URL"),
        (["--broker", "kafka://x"], "not a broker URL"),
        (["--no-metrics", "--metrics-port", "9100"], "--metrics-port and --no-metrics"),
        (["--metrics-port", "70000"], "--metrics-port 70000: not a port number"),
        (["--port", "99999"], "--port 99999: not a port number"),
        (["--port", "-1"], "--port -1: not a port number"),
    ],
)
def test_options_that_cannot_be_served_are_refused_never_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], said: str
) -> None:
    write_tree(tmp_path, {"chat_app.py": APP})
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        result = run("serve", "chat_app:server", *args)
    finally:
        sys.modules.pop("chat_app", None)
    assert result.exit_code == 2
    assert said in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("target", "said"),
    [
        ("no_such_module:server", "cannot import no_such_module"),
        ("chat_app:nothing", "chat_app has no 'nothing'"),
        ("chat_app:not_a_server", "chat_app:not_a_server is a int, not a wiretype.Server"),
        ("broken_app:server", "importing broken_app failed: RuntimeError: no database"),
        (":server", "give MODULE:SERVER"),
        ("chat_app.py:server", "MODULE is a module's dotted name, not a file: chat_app:server"),
        ("./chat_app.py", "not a file: chat_app:server"),
        ("pkg/chat_app:server", "not a file: pkg.chat_app:server"),
    ],
)
def test_a_target_that_is_not_a_server_is_exit_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, said: str
) -> None:
    write_tree(tmp_path, {"chat_app.py": APP, "broken_app.py": BROKEN})
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        result = run("serve", target)
    finally:
        for name in ("chat_app", "broken_app"):
            sys.modules.pop(name, None)
    assert result.exit_code == 2
    assert said in result.stderr and "Traceback" not in result.stderr
    if target.startswith("broken_app"):
        assert "broken_app.py:2" in result.stderr


def test_the_command_line_does_not_import_the_runtime_to_start() -> None:
    probe = "import sys, registry.cli; print('wiretype' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


def test_serve_freezes_what_it_loaded_and_collects_young_objects_less_often() -> None:
    # in a process of its own: freezing this one would move every later test's collections
    probe = (
        "import gc; from wiretype.cli import YOUNG_COLLECTION, tune_collector; "
        "before = gc.get_threshold(); tune_collector(); "
        "print(gc.get_threshold() == (YOUNG_COLLECTION, *before[1:]), gc.get_freeze_count() > 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["True", "True"]
