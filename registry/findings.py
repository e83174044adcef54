"""Findings: user mistakes and incompatibilities, as data that every stage returns.

A finding is a rule id (in the catalogue, ``registry.catalog``), a message, where
it is (file, line, column), what to do, and what it is about (the message and
version, the JSON path). Stages collect every finding before anything is printed;
the command layer's printers (``registry.cli.output``) turn them into text, JSON,
GitHub workflow annotations or a JUnit report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True, order=True)
class Finding:
    """One thing wrong (or worth knowing) about a registry, pointing at its source."""

    file: str
    line: int
    column: int
    rule: str
    message: str
    hint: str = ""
    severity: Severity = "error"
    subject: str = ""  # the message or type (and version) it is about, e.g. chat.sent@2
    path: str = ""  # JSON path inside the schema, when the finding is about one
    extra: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["extra"] = dict(self.extra)
        return data


def rebase(findings: Iterable[Finding], prefix: str) -> list[Finding]:
    """The findings with their files under ``prefix`` (a folder path ending in ``/``)."""
    from dataclasses import replace

    return [replace(f, file=prefix + f.file) if prefix and f.file else f for f in findings]


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.is_error for f in findings)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(set(findings))
