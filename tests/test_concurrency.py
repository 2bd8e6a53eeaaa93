"""Uniqueness lives in the database: concurrent sign-ups with one e-mail make one account.

Runs on SQLite (the embedded default) and on PostgreSQL (when configured; always in CI), each
in a scratch database of its own so that the threads' commits never meet other tests.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import IntegrityError

from m100hub import create_app
from m100hub.accounts import services
from m100hub.accounts.models import User
from m100hub.extensions import db

from .conftest import base_config, database_url, require_service

MIGRATIONS = str(Path(__file__).parent.parent / "migrations")
THREADS = 20


def scratch_url(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'race.sqlite3'}"
    main = database_url(tmp_path)
    require_service("PostgreSQL (TEST_DATABASE_URL)", main.startswith("postgresql"))
    admin = create_engine(main, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS m100_race"))
        conn.execute(text("CREATE DATABASE m100_race"))
    admin.dispose()
    return main.rsplit("/", 1)[0] + "/m100_race"


def race(app, email: str) -> list[str]:
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def sign_up(n: int) -> None:
        with app.test_request_context(method="POST"):
            barrier.wait()
            try:
                services.create_user(f"Racer {n}", email, "lung-si-sigur-2035", "citizen")
                db.session.commit()
                outcomes.append("created")
            except (services.EmailTaken, IntegrityError):
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sign_up, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_concurrent_sign_ups_with_one_email_create_one_account(backend, tmp_path):
    app = create_app(base_config(tmp_path, scratch_url(backend, tmp_path)))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
    outcomes = race(app, "Race@Example.ro")
    with app.app_context():
        stored = db.session.scalar(select(func.count()).where(User.email == "race@example.ro"))
        db.session.remove()
        db.engine.dispose()
    assert stored == 1
    assert sorted(outcomes) == ["created"] + ["refused"] * (THREADS - 1)
