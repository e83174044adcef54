"""``wiretype diff MSG V1 V2``: the classified changes between two versions
(``registry.check.diff``), printed as a table or as JSON; exit 1 when the versions are
not compatible in the message's mode (with its migrations), 0 when they are, 2 for an
unknown message or version."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from registry.cli.app import run

if TYPE_CHECKING:
    from registry.check.diff import VersionDiff


def diff(message: str, v1: int, v2: int, root: Path | None, fmt: str) -> None:
    """The body of ``wiretype diff`` (its options are in ``commands``)."""
    result = run(lambda: _diff(root, message, v1, v2, fmt))
    if fmt == "json":
        typer.echo(json.dumps(to_json(result), indent=2, sort_keys=True, ensure_ascii=False))
    else:
        sys.stdout.write(render_text(result))
    raise typer.Exit(0 if result.compatible else 1)


def _diff(root: Path | None, message: str, v1: int, v2: int, fmt: str) -> VersionDiff:
    from registry.check.diff import diff_versions
    from registry.cli.project import find_definition, load_root
    from registry.errors import UsageError

    if fmt not in ("text", "json"):
        raise UsageError("--format must be text or json for diff")
    if v1 >= v2:
        raise UsageError("give the older version first: wiretype diff MSG OLD NEW")
    loaded = load_root(root)
    definition, old = find_definition(loaded.registry, f"{message}@{v1}")
    _, new = find_definition(loaded.registry, f"{message}@{v2}")
    return diff_versions(loaded.schemas, definition, old, new)


def render_text(diff: VersionDiff) -> str:
    """The diff as a table of rows, then both verdicts and the one the mode decides."""
    lines = [f"{diff.message}: v{diff.old} -> v{diff.new}  (mode: {diff.mode})"]
    kind_w = max((len(r.kind) for r in diff.rows), default=0)
    label_w = max((len(r.label) for r in diff.rows), default=0)
    detail_w = min(max((len(r.detail) for r in diff.rows), default=0), 48)
    for row in diff.rows:
        rules = f"  {', '.join(row.rules)}" if row.rules else ""
        lines.append(
            f"  {row.kind:{kind_w}}  {row.label:{label_w}}  {row.detail:{detail_w}}  "
            f"{row.verdict}{rules}".rstrip()
        )
    if not diff.rows:
        lines.append("  no changes to the schema")
    lines += list(_direction_lines(diff))
    lines.append(_verdict_line(diff))
    return "\n".join(lines) + "\n"


def _direction_lines(diff: VersionDiff) -> Iterator[str]:
    for d in diff.directions:
        state = "ok" if d.holds else f"{len(d.problems)} problem(s)"
        note = "" if d.checked else f" (not checked by mode {diff.mode})"
        yield f"{d.direction} with migrations: {state}{note}"
        yield from (f"  - {problem}" for problem in d.problems)


def _verdict_line(diff: VersionDiff) -> str:
    checked = [d.direction for d in diff.directions if d.checked]
    if not checked:
        return f"compatible: mode {diff.mode} checks no direction"
    if diff.compatible:
        return f"compatible in mode {diff.mode}"
    failing = [d.direction for d in diff.directions if d.checked and not d.holds]
    return (
        f"NOT compatible in mode {diff.mode}: {' and '.join(failing)} "
        f"{'fails' if len(failing) == 1 else 'fail'}"
    )


def to_json(diff: VersionDiff) -> dict[str, Any]:
    """The diff as ``wiretype diff --format json`` prints it."""
    by_direction = {d.direction: d for d in diff.directions}
    return {
        "message": diff.message,
        "from": diff.old,
        "to": diff.new,
        "mode": diff.mode,
        "compatible": diff.compatible,
        "checked": [d.direction for d in diff.directions if d.checked],
        "changes": [row.to_json() for row in diff.rows],
        "backward": by_direction["backward"].holds,
        "forward": by_direction["forward"].holds,
        "problems": {d.direction: list(d.problems) for d in diff.directions},
    }
