"""``wiretype rules`` and ``wiretype explain ID``: the catalogue of every id the tool can
print (``registry.catalog``), by category, and one id with its example and fix."""

from __future__ import annotations

import typer


def rules(fmt: str) -> None:
    """The body of ``wiretype rules`` (its options are in ``commands``)."""
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


def explain(rule: str) -> None:
    """The body of ``wiretype explain`` (its options are in ``commands``)."""
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
