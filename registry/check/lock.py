"""``wiretype.lock``: the published versions and the fingerprint of each one's schema.

The lock is plain text, one line per version, sorted, so that it diffs well::

    chat.message_sent@1 sha256:5f0c...

A fingerprint is the SHA-256 of the version's closed JSON Schema with its
annotations removed (and its shared types inlined through ``$defs``), so a
changed description is not a change, but a changed shared type is.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from registry.compile.model import Definition, Location, Version
from registry.findings import Finding
from registry.load.tree import Unreadable
from registry.mode import Mode
from registry.schema.documents import Schemas

LOCK_FILE = "wiretype.lock"
_HEADER = (
    "# wiretype.lock: the published version of every message and shared type, with the\n"
    "# fingerprint of its compiled schema. Written by `wiretype lock`; do not edit by hand.\n"
)
_LINE = re.compile(
    r"^(?P<name>[A-Za-z0-9_.]+)@(?P<version>[0-9]+)\s+sha256:(?P<digest>[0-9a-f]{64})$"
)


@dataclass(frozen=True)
class LockEntry:
    name: str
    version: int
    digest: str
    line: int


@dataclass(frozen=True)
class Published:
    """One version as the lock sees it: where it is written and its fingerprint."""

    number: int
    location: Location
    digest: str


@dataclass(frozen=True)
class Outline:
    """What the lock (and ``check --against``) needs to know about one definition."""

    name: str
    kind: str
    compatibility: Mode
    location: Location
    versions: tuple[Published, ...]
    class_name: str = ""  # its `class_name:`, when set (generated names must not clash)

    def version(self, number: int) -> Published | None:
        return next((v for v in self.versions if v.number == number), None)


def fingerprint(schemas: Schemas, definition: Definition, version: Version) -> str:
    """The fingerprint of a version: its closed schema, annotations left out."""
    return schema_digest(schemas.bare(definition, version))


def schema_digest(schema: object) -> str:
    """The fingerprint of a closed schema whose annotations are already stripped."""
    text = json.dumps(schema, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def outline(definition: Definition, digests: Mapping[int, str]) -> Outline:
    """A definition's outline, given each version's fingerprint."""
    versions = tuple(
        Published(v.number, v.location, digests[v.number]) for v in definition.versions
    )
    return Outline(
        definition.name,
        definition.kind,
        definition.compatibility,
        definition.location,
        versions,
        definition.class_name,
    )


def outlines(schemas: Schemas) -> dict[str, Outline]:
    return {
        d.name: outline(d, {v.number: fingerprint(schemas, d, v) for v in d.versions})
        for d in schemas.registry.definitions.values()
    }


def current_entries(schemas: Schemas) -> dict[tuple[str, int], str]:
    return entries_of(outlines(schemas))


def entries_of(published: Mapping[str, Outline]) -> dict[tuple[str, int], str]:
    """Every version's fingerprint, as the lock records it."""
    return {(o.name, v.number): v.digest for o in published.values() for v in o.versions}


def render_lock(entries: Mapping[tuple[str, int], str]) -> str:
    lines = [
        f"{name}@{version} sha256:{digest}" for (name, version), digest in sorted(entries.items())
    ]
    return _HEADER + "\n".join(lines) + ("\n" if lines else "")


def parse_lock(text: str) -> tuple[dict[tuple[str, int], LockEntry], list[Finding]]:
    entries: dict[tuple[str, int], LockEntry] = {}
    findings = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            findings.append(
                Finding(
                    LOCK_FILE,
                    number,
                    1,
                    "LOCK_INVALID",
                    f"cannot read this line of the lock: {line[:60]!r}",
                    "restore the file from git, then run `wiretype lock`",
                )
            )
            continue
        entry = LockEntry(match["name"], int(match["version"]), match["digest"], number)
        entries[(entry.name, entry.version)] = entry
    return entries, findings


