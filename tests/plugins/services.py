"""Fixtures: redis_url (the shared Redis, skipped locally and required in CI when it is down),
own_redis (a redis-server of the test's own, which it may kill and start again),
hub_on_own_redis (gunicorn web processes using it) and live (a running hub: gunicorn, a
Celery worker, Redis and an SMTP server)."""

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


@pytest.fixture
def hub_on_own_redis(own_redis, tmp_path):
    """``start(processes=1, ready="/readyz", **settings)``: gunicorn web processes (no worker,
    no demo data) on a scratch database, using ``own_redis``, with ``settings`` in their
    environment; each process once ``ready`` answers. Stopped after the test."""
    from tests.support.environment import scratch_database
    from tests.support.live import LiveStack

    stacks = []

    def start(processes: int = 1, ready: str = "/readyz", **settings: str):
        backend = "postgresql" if database_url(tmp_path).startswith("postgresql") else "sqlite"
        folder = tmp_path / f"hub{len(stacks)}"
        folder.mkdir()
        stack = LiveStack(scratch_database(backend, tmp_path, "outage"), own_redis.url, folder,
                          settings)
        stacks.append(stack)
        try:
            stack.start(worker=False, demo=False, ready=ready)
            for _ in range(processes - 1):
                stack.add_web_process(ready=ready)
        except Exception:
            print(stack.logs())
            raise
        return stack

    yield start
    for stack in stacks:
        stack.stop()


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
