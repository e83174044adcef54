"""``wiretype compat OLD NEW [--mode M]``: two raw JSON Schema files, compared by set
inclusion (``registry.check.compat_files``); exit 1 when not compatible in the mode."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from registry.cli.app import Format, run

if TYPE_CHECKING:
    from registry.compat import Inclusion


def compat_command(old: Path, new: Path, mode: str, fmt: Format) -> None:
    """The body of ``wiretype compat`` (its options are in ``commands``)."""
    from registry.check.compat_files import compare_files, compat_mode
    from registry.cli.output import report
    from registry.load.schema_file import read_schema

    asked = run(lambda: compat_mode(mode))
    comparison, findings = run(lambda: compare_files(read_schema(old), read_schema(new), asked))
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


def _holds(inclusion: Inclusion) -> str:
    return {"yes": "yes", "no": "no", "unknown": "cannot prove"}[inclusion.verdict]
