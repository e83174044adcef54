"""Round trips of generated migrations, in both languages.

Hypothesis draws registries of messages with two versions: fields of several types,
required, optional or defaulted, enums, and between them migration steps (renames,
converters, value maps, defaults, drops, moves) in a random order of step kinds, each
naming its field as the message has it at that point. Each registry goes through the
real ``wiretype lint``, ``check`` and ``generate``; then, for many messages per
registry, in Python and in TypeScript (one Node process per registry):

- ``upgrade(m)`` is a valid message of the newer version, for every valid older ``m``,
  and ``downgrade(n)`` a valid older one for every valid newer ``n`` (``check``
  passed, so the shims must deliver what it proved);
- ``downgrade(upgrade(m)) == m`` whenever both versions can hold every field of ``m``
  (a value a converter keeps exact, an enum value both versions have, a field present
  where the newer version requires it);
- the two languages give the same answers, message by message.

The default run takes a few seconds; ``WIRETYPE_ROUNDTRIP_EXAMPLES=200`` runs longer.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.check.migrate_run import run_steps
from registry.check.pairing import steps_between
from registry.cli.project import load_project
from registry.compile.model import Registry
from registry.load.settings import load_config
from tests.helpers import TESTS, run, write_tree

EXAMPLES = int(os.environ.get("WIRETYPE_ROUNDTRIP_EXAMPLES", "6"))
KINDS = ("rename", "defaults", "drop", "values", "move", "convert")


# --- what one field of the older version becomes -----------------------------------------------


@dataclass
class Plan:
    """One older field (or one the newer version adds) and what the migration does to it."""

    name: str
    older: Any  # the field in the older version's `fields:` (None: the older lacks it)
    newer: dict[str, Any]  # newer field name -> its definition (empty: the newer lacks it)
    steps: list[tuple[str, Any, Any]] = field(default_factory=list)  # (kind, field, arg)
    values: Any = None  # strategy of the field's older values
    held: Any = None  # strategy of the values both versions can hold (None: any of values)
    required_up: bool = False  # the newer version needs the field: `m` must have it
    droppable: bool = False  # the newer version cannot hold it: `m` must not have it


_INTS = st.integers(-(10**9), 10**9)
_CENTS = st.integers(-(10**7), 10**7).map(lambda n: n / 100)  # 0.57, -12.3, 4.0
_TEXT = st.text(st.characters(codec="utf-8"), max_size=8)
_ENUM = ["a", "b", "c"]


def _presence(draw: Any, older: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The older field required (as written) or optional; True when required."""
    if draw(st.booleans()):
        return older, True
    return {**older, "required": False}, False


@st.composite
def plans(draw: Any, index: int) -> Plan:
    name = f"f{index}"
    fate = draw(
        st.sampled_from(
            [
                "keep",
                "rename",
                "convert",
                "rename_convert",
                "values",
                "merge",
                "defaults",
                "drop",
                "move",
                "added",
                "truncate",
            ]
        )
    )
    return _PLANS[fate](draw, name)


def _keep(draw: Any, name: str) -> Plan:
    kind, values = draw(
        st.sampled_from(
            [("int", _INTS), ("float", _CENTS), ("bool", st.booleans()), ("string", _TEXT)]
        )
    )
    if draw(st.booleans()):
        default = draw(values)
        spec = {"type": kind, "default": default}
        return Plan(name, spec, {name: spec}, values=values)
    older, _ = _presence(draw, {"type": kind})
    return Plan(name, older, {name: older}, values=values)


def _rename(draw: Any, name: str) -> Plan:
    plan = _keep(draw, name)
    new = f"{name}_renamed"
    plan.newer = {new: plan.newer[name]}
    plan.steps = [("rename", name, new)]
    return plan


_CONVERSIONS = [  # older type, older values, converter, newer type, held values
    ("int", _INTS, "int_to_string", "string", None),
    ("int", _INTS, "int_to_float", "float", None),
    ("int", _INTS, {"scale": 100}, "int", None),
    ("int", _INTS, {"scale": 0.01}, "float", None),
    ("float", _CENTS, {"scale": 100}, "float", None),
    ("float", _CENTS, {"scale": 0.001}, "float", None),
    ("float", _CENTS, "float_to_string", "string", None),
    ("string", st.one_of(_INTS.map(str), _TEXT), "string_to_int", "int", _INTS.map(str)),
    ("string", _TEXT, "wrap_list", "list[string]", None),
]


