"""Write a large, realistic registry for benchmarks: N messages x 3 versions.

Every message references a shared type, renames a field in v2 and adds a
field with a default (and an enum value mapped) in v3, with an example on every
version. Deterministic: the same arguments write the same bytes.

    python bench/big_registry.py OUT_DIR [--messages 300]
"""

from __future__ import annotations

import argparse
from pathlib import Path

SETTINGS = """\
schemas: schemas
compatibility: backward
python: {package: bench_messages, out: generated/python}
typescript: {package: "@bench/messages", out: generated/typescript}
"""
USER = """\
kind: type
description: A person.
versions:
  1:
    fields:
      id: uuid
      name: {type: string, min_length: 1, max_length: 80}
      email: {type: email, required: false}
    examples:
      - {id: 7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11, name: Ada}
"""
UUID = "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11"


def message(i: int) -> str:
    return f"""\
description: Benchmark message number {i}.
compatibility: backward
direction: both
versions:
  1:
    fields:
      id: uuid
      title: {{type: string, min_length: 1, max_length: {200 + i}}}
      count: {{type: int, minimum: 0, maximum: {1000 + i}}}
      ratio: float
      active: bool
      owner: common.user
      level: {{enum: [low, mid, high], default: mid}}
      tags: {{type: "list[string]", required: false, max_items: 20}}
      at: datetime
    examples:
      - {{id: {UUID}, title: t{i}, count: {i}, ratio: 0.5, active: true, owner: {{id: {UUID}, name: Ada}}, at: "2026-01-01T00:00:00Z"}}
  2:
    fields:
      id: uuid
      name: {{type: string, min_length: 1, max_length: {200 + i}}}
      count: {{type: int, minimum: 0, maximum: {1000 + i}}}
      ratio: float
      active: bool
      owner: common.user
      level: {{enum: [low, mid, high], default: mid}}
      tags: {{type: "list[string]", required: false, max_items: 20}}
      at: datetime
      note: {{type: string, default: ""}}
    migrate:
      rename: {{title: name}}
    examples:
      - {{id: {UUID}, name: n{i}, count: {i}, ratio: 0.5, active: true, owner: {{id: {UUID}, name: Ada}}, at: "2026-01-01T00:00:00Z", note: hi}}
  3:
    fields:
      id: uuid
      name: {{type: string, min_length: 1, max_length: {200 + i}}}
      count: {{type: int, minimum: 0, maximum: {1000 + i}}}
      ratio: float
      active: bool
      owner: common.user
      level: {{enum: [minor, mid, major], default: mid}}
      tags: {{type: "list[string]", required: false, max_items: 20}}
      at: datetime
      note: {{type: string, default: ""}}
      seen: {{type: bool, default: false}}
    migrate:
      values: {{level: {{low: minor, high: major}}}}
    examples:
      - {{id: {UUID}, name: n{i}, count: {i}, ratio: 0.5, active: true, owner: {{id: {UUID}, name: Ada}}, at: "2026-01-01T00:00:00Z", level: major}}
"""


def write_registry(root: Path, messages: int = 300) -> Path:
    """Write the registry into ``root`` (created if needed) and return it."""
    files = {"wiretype.yaml": SETTINGS, "schemas/common/user.yaml": USER}
    for i in range(messages):
        files[f"schemas/area{i % 10}/message_{i}.yaml"] = message(i)
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--messages", type=int, default=300)
    args = parser.parse_args()
    write_registry(args.out, args.messages)


if __name__ == "__main__":
    main()
