"""Read the registry's files as they are at a git ref, through git, without touching the
work tree.

Paths in git are relative to the repository's top, and the project may sit in a
subfolder of it (``proto/wiretype.yaml``): the schemas folder is looked up at
``<the project's folder in the repository>/<schemas>`` of the ref's tree, and
its files come back relative to the project, as ``tree.read_tree`` gives them.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from registry.errors import GitError
from registry.load.settings import Config
from registry.load.tree import SUFFIXES


def _git(root: Path, *args: str, stdin: str = "") -> bytes:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            input=stdin.encode(),
            check=False,
            timeout=60,
            env={**os.environ, "LC_ALL": "C"},
        )  # messages we can read
    except (OSError, subprocess.TimeoutExpired) as err:
        raise GitError(f"cannot run git: {err}", hint="install git, or drop --against") from None
    if done.returncode != 0:
        raise GitError(done.stderr.decode("utf-8", "replace").strip() or _SILENT)
    return done.stdout


_SILENT = "git failed"  # the message of a git that failed without a word on stderr


def read_ref(config: Config, ref: str) -> dict[str, bytes]:
    """Every definition file under the schemas folder at ``ref``, by its path from the root."""
    prefix, commit = _locate(config.root, ref)
    folder = f"{prefix}{config.schemas.strip('/')}"
    listing = _git(config.root, "ls-tree", "-r", "-z", "--full-tree", commit, "--", folder)
    wanted: list[tuple[str, str]] = []  # (blob id, path relative to the project root)
    for entry in filter(None, listing.decode("utf-8", "surrogateescape").split("\0")):
        meta, path = entry.split("\t", 1)
        kind, blob = meta.split()[1:3]
        if kind == "blob" and path.endswith(SUFFIXES) and path.startswith(prefix):
            wanted.append((blob, path.removeprefix(prefix)))
    if not wanted:
        raise GitError(
            f"git ref {ref!r} holds no definitions in {folder}/",
            hint="nothing there to compare with: check the ref, or the project's `schemas:` "
            "setting; if the registry is new in this change, run `wiretype check` without "
            "--against",
        )
    blobs = _cat_blobs(config.root, [blob for blob, _ in wanted])
    return {path: blobs[blob] for blob, path in wanted}


def _locate(root: Path, ref: str) -> tuple[str, str]:
    """The project's folder inside its git repository, as git writes it (``proto/``, or ""),
    and the commit ``ref`` names: one ``git rev-parse`` for both."""
    try:
        out = _git(
            root,
            "rev-parse",
            "--show-prefix",
            "--verify",
            "--quiet",
            "--end-of-options",
            f"{ref}^{{commit}}",
        )
    except GitError as err:
        if "not a git repository" in err.message:
            raise GitError(
                f"{root} is not a git repository",
                hint="--against compares with a git ref: run it in a clone of the "
                "repository, or drop --against",
            ) from None
        if err.message != _SILENT:
            raise  # git could not work here at all: its own words
        raise GitError(  # --quiet: a ref that names no commit fails without a word
            f"git ref {ref!r} is not in this clone",
            hint=f"fetch it first, e.g. `git fetch origin {ref.removeprefix('origin/')}` "
            "(in CI, check out with fetch-depth: 0 or fetch the base branch)",
        ) from None
    prefix, commit = out.decode("utf-8", "surrogateescape").split("\n")[:2]
    return prefix, commit


def _cat_blobs(root: Path, blobs: list[str]) -> dict[str, bytes]:
    """Every blob's content, read with one ``git cat-file --batch``."""
    out = _git(root, "cat-file", "--batch", stdin="\n".join(blobs) + "\n")
    contents: dict[str, bytes] = {}
    position = 0
    while position < len(out):
        header_end = out.index(b"\n", position)
        blob, _, size = out[position:header_end].decode().split()
        start = header_end + 1
        contents[blob] = out[start : start + int(size)]
        position = start + int(size) + 1
    return contents
