"""The Redis store's batch writer: one ``MULTI`` ... ``EXEC`` per batch on a connection of
its own, packed by hiredis and read back with its reader.

redis-py's pipeline costs some ten microseconds of Python per command (it encodes every
argument in Python, keeps a callback per command and arms a timeout for every reply); a
durable message is three commands, so that was most of the node's time. Here a batch is
packed in C, written at once, and its replies are parsed in C; one timeout covers the batch.
Reads (sessions, claims, dead letters) stay on redis-py.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from typing import Any

__all__ = ["Pipe", "RespError"]

Command = tuple[Any, ...]


class RespError(Exception):
    """Redis refused the whole batch (``EXECABORT``, a failed ``AUTH``, ...)."""


class Pipe:
    """``await pipe.execute(commands)`` runs them as one transaction and returns the reply
    of each (a ``hiredis.ReplyError`` for a command Redis refused, the rest going through,
    as in a redis-py pipeline with ``raise_on_error=False``)."""

    def __init__(self, url: str, *, timeout_s: float = 5.0) -> None:
        import hiredis
        from redis.connection import parse_url

        self._hiredis = hiredis
        self._options = parse_url(url.replace("valkey://", "redis://", 1))  # type: ignore[no-untyped-call]
        self._tls = url.startswith("rediss://")
        self._timeout_s = timeout_s
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._closed = False  # by close(): no link is opened again (it would stay open)

    async def execute(self, commands: list[Command]) -> list[Any]:
        try:
            async with asyncio.timeout(self._timeout_s):
                if self._writer is None:
                    await self._connect()
                pack = self._hiredis.pack_command
                packed = [_MULTI, *(pack(command) for command in commands), _EXEC]
                replies = await self._roundtrip(b"".join(packed), len(commands) + 2)
        except BaseException:
            await self._drop()  # a broken or timed-out link is not reused
            raise
        done = replies[-1]
        if not isinstance(done, list):
            raise RespError(f"the batch was refused: {done}")
        return done

    async def _connect(self) -> None:
        if self._closed:
            raise ConnectionError("the store is closed")
        options = self._options
        if "path" in options:
            self._reader, self._writer = await asyncio.open_unix_connection(options["path"])
        else:
            context = ssl.create_default_context() if self._tls else None
            self._reader, self._writer = await asyncio.open_connection(
                options.get("host", "localhost"), options.get("port", 6379), ssl=context
            )
        if self._closed:  # closed while connecting
            await self._drop()
            raise ConnectionError("the store is closed")
        hello: list[Command] = []
        if options.get("password") is not None:
            user = options.get("username")
            hello.append(
                ("AUTH", user, options["password"]) if user else ("AUTH", options["password"])
            )
        if options.get("db"):
            hello.append(("SELECT", int(options["db"])))
        if hello:
            packed = b"".join(self._hiredis.pack_command(c) for c in hello)
            for reply in await self._roundtrip(packed, len(hello)):
                if isinstance(reply, self._hiredis.ReplyError):
                    raise RespError(f"Redis refused {hello[0][0]}: {reply}")

    async def _roundtrip(self, packed: bytes, count: int) -> list[Any]:
        assert self._reader is not None and self._writer is not None
        self._writer.write(packed)
        await self._writer.drain()
        parser = self._hiredis.Reader(encoding="utf-8", errors="surrogatepass")
        replies: list[Any] = []
        while len(replies) < count:
            reply = parser.gets()
            if reply is False:
                data = await self._reader.read(1 << 16)
                if not data:
                    raise ConnectionError("Redis closed the connection")
                parser.feed(data)
                continue
            replies.append(reply)
        return replies

    async def close(self) -> None:
        """Close the link, for good (``execute`` after it fails)."""
        self._closed = True
        await self._drop()

    async def _drop(self) -> None:
        writer, self._writer, self._reader = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError, RuntimeError):
                await writer.wait_closed()


_MULTI = b"*1\r\n$5\r\nMULTI\r\n"
_EXEC = b"*1\r\n$4\r\nEXEC\r\n"
