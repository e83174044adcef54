"""``wiretype dlq list|show|retry|drop --store URL``: the dead letters of durable handlers.

``list`` prints one line per dead letter (exit 1 when there is any, 0 when none, so a script
can tell); ``show ID`` prints one with its stored message and error; ``retry ID`` puts it
back in the queue (attempts reset; a running server picks it up), ``drop ID`` deletes it;
``--all`` instead of an id acts on every one. ``--format json`` for scripts. Exit 2 for an
unknown id, a store that cannot be opened, an SQLite file that does not exist (never created
by looking), or a store that keeps nothing (memory).
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime
from typing import Any

from ._common import now_ms
from .errors import ConfigurationError
from .store import DeadLetter, Store, StoreError, open_store

__all__ = ["ACTIONS", "run"]

ACTIONS = ("list", "show", "retry", "drop")


class _UsageError(Exception):
    pass


def run(action: str, store_url: str, ident: str | None, every: bool, fmt: str) -> int:
    try:
        if action not in ACTIONS:
            raise _UsageError(f"dlq {action!r}: give one of {', '.join(ACTIONS)}")
        if action != "list" and (ident is None) == (not every):
            raise _UsageError(f"dlq {action}: give one dead letter's ID, or --all")
        if fmt not in ("text", "json"):
            raise _UsageError("--format must be text or json for dlq")
        store = open_store(store_url)
        if not store.durable:
            raise _UsageError(
                f"store {store_url}: keeps nothing across processes; give sqlite or redis"
            )
        _check_exists(store)
        return asyncio.run(_act(store, action, ident, every, fmt))
    except (_UsageError, ConfigurationError, StoreError) as problem:
        print(f"wiretype: error: {problem}", file=sys.stderr)
        return 2


def _check_exists(store: Store) -> None:
    """An SQLite path that names no file is a typo, not an empty store: opening it would
    create a database and report "no dead letters"."""
    from .store.sqlite import SqliteStore

    if isinstance(store, SqliteStore) and store.path.parent.is_dir() and not store.path.exists():
        raise _UsageError(
            f"store {store.url}: no database at {store.path} (a server creates it when it "
            "first opens the store)"
        )


async def _act(store: Store, action: str, ident: str | None, every: bool, fmt: str) -> int:
    await store.open()
    try:
        if action == "list":
            dead = await store.dead_letters(10**6)
            _print_list(dead, fmt)
            return 1 if dead else 0
        if every:
            targets = [d.job.id for d in await store.dead_letters(10**6)]
        else:
            targets = [await _resolve(store, str(ident))]
        if action == "show":
            found = await store.dead_letter(targets[0])
            if found is None:
                raise _UsageError(f"no dead letter {ident!r} in {store.url}")
            _print_one(found, fmt)
            return 0
        done = []
        for target in targets:
            act = store.revive(target, now_ms()) if action == "retry" else store.discard(target)
            if not await act:
                if not every:
                    raise _UsageError(f"no dead letter {target!r} in {store.url}")
                continue
            done.append(target)
        verb = "requeued" if action == "retry" else "dropped"
        if fmt == "json":
            print(json.dumps({verb: done}))
        else:
            print(f"{verb} {len(done)} dead letter(s)" + "".join(f"\n  {d}" for d in done))
        return 0
    finally:
        await store.close()


async def _resolve(store: Store, ident: str) -> str:
    """A dead letter's own id (``list``'s first column), or the id its client sent the
    message under (``message_id``): the one the sender's logs know."""
    if await store.dead_letter(ident) is not None:
        return ident
    sent = [d.job.id for d in await store.dead_letters(10**6) if d.job.message_id == ident]
    if len(sent) > 1:
        raise _UsageError(
            f"message id {ident!r} names {len(sent)} dead letters in {store.url} (sent by "
            f"several sessions): give one of {', '.join(sent)}"
        )
    return sent[0] if sent else ident


def _when(ms: float) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _print_list(dead: list[DeadLetter], fmt: str) -> None:
    if fmt == "json":
        print(json.dumps([d.summary() for d in dead], indent=2))
        return
    if not dead:
        print("no dead letters")
        return
    for d in dead:
        error = d.error.splitlines()[0][:100] if d.error else ""
        print(f"{d.job.id}  {d.job.type} v{d.job.version}  attempts={d.job.attempts}  "
              f"failed={_when(d.failed_at)}  {error}")  # fmt: skip
    print(f"{len(dead)} dead letter(s)")


def _print_one(dead: DeadLetter, fmt: str) -> None:
    record: dict[str, Any] = {**dead.summary(), "data": json.loads(dead.job.data)}
    if fmt == "json":
        print(json.dumps(record, indent=2))
        return
    for key, value in record.items():
        shown = _when(value) if key in ("failed_at", "enqueued_at") else value
        if key == "data":
            shown = json.dumps(value, indent=2)
        print(f"{key}: {shown}")
