"""Compatibility of a registry's messages: modes, pairing of versions, migrations.

For message definitions a writer sends only the fields it declares and a reader
ignores fields it does not know, so writer W is readable by reader R when
closed(W) ⊆ open(R). With a migration the test becomes
``upgrade(closed(v_old)) ⊆ open(v_new)`` (backward: the new version reads what
the old one wrote) and ``downgrade(closed(v_new)) ⊆ open(v_old)`` (forward).
The mode says which pairs are checked (``registry.pairing``).
Set inclusion itself is decided by ``registry.compat``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, Protocol

from registry.compat import Inclusion, includes
from registry.compile.model import Definition, Registry, Version
from registry.diagnostics import Finding
from registry.jsonschema import strip_annotations, version_document
from registry.load.source import Document
from registry.migrate_schema import UnmappableError, apply_steps
from registry.pair_findings import PairContext, pair_findings, unmappable_finding
from registry.pairing import Pair, pairs
from registry.suggest import suggestions


class VerdictTable(Protocol):
    """Inclusion answers kept elsewhere (the command layer's cache), by ``Verdicts``' key."""

    def get(self, key: str) -> Inclusion | None: ...

    def put(self, key: str, inclusion: Inclusion) -> None: ...


class Verdicts:
    """Inclusion answers by the content of both schemas (the writer's after its migration
    steps, and the reader's), so that a pair is decided once; ``table`` may keep them
    between runs."""

    def __init__(self, table: VerdictTable | None = None) -> None:
        self.table = table
        self.documents: dict[tuple[str, int, bool], Any] = {}
        self.known: dict[str, Inclusion] = {}
        self.sources: Mapping[str, Document] = {}  # where raw `schema:` keywords are written

    def includes(self, a: Any, b: Any) -> Inclusion:
        text = json.dumps([a, b], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        key = hashlib.sha256(text.encode()).hexdigest()
        found = self.known.get(key)
        if found is None and self.table is not None:
            found = self.table.get(key)
        if found is None:
            found = includes(a, b)
            if self.table is not None:
                self.table.put(key, found)
        self.known[key] = found
        return found

    def document(
        self, registry: Registry, definition: Definition, version: Version, closed: bool
    ) -> Any:
        """A version's schema without annotations, built once per run."""
        key = (definition.name, version.number, closed)
        if key not in self.documents:
            document = version_document(registry, definition, version, closed=closed)
            self.documents[key] = strip_annotations(document)
        return self.documents[key]


def compatibility_findings(
    registry: Registry,
    skip: frozenset[str],
    documents: Mapping[str, Document] | None = None,
    verdicts: Verdicts | None = None,
) -> list[Finding]:
    """Every pair's findings; ``documents`` (by definition name) locate raw-schema keywords."""
    verdicts = Verdicts() if verdicts is None else verdicts
    verdicts.sources = documents or {}
    findings: list[Finding] = []
    for definition in registry.messages:
        if definition.name not in skip:
            for pair in pairs(definition):
                findings += check_pair(registry, pair, verdicts)
    return findings


def check_pair(registry: Registry, pair: Pair, verdicts: Verdicts) -> list[Finding]:
    steps = pair.steps
    written = verdicts.document(registry, pair.definition, pair.writer, closed=True)
    try:
        migrated = apply_steps(written, steps) if steps else written
    except UnmappableError as unmappable:
        return [unmappable_finding(pair, unmappable.step, unmappable.reason)]
    readable = verdicts.document(registry, pair.definition, pair.reader, closed=False)
    inclusion = verdicts.includes(migrated, readable)
    if inclusion.holds:
        return []
    context = PairContext(written, readable, steps, pair.back, pair.writer.examples)
    found = suggestions(registry, pair, steps)
    source = verdicts.sources.get(pair.definition.name)
    return pair_findings(pair, inclusion.changes, context, found, source)
