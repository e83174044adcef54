"""Every id wiretype can print, with what it protects, an example and how to fix it.

One entry per id: the compatibility engine's rules (``registry.compat.rules``) and
every other finding (reading files, definitions, migrations, the lock, ``check
--against``, settings). ``wiretype rules`` lists them by category and ``wiretype
explain ID`` prints one. A test scans the code for ids and fails on one that is
not here, and a snapshot (``tests/catalog_ids.txt``) fails when one is removed or
renamed: ids are forever. An id that is no longer printed stays, marked with what
reports it now (``replaced_by``), and is never reused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from registry.compat.rules import RULES as ENGINE_RULES


@dataclass(frozen=True)
class Entry:
    """One id: a one-line summary, what it protects, a before/after pair and the fix."""

    id: str
    category: str
    summary: str
    protects: str
    before: str
    after: str
    fix: str
    replaced_by: str = ""  # a retired id: the id(s) reported instead

    @property
    def doc(self) -> str:
        """The text of ``wiretype explain``."""
        if self.category == "compatibility":
            example = f"Before (OLD): {self.before}\nAfter  (NEW): {self.after}"
            fix = f"How to evolve safely: {self.fix}"
        else:
            example = f"Before (reported): {self.before}\nAfter  (fixed):    {self.after}"
            fix = f"How to fix: {self.fix}"
        retired = (
            f"Retired: no longer printed; see {self.replaced_by}.\n\n" if self.replaced_by else ""
        )
        return f"{retired}{self.summary}\n\nWhat it protects: {self.protects}\n\n{example}\n\n{fix}"


# (category, heading), in the order `wiretype rules` prints them.
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("compatibility", "Compatibility: the engine's rules of set inclusion"),
    ("file", "Definition files"),
    ("yaml", "YAML"),
    ("definition", "Definitions and versions"),
    ("field", "Fields and types"),
    ("schema", "Raw `schema:` versions"),
    ("migration", "Migrations"),
    ("lock", "The lock (wiretype.lock)"),
    ("ref", "check --against REF"),
    ("settings", "Settings (wiretype.yaml, [tool.wiretype])"),
    ("generate", "`wiretype generate`"),
    ("retired", "Retired ids"),
)

_ENTRIES: dict[str, Entry] = {}

_INCLUSION = (
    "every value one version may send is still accepted by the version that "
    "reads it (closed(writer) ⊆ open(reader)); a break here is a client that "
    "stops understanding the other side"
)


def _add(
    rule_id: str, category: str, summary: str, protects: str, *example: str, replaced_by: str = ""
) -> None:
    """One entry; ``example`` is (before, after, how to fix)."""
    before, after, fix = example
    assert rule_id not in _ENTRIES, rule_id
    _ENTRIES[rule_id] = Entry(rule_id, category, summary, protects, before, after, fix, replaced_by)


for _rule in ENGINE_RULES.values():
    _add(
        _rule.id,
        "compatibility",
        _rule.summary,
        f"{_rule.topic}: {_INCLUSION}",
        _rule.before,
        _rule.after,
        _rule.safely,
    )

# --- definition files ------------------------------------------------------------------------
_add(
    "FILE_TOO_LARGE",
    "file",
    "A definition file is larger than 1 MB.",
    "check's speed, and readers of the registry: nothing that large is one message",
    "schemas/chat/everything.yaml (3 MB)",
    "schemas/chat/sent.yaml, schemas/common/*.yaml",
    "split the message, or move shared parts to `kind: type` files",
)
_add(
    "FILE_UNREADABLE",
    "file",
    "A definition file cannot be read.",
    "the registry is judged whole: a file that cannot be read is never skipped silently",
    "schemas/chat/sent.yaml (mode 000)",
    "schemas/chat/sent.yaml (readable)",
    "check the file's permissions",
)
_add(
    "FILE_NOT_UTF8",
    "file",
    "A definition file is not UTF-8 text.",
    "descriptions and names reach generated code exactly as written",
    "a file saved as Latin-1 (`caf\\xe9`)",
    "the same file saved as UTF-8 (`café`)",
    "save the file as UTF-8",
)
_add(
    "FILE_EMPTY",
    "file",
    "A definition file holds nothing (or only comments).",
    "a file under schemas/ is a definition: an empty one is a mistake, not a message",
    "schemas/chat/sent.yaml: (empty)",
    "versions: {1: {fields: {text: string}}}",
    "write the definition, or delete the file",
)
_add(
    "FILE_NAME_INVALID",
    "file",
    "A file's path is not a legal definition name.",
    "the path is the message's name on the wire and in code",
    "schemas/chat/message-sent.yaml",
    "schemas/chat/message_sent.yaml",
    "use letters, digits and `_` in folder and file names",
)
_add(
    "DEFINITION_DUPLICATE",
    "file",
    "Two files define the same name (.yaml and .yml).",
    "one definition per name: which one would be published?",
    "schemas/chat/sent.yaml and schemas/chat/sent.yml",
    "schemas/chat/sent.yaml",
    "keep one of the two files",
)

# --- YAML ------------------------------------------------------------------------------------
_add(
    "YAML_SYNTAX",
    "yaml",
    "The file is not valid YAML.",
    "a definition must mean one thing to every reader",
    "fields: {counts: {type: map[int]}}",
    'fields: {counts: {type: "map[int]"}}',
    "fix the YAML at the position given; inside `{...}` or `[...]` quote types with "
    'brackets (`"list[string]"`), since `[` starts a YAML list there',
)
_add(
    "YAML_TAB_INDENT",
    "yaml",
    "A line is indented with tabs.",
    "YAML indentation is spaces only; a tab makes the structure unreadable",
    "fields:\\n\\tid: uuid",
    "fields:\\n  id: uuid",
    "replace the tabs at the start of the line with spaces",
)
_add(
    "YAML_AMBIGUOUS_BOOLEAN",
    "yaml",
    "An unquoted yes/no/on/off (or y/n as a value) means true/false in YAML 1.1.",
    "values mean the same to every YAML reader: PyYAML turns `enum: [yes, no]` into "
    "[true, false], YAML 1.2 keeps the text",
    "answer: {enum: [yes, no]}",
    'answer: {enum: ["yes", "no"]}',
    "quote the word for text, or write true/false for a boolean",
)
_add(
    "YAML_DUPLICATE_KEY",
    "yaml",
    "A key is written twice in one mapping.",
    "YAML readers keep one of the two silently; which one differs between tools",
    "fields: {id: uuid, id: string}",
    "fields: {id: uuid}",
    "keep one of the two entries",
)
_add(
    "YAML_ANCHOR",
    "yaml",
    "YAML anchors and aliases are not allowed.",
    "each definition reads on its own (and an alias bomb costs nothing)",
    "a: &x {type: string}\\nb: *x",
    "a: {type: string}\\nb: {type: string}",
    "write the value out, or move it to a shared type (`kind: type`)",
)
_add(
    "YAML_COMPLEX_KEY",
    "yaml",
    "A mapping key is a list or a mapping.",
    "JSON objects have text keys only",
    "? [a, b]\\n: 1",
    "a_b: 1",
    "use a plain key",
)
_add(
    "YAML_MULTIPLE_DOCUMENTS",
    "yaml",
    "A file holds more than one YAML document.",
    "one file, one definition",
    "versions: ...\\n---\\nversions: ...",
    "versions: ...",
    "keep one definition per file",
)
_add(
    "YAML_TOO_DEEP",
    "yaml",
    "Nesting is deeper than 64 levels.",
    "the tools that read definitions (and the generated code) stay within bounds",
    "fields: {a: {fields: {b: {fields: ...}}}} (65 levels)",
    "a shared type per level",
    "flatten the definition or use shared types",
)
_add(
    "YAML_TAG",
    "yaml",
    "A YAML tag or value has no JSON equivalent.",
    "definitions and examples are JSON: every value must be one",
    "default: !!binary aGk=",
    'default: "aGk="',
    "write a plain string, number, true/false or null",
)
_add(
    "YAML_NOT_FINITE",
    "yaml",
    "A number is infinite or NaN.",
    "JSON has no infinity or NaN",
    "maximum: .inf",
    "maximum: 1.0e300",
    "use a finite number, or leave the bound out",
)

# --- definitions and versions ----------------------------------------------------------------
_add(
    "TOP_NOT_MAPPING",
    "definition",
    "A definition file is not a mapping at the top.",
    "a definition is `description:`, `versions:` and the other keys",
    "- versions: ...",
    "versions: ...",
    "start with `description:` and `versions:`",
)
_add(
    "UNKNOWN_KEY",
    "definition",
    "A key that the format does not know.",
    "a misspelt key is never ignored: `feilds:` would silently define nothing",
    "versions: {1: {feilds: {id: uuid}}}",
    "versions: {1: {fields: {id: uuid}}}",
    "use the key the suggestion names; docs/format.md lists every key",
)
_add(
    "KIND_INVALID",
    "definition",
    "`kind` is neither message nor type.",
    "messages are sent and checked; types are shared parts",
    "kind: struct",
    "kind: type",
    "write `kind: message` (the default) or `kind: type`",
)
_add(
    "COMPATIBILITY_INVALID",
    "definition",
    "`compatibility` is not a known mode.",
    "the mode decides what `check` proves",
    "compatibility: strict",
    "compatibility: full",
    "use backward, forward, full, their _transitive forms, or none",
)
_add(
    "DIRECTION_INVALID",
    "definition",
    "`direction` is not a known direction.",
    "the runtime routes messages by direction",
    "direction: up",
    "direction: client_to_server",
    "use client_to_server, server_to_client or both",
)
_add(
    "FLAG_INVALID",
    "definition",
    "A true/false key has another value.",
    "switches mean what they say",
    "allow_unproven: 1",
    "allow_unproven: true",
    "write true or false",
)
_add(
    "DESCRIPTION_NOT_TEXT",
    "definition",
    "`description` is not text.",
    "descriptions become doc comments in generated code",
    "description: [a, b]",
    "description: A chat message was posted.",
    "write the description as text",
)
_add(
    "VERSIONS_MISSING",
    "definition",
    "A definition has no `versions:`.",
    "every message has at least one version",
    "description: A message.",
    "description: A message.\\nversions: {1: {fields: {text: string}}}",
    "add `versions:` with version 1",
)
_add(
    "VERSION_KEY_INVALID",
    "definition",
    "A version key is not a positive whole number.",
    "version numbers go on the wire (`v`) and into class names",
    'versions: {"v1": ...}',
    "versions: {1: ...}",
    "number versions 1, 2, 3, ... unquoted",
)
_add(
    "VERSION_ORDER",
    "definition",
    "Versions are not listed in increasing order.",
    "a file reads from oldest to newest, as migrations do",
    "versions: {2: ..., 1: ...}",
    "versions: {1: ..., 2: ...}",
    "list versions in order",
)
_add(
    "VERSION_NOT_MAPPING",
    "definition",
    "A version is not a mapping.",
    "a version holds `fields:` (or `schema:`) and its other keys",
    "versions: {1: text}",
    "versions: {1: {fields: {text: string}}}",
    "give the version `fields:`",
)
_add(
    "VERSION_BODY",
    "definition",
    "A version has neither or both of `fields` and `schema`.",
    "a version has exactly one shape",
    "1: {fields: {...}, schema: {...}}",
    "1: {fields: {...}}",
    "use `fields:` (the shorthand) or `schema:` (raw JSON Schema)",
)
_add(
    "EXAMPLES_NOT_LIST",
    "definition",
    "`examples` is not a list of messages.",
    "examples are checked against their version and drive the tests",
    "examples: {text: hi}",
    "examples: [{text: hi}]",
    "write `examples:` as a list",
)
_add(
    "CLASS_NAME_INVALID",
    "definition",
    "`class_name` is not a usable class name.",
    "generated code compiles in both languages",
    "class_name: game-chat",
    "class_name: GameChat",
    "use letters and digits starting with a capital, and not a name the generated code "
    "already uses (Envelope, Model, ...)",
)
_add(
    "CLASS_NAME_COLLISION",
    "definition",
    "Two definitions would generate the same class names.",
    "class names depend on a definition alone, so adding one never renames another's "
    "classes; a collision is reported instead of resolved by renaming",
    "schemas/lobby/chat.yaml and schemas/game/chat.yaml (both `Chat`)",
    "class_name: GameChat in schemas/game/chat.yaml",
    "give one of the two its own `class_name:` (usually the newer one)",
)

# --- fields and types ------------------------------------------------------------------------
_add(
    "FIELDS_NOT_MAPPING",
    "field",
    "`fields` is not a mapping of names to types.",
    "each field has a name and a type",
    "fields: [id, text]",
    "fields: {id: uuid, text: string}",
    "write `fields: {name: type, ...}`",
)
_add(
    "FIELD_NAME_INVALID",
    "field",
    "A field name is not a non-empty string.",
    "field names go on the wire as JSON keys",
    "fields: {on: bool}",
    'fields: {"on": bool}',
    "quote the name",
)
_add(
    "FIELD_FORM",
    "field",
    "A field has none or several of type, enum, const, fields, one_of.",
    "a field has one shape",
    "text: {type: string, enum: [a]}",
    "text: {enum: [a]}",
    "keep one of type, enum, const, fields and one_of",
)
_add(
    "FIELD_SENSITIVE_NOT_BOOL",
    "field",
    "`sensitive` is not true or false.",
    "a field meant to be kept out of logs is not logged because of a typo",
    'password: {type: string, sensitive: "yes"}',
    "password: {type: string, sensitive: true}",
    "write true or false",
)
_add(
    "FIELD_REQUIRED_NOT_BOOL",
    "field",
    "`required` is not true or false.",
    "required-ness decides compatibility",
    "note: {type: string, required: maybe}",
    "note: {type: string, required: false}",
    "write true or false",
)
_add(
    "TYPE_INVALID",
    "field",
    "A type is not written as text.",
    "types are names: string, list[T], a shared type",
    "id: 5",
    "id: uuid",
    "write the type's name",
)
_add(
    "TYPE_UNKNOWN",
    "field",
    "A type that is neither built in nor a shared type.",
    "every field has a type the tools know; a deleted shared type is reported at each use",
    "author: common.usr",
    "author: common.user",
    "use a built-in type, list[T], map[T], or the name of a `kind: type` file; restore a "
    "shared type that was deleted",
)
_add(
    "TYPE_VERSION_UNKNOWN",
    "field",
    "A pinned shared type version does not exist.",
    "a pinned reference names a version that is there",
    "author: common.user@3",
    "author: common.user@2",
    "pin a version the shared type has",
)
_add(
    "ENUM_INVALID",
    "field",
    "`enum` is not a non-empty list of plain values.",
    "enums are lists of JSON values",
    "priority: {enum: low}",
    "priority: {enum: [low, high]}",
    "write the values as a list",
)
_add(
    "ENUM_DUPLICATE",
    "field",
    "An enum value is listed twice.",
    "each value once, so that migrations can map it",
    "priority: {enum: [low, low]}",
    "priority: {enum: [low, high]}",
    "remove the repeated value",
)
_add(
    "ONE_OF_INVALID",
    "field",
    "`one_of` does not list two or more shared types.",
    "a union of named shapes that both languages can tell apart",
    "shape: {one_of: [circle]}",
    "shape: {one_of: [geo.circle, geo.square], discriminator: kind}",
    "list two or more `kind: type` names",
)
_add(
    "ONE_OF_DISCRIMINATOR",
    "field",
    "A `one_of` branch lacks the discriminator, or two share its value.",
    "a reader can tell which branch a value is",
    "geo.circle and geo.square both kind: shape",
    "geo.circle: kind: {const: circle}; geo.square: kind: {const: square}",
    "give every branch a required `const` discriminator field with its own value",
)
_add(
    "CONSTRAINT_NOT_APPLICABLE",
    "field",
    "A constraint does not apply to the field's type.",
    "constraints say something about the value",
    "count: {type: int, max_length: 3}",
    "count: {type: int, maximum: 999}",
    "use a constraint of the field's type",
)
_add(
    "CONSTRAINT_INVALID",
    "field",
    "A constraint has a value of the wrong kind.",
    "constraints are checked by every validator",
    "text: {type: string, max_length: -1}",
    "text: {type: string, max_length: 2000}",
    "use the kind of value the hint names",
)
_add(
    "PATTERN_INVALID",
    "field",
    "A pattern is not an ECMA-262 regular expression.",
    "patterns mean the same in Python, TypeScript and JSON Schema (ECMA-262)",
    "code: {type: string, pattern: '(?P<x>a)'}",
    "code: {type: string, pattern: '(?<x>a)'}",
    "write an ECMA-262 regular expression (no Python-only syntax), quoted in YAML",
)
_add(
    "DEFAULT_INVALID",
    "field",
    "A default is rejected by its own field's type.",
    "a reader that fills the default in gets a valid message",
    "priority: {enum: [low, high], default: normal}",
    "priority: {enum: [low, normal, high], default: normal}",
    "change the default, or the field's type",
)
_add(
    "INTEGER_BEYOND_DOUBLE",
    "field",
    "An integer in an example, default, enum or const that a JSON number cannot carry exactly.",
    "both generated packages refuse what a double would round; a definition must not need it",
    "default: 9007199254740993",
    'default: 9007199254740992   # or send it as a string: {type: string, pattern: "^[0-9]+$"}',
    "keep integers within what a double holds exactly (|n| <= 2^53), or send them as strings",
)
_add(
    "EXAMPLE_INVALID",
    "field",
    "An example is rejected by its version.",
    "examples are real messages of their version (tests and shims run on them)",
    "examples: [{text: 5}] with text: string",
    "examples: [{text: hello}]",
    "fix the example or the fields",
)

# --- raw schemas -----------------------------------------------------------------------------
_add(
    "SCHEMA_INVALID",
    "schema",
    "A raw `schema:` is not valid JSON Schema 2020-12.",
    "raw schemas are compared and validated as JSON Schema",
    "schema: {type: text}",
    "schema: {type: string}",
    "fix the keyword at the position given",
)
_add(
    "SCHEMA_REF_OUTSIDE",
    "schema",
    "A `$ref` points outside the registry or at nothing.",
    "a registry is checked on its own; remote references cannot be proved",
    "schema: {$ref: 'https://example.com/user.json'}",
    "schema: {$ref: common.user}",
    "refer to a shared type by name, or to `#/$defs/...` inside the schema",
)
_add(
    "SCHEMA_NOT_GENERATED",
    "schema",
    "A raw schema needs what the generated validators do not implement (lint: a warning; "
    "generate: an error, for every target).",
    "`generate` refuses what its validators cannot check",
    "schema: {unevaluatedProperties: false, ...}",
    "schema: {additionalProperties: false, ...}",
    "write the schema without the keyword if you generate code from the registry",
)

# --- migrations ------------------------------------------------------------------------------
_add(
    "MIGRATE_ON_FIRST",
    "migration",
    "The first version has a `migrate:`.",
    "a migration goes from the version before",
    "1: {fields: ..., migrate: ...}",
    "2: {fields: ..., migrate: ...}",
    "remove `migrate:` from the first version",
)
_add(
    "MIGRATE_INVALID",
    "migration",
    "A migration step is not written as its kind needs.",
    "steps are declarative so both languages can be generated from them",
    "migrate: {rename: [text, body]}",
    "migrate: {rename: {text: body}}",
    "write the step as docs/format.md shows it",
)
_add(
    "MIGRATE_UNKNOWN_FIELD",
    "migration",
    "A step names a field that its version lacks.",
    "a step does what it says to a field that exists",
    "migrate: {rename: {txt: body}}",
    "migrate: {rename: {text: body}}",
    "name a field of the older version (source side) or the newer (target side)",
)
_add(
    "MIGRATE_CONVERTER_UNKNOWN",
    "migration",
    "`convert` names an unknown converter.",
    "converters exist in both generated languages",
    "convert: {count: to_text}",
    "convert: {count: int_to_string}",
    "use one of the converters the hint lists",
)
_add(
    "MIGRATE_CUSTOM_INVALID",
    "migration",
    "A `custom` step lacks its Python or TypeScript function.",
    "both languages convert the same message the same way",
    "custom: {python: shims.up}",
    'custom: {python: "shims:up", typescript: "./shims.js#up"}',
    "give `python: module:function` and `typescript: module#export`",
)
_add(
    "MIGRATE_NO_WAY_DOWN",
    "migration",
    "A step cannot be inverted and `down:` lacks one.",
    "downgrade works wherever upgrade does",
    "migrate: {custom: {...}}",
    "migrate: {custom: {...}, down: {custom: {...}}}",
    "add the way down under `down:`",
)
_add(
    "MIGRATE_STEP_ORDER",
    "migration",
    "A step names a field that is not there at its point in the sequence of steps.",
    "steps run in the order written, each seeing the result of the one before",
    "migrate: {rename: {cents: dollars}, convert: {cents: {scale: 0.01}}}",
    "migrate: {rename: {cents: dollars}, convert: {dollars: {scale: 0.01}}}",
    "name the field as the message has it after the steps before, or reorder the steps",
)
_add(
    "MIGRATE_NAME_TAKEN",
    "migration",
    "A rename or move would overwrite a field the message still has.",
    "no migration silently replaces one field's value with another's",
    "migrate: {rename: {a: b}}   # while b still exists",
    "migrate: {drop: [b], rename: {a: b}}",
    "rename or drop the other field first, or pick a free name",
)
_add(
    "MIGRATE_DROP_LOSES_DATA",
    "migration",
    "A written `drop` removes a field both versions hold, so every migration loses it (warning).",
    "a round trip through the versions keeps what both versions can hold",
    "migrate: {drop: [nick]}   # nick is in v1 and v2",
    "migrate: {}",
    "remove the step: a field both versions hold needs none",
)
_add(
    "MIGRATION_CUSTOM_TRUSTED",
    "migration",
    "A `custom` step is trusted, not proved (warning).",
    "you know which compatibility claims rest on your own code",
    "migrate: {custom: {python: ..., typescript: ...}}",
    "(the same, with tests)",
    "test the custom functions against the examples of both versions",
)

# --- the lock --------------------------------------------------------------------------------
_add(
    "LOCK_INVALID",
    "lock",
    "A line of wiretype.lock cannot be read.",
    "the record of what was published",
    "chat.sent@1 sha256:zz",
    "chat.sent@1 sha256:5f0c…",
    "restore the file from git, then run `wiretype lock`",
)
_add(
    "LOCK_VERSION_CHANGED",
    "lock",
    "A published (locked) version's schema changed.",
    "clients that speak a published version keep working: it never changes",
    "version 1 edited after it was locked (text max_length 2000 -> 100)",
    "version 1 as it was locked, and version 2 with max_length 100",
    "leave the version as it was and add the change as a new version (`wiretype bump`)",
)
_add(
    "LOCK_VERSION_DELETED",
    "lock",
    "A published (locked) version was deleted.",
    "clients may still send a published version",
    "versions: {2: ...} (1 is locked)",
    "versions: {1: ..., 2: ...}",
    "restore it; retire it only when no client speaks it, then `wiretype lock --prune`",
)
_add(
    "LOCK_DEFINITION_DELETED",
    "lock",
    "A published (locked) definition was deleted.",
    "clients may still send a published message",
    "schemas/chat/sent.yaml deleted (chat.sent@1 locked)",
    "schemas/chat/sent.yaml restored",
    "restore the file; retire it with `wiretype lock --prune` once no client speaks it",
)

# --- check --against -------------------------------------------------------------------------
_add(
    "REF_VERSION_CHANGED",
    "ref",
    "A version that exists at the base ref changed.",
    "what shipped stays as it shipped, even if the lock was re-written with --force",
    "chat.sent@1 edited in the pull request",
    "chat.sent@2 added instead",
    "restore the version and add the change as a new one",
)
_add(
    "REF_VERSION_DELETED",
    "ref",
    "A version that exists at the base ref was deleted.",
    "clients that speak it keep working",
    "versions: {2: ...} (1 exists at origin/main)",
    "versions: {1: ..., 2: ...}",
    "restore the version",
)
_add(
    "REF_DEFINITION_DELETED",
    "ref",
    "A definition that exists at the base ref was deleted.",
    "clients that send it keep working",
    "schemas/chat/sent.yaml deleted",
    "schemas/chat/sent.yaml kept",
    "restore the file",
)
_add(
    "REF_COMPATIBILITY_WEAKENED",
    "ref",
    "A message's mode is weakened in the same change that adds a version.",
    "the gate cannot be lowered and passed in one pull request",
    "compatibility: full -> none, and version 3 added",
    "one change lowers the mode; a later one adds version 3",
    "weaken the mode in a change of its own, then add the version",
)

# --- settings --------------------------------------------------------------------------------
_add(
    "SETTINGS_PYTHON_PACKAGE_INVALID",
    "settings",
    "python.package is not a name Python can import and pip can install.",
    "the generated package installs and imports",
    "python: {package: import}",
    "python: {package: chat_protocol}",
    "use letters, digits and `_`, starting with a letter, and not a keyword",
)
_add(
    "SETTINGS_PYTHON_PACKAGE_SHADOWS",
    "settings",
    "python.package has the name of a standard or dependency module (warning).",
    "importing the generated package does not hide `json`, `typing` or pydantic",
    "python: {package: json}",
    "python: {package: json_messages}",
    "use a name of its own",
)
_add(
    "SETTINGS_NPM_PACKAGE_INVALID",
    "settings",
    "typescript.package is not a name npm can publish.",
    "the generated package can be published and installed",
    'typescript: {package: "@Acme/Chat"}',
    'typescript: {package: "@acme/chat"}',
    "use lower-case letters, digits, `-`, `.` and `_`, optionally under one `@scope/`",
)

# --- generate --------------------------------------------------------------------------------
_add(
    "TEMPLATE_INVALID",
    "generate",
    "A template of the --templates folder does not render.",
    "a user's template is the user's code: its mistakes are reported where they are, "
    "and nothing is written until every file of every package renders",
    "{% for f in view.fields %} ... (no {% endfor %})",
    "{% for f in view.fields %} ... {% endfor %}",
    "fix the template at the line given, or remove it to use the built-in one",
)

# --- retired ---------------------------------------------------------------------------------
for _old, _what in (
    ("FIELD_ADDED", "an added field"),
    ("FIELD_REMOVED", "a removed field"),
    ("FIELD_RENAMED", "a renamed field"),
    ("FIELD_WIDENED", "a field that accepts more"),
):
    _add(
        _old,
        "retired",
        f"`wiretype diff` labelled {_what} with this id.",
        "nothing: the label said nothing about compatibility",
        f"diff row: {_what} ... {_old}",
        "diff row: the engine rule that breaks, or `safe`",
        "read the row's verdict and rule: they come from the compatibility engine",
        replaced_by="the compatibility rules in `wiretype diff` rows",
    )

CATALOG: Mapping[str, Entry] = MappingProxyType(_ENTRIES)


def by_category() -> list[tuple[str, list[Entry]]]:
    """(heading, entries sorted by id) per category, in ``CATEGORIES`` order."""
    return [
        (heading, sorted((e for e in CATALOG.values() if e.category == key), key=lambda e: e.id))
        for key, heading in CATEGORIES
    ]


__all__ = ["CATALOG", "CATEGORIES", "Entry", "by_category"]
