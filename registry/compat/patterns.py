"""Which ECMA-262 mode a raw schema's ``pattern`` is read in.

JSON Schema says a pattern is an ECMA-262 regular expression without saying which flags.
wiretype reads one in **Unicode mode** (the ``u`` flag: ``.`` and classes match code
points, ``\\p{L}`` is a property) whenever it is valid there, as its generated
validators do. A pattern that is valid only in the **legacy mode** (no flag, with the
web-compatibility grammar of Annex B, as a browser reads ``new RegExp(p)``) is read in
that mode: ``^{[A-F0-9]{8}}$`` (a lone brace), ``\\-`` or ``\\_`` (an identity escape),
``]`` or ``\\8`` are all valid there. Such a pattern is rewritten into the Unicode-mode
expression that matches the same strings (a lone brace escaped, an identity escape
turned into its character), so the rest of the engine sees one mode. A pattern valid in
neither mode is not a regular expression: the schema is refused.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

_SYNTAX: Final = frozenset("^$\\.*+?()[]{}|/")
_CLASS_ESCAPES: Final = frozenset("dDwWsSbfnrtv")
_ESCAPES: Final = frozenset("dDwWsSbBfnrtv")
_QUANTIFIER: Final = re.compile(r"\{\d+(,\d*)?\}")
_HEX2: Final = re.compile(r"x[0-9A-Fa-f]{2}")
_HEX4: Final = re.compile(r"u[0-9A-Fa-f]{4}")
_OCTAL: Final = re.compile(r"[0-7]{1,3}")


def _valid(pattern: str, flags: str) -> bool:
    import regress

    try:
        regress.Regex(pattern, flags)
    except regress.RegressError:
        return False
    return True


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` is no ECMA-262 expression in either mode (None when it is one)."""
    import regress

    if _valid(pattern, "u") or _valid(pattern, ""):
        return None
    try:
        regress.Regex(pattern, "u")
    except regress.RegressError as err:
        return str(err)
    return "not a regular expression"  # pragma: no cover - one of the two raised


@lru_cache(maxsize=4096)
def unicode_mode(pattern: str) -> str:
    """``pattern`` as a Unicode-mode expression with its meaning (unchanged when it is one
    already, or when it is valid in neither mode)."""
    if _valid(pattern, "u") or not _valid(pattern, ""):
        return pattern
    rewritten = _from_legacy(pattern)
    return rewritten if _valid(rewritten, "u") else pattern


def _literal(ch: str) -> str:
    return f"\\{ch}" if ch in _SYNTAX else ch


def _from_legacy(p: str) -> str:
    groups = len(re.findall(r"\((?!\?)", p)) + len(re.findall(r"\(\?<(?![=!])", p))
    out: list[str] = []
    i, in_class = 0, False
    while i < len(p):
        ch = p[i]
        if ch == "\\" and i + 1 < len(p):
            text, i = _escape(p, i + 1, in_class, groups)
            out.append(text)
            continue
        if in_class:
            in_class = ch != "]"
            out.append(ch)
        elif ch == "[":
            in_class = True
            out.append(ch)
        elif ch == "{" and not _QUANTIFIER.match(p, i):
            out.append("\\{")
        elif ch in "}]":
            out.append(f"\\{ch}")
        else:
            out.append(ch)
            if ch == "{":
                end = p.index("}", i)
                out.append(p[i + 1 : end + 1])
                i = end
        i += 1
    return "".join(out)


def _escape(p: str, i: int, in_class: bool, groups: int) -> tuple[str, int]:
    """The Unicode-mode text of the legacy escape whose letter is at ``p[i]``."""
    ch = p[i]
    known = _CLASS_ESCAPES if in_class else _ESCAPES
    if ch in known or ch in _SYNTAX or (in_class and ch == "-"):
        return f"\\{ch}", i + 1
    for rx in (_HEX2, _HEX4):
        hit = rx.match(p, i)
        if hit:
            return f"\\{hit.group()}", hit.end()
    if ch == "c" and i + 1 < len(p) and p[i + 1].isascii() and p[i + 1].isalpha():
        return f"\\c{p[i + 1]}", i + 2
    if ch.isdigit():
        digits = re.match(r"\d+", p[i:])
        assert digits is not None
        if not in_class and ch != "0" and int(digits.group()) <= groups:
            return f"\\{digits.group()}", i + len(digits.group())
        octal = _OCTAL.match(p, i)
        if octal and int(octal.group(), 8) < 256:
            return f"\\u{int(octal.group(), 8):04x}", octal.end()
    return _literal(ch), i + 1  # an identity escape: the character itself
