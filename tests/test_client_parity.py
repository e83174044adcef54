"""Parity of the two clients: the Python core (``wiretype/protocol/client.py``) and the
TypeScript one (``clients/typescript/src/core/``), fed the same scripted server behaviour,
write the same frames and tell the application the same events.

Each script in ``tests/ts_client/parity/`` is a list of steps: at time ``at`` (ms) the
server sends a frame (``server``, or raw ``server_text``), time passes (``tick``), the link
opens, drops or fails (``connect``, ``lost``, ``failed``), or the application acts
(``send``, ``subscribe``, ``unsubscribe``, ``close``, ``retry_now``). After each step the
runner takes the frames the client wrote and the events it told, acks every message it
delivered (as both adapters do), and records them with the client's state, next attempt,
next deadline and last seq. ``expect`` holds what DESIGN.md says must come out ("$any"
matches anything); the same scripts run through the TypeScript core under ``node --test``
(``tests/ts_client/parity.test.mjs``), and here the two transcripts must be identical.

``WIRETYPE_RECORD_PARITY=1`` writes the Python transcript into the scripts' ``expect``
(review the diff before committing it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import chat_protocol as proto
import pydantic
import pytest

from wiretype.errors import SendFailed as SendFailedError
from wiretype.protocol.client import ClientConnection
from wiretype.protocol.events import (
    AckReceived,
    CloseRequested,
    Dropped,
    ErrorReceived,
    Event,
    MessageReceived,
    ProtocolProblem,
    SendFailed,
    StateChanged,
    StatusReceived,
    Welcomed,
)
from wiretype.protocol.limits import Settings
from wiretype.protocol.package import Package, runtime_package

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted((ROOT / "tests" / "ts_client" / "parity").glob("*.json"))
RECORD = os.environ.get("WIRETYPE_RECORD_PARITY") == "1"
CLIENT_ID = re.compile(r"^c[0-9a-f]{10}-([0-9]+)$")
NOTHING = object()


class FixedRandom:
    """The random source of a script: always the same draw, so backoff is exact."""

    def __init__(self, value: float) -> None:
        self.value = value

    def random(self) -> float:
        return self.value

    def getrandbits(self, k: int) -> int:
        return 0


def canon(value: Any) -> Any:
    """JSON with the client's ids as c-N (their random prefix left out), whole floats as ints."""
    if isinstance(value, str):
        found = CLIENT_ID.match(value)
        return f"c-{found.group(1)}" if found else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: canon(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canon(v) for v in value]
    return value


def _data(model: Any) -> Any:
    return json.loads(model.__pydantic_serializer__.to_json(model, by_alias=True))


# Each event of the core as the scripts write it (the TypeScript runner has the same table).
EVENTS: dict[type, Callable[[Any], list[Any]]] = {
    StateChanged: lambda e: ["state", e.state, e.reason],
    Welcomed: lambda e: ["welcomed", e.session, e.resumed, e.versions, e.heartbeat_ms],
    MessageReceived: lambda e: [
        "message",
        e.header.type,
        e.wire_version,
        _data(e.data),
        e.header.id,
    ],
    AckReceived: lambda e: ["ack", e.id, e.rtt_ms],
    SendFailed: lambda e: ["send_failed", e.id, e.code, e.reason, list(e.errors), e.retry_after_ms],
    Dropped: lambda e: ["dropped", e.reason, e.count],
    StatusReceived: lambda e: ["status", e.state, e.reason, e.retry_in_ms, e.detail],
    ErrorReceived: lambda e: ["error", e.code, e.message, e.re],
    ProtocolProblem: lambda e: ["problem", e.code, e.id],
    CloseRequested: lambda e: ["close", e.code, e.reason],
}


def event_of(event: Event) -> list[Any]:
    told = EVENTS.get(type(event))
    assert told is not None, f"an event the scripts do not know: {event!r}"
    return told(event)


def _send(core: ClientConnection, step: dict[str, Any], now: float) -> Any:
    app = core.app
    if step["type"] not in app.messages:
        return {"raised": "usage"}  # no model to make: the TypeScript client throws
    try:
        model = app.model(step["type"], app.messages[step["type"]].latest).model_validate(
            step["data"]
        )
        return core.send(
            model,
            now,
            ack=step.get("ack", False),
            prio=step.get("prio", 4),
            ttl=step.get("ttl"),
            volatile=step.get("volatile", False),
        )
    except SendFailedError as exc:
        return {"raised": exc.code}
    except pydantic.ValidationError:
        return {"raised": "invalid"}
    except ValueError:
        return {"raised": "usage"}


def ours(value: Any, prefix: str) -> Any:
    """A script's server frame with the client's ids (c-N) as this client writes them."""
    if isinstance(value, str):
        return re.sub(r"^c-([0-9]+)$", rf"{prefix}-\1", value)
    if isinstance(value, dict):
        return {k: ours(v, prefix) for k, v in value.items()}
    if isinstance(value, list):
        return [ours(v, prefix) for v in value]
    return value


