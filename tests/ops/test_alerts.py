"""The shipped alert rules: rendered from the one thresholds file, valid for promtool, each of
the plan's eight alerts proved by a promtool case that fires it and one where it stays
silent, each with a runbook entry; and the promtool cases fail when a rule is wrong."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.ops.prometheus import REPO, RULES_DIR, promtool, render_module

pytestmark = pytest.mark.timeout(120)
RULES = RULES_DIR / "wiretype-alerts.yml"
TESTS = RULES_DIR / "wiretype-alerts.test.yml"
PLAN = {  # the plan's "Alerts": critical issues, then performance issues
    "WiretypeConnectionFailures": "critical",
    "WiretypeHighErrorRate": "critical",
    "WiretypeResourceExhaustion": "critical",
    "WiretypeQueueOverflow": "critical",
    "WiretypeHighLatency": "performance",
    "WiretypeLowThroughput": "performance",
    "WiretypePoolSaturation": "performance",
    "WiretypeResourceConstraints": "performance",
}


def _rules(text: str | None = None) -> list[dict[str, object]]:
    loaded = yaml.safe_load(text if text is not None else RULES.read_text())
    return [rule for group in loaded["groups"] for rule in group["rules"]]


def test_the_shipped_rules_are_the_render_of_the_shipped_thresholds() -> None:
    render = render_module()
    assert render.main(["--check"]) == 0
    assert RULES.read_text() == render.render(render.load())


def test_a_threshold_changed_in_one_place_changes_the_rules(tmp_path: Path) -> None:
    render = render_module()
    mine = tmp_path / "mine.yml"
    mine.write_text("window: 2m\nerror_rate: {ratio: 0.25}\npool_saturation: {for: 30s}\n")
    rules = {r["alert"]: r for r in _rules(render.render(render.load(mine)))}
    errors = str(rules["WiretypeHighErrorRate"]["expr"])
    assert ") > 0.25\n" in errors and "[2m]" in errors and "[5m]" not in errors
    assert "over 25% of incoming frames" in str(rules["WiretypeHighErrorRate"]["annotations"])
    assert rules["WiretypePoolSaturation"]["for"] == "30s"
    assert rules["WiretypeHighErrorRate"]["for"] == "5m"  # what mine.yml leaves alone
    out = tmp_path / "rules.yml"
    assert render.main(["--thresholds", str(mine), "--out", str(out)]) == 0
    assert render.main(["--out", str(out), "--check"]) == 1  # stale against the shipped


def test_the_eight_alerts_of_the_plan_with_severity_summary_and_runbook() -> None:
    rules = {str(r["alert"]): r for r in _rules()}
    assert {name: rule["labels"]["category"] for name, rule in rules.items()} == PLAN  # type: ignore[index]
    for name, rule in rules.items():
        labels, notes = rule["labels"], rule["annotations"]
        assert labels["severity"] == ("critical" if PLAN[name] == "critical" else "warning")  # type: ignore[index]
        assert "{{ $labels.instance }}" in notes["summary"]  # type: ignore[index]
        assert notes["runbook_url"] == f"docs/operations.md#{name.lower()}"  # type: ignore[index]
        assert rule["for"]


def test_promtool_check_rules_accepts_the_rules() -> None:
    checked = promtool("check", "rules", str(RULES))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 8 rules found" in checked.stdout


def test_promtool_test_rules_passes_every_case() -> None:
    tested = promtool("test", "rules", str(TESTS))
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout


def test_every_alert_has_a_case_that_fires_it_and_cases_where_it_stays_silent() -> None:
    cases = yaml.safe_load(TESTS.read_text())["tests"]
    for name in PLAN:
        tests = [
            (case, check)
            for case in cases
            for check in case["alert_rule_test"]
            if check["alertname"] == name
        ]
        fired = [(case, c) for case, c in tests if c.get("exp_alerts")]
        assert fired, f"{name}: no case fires it"
        assert any(not c.get("exp_alerts") for _, c in tests), f"{name}: no silent case"
        for case, check in fired:  # a node in the same case that is healthy stays silent
            fed = {re.search(r'instance="([^"]+)"', s["series"]).group(1)  # type: ignore[union-attr]
                   for s in case["input_series"]}  # fmt: skip
            firing = {a["exp_labels"]["instance"] for a in check["exp_alerts"]}
            assert fed - firing, f"{name}: every node of its case fires"


def test_the_promtool_cases_fail_when_a_rule_is_wrong(tmp_path: Path) -> None:
    render = render_module()
    lax = tmp_path / "lax.yml"
    lax.write_text("connection_failures: {ratio: 0.9}\nqueue_overflow: {drops_per_s: 5}\n")
    (tmp_path / "wiretype-alerts.yml").write_text(render.render(render.load(lax)))
    (tmp_path / "wiretype-alerts.test.yml").write_text(TESTS.read_text())
    tested = promtool("test", "rules", "wiretype-alerts.test.yml", cwd=tmp_path)
    assert tested.returncode == 1
    out = tested.stdout + tested.stderr
    assert "alertname: WiretypeConnectionFailures" in out
    assert "alertname: WiretypeQueueOverflow" in out
    assert "alertname: WiretypePoolSaturation" not in out


def test_every_alert_has_a_runbook_entry_in_operations_md() -> None:
    text = (REPO / "docs" / "operations.md").read_text()
    for name in PLAN:
        found = re.search(rf"^### {name}\n(.*?)(?=^### |^## |\Z)", text, re.M | re.S)
        assert found, f"docs/operations.md has no runbook entry '### {name}'"
        entry = found.group(1)
        for part in ("What it means", "How to confirm", "What to do", "When to roll back"):
            assert f"**{part}**" in entry, f"{name}: its runbook says nothing under {part}"
