"""Benchmark helpers: a scratch database, gunicorn on loopback, load from wrk.

Figures drift on a shared machine; every benchmark measures the minimal Flask page in the
same run and reports ratios.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_database_url(tmp: Path) -> str:
    """BENCH_DATABASE_URL, or a scratch PostgreSQL database when PostgreSQL answers (named
    BENCH_DATABASE_NAME, m100_bench by default: give each checkout its own), or SQLite."""
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    from sqlalchemy import create_engine, text

    base = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    name = os.environ.get("BENCH_DATABASE_NAME", "m100_bench")
    try:
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return f"{base.rsplit('/', 1)[0]}/{name}"
    except Exception:  # noqa: BLE001 (no PostgreSQL here: fall back to SQLite)
        return f"sqlite:///{tmp / 'bench.sqlite3'}"


#: the Redis the benchmarked web processes share (the page cache), when it answers
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def bench_env(database_url: str) -> dict:
    """The hub's environment: its web processes share the page cache in Redis when Redis
    answers (under names of this run's own), else each keeps its own."""
    import redis

    try:
        use_redis = bool(redis.Redis.from_url(BENCH_REDIS_URL, socket_connect_timeout=0.5).ping())
    except (redis.RedisError, OSError):
        use_redis = False
    names = f"m100bench-{uuid.uuid4().hex[:8]}"
    return {**os.environ, "DATABASE_URL": database_url, "USE_REDIS": "1" if use_redis else "0",
            "REDIS_URL": BENCH_REDIS_URL, "CACHE_KEY_PREFIX": f"{names}:",
            "CELERY_QUEUE": names, "SOCKETIO_CHANNEL": names,
            "SECRET_KEY": "bench-secret", "RATELIMIT_ENABLED": "0", "FLASK_APP": "wsgi.py"}


def page_cache_used(env: dict) -> str:
    seconds = env.get("ANONYMOUS_PAGE_SECONDS", "1")
    if seconds == "0":
        return "off"
    where = "Redis, shared by the web processes" if env["USE_REDIS"] == "1" else "per process"
    return f"{seconds} s, {where}"


@contextmanager
def gunicorn(target: str, env: dict, workers: int = 2, threads: int = 4,
             up_timeout: float = float(os.environ.get("BENCH_UP_TIMEOUT", "30"))):
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(workers), "--worker-class", "gthread",
         "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
         target], cwd=ROOT, env=env)
    try:
        wait_until_up(port, up_timeout)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:  # a loaded machine: the figures are taken already
            process.kill()
            process.wait()


def wait_until_up(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not start")


def latency_figures(latencies: list[float], elapsed: float) -> dict:
    """Requests/s over ``elapsed`` seconds, and p50/p99 (ms) of the successful requests."""
    latencies = sorted(latencies)
    return {
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2) if latencies else None,
    }


def migrate(env: dict) -> None:
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)


def query_counts(app, pages: dict[str, str]) -> dict[str, int]:
    """SQL statements each page makes (name → path), through the app's test client: with the
    page caches empty, and (``<name>_cached``) asked again at once — what an anonymous reader
    of a cached page costs."""
    from sqlalchemy import event

    from m100hub.extensions import cache, db

    with app.app_context():
        engine = db.engine
    client, statements, counts = app.test_client(), [], {}

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        for name, path in pages.items():
            with app.app_context():
                cache.clear()
            statements.clear()
            assert client.get(path).status_code == 200, path
            counts[name] = len(statements)
            statements.clear()
            assert client.get(path).status_code == 200, path
            counts[f"{name}_cached"] = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return counts


def scratch_app():
    """(app, env, database url): a migrated scratch database and an app on it."""
    import tempfile

    url = bench_database_url(Path(tempfile.mkdtemp(prefix="m100-bench-")))
    env = bench_env(url)
    os.environ.update({k: v for k, v in env.items() if k != "FLASK_APP"})
    migrate(env)
    from m100hub import create_app

    return create_app(), env, url


