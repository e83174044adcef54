"""The words the handlers of ``templates/typescript/static/reports.ts`` write by themselves
when an instruction leaves them out: a bound's ("must be at most 97 characters long" from
``[kMaxLen, 97]``) and an enum's. ``ts_reports`` leaves a message's words out of an
instruction only where these are exactly the words ``messages`` gives (what the Python
package prints), so the two packages keep saying the same."""

from __future__ import annotations

import json
import math
from typing import Any

from registry.json.numbers import es_number

__all__ = ["IMPLIED", "enum_words", "number_text"]


def number_text(value: Any) -> str | None:
    """How reports.ts writes a number it read from the instructions' JSON (`${n}`); None
    for what is not a number, or one no double holds (JSON.parse reads it as Infinity)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    try:
        return es_number(value)
    except OverflowError:  # an integer beyond the largest double
        return None


# The words a handler of reports.ts writes when an instruction leaves them out (`words?`
# there): "{n}" is its bound as ECMAScript writes it.
IMPLIED = {
    "min": "must be at least {n}",
    "max": "must be at most {n}",
    "xmin": "must be greater than {n}",
    "xmax": "must be less than {n}",
    "minlen": "must be at least {n} characters long",
    "maxlen": "must be at most {n} characters long",
    "minitems": "must have at least {n} items",
    "maxitems": "must have at most {n} items",
    "minprops": "must have at least {n} properties",
    "maxprops": "must have at most {n} properties",
}


def enum_words(values: list[Any]) -> str | None:
    """What reports.ts writes for an enum without words: its values as JSON.stringify writes
    them, which is json.dumps' text for these (ASCII strings without controls, numbers,
    true, false, null); None for other values."""
    shown = []
    for v in values:
        plain = isinstance(v, str) and all(" " <= c <= "~" for c in v)
        if plain or v is None or isinstance(v, bool):
            shown.append(json.dumps(v))
        elif (n := number_text(v)) is not None:
            shown.append(n)
        else:
            return None
    return "must be one of " + ", ".join(shown)
