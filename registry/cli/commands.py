"""The command line as a user sees it: every command, its arguments, options and help.

Each command here only declares its interface (typer reads the signatures and the
docstrings for ``--help``) and runs its body from the module of the same name, which
is imported only then: ``wiretype --help`` and each command import nothing they do
not use. ``registry.cli.COMMANDS`` lists them in the order ``--help`` shows them.
"""

from pathlib import Path
from typing import Annotated

import typer

from registry.cli.app import ExportKind, Format, FormatOpt, RootOpt, ShowFormat


def init(
    directory: Annotated[Path, typer.Argument(help="Where to create the project.")] = Path(),
) -> None:
    """Scaffold a project: settings, one example message and a pre-commit config."""
    from registry.cli import init as command

    command.init(directory)


def lint(root: RootOpt = None, fmt: FormatOpt = Format.text) -> None:
    """Load and validate every definition; each error carries file:line:column."""
    from registry.cli import check as command

    command.lint(root, fmt)


def check(
    root: RootOpt = None,
    fmt: FormatOpt = Format.text,
    against: Annotated[
        str | None,
        typer.Option(
            "--against",
            help="Also compare with the registry at this git ref (e.g. origin/main).",
        ),
    ] = None,
) -> None:
    """Lint, then check published versions are unchanged and every change is compatible."""
    from registry.cli import check as command

    command.check(root, fmt, against)


def lock(
    root: RootOpt = None,
    fmt: FormatOpt = Format.text,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Also re-record locked versions whose schema changed (breaks clients).",
        ),
    ] = False,
    prune: Annotated[
        bool,
        typer.Option(
            "--prune",
            help="Forget locked versions whose definition was deleted on purpose.",
        ),
    ] = False,
) -> None:
    """Record the current versions as published, with their fingerprints."""
    from registry.cli import lock as command

    command.lock(root, fmt, force, prune)


def show(
    message: Annotated[str, typer.Argument(help="MSG or MSG@V (default: the latest version).")],
    root: RootOpt = None,
    fmt: Annotated[ShowFormat, typer.Option("--format", "-f")] = ShowFormat.yaml,
    view: Annotated[
        str,
        typer.Option(
            help="closed (what a writer sends) or open (what a reader accepts); for jsonschema."
        ),
    ] = "closed",
) -> None:
    """Print one message version, resolved (shared types included)."""
    from registry.cli import show as command

    command.show(message, root, fmt, view)


def export(
    kind: Annotated[ExportKind, typer.Argument(help="jsonschema or asyncapi.")],
    root: RootOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Output folder (jsonschema; default generated/jsonschema) or file (asyncapi; "
            "default: standard output)."
        ),
    ] = None,
) -> None:
    """Export the registry as JSON Schema files, or as an AsyncAPI 3 document."""
    from registry.cli import export as command

    command.export(kind, root, out)


def bump(
    message: Annotated[str, typer.Argument(help="The message (or shared type) to bump.")],
    root: RootOpt = None,
) -> None:
    """Start a new version of a message as a copy of its latest."""
    from registry.cli import bump as command

    command.bump(message, root)


def generate(
    root: RootOpt = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Write nothing; exit 1 when the generated code on disk is stale.",
        ),
    ] = False,
    lang: Annotated[
        str,
        typer.Option(
            "--lang",
            help="Which packages, comma-separated: python,typescript.",
        ),
    ] = "python,typescript",
    out: Annotated[
        Path | None,
        typer.Option(
            help="Output folder (default: from the settings); with several languages each gets "
            "a subfolder named after it."
        ),
    ] = None,
    templates: Annotated[
        Path | None,
        typer.Option(
            help="A folder of templates that override the built-in ones by name "
            "(python/..., typescript/...)."
        ),
    ] = None,
) -> None:
    """Generate the Python and TypeScript packages (models, validators, shims)."""
    from registry.cli import generate as command

    command.generate(root, check, lang, out, templates)


def compat(
    old: Annotated[Path, typer.Argument(help="The old JSON Schema file (JSON or YAML).")],
    new: Annotated[Path, typer.Argument(help="The new JSON Schema file (JSON or YAML).")],
    mode: Annotated[
        str,
        typer.Option(
            "--mode",
            "-m",
            help="backward (OLD ⊆ NEW), forward (NEW ⊆ OLD), full or none.",
        ),
    ] = "full",
    fmt: FormatOpt = Format.text,
) -> None:
    """Compare two raw JSON Schema files by set inclusion; exit 1 when not compatible."""
    from registry.cli import compat as command

    command.compat_command(old, new, mode, fmt)


def diff(
    message: Annotated[str, typer.Argument(help="The message (or shared type).")],
    v1: Annotated[int, typer.Argument(help="The older version.")],
    v2: Annotated[int, typer.Argument(help="The newer version.")],
    root: RootOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """What changed between two versions, keyword by keyword, and what each change breaks.

    Exit 1 when the versions are not compatible in the message's mode (with its
    migrations), 0 when they are, 2 for an unknown message or version.
    """
    from registry.cli import diff as command

    command.diff(message, v1, v2, root, fmt)


def rules(
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """List every id wiretype can print, by category, with what each protects."""
    from registry.cli import catalog as command

    command.rules(fmt)


def explain(
    rule: Annotated[
        str, typer.Argument(help="An id, e.g. ENUM_VALUE_NO_DELETE or LOCK_VERSION_CHANGED.")
    ],
) -> None:
    """Print what an id protects, a before/after example and how to fix it."""
    from registry.cli import catalog as command

    command.explain(rule)
