"""Read the registry as it is at a git ref, through git, without touching the work tree."""

from __future__ import annotations

import subprocess

from registry.config import Config
from registry.errors import GitError


def _git(config: Config, *args: str) -> bytes:
    return _git_input(config, "", *args)


def _git_input(config: Config, stdin: str, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(config.root), *args], capture_output=True,
                              input=stdin.encode(), check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise GitError(f"cannot run git: {err}", hint="install git, or drop --against") from None
    if done.returncode != 0:
        raise GitError(done.stderr.decode("utf-8", "replace").strip() or "git failed")
    return done.stdout


def read_ref(config: Config, ref: str) -> dict[str, bytes]:
    """The project's definition files as they are at ``ref``."""
    try:
        commit = _git(config, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except GitError:
        raise GitError(
            f"git ref {ref!r} is not in this clone",
            hint=f"fetch it first, e.g. `git fetch origin {ref.removeprefix('origin/')}` "
            "(in CI, check out with fetch-depth: 0 or fetch the base branch)",
        ) from None
    sha = commit.decode().strip()
    prefix = _git(config, "rev-parse", "--show-prefix").decode().strip()
    schemas = f"{prefix}{config.schemas.strip('/')}"
    listing = _git(config, "ls-tree", "-r", "-z", sha, "--", schemas)
    wanted: list[tuple[str, str]] = []  # (blob id, path relative to the project root)
    for entry in filter(None, listing.decode("utf-8", "surrogateescape").split("\0")):
        meta, path = entry.split("\t", 1)
        if path.endswith((".yaml", ".yml")) and meta.split()[1] == "blob":
            wanted.append((meta.split()[2], path.removeprefix(prefix)))
    blobs = _cat_blobs(config, [blob for blob, _ in wanted])
    return {path: blobs[blob] for blob, path in wanted}


def _cat_blobs(config: Config, blobs: list[str]) -> dict[str, bytes]:
    """Every blob's content, read with one ``git cat-file --batch``."""
    if not blobs:
        return {}
    out = _git_input(config, "\n".join(blobs) + "\n", "cat-file", "--batch")
    contents: dict[str, bytes] = {}
    position = 0
    while position < len(out):
        header_end = out.index(b"\n", position)
        blob, _, size = out[position:header_end].decode().split()
        start = header_end + 1
        contents[blob] = out[start:start + int(size)]
        position = start + int(size) + 1
    return contents
