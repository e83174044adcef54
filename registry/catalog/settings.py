"""The catalogue's entries: the settings (wiretype.yaml, [tool.wiretype])."""

from __future__ import annotations

from registry.catalog.entry import Entry

ENTRIES: tuple[Entry, ...] = (
    # --- settings --------------------------------------------------------------------------------
    Entry(
        "SETTINGS_PYTHON_PACKAGE_INVALID",
        "settings",
        "python.package is not a name Python can import and pip can install.",
        "the generated package installs and imports",
        "python: {package: import}",
        "python: {package: chat_protocol}",
        "use letters, digits and `_`, starting with a letter, and not a keyword",
    ),
    Entry(
        "SETTINGS_PYTHON_PACKAGE_SHADOWS",
        "settings",
        "python.package has the name of a standard or dependency module (warning).",
        "importing the generated package does not hide `json`, `typing` or pydantic",
        "python: {package: json}",
        "python: {package: json_messages}",
        "use a name of its own",
    ),
    Entry(
        "SETTINGS_NPM_PACKAGE_INVALID",
        "settings",
        "typescript.package is not a name npm can publish.",
        "the generated package can be published and installed",
        'typescript: {package: "@Acme/Chat"}',
        'typescript: {package: "@acme/chat"}',
        "use lower-case letters, digits, `-`, `.` and `_`, optionally under one `@scope/`",
    ),
)