def _convert(draw: Any, name: str, renamed: bool = False) -> Plan:
    kind, values, converter, newer, held = draw(st.sampled_from(_CONVERSIONS))
    older, _ = _presence(draw, {"type": kind})
    new = f"{name}_renamed" if renamed else name
    target = {**older, "type": newer}
    plan = Plan(name, older, {new: target}, values=values, held=held)
    plan.steps = [("convert", name, converter)]
    if renamed:
        plan.steps.append(("rename", name, new))
    return plan


def _rename_convert(draw: Any, name: str) -> Plan:
    return _convert(draw, name, renamed=True)


def _values(draw: Any, name: str) -> Plan:
    """An enum value renamed: c -> z both ways (one to one)."""
    older, _ = _presence(draw, {"enum": _ENUM})
    newer = {**older, "enum": ["a", "b", "z"]}
    plan = Plan(name, older, {name: newer}, values=st.sampled_from(_ENUM))
    plan.steps = [("values", name, {"c": "z"})]
    return plan


def _merge(draw: Any, name: str) -> Plan:
    """An enum value the newer version drops, mapped onto one it keeps: c -> b. A `b` must
    come back as `b`; a `c` cannot be held by the newer version."""
    older, _ = _presence(draw, {"enum": _ENUM})
    newer = {**older, "enum": ["a", "b"]}
    plan = Plan(
        name, older, {name: newer}, values=st.sampled_from(_ENUM), held=st.sampled_from(["a", "b"])
    )
    plan.steps = [("values", name, {"c": "b"})]
    return plan


def _defaults(draw: Any, name: str) -> Plan:
    """Optional in the older version, required in the newer: `defaults` on the way up. A
    message that has the field must keep it on the way back."""
    kind, values = draw(st.sampled_from([("string", _TEXT), ("int", _INTS)]))
    plan = Plan(
        name,
        {"type": kind, "required": False},
        {name: {"type": kind}},
        values=values,
        required_up=True,
    )
    plan.steps = [("defaults", name, "" if kind == "string" else 0)]
    return plan


def _drop(draw: Any, name: str) -> Plan:
    plan = Plan(name, {"type": "int", "required": False}, {}, values=_INTS, droppable=True)
    if draw(st.booleans()):
        plan.steps = [("drop", name, None)]
    return plan


def _move(draw: Any, name: str) -> Plan:
    older, required = _presence(draw, {"type": "int"})
    box: dict[str, Any] = {"fields": {"inner": "int"}}
    if not required:
        box["required"] = False
    plan = Plan(name, older, {f"{name}_box": box}, values=_INTS)
    plan.steps = [("move", name, f"{name}_box.inner")]
    return plan


def _added(draw: Any, name: str) -> Plan:
    """A field only the newer version has: with a default of its own, or required and filled
    by `defaults` (whose way down is a drop: the older version cannot hold it)."""
    if draw(st.booleans()):
        return Plan(name, None, {name: {"type": "int", "default": 7}})
    plan = Plan(name, None, {name: "string"})
    plan.steps = [("defaults", name, "none")]
    return plan


def _truncate(draw: Any, name: str) -> Plan:
    """A lower max_length, with `truncate` on the way up: held when it is short enough."""
    older, _ = _presence(draw, {"type": "string", "max_length": 8})
    plan = Plan(
        name,
        older,
        {name: {**older, "max_length": 3}},
        values=_TEXT,
        held=st.text(st.characters(codec="utf-8"), max_size=3),
    )
    plan.steps = [("convert", name, {"truncate": 3})]
    return plan


_PLANS = {
    "keep": _keep,
    "rename": _rename,
    "convert": _convert,
    "rename_convert": _rename_convert,
    "values": _values,
    "merge": _merge,
    "defaults": _defaults,
    "drop": _drop,
    "move": _move,
    "added": _added,
    "truncate": _truncate,
}


