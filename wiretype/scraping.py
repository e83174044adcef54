"""Reading a wiretype server's ``/metrics`` (and ``/connections``) from a command line:
``wiretype loadtest`` (the server's own figures beside the load test's) and ``wiretype
versions`` (who still speaks a version). Plain ``urllib``; samples parsed by
prometheus-client's own parser into ``{(name, labels): value}``."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from prometheus_client.parser import text_string_to_metric_families

__all__ = ["Samples", "ScrapeError", "fetch_json", "metrics_url_of", "scrape", "total"]

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
TIMEOUT_S = 10.0


class ScrapeError(Exception):
    """A page that cannot be read: the URL and why."""


def metrics_url_of(ws_url: str) -> str:
    """``ws://host:port/path`` -> ``http://host:port/metrics`` (wss -> https)."""
    parts = urlsplit(ws_url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    return urlunsplit((scheme, parts.netloc, "/metrics", "", ""))


def _get(url: str, headers: Mapping[str, str] | None = None) -> str:
    try:
        request = urllib.request.Request(url, headers=dict(headers or {}))  # "junk": ValueError
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as reply:
            return str(reply.read().decode())
    except urllib.error.HTTPError as exc:
        raise ScrapeError(f"{url}: HTTP {exc.code} {exc.read().decode().strip()[:200]}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ScrapeError(f"{url}: {reason}") from None


def scrape(url: str) -> Samples:
    text = _get(url)
    out: Samples = {}
    try:
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                out[(sample.name, frozenset(sample.labels.items()))] = sample.value
    except ValueError as exc:
        raise ScrapeError(f"{url}: not the Prometheus text format ({exc})") from None
    return out


def fetch_json(url: str, headers: Mapping[str, str] | None = None) -> Any:
    text = _get(url, headers)
    try:
        return json.loads(text)
    except ValueError:
        raise ScrapeError(f"{url}: not JSON") from None


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of the samples called ``name`` whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(v for (n, have), v in samples.items() if n == name and wanted <= have)
