"""The exceptions wiretype raises, all in one tree.

Mistakes in a user's definitions are *findings* (see ``findings``), never
exceptions. Exceptions are for input that cannot be read at all, for a wrong
command line, and for bugs::

    WiretypeError                 base; carries a message and a hint
     +-- UsageError               bad flags, no project found, unknown message
     +-- InputError               a file or git ref that cannot be read (with its path)
          +-- GitError            git failed or the ref is missing

The command line turns every ``WiretypeError`` into one clear line on stderr and
an exit code (2 for all of these: ``registry.cli.app.exit_code``); anything else is
a bug and is reported as one.
"""

from __future__ import annotations


class WiretypeError(Exception):
    """Base of every error wiretype raises on purpose."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class UsageError(WiretypeError):
    """The command line asks for something that cannot be done."""


class InputError(WiretypeError):
    """A file that cannot be read or parsed at all."""

    def __init__(self, message: str, *, path: str = "", hint: str = "") -> None:
        super().__init__(f"{path}: {message}" if path else message, hint=hint)
        self.path = path


class GitError(InputError):
    """git failed, or the ref asked for is not there."""
