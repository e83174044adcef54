"""What ``check --against REF`` adds: the registry as it is at a git ref, published.

Everything the ref holds counts as published: a version there that is gone or
changed now is a ``REF_*`` finding (the lock's findings, said of the ref), and a
message whose mode is weakened in the same change that adds a version to it is
``REF_COMPATIBILITY_WEAKENED``. In: the survey of the working tree and the survey
of the ref. Out: findings.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from registry.check.lock import LockEntry, entries_of, lock_findings
from registry.check.survey import Survey
from registry.findings import Finding


def against_findings(current: Survey, previous: Survey, ref: str) -> list[Finding]:
    """Compare with the registry at a git ref: what it published must still be there."""
    entries = {
        key: LockEntry(key[0], key[1], digest, 0)
        for key, digest in entries_of(previous.outlines).items()
    }
    findings = [
        _against(finding, ref, previous)
        for finding in lock_findings(current.outlines, entries, current.broken)
    ]
    return findings + list(_weakened(current, previous, ref))


def _weakened(current: Survey, previous: Survey, ref: str) -> Iterator[Finding]:
    """A message whose mode is weakened in the same change that adds a version to it.

    Otherwise a pull request could lower `compatibility:` and slip a breaking version
    through the gate in one go; weakening alone (in a change of its own) is allowed.
    """
    before_all = previous.outlines
    for report in current.reports:
        now = report.outline
        before = before_all.get(now.name) if now is not None else None
        if (
            now is None
            or before is None
            or now.kind != "message"
            or now.compatibility.covers(before.compatibility)
        ):
            continue
        known = {v.number for v in before.versions}
        added = [v.number for v in now.versions if v.number not in known]
        if added and report.mode_at is not None:
            at = report.mode_at
            yield Finding(
                at.file,
                at.line,
                at.column,
                "REF_COMPATIBILITY_WEAKENED",
                f"{now.name}: compatibility weakened from "
                f"{before.compatibility} (at {ref}) to {now.compatibility} "
                f"in the same change that adds version(s) "
                f"{', '.join(map(str, added))}",
                "weaken the mode in a change of its own, then add the version",
                subject=now.name,
            )


def _against(finding: Finding, ref: str, previous: Survey) -> Finding:
    message = finding.message.replace("is published (locked)", f"exists at {ref}")
    rule = finding.rule.replace("LOCK_", "REF_")
    if rule == "REF_DEFINITION_DELETED":  # not a line of the lock: the file as it was at ref
        gone = previous.outlines[finding.subject].location
        return replace(
            finding, rule=rule, message=message, file=gone.file, line=gone.line, column=gone.column
        )
    return replace(finding, rule=rule, message=message)
