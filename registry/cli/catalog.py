"""``wiretype rules`` and ``wiretype explain ID``: the catalogue of every id the tool can
print (``registry.catalog``), by category, and one id with its example and fix."""

from __future__ import annotations

from typing import Annotated

import typer


def rules(
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """List every id wiretype can print, by category, with what each protects."""
    import json

    from registry.catalog import CATALOG, by_category

    if fmt == "json":
        listing = [
            {
                "id": e.id,
                "category": e.category,
                "summary": e.summary,
                "retired": bool(e.replaced_by),
            }
            for e in sorted(CATALOG.values(), key=lambda e: e.id)
        ]
        typer.echo(json.dumps(listing, indent=2))
        return
    if fmt != "text":
        typer.echo("wiretype: error: --format must be text or json for rules", err=True)
        raise typer.Exit(2)
    width = max(len(rule_id) for rule_id in CATALOG)
    blocks = []
    for heading, entries in by_category():
        lines = [f"  {e.id:{width}}  {e.summary}" for e in entries]
        blocks.append("\n".join([f"{heading}:", *lines]))
    typer.echo("\n\n".join(blocks))
    typer.echo(f"\n{len(CATALOG)} ids; `wiretype explain ID` prints one with an example")


def explain(
    rule: Annotated[
        str, typer.Argument(help="An id, e.g. ENUM_VALUE_NO_DELETE or LOCK_VERSION_CHANGED.")
    ],
) -> None:
    """Print what an id protects, a before/after example and how to fix it."""
    from registry.catalog import CATALOG, CATEGORIES
    from registry.compile.context import did_you_mean

    wanted = rule.strip().upper().replace("-", "_")
    found = CATALOG.get(wanted)
    if found is None:
        typer.echo(
            f"wiretype: error: no id {rule!r}{did_you_mean(wanted, CATALOG)}; "
            "`wiretype rules` lists them",
            err=True,
        )
        raise typer.Exit(2)
    heading = dict(CATEGORIES)[found.category]
    typer.echo(f"{found.id}\n{heading}\n\n{found.doc}")
