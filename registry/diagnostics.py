"""Findings (user mistakes and incompatibilities) and the printers that show them.

A finding is data: a rule id, a message, where it is (file, line, column) and
what to do. Printers turn a list of findings into text, JSON, GitHub workflow
annotations or a JUnit report; nothing else in wiretype formats findings.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
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


_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def _where(f: Finding) -> str:
    return f"{f.file}:{f.line}:{f.column}" if f.line else f.file


def render_text(findings: Sequence[Finding], *, colour: bool = False, summary: str = "") -> str:
    lines = []
    for f in findings:
        sev = f"{_COLOURS[f.severity]}{f.severity}{_RESET}" if colour else f.severity
        rule = f"{_BOLD}{f.rule}{_RESET}" if colour else f.rule
        lines.append(f"{_where(f)}: {sev} {rule}: {f.message}")
        if f.hint:
            hint = f"  hint: {f.hint}"
            lines.append(f"{_DIM}{hint}{_RESET}" if colour else hint)
    lines.append(summary or _summary(findings))
    return "\n".join(lines) + "\n"


def _summary(findings: Sequence[Finding]) -> str:
    errors = sum(f.is_error for f in findings)
    others = len(findings) - errors
    if not findings:
        return "no findings"
    return f"{errors} error(s), {others} warning(s)"


def render_json(findings: Sequence[Finding], *, summary: str = "") -> str:
    payload = {
        "ok": not has_errors(findings),
        "summary": summary or _summary(findings),
        "findings": [f.to_json() for f in findings],
    }
    return json.dumps(payload, indent=2, sort_keys=True) + "\n"


def _gh_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def render_github(findings: Sequence[Finding], *, summary: str = "") -> str:
    """GitHub workflow commands: each finding becomes an annotation on its line."""
    out = []
    for f in findings:
        level = {"error": "error", "warning": "warning", "note": "notice"}[f.severity]
        props = [f"file={_gh_escape(f.file, prop=True)}"]
        if f.line:
            props += [f"line={f.line}", f"col={f.column}"]
        props.append(f"title={_gh_escape(f.rule, prop=True)}")
        body = f.message + (f" (hint: {f.hint})" if f.hint else "")
        out.append(f"::{level} {','.join(props)}::{_gh_escape(body)}")
    out.append(summary or _summary(findings))
    return "\n".join(out) + "\n"


def render_junit(findings: Sequence[Finding], *, summary: str = "") -> str:
    """A JUnit XML report: one test case per finding, or one passing case when clean."""
    from xml.sax.saxutils import escape, quoteattr  # only here: it costs 18 ms to import

    errors = [f for f in findings if f.is_error]
    cases = []
    for f in findings:
        name = quoteattr(f"{f.rule} {_where(f)}")
        body = escape(f"{_where(f)}: {f.message}" + (f"\nhint: {f.hint}" if f.hint else ""))
        tag = "failure" if f.is_error else "system-out"
        attr = f" message={quoteattr(f.message)} type={quoteattr(f.rule)}" if f.is_error else ""
        cases.append(
            f"    <testcase classname={quoteattr(f.subject or f.file)} name={name}>"
            f"<{tag}{attr}>{body}</{tag}></testcase>"
        )
    if not findings:
        cases.append('    <testcase classname="wiretype" name="registry"/>')
    head = (
        f'<testsuite name="wiretype" tests="{max(len(findings), 1)}" '
        f'failures="{len(errors)}" errors="0">'
    )
    text = "\n".join(['<?xml version="1.0" encoding="UTF-8"?>', head, *cases, "</testsuite>"])
    return text + "\n"


Printer = Callable[..., str]
PRINTERS: dict[str, Printer] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "junit": render_junit,
}
