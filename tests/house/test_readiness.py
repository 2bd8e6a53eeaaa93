"""/healthz says the process runs; /readyz says whether a load balancer may send it requests:
the database answers, Redis answers when the hub uses it, the migrations are at head."""

from __future__ import annotations

import socket
import time

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import Engine, event, text

from m100hub import create_app
from m100hub.extensions import db
from m100hub.main.readiness import CHECK_SECONDS
from tests.support.environment import (
    ROOT,
    base_config,
    scratch_database,
)
from tests.support.live import free_port

MIGRATIONS = str(ROOT / "migrations")


@pytest.fixture(autouse=True)
def in_the_checkout(monkeypatch):
    """Like `flask db upgrade`, readiness reads the migration scripts of the working folder."""
    monkeypatch.chdir(ROOT)


@pytest.fixture
def statements():
    """Every SQL statement any engine sends while the test runs."""
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    yield seen
    event.remove(Engine, "before_cursor_execute", record)


def other_app(tmp_path, url: str):
    return create_app(base_config(tmp_path, url))


def test_ready_when_the_database_answers_and_is_migrated(client, statements):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {
        "database": "ok", "migrations": "ok", "redis": "not used"}}
    assert response.headers["Cache-Control"] == "no-store"
    assert statements, "the database was not asked"
    assert all(s.lstrip().upper().startswith(("SELECT", "BEGIN DEFERRED")) for s in statements), (
        f"readiness must only read: {statements}")


def test_not_ready_when_the_database_is_unreachable_while_alive(tmp_path):
    app = other_app(tmp_path, f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none")
    client = app.test_client()
    alive = client.get("/healthz")
    assert alive.status_code == 200 and alive.json == {"status": "ok"}
    assert alive.headers["Cache-Control"] == "no-store"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["checks"]["database"].startswith("unreachable")
    assert response.json["checks"]["migrations"] == "not checked"
    assert response.headers["Cache-Control"] == "no-store"


def test_not_ready_while_redis_is_down_and_ready_again_when_it_answers(
        app, client, own_redis, monkeypatch):
    monkeypatch.setitem(app.config, "USE_REDIS", True)
    monkeypatch.setitem(app.config, "REDIS_URL", own_redis.url)
    assert client.get("/readyz").json["checks"]["redis"] == "ok"

    own_redis.kill()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["redis"].startswith("unreachable")
    assert response.json["checks"]["database"] == "ok"

    own_redis.start()
    assert client.get("/readyz").status_code == 200


def test_a_redis_that_never_answers_fails_the_probe_in_time(app, client, monkeypatch):
    with socket.socket() as silent:  # accepts connections (the backlog) and never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        monkeypatch.setitem(app.config, "USE_REDIS", True)
        monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
        started = time.monotonic()
        response = client.get("/readyz")
        waited = time.monotonic() - started
    assert response.status_code == 503
    assert response.json["checks"]["redis"] == f"no answer within {CHECK_SECONDS:g} s"
    assert waited < CHECK_SECONDS + 1.5


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_not_ready_until_the_migrations_reach_this_releases_head(backend, tmp_path, statements):
    scripts = ScriptDirectory(MIGRATIONS)
    head = scripts.get_current_head()
    previous = scripts.get_revision(head).down_revision
    app = other_app(tmp_path, scratch_database(backend, tmp_path, "readiness"))
    client = app.test_client()
    try:
        with app.app_context():
            upgrade(directory=MIGRATIONS, revision=previous)
        statements.clear()
        behind = client.get("/readyz")
        assert behind.status_code == 503
        assert behind.json["checks"] == {
            "database": "ok", "redis": "not used",
            "migrations": f"database at {previous}, scripts at {head}"}
        assert all(s.lstrip().upper().startswith(("SELECT", "BEGIN DEFERRED"))
                   for s in statements), statements

        with app.app_context():
            upgrade(directory=MIGRATIONS)
        assert client.get("/readyz").status_code == 200

        # the next release migrated; this one serves until it is restarted
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '9999_next'"))
        ahead = client.get("/readyz")
        assert ahead.status_code == 200
        assert ahead.json["checks"]["migrations"] == (
            "ok (database at 9999_next, newer than these scripts)")
    finally:
        with app.app_context():
            db.engine.dispose()

