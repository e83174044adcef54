"""The command layer: ``wiretype``'s commands, the only code that prints, chooses exit codes,
opens the cache and runs the stages in order.

Each command is declared in ``commands`` (its arguments, options and help) and runs
from a module of its own, imported only then: it reads its input through the load
stage, hands plain data to the stages (load -> compile -> schema -> check -> render
-> write), and prints what comes back with the printers of ``output``. ``app`` holds
the typer application, the shared options and the exit-code policy; ``project`` the
way to a whole project; ``cache`` the user's cache, which ``check`` and ``lint`` hand
to the survey. ``runtime`` declares the runtime's commands (serve, dlq, loadtest,
versions) and hands them to ``wiretype/``, imported by name only when one runs. A new
command is a module here, its declaration in ``commands`` and a line in ``COMMANDS``,
in the order ``wiretype --help`` lists them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from registry.cli import commands, runtime
from registry.cli.app import app, main

COMMANDS: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("init", commands.init),
    ("lint", commands.lint),
    ("check", commands.check),
    ("lock", commands.lock),
    ("show", commands.show),
    ("export", commands.export),
    ("bump", commands.bump),
    ("generate", commands.generate),
    ("compat", commands.compat),
    ("diff", commands.diff),
    ("rules", commands.rules),
    ("explain", commands.explain),
    ("serve", runtime.serve),
    ("dlq", runtime.dlq),
    ("loadtest", runtime.loadtest),
    ("versions", runtime.versions),
)
for _name, _command in COMMANDS:
    app.command(_name)(_command)

__all__ = ["COMMANDS", "app", "main"]
