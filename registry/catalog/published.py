"""The catalogue's entries about what was published: the lock and ``check --against REF``."""

from __future__ import annotations

from registry.catalog.entry import Entry

ENTRIES: tuple[Entry, ...] = (
    # --- the lock --------------------------------------------------------------------------------
    Entry(
        "LOCK_INVALID",
        "lock",
        "A line of wiretype.lock cannot be read.",
        "the record of what was published",
        "chat.sent@1 sha256:zz",
        "chat.sent@1 sha256:5f0c…",
        "restore the file from git, then run `wiretype lock`",
    ),
    Entry(
        "LOCK_VERSION_CHANGED",
        "lock",
        "A published (locked) version's schema changed.",
        "clients that speak a published version keep working: it never changes",
        "version 1 edited after it was locked (text max_length 2000 -> 100)",
        "version 1 as it was locked, and version 2 with max_length 100",
        "leave the version as it was and add the change as a new version (`wiretype bump`)",
    ),
    Entry(
        "LOCK_VERSION_DELETED",
        "lock",
        "A published (locked) version was deleted.",
        "clients may still send a published version",
        "versions: {2: ...} (1 is locked)",
        "versions: {1: ..., 2: ...}",
        "restore it; retire it only when no client speaks it, then `wiretype lock --prune`",
    ),
    Entry(
        "LOCK_DEFINITION_DELETED",
        "lock",
        "A published (locked) definition was deleted.",
        "clients may still send a published message",
        "schemas/chat/sent.yaml deleted (chat.sent@1 locked)",
        "schemas/chat/sent.yaml restored",
        "restore the file; retire it with `wiretype lock --prune` once no client speaks it",
    ),
    # --- check --against -------------------------------------------------------------------------
    Entry(
        "REF_VERSION_CHANGED",
        "ref",
        "A version that exists at the base ref changed.",
        "what shipped stays as it shipped, even if the lock was re-written with --force",
        "chat.sent@1 edited in the pull request",
        "chat.sent@2 added instead",
        "restore the version and add the change as a new one",
    ),
    Entry(
        "REF_VERSION_DELETED",
        "ref",
        "A version that exists at the base ref was deleted.",
        "clients that speak it keep working",
        "versions: {2: ...} (1 exists at origin/main)",
        "versions: {1: ..., 2: ...}",
        "restore the version",
    ),
    Entry(
        "REF_DEFINITION_DELETED",
        "ref",
        "A definition that exists at the base ref was deleted.",
        "clients that send it keep working",
        "schemas/chat/sent.yaml deleted",
        "schemas/chat/sent.yaml kept",
        "restore the file",
    ),
    Entry(
        "REF_COMPATIBILITY_WEAKENED",
        "ref",
        "A message's mode is weakened in the same change that adds a version.",
        "the gate cannot be lowered and passed in one pull request",
        "compatibility: full -> none, and version 3 added",
        "one change lowers the mode; a later one adds version 3",
        "weaken the mode in a change of its own, then add the version",
    ),
)
