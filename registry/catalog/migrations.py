"""The catalogue's entries: migrations (`migrate:` and `down:`)."""

from __future__ import annotations

from registry.catalog.entry import Entry

ENTRIES: tuple[Entry, ...] = (
    # --- migrations ------------------------------------------------------------------------------
    Entry(
        "MIGRATE_ON_FIRST",
        "migration",
        "The first version has a `migrate:`.",
        "a migration goes from the version before",
        "1: {fields: ..., migrate: ...}",
        "2: {fields: ..., migrate: ...}",
        "remove `migrate:` from the first version",
    ),
    Entry(
        "MIGRATE_INVALID",
        "migration",
        "A migration step is not written as its kind needs.",
        "steps are declarative so both languages can be generated from them",
        "migrate: {rename: [text, body]}",
        "migrate: {rename: {text: body}}",
        "write the step as docs/format.md shows it",
    ),
    Entry(
        "MIGRATE_UNKNOWN_FIELD",
        "migration",
        "A step names a field that its version lacks.",
        "a step does what it says to a field that exists",
        "migrate: {rename: {txt: body}}",
        "migrate: {rename: {text: body}}",
        "name a field of the older version (source side) or the newer (target side)",
    ),
    Entry(
        "MIGRATE_CONVERTER_UNKNOWN",
        "migration",
        "`convert` names an unknown converter.",
        "converters exist in both generated languages",
        "convert: {count: to_text}",
        "convert: {count: int_to_string}",
        "use one of the converters the hint lists",
    ),
    Entry(
        "MIGRATE_CUSTOM_INVALID",
        "migration",
        "A `custom` step lacks its Python or TypeScript function.",
        "both languages convert the same message the same way",
        "custom: {python: shims.up}",
        'custom: {python: "shims:up", typescript: "./shims.js#up"}',
        "give `python: module:function` and `typescript: module#export`",
    ),
    Entry(
        "MIGRATE_NO_WAY_DOWN",
        "migration",
        "A step cannot be inverted and `down:` lacks one.",
        "downgrade works wherever upgrade does",
        "migrate: {custom: {...}}",
        "migrate: {custom: {...}, down: {custom: {...}}}",
        "add the way down under `down:`",
    ),
    Entry(
        "MIGRATE_STEP_ORDER",
        "migration",
        "A step names a field that is not there at its point in the sequence of steps.",
        "steps run in the order written, each seeing the result of the one before",
        "migrate: {rename: {cents: dollars}, convert: {cents: {scale: 0.01}}}",
        "migrate: {rename: {cents: dollars}, convert: {dollars: {scale: 0.01}}}",
        "name the field as the message has it after the steps before, or reorder the steps",
    ),
    Entry(
        "MIGRATE_NAME_TAKEN",
        "migration",
        "A rename or move would overwrite a field the message still has.",
        "no migration silently replaces one field's value with another's",
        "migrate: {rename: {a: b}}   # while b still exists",
        "migrate: {drop: [b], rename: {a: b}}",
        "rename or drop the other field first, or pick a free name",
    ),
    Entry(
        "MIGRATE_DROP_LOSES_DATA",
        "migration",
        "A written `drop` removes a field both versions hold, so every migration loses it "
        "(warning).",
        "a round trip through the versions keeps what both versions can hold",
        "migrate: {drop: [nick]}   # nick is in v1 and v2",
        "migrate: {}",
        "remove the step: a field both versions hold needs none",
    ),
    Entry(
        "MIGRATION_CUSTOM_TRUSTED",
        "migration",
        "A `custom` step is trusted, not proved (warning).",
        "you know which compatibility claims rest on your own code",
        "migrate: {custom: {python: ..., typescript: ...}}",
        "(the same, with tests)",
        "test the custom functions against the examples of both versions",
    ),
)
