"""Rule tests as data: tests/compat_rules/<RULE_ID>/<case>/{old,new,expected}.yaml.

`expected.yaml` holds the backward (OLD ⊆ NEW) and forward verdicts and the rule
IDs found in either direction. A meta-test keeps the catalog honest: every rule
has a breaking case, a safe case and real documentation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from registry.compat import RULES, compare, includes

ROOT = Path(__file__).parent / "compat_rules"
CASES = sorted(p for p in ROOT.glob("*/*") if p.is_dir())


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_rule_case(case: Path) -> None:
    expected = _load(case / "expected.yaml")
    result = compare(_load(case / "old.yaml"), _load(case / "new.yaml"))
    found = sorted({c.rule for c in result.backward.changes + result.forward.changes})
    assert result.backward.verdict == expected["backward"]
    assert result.forward.verdict == expected["forward"]
    assert found == expected["rules"]
    assert case.parent.name in RULES


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_has_cases_and_docs(rule_id: str) -> None:
    rule = RULES[rule_id]
    assert rule.id == rule_id
    for text in (rule.summary, rule.before, rule.after, rule.safely):
        assert text.strip(), rule_id
    breaking = ROOT / rule_id / "breaking"
    safe = ROOT / rule_id / "safe"
    assert (breaking / "expected.yaml").is_file(), "no breaking case"
    assert (safe / "expected.yaml").is_file(), "no safe case"
    got = _load(breaking / "expected.yaml")
    assert got["backward"] != "yes" and rule_id in got["rules"]
    assert _load(safe / "expected.yaml")["backward"] == "yes"


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_the_documented_example_breaks_by_its_rule(rule_id: str) -> None:
    """`wiretype explain` shows OLD and NEW: read backward, NEW must reject an OLD value for
    this rule's reason, and for no other one (a rule may fire with the cause it contains:
    `ARRAY_ITEMS_NO_NARROW` at /items over the `TYPE_NO_NARROW` at /items/type)."""
    rule = RULES[rule_id]
    inclusion = includes(yaml.safe_load(rule.before), yaml.safe_load(rule.after))
    breaking = [c for c in inclusion.changes if c.breaking]
    own = [c.path for c in breaking if c.rule == rule_id]
    assert inclusion.verdict != "yes" and own, (rule_id, [(c.rule, c.path) for c in breaking])
    others = [
        (c.rule, c.path)
        for c in breaking
        if c.rule != rule_id and not any(c.path.startswith(f"{path}/") for path in own)
    ]
    assert not others, f"the example of {rule_id} also breaks by {others}"


def test_rule_ids_are_stable_upper_snake() -> None:
    for rule_id in RULES:
        assert rule_id.replace("_", "").isalnum() and rule_id.upper() == rule_id
