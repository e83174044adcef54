"""Modes (``registry.mode``): parsed once into directions and transitivity."""

from __future__ import annotations

import pytest

from registry.mode import MODES, NAMES, parse_mode


def test_every_name_parses_to_its_directions() -> None:
    assert NAMES == (
        "backward",
        "forward",
        "full",
        "backward_transitive",
        "forward_transitive",
        "full_transitive",
        "none",
    )
    assert parse_mode("full_transitive") == MODES["full_transitive"]
    assert MODES["full_transitive"].directions == ("backward", "forward")
    assert MODES["full_transitive"].transitive
    assert MODES["none"].directions == ()
    assert MODES["forward_transitive"].one_step is MODES["forward"]
    assert str(MODES["backward"]) == "backward"


@pytest.mark.parametrize("written", ["fulll", "", None, 1, "none_transitive", "FULL"])
def test_anything_else_is_no_mode(written: object) -> None:
    assert parse_mode(written) is None


@pytest.mark.parametrize(
    ("wider", "narrower", "covers"),
    [
        ("full", "backward", True),
        ("backward", "full", False),
        ("full_transitive", "full", True),
        ("full", "full_transitive", False),
        ("backward", "none", True),
        ("none", "forward", False),
        ("none", "none", True),
        ("forward", "backward", False),
    ],
)
def test_covers(wider: str, narrower: str, covers: bool) -> None:
    assert MODES[wider].covers(MODES[narrower]) is covers
