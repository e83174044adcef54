"""The SQLite store's writes: the statements, a batch as a plan, and the writer process.

A batch is a *plan*: a list of ``(statement name, rows)`` run in order in one transaction
(``apply``). The node runs it either on its event loop's thread or, on a machine with more
than one core, in a writer process of its own (``WriterProcess``): a commit is CPU work
(with ``synchronous=NORMAL`` it does not wait on the disk) that holds the GIL for every row
it binds, so a thread cannot run it beside the loop, but another process can. The node then
only encodes the batch (``encode``: column by column, text joined by newlines, numbers as
arrays of 8-byte values) and waits for the reply (about 1 us a message against the 9 of the
commit itself); it keeps taking messages in meanwhile,
and what comes during a commit forms the next batch. An ack still waits for the commit of
the row it follows: the reply comes after ``COMMIT``.

The process runs this file as a script (``python -I sqlite_writer.py PATH FD BUSY_MS``,
standard library only). It reads requests from a socket it shares with the node, each an
8-byte length then a body: ``commit`` with a plan, or ``claim`` (jobs due, marked
taken, returned). It names statements, never carries SQL; it ends when the node's end of the
socket closes, also when the node was killed (a commit under way finishes first; a batch
read after the node died is not written: no ack can follow it, and the node's next run
reads the file before that commit could land). It ignores SIGINT and SIGTERM, which reach
the whole group while the node drains. Every statement is safe to run twice, so a batch
whose writer died is given to the next one.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import json.encoder
import os
import signal
import socket
import sqlite3
import sys
from array import array
from collections.abc import Callable
from math import isfinite
from typing import Any

__all__ = [
    "STATEMENTS",
    "TAKEN",
    "Plan",
    "WriterGoneError",
    "WriterProcess",
    "apply",
    "claim",
    "general_record",
    "record",
]

TAKEN = 9e18  # claimed_until of a job taken by this run (one node: runs reset it at open)
SOCKET_BUFFER = 4 << 20  # a batch in one write (about 600 bytes a durable message)
Plan = list[tuple[str, list[tuple[Any, ...]]]]

STATEMENTS = {
    "meta": "INSERT OR REPLACE INTO sessions (id, meta, detached_at) VALUES (?, ?, ?)",
    "frame": "INSERT OR REPLACE INTO frames VALUES (?, ?, ?, ?, ?)",
    "pending": "INSERT OR REPLACE INTO pending VALUES (?, ?, ?, ?, ?)",
    "answer": "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?)",
    "job": "INSERT OR IGNORE INTO jobs (id, prio, next_at, claimed_until, job) "
    "VALUES (?, ?, ?, ?, ?)",
    "revive": "INSERT OR REPLACE INTO jobs (id, prio, next_at, claimed_until, job) "
    "VALUES (?, ?, ?, 0, ?)",
    "undead": "DELETE FROM dead WHERE id = ?",
    "bury": "INSERT OR REPLACE INTO dead VALUES (?, ?, ?, ?)",
    "unjob": "DELETE FROM jobs WHERE id = ?",
    "retry": "UPDATE jobs SET next_at = ?, claimed_until = 0, job = ? WHERE id = ?",
    "trim": "DELETE FROM frames WHERE session = ? AND seq <= ?",
    "taken": "DELETE FROM pending WHERE session = ? AND n <= ?",
    "prune": "DELETE FROM answers WHERE at <= ?",
    "drop_sessions": "DELETE FROM sessions WHERE id = ?",
    "drop_frames": "DELETE FROM frames WHERE session = ?",
    "drop_pending": "DELETE FROM pending WHERE session = ?",
    "drop_answers": "DELETE FROM answers WHERE session = ?",
}
_CLAIM = (
    "SELECT id, job FROM jobs WHERE claimed_until < ? AND next_at <= ? ORDER BY prio, n LIMIT ?"
)


def _list_encoder() -> Callable[[list[Any]], str]:
    """Compact JSON of a list of plain values, without ``json.dumps``'s per-call set-up;
    strings are escaped to ASCII."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # not CPython: the same output, a little slower
        return json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode
    chunks = make(
        None, None, json.encoder.encode_basestring_ascii, None, ":", ",", False, False, False
    )

    def encode(values: list[Any]) -> str:
        return "".join(chunks(values, 0))

    return encode


_encode = _list_encoder()
_quote: Callable[[str], str] = json.encoder.encode_basestring_ascii  # a JSON string, as _encode


