"""Column types and mixins shared by every model, and the one place a request commits."""

from __future__ import annotations

import enum
import logging
import select as polling
import time
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from flask import flash, g, has_app_context, has_request_context, redirect, request
from flask_login import current_user
from sqlalchemy import JSON, DateTime, Enum, Integer, TypeDecorator, bindparam, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.exc import InvalidatePoolError, SQLAlchemyError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql import Executable
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.functions import FunctionElement

from .extensions import GET_WRITES, db
from .i18n import locale_name
from .memo import Memo

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


#: LabelledEnum labels by (enum, value, language): as many as the members in each language
_LABELS: Memo[str] = Memo("enum labels", kept=4096)


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
        """The label in the reader's language, remembered per language (a lazy gettext costs
        some 6 µs through Flask-Babel, and a page shows dozens of labels; a process's
        catalogues never change). Keyed by the enum too: members of two enums with the same
        value are equal strings."""
        if not has_app_context():  # (no reader: the source text, as Flask-Babel gives it)
            return str(self._label)
        return _LABELS.get((type(self), self._value_, locale_name()), str, self._label)

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


#: how long an SQLite writer waits for the lock before giving up (then: 503, errors.py)
SQLITE_BUSY_TIMEOUT_MS = 10_000


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Foreign keys, WAL and a busy timeout for the embedded SQLite database."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
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


#: a pooled PostgreSQL connection unused for this long is pinged (``;``) before it is given
#: out again: what a firewall or a network partition drops says nothing to either end
PING_IDLE_SECONDS = 10.0
_CHECKED_IN = "m100_checked_in"


def watch_connections(engine: Engine) -> None:
    """Check a pooled PostgreSQL connection before a request uses it, without a round trip
    for each request (SQLAlchemy's ``pool_pre_ping`` sent ``;`` on every checkout: a round
    trip and some 0.1 ms of Python and 0.03 ms of PostgreSQL per page). The server writes
    to an idle connection only to end it (a restart, ``pg_terminate_backend``, an idle
    timeout: "terminating connection…", then the socket closes), so a connection with
    anything to read is pinged; so is one idle for PING_IDLE_SECONDS. A ping that fails
    makes the pool replace every connection it holds and open a new one for this request,
    as the pre-ping did. A page's reads send no ROLLBACK (extensions.RequestSession) that
    would otherwise find a closed connection first."""
    if engine.dialect.name != "postgresql":
        return
    dialect = engine.dialect

    def checked_in(dbapi_connection, record) -> None:
        record.info[_CHECKED_IN] = time.monotonic()

    def checkout(dbapi_connection, record, proxy) -> None:
        since = record.info.get(_CHECKED_IN)
        if since is None:  # just opened
            return
        if time.monotonic() - since < PING_IDLE_SECONDS and not _has_news(dbapi_connection):
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise InvalidatePoolError() from error
            raise

    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "checkout", checkout)


def _has_news(dbapi_connection) -> bool:
    """Whether the server sent anything to an idle connection (one poll of its socket)."""
    try:
        readable, _, _ = polling.select([dbapi_connection.fileno()], [], [], 0)
    except (OSError, ValueError):  # closed
        return True
    return bool(readable)


def _signed_in_id() -> int | None:
    if not has_request_context() or not current_user.is_authenticated:
        return None
    return current_user.id


def reader_param() -> BindParameter:
    """``:reader_id``, the signed-in reader's id in a statement built once (``functools.cache``)
    whose loader options hold it (``with_expression``: what the reader follows, likes,
    chose…). Pass it with the execution's parameters. SQLAlchemy refreshes an expired row of
    such a query with its loader options but without those parameters: the value then is the
    request's signed-in person's, asked when the refresh runs."""
    return bindparam("reader_id", type_=Integer, callable_=_signed_in_id)


class json_rows(FunctionElement):  # noqa: N801 (an SQL function, named as one)
    """``json_rows(a, b, …)``: an aggregate of the group's rows as one JSON list of lists
    (``[[a, b], …]``; NULL or ``[]`` for no rows): a short list (a page's few top items) read
    as a column of the page's own statement rather than by a statement of its own (some 0.3 ms
    of Python each). PostgreSQL's json_agg, SQLite's json_group_array; the rows come in no
    promised order, so give them a column to sort them by."""

    type = JSON()
    name = "json_rows"
    inherit_cache = True


