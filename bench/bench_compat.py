"""Benchmark: `compare` on two 5,000-property schemas, next to what a user would do instead.

Run: .venv/bin/python bench/bench_compat.py

- compare (both directions): proves or refutes inclusion for every JSON value.
- sampling: validate N generated OLD instances against NEW with jsonschema; it can
  only find counter-examples, never prove compatibility.
- deepdiff: a structural diff of the two documents; it lists edits but says
  nothing about which values are still accepted.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jsonschema import Draft202012Validator

from registry.compat import compare

N_PROPS = 5_000
N_SAMPLES = 200


def _prop(i: int, rng: random.Random) -> dict[str, Any]:
    kind = i % 6
    if kind == 0:
        return {"type": "string", "minLength": 1, "maxLength": 64 + i % 7}
    if kind == 1:
        return {"type": "integer", "minimum": 0, "maximum": 1000 + i}
    if kind == 2:
        return {"enum": [f"v{j}" for j in range(1 + i % 5)]}
    if kind == 3:
        return {"type": "array", "items": {"type": "string", "format": "uuid"}, "maxItems": 10}
    if kind == 4:
        return {"type": ["number", "null"], "multipleOf": 0.5}
    return {
        "type": "object",
        "properties": {"x": {"type": "boolean"}, "y": {"type": "string", "pattern": "^[a-z]+$"}},
        "required": ["x"],
        "additionalProperties": rng.random() < 0.5,
    }


def schemas() -> tuple[dict[str, Any], dict[str, Any]]:
    rng = random.Random(7)
    props = {f"p{i}": _prop(i, rng) for i in range(N_PROPS)}
    required = [f"p{i}" for i in range(0, N_PROPS, 3)]
    old = {"type": "object", "properties": props, "required": required}
    new_props = dict(props)
    for i in range(0, N_PROPS, 97):  # some changes: widen, narrow, add, drop
        new_props[f"p{i}"] = {**props[f"p{i}"], "description": "changed"}
        if i % 2:
            new_props[f"p{i}"] = {"type": "string", "maxLength": 10}
    new_props["added"] = {"type": "string"}
    del new_props["p1"]
    return old, {**old, "properties": new_props}


def _instance(old: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    samples = {"string": "abc", "integer": 5, "array": [], "object": {"x": True}}
    out: dict[str, Any] = {}
    for name, s in old["properties"].items():
        if "enum" in s:
            out[name] = rng.choice(s["enum"])
        else:
            t = s["type"] if isinstance(s["type"], str) else "null"
            out[name] = samples.get(t)
    return out


def _ms(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def main() -> None:
    old, new = schemas()
    t_compare, result = _ms(lambda: compare(old, new))
    rng = random.Random(1)
    instances = [_instance(old, rng) for _ in range(N_SAMPLES)]
    validator = Draft202012Validator(new, format_checker=Draft202012Validator.FORMAT_CHECKER)
    t_sample, bad = _ms(lambda: sum(not validator.is_valid(x) for x in instances))
    try:
        from deepdiff import DeepDiff

        t_diff, diff = _ms(lambda: DeepDiff(old, new))
        diff_note = f"{len(diff.get('values_changed', {}))} values changed"
    except ImportError:
        t_diff, diff_note = float("nan"), "deepdiff not installed"
    print(f"schemas: {N_PROPS} properties each")
    print(
        f"compare (backward+forward): {t_compare:8.1f} ms  backward={result.backward.verdict} "
        f"forward={result.forward.verdict} changes={len(result.backward.changes)}"
        f"+{len(result.forward.changes)}  [proves inclusion for all values]"
    )
    print(
        f"sample {N_SAMPLES} OLD instances:   {t_sample:8.1f} ms  ({bad} rejected; "
        f"x{t_sample / t_compare:.2f} of compare)  [finds counter-examples only]"
    )
    print(
        f"deepdiff of documents:       {t_diff:8.1f} ms  ({diff_note}; "
        f"x{t_diff / t_compare:.2f} of compare)  [edits, no semantics]"
    )
    if t_compare > 1000:
        print("WARNING: compare took more than 1 s")


if __name__ == "__main__":
    main()
