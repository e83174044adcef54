"""Fixtures of the runtime tests: a real redis-server for the whole session (emptied before
each test that uses it), and one of its own for a test that stops and restarts Redis."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.runtime.redis_server import RedisServer


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    redis_server.flush()
    return redis_server.url


@pytest.fixture
def own_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A redis-server with an append-only file, for tests that stop and start it."""
    server = RedisServer(tmp_path_factory.mktemp("redis-own"), appendonly=True)
    server.start()
    yield server
    server.stop()
