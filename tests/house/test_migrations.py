"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from m100hub import create_app
from m100hub.database import include_in_autogenerate
from m100hub.extensions import db
from tests.support.environment import MIGRATIONS, base_config, scratch_postgresql


def _drift(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_in_autogenerate})
        return compare_metadata(context, db.metadata)


def test_no_drift_on_the_test_database(app):
    """The session database (PostgreSQL in CI) was built by the migrations alone."""
    with app.app_context():
        assert _drift(db.engine) == []


def test_sqlite_upgrade_downgrade_and_no_drift(tmp_path):
    url = f"sqlite:///{tmp_path / 'drift.sqlite3'}"
    app = create_app(base_config(tmp_path, url))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        assert _drift(db.engine) == []
        names = {row[0] for row in db.session.execute(text("SELECT slug FROM cities"))}
        assert {"cluj-napoca", "bucuresti-sector-2", "suceava"} <= names
        db.session.remove()  # end the read before the downgrade writes
        downgrade(directory=MIGRATIONS, revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.session.remove()
        db.engine.dispose()


ROWS_AT_0004 = [
    "INSERT INTO users (id, display_name, handle, email, password_hash, sector, locale, bio,"
    " is_admin, is_moderator, session_token, created_dt) VALUES (1, 'Ana', 'ana', 'a@x.ro',"
    " 'x', 'citizen', 'ro', '', 0, 0, 't', '2026-01-01')",
    "INSERT INTO forum_threads (id, category_id, author_id, title, tags, pinned, locked, hidden,"
    " post_count, reply_count, next_number, last_post_dt, created_dt) VALUES (1, 1, 1, 'Fir',"
    " '[]', 0, 0, 0, 1, 0, 2, '2026-01-01', '2026-01-01')",
    "INSERT INTO forum_posts (thread_id, number, author_id, body, body_html, search_text,"
    " reaction_count, report_count, hidden_reason, created_dt) VALUES (1, 1, 1, 'clădiri',"
    " 'clădiri', 'cladiri', 0, 0, '', '2026-01-01')",
    "INSERT INTO forum_subscriptions (user_id, thread_id, created_dt) VALUES (1, 1, '2026-01-01')",
]


def test_sqlite_upgrade_keeps_the_rows_of_tables_it_rebuilds(tmp_path):
    """SQLite rebuilds a table to alter it (0005 rebuilds forum_threads): with foreign keys
    enforced the drop would cascade into posts and follows. Migrations turn the keys off and
    check them afterwards."""
    app = create_app(base_config(tmp_path, f"sqlite:///{tmp_path / 'rows.sqlite3'}"))
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0004_events")
        with db.engine.begin() as conn:
            for statement in ROWS_AT_0004:
                conn.execute(text(statement))
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            counts = [conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                      for table in ("forum_threads", "forum_posts", "forum_subscriptions")]
            assert counts == [1, 1, 1]
            # 0021 folded the thread's title into its search text
            assert conn.execute(text("SELECT search_text FROM forum_threads")).scalar() == "fir"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.engine.dispose()


def test_sqlite_pragmas(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10000
    engine.dispose()


def test_postgresql_upgrade_downgrade_in_a_fresh_database(tmp_path, app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("the session database is SQLite; CI runs this on PostgreSQL")
    scratch_url = scratch_postgresql(url, "migration_check")
    other = create_app(base_config(tmp_path, scratch_url))
    with other.app_context():
        upgrade(directory=MIGRATIONS)
        assert _drift(db.engine) == []
        count = db.session.scalar(
            text("SELECT count(*) FROM cities WHERE mission_status = 'eu_mission'")
        )
        assert count == 3
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
