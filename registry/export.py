"""``wiretype export``: the registry as JSON Schema files, or as an AsyncAPI 3 document."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from registry.diagnostics import has_errors, render_text
from registry.jsonschema import version_document
from registry.project import Loaded
from registry.writer import write_file, write_tree


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def jsonschema_files(loaded: Loaded) -> dict[str, str]:
    """``<name>/<N>.json`` (closed: what a writer sends) and ``<N>.open.json`` (a reader)."""
    files = {}
    for definition in loaded.registry.definitions.values():
        for version in definition.versions:
            stem = f"{definition.name}/{version.number}"
            for closed, suffix in ((True, ".json"), (False, ".open.json")):
                document = version_document(loaded.registry, definition, version, closed=closed)
                files[stem + suffix] = _dump(document)
    return files


def export_registry(loaded: Loaded, kind: str, out: Path | None) -> int:
    if has_errors(loaded.findings):
        sys.stderr.write(
            render_text(
                [f for f in loaded.findings if f.is_error],
                summary="nothing exported: fix these first",
            )
        )
        return 1
    root = loaded.config.root
    if kind == "jsonschema":
        folder = out if out is not None else root / "generated" / "jsonschema"
        files = jsonschema_files(loaded)
        write_tree(folder, files)
        sys.stdout.write(f"wrote {len(files)} schema file(s) to {folder}\n")
        return 0
    from registry.asyncapi import asyncapi_document

    text = _dump(asyncapi_document(loaded))
    if out is None:
        sys.stdout.write(text)
    else:
        write_file(out, text)
        sys.stdout.write(f"wrote {out}\n")
    return 0
