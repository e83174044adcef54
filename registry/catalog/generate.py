"""The catalogue's entries: what ``wiretype generate`` reports."""

from __future__ import annotations

from registry.catalog.entry import Entry

ENTRIES: tuple[Entry, ...] = (
    # --- generate --------------------------------------------------------------------------------
    Entry(
        "TEMPLATE_INVALID",
        "generate",
        "A template of the --templates folder does not render.",
        "a user's template is the user's code: its mistakes are reported where they are, "
        "and nothing is written until every file of every package renders",
        "{% for f in view.fields %} ... (no {% endfor %})",
        "{% for f in view.fields %} ... {% endfor %}",
        "fix the template at the line given, or remove it to use the built-in one",
    ),
)