# --- a message: its two versions, its migration, and its sample messages -----------------------


@dataclass
class Message:
    name: str
    plans: list[Plan]
    order: list[str]  # the order of the step kinds under `migrate:`

    def definition(self) -> dict[str, Any]:
        older = {p.name: p.older for p in self.plans if p.older is not None}
        newer = {k: v for p in self.plans for k, v in p.newer.items()}
        older = older or {"pad": {"type": "int", "required": False}}
        newer = newer or {"pad": {"type": "int", "required": False}}
        second: dict[str, Any] = {"fields": newer}
        migrate = self.migrate()
        if migrate:
            second["migrate"] = migrate
        return {"compatibility": "full", "versions": {1: {"fields": older}, 2: second}}

    def migrate(self) -> dict[str, Any]:
        """The steps, grouped by kind in ``order``; each names its field as the message has
        it where it runs (a convert after the rename of its field names the new name)."""
        blocks: dict[str, Any] = {}
        for kind in self.order:
            for plan in self.plans:
                for step_kind, name, arg in plan.steps:
                    if step_kind == kind:
                        _add(blocks, kind, self._name_at(plan, name, kind), arg)
        return blocks

    def _name_at(self, plan: Plan, name: str, kind: str) -> str:
        renames = [(f, a) for k, f, a in plan.steps if k == "rename"]
        if kind != "rename" and renames and self.order.index("rename") < self.order.index(kind):
            return str(renames[0][1])
        return name


def _add(blocks: dict[str, Any], kind: str, name: str, arg: Any) -> None:
    if kind == "drop":
        blocks.setdefault("drop", []).append(name)
    else:
        blocks.setdefault(kind, {})[name] = arg


@st.composite
def messages(draw: Any, index: int) -> Message:
    count = draw(st.integers(1, 4))
    plans_ = [draw(plans(index * 10 + i)) for i in range(count)]
    order = draw(st.permutations(KINDS))
    return Message(f"m{index}", plans_, list(order))


@st.composite
def samples(draw: Any, message: Message, held: bool) -> dict[str, Any]:
    """A valid older message; with ``held``, one both versions can hold whole."""
    data: dict[str, Any] = {}
    for plan in message.plans:
        if plan.older is None or (held and plan.droppable):
            continue
        required = plan.older.get("required", True) and "default" not in plan.older
        if not (required or (plan.required_up and held) or draw(st.booleans())):
            continue
        data[plan.name] = draw(plan.held if held and plan.held is not None else plan.values)
    return data


@st.composite
def newer_samples(draw: Any, message: Message) -> dict[str, Any]:
    """A valid newer message (for the way down), from the newer fields' own types."""
    data: dict[str, Any] = {}
    for plan in message.plans:
        for name, spec in plan.newer.items():
            value = _newer_value(draw, spec)
            required = not isinstance(spec, dict) or (
                spec.get("required", True) and "default" not in spec
            )
            if value is not _SKIP and (required or draw(st.booleans())):
                data[name] = value
    return data


_SKIP = object()


def _newer_value(draw: Any, spec: Any) -> Any:
    spec = {"type": spec} if isinstance(spec, str) else spec
    if "fields" in spec:
        return {"inner": draw(_INTS)}
    if "enum" in spec:
        return draw(st.sampled_from(spec["enum"]))
    strategies = {
        "int": _INTS,
        "float": _CENTS,
        "bool": st.booleans(),
        "string": st.text(max_size=spec.get("max_length", 8)),
        "list[string]": st.lists(_TEXT, max_size=2),
    }
    return draw(strategies[spec["type"]])


@st.composite
def registries(draw: Any) -> tuple[list[Message], dict[str, list[Any]]]:
    found = [draw(messages(i)) for i in range(draw(st.integers(1, 3)))]
    batches = {
        m.name: (
            draw(st.lists(samples(m, True), min_size=6, max_size=12)),
            draw(st.lists(samples(m, False), min_size=4, max_size=8)),
            draw(st.lists(newer_samples(m), min_size=4, max_size=8)),
        )
        for m in found
    }
    return found, batches


# --- running the real tool, and both packages --------------------------------------------------


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # the loader refuses anchors and aliases


