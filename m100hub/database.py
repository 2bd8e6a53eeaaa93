"""Column types and mixins shared by every model, and the one place a request commits."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from flask import g, has_request_context, request
from sqlalchemy import DateTime, Enum, TypeDecorator, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db


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
    mode = connection.get_execution_options().get("sqlite_begin")
    if mode is None:
        reading = has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")
        mode = "DEFERRED" if reading else "IMMEDIATE"
    connection.exec_driver_sql(f"BEGIN {mode}")


def after_commit(callback) -> None:
    """Run ``callback`` once the request's transaction has committed (e-mail, socket emits)."""
    g.setdefault("after_commit", []).append(callback)


def commit() -> None:
    """Commit the request's work, then run what waited for the commit. Views call this."""
    db.session.commit()
    callbacks = g.pop("after_commit", [])
    for callback in callbacks:
        callback()


def discard_pending() -> None:
    g.pop("after_commit", None)
