"""Hand-written truth table (tests/compat_truth/cases.yaml): the engine never claims a wrong
inclusion, and gets every verdict right ("cannot prove" counts as "not included", so a
recorded `true` it cannot prove fails here too)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from registry.compat import compare

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "compat_truth" / "cases.yaml").read_text(encoding="utf-8")
)


def _verdicts(case: dict[str, Any]) -> tuple[bool, bool]:
    result = compare(case["old"], case["new"])
    return result.backward.holds, result.forward.holds


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_never_wrongly_compatible(case: dict[str, Any]) -> None:
    back, fwd = _verdicts(case)
    assert not (back and not case["backward"]), "wrong backward compatible"
    assert not (fwd and not case["forward"]), "wrong forward compatible"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_every_verdict_is_as_recorded(case: dict[str, Any]) -> None:
    assert _verdicts(case) == (case["backward"], case["forward"])


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 100
