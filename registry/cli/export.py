"""``wiretype export jsonschema|asyncapi``: the registry as JSON Schema files, or as one
AsyncAPI 3 document (``registry.schema.export``, ``registry.schema.asyncapi``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from registry.cli.app import ExportKind, run

if TYPE_CHECKING:
    from registry.check.project import Loaded


def export(kind: ExportKind, root: Path | None, out: Path | None) -> None:
    """The body of ``wiretype export`` (its options are in ``commands``)."""
    from registry.cli.output import refuse
    from registry.cli.project import load_root

    loaded = run(lambda: load_root(root))
    if any(f.is_error for f in loaded.findings):
        raise typer.Exit(refuse(loaded.findings, "exported"))
    if kind is ExportKind.jsonschema:
        _jsonschema(loaded, out)
    else:
        _asyncapi(loaded, out)


def _jsonschema(loaded: Loaded, out: Path | None) -> None:
    from registry.schema.export import jsonschema_files
    from registry.write.files import write_tree

    folder = out if out is not None else loaded.config.root / "generated" / "jsonschema"
    files = jsonschema_files(loaded.schemas)
    write_tree(folder, files)
    sys.stdout.write(f"wrote {len(files)} schema file(s) to {folder}\n")


def _asyncapi(loaded: Loaded, out: Path | None) -> None:
    from registry.schema.asyncapi import asyncapi_document
    from registry.schema.export import dump
    from registry.write.files import write_file

    text = dump(asyncapi_document(loaded.schemas, loaded.config.registry_name))
    if out is None:
        sys.stdout.write(text)
    else:
        write_file(out, text)
        sys.stdout.write(f"wrote {out}\n")
