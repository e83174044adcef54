"""``wiretype show MSG[@V]``: one version, resolved, as YAML or as its JSON Schema."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from registry.cli.app import ShowFormat, run


def show(message: str, root: Path | None, fmt: ShowFormat, view: str) -> None:
    """The body of ``wiretype show`` (its options are in ``commands``)."""
    sys.stdout.write(run(lambda: _shown(root, message, fmt.value, view)))


def _shown(root: Path | None, spec: str, fmt: str, view: str) -> str:
    from registry.cli.project import find_definition, load_root
    from registry.errors import UsageError

    if view not in ("closed", "open"):
        raise UsageError("--view must be closed or open")
    loaded = load_root(root)
    definition, version = find_definition(loaded.registry, spec)
    document = loaded.schemas.document(definition, version, closed=view == "closed")
    if fmt == "jsonschema":
        return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    import yaml

    resolved = {
        "name": definition.name,
        "kind": definition.kind,
        "version": version.number,
        "compatibility": definition.compatibility.name,
        "direction": definition.direction,
        "schema": document,
    }
    return yaml.safe_dump(resolved, sort_keys=False, allow_unicode=True)
