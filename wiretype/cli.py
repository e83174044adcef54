"""``wiretype serve MODULE:SERVER``: run a ``Server`` from the command line.

The ``wiretype`` command (``registry/cli/runtime.py``) calls ``serve`` lazily, so that ``wiretype
--help`` never imports the runtime. Exit codes as everywhere: 0 served and drained, 2 a usage
mistake, a store that cannot be opened, or something this version cannot do (said so, never
silently ignored). ``--workers N`` is ``workers.py``; ``wiretype dlq`` is ``dlq.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import os
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigurationError
from .server import Server
from .store import StoreError

__all__ = ["ServeOptions", "ServeUsageError", "load_server", "serve"]


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
    metrics: bool | None = None  # None: as the Server says (on unless Server(metrics=False))
    metrics_port: int | None = None


def serve(options: ServeOptions) -> int:
    """Import the server, check the options, serve until SIGTERM/SIGINT (which drain)."""
    try:
        _check(options)
        server = load_server(options.target)
        _apply(server, options)
        _check_workers(server, options)
        _note_metrics(options)
    except ServeUsageError as problem:
        print(f"wiretype: error: {problem}", file=sys.stderr)
        return 2
    if options.workers > 1:
        from .workers import supervise

        return supervise(options)
    return run_one(server, options)


def run_one(server: Server, options: ServeOptions, *, reuse_port: bool = False) -> int:
    raise_fd_limit()
    try:
        asyncio.run(_run(server, options, reuse_port))
    except StoreError as exc:
        print(f"wiretype: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # the address is taken, or not ours
        print(
            f"wiretype: error: cannot listen on {options.host}:{options.port}: {exc}",
            file=sys.stderr,
        )
        return 2
    return 0


async def _run(server: Server, options: ServeOptions, reuse_port: bool) -> None:
    extra = {"reuse_port": True} if reuse_port else {}
    try:
        await server.start(options.host, options.port, **extra)
    except BaseException:
        await server.hub.stop()
        raise
    tune_collector()
    metrics = f" (metrics on port {server.metrics_port})" if server.metrics_port else ""
    line = f"serving {options.target} on ws://{options.host}:{server.port}{metrics}"
    await server.until_signalled(ready=lambda: print(line, flush=True))
    print("drained", flush=True)


YOUNG_COLLECTION = 20_000  # net allocations between young collections (CPython's: 700)


def tune_collector() -> None:
    """The serving process is ours: what was loaded to start it (modules, the package's
    models, the sessions read back) is frozen out of the cyclic collector's passes, and its
    young passes run every ``YOUNG_COLLECTION`` net allocations instead of 700. A message's
    objects die by reference counting, so those passes found almost nothing, yet they took
    0.25 s of every 44,000 durable messages in ``bench/bench_store.py`` (about 6 us of the
    40 a message cost on a loaded machine; 0.02 s now). Cycles are still collected, later."""
    gc.collect()
    gc.freeze()
    young, *older = gc.get_threshold()
    gc.set_threshold(max(young, YOUNG_COLLECTION), *older)


def _check(options: ServeOptions) -> None:
    if options.workers < 1:
        raise ServeUsageError("--workers must be 1 or more")
    if not 0 <= options.port < 65536:
        raise ServeUsageError(f"--port {options.port}: not a port number (0 takes any free one)")
    if options.metrics is False and options.metrics_port is not None:
        raise ServeUsageError("--metrics-port and --no-metrics contradict each other")
    if options.metrics_port is not None and not 0 <= options.metrics_port < 65536:
        raise ServeUsageError(f"--metrics-port {options.metrics_port}: not a port number")


def _note_metrics(options: ServeOptions) -> None:
    """Once the options are known to serve (never a note above an error)."""
    if options.workers > 1 and options.metrics is not False and options.metrics_port is None:
        print(
            "wiretype: note: with --workers, /metrics on the shared port answers for whichever "
            "worker takes the request; give --metrics-port P (worker n serves P+n)",
            file=sys.stderr,
        )


def _check_workers(server: Server, options: ServeOptions) -> None:
    """N > 1 processes share sessions and topics only through Redis: refuse otherwise."""
    if options.workers <= 1:
        return
    missing = [
        f"{what} (--{what} redis://host:port/db)"
        for what, kind in (("store", server.store.kind), ("broker", server.broker.kind))
        if kind != "redis"
    ]
    if missing:
        raise ServeUsageError(
            f"--workers {options.workers} needs a Redis broker and store, so that topics, "
            f"sessions and resumes span the processes; missing: {', '.join(missing)}"
        )


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
        _not_a_file(target, module_name, attribute)
        raise ServeUsageError(f"cannot import {module_name}: {exc}") from None
    except Exception as exc:  # the user's module failed: say where, in one line
        _not_a_file(target, module_name, attribute)
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


def _not_a_file(target: str, module_name: str, attribute: str) -> None:
    """``app.py:server`` or ``src/app:server`` that did not import: say the dotted name."""
    if module_name.endswith(".py") or "/" in module_name or "\\" in module_name:
        dotted = module_name.removesuffix(".py").strip("./\\").replace("/", ".")
        raise ServeUsageError(
            f"{target!r}: MODULE is a module's dotted name, not a file: "
            f"{dotted.replace(chr(92), '.')}:{attribute or 'server'} "
            "(run from the folder it is imported from)"
        )


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    place = f" ({frames[-1].filename}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{place}"


def _apply(server: Server, options: ServeOptions) -> None:
    from .broker import open_broker
    from .store import open_store

    try:
        if options.store is not None:
            server.hub.store = open_store(options.store)
        if options.broker is not None:
            server.hub.broker = open_broker(options.broker)
    except ConfigurationError as exc:
        raise ServeUsageError(str(exc)) from None
    _apply_metrics(server, options)


def _apply_metrics(server: Server, options: ServeOptions) -> None:
    """``--metrics`` / ``--no-metrics`` / ``--metrics-port P`` (worker n of ``--workers``
    serves its own on P+n)."""
    if options.metrics is False:
        server.hub.metrics = server.hub.tally = None
        return
    if options.metrics_port is not None:
        worker = int(os.environ.get("WIRETYPE_WORKER", "0"))
        server.metrics_port = options.metrics_port + worker if options.metrics_port else 0
    if server.hub.metrics is None and (options.metrics or options.metrics_port is not None):
        server._meter((), None, None, None)
    if server.hub.metrics is not None:
        server.hub.metrics.port = server.metrics_port


def raise_fd_limit(want: int = 65_536) -> int:
    """Raise the soft limit on open files towards ``want`` (a server of thousands of
    connections needs more than the usual 1,024); returns the limit in force."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]
