"""Hand-written truth table (tests/compat_truth/cases.yaml): the engine never claims a wrong
inclusion, and gets at least 95% of verdicts right (unknown counts as "not included")."""

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


def test_accuracy_at_least_95_percent() -> None:
    right = total = 0
    wrong: list[str] = []
    for case in CASES:
        back, fwd = _verdicts(case)
        for got, want, d in ((back, case["backward"], "backward"), (fwd, case["forward"], "fwd")):
            total += 1
            right += got == want
            if got != want:
                wrong.append(f"{case['name']} ({d})")
    assert right / total >= 0.95, wrong


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 100
