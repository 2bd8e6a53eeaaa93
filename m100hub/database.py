"""Column types and mixins shared by every model, and the one place a request commits."""

from __future__ import annotations

import enum
import logging
import re
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from flask import flash, g, has_app_context, has_request_context, redirect, request
from sqlalchemy import DateTime, Enum, TypeDecorator, event
from sqlalchemy.engine import Connection, CursorResult, Engine
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql import Executable

from .extensions import db

logger = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class LabelledEnum(enum.StrEnum):
    """A string enum whose members carry a translated label, listed in display order:
    ``CITIZEN = "citizen", _l("Citizen")`` → ``Sector.CITIZEN.label``, ``Sector.choices()``."""

    _label: Any

    # ``label`` has a default for the type checker's sake: ``Sector("citizen")`` finds a member
    # through Enum's own lookup (this __new__ only makes the members), but mypy reads this one.
    def __new__(cls, value: str, label: Any = None):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        return member

    @property
    def label(self) -> str:
        return str(self._label)

    @classmethod
    def choices(cls) -> list[tuple[str, object]]:
        """(value, lazy label) pairs for a form's select, in declaration order."""
        return [(member.value, member._label) for member in cls]


def sqlite_transactions(mode: str):
    """Decorate a view or handler whose SQLite transactions should begin ``mode`` instead of
    what its HTTP method implies: "DEFERRED" for a POST that only reads (sign-in: no write
    lock while a password is hashed), "IMMEDIATE" for a socket handler that writes."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            g.sqlite_begin = mode
            return view(*args, **kwargs)

        return wrapper

    return decorate


def str_enum(enum_cls: type[enum.Enum], name: str) -> Enum:
    """A portable enum column stored as its value (VARCHAR + CHECK, no native PG type)."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )


