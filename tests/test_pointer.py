"""JSON-pointer tokens (``registry.json.pointer``): the one place that reads ``~0`` and ``~1``."""

from __future__ import annotations

import pytest

from registry.json.pointer import escape, tokens, unescape


@pytest.mark.parametrize(
    ("token", "key"),
    [("a~1b", "a/b"), ("a~0b", "a~b"), ("~01", "~1"), ("~10", "/0"), ("plain", "plain")],
)
def test_unescape_reads_tilde_one_before_tilde_zero(token: str, key: str) -> None:
    assert unescape(token) == key
    assert escape(key) == token


def test_tokens_of_a_path() -> None:
    assert tokens("/properties/a~1b/maxLength") == ["properties", "a/b", "maxLength"]
    assert tokens("") == [""]
