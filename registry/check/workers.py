"""Share out work among a few processes, when there is enough of it.

A cold ``check`` (CI, a fresh clone) works out a report for every definition
file; each is independent of the others, so on a machine with several cores
the files are shared out among forked copies of the process, each sending
back its results as JSON. Only where forking is safe and cheap (Linux, a
process with one thread) and only for enough files to pay for it; anywhere
else, and whenever a worker fails, the work is done in this process. The
results are the same either way: each part is worked out by the same code,
and they come back in order.

``WIRETYPE_JOBS=N`` caps the processes (``1``: never fork).
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

PER_JOB = 24  # the fewest items worth a process of their own
MAX_JOBS = 4


def jobs(count: int) -> int:
    """How many processes to share ``count`` items among."""
    if sys.platform != "linux" or not hasattr(os, "fork") or threading.active_count() > 1:
        return 1
    asked = os.environ.get("WIRETYPE_JOBS", "")
    cores = len(os.sched_getaffinity(0))
    wanted = int(asked) if asked.isdigit() and int(asked) > 0 else min(cores, MAX_JOBS)
    return max(1, min(wanted, count // PER_JOB))


def _as_is(result: Any) -> Any:
    return result


def in_processes(
    items: Sequence[T],
    work: Callable[[Sequence[T]], Any],
    send: Callable[[Any], Any] = _as_is,
    receive: Callable[[Any], Any] = _as_is,
) -> list[Any]:
    """``work(part)`` for every part of ``items``, in part order. A worker's result crosses
    as JSON: ``send`` turns it into JSON data there, ``receive`` back into a result here
    (the part worked out in this process never makes the round trip)."""
    count = jobs(len(items))
    parts = [items[i::count] for i in range(count)]
    started = [_start(work, part, send) for part in parts[1:]]
    results = [work(parts[0])]
    for (pid, pipe), part in zip(started, parts[1:], strict=True):
        found = _collect(pid, pipe)
        results.append(work(part) if found is None else receive(found))
    return results


def _start(
    work: Callable[[Sequence[T]], Any], part: Sequence[T], send: Callable[[Any], Any]
) -> tuple[int, int]:
    """Fork a worker for ``part``: (its pid, the pipe its result comes through)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write)
        return pid, read
    status = 1
    try:  # the worker: never returns into the caller's code
        os.close(read)
        with os.fdopen(write, "wb") as out:
            out.write(json.dumps(send(work(part)), separators=(",", ":")).encode())
        status = 0
    finally:
        os._exit(status)


def _collect(pid: int, pipe: int) -> Any:
    """A worker's result, or None when it failed."""
    with os.fdopen(pipe, "rb") as source:
        raw = source.read()
    _, status = os.waitpid(pid, 0)
    if status != 0:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None
