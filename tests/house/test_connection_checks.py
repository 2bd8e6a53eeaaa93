"""Pooled PostgreSQL connections are checked before use without a round trip per request
(database.watch_connections): a connection the server ended is replaced before anyone uses
it, one idle for long is pinged, and a healthy busy one is given out as it is."""

from __future__ import annotations

import os
import time

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import QueuePool

from m100hub import database
from tests.support.environment import require_service

URL = os.environ.get("TEST_DATABASE_URL", "")


@pytest.fixture
def engine(monkeypatch):
    require_service("PostgreSQL (TEST_DATABASE_URL)", URL.startswith("postgresql"))
    made = create_engine(URL, poolclass=QueuePool, pool_size=1, max_overflow=0)
    database.watch_connections(made)
    pings = []
    ping = made.dialect.do_ping

    def counted(dbapi_connection):  # the real ping, counted
        pings.append(dbapi_connection)
        return ping(dbapi_connection)

    monkeypatch.setattr(made.dialect, "do_ping", counted)
    made.pings = pings  # type: ignore[attr-defined]
    yield made
    made.dispose()


def _backend(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _end(pid: int) -> None:
    """Another session ends the connection's server process (as a restart would)."""
    with psycopg.connect(URL.replace("postgresql+psycopg://", "postgresql://"),
                         autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]
    time.sleep(0.3)  # the server's goodbye reaches the socket


def test_a_busy_healthy_connection_is_not_pinged(engine):
    first = _backend(engine)
    assert [_backend(engine) for _ in range(5)] == [first] * 5
    assert engine.pings == []


def test_a_connection_the_server_ended_is_replaced_before_use(engine):
    first = _backend(engine)
    _end(first)
    second = _backend(engine)  # no error: checked, found dead, replaced
    assert second != first
    assert len(engine.pings) == 1
    assert _backend(engine) == second and len(engine.pings) == 1


def test_a_connection_idle_for_long_is_pinged(engine, monkeypatch):
    first = _backend(engine)
    monkeypatch.setattr(database, "PING_IDLE_SECONDS", 0.0)
    assert _backend(engine) == first
    assert len(engine.pings) == 1
