"""``wiretype serve MODULE:SERVER``: run a ``Server`` from the command line.

The ``wiretype`` command (``registry/cli.py``) calls ``serve`` lazily, so that ``wiretype
--help`` never imports the runtime. Exit codes as everywhere: 0 served and drained, 2 a usage
mistake or something this version cannot do yet (said so, never silently ignored).
"""

from __future__ import annotations

import asyncio
import importlib
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigurationError
from .server import Server

__all__ = ["ServeOptions", "ServeUsageError", "load_server", "serve"]

_LATER = "this version has only the in-process (memory) one"


class ServeUsageError(Exception):
    """A mistake on the command line, or an option this version does not serve yet."""


@dataclass(frozen=True, slots=True)
class ServeOptions:
    target: str
    host: str = "127.0.0.1"
    port: int = 8765
    workers: int = 1
    store: str | None = None
    broker: str | None = None
    metrics: bool = False


def serve(options: ServeOptions) -> int:
    """Import the server, check the options, serve until SIGTERM/SIGINT (which drain)."""
    try:
        _check(options)
        server = load_server(options.target)
        _apply(server, options)
    except ServeUsageError as problem:
        print(f"wiretype: error: {problem}", file=sys.stderr)
        return 2
    try:
        asyncio.run(_run(server, options))
    except OSError as exc:  # the address is taken, or not ours
        print(
            f"wiretype: error: cannot listen on {options.host}:{options.port}: {exc}",
            file=sys.stderr,
        )
        return 2
    return 0


async def _run(server: Server, options: ServeOptions) -> None:
    await server.start(options.host, options.port)
    print(f"serving {options.target} on ws://{options.host}:{server.port}", flush=True)
    await server.until_signalled()
    print("drained", flush=True)


def _check(options: ServeOptions) -> None:
    if options.workers < 1:
        raise ServeUsageError("--workers must be 1 or more")
    if options.workers > 1:
        raise ServeUsageError(
            f"--workers {options.workers} needs a Redis broker and store (--broker redis://... "
            "--store redis://...) so that topics, sessions and resumes span the processes; "
            f"the Redis backends are not built yet ({_LATER}): run one worker per port"
        )
    for flag, url in (("--store", options.store), ("--broker", options.broker)):
        if url is not None and url not in ("memory", "memory://"):
            raise ServeUsageError(f"{flag} {url}: not built yet ({_LATER}, memory://)")
    if options.metrics:
        raise ServeUsageError("--metrics: the /metrics endpoint is not built yet in this version")


def load_server(target: str) -> Server:
    """The ``Server`` named by ``MODULE:ATTRIBUTE`` (``MODULE`` alone: its ``server``)."""
    module_name, _, attribute = target.partition(":")
    if not module_name:
        raise ServeUsageError(f"{target!r}: give MODULE:SERVER, e.g. chat.app:server")
    here = str(Path.cwd())
    if here not in sys.path:
        sys.path.insert(0, here)  # as `python -m` would: the project's own modules
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ServeUsageError(f"cannot import {module_name}: {exc}") from None
    except Exception as exc:  # the user's module failed: say where, in one line
        raise ServeUsageError(f"importing {module_name} failed: {_where(exc)}") from None
    found: object = module
    for part in (attribute or "server").split("."):
        if not hasattr(found, part):
            raise ServeUsageError(f"{module_name} has no {attribute or 'server'!r}")
        found = getattr(found, part)
    if not isinstance(found, Server):
        kind = type(found).__name__
        raise ServeUsageError(f"{target} is a {kind}, not a wiretype.Server")
    return found


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    place = f" ({frames[-1].filename}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{place}"


def _apply(server: Server, options: ServeOptions) -> None:
    if options.store is not None:
        from .store import open_store

        try:
            server.hub.store = open_store(options.store)
        except ConfigurationError as exc:
            raise ServeUsageError(str(exc)) from None
