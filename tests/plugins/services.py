"""Fixtures: redis_url (the shared Redis, skipped locally and required in CI when it is down),
own_redis (a redis-server of the test's own, which it may kill and start again) and live (a
running hub: gunicorn, a Celery worker, Redis and an SMTP server)."""

from __future__ import annotations

import pytest

from tests.support.environment import REDIS_URL, database_url, redis_available, require_service


@pytest.fixture
def redis_url():
    require_service("Redis", redis_available())
    return REDIS_URL


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own on a free port, started; stopped after the test."""
    from tests.support.redis_server import RedisServer

    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live(tmp_root):
    """A running hub (gunicorn + Celery worker + Redis + SMTP) on a scratch database."""
    from tests.support.live import LiveStack, scratch_database

    require_service("Redis", redis_available())
    folder = tmp_root / "live"
    folder.mkdir()
    stack = LiveStack(scratch_database(database_url(tmp_root), folder), REDIS_URL, folder)
    try:
        stack.start()
    except Exception:
        print(stack.logs())
        stack.stop()
        raise
    yield stack
    stack.stop()
