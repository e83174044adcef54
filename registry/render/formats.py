"""The string formats that generated validators assert, defined once for both languages.

Every pattern here is written in the common subset of Python ``re`` and
ECMAScript ``RegExp`` (no lookbehind, no named groups, no flags), so the two
generated packages embed the same text and agree on every input. Dates add a
calendar check that a pattern cannot express (see ``docs/formats.md``).
"""

from __future__ import annotations

_DATE = r"([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_TIME = (
    r"([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(\.[0-9]+)?"
    r"([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
)

FORMAT_PATTERNS: dict[str, str] = {
    "uuid": r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    "date": rf"^{_DATE}$",
    "time": rf"^{_TIME}$",
    "date-time": rf"^{_DATE}[Tt ]{_TIME}$",
    # local@domain: no spaces, one @, a dot-separated domain of letters, digits and hyphens
    "email": r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$",
    # an absolute URI (RFC 3986): a scheme, then no spaces, controls, quotes or angle brackets
    "uri": r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s\"<>\\^`{|}\x00-\x1f\x7f]*$",
}
# Formats whose first three groups are year, month, day and need a calendar check.
CALENDAR_FORMATS = frozenset({"date", "date-time"})


def days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


# A real calendar day (leap years counted), as one pattern: ``date`` and ``date-time`` need
# no Python call. Equivalent to formats.py's date pattern plus ``days_in_month``.
CALENDAR_DATE = (
    r"(?:[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))"
    r"|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)"
)


def calendar_formats() -> dict[str, str]:
    """formats.py's patterns, with the date part replaced by the calendar-exact one."""
    date = FORMAT_PATTERNS["date"][1:-1]
    return {
        name: pattern.replace(date, CALENDAR_DATE, 1)
        for name, pattern in sorted(FORMAT_PATTERNS.items())
    }
