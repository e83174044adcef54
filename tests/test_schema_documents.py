"""One builder of JSON Schema per registry (``registry.schema.documents``): every stage after
the schema stage asks it, so each version's document is emitted once per run."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from registry.check.lock import current_entries
from registry.cli.project import load_project
from registry.load.settings import load_config
from registry.schema import documents
from registry.schema.emit import strip_annotations
from registry.schema.export import jsonschema_files
from tests.helpers import CHAT, TESTS

_View = tuple[str, int, bool, bool]  # name, version, closed, annotations


@pytest.fixture
def emitted(monkeypatch: pytest.MonkeyPatch) -> Counter[_View]:
    counts: Counter[_View] = Counter()
    real = documents.version_document

    def counting(
        registry: Any,
        definition: Any,
        version: Any,
        *,
        closed: bool = True,
        annotations: bool = True,
    ) -> Any:
        counts[definition.name, version.number, closed, annotations] += 1
        return real(registry, definition, version, closed=closed, annotations=annotations)

    monkeypatch.setattr(documents, "version_document", counting)
    return counts


def test_each_view_is_emitted_once_for_lint_lock_and_export(emitted: Counter[_View]) -> None:
    loaded = load_project(load_config(CHAT))  # lint validates every example against its version
    current_entries(loaded.schemas)  # the lock fingerprints every version
    jsonschema_files(loaded.schemas)  # export prints both views of every version
    versions = sum(len(d.versions) for d in loaded.registry.definitions.values())
    assert {(n, v, c) for n, v, c, a in emitted if a} == {
        (d.name, v.number, c)
        for d in loaded.registry.definitions.values()
        for v in d.versions
        for c in (True, False)
    }
    assert len([view for view in emitted if view[3]]) == 2 * versions
    assert set(emitted.values()) == {1}


def test_a_check_emits_no_annotated_document(emitted: Counter[_View]) -> None:
    """lint, the lock and the pairs read the bare view only: it is emitted as such, not built
    with its annotations and stripped (the annotated one only for an example that fails)."""
    loaded = load_project(load_config(CHAT))
    current_entries(loaded.schemas)
    assert emitted
    assert not [view for view in emitted if view[3]]
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


def _registries() -> list[Path]:
    """The chat example and every test registry whose definitions compile."""
    return [CHAT, *sorted(p for p in (TESTS / "definitions").iterdir() if (p / "schemas").is_dir())]


_ANNOTATED = {
    "wiretype.yaml": "schemas: schemas\n",
    "schemas/common/who.yaml": """\
kind: type
description: Who wrote it.
versions:
  1:
    description: the first who
    fields:
      name: {type: string, description: a name, deprecated: true}
      tags: {type: "list[string]", default: [], description: some tags}
""",
    "schemas/chat/raw.yaml": """\
description: A raw schema, annotated all over.
versions:
  1:
    schema:
      title: Raw
      description: raw at the top
      $comment: a comment
      type: object
      properties:
        title: {type: string, description: a field named title, examples: [x]}
        who: {$ref: common.who, deprecated: true}
        kind: {enum: [description, title], default: title, title: Kind}
      required: [title]
""",
    "schemas/chat/fields.yaml": """\
description: Fields with annotations.
versions:
  1:
    description: the first
    fields:
      who: common.who
      text: {type: string, description: what was said, deprecated: true}
      note: {type: "string?", description: maybe, default: null}
""",
}


def _annotated(root: Path) -> Path:
    for name, text in _ANNOTATED.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_bare_emitted_directly_drops_every_annotation(tmp_path: Path) -> None:
    loaded = load_project(load_config(_annotated(tmp_path)))
    for name in ("chat.raw", "chat.fields"):
        definition = loaded.registry.definitions[name]
        version = definition.versions[0]
        document = loaded.schemas.document(definition, version)
        fresh = load_project(load_config(tmp_path))
        bare = fresh.schemas.bare(fresh.registry.definitions[name], version)
        assert json.dumps(bare) == json.dumps(strip_annotations(document))
        assert "deprecated" in json.dumps(document) and "deprecated" not in json.dumps(bare)


@pytest.mark.parametrize("root", _registries(), ids=lambda p: p.name)
def test_bare_emitted_directly_is_the_stripped_document_key_for_key(root: Path) -> None:
    """The bare view is emitted without annotations; it must be exactly what stripping the
    annotated document gives, key order included (the lock's fingerprints and the cache's
    keys are digests of it)."""
    direct = load_project(load_config(root))
    annotated = load_project(load_config(root))
    for definition in direct.registry.definitions.values():
        for version in definition.versions:
            for closed in (True, False):
                bare = direct.schemas.bare(definition, version, closed=closed)
                document = annotated.schemas.document(definition, version, closed=closed)
                expected = strip_annotations(document)
                assert json.dumps(bare) == json.dumps(expected), (definition.name, version.number)
