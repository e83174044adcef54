"""Compatibility of a registry's messages: modes, pairing of versions, migrations.

For message definitions a writer sends only the fields it declares and a reader
ignores fields it does not know, so writer W is readable by reader R when
closed(W) ⊆ open(R). With a migration the test becomes
``upgrade(closed(v_old)) ⊆ open(v_new)`` (backward: the new version reads what
the old one wrote) and ``downgrade(closed(v_new)) ⊆ open(v_old)`` (forward).
The mode says which pairs are checked (``registry.check.pairing``).
Set inclusion itself is decided by ``registry.compat``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Protocol

from registry.check.migrate_schema import UnmappableError, apply_steps
from registry.check.pairing import Pair
from registry.compat import Inclusion, includes
from registry.findings import Finding
from registry.load.source import Document
from registry.schema.documents import Schemas


class VerdictTable(Protocol):
    """Inclusion answers kept elsewhere (the command layer's cache), by ``Verdicts``' key."""

    def get(self, key: str) -> Inclusion | None: ...

    def put(self, key: str, inclusion: Inclusion) -> None: ...


class Verdicts:
    """Inclusion answers by the content of both schemas (the writer's after its migration
    steps, and the reader's), so that a pair is decided once; ``table`` may keep them
    between runs."""

    def __init__(self, table: VerdictTable | None = None, proved: set[str] | None = None) -> None:
        self.table = table
        self.known: dict[str, Inclusion] = {}
        self.proved = set() if proved is None else proved  # the engine's shared proofs

    def includes(self, a: Any, b: Any) -> Inclusion:
        # Keys in the order written: the same schemas give the same text (a schema whose
        # keys moved gives another key, a miss, never another answer), and nothing is sorted
        text = json.dumps([a, b], separators=(",", ":"), ensure_ascii=False)
        key = hashlib.sha256(text.encode()).hexdigest()
        found = self.known.get(key)
        if found is None and self.table is not None:
            found = self.table.get(key)
        if found is None:
            found = includes(a, b, self.proved)
            if self.table is not None:
                self.table.put(key, found)
        self.known[key] = found
        return found


def check_pair(
    schemas: Schemas, pair: Pair, verdicts: Verdicts, source: Document | None = None
) -> list[Finding]:
    """The findings of one pair (none when it is compatible); ``source`` is the definition's
    file, to place a finding about a keyword of a raw ``schema:``."""
    steps = pair.steps
    written = schemas.bare(pair.definition, pair.writer, closed=True)
    try:
        migrated = apply_steps(written, steps) if steps else written
    except UnmappableError as unmappable:
        from registry.check.pair_findings import unmappable_finding

        return [unmappable_finding(pair, unmappable.step, unmappable.reason)]
    readable = schemas.bare(pair.definition, pair.reader, closed=False)
    inclusion = verdicts.includes(migrated, readable)
    if inclusion.holds:
        return []
    # what explains a break (witnesses, suggested steps): imported by a run that has one
    from registry.check.pair_findings import PairContext, pair_findings
    from registry.check.suggest import suggestions

    context = PairContext(written, readable, steps, pair.back, pair.writer.examples)
    found = suggestions(schemas, pair, steps)
    return pair_findings(pair, inclusion.changes, context, found, source)
