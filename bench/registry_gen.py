"""Write a generated registry for benchmarks: N messages x 3 versions, and its settings
(or, with --proto, the same messages as protocol buffers, for buf).

Each message uses a shared type (``common.profile``), renames a field in v2
(with a list field that has a default), maps enum values and adds a defaulted
field in v3, and carries an example on every version. Deterministic: the same
arguments write the same bytes.

    python bench/registry_gen.py OUT_DIR [--messages 300]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

SETTINGS = """\
schemas: schemas
compatibility: backward
python: {package: bench_protocol, out: generated/python}
typescript: {package: "@bench/protocol", out: generated/typescript}
"""

PROFILE = """\
kind: type
description: Who sent a message.
versions:
  1:
    fields:
      id: uuid
      name: {type: string, min_length: 1, max_length: 80}
      email: {type: email, required: false}
      joined: date
    examples:
      - {id: 7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11, name: Ada, joined: "2025-02-28"}
"""

# Each message gets its own limits ({n}), so that no two messages share a schema: a
# benchmark of `check` must not be helped by answers cached for an identical message.
_V1_FIELDS = """\
      id: uuid
      room: {{type: string, min_length: 1, max_length: {room}}}
      text: {{type: string, max_length: {text}}}
      sent_at: datetime
      author: common.profile
      count: {{type: int, minimum: 0, maximum: {count}}}
      score: {{type: float, minimum: 0, maximum: 100}}
      level: {{enum: [low, mid, high], default: mid}}
      note: {{type: string, required: false}}
"""
_V2_FIELDS = (
    _V1_FIELDS.replace("      text:", "      body:")
    + '      mentions: {{type: "list[uuid]", default: []}}\n'
)
_V3_FIELDS = (
    _V2_FIELDS.replace("[low, mid, high]", "[quiet, mid, loud]")
    + "      pinned: {{type: bool, default: false}}\n"
)


def example(index: int, version: int) -> dict[str, object]:
    """A valid data object of message ``index`` at ``version``."""
    data: dict[str, object] = {
        "id": f"{index:08x}-2f1a-4b8e-9a51-0c7a2e6f1b11",
        "room": f"room-{index % 17}",
        "text": f"hello from message {index}, version {version}",
        "sent_at": "2026-03-01T09:30:00Z",
        "author": {
            "id": "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11",
            "name": "Ada",
            "joined": "2024-02-29",
        },
        "count": index,
        "score": 12.5,
        "level": ["low", "mid", "high"][index % 3] if version < 3 else "loud",
    }
    if version >= 2:
        data["body"] = data.pop("text")
        data["mentions"] = ["7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11"]
    if version >= 3:
        data["pinned"] = index % 2 == 0
    return data


def message_yaml(index: int) -> str:
    lines = [f"description: Benchmark message number {index}.", "direction: both", "versions:"]
    for version, fields in ((1, _V1_FIELDS), (2, _V2_FIELDS), (3, _V3_FIELDS)):
        limits = {"room": 64 + index, "text": 2000 + index, "count": 1000 + index}
        lines += [f"  {version}:", "    fields:", fields.format(**limits).rstrip("\n")]
        if version == 2:
            lines += ["    migrate:", "      rename: {text: body}"]
        if version == 3:
            lines += ["    migrate:", "      values: {level: {low: quiet, high: loud}}"]
        lines += ["    examples:", f"      - {json.dumps(example(index, version))}"]
    return "\n".join(lines) + "\n"


def message_name(index: int) -> str:
    return f"bench.group{index // 50}.message{index:04d}"


def edit_message(out: Path, index: int, stamp: int) -> Path:
    """Edit message ``index`` as a developer would: widen its latest version's `body` (a
    compatible change) to a length that depends on ``stamp``; returns the file."""
    path = out / "schemas" / (message_name(index).replace(".", "/") + ".yaml")
    text = path.read_text(encoding="utf-8")
    start = text.rindex("body: {type: string, max_length: ")  # the last version's
    end = text.index("}", start)
    widened = f"body: {{type: string, max_length: {10_000 + stamp}"
    path.write_text(text[:start] + widened + text[end:], encoding="utf-8")
    return path


# -- the same registry as protocol buffers, for `buf lint` and `buf breaking` -------------------

BUF_YAML = """\
version: v2
lint:
  use: [STANDARD]
breaking:
  use: [FILE]
"""

PROFILE_PROTO = """\
syntax = "proto3";

package common.v1;

// Who sent a message.
message Profile {
  string id = 1;
  string name = 2;
  optional string email = 3;
  string joined = 4;
}
"""


def message_proto(index: int, extra_fields: int = 0) -> str:
    """Message ``index`` at its latest version, with the same fields (`extra_fields`
    more optional ones: the edit a developer makes)."""
    group = index // 50
    name = f"Message{index:04d}"
    extra = "".join(f"  optional string extra{n} = {12 + n};\n" for n in range(extra_fields))
    return f"""\
syntax = "proto3";

package bench.group{group}.v1;

import "common/v1/profile.proto";

// Benchmark message number {index}.
message {name} {{
  // How urgent it is.
  enum Level {{
    LEVEL_UNSPECIFIED = 0;
    LEVEL_QUIET = 1;
    LEVEL_MID = 2;
    LEVEL_LOUD = 3;
  }}
  string id = 1;
  string room = 2;
  string body = 3;
  string sent_at = 4;
  common.v1.Profile author = 5;
  int64 count = 6;
  double score = 7;
  Level level = 8;
  optional string note = 9;
  repeated string mentions = 10;
  bool pinned = 11;
{extra}}}
"""


def proto_path(index: int) -> str:
    return f"bench/group{index // 50}/v1/message{index:04d}.proto"


def write_proto(out: Path, messages: int = 300) -> Path:
    """The registry as a buf module (one .proto per message, a shared `Profile`)."""
    (out / "common" / "v1").mkdir(parents=True, exist_ok=True)
    (out / "buf.yaml").write_text(BUF_YAML, encoding="utf-8")
    (out / "common" / "v1" / "profile.proto").write_text(PROFILE_PROTO, encoding="utf-8")
    for index in range(messages):
        path = out / proto_path(index)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(message_proto(index), encoding="utf-8")
    return out


def write_registry(out: Path, messages: int = 300) -> Path:
    """Write the registry (settings + schemas) into ``out``; returns ``out``."""
    schemas = out / "schemas"
    (schemas / "common").mkdir(parents=True, exist_ok=True)
    (out / "wiretype.yaml").write_text(SETTINGS, encoding="utf-8")
    (schemas / "common" / "profile.yaml").write_text(PROFILE, encoding="utf-8")
    for index in range(messages):
        path = schemas / (message_name(index).replace(".", "/") + ".yaml")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(message_yaml(index), encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument(
        "--proto", action="store_true", help="write the same messages as a buf module instead"
    )
    args = parser.parse_args()
    if args.proto:
        write_proto(args.out, args.messages)
        print(f"wrote {args.messages} messages as .proto files to {args.out}")
        return
    write_registry(args.out, args.messages)
    print(f"wrote {args.messages} messages x 3 versions to {args.out}")


if __name__ == "__main__":
    main()
