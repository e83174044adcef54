"""Speed of the generated Python package, on a registry of N messages x 3 versions.

Prints, for bench/registry_gen.py's registry:

* ``wiretype generate --lang python`` wall time (bar: well under 5 s with TypeScript);
* importing the generated package, with and without byte-code caches (bar: < 1 s);
* ``decode`` against a hand-written strict pydantic model's ``model_validate_json`` of the
  same envelopes: one message decoded repeatedly (bar: within 1.3x) and 300 different
  messages (bar: within 1.15x), as the median of ``--rounds`` interleaved rounds of CPU
  time (the machine is shared: CPU time leaves out the time spent waiting for a core),
  after checking that the uuid fields refuse every spelling but the hyphenated one and
  stay ``str``; and against ``jsonschema`` with its format checker (bar: >= 10x);
* with ``--dcg``: datamodel-code-generator's time on the same schemas, and the decode
  throughput of the models it writes.

    python bench/bench_python.py [--messages 300] [--rounds 21] [--work DIR] [--dcg]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import timeit
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, create_model

sys.path.insert(0, str(Path(__file__).resolve().parent))
from registry_gen import example, message_name, write_registry

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def _import_time(work: Path, cached: bool) -> float:
    out = work / "generated" / "python"
    env = {**os.environ, "PYTHONPATH": str(out)}
    if cached:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(out)], check=True,
                       capture_output=True)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        for cache in out.rglob("__pycache__"):
            shutil.rmtree(cache)
    code = "import time; t = time.perf_counter(); import bench_protocol; " \
           "print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], env=env, check=True,
                                 capture_output=True, text=True).stdout) for _ in range(3)]
    return min(runs)


# --- the hand-written baseline: what a person would write for one message version -------

class Profile(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")
    id: UUID
    name: Annotated[str, Field(min_length=1, max_length=80)]
    email: str | None = None
    joined: date


class Data(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")
    id: UUID
    room: Annotated[str, Field(min_length=1, max_length=64)]
    body: Annotated[str, Field(max_length=2000)]
    sent_at: datetime
    author: Profile
    count: Annotated[int, Field(ge=0)]
    score: Annotated[float, Field(ge=0, le=100)]
    level: Literal["quiet", "mid", "loud"] = "mid"
    note: str | None = None
    mentions: list[UUID] = Field(default_factory=list)
    pinned: bool = False


class HandEnvelope(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow")
    type: str
    v: int
    id: Annotated[str, Field(min_length=1)]
    data: Data


def _hand_models(count: int) -> list[type[HandEnvelope]]:
    """One hand-written envelope model per message (same shape), as a registry would need."""
    models = []
    for index in range(count):
        data = create_model(f"Data{index}", __base__=Data)
        models.append(create_model(f"Envelope{index}", __base__=HandEnvelope,
                                   data=(data, ...)))
    return models


def _frames(count: int) -> list[bytes]:
    return [json.dumps({"type": message_name(i), "v": 3, "id": f"m-{i}",
                        "data": example(i, 3)}).encode() for i in range(count)]


def _rate(function: Callable[[bytes], Any], frames: list[bytes], seconds: float = 1.0) -> float:
    """Frames per second (best of 3 rounds)."""
    def batch() -> None:
        for frame in frames:
            function(frame)

    batch()  # warm up (lazy model builds)
    number = max(1, int(seconds / max(timeit.timeit(batch, number=1), 1e-6) / 3))
    best = min(timeit.repeat(batch, number=number, repeat=3))
    return len(frames) * number / best


def _cpu_seconds(function: Callable[[bytes], Any], frames: list[bytes], number: int) -> float:
    start = time.process_time()
    for _ in range(number):
        for frame in frames:
            function(frame)
    return time.process_time() - start


def _ratios(generated: Callable[[bytes], Any], hand: Callable[[bytes], Any],
            frames: list[bytes], rounds: int) -> list[float]:
    """generated / hand CPU time, one figure per round; the two take turns in each round."""
    for function in (generated, hand):  # warm up: models are built on first use
        _cpu_seconds(function, frames, 2)
    number = max(1, int(0.1 / max(_cpu_seconds(hand, frames, 1), 1e-6)))
    return [_cpu_seconds(generated, frames, number) / _cpu_seconds(hand, frames, number)
            for _ in range(rounds)]


def _show(label: str, ratios: list[float], bar: float) -> None:
    median = statistics.median(ratios)
    verdict = "met" if median <= bar else "MISSED"
    print(f"  {label}: generated takes {median:.2f}x the hand-written model's time "
          f"(median of {len(ratios)} rounds, {min(ratios):.2f}-{max(ratios):.2f}; "
          f"bar {bar}x: {verdict})")


def _check_uuid_strictness(package: Any, frame: bytes) -> None:
    """The figure only counts if uuid fields refuse other spellings and stay str."""
    good = json.loads(frame)
    uuid = good["data"]["id"]
    assert isinstance(package.decode(frame).data.id_, str)
    for spelling in (uuid.replace("-", ""), f"{{{uuid}}}", f"urn:uuid:{uuid}", uuid + "\n",
                     uuid[:8] + uuid[9:13] + "-" + uuid[13:]):
        bad = {**good, "data": {**good["data"], "id": spelling}}
        try:
            package.decode(json.dumps(bad))
        except package.DecodeError:
            continue
        raise AssertionError(f"the generated package accepted the uuid {spelling!r}")


def _jsonschema_decoder(work: Path) -> Callable[[bytes], Any]:
    import jsonschema

    from registry.config import load_config
    from registry.jsonschema import version_document
    from registry.project import load
    from registry.render.formats import calendar_formats

    loaded = load(load_config(work))
    checker = jsonschema.FormatChecker(formats=())
    for name, pattern in calendar_formats().items():
        compiled = __import__("re").compile(pattern)
        checker.checks(name)(lambda v, c=compiled: not isinstance(v, str) or bool(c.search(v)))
    validators = {}
    for definition in loaded.registry.messages:
        for version in definition.versions:
            schema = version_document(loaded.registry, definition, version, closed=False)
            validators[(definition.name, version.number)] = jsonschema.Draft202012Validator(
                schema, format_checker=checker)

    def decode(frame: bytes) -> Any:
        value = json.loads(frame)
        validators[(value["type"], value["v"])].validate(value["data"])
        return value

    return decode


def _dcg(work: Path, frames: list[bytes]) -> None:
    """datamodel-code-generator on the same JSON Schemas: its time, and its models' speed."""
    from registry.config import load_config
    from registry.jsonschema import version_document
    from registry.project import load

    loaded = load(load_config(work))
    schemas = work / "dcg-in"
    shutil.rmtree(schemas, ignore_errors=True)
    schemas.mkdir()
    for definition in loaded.registry.messages:
        for version in definition.versions:
            doc = version_document(loaded.registry, definition, version, closed=False)
            name = f"{definition.name.replace('.', '_')}_v{version.number}.json"
            (schemas / name).write_text(json.dumps(doc))
    out = work / "dcg_out"
    shutil.rmtree(out, ignore_errors=True)
    seconds = _run([str(BIN / "datamodel-codegen"), "--input", str(schemas),
                    "--input-file-type", "jsonschema", "--output", str(out),
                    "--output-model-type", "pydantic_v2.BaseModel",
                    "--field-constraints", "--use-annotated"], cwd=work)
    print(f"datamodel-codegen, {len(list(schemas.iterdir()))} schemas: {seconds:.2f} s")
    sys.path.insert(0, str(work))
    try:
        module = __import__(f"dcg_out.{message_name(0).replace('.', '_')}_v3",
                            fromlist=["Model"])
    except ImportError as exc:  # its EmailStr needs the email-validator package
        print(f"datamodel-codegen models do not import: {exc}")
        return
    model = module.Model
    data = [json.dumps(json.loads(f)["data"]).encode() for f in frames if b'"v": 3' in f]
    lax = _rate(model.model_validate_json, data[:1] * 100)
    print(f"datamodel-codegen model, data only (lax, its types): {lax:,.0f}/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=21, help="interleaved timing rounds")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / ".work" / "python")
    parser.add_argument("--dcg", action="store_true", help="also time datamodel-code-generator")
    args = parser.parse_args()
    work: Path = args.work
    shutil.rmtree(work, ignore_errors=True)
    write_registry(work, args.messages)

    generate = min(_run([str(BIN / "wiretype"), "generate", "--lang", "python"], cwd=work)
                   for _ in range(3))
    print(f"wiretype generate --lang python, {args.messages} messages x 3: {generate:.2f} s")
    print(f"import (byte-code cached): {_import_time(work, True):.3f} s")
    print(f"import (no byte-code cache): {_import_time(work, False):.3f} s")

    sys.path.insert(0, str(work / "generated" / "python"))
    import bench_protocol

    frames = _frames(min(args.messages, 300))
    _check_uuid_strictness(bench_protocol, frames[5])
    one = frames[5:6] * 300
    print("decode, one message decoded 300 times:")
    _show("vs HandEnvelope.model_validate_json",
          _ratios(bench_protocol.decode, HandEnvelope.model_validate_json, one, args.rounds), 1.3)

    models = dict(zip(frames, _hand_models(len(frames)), strict=True))

    def hand(frame: bytes) -> Any:
        return models[frame].model_validate_json(frame)

    print(f"decode, {len(frames)} different messages, each once (hand-written: one model a "
          "message, picked for free):")
    _show("vs model_validate_json", _ratios(bench_protocol.decode, hand, frames, args.rounds),
          1.15)
    generated, schema = _rate(bench_protocol.decode, frames), _rate(_jsonschema_decoder(work),
                                                                     frames)
    print(f"  generated decode: {generated:,.0f} envelopes/s; jsonschema + format checker: "
          f"{schema:,.0f}/s (generated is {generated / schema:.1f}x faster; bar 10x)")
    if args.dcg:
        _dcg(work, frames)


if __name__ == "__main__":
    main()
