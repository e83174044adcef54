"""One builder of JSON Schema per registry (``registry.schema.documents``): every stage after
the schema stage asks it, so each version's document is emitted once per run."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from registry.check.lock import current_entries
from registry.cli.project import load_project
from registry.load.settings import load_config
from registry.schema import documents
from registry.schema.emit import strip_annotations
from registry.schema.export import jsonschema_files
from tests.helpers import CHAT


@pytest.fixture
def emitted(monkeypatch: pytest.MonkeyPatch) -> Counter[tuple[str, int, bool]]:
    counts: Counter[tuple[str, int, bool]] = Counter()
    real = documents.version_document

    def counting(registry: Any, definition: Any, version: Any, *, closed: bool = True) -> Any:
        counts[definition.name, version.number, closed] += 1
        return real(registry, definition, version, closed=closed)

    monkeypatch.setattr(documents, "version_document", counting)
    return counts


def test_each_version_is_emitted_once_for_lint_lock_and_export(
    emitted: Counter[tuple[str, int, bool]],
) -> None:
    loaded = load_project(load_config(CHAT))  # lint validates every example against its version
    current_entries(loaded.schemas)  # the lock fingerprints every version
    jsonschema_files(loaded.schemas)  # export prints both views of every version
    versions = sum(len(d.versions) for d in loaded.registry.definitions.values())
    assert len(emitted) == 2 * versions
    assert set(emitted.values()) == {1}


def test_bare_is_the_document_without_annotations() -> None:
    loaded = load_project(load_config(CHAT))
    definition = loaded.registry.definitions["chat.message_sent"]
    for version in definition.versions:
        for closed in (True, False):
            document = loaded.schemas.document(definition, version, closed=closed)
            assert loaded.schemas.bare(definition, version, closed=closed) == strip_annotations(
                document
            )
            assert "description" in document