@compiles(json_rows, "postgresql")
def _json_rows_postgresql(element, compiler, **kw) -> str:
    return f"json_agg(json_build_array({compiler.process(element.clauses, **kw)}))"


@compiles(json_rows)
def _json_rows_sqlite(element, compiler, **kw) -> str:
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


#: schema objects that migrations write by hand (search indexes per database): not in the
#: models' metadata, so autogenerate and the drift test leave them alone
HAND_WRITTEN_SCHEMA = ("forum_posts_fts", "ix_forum_posts_search", "ix_resources_search",
                       "ix_funding_calls_search", "ix_search_")


def include_in_autogenerate(obj, name, type_, reflected, compare_to) -> bool:
    return not (name or "").startswith(HAND_WRITTEN_SCHEMA)


AFTER_COMMIT = "m100_after_commit"


def after_commit(callback) -> None:
    """Run ``callback`` once the session's current transaction commits (e-mail, socket pushes).

    Kept on the session, so a rollback drops it: nothing leaves for work that was undone.
    """
    db.session.info.setdefault(AFTER_COMMIT, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session) -> None:
    # SQLAlchemy sends after_commit for a SAVEPOINT's release too: the work is not saved
    # until the outermost transaction commits (and SQLite's write lock is still held, so a
    # task run in process now would wait on this very transaction)
    if session.in_nested_transaction():
        return
    for callback in session.info.pop(AFTER_COMMIT, []):
        try:
            callback()
        except Exception:  # the write is saved; a lost e-mail or push must not turn it into a 500
            logger.exception("a task after the commit failed")


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_commit(session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole unit of work, not a nested savepoint
        session.info.pop(AFTER_COMMIT, None)


def rollback_quietly() -> None:
    """Roll the session back where an error is already being answered: when the connection
    itself is gone (PostgreSQL stopped), the rollback fails too, and that second error must
    not replace the first one's answer (a 503 would become a 500)."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        logger.warning("rollback failed: the database connection is gone", exc_info=True)


def end_session(exc: BaseException | None = None) -> None:
    """Close the request's session (registered to run before Flask-SQLAlchemy's own): when
    PostgreSQL went away while the request was in flight, the rollback of closing fails too,
    after the answer was made. That must not turn the answer into a 500: the dead connection
    is invalidated (the pool opens a new one) and the session forgotten."""
    try:
        db.session.remove()
    except SQLAlchemyError:
        logger.warning("closing the session failed: the database connection is gone",
                       exc_info=True)
        try:
            db.session().invalidate()
        except SQLAlchemyError:
            pass
        db.session.registry.clear()


def get_writes_follow() -> None:
    """A GET request's one write follows (the thread page's read marker): its transaction is
    a real one, where the request's reads ran without (extensions.RequestSession)."""
    g.setdefault(GET_WRITES, True)


def locked(model, ident):
    """The row, locked for this transaction (SELECT … FOR UPDATE on PostgreSQL; SQLite's
    writing transactions are serialised) and read afresh: a copy this session loaded before
    the lock was granted would carry stale counters. Only the model's own row is locked
    (``OF``), not the rows joined to it for eager loading (an image, say)."""
    return db.session.scalar(select(model).where(model.id == ident).with_for_update(of=model)
                             .execution_options(populate_existing=True))


def insert_on_conflict(model):
    """``INSERT … ON CONFLICT`` for the session's database: PostgreSQL and SQLite both have
    it, each under its own dialect (add ``.on_conflict_do_nothing()`` or ``_do_update()``)."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def rows_changed(statement: Executable) -> int:
    """Execute an UPDATE, DELETE or INSERT and return how many rows it changed (the cursor's
    rowcount: SQLAlchemy 2.1 types ``Session.execute`` as a plain ``Result``)."""
    result = db.session.execute(statement)
    assert isinstance(result, CursorResult)
    return result.rowcount


def commit() -> None:
    """Views, tasks and socket handlers commit here; services only flush."""
    db.session.commit()


def commit_and_redirect(message: str, url: str):
    """A form's work done: commit, then (only once it is saved) say so and send the browser
    on — 303, so that reloading the next page does not send the form again."""
    commit()
    flash(message, "success")
    return redirect(url, 303)
