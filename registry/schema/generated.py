"""What the generated validators implement of JSON Schema 2020-12: every keyword but these.

A raw ``schema:`` that uses one of them is checked and compared like any other, but the
generated packages cannot validate it: lint warns (``SCHEMA_NOT_GENERATED``) and
``generate`` refuses the version. Both read this one list.
"""

from __future__ import annotations

NOT_GENERATED = (
    "$dynamicRef",
    "$dynamicAnchor",
    "$recursiveRef",
    "$anchor",
    "unevaluatedProperties",
    "unevaluatedItems",
)
