"""``wiretype compat OLD NEW [--mode M]``: two raw JSON Schema files, compared by set
inclusion (``registry.check.compat_files``); exit 1 when not compatible in the mode."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from registry.cli.app import Format, run

if TYPE_CHECKING:
    from registry.compat import Comparison, Inclusion
    from registry.findings import Finding
    from registry.mode import Mode


def compat_command(old: Path, new: Path, mode: str, fmt: Format) -> None:
    """The body of ``wiretype compat`` (its options are in ``commands``)."""
    from registry.check.compat_files import compat_mode
    from registry.cli.output import report

    asked = run(lambda: compat_mode(mode))
    comparison, findings = run(lambda: _compared(old, new, asked))
    ok = comparison.compatible(asked)
    if fmt is Format.json:
        typer.echo(json.dumps(comparison.to_json(asked), indent=2, sort_keys=True))
        raise typer.Exit(0 if ok else 1)
    verdict = "compatible" if ok else "NOT compatible"
    summary = (
        f"{verdict} ({asked}): backward {_holds(comparison.backward)}, "
        f"forward {_holds(comparison.forward)}"
    )
    report(findings, fmt.value, summary)
    raise typer.Exit(0 if ok else 1)


def _compared(old: Path, new: Path, asked: Mode) -> tuple[Comparison, list[Finding]]:
    """Both files read and compared; a document nested past what can be read is unreadable
    input (exit 2), never a traceback."""
    from registry.check.compat_files import compare_files
    from registry.compat import deep_stack
    from registry.errors import InputError
    from registry.load.schema_file import read_schema

    try:
        with deep_stack(5_000):  # the JSON and YAML readers recurse once per level
            files = read_schema(old), read_schema(new)
        return compare_files(*files, asked)
    except RecursionError:
        raise InputError(
            "the schema is nested too deeply to read or compare",
            hint="JSON Schema documents are rarely more than a few hundred levels deep",
        ) from None


def _holds(inclusion: Inclusion) -> str:
    """A direction's verdict in words: proved, disproved (with a witness), or not decided."""
    if inclusion.verdict != "unknown":
        return inclusion.verdict  # "no" always with a witness, printed with its finding
    parts = len(inclusion.undecided)
    return f"cannot tell ({parts} part{'s' if parts != 1 else ''} undecided)"
