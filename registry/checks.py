"""``wiretype check``: lint, the lock, and (with --against) the registry at a git ref.

Every check is a function from the files' reports (``registry.check.survey``) to
findings; ``check_project`` runs them all and collects everything before the
command prints anything. This is the command layer's side of the cache: the
store is opened here and handed down; the stages below never touch the disk.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from registry.cache import Store, open_store
from registry.check.lock import LOCK_FILE, LockEntry, entries_of, lock_findings, parse_lock
from registry.check.survey import Survey, survey
from registry.diagnostics import Finding
from registry.load.settings import Config
from registry.load.tree import read_tree


@dataclass(frozen=True)
class Checked:
    """What ``check`` found, and the registry it looked at."""

    survey: Survey
    findings: tuple[Finding, ...]


def lint_project(config: Config) -> Survey:
    """Every file's parse, compile and lint findings (``wiretype lint``)."""
    files = read_tree(config)
    with open_store(config.root) as store:
        return survey(config, files, store, pairs=False)


def check_project(config: Config, against: str | None = None) -> Checked:
    """Every finding of ``check``: lint, the lock, compatibility and, with ``against``, the
    registry at that git ref."""
    files = read_tree(config)
    with open_store(config.root) as store:
        current = survey(config, files, store)
        findings = [*current.findings, *current.pair_findings, *check_lock(config, current)]
        if against is not None:
            findings += check_against(config, current, against, store)
    return Checked(current, tuple(findings))


def check_lock(config: Config, current: Survey) -> list[Finding]:
    path = config.lock_path
    if not path.is_file():
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        return [Finding(LOCK_FILE, 1, 1, "LOCK_INVALID", f"cannot read the lock: {err}")]
    locked, findings = parse_lock(text)
    findings += lock_findings(current.outlines, locked, current.broken)
    return findings


def check_against(config: Config, current: Survey, ref: str, store: Store) -> list[Finding]:
    """Compare with the registry at a git ref: what it published must still be there."""
    from registry.load.gitref import read_ref

    previous = survey(config, read_ref(config, ref), store, pairs=False)
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
