"""A whole registry at once: parsed, compiled and linted, with every finding.

In: the settings and the definition files (``registry.load``). Out: ``Loaded``, the
frozen ``Registry``, its ``Schemas`` builder, the parsed documents (to place
findings) and every finding, for the commands that need the whole registry
(``generate``, ``show``, ``export``, ``lock``, ``diff``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from registry.compile.model import Registry
from registry.findings import Finding
from registry.load.settings import Config
from registry.load.source import Document
from registry.load.tree import Files, parse_files
from registry.schema.documents import Schemas


@dataclass(frozen=True)
class Loaded:
    """A compiled registry, and every finding met on the way."""

    config: Config
    registry: Registry
    findings: tuple[Finding, ...]
    documents: Mapping[str, Document]
    schemas: Schemas  # every version's JSON Schema, built once and shared


def load(config: Config, files: Files) -> Loaded:
    """Parse, compile and lint the definition files (the load stage's ``Files``).

    The whole registry, for the commands that need all of it (generate, show, ...);
    ``check`` and ``lint`` work file by file instead (``registry.check.survey``).
    """
    from registry.check.lint import lint_registry
    from registry.compile.definitions import compile_registry

    documents, findings = parse_files(config, files)
    registry, compiled = compile_registry(documents, config.compatibility, config.allow_unproven)
    findings += compiled
    schemas = Schemas(registry)
    findings += lint_registry(schemas, documents)
    return Loaded(config, registry, tuple(findings), documents, schemas)
