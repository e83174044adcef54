"""The command layer: ``wiretype``'s commands, the only code that prints, chooses exit codes,
opens the cache and runs the stages in order.

Each command is a function in a module of its own: it parses its options, reads its
input through the load stage, hands plain data to the stages (load -> compile ->
schema -> check -> render -> write), and prints what comes back with the printers of
``output``. ``app`` holds the typer application, the shared options and the exit-code
policy; ``project`` the way to a whole project; ``cache`` the user's cache, which
``check`` and ``lint`` hand to the survey. A new command is a module here and a line
in ``COMMANDS``, in the order ``wiretype --help`` lists them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from registry.cli import bump, catalog, check, compat, diff, export, generate, init, lock, show
from registry.cli.app import app, main

COMMANDS: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("init", init.init),
    ("lint", check.lint),
    ("check", check.check),
    ("lock", lock.lock),
    ("show", show.show),
    ("export", export.export),
    ("bump", bump.bump),
    ("generate", generate.generate),
    ("compat", compat.compat_command),
    ("diff", diff.diff),
    ("rules", catalog.rules),
    ("explain", catalog.explain),
)
for _name, _command in COMMANDS:
    app.command(_name)(_command)

__all__ = ["COMMANDS", "app", "main"]