def record(fields: tuple[Any, ...]) -> str:
    """A durable job as stored: its fields (``Job.fields``) as a JSON list, the data (the
    fourth) embedded as the JSON it is. Made here for every new job (``new_job`` rows are
    those fields), and by ``Job.to_json`` for the rest."""
    ident, name, version, data, session, message_id, principal, client = fields[:8]
    at, prio, ends, attempts, due, error = fields[8:]
    if (
        type(at) is float
        and type(due) is float
        and (ends is None or type(ends) is float)
        and type(version) is int
        and type(prio) is int
        and type(attempts) is int
        and isfinite(at + due + (ends or 0.0))
    ):  # the usual job: the fields of their types, written straight (as _encode does)
        q = _quote
        return (
            f"[{q(ident)},{q(name)},{version},{data},{q(session)},{q(message_id)},"
            f"{q(principal)},{q(client)},{at!r},{prio},{'null' if ends is None else repr(ends)},"
            f"{attempts},{due!r},{q(error)}]"
        )
    return general_record(fields)


def general_record(fields: tuple[Any, ...]) -> str:
    """``record`` by the JSON encoder, for fields of any type (the same text)."""
    head = _encode(list(fields[:3]))
    tail = _encode(list(fields[4:]))
    return f"{head[:-1]},{fields[3]},{tail[1:]}"


def _new_jobs(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """``new_job`` rows (a job's fields) as ``job`` rows: taken by this node at once."""
    return [(r[0], r[9], r[12], TAKEN, record(r)) for r in rows]


def apply(db: sqlite3.Connection, plan: Plan) -> None:
    """The plan in one transaction (rolled back when a statement fails)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        for name, rows in plan:
            if name == "new_job":
                db.executemany(STATEMENTS["job"], _new_jobs(rows))
            else:
                db.executemany(STATEMENTS[name], rows)
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def claim(db: sqlite3.Connection, limit: int, now: float) -> list[tuple[str, str]]:
    """Up to ``limit`` jobs due at ``now`` and not taken, marked taken: (id, record)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        rows = db.execute(_CLAIM, (now, now, limit)).fetchall()
        db.executemany(
            "UPDATE jobs SET claimed_until = ? WHERE id = ?", [(TAKEN, r[0]) for r in rows]
        )
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    return [(str(ident), str(text)) for ident, text in rows]


# --- a plan as text -------------------------------------------------------------------------


def encode(plan: Plan) -> bytes:
    """A plan as one body: a JSON head line (per statement: its name, its row count and how
    each of its columns travels), then the columns' bytes, each column as a whole: text
    joined by newlines (when none holds one), integers and floats as arrays of 8-byte
    values, a value repeated down the column once; anything else as JSON in the head."""
    head: list[Any] = []
    parts: list[bytes] = []
    for name, rows in plan:
        if rows:
            head.append([name, len(rows), [_column(c, parts) for c in zip(*rows, strict=True)]])
    body = json.dumps(head, separators=(",", ":"), check_circular=False).encode()
    return b"".join([body, b"\n", *parts])


def _column(column: tuple[Any, ...], parts: list[bytes]) -> list[Any]:
    """How ``column`` travels (appending its bytes to ``parts``)."""
    first = column[0]
    if column.count(first) == len(column) and type(first) in _CONSTANTS:
        return ["c", first]
    if type(first) is str:
        try:
            joined = "\n".join(column)
        except TypeError:  # not all text
            return ["j", column]
        if joined.count("\n") == len(column) - 1:
            data = joined.encode("utf-8", "surrogatepass")
            parts.append(data)
            return ["t", len(data)]
        return ["j", column]
    for code in ("q", "d"):  # integers, then floats (SQLite stores 4 and 4.0 alike)
        try:
            values = array(code, column)
        except (TypeError, OverflowError):
            continue
        if code == "q" or values.tolist() == list(column):  # no integer rounded
            data = values.tobytes()
            parts.append(data)
            return [code, len(data)]
    return ["j", column]


_CONSTANTS = (str, int, float, type(None), bool)


def decode(data: bytes) -> Plan:
    cut = data.index(b"\n")
    at = cut + 1
    plan: Plan = []
    for name, count, specs in json.loads(data[:cut]):
        if name not in STATEMENTS and name != "new_job":
            raise ValueError(f"no statement called {name!r}")
        columns: list[Any] = []
        for kind, value in specs:
            if kind == "j":
                columns.append(value)
            elif kind == "c":
                columns.append(itertools.repeat(value, count))
            else:
                chunk = data[at : at + value]
                at += value
                if kind == "t":
                    columns.append(chunk.decode("utf-8", "surrogatepass").split("\n"))
                else:
                    values = array(kind)
                    values.frombytes(chunk)
                    columns.append(values.tolist())
        rows = list(zip(*columns, strict=True))
        if len(rows) != count:
            raise ValueError(f"{name}: {len(rows)} rows, {count} announced")
        plan.append((name, rows))
    return plan


def _framed(body: bytes) -> bytes:
    return len(body).to_bytes(8, "big") + body


# --- the node's side ------------------------------------------------------------------------


class WriterGoneError(Exception):
    """The writer process ended or could not start (the store retries with a new one)."""


class WriterProcess:
    """The writer process of one SQLite file, as the node sees it: one request at a time."""

    def __init__(self, path: str, busy_timeout_ms: int) -> None:
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._lock = asyncio.Lock()

    async def _start(self) -> None:
        ours, theirs = socket.socketpair()
        for end in (ours, theirs):
            end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SOCKET_BUFFER)
            end.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SOCKET_BUFFER)
        try:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable, "-I", __file__, self.path, str(theirs.fileno()),
                str(self.busy_timeout_ms), pass_fds=(theirs.fileno(),),
                stdin=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
        except OSError as exc:
            ours.close()
            raise WriterGoneError(f"cannot start the writer process: {exc}") from None
        finally:
            theirs.close()
        self._reader, self._writer = await asyncio.open_unix_connection(sock=ours)

    async def commit(self, plan: Plan) -> None:
        await self._call(b"c" + encode(plan))

    async def claim(self, limit: int, now: float) -> list[tuple[str, str]]:
        reply = await self._call(b"q" + json.dumps([limit, now]).encode())
        return [(str(i), str(t)) for i, t in reply]

    async def _call(self, body: bytes) -> Any:
        async with self._lock:
            if self._writer is None:
                await self._start()
            assert self._reader is not None and self._writer is not None
            try:
                self._writer.write(_framed(body))
                size = int.from_bytes(await self._reader.readexactly(8), "big")
                reply = json.loads(await self._reader.readexactly(size))
            except (OSError, asyncio.IncompleteReadError) as exc:
                await self._ended()
                raise WriterGoneError(f"the writer process ended ({type(exc).__name__})") from None
            except BaseException:  # cancelled mid-request: its reply must not answer the next
                self._abandon()
                raise
        if "error" in reply:
            raise sqlite3.OperationalError(str(reply["error"]))
        return reply["ok"]

    async def close(self) -> None:
        async with self._lock:
            await self._ended()

    def _abandon(self) -> None:
        """Drop this process at once (a request of ours is left without its reply)."""
        writer, process = self._writer, self._process
        self._writer = self._reader = self._process = None
        if writer is not None:
            writer.close()
        if process is not None and process.returncode is None:
            process.kill()

    async def _ended(self) -> None:
        """Close our end (the process ends when it reads that) and reap the process."""
        writer, process = self._writer, self._process
        self._writer = self._reader = self._process = None
        if writer is not None:
            writer.close()
        if process is not None:
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()


