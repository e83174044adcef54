"""The files of ``wiretype export jsonschema``: every version's schema, in both views."""

from __future__ import annotations

import json
from typing import Any

from registry.schema.documents import Schemas


def dump(data: Any) -> str:
    """A JSON document as wiretype writes one: indented, keys sorted, UTF-8 text kept."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def jsonschema_files(schemas: Schemas) -> dict[str, str]:
    """``<name>/<N>.json`` (closed: what a writer sends) and ``<N>.open.json`` (a reader)."""
    files = {}
    for definition in schemas.registry.definitions.values():
        for version in definition.versions:
            stem = f"{definition.name}/{version.number}"
            for closed, suffix in ((True, ".json"), (False, ".open.json")):
                files[stem + suffix] = dump(schemas.document(definition, version, closed=closed))
    return files
