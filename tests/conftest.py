"""Fixtures: app (migrated database), db (each test in a rolled-back transaction), client,
login_as(role), count_queries, outbox, make_app (another app on the test database), and
factories in tests/factories.py.

TEST_DATABASE_URL selects the database (PostgreSQL in CI); SQLite in a temporary folder
otherwise. Under CI=true a missing PostgreSQL, Redis or Chromium fails instead of skipping.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from email import message_from_bytes, policy
from functools import wraps
from hashlib import sha512
from pathlib import Path

import pytest
from flask import current_app, g, has_request_context, request, request_started
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import scoped_session, sessionmaker

from m100hub import create_app
from m100hub.extensions import cache, limiter, socketio
from m100hub.extensions import db as _db

from . import factories

IN_CI = os.environ.get("CI") == "true"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def database_url(tmp_root: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    if IN_CI:
        raise RuntimeError("CI=true needs TEST_DATABASE_URL (PostgreSQL)")
    return f"sqlite:///{tmp_root / 'test.sqlite3'}"


def scratch_postgresql(test_url: str, suffix: str) -> str:
    """A fresh PostgreSQL database beside the session's, named after it.

    Named after the session database, so that two test runs on one machine (each with its
    own ``TEST_DATABASE_URL``) never drop each other's scratch databases.
    """
    base, _, name = test_url.rpartition("/")
    scratch = f"{name}_{suffix}"
    admin = create_engine(test_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
            {"n": scratch},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}"'))
        conn.execute(text(f'CREATE DATABASE "{scratch}"'))
    admin.dispose()
    return f"{base}/{scratch}"


def scratch_database(backend: str, tmp_path: Path, name: str) -> str:
    """A database of its own for a test whose threads or apps commit: a SQLite file in
    ``tmp_path``, or (backend "postgresql") a fresh PostgreSQL database beside the session's,
    named after ``name`` — required in CI."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
    main = database_url(tmp_path)
    require_service("PostgreSQL (TEST_DATABASE_URL)", main.startswith("postgresql"))
    return scratch_postgresql(main, name)


def reset_database(url: str) -> None:
    """An empty database: the schema comes from the migrations, as in production."""
    if not url.startswith("postgresql"):
        return
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def base_config(tmp_root: Path, url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": url,
        "USE_REDIS": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_SERVER": "",
        "MAIL_OUTBOX_DIR": str(tmp_root / "outbox"),
        "WTF_CSRF_ENABLED": False,
        # every page rendered (test_page_cache turns the cache on)
        "ANONYMOUS_PAGE_SECONDS": 0,
        "BASE_URL": "http://localhost",
        "SERVER_NAME": None,
    }


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
        upgrade(directory=str(Path(__file__).parent.parent / "migrations"))
    request_started.connect(fresh_g, application)
    yield application
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()  # no connection left for the garbage collector to close


def fresh_g(sender, **extra):
    """Each request gets an empty ``g``, as in production.

    A test keeps one app context open (for its database session), and Flask reuses an open
    app context for requests, so without this ``g`` (the signed-in user, the locale) would
    leak from one request of a test into the next.
    """
    for key in list(vars(g)):
        delattr(g, key)


# --- a GET never writes --------------------------------------------------------------------
# Checked in every test, not in production: any INSERT, UPDATE or DELETE (ORM, Core or text)
# or row lock (with_for_update) that a GET or HEAD request sends fails the test.
#: the one write a GET may make: a signed-in reader's read marker, on the thread page
GET_MAY_WRITE = {"forums.thread": "forum_read_markers"}
_READING = "m100.tests.reading"
_writes_in_gets: list[str] = []


@request_started.connect
def _reading_request(sender, **extra):
    """From here to the response, a GET or HEAD request may only read (a request of the test
    client; a test_request_context() that builds data is not one)."""
    request.environ[_READING] = request.method in ("GET", "HEAD")


