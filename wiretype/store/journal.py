"""The client's offline queue kept in an SQLite file (``queue_path``), so that messages
queued while offline survive a restart of the client process. Only JSON is stored and read
back (validated again by the package); nothing is executed."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from ..protocol.client import Outgoing
from ..protocol.package import Package

_SCHEMA = """
CREATE TABLE IF NOT EXISTS queue (
    id TEXT PRIMARY KEY, type TEXT NOT NULL, v INTEGER NOT NULL, data TEXT NOT NULL,
    ack INTEGER NOT NULL, prio INTEGER NOT NULL, ts INTEGER, ttl INTEGER,
    stamp INTEGER NOT NULL
)
"""


class SqliteJournal:
    __slots__ = ("_db", "_stamp")

    def __init__(self, path: str | Path) -> None:
        self._db = sqlite3.connect(str(path), isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)
        row = self._db.execute("SELECT COALESCE(MAX(stamp), 0) FROM queue").fetchone()
        self._stamp = int(row[0])

    def put(self, item: Outgoing, data_json: str, version: int) -> None:
        self._stamp += 1
        self._db.execute(
            "INSERT OR REPLACE INTO queue VALUES (?,?,?,?,?,?,?,?,?)",
            (
                item.id,
                item.type,
                version,
                data_json,
                int(item.ack),
                item.prio,
                item.ts,
                item.ttl,
                self._stamp,
            ),
        )

    def remove(self, message_id: str) -> None:
        self._db.execute("DELETE FROM queue WHERE id = ?", (message_id,))

    def load(self, package: Package) -> list[Outgoing]:
        """What was queued, oldest first; rows the package cannot read are dropped."""
        out: list[Outgoing] = []
        rows = self._db.execute(
            "SELECT id, type, v, data, ack, prio, ts, ttl FROM queue ORDER BY stamp"
        ).fetchall()
        for ident, name, version, data, ack, prio, ts, ttl in rows:
            try:
                model = package.decode_data(name, version, json.loads(data))
            except Exception:
                self.remove(ident)
                continue
            out.append(Outgoing(ident, name, model, bool(ack), prio, ts, ttl, len(data)))
        return out

    def close(self) -> None:
        self._db.close()
