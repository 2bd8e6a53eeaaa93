"""The embedded SQLite database lets one writer at a time: a write that cannot get the lock
in time answers 503 with Retry-After and a clear page, never a 500 (issue 12 #8)."""

from __future__ import annotations

import sqlite3

import pytest
from flask_migrate import upgrade

from m100hub import create_app, database
from m100hub.accounts.models import User
from m100hub.extensions import db
from tests.support.environment import MIGRATIONS, base_config


@pytest.mark.parametrize("language, words", [("ro", "nu s-a salvat nimic"),
                                             ("en", "nothing was saved")])
def test_a_write_that_waits_too_long_for_the_lock_is_a_503(tmp_path, monkeypatch, language,
                                                            words):
    path = tmp_path / "busy.sqlite3"
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 100)
    app = create_app(base_config(tmp_path, f"sqlite:///{path}"))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        response = app.test_client().post("/signup", headers={"Accept-Language": language},
                                          data={"display_name": "Ana Pop",
                                                "email": "ana.pop@example.ro",
                                                "password": "verde-si-curat-2035",
                                                "confirm": "verde-si-curat-2035",
                                                "sector": "citizen", "locale": language,
                                                "accept": "y"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert words in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(User).count() == 0
        db.session.remove()
        db.engine.dispose()


def test_any_other_database_error_stays_a_logged_500(tmp_path):
    """Only SQLite's busy lock becomes a 503: another database error is not swallowed by that
    handler (in the tests it is raised; in production it is logged and answered 500)."""
    from sqlalchemy.exc import OperationalError

    app = create_app(base_config(tmp_path, f"sqlite:///{tmp_path / 'other.sqlite3'}"))

    def broken():
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    app.add_url_rule("/broken", "broken", broken)
    with pytest.raises(OperationalError):
        app.test_client().get("/broken")


@pytest.mark.parametrize("language, words", [("ro", "nu s-a salvat nimic"),
                                             ("en", "nothing was saved")])
def test_a_database_that_cannot_be_reached_is_a_503_not_a_500(tmp_path, language, words):
    """PostgreSQL stopped or restarting: pages and writes answer 503 with Retry-After (a load
    balancer or a person may try again), for visitors and for signed-in people alike."""
    from tests.plugins.app import session_identifier
    from tests.support.live import free_port

    nowhere = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/m100"  # nothing listens
    app = create_app({**base_config(tmp_path, nowhere), "ANONYMOUS_PAGE_SECONDS": 0})
    client = app.test_client()
    signing_in = {"email": "ana@example.ro", "password": "verde-si-curat-2035"}
    for method, path in (("get", "/"), ("get", "/consultations"), ("post", "/login")):
        response = getattr(client, method)(path, headers={"Accept-Language": language},
                                           data=signing_in if method == "post" else None)
        assert response.status_code == 503, path
        assert int(response.headers["Retry-After"]) > 0
        assert words in response.get_data(as_text=True)
    with client.session_transaction() as session:  # a signed-in person's next page
        session["_user_id"] = "1:a-session-token"
        session["_fresh"] = True
        session["_id"] = session_identifier(client)
    response = client.get("/notifications", headers={"Accept-Language": language})
    assert response.status_code == 503


def test_other_database_errors_stay_errors(app, db):
    """A mistake in a query is no outage: it is raised (and logged as a 500), not hidden."""
    from sqlalchemy import text
    from sqlalchemy.exc import ProgrammingError

    with app.test_request_context(), pytest.raises(ProgrammingError):
        db.session.execute(text("SELECT * FROM no_such_table"))


def test_a_connection_lost_after_the_answer_was_made_does_not_turn_it_into_a_500(tmp_path):
    """PostgreSQL stopping while a request is in flight: the page was made, then closing the
    session rolls back over the dead connection. That failure is the database's, after the
    fact: the answer stands, and the next request gets a fresh connection (issue 12)."""
    from sqlalchemy import create_engine, text

    from tests.support.environment import scratch_database

    url = scratch_database("postgresql", tmp_path, "lost_in_flight")
    app = create_app({**base_config(tmp_path, url), "ANONYMOUS_PAGE_SECONDS": 0})
    admin = create_engine(url, isolation_level="AUTOCOMMIT")

    def answered_then_cut_off():
        backend = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        with admin.connect() as connection:  # an administrator's shutdown of this backend
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        return "answered"

    def still_there():
        return str(db.session.execute(text("SELECT 1")).scalar())

    app.add_url_rule("/cut-off", "cut_off", answered_then_cut_off)
    app.add_url_rule("/still-there", "still_there", still_there)
    client = app.test_client()
    try:
        response = client.get("/cut-off")
        assert (response.status_code, response.get_data(as_text=True)) == (200, "answered")
        again = client.get("/still-there")
        assert (again.status_code, again.get_data(as_text=True)) == (200, "1")
    finally:
        admin.dispose()
        with app.app_context():
            db.engine.dispose()
