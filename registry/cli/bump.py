"""``wiretype bump MSG``: a new version of a definition, as a copy of its latest.

The copy is written into the definition's own file, right after the latest version and
in the same style, without the latest version's ``migrate:`` (which says how to reach
that version, not the next); comments and the rest of the file are left as they are.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from registry.cli.app import run
from registry.errors import UsageError

if TYPE_CHECKING:
    from registry.compile.model import Definition, Version


def bump(message: str, root: Path | None) -> None:
    """The body of ``wiretype bump`` (its options are in ``commands``)."""
    typer.echo(run(lambda: _bump(root, message)))


def _bump(root: Path | None, name: str) -> str:
    from registry.cli.project import find_definition, load_root
    from registry.write.files import write_file

    loaded = load_root(root)
    definition, latest = find_definition(loaded.registry, name)
    path = loaded.config.root / definition.file
    write_file(path, bumped(path.read_text(encoding="utf-8"), definition, latest))
    return (
        f"{definition.file}: added version {latest.number + 1} of {definition.name} "
        f"(a copy of {latest.number}); edit it, then run `wiretype check`"
    )


def bumped(text: str, definition: Definition, latest: Version) -> str:
    """``text`` (the definition's file) with version N+1 appended: a copy of version N."""
    lines = text.splitlines(keepends=True)
    start = latest.location.line - 1
    key_indent = _indent(lines[start])
    end = _block_end(lines, start, key_indent)
    block = _without_key(lines[start:end], "migrate", key_indent)
    first = re.sub(
        rf"^(\s*['\"]?){latest.number}(['\"]?\s*:)", rf"\g<1>{latest.number + 1}\g<2>", block[0]
    )
    if first == block[0] or not lines[start].strip().startswith(str(latest.number)):
        raise UsageError(
            f"cannot bump {definition.name}: its versions are not written in block style",
            hint="add the new version by hand",
        )
    if not block[-1].endswith("\n"):
        block[-1] += "\n"
    new_lines = [*lines[:end], first, *block[1:], *lines[end:]]
    if end == len(lines) and not lines[-1].endswith("\n"):
        new_lines[end - 1] += "\n"
    return "".join(new_lines)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _block_end(lines: list[str], start: int, indent: int) -> int:
    end = start + 1
    while end < len(lines):
        stripped = lines[end].strip()
        if stripped and not stripped.startswith("#") and _indent(lines[end]) <= indent:
            break
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return end


def _without_key(block: list[str], key: str, parent_indent: int) -> list[str]:
    out, skipping, skip_indent = [], False, 0
    for line in block:
        stripped = line.strip()
        if skipping and (not stripped or _indent(line) > skip_indent):
            continue
        skipping = False
        if stripped.startswith(f"{key}:") and _indent(line) > parent_indent:
            skipping, skip_indent = True, _indent(line)
            continue
        out.append(line)
    return out