def act(core: ClientConnection, step: dict[str, Any], now: float) -> Any:
    """Apply one step; what the application's call returned (NOTHING for other steps)."""
    if "server" in step:
        frame = ours(step["server"], core._prefix)
        core.receive_text(json.dumps(frame, separators=(",", ":")), now)
        return NOTHING
    if "server_text" in step:
        core.receive_text(step["server_text"], now)
        return NOTHING
    do = step["do"]
    if do == "connect":
        core.connect(now)
    elif do == "tick":
        core.tick(now)
    elif do == "lost":
        core.connection_lost(step["code"], step.get("reason", ""), now)
    elif do == "failed":
        core.connect_failed(now, final=step.get("final", False), reason=step.get("reason", ""))
    elif do == "close":
        core.close()
    elif do == "retry_now":
        core.retry_now(now)
    elif do == "send":
        return _send(core, step, now)
    elif do == "subscribe":
        return core.subscribe(step["topics"], now)
    elif do == "unsubscribe":
        return core.unsubscribe(step["topics"], now)
    else:
        raise AssertionError(f"unknown step {do!r}")
    return NOTHING


def run_python(script: dict[str, Any]) -> list[dict[str, Any]]:
    app = Package.from_module(proto, speaks=script.get("speaks"))
    core = ClientConnection(
        app,
        Settings.build(**script.get("settings", {})),
        name="parity",
        version="1",
        protocol=runtime_package(),
        rng=FixedRandom(script.get("random", 0.5)),  # type: ignore[arg-type]
    )
    transcript: list[dict[str, Any]] = []
    now = 0.0
    for step in script["steps"]:
        now = float(step.get("at", now))
        result = act(core, step, now)
        events = core.events_received()
        for event in events:
            if isinstance(event, MessageReceived):
                core.ack(event.header)
        record: dict[str, Any] = {
            "frames": [json.loads(f) for f in core.data_to_send()],
            "events": [event_of(e) for e in events],
            "state": core.state,
            "next_attempt_at": core.next_attempt_at,
            "next_deadline": core.next_deadline(),
            "last_seq": core.last_seq,
        }
        if result is not NOTHING:
            record["result"] = result
        transcript.append(canon(record))
    return transcript


def matches(expected: Any, actual: Any) -> bool:
    if expected == "$any":
        return True
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and expected.keys() == actual.keys()
            and all(matches(v, actual[k]) for k, v in expected.items())
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(matches(e, a) for e, a in zip(expected, actual, strict=True))
        )
    return bool(expected == actual)


def render(script: dict[str, Any]) -> str:
    """A script as its file holds it: one line per step, frame and event."""

    def line(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    steps = []
    for step in script["steps"]:
        expect = step.get("expect", {})
        head = line({k: v for k, v in step.items() if k != "expect"})[:-1]
        parts = [
            f'   "{key}": [\n' + ",\n".join(f"    {line(item)}" for item in value) + "\n   ]"
            if isinstance(value, list) and value and key in ("frames", "events")
            else f'   "{key}": {line(value)}'
            for key, value in expect.items()
        ]
        steps.append(f'  {head}, "expect": {{\n' + ",\n".join(parts) + "\n  }}")
    top = {k: v for k, v in script.items() if k != "steps"}
    return (line(top)[:-1] + ', "steps": [\n' + ",\n".join(steps) + "\n]}\n").replace(
        '{"description"', '{\n "description"', 1
    )


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_there_are_scripts() -> None:
    assert len(SCRIPTS) >= 15


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.stem)
def test_python_core_follows_the_script(path: Path) -> None:
    script = _load(path)
    transcript = run_python(script)
    if RECORD:
        for step, record in zip(script["steps"], transcript, strict=True):
            kept = step.get("expect", {})
            step["expect"] = {
                k: kept.get(k, v) if kept.get(k) == "$any" else v for k, v in record.items()
            }
        path.write_text(render(script), encoding="utf-8")
    for number, (step, record) in enumerate(zip(script["steps"], transcript, strict=True)):
        expect = step.get("expect", {})
        for key in ("frames", "events"):
            assert key in expect, f"step {number} of {path.name} expects no {key}"
        for key, value in expect.items():
            assert matches(value, record.get(key)), (
                f"{path.name} step {number} ({step.get('do', 'server')}): {key}\n"
                f"expected {json.dumps(value)}\n     got {json.dumps(record.get(key))}"
            )


@cache
def typescript_transcripts() -> dict[str, Any]:
    node = shutil.which("node")
    assert node is not None, "node is not on PATH: the parity check needs Node 20"
    done = subprocess.run(
        [node, str(ROOT / "tests" / "ts_client" / "parity.mjs"), *map(str, SCRIPTS)],
        cwd=ROOT,
        env={**os.environ, "WIRETYPE_PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.stem)
def test_typescript_core_writes_and_tells_the_same(path: Path) -> None:
    python = run_python(_load(path))
    typescript = typescript_transcripts()[path.stem]
    for number, (py, ts) in enumerate(zip(python, typescript, strict=True)):
        assert py == ts, (
            f"{path.name} step {number}: the clients differ\n"
            f"python     {json.dumps(py)}\ntypescript {json.dumps(ts)}"
        )
    assert len(python) == len(typescript)