def _project(root: Path, found: list[Message]) -> Path:
    files = {
        "wiretype.yaml": yaml.safe_dump(
            {
                "python": {"package": "roundtrip_proto", "out": "gen/python"},
                "typescript": {"package": "roundtrip-proto", "out": "gen/typescript"},
            }
        )
    }
    for message in found:
        files[f"schemas/{message.name}.yaml"] = yaml.dump(
            message.definition(), Dumper=_Dumper, sort_keys=False
        )
    return write_tree(root, files)


def _python(root: Path) -> ModuleType:
    for name in [n for n in sys.modules if n.split(".")[0] == "roundtrip_proto"]:
        del sys.modules[name]
    sys.path.insert(0, str(root / "gen" / "python"))
    try:
        import roundtrip_proto
    finally:
        sys.path.remove(str(root / "gen" / "python"))
    return roundtrip_proto


def _python_batch(pkg: ModuleType, batch: list[dict[str, Any]]) -> list[list[Any]]:
    results = []
    for item in batch:
        outputs: list[Any] = []
        try:
            msg = pkg.decode(
                {"type": item["type"], "v": item["v"], "id": "m", "data": item["data"]}
            )
            for to in item["to"]:
                msg = pkg.upgrade(msg, to) if to >= msg.v else pkg.downgrade(msg, to)
                outputs.append(json.loads(pkg.encode(msg)))
        except (pkg.DecodeError, ValueError) as err:
            outputs.append({"error": str(err)})  # the two languages word errors apart
        results.append(outputs)
    return results


