"""GET and HEAD requests only read in their first transaction; on PostgreSQL without one.

The first tests use the real engine on a scratch database (SQLite, and PostgreSQL when
configured: always in CI): what the driver's connection was doing at each statement, and that
a pooled connection goes back to ordinary transactions. The last ones use the session's
rolled-back transaction and check the rule: a write during a GET needs begin_write() first.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import g
from flask_migrate import upgrade
from sqlalchemy import event, select, text, update

from m100hub import create_app
from m100hub.accounts.models import User
from m100hub.database import READING, WriteWhileReading, begin_write, commit
from m100hub.extensions import db
from m100hub.forums.models import ReadMarker

from . import factories
from . import forum_factories as ff
from .conftest import (
    base_config,
    scratch_database,
    session_identifier,
)

MIGRATIONS = str(Path(__file__).parent.parent / "migrations")


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch(request, tmp_path):
    """(app, thread id, reader id) on a migrated scratch database with committed rows."""
    yield from scratch_app(request.param, tmp_path)


@pytest.fixture
def postgresql_scratch(tmp_path):
    yield from scratch_app("postgresql", tmp_path)


def scratch_app(kind: str, tmp_path):
    app = create_app(base_config(tmp_path, scratch_database(kind, tmp_path, "reads")))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
    with app.test_request_context(method="POST"):
        thread = ff.thread(factories.user(name="Autoarea"), title="Citiri fără tranzacție")
        ff.replies(thread, 3)
        reader = factories.user(name="Cititoarea")
        ids = thread.id, reader.id
        commit()
        db.session.remove()
    yield app, *ids
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def statements(app):
    """(SQL, the driver connection's autocommit flag or None on SQLite) of each statement."""
    seen = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, sql, *args):
        driver = conn.connection.driver_connection
        words = sql.split()
        verb = " ".join(words[:2]) if words[0] == "BEGIN" else words[0].upper()
        seen.append((verb, getattr(driver, "autocommit", None)))

    event.listen(engine, "before_cursor_execute", record)
    return seen


def test_an_anonymous_get_reads_outside_any_transaction_on_postgresql(scratch):
    """SQLite: in a deferred transaction, which takes no lock until it reads."""
    app, thread_id, _ = scratch
    seen = statements(app)
    client = app.test_client()
    for _ in range(2):  # a cache miss, then a hit
        response = client.get(f"/forums/t/{thread_id}")
        assert response.status_code == 200
        assert "Citiri fără tranzacție" in response.get_data(as_text=True)
    postgresql = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    expected = {("SELECT", True)} if postgresql else {("BEGIN DEFERRED", None), ("SELECT", None)}
    assert set(seen) == expected, seen
    # The pooled connection goes back to ordinary transactions for whoever takes it next.
    with app.app_context(), db.engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert getattr(driver, "autocommit", False) is False


def test_a_signed_in_get_writes_its_read_marker_in_a_transaction(scratch):
    app, thread_id, reader_id = scratch
    client = app.test_client()
    with app.app_context():
        reader = db.session.get(User, reader_id)
        user_id = reader.get_id()
        db.session.remove()
    with client.session_transaction() as sess:
        sess.update(_user_id=user_id, _fresh=True, _id=session_identifier(client))
    seen = statements(app)
    assert client.get(f"/forums/t/{thread_id}").status_code == 200
    writes = [flag for verb, flag in seen if verb in ("INSERT", "UPDATE")]
    assert writes and all(flag in (False, None) for flag in writes), seen
    with app.app_context():
        marker = db.session.get(ReadMarker, (reader_id, thread_id))
        assert marker is not None and marker.last_read_number == 4  # saved: committed
        db.session.remove()


def test_after_a_get_a_post_in_the_same_app_context_is_a_transaction(scratch):
    """A session that outlives the request (a script's app context) gives its reading
    connection back when the request ends."""
    app, thread_id, _ = scratch
    client = app.test_client()
    with app.app_context():
        assert client.get(f"/forums/t/{thread_id}").status_code == 200
        seen = statements(app)
        assert client.post("/login", data={
            "email": "nimeni@example.ro", "password": "o-parola-gresita-2035"}).status_code == 200
        assert seen and all(flag in (False, None) for _, flag in seen), seen


def test_a_get_keeps_the_work_of_a_session_that_outlives_it(scratch):
    """A script's app context with a pending write: a GET in it reads that transaction,
    and leaves it to the script to commit."""
    app, thread_id, _ = scratch
    client = app.test_client()
    with app.app_context():
        with app.test_request_context(method="POST"):
            factories.user(name="Scrisă de script", email="script@example.ro")
        assert client.get(f"/forums/t/{thread_id}").status_code == 200
        commit()
        assert db.session.scalar(select(User.id).where(User.email == "script@example.ro"))
        db.session.remove()


