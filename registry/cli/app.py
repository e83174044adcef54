"""The typer application, the options every command shares, and the exit-code policy.

Exit codes everywhere: 0 ok, 1 findings, 2 usage or unreadable input. A command
body runs under ``run``, which turns each ``WiretypeError`` into one line on stderr
and its exit code (``EXIT_CODES``); anything else escaping a command is a bug, which
``main`` reports as one line (the traceback with ``WIRETYPE_DEBUG=1``). Only typer is
imported here: every command imports what it needs when it runs, so that
``wiretype --help`` stays fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

if TYPE_CHECKING:
    from registry.errors import WiretypeError

app = typer.Typer(
    name="wiretype",
    help="Messages written once in YAML: checked against what shipped, generated for Python "
    "and TypeScript.\n\nExit codes: 0 ok, 1 findings (incompatible, stale, invalid), "
    "2 usage or unreadable input.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class Format(StrEnum):
    text = "text"
    json = "json"
    github = "github"
    junit = "junit"


RootOpt = Annotated[
    Path | None,
    typer.Option(
        "--root",
        help="The project folder (default: the nearest one upward with "
        "wiretype.yaml or [tool.wiretype] in pyproject.toml).",
        show_default=False,
    ),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="How to print findings.")]


class ShowFormat(StrEnum):
    yaml = "yaml"
    jsonschema = "jsonschema"


class ExportKind(StrEnum):
    jsonschema = "jsonschema"
    asyncapi = "asyncapi"


T = TypeVar("T")


def exit_code(error: WiretypeError) -> int:
    """The exit code of an error the tool raises on purpose (``registry.errors``): 2 for a
    command line that asks the impossible and for input that cannot be read (a git ref
    included), as for any other of them."""
    from registry.errors import InputError, UsageError

    codes: dict[type[WiretypeError], int] = {UsageError: 2, InputError: 2}
    return next((code for kind, code in codes.items() if isinstance(error, kind)), 2)


def run(action: Callable[[], T]) -> T:
    """Run a command body; turn wiretype's own errors into a message and their exit code."""
    from registry.errors import WiretypeError

    try:
        return action()
    except WiretypeError as err:
        typer.echo(f"wiretype: error: {err}", err=True)
        raise typer.Exit(exit_code(err)) from None


def main() -> None:
    """The console script: ``wiretype``."""
    import gc

    # One short run builds many objects and few cycles: collect them rarely (with the
    # default thresholds the collector took a tenth of a cold `check`).
    gc.set_threshold(200_000, 10, 1000)
    try:
        app()
    except SystemExit as done:  # how every command ends
        if sys.argv[1:2] and sys.argv[1] in _NOTHING_TO_TEAR_DOWN:
            _exit_now(done.code)
        raise
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)
    except Exception as err:  # a bug: one clear line, the traceback only on request
        if os.environ.get("WIRETYPE_DEBUG"):
            raise
        typer.echo(
            f"wiretype: internal error: {type(err).__name__}: {err}\n"
            "  hint: this is a bug in wiretype; rerun with WIRETYPE_DEBUG=1 and "
            "report the traceback",
            err=True,
        )
        sys.exit(2)


# Commands whose every file is closed and every cache entry written when they return: the
# interpreter's teardown (freeing every object a cold `check` built, a twentieth of its
# time) can be skipped. Other commands (the runtime's, with their threads and handlers)
# end the usual way.
_NOTHING_TO_TEAR_DOWN = frozenset({"check", "lint"})


def _exit_now(code: object) -> None:
    """End the process with ``code`` (what ``sys.exit`` was given) once the output is out,
    without the interpreter's teardown; a code Python would print is left to Python."""
    if code is not None and not isinstance(code, int):
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: the usual exit reports it
        return
    os._exit(code or 0)
