"""Every version's JSON Schema, built once and shared by every stage after this one.

``Schemas(registry)`` is the one builder: each stage that needs a version's schema
asks it, so a document is emitted once per run however many checks, fingerprints,
examples, suggestions and printers read it. Two forms are kept per view:

* ``document``: the standalone document, annotations included, as ``show``, ``export``
  and the packages print it;
* ``bare``: the same without annotations (``title``, ``description``, ``default``...),
  which never change what a schema accepts: what the lock fingerprints and the
  compatibility engine compares.

Both views (``closed``: what a writer sends; open: what a reader accepts) are
described in ``emit``. The documents are shared: a caller that wants to change one
copies it first.
"""

from __future__ import annotations

from typing import Any

from registry.compile.model import Definition, Registry, Version
from registry.schema.emit import strip_annotations, version_document

_Key = tuple[str, int, bool]


class Schemas:
    """The schemas of one registry's versions, each emitted on first use and kept."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._documents: dict[_Key, Any] = {}
        self._bare: dict[_Key, Any] = {}

    def document(self, definition: Definition, version: Version, *, closed: bool = True) -> Any:
        """The version's standalone document, annotations included."""
        key = (definition.name, version.number, closed)
        found = self._documents.get(key)
        if found is None:
            found = version_document(self.registry, definition, version, closed=closed)
            self._documents[key] = found
        return found

    def bare(self, definition: Definition, version: Version, *, closed: bool = True) -> Any:
        """The version's document without annotations (they never change what it accepts)."""
        key = (definition.name, version.number, closed)
        found = self._bare.get(key)
        if found is None:
            annotated = self._documents.get(key)
            found = (
                version_document(
                    self.registry, definition, version, closed=closed, annotations=False
                )
                if annotated is None
                else strip_annotations(annotated)
            )
            self._bare[key] = found
        return found
