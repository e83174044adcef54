"""A raw JSON Schema file, for ``wiretype compat``: JSON or YAML, with the positions of its nodes.

A file that cannot be read, or is neither JSON nor YAML, is an ``InputError`` (exit 2):
there is nothing to compare. YAML is read as strictly as a definition (``source``), so
a value the writer did not mean (``enum: [yes, no]``) is refused rather than compared.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.errors import InputError
from registry.load.source import Document, parse_text


@dataclass(frozen=True)
class SchemaFile:
    """A raw schema as read: its path, its data, and (when it parses as YAML) the
    positions of its nodes."""

    path: str
    data: Any
    document: Document | None


def read_schema(path: Path) -> SchemaFile:
    """A schema file (JSON or YAML) and, where it parses as YAML, the positions of its nodes."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror}", path=str(path)) from None
    doc, problems = parse_text(str(path), raw)
    if path.suffix == ".json" or doc is None:
        try:
            return SchemaFile(str(path), json.loads(raw, parse_constant=_no_constant), doc)
        except (ValueError, UnicodeDecodeError) as err:
            reason = problems[0].message if problems and path.suffix != ".json" else str(err)
            raise InputError(
                f"not a JSON or YAML schema: {reason}",
                path=str(path),
                hint="pass a JSON Schema written as JSON or YAML",
            ) from None
    if problems:  # e.g. `enum: [yes, no]`: comparing what the writer did not mean is no answer
        first = problems[0]
        raise InputError(first.message, path=f"{path}:{first.line}:{first.column}", hint=first.hint)
    return SchemaFile(str(path), doc.data, doc)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