def lock_findings(
    published: Mapping[str, Outline],
    locked: Mapping[tuple[str, int], LockEntry],
    skip: frozenset[str] = frozenset(),
) -> Iterator[Finding]:
    """Locked versions that changed or disappeared (definitions in ``skip`` are not judged)."""
    for (name, number), entry in sorted(locked.items()):
        if name in skip:
            continue
        definition = published.get(name)
        version = definition.version(number) if definition else None
        if definition is None:
            yield Finding(
                LOCK_FILE,
                entry.line,
                1,
                "LOCK_DEFINITION_DELETED",
                f"{name}@{number} is published (locked) but its definition is gone",
                "restore the file: clients may still send it",
                subject=name,
            )
        elif version is None:
            loc = definition.location
            yield Finding(
                loc.file,
                loc.line,
                loc.column,
                "LOCK_VERSION_DELETED",
                f"{name}@{number} is published (locked) but was deleted",
                "restore the version; retire it only when no client speaks it, "
                "then run `wiretype lock --prune`",
                subject=f"{name}@{number}",
            )
        elif version.digest != entry.digest:
            loc = version.location
            yield Finding(
                loc.file,
                loc.line,
                loc.column,
                "LOCK_VERSION_CHANGED",
                f"{name}@{number} is published (locked) but its schema changed",
                f"leave version {number} as it was and add the change as a new "
                f"version (`wiretype bump {name}`)",
                subject=f"{name}@{number}",
            )


def check_lock(
    text: str | Unreadable | None, published: Mapping[str, Outline], broken: frozenset[str]
) -> list[Finding]:
    """The lock's findings: its text (None: there is no lock) against the outlines."""
    if text is None:
        return []
    if isinstance(text, Unreadable):
        return [Finding(LOCK_FILE, 1, 1, text.rule, text.message, text.hint)]
    locked, findings = parse_lock(text)
    findings += lock_findings(published, locked, broken)
    return findings


@dataclass(frozen=True)
class LockPlan:
    """What ``wiretype lock`` does: the new text of the lock (None: nothing is written),
    the findings that stop it, and one line that says what happened."""

    text: str | None
    findings: tuple[Finding, ...]
    message: str


def plan_lock(
    schemas: Schemas, findings: Sequence[Finding], old_text: str, *, force: bool, prune: bool
) -> LockPlan:
    """Record the current versions (``old_text``: the lock as it is, "" when none)."""
    if any(f.is_error for f in findings):
        return LockPlan(None, tuple(findings), "not locked: fix the errors first")
    locked, problems = parse_lock(old_text)
    if problems:
        return LockPlan(None, tuple(problems), "not locked: the lock file is damaged")
    current = current_entries(schemas)
    refused = _refusals(schemas, locked, current, force=force, prune=prune)
    if refused:
        return LockPlan(None, tuple(refused), "not locked: published versions would change")
    entries = {key: entry.digest for key, entry in locked.items()}
    entries.update(current)
    if prune:
        entries = {key: value for key, value in entries.items() if key in current}
    added = len(set(current) - set(locked))
    message = f"locked {len(entries)} version(s) ({added} new) in {LOCK_FILE}"
    return LockPlan(render_lock(entries), (), message)


def _refusals(
    schemas: Schemas,
    locked: Mapping[tuple[str, int], LockEntry],
    current: Mapping[tuple[str, int], str],
    *,
    force: bool,
    prune: bool,
) -> list[Finding]:
    refused = []
    for key, entry in sorted(locked.items()):
        if key not in current and not prune:
            refused.append(
                Finding(
                    LOCK_FILE,
                    entry.line,
                    1,
                    "LOCK_VERSION_DELETED",
                    f"{key[0]}@{key[1]} is locked but no longer defined",
                    "restore it, or pass --prune to forget it",
                )
            )
        elif key in current and current[key] != entry.digest and not force:
            version = schemas.registry.definitions[key[0]].version(key[1])
            assert version is not None  # it has a current fingerprint
            loc = version.location
            refused.append(
                Finding(
                    loc.file,
                    loc.line,
                    loc.column,
                    "LOCK_VERSION_CHANGED",
                    f"{key[0]}@{key[1]} changed since it was locked",
                    "restore it and add a new version, or pass --force",
                )
            )
    return refused
