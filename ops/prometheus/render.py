"""Render ``wiretype-alerts.yml`` from ``thresholds.yml``: the eight alerts of the plan, with
every number a team may tune taken from one file.

    python ops/prometheus/render.py [--thresholds FILE] [--out FILE] [--check]

``--thresholds`` may hold only the values it changes (the rest come from the shipped
``thresholds.yml``); ``--check`` writes nothing and exits 1 when ``--out`` differs from what
would be rendered (CI runs it on the shipped pair). Each alert is a row of ``ALERTS``: its
name, the thresholds group it reads, severity, the plan's category, a summary naming the
instance, and its expression, where ``@name`` is the group's value ``name`` and ``@window``
the rate window.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
THRESHOLDS = HERE / "thresholds.yml"
RULES = HERE / "wiretype-alerts.yml"
BY_NODE = "job, instance"
FAILED = 'outcome=~"auth|origin|protocol|timeout"'
APPLICATION = 'direction="in", type!~"wiretype[.].*|other"'

ALERTS: tuple[dict[str, str], ...] = (
    {
        "alert": "WiretypeConnectionFailures",
        "group": "connection_failures",
        "severity": "critical",
        "category": "critical",
        "summary": "wiretype {{ $labels.instance }}: over @ratio_pct% of WebSocket handshakes "
        "fail (auth, origin, protocol or timeout)",
        "expr": f"""(
  sum by ({BY_NODE}) (rate(wiretype_connects_total{{{FAILED}}}[@window]))
    / sum by ({BY_NODE}) (rate(wiretype_connects_total[@window]))
) > @ratio
and
sum by ({BY_NODE}) (rate(wiretype_connects_total{{{FAILED}}}[@window])) > @min_per_s""",
    },
    {
        "alert": "WiretypeHighErrorRate",
        "group": "error_rate",
        "severity": "critical",
        "category": "critical",
        "summary": "wiretype {{ $labels.instance }}: over @ratio_pct% of incoming frames are "
        "answered with a nack or an error",
        "expr": f"""(
  sum by ({BY_NODE}) (rate(wiretype_message_errors_total[@window]))
    / sum by ({BY_NODE}) (rate(wiretype_messages_total{{direction="in"}}[@window]))
) > @ratio
and
sum by ({BY_NODE}) (rate(wiretype_message_errors_total[@window])) > @min_per_s""",
    },
    {
        "alert": "WiretypeResourceExhaustion",
        "group": "resource_exhaustion",
        "severity": "critical",
        "category": "critical",
        "summary": "wiretype {{ $labels.instance }}: near its limit of file descriptors or "
        "memory, or refusing clients with 503 (server full)",
        "expr": f"""max by ({BY_NODE}) (process_open_fds / process_max_fds) > @fd_ratio
or
max by ({BY_NODE}) (process_resident_memory_bytes) > @resident_bytes
or
sum by ({BY_NODE}) (rate(wiretype_connects_total{{outcome="full"}}[@window])) > @full_per_s""",
    },
    {
        "alert": "WiretypeQueueOverflow",
        "group": "queue_overflow",
        "severity": "critical",
        "category": "critical",
        "summary": "wiretype {{ $labels.instance }}: messages are dropped from full queues "
        "or slow consumers, or the durable queue passed @durable_depth jobs",
        "expr": f"""sum by ({BY_NODE}) (
  rate(wiretype_dropped_total{{reason=~"overflow|slow"}}[@window])
) > @drops_per_s
or
max by ({BY_NODE}) (wiretype_queue_depth{{queue="durable"}}) > @durable_depth""",
    },
    {
        "alert": "WiretypeHighLatency",
        "group": "high_latency",
        "severity": "warning",
        "category": "performance",
        "summary": "wiretype {{ $labels.instance }}: p99 handler time over @handler_p99_s s "
        "or p99 heartbeat round trip over @ping_p99_s s",
        "expr": f"""histogram_quantile(0.99,
  sum by ({BY_NODE}, le) (rate(wiretype_handler_seconds_bucket[@window]))
) > @handler_p99_s
or
histogram_quantile(0.99,
  sum by ({BY_NODE}, le) (rate(wiretype_ping_rtt_seconds_bucket[@window]))
) > @ping_p99_s""",
    },
    {
        "alert": "WiretypeLowThroughput",
        "group": "low_throughput",
        "severity": "warning",
        "category": "performance",
        "summary": "wiretype {{ $labels.instance }}: fewer than @min_per_s application "
        "messages a second while @min_connections or more clients are connected",
        "expr": f"""sum by ({BY_NODE}) (rate(wiretype_messages_total{{{APPLICATION}}}[@window]))
  < @min_per_s
