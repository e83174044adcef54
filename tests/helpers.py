"""Small helpers the test modules share: run the CLI in-process, locate test data."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from registry.cli import app

REPO = Path(__file__).resolve().parents[1]
TESTS = REPO / "tests"
CHAT = REPO / "examples" / "chat"  # the chat example: a user's project with its own registry
UPDATE_GOLDEN = os.environ.get("WIRETYPE_UPDATE_GOLDEN") == "1"


@dataclass(frozen=True)
class Result:
    exit_code: int
    stdout: str
    stderr: str


def run(*args: str, cache: Path | None = None) -> Result:
    """Run ``wiretype ARGS`` in this process, as a user would from a shell.

    The cache is off unless a folder is given for it, so that each test sees only
    its own inputs (and never writes to the user's cache folder).
    """
    env: dict[str, str | None] = {"WIRETYPE_NO_CACHE": "1", "WIRETYPE_CACHE_DIR": None}
    if cache is not None:
        env = {"WIRETYPE_NO_CACHE": None, "WIRETYPE_CACHE_DIR": str(cache)}
    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr)


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
