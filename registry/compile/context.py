"""What the compile stage knows while it reads one file: where nodes are, and its findings."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from registry.compile.model import Location
from registry.findings import Finding
from registry.load.source import Document, NodePath


@dataclass
class FileContext:
    """Collects the findings for one definition file and locates its nodes."""

    doc: Document
    subject: str
    known_types: Mapping[str, tuple[int, ...]]  # shared type name -> its version numbers
    findings: list[Finding] = field(default_factory=list)

    def loc(self, path: NodePath) -> Location:
        line, column = self.doc.where(path)
        return Location(self.doc.path, line, column)

    def error(
        self,
        path: NodePath,
        rule: str,
        message: str,
        hint: str = "",
        extra: tuple[tuple[str, str], ...] = (),
    ) -> None:
        line, column = self.doc.where(path)
        self.findings.append(
            Finding(
                self.doc.path, line, column, rule, message, hint, subject=self.subject, extra=extra
            )
        )

    def text(self, data: Mapping[Any, Any], key: str, path: NodePath) -> str:
        """``data[key]`` when it is text ("" when absent); a finding when it is not text."""
        value = data.get(key, "")
        if not isinstance(value, str):
            self.error((*path, key), "DESCRIPTION_NOT_TEXT", f"`{key}` must be text")
            return ""
        return value

    def check_keys(
        self, data: Mapping[Any, Any], path: NodePath, allowed: Iterable[str], what: str
    ) -> None:
        """One finding per unknown key, with a did-you-mean suggestion."""
        if isinstance(allowed, set | frozenset) and all(key in allowed for key in data):
            return  # the usual case, without sorting the names for a hint
        allowed = sorted(allowed)
        for key in data:
            if key not in allowed:
                self.error(
                    (*path, key),
                    "UNKNOWN_KEY",
                    f"unknown key {key!r} in {what}{did_you_mean(str(key), allowed)}",
                    f"allowed keys: {', '.join(allowed)}",
                )


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
