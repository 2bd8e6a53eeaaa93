"""Readiness for load balancers: may this web process be sent requests now?

``/healthz`` only says the process runs. ``/readyz`` asks what pages need: the database
answers ``SELECT 1``, Redis answers ``PING`` when the hub uses it, and the database has
every migration of this release (a process of a new release waits for ``flask db upgrade``;
one of the previous release keeps serving after it). Each check runs in a thread of its own
and is waited for at most ``CHECK_SECONDS``, so a dependency that hangs fails the probe in
time instead of hanging it; the drivers' own timeouts then end the thread. Concurrent probes
share a check in flight, so a hanging dependency holds one thread per check, however often
the balancer asks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as CheckTimeout
from functools import cache
from pathlib import Path
from time import monotonic

import redis
from alembic.script import ScriptDirectory
from flask import Flask
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import NullPool

from ..extensions import db

CHECK_SECONDS = 2.0
OK = "ok"
NOT_USED = "not used"
_in_flight: dict[tuple, Future] = {}
_in_flight_lock = threading.Lock()


def check_readiness(app: Flask) -> tuple[bool, dict[str, str]]:
    """(ready, {check: "ok" or what failed}); runs in a request of ``app``."""
    engine, directory = _probe_engine(app), app.extensions["migrate"].directory
    started: dict[tuple[str, ...], Future] = {("database", "migrations"): _start(
        ("database", engine), lambda: _database_and_migrations(engine, directory))}
    if app.config["USE_REDIS"]:
        url = app.config["REDIS_URL"]
        started[("redis",)] = _start(("redis", url), lambda: {"redis": _ping_redis(url)})
    checks = {} if app.config["USE_REDIS"] else {"redis": NOT_USED}
    deadline = monotonic() + CHECK_SECONDS
    for names, future in started.items():
        checks.update(_outcome(names, future, deadline))
    return all(result.startswith((OK, NOT_USED)) for result in checks.values()), checks


def _outcome(names: tuple[str, ...], future: Future, deadline: float) -> dict[str, str]:
    try:
        return future.result(timeout=max(0.0, deadline - monotonic()))
    except CheckTimeout:
        failure = f"no answer within {CHECK_SECONDS:g} s"
    except Exception as exc:  # the probe's answer, not a 500: name what failed, no details
        failure = f"unreachable ({type(exc).__name__})"
    return {names[0]: failure, **{name: "not checked" for name in names[1:]}}


def _start(key: tuple, check: Callable[[], dict[str, str]]) -> Future:
    """The check in flight for ``key``, or a new one in a daemon thread (a hung check never
    holds up the process's exit)."""
    with _in_flight_lock:
        future = _in_flight.get(key)
        if future is None or future.done():
            future = _in_flight[key] = Future()
            threading.Thread(target=_run, args=(check, future), daemon=True,
                             name=f"readiness-{key[0]}").start()
        return future


def _run(check: Callable[[], dict[str, str]], future: Future) -> None:
    try:
        future.set_result(check())
    except BaseException as exc:  # handed to whoever waits for the check
        future.set_exception(exc)


def _probe_engine(app: Flask) -> Engine:
    """The database of ``app``, opened afresh for each probe (no pool to wait for, and a
    connect timeout on PostgreSQL), so a busy pool never passes for a dead database."""
    engine = app.extensions.get("m100_readiness_engine")
    if engine is None:
        url = db.engine.url
        options = {"connect_timeout": 2} if url.get_backend_name() == "postgresql" else {}
        engine = create_engine(url, poolclass=NullPool, connect_args=options)
        app.extensions["m100_readiness_engine"] = engine
    return engine


def _database_and_migrations(engine: Engine, directory: str) -> dict[str, str]:
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
            and not Path(url.database).exists():
        raise FileNotFoundError("no database file")  # connecting would create an empty one
    # DEFERRED: on SQLite a connection outside a request would begin IMMEDIATE (a write lock)
    with engine.connect().execution_options(sqlite_begin="DEFERRED") as connection:
        connection.exec_driver_sql("SELECT 1")
        try:
            applied = set(connection.exec_driver_sql(
                "SELECT version_num FROM alembic_version").scalars())
        except Exception:  # no alembic_version table: never migrated
            applied = set()
    return {"database": OK, "migrations": _migrations(applied, directory)}


def _migrations(applied: set[str], directory: str) -> str:
    """"ok" at the scripts' head; also "ok" past it (a revision these scripts do not know):
    while a release rolls out, the previous one's processes serve on its migrated database
    until they are restarted. Behind the head, this code would meet a schema it predates."""
    try:
        heads, known = migration_scripts(directory)
    except FileNotFoundError:
        return "no migration scripts in the working directory"
    at = ", ".join(sorted(applied)) or "nothing"
    if applied == heads:
        return OK
    if applied - known:
        return f"{OK} (database at {at}, newer than these scripts)"
    return f"database at {at}, scripts at {', '.join(sorted(heads))}"


@cache
def migration_scripts(directory: str) -> tuple[frozenset[str], frozenset[str]]:
    """(head revisions, every revision) of the migration scripts ``flask db upgrade`` applies
    from here, read once per process: the scripts change only with a new release."""
    path = Path(directory).resolve()
    if not path.is_dir():
        raise FileNotFoundError(f"no migration scripts in {path}")
    scripts = ScriptDirectory(str(path))
    every = frozenset(script.revision for script in scripts.walk_revisions())
    return frozenset(scripts.get_heads()), every


def _ping_redis(url: str) -> str:
    # the driver gives up a second after the probe does (never first: a Redis that hangs is
    # reported as not answering in time), and tries once
    client = redis.Redis.from_url(url, socket_connect_timeout=CHECK_SECONDS + 1,
                                  socket_timeout=CHECK_SECONDS + 1,
                                  retry=Retry(NoBackoff(), 0))
    try:
        client.ping()
    finally:
        client.close()
    return OK
