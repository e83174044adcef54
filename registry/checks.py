"""``wiretype check``: lint, the lock, and (with --against) the registry at a git ref.

Every check is a function from the loaded project to findings; ``check_project``
runs them all and collects everything before the command prints anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from registry import cache
from registry.diagnostics import Finding
from registry.lock import lock_findings, parse_lock
from registry.project import Loaded


def check_project(loaded: Loaded, against: str | None = None) -> list[Finding]:
    """Every finding of ``check``; without ``against``, cached by the content of the inputs."""
    if against is not None or not loaded.key:
        return _check(loaded, against)
    lock = loaded.config.lock_path
    lock_bytes = lock.read_bytes() if lock.is_file() else b""
    key = hashlib.sha256(loaded.key.encode() + b"\0" + lock_bytes).hexdigest()[:32]
    hit = cache.read(loaded.config.root, "check", key)
    if isinstance(hit, list):
        return hit
    findings = _check(loaded, None)
    cache.write(loaded.config.root, "check", key, findings)
    return findings


def _check(loaded: Loaded, against: str | None) -> list[Finding]:
    from registry.policy import compatibility_findings

    findings = list(loaded.findings)
    findings += check_lock(loaded)
    findings += compatibility_findings(loaded.registry, broken_definitions(loaded),
                                      loaded.config.root, loaded.documents)
    if against is not None:
        findings += check_against(loaded, against)
    return findings


def broken_definitions(loaded: Loaded) -> frozenset[str]:
    """Definitions whose files have errors, and shared types that uses found missing: later
    checks would only add noise about them."""
    files = {f.file for f in loaded.findings if f.is_error}
    missing = {value for f in loaded.findings for key, value in f.extra if key == "missing_type"}
    return frozenset(name for name, doc in loaded.documents.items() if doc.path in files) | \
        frozenset(_name_of(path, loaded) for path in files) | \
        frozenset(missing - loaded.registry.definitions.keys())


def _name_of(path: str, loaded: Loaded) -> str:
    from registry.compile import definition_name

    prefix = loaded.config.schemas.strip("/") + "/"
    return definition_name(path.removeprefix(prefix)) or path


def check_lock(loaded: Loaded) -> list[Finding]:
    path = loaded.config.lock_path
    if not path.is_file():
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        return [Finding("wiretype.lock", 1, 1, "LOCK_INVALID", f"cannot read the lock: {err}")]
    locked, findings = parse_lock(text)
    findings += lock_findings(loaded.registry, locked, broken_definitions(loaded))
    return findings


def check_against(loaded: Loaded, ref: str) -> list[Finding]:
    """Compare with the registry at a git ref (the compatibility engine extends this)."""
    from registry.gitref import load_at_ref
    from registry.lock import LockEntry, current_entries, lock_findings

    previous = load_at_ref(loaded.config, ref)
    entries = {
        key: LockEntry(key[0], key[1], digest, 0)
        for key, digest in current_entries(previous.registry).items()
    }
    findings = []
    for finding in lock_findings(loaded.registry, entries, broken_definitions(loaded)):
        findings.append(_against(finding, ref, previous))
    return findings + list(_weakened(loaded, previous, ref))


def _weakened(loaded: Loaded, previous: Loaded, ref: str) -> Iterator[Finding]:
    """A message whose mode is weakened in the same change that adds a version to it.

    Otherwise a pull request could lower `compatibility:` and slip a breaking version
    through the gate in one go; weakening alone (in a change of its own) is allowed.
    """
    from registry.policy import covers

    for definition in loaded.registry.messages:
        before = previous.registry.definitions.get(definition.name)
        if before is None or covers(definition.compatibility, before.compatibility):
            continue
        known = {v.number for v in before.versions}
        added = [v.number for v in definition.versions if v.number not in known]
        if added:
            doc = loaded.documents[definition.name]
            line, column = doc.where(("compatibility",))
            yield Finding(doc.path, line, column, "REF_COMPATIBILITY_WEAKENED",
                          f"{definition.name}: compatibility weakened from "
                          f"{before.compatibility} (at {ref}) to {definition.compatibility} "
                          f"in the same change that adds version(s) "
                          f"{', '.join(map(str, added))}",
                          "weaken the mode in a change of its own, then add the version",
                          subject=definition.name)


def _against(finding: Finding, ref: str, previous: Loaded) -> Finding:
    from dataclasses import replace

    message = finding.message.replace("is published (locked)", f"exists at {ref}")
    rule = finding.rule.replace("LOCK_", "REF_")
    if rule == "REF_DEFINITION_DELETED":  # not a line of the lock: the file as it was at ref
        gone = previous.registry.definitions[finding.subject].location
        return replace(finding, rule=rule, message=message, file=gone.file, line=gone.line,
                       column=gone.column)
    return replace(finding, rule=rule, message=message)
