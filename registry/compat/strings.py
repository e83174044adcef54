"""Strings: lengths in code points, ECMA-262 patterns, and `format` as an assertion."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final

from registry.json.validation import ecma_regex

from .model import NO_WITNESS, Change, proved

EXAMPLES: Final = {
    "date-time": "2020-01-01T00:00:00Z",
    "date": "2020-01-01",
    "time": "00:00:00Z",
    "duration": "P1D",
    "email": "a@example.com",
    "idn-email": "a@example.com",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
    "uri": "https://example.com/a",
    "uri-reference": "https://example.com/a",
    "iri": "https://example.com/a",
    "iri-reference": "https://example.com/a",
    "uuid": "123e4567-e89b-12d3-a456-426614174000",
    "uri-template": "https://example.com/{id}",
    "json-pointer": "/a",
    "relative-json-pointer": "0",
    "regex": "a",
}
#: a string that no standard format accepts (unbalanced regex, space, no '@', no '/')
NOT_ANY_FORMAT: Final = "( x"
#: proved inclusions between formats (left values are all valid right values)
FORMAT_SUBSETS: Final = frozenset(
    {
        ("email", "idn-email"),
        ("hostname", "idn-hostname"),
        ("uri", "iri"),
        ("uri", "uri-reference"),
        ("uri", "iri-reference"),
        ("iri", "iri-reference"),
        ("uri-reference", "iri-reference"),
    }
)
_ASSERTIONS = re.compile(r"\^|\$|\\[bBAZz]|\(\?[=!<]|\\[1-9]|\\k")


@dataclass(frozen=True)
class StrView:
    min_len: int = 0
    max_len: int | None = None
    patterns: frozenset[str] = frozenset()
    formats: frozenset[str] = frozenset()


def _int(v: Any) -> int | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    return int(v)


def view(parts: Iterable[dict[str, Any]]) -> StrView:
    lo, hi, pats, fmts = 0, None, set(), set()
    for p in parts:
        if (n := _int(p.get("minLength"))) is not None:
            lo = max(lo, n)
        if (n := _int(p.get("maxLength"))) is not None:
            hi = n if hi is None else min(hi, n)
        if isinstance(p.get("pattern"), str):
            pats.add(p["pattern"])
        if isinstance(p.get("format"), str):
            fmts.add(p["format"])
    return StrView(lo, hi, frozenset(pats), frozenset(fmts))


def empty(v: StrView) -> bool:
    return v.max_len is not None and v.min_len > v.max_len


def finite(v: StrView) -> list[str] | None:
    return [""] if v.max_len == 0 else None


def matches_everything(pattern: str) -> bool:
    """A pattern with no anchors or lookarounds that matches "" matches every string."""
    if _ASSERTIONS.search(pattern):
        return False
    try:
        return ecma_regex(pattern).find("") is not None
    except ValueError:
        return False


def search(pattern: str, s: str) -> bool | None:
    try:
        return ecma_regex(pattern).find(s) is not None
    except ValueError:
        return None


def _candidates(a: StrView) -> list[str]:
    lengths = {a.min_len, a.min_len + 1, 1, 3, 8}
    if a.max_len is not None:
        lengths = {n for n in lengths if n <= a.max_len} | {a.max_len}
    out = [c * n for n in sorted(lengths) for c in ("a", "0", "A", " ")]
    out += [*a.formats, *(EXAMPLES[f] for f in a.formats if f in EXAMPLES)]
    return [*out, NOT_ANY_FORMAT, "", "a-b_c.d", "é"]


def sample(a: StrView, accepts: Callable[[Any], bool]) -> list[str]:
    """Strings that A (checked by `accepts`) really accepts."""
    return [s for s in _candidates(a) if accepts(s)]


def _limit(value: int | None) -> str:
    return "no limit" if value is None else str(value)


def _length_changes(a: StrView, b: StrView, path: str) -> list[Change]:
    out = []
    if b.min_len > a.min_len:
        w = "a" * a.min_len
        out.append(
            Change(
                f"{path}/minLength",
                "STRING_MIN_LENGTH_NO_INCREASE",
                True,
                f"minLength raised from {a.min_len} to {b.min_len}",
                w,
            )
        )
    if b.max_len is not None and (a.max_len is None or a.max_len > b.max_len):
        w = "a" * max(b.max_len + 1, a.min_len)
        out.append(
            Change(
                f"{path}/maxLength",
                "STRING_MAX_LENGTH_NO_DECREASE",
                True,
                f"maxLength lowered from {_limit(a.max_len)} to {b.max_len}",
                w,
            )
        )
    return out


def _pattern_changes(a: StrView, b: StrView, path: str, good: list[str]) -> list[Change]:
    out = []
    for pat in sorted(b.patterns - a.patterns):
        if matches_everything(pat):
            continue
        w = next((s for s in good if search(pat, s) is False), NO_WITNESS)
        kind = proved(w)
        msg = (
            f"pattern {pat!r} added"
            if not a.patterns
            else f"pattern changed to {pat!r}; cannot prove it accepts every old string"
        )
        out.append(Change(f"{path}/pattern", "STRING_PATTERN_NO_ADD", True, msg, w, kind=kind))
    return out


def _format_changes(
    a: StrView, b: StrView, path: str, good: list[str], fmt_ok: Callable[[str, str], bool]
) -> list[Change]:
    out = []
    for fmt in sorted(b.formats - a.formats):
        if any((f, fmt) in FORMAT_SUBSETS for f in a.formats):
            continue
        w = next((s for s in good if not fmt_ok(fmt, s)), NO_WITNESS)
        kind = proved(w)
        out.append(
            Change(
                f"{path}/format",
                "STRING_FORMAT_NO_ADD",
                True,
                f"format {fmt!r} now asserted",
                w,
                kind=kind,
            )
        )
    return out


def compare(
    a: StrView,
    b: StrView,
    path: str,
    accepts: Callable[[Any], bool],
    fmt_ok: Callable[[str, str], bool],
) -> list[Change]:
    """Why string piece A is not inside string constraints B (A assumed non-empty)."""
    out = _length_changes(a, b, path)
    if not (b.patterns - a.patterns or b.formats - a.formats):
        return out
    good = sample(a, accepts)
    return out + _pattern_changes(a, b, path, good) + _format_changes(a, b, path, good, fmt_ok)
