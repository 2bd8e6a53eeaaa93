"""The test environment: the checkout's folders, the database each test run uses, scratch
databases, the test configuration, and the services a test needs.

TEST_DATABASE_URL selects the database (PostgreSQL in CI); SQLite in a temporary folder
otherwise. Under CI=true a missing PostgreSQL, Redis or Chromium fails instead of skipping.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

#: the checkout
ROOT = Path(__file__).parent.parent.parent
MIGRATIONS = str(ROOT / "migrations")
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
        # every sector shown on its own, as the counting tests expect (tests/consultations/
        # test_small_sectors.py sets the real minimum)
        "RESULTS_MIN_CELL": 1,
        "BASE_URL": "http://localhost",
        "SERVER_NAME": None,
    }


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
