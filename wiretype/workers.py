"""``wiretype serve ... --workers N``: N processes sharing one port.

The parent binds the port with ``SO_REUSEPORT`` (to learn it when ``--port 0``, and to keep
it), starts N children that each listen on it with ``SO_REUSEPORT``, so the kernel spreads
new connections over them, and forwards SIGTERM / SIGINT to every child (each drains:
status ``draining``, close 1001; its clients reconnect to a sibling and resume from the
shared Redis store). A child that dies unexpectedly is started again. Exit 0 once every child
drained.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .cli import ServeOptions

__all__ = ["child_main", "supervise"]

_ENV = "WIRETYPE_WORKER_OPTIONS"
_CHILD = "from wiretype.workers import child_main; child_main()"
RESTARTS = 20  # a child that keeps dying is not started again past this many restarts


def supervise(options: ServeOptions) -> int:
    keeper = socket.socket(socket.AF_INET6 if ":" in options.host else socket.AF_INET)
    keeper.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    keeper.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        keeper.bind((options.host, options.port))
    except OSError as exc:
        print(f"wiretype: error: cannot listen on {options.host}:{options.port}: {exc}",
              file=sys.stderr)  # fmt: skip
        return 2
    port = int(keeper.getsockname()[1])
    fixed = dataclasses.replace(options, port=port)
    stopping = threading.Event()
    children = [_start(fixed, n) for n in range(options.workers)]
    metrics = []
    for child in children:
        line = _ready(child)
        if line is None:
            stopping.set()
            _stop_all(children)
            return 2
        metrics += re.findall(r"metrics on port (\d+)", line)

    def forward(signum: int, _frame: object) -> None:
        stopping.set()
        _stop_all(children)

    signal.signal(signal.SIGTERM, forward)  # before the serving line: a SIGTERM right after
    signal.signal(signal.SIGINT, forward)  # it drains, never kills the parent undrained
    ports = f"; metrics on ports {', '.join(metrics)}" if metrics else ""
    print(f"serving {options.target} on ws://{options.host}:{port} "
          f"({options.workers} workers{ports})", flush=True)  # fmt: skip
    restarts = 0
    while True:
        alive = False
        for n, child in enumerate(children):
            code = child.poll()
            if code is None:
                alive = True
            elif not stopping.is_set() and restarts < RESTARTS:
                restarts += 1
                print(f"worker {n} exited ({code}); starting it again", file=sys.stderr)
                children[n] = _start(fixed, n)
                alive = _ready(children[n]) is not None or alive
        if not alive:
            break
        time.sleep(0.05)
    keeper.close()
    print("drained", flush=True)
    return 0 if all(c.returncode == 0 for c in children) else 1


def _start(options: ServeOptions, number: int) -> subprocess.Popen[str]:
    env = {**os.environ, _ENV: json.dumps({**dataclasses.asdict(options), "worker": number})}
    return subprocess.Popen(
        [sys.executable, "-c", _CHILD], env=env, stdout=subprocess.PIPE, text=True
    )


def _ready(child: subprocess.Popen[str]) -> str | None:
    """Wait for the child's serving line (returned); then relay the rest of its output."""
    assert child.stdout is not None
    line = child.stdout.readline()
    if not line.startswith("serving"):
        child.wait()
        return None
    threading.Thread(target=_relay, args=(child,), daemon=True).start()
    return line


def _relay(child: subprocess.Popen[str]) -> None:
    assert child.stdout is not None
    for line in child.stdout:
        if line.strip() != "drained":
            sys.stdout.write(line)
            sys.stdout.flush()


def _stop_all(children: list[subprocess.Popen[str]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)


def child_main() -> None:
    """One worker: the server of the options in the environment, on the shared port."""
    from .cli import ServeOptions, ServeUsageError, _apply, load_server, run_one

    raw = json.loads(os.environ[_ENV])
    number = raw.pop("worker")
    options = ServeOptions(**raw)
    os.environ["WIRETYPE_WORKER"] = str(number)
    try:
        server = load_server(options.target)
        _apply(server, options)
    except ServeUsageError as problem:
        print(f"wiretype: error: {problem}", file=sys.stderr)
        sys.exit(2)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent forwards what it gets
    sys.exit(run_one(server, options, reuse_port=True))