def analyse(database_url: str) -> None:
    """The planner's statistics after the bulk load, as autovacuum would gather them in a
    running installation (else PostgreSQL plans for tables it believes empty)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()


#: how many alternations of the minimal page and a page of the hub make one measure
ROUNDS = 5
#: wrk's load: threads and open connections (keep-alive), as the issue's figures were taken
WRK = ("-t2", "-c8")
WRK_SUMMARY = Path(__file__).parent / "wrk_summary.lua"


def wrk_round(port: int, path: str, seconds: int, headers: dict[str, str] | None = None) -> dict:
    """One run of wrk against ``path`` (with ``headers``: a session cookie, say): its figures
    (see wrk_summary.lua)."""
    import json

    extra = [arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")]
    done = subprocess.run(
        ["wrk", *WRK, f"-d{seconds}s", "-s", str(WRK_SUMMARY), "-H", "Accept-Language: ro",
         *extra, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def wrk_figures(rounds: list[dict]) -> dict:
    """Requests/s over all the rounds; p50/p99 (ms): the median of the rounds' own."""
    seconds = sum(r["duration_us"] for r in rounds) / 1e6
    return {
        "requests_per_s": round(sum(r["requests"] for r in rounds) / seconds, 1),
        "p50_ms": round(statistics.median(r["p50_us"] for r in rounds) / 1000, 2),
        "p99_ms": round(statistics.median(r["p99_us"] for r in rounds) / 1000, 2),
        "errors": sum(r["errors"] for r in rounds),
    }


def against_minimal(env: dict, pages: dict[str, str], seconds: float) -> dict:
    """Each page of the hub against the minimal Flask page, both served the same way
    (gunicorn, 2 workers × 4 threads) and loaded by wrk in alternation (ROUNDS short rounds of
    each), so that a change in the shared machine's speed during the run weighs on both sides
    of the ratio alike."""
    analyse(env["DATABASE_URL"])
    minimal_env = {**env, "PYTHONPATH": str(Path(__file__).parent)}
    each = max(1, round(seconds / ROUNDS))
    results, baseline = {}, []
    with gunicorn("minimal_app:app", minimal_env) as minimal, gunicorn("wsgi:app", env) as hub:
        for name, path in pages.items():
            sides: dict[str, list[dict]] = {"minimal": [], name: []}
            for _ in range(ROUNDS):
                for side, port, address in (("minimal", minimal, "/"), (name, hub, path)):
                    sides[side].append(wrk_round(port, address, each))
            figures, versus = wrk_figures(sides[name]), wrk_figures(sides["minimal"])
            figures["minimal_requests_per_s"] = versus["requests_per_s"]
            figures["ratio_to_minimal"] = round(
                figures["requests_per_s"] / versus["requests_per_s"], 3)
            results[name] = figures
            baseline.extend(sides["minimal"])
    return {"load": f"wrk {' '.join(WRK)}", "page_cache": page_cache_used(env),
            "minimal": wrk_figures(baseline), **results}


def sessions(app, user_ids: list[int], agent: str = "m100-bench") -> list[tuple[str, str]]:
    """(session cookie, CSRF form token) for each person, made by the app itself: the cookie
    holds what signing in leaves, plus the CSRF secret that the token is signed from."""
    from flask import session
    from flask_wtf.csrf import generate_csrf
    from sqlalchemy import select

    from m100hub.accounts.models import User
    from m100hub.extensions import db, login_manager

    with app.app_context():
        ids = dict(
            db.session.execute(
                select(User.id, User.session_token).where(User.id.in_(user_ids))
            ).all()
        )
    serializer = app.session_interface.get_signing_serializer(app)
    made = []
    for user_id in user_ids:
        with app.test_request_context(
            "/", headers={"User-Agent": agent}, environ_base={"REMOTE_ADDR": "127.0.0.1"}
        ):
            token = generate_csrf()
            session["_user_id"] = f"{user_id}:{ids[user_id]}"
            session["_fresh"] = True
            session["_id"] = login_manager._session_identifier_generator()
            made.append((serializer.dumps(dict(session)), token))
    return made