def _node_batch(root: Path, batch: list[dict[str, Any]]) -> list[list[Any]]:
    package = root / "gen" / "typescript" / "roundtrip-proto"
    (root / "batch.json").write_text(json.dumps(batch))
    result = subprocess.run(
        ["node", str(TESTS / "ts" / "run_shims.mjs"), str(package), str(root / "batch.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _same(a: Any, b: Any) -> bool:
    """JSON equality as a parsed document sees it: 1 equals 1.0, key order ignored."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and bool(a == b)


def _frame(name: str, v: int, data: dict[str, Any], to: list[int]) -> dict[str, Any]:
    return {"type": name, "v": v, "data": data, "to": to}


def _batch(batches: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    items, roles = [], []
    for name, (held, anything, newer) in batches.items():
        for data in held:
            items.append(_frame(name, 1, data, [1, 2, 1]))
            roles.append("held")
        for data in anything:
            items.append(_frame(name, 1, data, [1, 2]))
            roles.append("up")
        for data in newer:
            items.append(_frame(name, 2, data, [2, 1]))
            roles.append("down")
    return items, roles


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("node") is None:
        pytest.fail("node is not on PATH: the round-trip tests need Node 20")
    return tmp_path_factory.mktemp("roundtrip")


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(registries())
def test_round_trips_of_generated_migrations(
    workdir: Path, drawn: tuple[list[Message], dict[str, Any]]
) -> None:
    found, batches = drawn
    root = workdir / "project"
    shutil.rmtree(root, ignore_errors=True)
    _project(root, found)
    linted = run("lint", "--root", str(root), "--format", "json")
    assert linted.exit_code == 0, linted.stdout  # every drawn migration is well formed
    proved = _proved(run("check", "--root", str(root), "--format", "json").stdout, found)
    assert run("generate", "--root", str(root)).exit_code == 0
    items, roles = _batch(batches)
    pkg = _python(root)
    py = _python_batch(pkg, items)
    node = _node_batch(root, items)
    registry = load_project(load_config(root)).registry
    for item, role, got, ts in zip(items, roles, py, node, strict=True):
        label = json.dumps(item)
        assert _same(_failed(got), _failed(ts)), f"the languages differ: {label}:\n{got}\n{ts}"
        if role == "held":
            assert not any("error" in out for out in got), f"{label}: {got}"
            original, up, back = got[0]["data"], got[1], got[2]
            assert up["v"] == 2
            assert _same(back["data"], original), f"{label}: lost on the way back: {got}"
            continue
        assert "error" not in got[0], f"{label}: a valid message did not decode: {got}"
        assert _same(_failed(got[1:]), _failed([_as_check_runs(pkg, registry, item, got[0])])), (
            f"check runs the steps unlike the shims: {label}: {got}"
        )
        if (item["type"], "backward" if role == "up" else "forward") in proved:
            assert "error" not in got[1], f"check proved it, the shims failed: {label}: {got}"


def _as_check_runs(
    pkg: ModuleType, registry: Registry, item: dict[str, Any], start: dict[str, Any]
) -> Any:
    """The migrated message as check computes it (``registry.check.migrate_run``), decoded."""
    definition = registry.definitions[item["type"]]
    older, newer = definition.versions
    way = "backward" if item["v"] == 1 else "forward"
    data = run_steps(start["data"], steps_between(definition, older, newer, way))
    target = 2 if way == "backward" else 1
    try:
        return json.loads(
            pkg.encode(pkg.decode({"type": item["type"], "v": target, "id": "m", "data": data}))
        )
    except pkg.DecodeError:
        return {"error": True}


def _failed(outputs: list[Any]) -> list[Any]:
    return [{"error": True} if "error" in out else out for out in outputs]


def _proved(report: str, found: list[Message]) -> set[tuple[str, str]]:
    """(message, direction) pairs that check proved: no finding names them."""
    failed = set()
    for finding in json.loads(report)["findings"]:
        for direction in ("backward", "forward"):
            if f"({direction})" in finding["message"]:
                failed.add((finding["subject"].split("@")[0], direction))
    return {(m.name, d) for m in found for d in ("backward", "forward")} - failed


# --- the issue's examples, in both languages ------------------------------------------------------

_PAY = """\
versions:
  1:
    fields:
      cents: int
      password: {type: string, required: false}
      priority: {enum: [low, normal, high, urgent]}
      note: {type: string, max_length: 10}
  2:
    fields:
      dollars: float
      password: string
      priority: {enum: [low, normal, high]}
      note: {type: string, max_length: 4}
    migrate:
      rename: {cents: dollars}
      convert: {dollars: {scale: 0.01}, note: {truncate: 4}}
      defaults: {password: ""}
      values: {priority: {urgent: high}}
"""

_CASES = [  # v1 data, v2 data after upgrade, v1 data after the way back
    (
        {"cents": 57, "password": "secret", "priority": "high", "note": "ok"},
        {"dollars": 0.57, "password": "secret", "priority": "high", "note": "ok"},
        {"cents": 57, "password": "secret", "priority": "high", "note": "ok"},
    ),
    (
        {"cents": 7, "priority": "urgent", "note": "😀😀😀😀😀x"},
        {"dollars": 0.07, "password": "", "priority": "high", "note": "😀😀😀😀"},
        {"cents": 7, "password": "", "priority": "high", "note": "😀😀😀😀"},
    ),
    (
        {"cents": -12345678901, "priority": "low", "note": ""},
        {"dollars": -123456789.01, "password": "", "priority": "low", "note": ""},
        {"cents": -12345678901, "password": "", "priority": "low", "note": ""},
    ),
]


def test_the_issue_examples_in_both_languages(workdir: Path) -> None:
    """rename then convert converts (57 cents are 0.57 dollars, exactly); a password v1 had
    survives the way back; a v1 `high` stays `high` although `urgent` maps onto it; text is
    cut to 4 code points."""
    root = write_tree(
        workdir / "pay",
        {
            "wiretype.yaml": "python: {package: roundtrip_proto, out: gen/python}\n"
            "typescript: {package: roundtrip-proto, out: gen/typescript}\n",
            "schemas/pay.yaml": _PAY,
        },
    )
    assert run("generate", "--root", str(root)).exit_code == 0
    items = [_frame("pay", 1, data, [2, 1]) for data, _, _ in _CASES]
    for got in (_python_batch(_python(root), items), _node_batch(root, items)):
        for (_, up, back), (out_up, out_back) in zip(_CASES, got, strict=True):
            assert out_up["data"] == up
            assert out_back["data"] == back
            assert repr(out_up["data"]["dollars"]) == repr(up["dollars"])  # not 0.5700000000000001
