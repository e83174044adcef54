"""Reading a server's plain-HTTP pages from a test: GET with headers, and /metrics parsed
with prometheus-client's own parser into ``{(name, labels): value}``."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]

# DESIGN.md's table ("Metrics and alerts"), as Prometheus names the samples
DESIGN_METRICS = (
    "wiretype_connections",
    "wiretype_connection_capacity",
    "wiretype_connection_duration_seconds_bucket",
    "wiretype_connects_total",
    "wiretype_disconnects_total",
    "wiretype_messages_total",
    "wiretype_bytes_total",
    "wiretype_message_errors_total",
    "wiretype_handler_seconds_bucket",
    "wiretype_ack_seconds_bucket",
    "wiretype_ping_rtt_seconds_bucket",
    "wiretype_queue_depth",
    "wiretype_dropped_total",
    "wiretype_event_loop_lag_seconds",
    "process_cpu_seconds_total",
    "process_resident_memory_bytes",
    "process_open_fds",
)


def fetch(url: str, headers: Mapping[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
    request = urllib.request.Request(url, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, reply.read().decode(), _lower(reply.headers)
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read().decode(), _lower(exc.headers)


def _lower(headers: Any) -> dict[str, str]:
    """Header names in lower case (one value each: a repeated header fails the test)."""
    out: dict[str, str] = {}
    for name, found in headers.items():
        assert name.lower() not in out, f"{name} sent twice"
        out[name.lower()] = found
    return out


async def get(
    url: str, headers: Mapping[str, str] | None = None
) -> tuple[int, str, dict[str, str]]:
    return await asyncio.get_running_loop().run_in_executor(None, fetch, url, headers)


def parse(text: str) -> Samples:
    out: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return out


async def scrape(url: str) -> Samples:
    status, text, headers = await get(url)
    assert status == 200, (status, text)
    assert headers["content-type"].startswith("text/plain; version=0.0.4")
    return parse(text)


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sum over the samples called ``name`` whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(v for (n, have), v in samples.items() if n == name and wanted <= have)


def names(samples: Samples) -> set[str]:
    return {name for name, _ in samples}


def label_values(samples: Samples, name: str, label: str) -> set[str]:
    return {
        dict(have)[label] for (n, have), _ in samples.items() if n == name and label in dict(have)
    }
