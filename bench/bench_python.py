"""Speed of the generated Python package, on a registry of N messages x 3 versions.

Prints, for bench/registry_gen.py's registry:

* ``wiretype generate --lang python`` wall time (bar: well under 5 s with TypeScript);
* importing the generated package, with and without byte-code caches (bar: < 1 s);
* ``decode`` throughput against a hand-written strict pydantic model's
  ``model_validate_json`` of the same envelopes (bar: within 1.3x) and against
  ``jsonschema`` with its format checker (bar: >= 10x);
* with ``--dcg``: datamodel-code-generator's time on the same schemas, and the decode
  throughput of the models it writes.

    python bench/bench_python.py [--messages 300] [--work DIR] [--dcg]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
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


def _jsonschema_decoder(work: Path) -> Callable[[bytes], Any]:
    import jsonschema

    from registry.config import load_config
    from registry.jsonschema import version_document
    from registry.project import load
    from registry.render.python import calendar_formats

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
    one = frames[5:6] * 300
    generated_one = _rate(bench_protocol.decode, one)
    hand_one = _rate(HandEnvelope.model_validate_json, one)
    print("one message, decoded 300 times:")
    print(f"  generated decode:                   {generated_one:>10,.0f} envelopes/s")
    print(f"  hand-written strict pydantic model: {hand_one:>10,.0f} envelopes/s "
          f"(generated takes {hand_one / generated_one:.2f}x its time; bar 1.3x)")

    models = dict(zip(frames, _hand_models(len(frames)), strict=True))
    generated = _rate(bench_protocol.decode, frames)
    hand = _rate(lambda frame: models[frame].model_validate_json(frame), frames)
    schema = _rate(_jsonschema_decoder(work), frames)
    print(f"{len(frames)} different messages, each once:")
    print(f"  generated decode:                   {generated:>10,.0f} envelopes/s")
    print(f"  hand-written, one model a message:  {hand:>10,.0f} envelopes/s "
          f"(generated takes {hand / generated:.2f}x its time; bar 1.3x)")
    print(f"  jsonschema + format checker:        {schema:>10,.0f} envelopes/s "
          f"(generated is {generated / schema:.1f}x faster; bar 10x)")
    if args.dcg:
        _dcg(work, frames)


if __name__ == "__main__":
    main()