# --- the process ----------------------------------------------------------------------------


def _answer(db: sqlite3.Connection, body: bytes) -> dict[str, Any]:
    try:
        if body[:1] == b"c":
            apply(db, decode(body[1:]))
            return {"ok": None}
        limit, now = json.loads(body[1:])
        return {"ok": claim(db, int(limit), float(now))}
    except Exception as exc:  # the batch is refused; the writer goes on
        return {"error": f"{type(exc).__name__}: {exc}"}


def _serve(path: str, fd: int, busy_timeout_ms: int) -> None:
    # Ctrl-C or a service manager signals the node's whole group: the node drains, and its
    # last batches still need this process, which ends when the node closes the socket.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    db = sqlite3.connect(path, isolation_level=None, timeout=0.0)
    db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA wal_autocheckpoint = 0")  # the node checkpoints, in a thread
    node = os.getppid()
    with socket.socket(fileno=fd) as sock, sock.makefile("rb") as requests:
        while len(head := requests.read(8)) == 8:
            size = int.from_bytes(head, "big")
            body = requests.read(size)
            if len(body) < size or os.getppid() != node:
                break  # the node is gone: no ack can follow this batch, so it is not written
            reply = json.dumps(_answer(db, body), separators=(",", ":"))
            try:
                sock.sendall(_framed(reply.encode("utf-8", "surrogatepass")))
            except OSError:
                break
    db.close()


if __name__ == "__main__":
    _serve(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