and
sum by ({BY_NODE}) (wiretype_connections) >= @min_connections""",
    },
    {
        "alert": "WiretypePoolSaturation",
        "group": "pool_saturation",
        "severity": "warning",
        "category": "performance",
        "summary": "wiretype {{ $labels.instance }}: connections above @ratio_pct% of "
        "max_connections",
        "expr": f"""sum by ({BY_NODE}) (wiretype_connections)
  / sum by ({BY_NODE}) (wiretype_connection_capacity)
> @ratio""",
    },
    {
        "alert": "WiretypeResourceConstraints",
        "group": "resource_constraints",
        "severity": "warning",
        "category": "performance",
        "summary": "wiretype {{ $labels.instance }}: CPU above @cpu_cores core, event-loop "
        "lag above @loop_lag_s s or file descriptors above @fd_ratio_pct% of the limit",
        "expr": f"""sum by ({BY_NODE}) (rate(process_cpu_seconds_total[@window])) > @cpu_cores
or
max by ({BY_NODE}) (wiretype_event_loop_lag_seconds) > @loop_lag_s
or
max by ({BY_NODE}) (process_open_fds / process_max_fds) > @fd_ratio""",
    },
)


def load(path: Path | None = None) -> dict[str, Any]:
    """The shipped thresholds, overlaid with those of ``path`` (group by group)."""
    merged: dict[str, Any] = yaml.safe_load(THRESHOLDS.read_text())
    if path is not None:
        for key, found in (yaml.safe_load(path.read_text()) or {}).items():
            if isinstance(found, Mapping) and isinstance(merged.get(key), Mapping):
                merged[key] = {**merged[key], **found}
            else:
                merged[key] = found
    return merged


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _fill(text: str, values: Mapping[str, Any]) -> str:
    for key in sorted(values, key=len, reverse=True):  # @ratio_pct before @ratio
        text = text.replace(f"@{key}", _number(values[key]))
    return text


def _values(thresholds: Mapping[str, Any], group: str) -> dict[str, Any]:
    values = dict(thresholds[group])
    for key, found in list(values.items()):
        if key.endswith("ratio"):
            values[f"{key}_pct"] = round(found * 100, 2)
    values["window"] = thresholds["window"]
    return values


def render(thresholds: Mapping[str, Any]) -> str:
    """The rules file (YAML text), deterministic: the same thresholds give the same bytes."""
    lines = [
        "# Generated by ops/prometheus/render.py from ops/prometheus/thresholds.yml: do not",
        "# edit; change the thresholds and render again. Runbooks: docs/operations.md.",
        "groups:",
        "  - name: wiretype",
        "    rules:",
    ]
    for alert in ALERTS:
        values = _values(thresholds, alert["group"])
        name = alert["alert"]
        lines += [
            f"      - alert: {name}",
            "        expr: |-",
            *(f"          {line}" for line in _fill(alert["expr"], values).splitlines()),
            f"        for: {values['for']}",
            "        labels:",
            f"          severity: {alert['severity']}",
            f"          category: {alert['category']}",
            "        annotations:",
            f"          summary: {_quoted(_fill(alert['summary'], values))}",
            f"          runbook_url: {_quoted(thresholds['runbook'] + '#' + name.lower())}",
        ]
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--thresholds", type=Path, help="values that replace the shipped ones")
    parser.add_argument("--out", type=Path, default=RULES, help="the rules file to write")
    parser.add_argument("--check", action="store_true", help="exit 1 when --out is stale")
    args = parser.parse_args(argv)
    text = render(load(args.thresholds))
    if args.check:
        current = args.out.read_text() if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is stale: run python ops/prometheus/render.py", file=sys.stderr)
            return 1
        return 0
    args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