def test_any_write_on_a_reading_connection_is_refused(postgresql_scratch):
    """On PostgreSQL the reading connection refuses writes and locks in any form: text SQL,
    Core statements, driver SQL."""
    app, thread_id, reader_id = postgresql_scratch
    with app.test_request_context(f"/forums/t/{thread_id}", method="GET"):
        app.preprocess_request()
        assert db.session.scalar(select(User.display_name).where(User.id == reader_id))
        connection = db.session.connection()
        for sql in ("UPDATE users SET bio = 'scris'",
                    "DELETE FROM forum_read_markers",
                    "SELECT 1 FROM users FOR UPDATE",
                    "select 1 from users\nfor update",
                    "SELECT 1 FROM users FOR NO KEY UPDATE",
                    "SELECT 1 FROM users FOR KEY SHARE",
                    "WITH changed AS (UPDATE users SET bio = 'scris' RETURNING id) "
                    "SELECT count(*) FROM changed",
                    "EXPLAIN ANALYZE UPDATE users SET bio = 'scris'",
                    "/* a comment */ UPDATE users SET bio = 'scris'"):
            with pytest.raises(WriteWhileReading):
                connection.exec_driver_sql(sql)
        for write in (lambda: db.session.execute(text("UPDATE users SET bio = 'scris'")),
                      lambda: connection.execute(update(User.__table__).values(bio="scris")),
                      lambda: db.session.scalar(select(User).with_for_update(key_share=True))):
            with pytest.raises(WriteWhileReading):
                write()
        # reads in other shapes pass: a union of ordered parts, a leading comment, lower case
        assert connection.exec_driver_sql(
            "(SELECT id FROM users ORDER BY id LIMIT 1) UNION (SELECT id FROM users LIMIT 1)"
        ).all()
        assert connection.exec_driver_sql("/* who */ select id from users").all()
        assert connection.exec_driver_sql(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3) "
            "SELECT count(*) FROM n").scalar() == 3
    with app.app_context():
        assert db.session.scalar(select(User.bio).where(User.id == reader_id)) == ""
        db.session.remove()


def test_a_post_request_is_an_ordinary_transaction(scratch):
    app, _, _ = scratch
    seen = statements(app)
    response = app.test_client().post("/login", data={
        "email": "nimeni@example.ro", "password": "o-parola-gresita-2035"})
    assert response.status_code == 200  # the form again, with its message
    assert seen and all(flag in (False, None) for _, flag in seen), seen


# --- the rule, in the session's rolled-back transaction -------------------------------------


@pytest.fixture
def reading(app, db):
    """A GET request's context, before-request work done, its first query made."""
    with app.test_request_context("/forums", method="GET"):
        app.preprocess_request()
        db.session.scalar(select(User.id).limit(1))
        assert db.session.info.get(READING)
        yield
        db.session.rollback()


def test_a_get_that_adds_a_row_without_begin_write_is_refused(reading):
    with pytest.raises(WriteWhileReading):
        factories.user(name="Scrisă la citire")


def test_a_get_that_updates_or_locks_without_begin_write_is_refused(reading):
    with pytest.raises(WriteWhileReading):
        db.session.execute(update(User).values(bio="scris la citire"))
    with pytest.raises(WriteWhileReading):
        db.session.scalar(select(User).limit(1).with_for_update())


def test_a_get_that_opens_a_savepoint_without_begin_write_is_refused(reading):
    with pytest.raises(WriteWhileReading):
        db.session.begin_nested()


def test_after_a_commit_a_get_still_only_reads(reading):
    commit()
    db.session.scalar(select(User.id).limit(1))
    with pytest.raises(WriteWhileReading):
        factories.user(name="Scrisă după un commit")


def test_begin_write_as_the_first_thing_a_get_does(app, db):
    with app.test_request_context("/forums", method="GET"):
        app.preprocess_request()
        begin_write()
        assert not db.session.info.get(READING)
        assert factories.user(name="Scrisă întâi").id is not None


def test_begin_write_ends_the_reads_and_the_write_goes_through(reading):
    begin_write()
    assert not db.session.info.get(READING)
    user = factories.user(name="Scrisă după begin_write")
    assert user.id is not None
    assert "m100_reads_only" not in g


def test_a_session_that_outlives_the_request_writes_after_it(app, db, client):
    """A test's session: the GET's rule ends with the request."""
    factories.user(name="Înainte")
    assert client.get("/forums").status_code == 200
    assert not db.session.info.get(READING)
    factories.user(name="După")  # no error


def test_reading_is_not_applied_to_a_post(app, db):
    with app.test_request_context("/login", method="POST"):
        app.preprocess_request()
        db.session.scalar(select(User.id).limit(1))
        assert not db.session.info.get(READING)
        factories.user(name="Scrisă la POST")
