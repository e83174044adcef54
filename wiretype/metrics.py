"""The server's Prometheus metrics: what is counted, and how it is exported.

Two parts, so that counting stays cheap on the hot path:

- ``Tally``: plain integers and bucket lists that the hub bumps as frames come and go (one
  dict update per frame, no lock, no label lookup). Frames are keyed by what the server
  already knows (the validated header of a message; the first bytes of a frame it wrote);
  labels are resolved only when Prometheus scrapes.
- ``Metrics``: a ``CollectorRegistry`` per ``Server`` (so two servers in one process never
  collide), holding one collector that turns the tally, the hub's own counters and a look
  at the live connections into the metric families of DESIGN.md's table, plus
  prometheus-client's process, platform and GC collectors; and the event-loop lag probe.

Labels are bounded by the registry: ``type``/``v`` only name the registry's messages
(anything else is ``other``), close ``code`` only the known close codes, error ``code`` only
the values of the ``wiretype.nack`` / ``wiretype.error`` code enums, ``outcome`` only
DESIGN.md's list, and client names and versions only those on the ``metrics_clients``
allow-list. Never a session id, never a string a client chose.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import time
import typing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

from .protocol import envelope as env
from .protocol.package import Package

if TYPE_CHECKING:
    from .hub import Hub

__all__ = [
    "CLOSE_CODES",
    "CONTENT_TYPE",
    "OUTCOMES",
    "QUEUES",
    "Histogram",
    "Metrics",
    "Tally",
]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
OTHER = "other"
OUTCOMES = ("ok", "resumed", "auth", "origin", "full", "protocol", "timeout")
CLOSE_CODES = frozenset(
    {1000, 1001, 1002, 1003, 1005, 1006, 1007, 1008, 1009, 1011, 1012, 1013}
    | {4400, 4401, 4406, 4408, 4409, 4410, 4429, 4499}
)
DROP_REASONS = (
    "expired", "overflow", "slow", "unsupported", "volatile", "closed", "undecodable",
    "no_session",
)  # fmt: skip
QUEUES = ("outgoing", "pending", "replay", "durable", "dead_letter")
# seconds; latency buckets from 0.5 ms to 10 s, durations from 1 s to a day
LATENCY_BUCKETS = (
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
)  # fmt: skip
DURATION_BUCKETS = (1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 4 * 3600.0, 86400.0)
LAG_EVERY_S = 0.5  # how often the event-loop lag probe wakes
LAG_WINDOW = 10  # the gauge is the worst of the last LAG_WINDOW probes (5 s)
STORE_EVERY_S = 5.0  # the durable and dead-letter depths are read from the store this often
STORE_TIMEOUT_S = 1.0
DEAD_LETTERS_COUNTED = 10_000  # the dead-letter depth is counted up to this many


class Histogram:
    """A Prometheus histogram as a list of bucket counts (``le`` is each bucket's upper
    bound; the last bucket is ``+Inf``), observed with one ``bisect``."""

    __slots__ = ("bounds", "counts", "first", "total")

    def __init__(self, bounds: tuple[float, ...] = LATENCY_BUCKETS) -> None:
        self.bounds = bounds
        self.first = bounds[0]  # most observations land in the first bucket: no bisect then
        self.counts = [0] * (len(bounds) + 1)
        self.total = 0.0

    def observe(self, value: float) -> None:
        if value <= self.first:
            self.counts[0] += 1
        else:
            self.counts[bisect.bisect_left(self.bounds, value)] += 1
        self.total += value

    def cumulative(self) -> list[tuple[str, float]]:
        out, running = [], 0
        for bound, count in zip((*self.bounds, float("inf")), self.counts, strict=True):
            running += count
            out.append(("+Inf" if bound == float("inf") else repr(bound), float(running)))
        return out


class Tally:
    """What the hub counts as it goes; read only when Prometheus scrapes."""

    __slots__ = (
        "ack",
        "bytes_in",
        "bytes_out",
        "duration",
        "errors",
        "fast",
        "fast_by_key",
        "handlers",
        "known",
        "lag_s",
        "messages_in",
        "messages_out",
        "ping",
    )

    def __init__(self) -> None:
        self.bytes_in = 0
        self.bytes_out = 0
        self.messages_in: dict[tuple[str, int] | str, int] = {}  # (type, v) or OTHER
        self.messages_out: dict[str, int] = {}  # 'type","v":N' (the frame's first bytes)
        self.errors: dict[str, int] = {}  # nack and error codes sent
        self.handlers: dict[str, Histogram] = {}  # message type -> handler seconds
        # the usual frame (``took``): per frame model class, and per (type, v), one histogram
        # of handler seconds whose count is also the count of those frames
        self.fast: dict[type, Histogram] = {}
        self.fast_by_key: dict[tuple[str, int], Histogram] = {}
        self.duration = Histogram(DURATION_BUCKETS)
        self.ack = Histogram()
        self.ping = Histogram()
        self.lag_s: deque[float] = deque([0.0], maxlen=LAG_WINDOW)
        self.known: frozenset[tuple[str, int]] = frozenset()  # the registry's (type, v)

    # --- frames ---------------------------------------------------------------------------

    def received(self, frame: str | bytes, header: env.HeaderView | None) -> None:
        """One frame from a client; ``header``: the validated header of a message that went
        the fast way (else the frame's type and version are read from its first bytes and
        kept only when they name a version of the registry)."""
        if type(frame) is str:
            self.bytes_in += len(frame) if frame.isascii() else env.utf8_size(frame)
        else:
            self.bytes_in += len(frame)
        key = (header.type, header.v) if header is not None else _head_of(frame, self.known)
        counts = self.messages_in
        counts[key] = counts.get(key, 0) + 1

    def took(self, frame: str | bytes, header: env.HeaderView, seconds: float) -> None:
        """The usual frame: one message validated the fast way and handled inline. Its
        bytes, its count and its handler's time in one call and one dict lookup (keyed by
        the header's class: each frame model is one message version)."""
        if type(frame) is str:
            self.bytes_in += len(frame) if frame.isascii() else env.utf8_size(frame)
        else:
            self.bytes_in += len(frame)
        found = self.fast.get(type(header))
        if found is None:
            found = self._fast_slot(header)
        if seconds <= found.first:
            found.counts[0] += 1
        else:
            found.counts[bisect.bisect_left(found.bounds, seconds)] += 1
        found.total += seconds

    def _fast_slot(self, header: env.HeaderView) -> Histogram:
        key = (header.type, header.v)
        found = self.fast_by_key.get(key)
        if found is None:
            found = self.fast_by_key[key] = Histogram()
        if type(header) is not env.Header:  # one class for every message: not a key
            self.fast[type(header)] = found
        return found

    def sent(self, frames: list[str]) -> None:
        """Frames written to a client's transport, in the shape ``envelope.body`` makes
        (``{"type":"NAME","v":N,...``): counted by those first bytes."""
        counts = self.messages_out
        size = 0
        for frame in frames:
            size += len(frame) if frame.isascii() else env.utf8_size(frame)
            key = frame[9 : frame.find(',"id"', 9)]
            counts[key] = counts.get(key, 0) + 1
            if key.startswith(("wiretype.nack", "wiretype.error")):
                self._error(frame)
        self.bytes_out += size

    def _error(self, frame: str) -> None:
        at = frame.find('"code":"')
        end = frame.find('"', at + 8) if at >= 0 else -1
        code = frame[at + 8 : end] if end > 0 else OTHER
        self.errors[code] = self.errors.get(code, 0) + 1

    def handled(self, name: str, seconds: float) -> None:
        found = self.handlers.get(name)
        if found is None:
            found = self.handlers[name] = Histogram()
        found.observe(seconds)


