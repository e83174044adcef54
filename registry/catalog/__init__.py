"""Every id wiretype can print, with what it protects, an example and how to fix it.

One entry per id: the compatibility engine's rules (``registry.compat.rules``) and
every other finding, by category, one module each: reading files and YAML
(``files``), definitions, fields and raw schemas (``definitions``), migrations
(``migrations``), the lock and ``check --against`` (``published``), the settings
(``settings``), ``wiretype generate`` (``generate``) and retired ids
(``retired``). ``wiretype rules`` lists them by category and ``wiretype explain
ID`` prints one. A test scans the code for ids and fails on one that is not here,
and a snapshot (``tests/catalog_ids.txt``) fails when one is removed or renamed:
ids are forever. An id that is no longer printed stays, marked with what reports
it now (``replaced_by``), and is never reused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from registry.catalog import (
    definitions,
    files,
    generate,
    migrations,
    published,
    retired,
    settings,
)
from registry.catalog.entry import CATEGORIES, Entry
from registry.compat.rules import RULES as ENGINE_RULES

_INCLUSION = (
    "every value one version may send is still accepted by the version that "
    "reads it (closed(writer) ⊆ open(reader)); a break here is a client that "
    "stops understanding the other side"
)


def _engine_entries() -> Iterable[Entry]:
    for rule in ENGINE_RULES.values():
        yield Entry(
            rule.id,
            "compatibility",
            rule.summary,
            f"{rule.topic}: {_INCLUSION}",
            rule.before,
            rule.after,
            rule.safely,
        )


def _catalog() -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    groups = (
        _engine_entries(),
        files.ENTRIES,
        definitions.ENTRIES,
        migrations.ENTRIES,
        published.ENTRIES,
        settings.ENTRIES,
        generate.ENTRIES,
        retired.ENTRIES,
    )
    for group in groups:
        for entry in group:
            assert entry.id not in entries, entry.id
            entries[entry.id] = entry
    return entries


CATALOG: Mapping[str, Entry] = MappingProxyType(_catalog())


def by_category() -> list[tuple[str, list[Entry]]]:
    """(heading, entries sorted by id) per category, in ``CATEGORIES`` order."""
    return [
        (heading, sorted((e for e in CATALOG.values() if e.category == key), key=lambda e: e.id))
        for key, heading in CATEGORIES
    ]


__all__ = ["CATALOG", "CATEGORIES", "Entry", "by_category"]
