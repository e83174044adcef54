"""``wiretype versions [MSG[@V]] --metrics URL``: which versions live clients speak.

The question a team asks before deleting a version — "who still speaks
``chat.message_sent`` v1?" — answered from the servers' ``wiretype_negotiated_connections``
(each ``--metrics URL``, summed; or one ``--prometheus URL`` for the whole fleet), and, with
``--token`` (the servers' ``admin_token``), from their ``/connections`` view: which clients,
in which versions, at which addresses.

Exit codes: 0 done (for ``MSG@V``: nobody speaks it, so it can go), 1 ``MSG@V`` is still
spoken by a live connection, 2 a usage mistake or a server that cannot be read.
"""

from __future__ import annotations

import json
import sys
import urllib.parse
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .scraping import ScrapeError, fetch_json, scrape

__all__ = ["Query", "main", "spoken"]

RUNTIME_PREFIX = "wiretype."


@dataclass(frozen=True, slots=True)
class Query:
    message: str | None = None
    version: int | None = None

    @classmethod
    def parse(cls, text: str | None) -> Query:
        if not text:
            return cls()
        name, at, version = text.partition("@")
        if at and not version.isdigit():
            raise ValueError(f"{text!r}: give MSG or MSG@VERSION, e.g. chat.message_sent@1")
        return cls(name, int(version) if at else None)

    def wants(self, name: str, version: int, everything: bool) -> bool:
        if self.message is not None:
            return name == self.message and self.version in (None, version)
        return everything or not name.startswith(RUNTIME_PREFIX)


def spoken(metrics_urls: Sequence[str], prometheus: str | None) -> Counter[tuple[str, int]]:
    """(message, version) -> live connections, over every server."""
    found: Counter[tuple[str, int]] = Counter()
    if prometheus:
        query = urllib.parse.urlencode(
            {"query": "sum by (type, v) (wiretype_negotiated_connections)"}
        )
        answer = fetch_json(f"{prometheus.rstrip('/')}/api/v1/query?{query}")
        for row in answer.get("data", {}).get("result", []):
            labels = row["metric"]
            if labels.get("v", "").isdigit():
                found[(labels["type"], int(labels["v"]))] += int(float(row["value"][1]))
    for url in metrics_urls:
        for (name, labels), value in scrape(url).items():
            have = dict(labels)
            if name == "wiretype_negotiated_connections" and have.get("v", "").isdigit():
                found[(have["type"], int(have["v"]))] += int(value)
    return found


def clients_of(metrics_urls: Sequence[str], query: Query, token: str) -> Counter[tuple[str, str]]:
    """(client, client_version) -> connections speaking ``query``, from ``/connections``."""
    found: Counter[tuple[str, str]] = Counter()
    params = {"type": query.message or ""}
    if query.version is not None:
        params["v"] = str(query.version)
    for url in metrics_urls:
        parts = urllib.parse.urlsplit(url)
        view = urllib.parse.urlunsplit(
            (parts.scheme, parts.netloc, "/connections", urllib.parse.urlencode(params), "")
        )
        answer = fetch_json(view, {"Authorization": f"Bearer {token}"})
        for row in answer.get("connections", []):
            found[(str(row.get("client")), str(row.get("client_version")))] += 1
    return found


def main(  # noqa: PLR0917 (the command's options, one each)
    target: str | None, metrics_urls: Sequence[str], prometheus: str | None,
         token: str | None, fmt: str, everything: bool) -> int:  # fmt: skip
    try:
        query = Query.parse(target)
    except ValueError as exc:
        return _usage(str(exc))
    if not metrics_urls and not prometheus:
        return _usage("give --metrics URL (a server's /metrics, repeatable) or --prometheus URL")
    if fmt not in ("text", "json"):
        return _usage("--format is text or json")
    try:
        counts = spoken(metrics_urls, prometheus)
        clients = clients_of(metrics_urls, query, token) if token and query.message else None
    except ScrapeError as exc:
        print(f"wiretype: error: {exc}", file=sys.stderr)
        return 2
    rows = sorted((k, n) for k, n in counts.items() if n and query.wants(*k, everything))
    live = sum(n for _, n in rows)
    if fmt == "json":
        print(json.dumps(_as_json(query, rows, clients, live), indent=2))
    else:
        sys.stdout.write(_as_text(query, rows, clients, live))
    return 1 if query.version is not None and live else 0


def _usage(problem: str) -> int:
    print(f"wiretype: error: {problem}", file=sys.stderr)
    return 2


def _as_json(query: Query, rows: list[tuple[tuple[str, int], int]],
             clients: Counter[tuple[str, str]] | None, live: int) -> dict[str, Any]:  # fmt: skip
    out: dict[str, Any] = {
        "query": {"message": query.message, "version": query.version},
        "live_connections": live,
        "versions": [{"message": n, "version": v, "connections": c} for (n, v), c in rows],
    }
    if clients is not None:
        out["clients"] = [
            {"client": name, "client_version": version, "connections": count}
            for (name, version), count in sorted(clients.items())
        ]
    return out


def _as_text(query: Query, rows: list[tuple[tuple[str, int], int]],
             clients: Counter[tuple[str, str]] | None, live: int) -> str:  # fmt: skip
    lines = []
    if query.version is not None:
        name = f"{query.message} v{query.version}"
        lines.append(f"{name}: spoken by {live:,} live connection(s)" if live
                     else f"{name}: no live connection speaks it")  # fmt: skip
    else:
        width = max([len(n) for (n, _), _ in rows] + [7])
        lines.append(f"{'message':{width}}  version  live connections")
        lines += [f"{n:{width}}  {v:>7}  {c:>16,}" for (n, v), c in rows]
        if not rows:
            lines.append("(no live connection)")
    if clients is not None:
        lines.append("clients:" if clients else "clients: none")
        lines += [f"  {name} {version}: {count:,}" for (name, version), count in
                  sorted(clients.items(), key=lambda kv: -kv[1])]  # fmt: skip
    return "\n".join(lines) + "\n"
