"""What ``check`` knows about one definition file, and the JSON the cache keeps of it.

A ``FileReport`` holds a file's findings (parse, compile and lint), the findings of
its pairs of versions, and its outline (for the lock and ``--against``). The cache
keeps reports as JSON data, never code; reading one back is strict: any entry whose
shape is not exactly what ``entry_json`` writes is a miss (``read_entry`` returns
None), so a damaged or foreign entry can cost time but never change an answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from registry.check.lock import Outline, Published
from registry.compile.model import Location
from registry.findings import Finding
from registry.mode import Mode, parse_mode


@dataclass(frozen=True)
class FileReport:
    """What ``check`` knows about one definition file."""

    path: str
    name: str | None  # the definition its path names (None: not a legal name)
    outline: Outline | None  # None when no definition could be compiled from it
    findings: tuple[Finding, ...]  # parse, compile and lint
    pairs: tuple[Finding, ...] | None  # compatibility of its versions; None: not asked
    mode_at: Location | None = None  # where `compatibility:` is written (or would be)
    class_at: Location | None = None  # where `class_name:` is written (or would be)

    @property
    def has_errors(self) -> bool:
        return any(f.is_error for f in self.findings)


# -- entries as JSON, read strictly: any surprise is a miss ------------------------------------

Variant = tuple[str, tuple[str, ...], FileReport]
Entry = tuple[tuple[int, ...] | None, list[Variant]]


class MalformedError(ValueError):
    """An entry that does not have the shape this code writes."""


def read_entry(value: Any) -> Entry | None:
    if value is None:
        return None
    try:
        return _decoderead_entry(value)
    except (MalformedError, KeyError, TypeError, ValueError, IndexError):
        return None


def entry_json(entry: Entry) -> dict[str, Any]:
    index, variants = entry
    return {
        "index": None if index is None else list(index),
        "variants": [
            {"context": c, "deps": list(d), "report": report_json(r)} for c, d, r in variants
        ],
    }


def _decoderead_entry(value: Any) -> Entry:
    index = value["index"]
    numbers = None if index is None else tuple(_int(n) for n in _list(index))
    variants = []
    for item in _list(value["variants"]):
        deps = tuple(_str(d) for d in _list(item["deps"]))
        variants.append((_str(item["context"]), deps, decode_report(item["report"])))
    return numbers, variants


def report_json(report: FileReport) -> dict[str, Any]:
    outline = report.outline
    return {
        "path": report.path,
        "name": report.name,
        "outline": None if outline is None else _outline_json(outline),
        "findings": [finding_json(f) for f in report.findings],
        "pairs": None if report.pairs is None else [finding_json(f) for f in report.pairs],
        "mode_at": None if report.mode_at is None else _where(report.mode_at),
        "class_at": None if report.class_at is None else _where(report.class_at),
    }


def decode_report(data: Any) -> FileReport:
    path = _str(data["path"])
    name = None if data["name"] is None else _str(data["name"])
    outline = None if data["outline"] is None else _decode_outline(data["outline"], path)
    found = tuple(decode_finding(f) for f in _list(data["findings"]))
    pairs = (
        None if data["pairs"] is None else tuple(decode_finding(f) for f in _list(data["pairs"]))
    )
    mode_at = None if data["mode_at"] is None else _at(path, data["mode_at"])
    class_at = None if data["class_at"] is None else _at(path, data["class_at"])
    return FileReport(path, name, outline, found, pairs, mode_at, class_at)


def _outline_json(outline: Outline) -> dict[str, Any]:
    return {
        "name": outline.name,
        "kind": outline.kind,
        "mode": outline.compatibility.name,
        "at": _where(outline.location),
        "versions": [[v.number, *_where(v.location), v.digest] for v in outline.versions],
        "class": outline.class_name,
    }


def _decode_outline(data: Any, path: str) -> Outline:
    versions = []
    for item in _list(data["versions"]):
        number, line, column, fingerprint = _list(item)
        versions.append(Published(_int(number), _at(path, [line, column]), _str(fingerprint)))
    return Outline(
        _str(data["name"]),
        _str(data["kind"]),
        _mode(data["mode"]),
        _at(path, data["at"]),
        tuple(versions),
        _str(data["class"]),
    )


def _where(location: Location) -> list[int]:
    return [location.line, location.column]


def _at(path: str, data: Any) -> Location:
    line, column = _list(data)
    return Location(path, _int(line), _int(column))


FINDING_FIELDS = (
    "file",
    "line",
    "column",
    "rule",
    "message",
    "hint",
    "severity",
    "subject",
    "path",
    "extra",
)
_SEVERITIES = ("error", "warning", "note")


def finding_json(finding: Finding) -> list[Any]:
    return [
        finding.file,
        finding.line,
        finding.column,
        finding.rule,
        finding.message,
        finding.hint,
        finding.severity,
        finding.subject,
        finding.path,
        [list(pair) for pair in finding.extra],
    ]


def decode_finding(data: Any) -> Finding:
    file, line, column, rule, message, hint, severity, subject, path, extra = _list(data)
    if severity not in _SEVERITIES:
        raise MalformedError(f"severity {severity!r}")
    pairs = tuple((_str(k), _str(v)) for k, v in (_list(p) for p in _list(extra)))
    rule_id = _str(rule)  # written out as a literal where the finding was first made
    return Finding(
        _str(file),
        _int(line),
        _int(column),
        rule_id,
        _str(message),
        _str(hint),
        severity,
        _str(subject),
        _str(path),
        pairs,
    )


def _mode(value: Any) -> Mode:
    mode = parse_mode(value)
    if mode is None:
        raise MalformedError("expected a compatibility mode")
    return mode


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise MalformedError("expected a list")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise MalformedError("expected a string")
    return value


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise MalformedError("expected a whole number")
    return value