class TimestampMixin:
    #: when the row was created (UTC)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Foreign keys, WAL and a busy timeout for the embedded SQLite database."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # pysqlite opens transactions late and on its own; let SQLAlchemy emit BEGIN itself, so
    # that savepoints nest properly and a transaction can start as BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    """SQLite: a transaction that may write starts as BEGIN IMMEDIATE, so concurrent writers
    queue on the busy timeout instead of failing when a read lock cannot be upgraded.
    Reads (GET/HEAD requests) start DEFERRED and never block anyone."""
    if connection.dialect.name != "sqlite":
        return
    mode = connection.get_execution_options().get("sqlite_begin") or (
        g.get("sqlite_begin") if has_app_context() else None)
    if mode is None:
        reading = has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")
        mode = "DEFERRED" if reading else "IMMEDIATE"
    connection.exec_driver_sql(f"BEGIN {mode}")


AFTER_COMMIT = "m100_after_commit"
#: session.info: this transaction only reads; a connection's execution option: this
#: connection runs in autocommit for a reading request (PostgreSQL)
READING = "m100_reading"
#: session.info: this transaction runs on a connection in autocommit (PostgreSQL)
READING_CONNECTION = "m100_reading_connection"
#: the first words of the statements a reading request may send; what may not be in them
READ_STATEMENTS = ("SELECT", "WITH", "VALUES", "SHOW")
_LEADING = re.compile(r"(?:\s+|\(|/\*.*?\*/|--[^\n]*\n)*", re.S)
_LOCKS = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b", re.I)
_WRITES = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.I)


class WriteWhileReading(RuntimeError):
    """A GET or HEAD request wrote without calling begin_write() first."""


def register(app) -> None:
    """GET and HEAD requests only read, until a view calls begin_write().

    On PostgreSQL their transactions run in autocommit, without BEGIN and ROLLBACK: two round
    trips and two wake-ups of the server per request, a third of a cached page's time. Each
    statement still sees everything committed before it, as it would in the READ COMMITTED
    transaction it replaces. A view that writes during a GET calls begin_write() first; a
    write, a lock or a savepoint without it raises WriteWhileReading (on every database, so
    the tests find it, and on PostgreSQL for any statement, ORM or not). Server-side cursors
    (``yield_per``) need a transaction too. The guard is a programmer's aid, not a security
    boundary: it reads the statements' words, so a function with side effects in a SELECT
    (``nextval``, an advisory lock) passes it.
    """
    app.before_request_funcs.setdefault(None, []).insert(0, _reads_only)
    app.teardown_request(_reads_end)


def _reads_only() -> None:
    if request.method not in ("GET", "HEAD"):
        return
    g.m100_reads_only = True  # each transaction of the request, from its first query
    if db.session.registry.has() and db.session().in_transaction():
        db.session.info[READING] = True  # a session that outlives requests (a test's)


def _reads_end(exc) -> None:
    """The request's reads end with it, also for a session that outlives the request (a
    script's app context, a test's): its next transaction is an ordinary one."""
    g.pop("m100_reads_only", None)
    if not db.session.registry.has():
        return
    session = db.session()
    session.info.pop(READING, None)
    if session.info.pop(READING_CONNECTION, None):
        try:  # nothing to undo on it: this gives the connection back, out of autocommit
            session.rollback()
        except Exception:  # the response is made; the pool discards a broken connection
            logger.exception("giving a reading connection back failed")


def _bound_to_a_connection(session) -> bool:
    """A session bound to a connection (a test's outer transaction) keeps that transaction."""
    return isinstance(session.bind, Connection)


@event.listens_for(Session, "after_transaction_create")
def _reading_transaction(session, transaction) -> None:
    if not has_app_context() or not g.get("m100_reads_only"):
        return
    if transaction.nested:
        raise WriteWhileReading("a GET request opens a savepoint: call begin_write() first")
    if transaction.parent is not None:
        return
    session.info[READING] = True
    if not _bound_to_a_connection(session) \
            and session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT", READING: True})
        session.info[READING_CONNECTION] = True


@event.listens_for(Session, "after_transaction_end")
def _reading_ends(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(READING, None)
        session.info.pop(READING_CONNECTION, None)


@event.listens_for(Session, "before_flush")
def _no_flush_while_reading(session, flush_context, instances) -> None:
    if session.info.get(READING) and (session.new or session.deleted or any(
            session.is_modified(instance) for instance in session.dirty)):
        raise WriteWhileReading("a GET request writes: call begin_write() first")


@event.listens_for(Session, "do_orm_execute")
def _no_statement_while_reading(state) -> None:
    if state.session.info.get(READING) and (
            state.is_insert or state.is_update or state.is_delete
            or getattr(state.statement, "_for_update_arg", None) is not None):
        raise WriteWhileReading("a GET request writes or locks: call begin_write() first")


@event.listens_for(Engine, "before_cursor_execute")
def _no_sql_write_while_reading(conn, cursor, statement, parameters, context, executemany):
    """Any statement on a reading connection: Core, text or driver SQL too."""
    if not conn.get_execution_options().get(READING):
        return
    start = leading.end() if (leading := _LEADING.match(statement)) else 0
    verb = statement[start:start + 6].upper()
    if not verb.startswith(READ_STATEMENTS) or _LOCKS.search(statement) \
            or (verb.startswith("WITH") and _WRITES.search(statement)):
        raise WriteWhileReading("a GET request writes or locks: call begin_write() first")


#: schema objects that migrations write by hand (search indexes per database): not in the
#: models' metadata, so autogenerate and the drift test leave them alone
HAND_WRITTEN_SCHEMA = ("forum_posts_fts", "ix_forum_posts_search")


def include_in_autogenerate(obj, name, type_, reflected, compare_to) -> bool:
    return not (name or "").startswith(HAND_WRITTEN_SCHEMA)


def after_commit(callback) -> None:
    """Run ``callback`` once the session's current transaction commits (e-mail, socket pushes).

    Kept on the session, so a rollback drops it: nothing leaves for work that was undone.
    """
    db.session.info.setdefault(AFTER_COMMIT, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session) -> None:
    for callback in session.info.pop(AFTER_COMMIT, []):
        try:
            callback()
        except Exception:  # the write is saved; a lost e-mail or push must not turn it into a 500
            logger.exception("a task after the commit failed")


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_commit(session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole unit of work, not a nested savepoint
        session.info.pop(AFTER_COMMIT, None)


def locked(model, ident):
    """The row, locked for this transaction (SELECT … FOR UPDATE on PostgreSQL; SQLite's
    writing transactions are serialised) and read afresh: a copy this session loaded before
    the lock was granted would carry stale counters."""
    from sqlalchemy import select

    return db.session.scalar(select(model).where(model.id == ident).with_for_update()
                             .execution_options(populate_existing=True))


def insert_on_conflict(model):
    """``INSERT … ON CONFLICT`` for the session's database: PostgreSQL and SQLite both have
    it, each under its own dialect (add ``.on_conflict_do_nothing()`` or ``_do_update()``)."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def rows_changed(statement: Executable) -> int:
    """Execute an UPDATE, DELETE or INSERT and return how many rows it changed (the cursor's
    rowcount: SQLAlchemy 2.1 types ``Session.execute`` as a plain ``Result``)."""
    result = db.session.execute(statement)
    assert isinstance(result, CursorResult)
    return result.rowcount


def begin_write() -> None:
    """Start the session's next transaction as a writer (SQLite: BEGIN IMMEDIATE), for a
    write inside a reading request. A GET's reads end first (like a commit, this expires the
    rows loaded so far); a no-op when a writing transaction is already open."""
    if has_app_context():
        g.pop("m100_reads_only", None)  # the request's next transactions write
    session = db.session()
    if session.info.get(READING):
        session.commit()
    if not session.in_transaction():
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def commit() -> None:
    """Views, tasks and socket handlers commit here; services only flush."""
    db.session.commit()


def commit_and_redirect(message: str, url: str):
    """A form's work done: commit, then (only once it is saved) say so and send the browser
    on — 303, so that reloading the next page does not send the form again."""
    commit()
    flash(message, "success")
    return redirect(url, 303)
