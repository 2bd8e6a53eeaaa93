"""Fixtures: app (migrated database), db (each test in a rolled-back transaction), client,
login_as(role), make_app (another app on the test database), cached (the page cache on)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import request_started
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy.orm import scoped_session, sessionmaker

from m100hub import create_app
from m100hub.extensions import cache, limiter, socketio
from m100hub.extensions import db as _db
from tests.support import factories
from tests.support.environment import MIGRATIONS, base_config, database_url, reset_database
from tests.support.web import fresh_g, session_identifier


@pytest.fixture(scope="session")
def tmp_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("m100")


@pytest.fixture(scope="session")
def app(tmp_root):
    from flask_migrate import upgrade

    url = database_url(tmp_root)
    reset_database(url)
    application = create_app(base_config(tmp_root, url))
    with application.app_context():
        upgrade(directory=MIGRATIONS)
    request_started.connect(fresh_g, application)
    yield application
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()  # no connection left for the garbage collector to close


@pytest.fixture
def db(app):
    """A session inside a transaction that is rolled back after the test.

    Views' commits become savepoint releases, so every test starts from the migrated state.
    """
    with app.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        original = _db.session
        _db.session = scoped_session(
            scopefunc=_app_ctx_id,
            session_factory=sessionmaker(
                bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=True
            )
        )
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def make_app(app, db, tmp_root):
    """Builds further apps on the test database (another web process, say), then puts back
    the extension objects they share with the session's app (the limiter's storage,
    Socket.IO's server, the page cache's default app, Celery's default app), so that later
    tests see the session's app as it was."""
    shared = (limiter, socketio, cache)
    saved = [dict(vars(extension)) for extension in shared]
    made = []

    def make(**overrides):
        extra = create_app({**base_config(tmp_root, database_url(tmp_root)), **overrides})
        made.append(extra)
        return extra

    try:
        yield make
    finally:
        for extension, attributes in zip(shared, saved, strict=True):
            vars(extension).clear()
            vars(extension).update(attributes)
        main_celery = app.extensions["celery"]
        main_celery.set_current()
        main_celery.set_default()
        for extra in made:
            with extra.app_context():
                for engine in _db.engines.values():
                    engine.dispose()


@pytest.fixture
def client(app, db):
    limiter.reset()
    return app.test_client()


@pytest.fixture
def login_as(client, db):
    """login_as("citizen" | "admin" | "moderator" | "official" | "unconfirmed", user=None)."""

    def login(role: str = "citizen", user=None, client_=None, **kwargs):
        target = client_ or client
        if user is None:
            user = factories.person(role, **kwargs)
        _db.session.commit()
        with target.session_transaction() as sess:
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
            sess["_id"] = session_identifier(target)
        return user

    return login


@pytest.fixture
def cached(app, monkeypatch):
    """The page cache on for 30 seconds (the tests' configuration has it off), and empty."""
    monkeypatch.setitem(app.config, "ANONYMOUS_PAGE_SECONDS", 30)
    with app.app_context():
        cache.clear()
    yield
    with app.app_context():
        cache.clear()
