"""``wiretype loadtest URL``: drive any wiretype server with the product's own client.

N connections (``wiretype.Client``, each speaking the registry's protocol with its hello,
negotiation, acks and resume) opened at a given rate, then messages sent at a rate, as a
burst, or as fast as acks come back, for a duration; a mix of the registry's messages whose
data is made from each version's JSON Schema (``samples.py``) or taken from its
``examples``, checked with the generated validators first. A progress line while it runs,
then a table (or ``--format json``): connection time, round-trip latency p50/p95/p99/max,
throughput, errors by code, reconnects, and beside them the server's own figures, read from
its ``/metrics`` before and after when it can be reached.

The plan's load and performance tests are ``SCENARIOS`` of it. Exit codes: 0 the run went
as planned and the server's counters agree with the load test's; 1 errors, refused or
failed connections, or figures that disagree; 2 a usage mistake or a registry or server
that cannot be reached.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib
import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

from . import samples as sampling
from .client import Client
from .errors import SendFailed
from .protocol.package import Package
from .scraping import Samples, ScrapeError, metrics_url_of, scrape, total

__all__ = ["SCENARIOS", "LoadtestError", "Mix", "Plan", "Report", "load_mix", "main", "run"]

CLIENT_NAME = "wiretype-loadtest"
SAMPLES_PER_VERSION = 8
WINDOW = 16  # acked sends in flight per connection (volume mode, and the cap when paced)
TICK_S = 0.005


class LoadtestError(Exception):
    """A mistake in the options, or a registry or server that cannot be used (exit 2)."""


@dataclass(frozen=True, slots=True)
class Plan:
    """What to do. ``rate``: messages a second over all connections (0 with no ``burst``:
    as fast as acks come back, ``WINDOW`` in flight per connection); ``burst``: messages
    each connection sends at once when the send phase starts."""

    connections: int = 10
    connect_rate: float = 100.0  # connections opened a second
    rate: float = 100.0
    burst: int = 0
    duration_s: float = 5.0
    versions: str = "latest"  # or "all": connection i speaks version i mod n of each message
    ack: bool = True
    connect_timeout_s: float = 10.0
    scenario: str = ""


# the handshake outcomes the server refuses with an HTTP status (auth: 401/403, origin: 403,
# full: 503), and how the load test writes those refusals
REFUSALS = ("auth", "origin", "full")
REFUSED_HTTP = ("http_401", "http_403", "http_503")

SCENARIOS: dict[str, tuple[str, Plan]] = {
    # the plan's load tests
    "connections": ("many connections: 1,000 opened at 200/s, a trickle of messages",
                    Plan(connections=1_000, connect_rate=200, rate=200, duration_s=10)),
    "volume": ("high message volume: 20 connections as fast as acks come back",
               Plan(connections=20, connect_rate=100, rate=0, duration_s=10)),
    "resources": ("resource usage: 1,000 connections held with a steady load; read the "
                  "server's CPU, memory and file descriptors",
                  Plan(connections=1_000, connect_rate=250, rate=500, duration_s=20)),
    # the plan's performance tests
    "latency": ("message latency: one connection, 50 messages a second, round trips",
                Plan(connections=1, rate=50, duration_s=10)),
    "burst": ("burst traffic: 100 connections each sending 100 messages at once",
              Plan(connections=100, connect_rate=200, rate=0, burst=100, duration_s=0)),
    "sustained": ("sustained load: 100 connections, 1,000 messages a second for a minute",
                  Plan(connections=100, connect_rate=200, rate=1_000, duration_s=60)),
    "connect": ("connection time: 500 connections opened at 250/s, no messages",
                Plan(connections=500, connect_rate=250, rate=0, duration_s=0, ack=False)),
    "pool": ("connection pool: 1,000 connections, every version of every message (old and "
             "new clients side by side)",
             Plan(connections=1_000, connect_rate=250, rate=200, duration_s=10,
                  versions="all")),
}  # fmt: skip


# --- the message mix --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mix:
    """The package, and for each message to send (with its weight) the models of each
    version, ready to send."""

    module: ModuleType
    package: Package
    weights: dict[str, int]
    models: dict[tuple[str, int], list[Any]]
    skipped: dict[str, str] = field(default_factory=dict)  # "name v" -> why it is left out

    def versions(self, name: str) -> list[int]:
        return sorted(v for n, v in self.models if n == name)


def load_mix(package: str | None, root: Path | None, mix: str | None) -> Mix:
    """The generated package (``package``, or the one ``root``'s settings name), the
    messages of ``mix`` (``a.b=3,c.d=1``; default: every message a client may send) and
    sample data for each of their versions."""
    root, module = _package(package, root)
    app = Package.from_module(module)
    weights = _weights(app, mix)
    schemas = _exported(root) if root is not None else {}
    examples = _examples(root, app) if root is not None else {}
    models: dict[tuple[str, int], list[Any]] = {}
    skipped: dict[str, str] = {}
    for name in weights:
        for version in app.messages[name].versions:
            found, why = _models(app, name, version, schemas.get((name, version)),
                                 examples.get((name, version), []))  # fmt: skip
            if found:
                models[(name, version)] = found
            else:
                skipped[f"{name} v{version}"] = why
    if not models:
        raise LoadtestError(f"no message to send: {skipped or 'the mix is empty'}")
    return Mix(module, app, {n: w for n, w in weights.items() if any(k[0] == n for k in models)},
               models, skipped)  # fmt: skip


def _package(package: str | None, root: Path | None) -> tuple[Path | None, ModuleType]:
    found = _project(root or Path.cwd())
    if found is None and package is None:
        raise LoadtestError("no wiretype project here: give --root DIR or --package MODULE")
    if found is not None:
        root, settings = found
        python = settings.get("python") or {}
        package = package or python.get("package")
        out = root / str(python.get("out", "generated/python"))
        for folder in (str(out), str(root)):
            if folder not in sys.path:
                sys.path.insert(0, folder)
    if not package:
        raise LoadtestError("the project's settings name no python package: give --package")
    try:
        return root, importlib.import_module(package)
    except ImportError as exc:
        raise LoadtestError(f"cannot import {package}: {exc} (run wiretype generate?)") from None


def _settings_in(folder: Path) -> dict[str, Any] | None:
    """The wiretype settings of a project folder (wiretype.yaml, or pyproject's [tool.wiretype])."""
    import yaml

    try:
        if (folder / "wiretype.yaml").is_file():
            loaded = yaml.safe_load((folder / "wiretype.yaml").read_text(encoding="utf-8"))
            return loaded if isinstance(loaded, dict) else {}
        if (folder / "pyproject.toml").is_file():
            table = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))
            wiretype = table.get("tool", {}).get("wiretype")
            return wiretype if isinstance(wiretype, dict) else None
    except (OSError, ValueError, yaml.YAMLError):
        return None
    return None


