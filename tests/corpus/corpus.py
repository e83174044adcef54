"""The real-schema corpus as data: its pairs of consecutive revisions and their instances.

``pairs()`` yields every (OLD, NEW) file pair; ``instances(name)`` the test instances
SchemaStore ships for that schema (accepted and rejected ones alike: which side accepts
which is decided per revision); ``accepts(schema, value)`` validates with ``jsonschema``
under the schema's own draft, without fetching anything (None when it cannot tell, e.g.
a reference to another document).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


def names() -> list[str]:
    manifest = json.loads((HERE / "manifest.json").read_text())
    return [entry["name"] for entry in manifest["schemas"]]


def revisions(name: str) -> list[Path]:
    return sorted((HERE / name).glob("[0-9]*.json"), key=lambda p: int(p.stem))


def pairs() -> Iterator[tuple[str, Path, Path]]:
    for name in names():
        revs = revisions(name)
        for old, new in itertools.pairwise(revs):
            yield name, old, new


def instances(name: str) -> list[Any]:
    out = []
    for folder in ("tests", "negative"):
        for file in sorted((HERE / name / folder).glob("*.json")):
            out.append(json.loads(file.read_text()))
    return out


def accepts(schema: Any, value: Any) -> bool | None:
    """Whether ``schema`` (under its own ``$schema`` draft) accepts ``value``."""
    from jsonschema import validators
    from referencing import Registry

    cls = validators.validator_for(schema, default=validators.Draft202012Validator)
    try:
        return bool(cls(schema, registry=Registry()).is_valid(value))
    except Exception:
        return None