@event.listens_for(Engine, "before_cursor_execute")
def _a_get_never_writes(conn, cursor, statement, parameters, context, executemany):
    if not has_request_context() or not request.environ.get(_READING):
        return
    compiled = getattr(getattr(context, "compiled", None), "statement", None)
    locks = getattr(compiled, "_for_update_arg", None) is not None
    verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
    writes = getattr(context, "isinsert", False) or getattr(context, "isupdate", False) \
        or getattr(context, "isdelete", False) or verb in ("INSERT", "UPDATE", "DELETE")
    if not (writes or locks):
        return
    table = getattr(getattr(compiled, "table", None), "name", None)
    if writes and table is not None and GET_MAY_WRITE.get(request.endpoint) == table:
        return
    _writes_in_gets.append(f"{request.method} {request.path}: {statement}")
    raise AssertionError(f"a GET writes or locks ({request.path}): {statement}")


@pytest.fixture(autouse=True)
def writes_in_gets():
    """Fails the test whose GET or HEAD request wrote, also when something caught the error
    (a test of the check itself empties the list)."""
    _writes_in_gets.clear()
    yield _writes_in_gets
    assert not _writes_in_gets, _writes_in_gets


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
def outbox(app):
    """Messages written to the outbox folder during the test, parsed."""
    folder = Path(app.config["MAIL_OUTBOX_DIR"])
    shutil.rmtree(folder, ignore_errors=True)

    def read():
        if not folder.exists():
            return []
        return [
            message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(folder.glob("*.eml"))
        ]

    return read


def session_identifier(client) -> str:
    """What Flask-Login's strong session protection expects for this test client."""
    agent = client.environ_base.get("HTTP_USER_AGENT")
    addr = client.environ_base.get("REMOTE_ADDR", "127.0.0.1")
    base = f"{addr.encode()}|{agent.encode() if agent else None}"
    return sha512(base.encode("utf8")).hexdigest()


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


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __repr__(self):
        return f"<{self.count} queries>\n" + "\n".join(self.statements)


@pytest.fixture
def count_queries(db):
    @contextmanager
    def counting():
        counter = QueryCounter()
        engine = _db.engine

        def before(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                counter.statements.append(statement)

        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


def require_service(name: str, available: bool) -> None:
    """Skip locally, fail in CI."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{name} is required under CI=true but is not available")
    pytest.skip(f"{name} is not available")


def redis_available(url: str = REDIS_URL) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except (redis.RedisError, OSError):
        return False


@pytest.fixture
def redis_url():
    require_service("Redis", redis_available())
    return REDIS_URL


@pytest.fixture(scope="session")
def live(tmp_root):
    """A running hub (gunicorn + Celery worker + Redis + SMTP) on a scratch database."""
    from .live import LiveStack, scratch_database

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


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    require_service("Chromium", CHROMIUM.exists())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live):
    """A fresh browser context (no cookies) on the live hub; every page it visits is checked
    with axe (WCAG 2.1 AA) by tests.browser.Visitor."""
    context = browser.new_context(base_url=live.url, bypass_csp=False, locale="ro-RO")
    context.set_default_timeout(15000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def measure(client, db, count_queries):
    """GET ``url`` once to warm up, then once counting its SQL statements (English pages).

    ``marker`` must occur at least ``rows`` times in the page: proof that the rows built for
    this size are really listed (a flat count over an empty page would prove nothing). The
    counter also keeps the page's ``text``."""

    def run(url: str, marker: str, rows: int):
        client.set_cookie("lang", "en")
        db.session.commit()
        db.session.expunge_all()
        assert client.get(url).status_code == 200, url
        db.session.expunge_all()
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200, url
        counter.text = response.get_data(as_text=True)
        listed = counter.text.count(marker)
        assert listed >= rows, f"{url}: {listed} x {marker!r}, expected {rows}"
        return counter

    return run


def in_request(build):
    """A test-data builder that runs in a request context (services build links with
    url_for, e.g. for @mentions and notifications)."""

    @wraps(build)
    def wrapper(*args, **kwargs):
        with current_app.test_request_context():
            return build(*args, **kwargs)

    return wrapper
