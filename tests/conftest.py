"""Settings every test shares."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def _cache_in_a_tmp_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test, nor any process a test starts, reads or writes the user's cache folder."""
    before = os.environ.get("WIRETYPE_CACHE_DIR")
    os.environ["WIRETYPE_CACHE_DIR"] = str(tmp_path_factory.mktemp("wiretype-cache"))
    yield
    if before is None:
        del os.environ["WIRETYPE_CACHE_DIR"]
    else:
        os.environ["WIRETYPE_CACHE_DIR"] = before
