"""``wiretype diff MSG V1 V2``: print the classified changes and both verdicts."""

from __future__ import annotations

import json
import sys

from registry.compare import diff_versions
from registry.errors import UsageError
from registry.policy import Pair, Verdicts, check_pair
from registry.project import Loaded
from registry.scaffold import find_definition


def diff_command(loaded: Loaded, message: str, v1: int, v2: int, fmt: str) -> int:
    if fmt not in ("text", "json"):
        raise UsageError("--format must be text or json for diff")
    if v1 >= v2:
        raise UsageError("give the older version first: wiretype diff MSG OLD NEW")
    definition, old = find_definition(loaded, f"{message}@{v1}")
    _, new = find_definition(loaded, f"{message}@{v2}")
    changes = diff_versions(loaded.registry, definition, old, new)
    verdicts = Verdicts(None)
    directions: dict[str, list[str]] = {}
    for direction in ("backward", "forward"):
        found = check_pair(loaded.registry, Pair(definition, old, new, direction), verdicts)
        directions[direction] = [f.message for f in found if f.is_error]
    if fmt == "json":
        payload = {"message": definition.name, "from": v1, "to": v2,
                   "mode": definition.compatibility,
                   "changes": [c.to_json() for c in changes],
                   "backward": not directions["backward"], "forward": not directions["forward"],
                   "problems": directions}
        sys.stdout.write(json.dumps(payload, indent=2, sort_keys=True) + "\n")
        return 0
    sys.stdout.write(f"{definition.name}: v{v1} -> v{v2}  (mode: {definition.compatibility})\n")
    for c in changes:
        breaks = f"breaks {' and '.join(c.breaks)}" if c.breaks else "safe"
        sys.stdout.write(f"  {c.kind:8} {c.field:24} {breaks:28} {c.rule}: {c.detail}\n")
    if not changes:
        sys.stdout.write("  no changes to the schema\n")
    for direction, problems in directions.items():
        state = "ok" if not problems else f"{len(problems)} problem(s)"
        sys.stdout.write(f"{direction} with migrations: {state}\n")
        for problem in problems:
            sys.stdout.write(f"  - {problem}\n")
    return 0
