"""A whole project, loaded: its settings, every definition compiled, every finding."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from registry.compile.model import Registry
from registry.diagnostics import Finding
from registry.load.settings import Config
from registry.load.source import Document
from registry.load.tree import Files, parse_files, read_tree
from registry.schema.documents import Schemas


@dataclass(frozen=True)
class Loaded:
    """A compiled registry, and every finding met on the way."""

    config: Config
    registry: Registry
    findings: tuple[Finding, ...]
    documents: Mapping[str, Document]
    schemas: Schemas  # every version's JSON Schema, built once and shared


def load(config: Config, files: Files | None = None) -> Loaded:
    """Parse and compile the definitions (read from disk unless ``files`` is given).

    The whole registry, for the commands that need all of it (generate, show, ...);
    ``check`` and ``lint`` work file by file instead (``registry.check.survey``).
    """
    from registry.check.lint import lint_registry
    from registry.compile.definitions import compile_registry

    files = read_tree(config) if files is None else files
    documents, findings = parse_files(config, files)
    registry, compiled = compile_registry(documents, config.compatibility, config.allow_unproven)
    findings += compiled
    schemas = Schemas(registry)
    findings += lint_registry(schemas, documents)
    return Loaded(config, registry, tuple(findings), documents, schemas)
