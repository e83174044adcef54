"""How the command line shows findings: text, JSON, GitHub annotations, JUnit; and where.

The printers turn a list of findings into text; ``report`` writes it to standard
output and says which exit code the findings mean (1 when one of them is an error).
This is the only place that formats findings.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from registry.findings import Finding, has_errors, rebase, sort_findings

if TYPE_CHECKING:
    from registry.load.settings import Config

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


def report(
    findings: Sequence[Finding], fmt: str, summary: str = "", config: Config | None = None
) -> int:
    """Print the findings in ``fmt`` (text, json, github, junit); the exit code they mean."""
    if fmt == "github" and config is not None:  # annotations want repository paths
        findings = rebase(findings, config.repository_prefix)
    ordered = sort_findings(findings)
    kwargs: dict[str, Any] = {"summary": summary}
    if fmt == "text":
        kwargs["colour"] = sys.stdout.isatty()
    sys.stdout.write(PRINTERS[fmt](ordered, **kwargs))
    return 1 if has_errors(ordered) else 0


def summary(findings: Sequence[Finding], what: str) -> str:
    """``what: ok`` or ``what: N error(s)``, with the warnings counted."""
    errors = sum(f.is_error for f in findings)
    warnings = len(findings) - errors
    verdict = "ok" if not errors else f"{errors} error(s)"
    return f"{what}: {verdict}" + (f", {warnings} warning(s)" if warnings else "")


def refuse(findings: Sequence[Finding], what: str) -> int:
    """The errors that stop a command that writes (``generate``, ``export``), on standard
    error, and exit code 1."""
    errors = [f for f in findings if f.is_error]
    sys.stderr.write(render_text(errors, summary=f"nothing {what}: fix these first"))
    return 1