def _head_of(frame: str | bytes, known: frozenset[tuple[str, int]]) -> tuple[str, int] | str:
    if type(frame) is not str:
        return OTHER
    found = env.HEAD.match(frame)
    if found is None:
        return OTHER
    key = (found.group(1), int(found.group(2)))
    return key if key in known else OTHER


# --- exporting ------------------------------------------------------------------------------


class Metrics:
    """One server's metrics: its registry, its collector, its lag probe; where ``/metrics``
    and ``/connections`` are served (``port``: a listener of their own) and who may read
    ``/connections``."""

    content_type = CONTENT_TYPE

    def __init__(
        self,
        hub: Hub,
        *,
        clients: Iterable[str] = (),
        port: int | None = None,
        host: str | None = None,
        admin_token: str | None = None,
        admin_auth: Callable[[Any], Any] | None = None,
    ) -> None:
        self.hub = hub
        self.port = port
        self.host = host
        self.admin_token = admin_token
        self.admin_auth = admin_auth
        self.listener: asyncio.Server | None = None
        self.tally = Tally()
        self.registry = CollectorRegistry(auto_describe=False)
        self.labels = Labels(hub.app, hub.runtime, clients)
        self.tally.known = self.labels.known
        self.depths: dict[str, int] = {"durable": 0, "dead_letter": 0}
        self._depths_at = 0.0
        self._probe: asyncio.Task[None] | None = None
        self.registry.register(_Collector(self))
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)

    async def start(self) -> None:
        """Start the event-loop lag probe, and the ``metrics_port`` listener when set."""
        if self._probe is None:
            self._probe = asyncio.get_running_loop().create_task(self._lag_probe())
        if self.port is not None and self.listener is None:
            from .pages import listen

            self.listener = await listen(self.hub, self.host or "127.0.0.1", self.port)
            self.port = int(self.listener.sockets[0].getsockname()[1])  # port 0: any free one

    async def stop(self) -> None:
        probe, self._probe = self._probe, None
        if probe is not None:
            probe.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await probe
        listener, self.listener = self.listener, None
        if listener is not None:
            listener.close()
            await listener.wait_closed()

    async def _lag_probe(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(LAG_EVERY_S)
            self.tally.lag_s.append(max(0.0, loop.time() - before - LAG_EVERY_S))

    async def exposition(self) -> bytes:
        """The text format, after reading the store's queue depths (at most every
        ``STORE_EVERY_S``; a store that does not answer in time keeps the last figures)."""
        now = time.monotonic()
        if now - self._depths_at >= STORE_EVERY_S:
            self._depths_at = now
            with contextlib.suppress(Exception):
                async with asyncio.timeout(STORE_TIMEOUT_S):
                    self.depths = await _store_depths(self.hub)
        return generate_latest(self.registry)


async def _store_depths(hub: Hub) -> dict[str, int]:
    store = hub.store
    queued = getattr(store, "queued_jobs", None)
    # the memory store has no count of its own: it keeps its queue in a list
    durable = int(await queued()) if queued is not None else len(getattr(store, "_ready", ()))
    dead = len(await store.dead_letters(DEAD_LETTERS_COUNTED))
    return {"durable": durable + hub.durable.running, "dead_letter": dead}


class Labels:
    """The bounded label values: what the registry and the settings allow."""

    def __init__(self, app: Package, runtime: Package, clients: Iterable[str]) -> None:
        self.messages: dict[str, Any] = {**runtime.messages, **app.messages}
        self.known = frozenset(
            (name, v) for name, info in self.messages.items() for v in info.versions
        )
        self.error_codes = _codes(runtime)
        allowed = [c.partition("@") for c in clients]
        self.client_names = frozenset(name for name, _, _ in allowed)
        self.client_versions = frozenset((name, v) for name, at, v in allowed if at)

    def message(self, name: str, version: Any) -> tuple[str, str]:
        try:
            key = (name, int(version))
        except (TypeError, ValueError):
            return OTHER, OTHER
        return (name, str(key[1])) if key in self.known else (OTHER, OTHER)

    def code(self, code: str) -> str:
        return code if code in self.error_codes else OTHER

    def client(self, name: str, version: str) -> tuple[str, str]:
        if name not in self.client_names:
            return OTHER, OTHER
        return name, version if (name, version) in self.client_versions else OTHER


def _codes(runtime: Package) -> frozenset[str]:
    """Every value of the ``code`` enums of ``wiretype.nack`` and ``wiretype.error``."""
    found: set[str] = set()
    for name in ("wiretype.nack", "wiretype.error"):
        info = runtime.messages.get(name)
        for version in info.versions if info is not None else ():
            field = runtime.model(name, version).model_fields.get("code")
            if field is not None:
                found.update(_literals(field.annotation))
    return frozenset(found)


def _literals(annotation: Any) -> Iterator[str]:
    if typing.get_origin(annotation) is typing.Literal:
        yield from (str(a) for a in typing.get_args(annotation))
        return
    for arg in typing.get_args(annotation):
        yield from _literals(arg)


def close_label(code: Any) -> str:
    try:
        number = int(code)
    except (TypeError, ValueError):
        return "1006" if code in (None, "None") else OTHER
    return str(number) if number in CLOSE_CODES else OTHER


class _Collector:
    """Builds every ``wiretype_*`` family at scrape time."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        metrics = self._metrics
        hub, tally, labels = metrics.hub, metrics.tally, metrics.labels
        yield from _connections(hub, labels)
        yield from _lifecycle(hub, tally)
        yield from _traffic(tally, labels)
        routed = [name for name in hub.router.routes if name in labels.messages]
        yield from _latency(tally, labels, routed)
        yield from _queues(hub, metrics.depths, labels)
        yield _gauge("wiretype_event_loop_lag_seconds", "Worst event-loop lag of the last "
                     "5 s (a probe that sleeps 0.5 s and measures how late it wakes).",
                     max(tally.lag_s))  # fmt: skip


def _gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, value=value)


def _connections(hub: Hub, labels: Labels) -> Iterator[Metric]:
    links = list(hub.links.values())
    yield _gauge("wiretype_connections", "Open WebSocket connections (admitted and upgraded).",
                 len(links))  # fmt: skip
    yield _gauge("wiretype_connection_capacity", "The most connections this server takes "
                 "(max_connections); past it, HTTP 503.", hub.settings.max_connections)  # fmt: skip
    report = hub.health()
    ready = not hub.draining and report["status"] == "ok"
    yield _gauge("wiretype_ready", "1 when /readyz answers 200 (store and broker reachable, "
                 "not draining).", 1.0 if ready else 0.0)  # fmt: skip
    yield _gauge("wiretype_draining", "1 once the server drains.", 1.0 if hub.draining else 0.0)
    for part in ("store", "broker"):
        yield _gauge(f"wiretype_{part}_healthy", f"1 while the {part} is reachable.",
                     1.0 if report[part]["healthy"] else 0.0)  # fmt: skip
    yield from _analytics(links, labels)


def _analytics(links: list[Any], labels: Labels) -> Iterator[Metric]:
    """Which versions live clients speak, and which clients they are."""
    by_map: dict[int, tuple[dict[str, int], int]] = {}
    by_client: dict[tuple[str, str], int] = {}
    for link in links:
        conn = link.conn
        if conn.session is None:
            continue  # not welcomed yet
        versions = conn.versions
        seen = by_map.get(id(versions))
        by_map[id(versions)] = (versions, (seen[1] if seen else 0) + 1)
        who = labels.client(conn.client, conn.client_version)
        by_client[who] = by_client.get(who, 0) + 1
    spoken: dict[tuple[str, str], int] = {}
    for versions, count in by_map.values():
        for name, version in versions.items():
            key = labels.message(name, version)
            spoken[key] = spoken.get(key, 0) + count
    family = GaugeMetricFamily(
        "wiretype_negotiated_connections",
        "Live connections by negotiated message version (the version each message travels "
        "in on them).",
        labels=["type", "v"],
    )
    for (kind, spoken_in), count in sorted(spoken.items()):
        family.add_metric([kind, spoken_in], count)
    yield family
    clients = GaugeMetricFamily(
        "wiretype_client_connections",
        "Live connections by client name and version (from the metrics_clients allow-list; "
        "others: other).",
        labels=["client", "client_version"],
    )
    for (client, client_version), count in sorted(by_client.items()):
        clients.add_metric([client, client_version], count)
    yield clients


def _lifecycle(hub: Hub, tally: Tally) -> Iterator[Metric]:
    counters = hub.counters
    connects = CounterMetricFamily(
        "wiretype_connects",
        "WebSocket handshakes by outcome: ok, resumed, auth (401/403 from auth), origin (403), "
        "full (503: capacity, per-address cap, draining), protocol (no valid hello, another "
        "registry, no common version), timeout (no hello in time).",
        labels=["outcome"],
    )
    for outcome in OUTCOMES:
        connects.add_metric([outcome], counters.get(f"connects_{outcome}", 0))
    yield connects
    closes: dict[str, int] = {}
    for name, count in counters.items():
        if name.startswith("disconnects_"):
            code = close_label(name[len("disconnects_") :])
            closes[code] = closes.get(code, 0) + count
    disconnects = CounterMetricFamily(
        "wiretype_disconnects", "Connections ended, by close code.", labels=["code"]
    )
    for code in sorted({*map(str, CLOSE_CODES), OTHER}):
        disconnects.add_metric([code], closes.get(code, 0))
    yield disconnects
    duration = HistogramMetricFamily(
        "wiretype_connection_duration_seconds", "How long connections lasted (at their end)."
    )
    duration.add_metric([], tally.duration.cumulative(), tally.duration.total)
    yield duration
    dropped: dict[str, int] = dict.fromkeys(DROP_REASONS, 0)
    for name, count in counters.items():
        if name.startswith("dropped_"):
            reason = name[len("dropped_") :]
            reason = reason if reason in dropped else OTHER
            dropped[reason] = dropped.get(reason, 0) + count
    family = CounterMetricFamily(
        "wiretype_dropped",
        "Messages dropped, never delivered: expired (past ts + ttl), overflow (a full queue), "
        "slow (a slow consumer evicted, 4499), unsupported (no common version), ...",
        labels=["reason"],
    )
    for reason, count in dropped.items():
        family.add_metric([reason], count)
    yield family


def _traffic(tally: Tally, labels: Labels) -> Iterator[Metric]:
    messages: dict[tuple[str, str, str], int] = {}
    for name, info in labels.messages.items():  # every series there can be, from 0
        for version in info.versions:
            if info.direction != "server_to_client":
                messages[("in", name, str(version))] = 0
            if info.direction != "client_to_server":
                messages[("out", name, str(version))] = 0
    seen = [(key, sum(found.counts)) for key, found in list(tally.fast_by_key.items())]
    for key, count in [*tally.messages_in.items(), *seen]:
        name, version = labels.message(*key) if isinstance(key, tuple) else (OTHER, OTHER)
        messages[("in", name, version)] = messages.get(("in", name, version), 0) + count
    for head, count in list(tally.messages_out.items()):
        name, _, version = head.partition('","v":')
        found = labels.message(name, version)
        messages[("out", *found)] = messages.get(("out", *found), 0) + count
    family = CounterMetricFamily(
        "wiretype_messages",
        "Frames by direction (in: from clients, out: to clients), message type and version "
        "(frames that are no registry message: type and v other).",
        labels=["direction", "type", "v"],
    )
    for series in sorted(messages):
        family.add_metric(list(series), messages[series])
    yield family
    sizes = CounterMetricFamily(
        "wiretype_bytes", "Bytes of WebSocket frame payloads, by direction.", labels=["direction"]
    )
    sizes.add_metric(["in"], tally.bytes_in)
    sizes.add_metric(["out"], tally.bytes_out)
    yield sizes
    errors = dict.fromkeys(sorted(labels.error_codes), 0)
    for code, count in list(tally.errors.items()):
        errors[labels.code(code)] = errors.get(labels.code(code), 0) + count
    family = CounterMetricFamily(
        "wiretype_message_errors",
        "wiretype.nack and wiretype.error frames sent, by code.",
        labels=["code"],
    )
    for code, count in errors.items():
        family.add_metric([code], count)
    yield family


def _latency(tally: Tally, labels: Labels, routed: Iterable[str]) -> Iterator[Metric]:
    handlers = HistogramMetricFamily(
        "wiretype_handler_seconds",
        "Time in handlers (middleware included; for a durable handler, storing the job).",
        labels=["type"],
    )
    merged: dict[str, Histogram] = {name: Histogram() for name in routed}  # from 0
    fast = [(name, found) for (name, _), found in list(tally.fast_by_key.items())]
    for name, found in [*tally.handlers.items(), *fast]:
        label = name if name in labels.messages else OTHER
        into = merged.setdefault(label, Histogram(found.bounds))
        into.counts = [a + b for a, b in zip(into.counts, found.counts, strict=True)]
        into.total += found.total
    if not merged:  # no handler yet and nothing handled: the family still has its series
        merged[OTHER] = Histogram()
    for name, found in sorted(merged.items()):
        handlers.add_metric([name], found.cumulative(), found.total)
    yield handlers
    for name, doc, found in (
        ("wiretype_ack_seconds", "From a server send with ack=True to the client's "
         "wiretype.ack (retries included).", tally.ack),
        ("wiretype_ping_rtt_seconds", "Heartbeat round trips (wiretype.ping to its pong).",
         tally.ping),
    ):  # fmt: skip
        family = HistogramMetricFamily(name, doc)
        family.add_metric([], found.cumulative(), found.total)
        yield family


def _queues(hub: Hub, depths: dict[str, int], labels: Labels) -> Iterator[Metric]:
    outgoing = pending = replay = 0
    for link in hub.links.values():
        backlog = link.conn._backlog
        outgoing += (len(backlog) if backlog is not None else 0) + len(link.held or ())
    for session in hub.store.cached():
        pending += len(session.pending) if session.pending is not None else 0
        replay += len(session.replay) if session.replay is not None else 0
    family = GaugeMetricFamily(
        "wiretype_queue_depth",
        "Frames waiting: outgoing (to connected clients: congested or held for the store), "
        "pending (for clients that are away), replay (kept for resumes), durable (jobs of "
        "durable handlers), dead_letter (jobs that failed for good).",
        labels=["queue"],
    )
    values = {"outgoing": outgoing, "pending": pending, "replay": replay, **depths}
    for queue in QUEUES:
        family.add_metric([queue], values.get(queue, 0))
    yield family
