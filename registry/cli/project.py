"""The command layer's way to a project: its settings, its whole registry, one definition."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from registry.errors import UsageError

if TYPE_CHECKING:
    from registry.check.project import Loaded
    from registry.compile.model import Definition, Registry, Version
    from registry.load.settings import Config


def config_of(root: Path | None) -> Config:
    """The settings of the project at ``--root``, or of the nearest one upward."""
    from registry.load.settings import find_root, load_config

    return load_config(root.resolve() if root else find_root(Path.cwd()))


def load_project(config: Config) -> Loaded:
    """The whole registry, read from the project's folder, parsed, compiled and linted."""
    from registry.check.project import load
    from registry.load.tree import read_tree

    return load(config, read_tree(config))


def load_root(root: Path | None) -> Loaded:
    """The project at ``--root``, with the findings about its settings first."""
    config = config_of(root)
    loaded = load_project(config)
    if not config.findings:
        return loaded
    return replace(loaded, findings=(*config.findings, *loaded.findings))


def find_definition(registry: Registry, spec: str) -> tuple[Definition, Version]:
    """``MSG`` or ``MSG@V`` -> the definition and version (the latest when none is given)."""
    name, _, number = spec.partition("@")
    definition = registry.definitions.get(name)
    if definition is None:
        from registry.compile.context import did_you_mean

        raise UsageError(
            f"no message or type named {name!r}{did_you_mean(name, registry.definitions)}",
            hint="`wiretype lint` lists the problems of files that did not load",
        )
    if not number:
        return definition, definition.latest
    if not number.isdigit():
        raise UsageError(f"{spec!r}: the version after @ must be a number")
    return definition, version_of(definition, int(number))


def version_of(definition: Definition, number: int) -> Version:
    version = definition.version(number)
    if version is None:
        raise UsageError(
            f"{definition.name} has no version {number}",
            hint=f"versions: {', '.join(str(v.number) for v in definition.versions)}",
        )
    return version