def _project(start: Path) -> tuple[Path, dict[str, Any]] | None:
    for folder in (start.resolve(), *start.resolve().parents):
        settings = _settings_in(folder)
        if settings is not None:
            return folder, settings
    return None


def _weights(app: Package, mix: str | None) -> dict[str, int]:
    sendable = [  # the runtime's own messages are the client's to send, never the mix's
        n for n, i in app.messages.items() if i.sent_by_client() and not n.startswith("wiretype.")
    ]
    if not mix:
        return dict.fromkeys(sorted(sendable), 1)
    weights: dict[str, int] = {}
    for part in mix.split(","):
        name, _, weight = part.strip().partition("=")
        if name.startswith("wiretype."):  # a user's package does not even hold them
            raise LoadtestError(f"--mix: {name} is the runtime's own")
        if name not in app.messages:
            raise LoadtestError(f"--mix: no message called {name!r} in {app.name}")
        if name not in sendable:
            raise LoadtestError(f"--mix: {name} is sent by the server only")
        if weight and not weight.isdigit():
            raise LoadtestError(f"--mix: {part!r}: a weight is a whole number")
        weights[name] = int(weight or 1)
    return weights


def _exported(root: Path) -> dict[tuple[str, int], dict[str, Any]]:
    """Each message version's JSON Schema, as ``wiretype export jsonschema`` writes it."""
    with tempfile.TemporaryDirectory() as out:
        done = subprocess.run(
            [sys.executable, "-m", "registry", "export", "jsonschema", "--root", str(root),
             "--out", out],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise LoadtestError(f"wiretype export jsonschema failed: {done.stderr.strip()}")
        found = {}
        for path in Path(out).glob("*/*.json"):
            if path.stem.isdigit():
                found[(path.parent.name, int(path.stem))] = json.loads(path.read_text())
        return found


def _examples(root: Path, app: Package) -> dict[tuple[str, int], list[Any]]:
    import yaml

    settings = _settings_in(root) or {}
    schemas = root / str(settings.get("schemas", "schemas"))
    found: dict[tuple[str, int], list[Any]] = {}
    for name in app.messages:
        path = schemas.joinpath(*name.split(".")).with_suffix(".yaml")
        with contextlib.suppress(OSError, yaml.YAMLError, AttributeError):
            versions = yaml.safe_load(path.read_text(encoding="utf-8")).get("versions") or {}
            for version, body in versions.items():
                if isinstance(body, dict) and isinstance(body.get("examples"), list):
                    found[(name, int(version))] = list(body["examples"])
    return found


def _models(
    app: Package, name: str, version: int, schema: dict[str, Any] | None, examples: list[Any]
) -> tuple[list[Any], str]:
    made: list[Any] = list(examples)
    why = "no JSON Schema and no examples"
    if schema is not None:
        try:
            made += [sampling.sample(schema, n) for n in range(SAMPLES_PER_VERSION)]
        except sampling.SampleError as exc:
            why = str(exc)
    models = []
    for data in made:
        try:
            models.append(app.decode_data(name, version, data))
        except Exception as exc:
            if not app.is_decode_error(exc):
                raise
            why = f"made data its validator refuses: {app.errors_of(exc)[:1]}"
    return models, ("" if models else why)


# --- running ----------------------------------------------------------------------------------


@dataclass
class Tallies:
    """What the load test saw, as it goes."""

    opened: int = 0
    failed: Counter[str] = field(default_factory=Counter)  # why a connection did not open
    connect_s: list[float] = field(default_factory=list)
    sent: Counter[tuple[str, int]] = field(default_factory=Counter)
    acked: int = 0
    rtt_s: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    received: int = 0
    reconnects: int = 0
    refused: Counter[str] = field(default_factory=Counter)  # HTTP refusals, every attempt
    open_at_peak: int = 0  # connections open once every one was tried
    in_flight: int = 0
    started: float = field(default_factory=time.perf_counter)
    send_s: float = 0.0  # how long the send phase lasted

    @property
    def sent_total(self) -> int:
        return sum(self.sent.values())


class _Counted(Client):
    """A client that counts each HTTP refusal of its attempts (a refused client retries
    within the connect timeout, and the server counts every attempt): the client keeps the
    last one as ``_final``, and this counts each one it keeps."""

    refused: Counter[str] | None = None

    @property
    def _final(self) -> BaseException | None:
        return self.__dict__.get("_final_seen")

    @_final.setter
    def _final(self, found: BaseException | None) -> None:
        status = getattr(found, "status", None)
        if status and self.refused is not None:
            self.refused[f"http_{status}"] += 1
        self.__dict__["_final_seen"] = found


class Runner:
    def __init__(
        self,
        url: str,
        plan: Plan,
        mix: Mix,
        out: TextIO | None,
        at_peak: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.url = url
        self.at_peak = at_peak  # called once every connection was tried, before sending
        self.plan = plan
        self.mix = mix
        self.out = out
        self.tallies = Tallies()
        self.clients: list[Client] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._busy: Counter[int] = Counter()
        order = [n for n, w in mix.weights.items() for _ in range(w)]
        self._order = itertools.cycle(order)
        self._samples: dict[tuple[str, int], Iterator[Any]] = {
            key: itertools.cycle(found) for key, found in mix.models.items()
        }

    async def run(self) -> Tallies:
        progress = asyncio.create_task(self._progress()) if self.out is not None else None
        try:
            await self._open_all()
            self.tallies.open_at_peak = sum(c.state == "open" for c in self.clients)
            if self.at_peak is not None:
                await self.at_peak()
            start = time.perf_counter()
            await self._send_phase()
            self.tallies.send_s = time.perf_counter() - start
            await self._settle()
        finally:
            if progress is not None:
                progress.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await progress
            await asyncio.gather(*(c.close() for c in self.clients), return_exceptions=True)
        self._line(final=True)
        return self.tallies

    # --- connections ----------------------------------------------------------------------

    def _speaks(self, n: int) -> dict[str, list[int]] | None:
        if self.plan.versions != "all":
            return None
        speaks = {}
        for name in self.mix.weights:
            versions = self.mix.versions(name)
            speaks[name] = [versions[n % len(versions)]]
        return speaks

    async def _open_all(self) -> None:
        plan = self.plan
        openers = []
        loop = asyncio.get_running_loop()
        start = loop.time()
        for n in range(plan.connections):
            openers.append(asyncio.create_task(self._open(n)))
            # paced against the start (sleeps that wake late do not slow the rate down)
            due = start + (n + 1) / plan.connect_rate if plan.connect_rate > 0 else 0.0
            await asyncio.sleep(max(0.0, due - loop.time()))
        await asyncio.gather(*openers)

    async def _open(self, n: int) -> None:
        client = _Counted(self.mix.module, self.url, name=CLIENT_NAME, version=_version(),
                          speaks=self._speaks(n))  # fmt: skip
        client.refused = self.tallies.refused
        tallies = self.tallies
        was_open = False

        def status(state: str) -> None:
            nonlocal was_open
            if state == "open":
                was_open = True
            elif state == "reconnecting" and was_open:
                tallies.reconnects += 1

        def received(msg: Any) -> None:
            tallies.received += 1

        client.on_status(status)
        client.on("*")(received)
        started = time.perf_counter()
        await client.start()
        try:
            await client.wait_open(timeout=self.plan.connect_timeout_s)
        except TimeoutError:
            final = getattr(client, "_final", None)  # the last refusal, if HTTP said one
            status_code = getattr(final, "status", None)
            tallies.failed[f"http_{status_code}" if status_code else "timeout"] += 1
            await client.close()
            return
        except Exception as exc:
            status_code = getattr(exc, "status", None)
            code = getattr(exc, "code", None)
            why = f"http_{status_code}" if status_code else f"close_{code}" if code else ""
            tallies.failed[why or type(exc).__name__] += 1
            await client.close()
            return
        tallies.connect_s.append(time.perf_counter() - started)
        tallies.opened += 1
        self.clients.append(client)

    # --- messages -------------------------------------------------------------------------

    async def _send_phase(self) -> None:
        plan = self.plan
        if not self.clients or (plan.rate == 0 and plan.burst == 0 and plan.duration_s == 0):
            return
        if plan.burst:
            await asyncio.gather(*(self._send(c) for c in self.clients for _ in range(plan.burst)))
        if plan.duration_s <= 0:
            return
        until = time.perf_counter() + plan.duration_s
        if plan.rate > 0:
            await self._paced(until)
        else:
            await asyncio.gather(*(self._flat_out(c, until) for c in self.clients))

    async def _paced(self, until: float) -> None:
        rate = self.plan.rate
        start = time.perf_counter()
        done = 0
        ring = itertools.cycle(range(len(self.clients)))
        while (now := time.perf_counter()) < until:
            due = int((now - start) * rate) - done
            for _ in range(due):
                index = next(ring)
                if self._busy[index] >= WINDOW:
                    self.tallies.errors["backpressure"] += 1  # the server is behind: skipped
                else:
                    self._spawn(self._send(self.clients[index], index))
                done += 1
            await asyncio.sleep(TICK_S)

    async def _flat_out(self, client: Client, until: float) -> None:
        async def lane() -> None:
            while time.perf_counter() < until:
                await self._send(client)

        await asyncio.gather(*(lane() for _ in range(WINDOW)))

    def _spawn(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, client: Client, index: int = -1) -> None:
        name = next(self._order)
        version = client.versions.get(name) or self.mix.versions(name)[-1]
        model = next(self._samples.get((name, version)) or self._samples_of(name))
        tallies = self.tallies
        self._busy[index] += 1
        tallies.in_flight += 1
        started = time.perf_counter()
        try:
            await client.send(model, ack=self.plan.ack)
        except SendFailed as exc:
            tallies.errors[exc.code] += 1
        else:
            if self.plan.ack:
                tallies.acked += 1
                tallies.rtt_s.append(time.perf_counter() - started)
        finally:
            tallies.in_flight -= 1
            self._busy[index] -= 1
        tallies.sent[(name, version)] += 1

    def _samples_of(self, name: str) -> Iterator[Any]:
        return self._samples[(name, self.mix.versions(name)[-1])]

    async def _settle(self) -> None:
        """Wait for the sends still out (their acks, or their failure)."""
        while self._tasks:
            await asyncio.wait(list(self._tasks))

    # --- progress -------------------------------------------------------------------------

    async def _progress(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            self._line()

    def _line(self, final: bool = False) -> None:
        if self.out is None:
            return
        t = self.tallies
        elapsed = time.perf_counter() - t.started
        p99 = _pct(t.rtt_s[-2000:], 0.99)
        text = (
            f"{elapsed:6.1f}s  open {t.opened}/{self.plan.connections}  "
            f"sent {t.sent_total:,}  acked {t.acked:,}  in flight {t.in_flight}  "
            f"errors {sum(t.errors.values()):,}  p99 {_ms(p99)}"
        )
        tty = self.out.isatty()
        self.out.write(("\r" + text.ljust(100) + ("\n" if final else "")) if tty else text + "\n")
        self.out.flush()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("wiretype")
    except PackageNotFoundError:
        return "0"


# --- the report -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Report:
    url: str
    plan: Plan
    tallies: Tallies
    server: dict[str, Any] | None  # the server's figures (changes during the run), or None
    server_problem: str = ""
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def agrees(self) -> bool:
        return self.server is None or all(row["agree"] for row in self.server["compared"])

    @property
    def clean(self) -> bool:
        t = self.tallies
        return not t.errors and not t.failed and t.opened == self.plan.connections

    def as_dict(self) -> dict[str, Any]:
        t = self.tallies
        return {
            "url": self.url,
            "scenario": self.plan.scenario or None,
            "plan": dataclasses.asdict(self.plan),
            "connections": {
                "planned": self.plan.connections,
                "opened": t.opened,
                "failed": dict(t.failed),
                "connect_ms": _summary(t.connect_s),
            },
            "messages": {
                "sent": t.sent_total,
                "acked": t.acked,
                "received": t.received,
                "per_s": t.sent_total / t.send_s if t.send_s > 0 else None,
                "by_type": {f"{n} v{v}": c for (n, v), c in sorted(t.sent.items())},
            },
            "round_trip_ms": _summary(t.rtt_s),
            "errors": dict(t.errors),
            "reconnects": t.reconnects,
            "refused_attempts": dict(t.refused),
            "server": self.server,
            "server_problem": self.server_problem or None,
            "skipped": self.skipped,
            "agrees": self.agrees,
            "ok": self.clean and self.agrees,
        }


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def _summary(seconds: list[float]) -> dict[str, float | int | None]:
    def ms(q: float) -> float | None:
        found = _pct(seconds, q)
        return None if found is None else round(found * 1000, 3)

    return {
        "count": len(seconds),
        "p50": ms(0.5),
        "p95": ms(0.95),
        "p99": ms(0.99),
        "max": ms(1.0),
        "mean": round(statistics.fmean(seconds) * 1000, 3) if seconds else None,
    }


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.1f} ms"


def server_figures(
    before: Samples, after: Samples, tallies: Tallies, mix: Mix, peak: Samples | None = None
) -> dict[str, Any]:
    """What the server counted during the run, beside what the load test counted; ``peak``:
    the server's figures once every connection was tried (before the messages)."""

    def delta(name: str, **labels: str) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    compared = []
    for (name, version), count in sorted(tallies.sent.items()):
        got = delta("wiretype_messages_total", direction="in", type=name, v=str(version))
        compared.append({"what": f"messages in {name} v{version}", "loadtest": count,
                         "server": got, "agree": got == count})  # fmt: skip
    opened = delta("wiretype_connects_total", outcome="ok")
    opened += delta("wiretype_connects_total", outcome="resumed")
    ours = tallies.opened + tallies.reconnects
    compared.append({"what": "handshakes ok", "loadtest": ours, "server": opened,
                     "agree": opened == ours})  # fmt: skip
    refused = sum(delta("wiretype_connects_total", outcome=o) for o in REFUSALS)
    turned_away = sum(c for why, c in tallies.refused.items() if why in REFUSED_HTTP)
    compared.append({"what": "handshakes refused (HTTP 401, 403, 503)", "loadtest": turned_away,
                     "server": refused, "agree": refused == turned_away})  # fmt: skip
    if peak is not None:
        held = total(peak, "wiretype_connections") - total(before, "wiretype_connections")
        compared.append({"what": "connections open once all were tried",
                         "loadtest": tallies.open_at_peak, "server": held,
                         "agree": held == tallies.open_at_peak})  # fmt: skip
    nacks = sum(c for code, c in tallies.errors.items() if code != "backpressure")
    errors = delta("wiretype_message_errors_total")
    compared.append({"what": "nacks and errors", "loadtest": nacks, "server": errors,
                     "agree": errors == nacks})  # fmt: skip
    return {
        "compared": compared,
        "connections_now": total(after, "wiretype_connections"),
        "handler_p99_ms": None,
        "process": {
            "cpu_s": round(delta("process_cpu_seconds_total"), 3),
            "resident_bytes": total(after, "process_resident_memory_bytes"),
            "open_fds": total(after, "process_open_fds"),
            # once every connection was tried: what holding them costs
            "peak_resident_bytes": total(peak, "process_resident_memory_bytes") if peak else None,
            "peak_open_fds": total(peak, "process_open_fds") if peak else None,
        },
        "errors_by_code": {
            dict(labels)["code"]: after[(n, labels)] - before.get((n, labels), 0.0)
            for (n, labels) in after
            if n == "wiretype_message_errors_total"
            and after[(n, labels)] - before.get((n, labels), 0.0)
        },
    }


def render_text(report: Report) -> str:
    d = report.as_dict()
    c, m, r = d["connections"], d["messages"], d["round_trip_ms"]
    failed = ", ".join(f"{k} {v}" for k, v in c["failed"].items()) or "none failed"
    per_s = f"{m['per_s']:,.1f}/s" if m["per_s"] else "-"
    lines = [
        f"wiretype loadtest {report.url}"
        + (f"  (scenario {d['scenario']})" if d["scenario"] else ""),
        f"connections   {c['opened']:,} opened of {c['planned']:,} ({failed}); connect time "
        f"p50 {_v(c['connect_ms']['p50'])} p95 {_v(c['connect_ms']['p95'])} "
        f"max {_v(c['connect_ms']['max'])}",
        f"messages      sent {m['sent']:,} ({per_s}), acked {m['acked']:,}, received "
        f"{m['received']:,}",
        f"round trip    p50 {_v(r['p50'])}  p95 {_v(r['p95'])}  p99 {_v(r['p99'])}  "
        f"max {_v(r['max'])}",
        "errors        " + (", ".join(f"{k} {v:,}" for k, v in sorted(d["errors"].items()))
                            or "none"),
        f"reconnects    {d['reconnects']:,}",
    ]  # fmt: skip
    for what, why in report.skipped.items():
        lines.append(f"left out     {what}: {why}")
    if c["failed"].get("http_503"):
        lines.append(
            f"hint          the server refused {c['failed']['http_503']:,} with HTTP 503: past its "
            "max_connections or max_connections_per_ip (100 per address by default; a load "
            "test from one address needs it raised on the server under test)"
        )
    if report.server is None:
        lines.append(f"server        /metrics not read ({report.server_problem})")
    else:
        lines.append(f"{'server (its /metrics, change during the run)':50} {'loadtest':>10} "
                     f"{'server':>10}  agree")  # fmt: skip
        for row in report.server["compared"]:
            mark = "yes" if row["agree"] else "NO"
            lines.append(f"  {row['what']:48} {row['loadtest']:>10,.0f} {row['server']:>10,.0f}  "
                         f"{mark}")  # fmt: skip
        p = report.server["process"]
        line = (
            f"  process: CPU {p['cpu_s']:.2f} s, resident "
            f"{p['resident_bytes'] / 2**20:,.0f} MiB, open fds {p['open_fds']:,.0f}"
        )
        if p.get("peak_open_fds") is not None:
            line += (
                f"; with every connection open: resident {p['peak_resident_bytes'] / 2**20:,.0f} "
                f"MiB, open fds {p['peak_open_fds']:,.0f}"
            )
        lines.append(line)
    return "\n".join(lines) + "\n"


def _v(ms: float | None) -> str:
    return "-" if ms is None else f"{ms:.1f} ms"


# --- the command --------------------------------------------------------------------------------


async def run(url: str, plan: Plan, mix: Mix, *, metrics: str | None = "",
              progress: TextIO | None = None) -> Report:  # fmt: skip
    """Run ``plan`` against ``url``; ``metrics``: the server's /metrics URL ("" derives it
    from ``url``, None reads none)."""
    metrics_url = metrics_url_of(url) if metrics == "" else metrics
    loop = asyncio.get_running_loop()
    before: Samples | None = None
    problem = ""
    if metrics_url is not None:
        try:
            before = await loop.run_in_executor(None, scrape, metrics_url)
        except ScrapeError as exc:
            problem = str(exc)
    peak: list[Samples] = []

    async def at_peak() -> None:
        if before is not None and metrics_url is not None:
            with contextlib.suppress(ScrapeError):
                peak.append(await loop.run_in_executor(None, scrape, metrics_url))

    tallies = await Runner(url, plan, mix, progress, at_peak).run()
    server = None
    if before is not None and metrics_url is not None:
        try:
            after = await _settled_scrape(metrics_url, tallies, before)
            server = server_figures(before, after, tallies, mix, peak[0] if peak else None)
        except ScrapeError as exc:
            problem = str(exc)
    return Report(url, plan, tallies, server, problem or ("not asked" if server is None else ""),
                  mix.skipped)  # fmt: skip


async def _settled_scrape(url: str, tallies: Tallies, before: Samples) -> Samples:
    """The server's figures once its count of the run's handshakes and messages stopped
    moving (the last closes land a moment after the clients return; at most 5 s)."""
    loop = asyncio.get_running_loop()
    last: Samples = {}
    deadline = time.perf_counter() + 5.0
    while True:
        found = await loop.run_in_executor(None, scrape, url)
        moving = total(found, "wiretype_messages_total", direction="in") != total(
            last, "wiretype_messages_total", direction="in"
        )
        gone = (
            total(found, "wiretype_disconnects_total") - total(before, "wiretype_disconnects_total")
            >= tallies.opened
        )
        if (gone and not moving) or time.perf_counter() > deadline:
            return found
        last = found
        await asyncio.sleep(0.1)


def plan_of(scenario: str | None, overrides: Mapping[str, Any], scale: float = 1.0) -> Plan:
    if scenario is not None and scenario not in SCENARIOS:
        raise LoadtestError(f"no scenario {scenario!r}; one of: {', '.join(SCENARIOS)}")
    plan = SCENARIOS[scenario][1] if scenario else Plan()
    plan = dataclasses.replace(plan, scenario=scenario or "")
    if scale != 1.0:
        plan = dataclasses.replace(
            plan,
            connections=max(1, round(plan.connections * scale)),
            rate=plan.rate * scale,
            duration_s=plan.duration_s * min(1.0, max(scale, 0.1)),
        )
    given = {k: v for k, v in overrides.items() if v is not None}
    plan = dataclasses.replace(plan, **given)
    _check(plan)
    return plan


def _check(plan: Plan) -> None:
    if plan.connections < 1:
        raise LoadtestError("--connections must be 1 or more")
    if plan.rate < 0 or plan.burst < 0 or plan.duration_s < 0 or plan.connect_rate < 0:
        raise LoadtestError("rates, bursts and durations cannot be negative")
    if plan.versions not in ("latest", "all"):
        raise LoadtestError("--versions is latest or all")


def main(url: str, scenario: str | None, overrides: Mapping[str, Any], *, scale: float,
         package: str | None, root: Path | None, mix: str | None, metrics: str | None,
         fmt: str, quiet: bool) -> int:  # fmt: skip
    """The command: 0 as planned and agreed, 1 errors or disagreement, 2 cannot run."""
    from .cli import raise_fd_limit

    if fmt not in ("text", "json"):
        print("wiretype: error: --format is text or json", file=sys.stderr)
        return 2
    if not url.startswith(("ws://", "wss://")):
        print(f"wiretype: error: {url!r} is not a ws:// or wss:// URL", file=sys.stderr)
        return 2
    try:
        plan = plan_of(scenario, overrides, scale)
        found = load_mix(package, root, mix)
    except LoadtestError as exc:
        print(f"wiretype: error: {exc}", file=sys.stderr)
        return 2
    raise_fd_limit(max(65_536, plan.connections * 2 + 256))
    report = asyncio.run(run(url, plan, found, metrics=metrics,
                             progress=None if quiet else sys.stderr))  # fmt: skip
    if report.tallies.opened == 0:
        print(f"wiretype: error: no connection to {url} opened: {dict(report.tallies.failed)}",
              file=sys.stderr)  # fmt: skip
        return 2
    sys.stdout.write(json.dumps(report.as_dict(), indent=2) + "\n" if fmt == "json"
                     else render_text(report))  # fmt: skip
    return 0 if report.clean and report.agrees else 1
