"""What waits for a commit runs after it, never after a rollback, and never breaks the write."""

from __future__ import annotations

from sqlalchemy import func, select

from m100hub.accounts.models import User
from m100hub.database import after_commit, commit
from tests.support import factories


def test_callbacks_run_after_commit_only(db):
    ran = []
    after_commit(lambda: ran.append("sent"))
    factories.user()
    assert ran == []
    commit()
    assert ran == ["sent"]
    commit()
    assert ran == ["sent"]  # once


def test_a_savepoint_released_is_not_the_commit(db):
    """A service's SAVEPOINT (``begin_nested``) ending is not the work saved: what waits for
    the commit waits for the outermost one (an e-mail for a registration made in the same
    transaction as another must not leave, nor, on SQLite, wait on this very transaction)."""
    ran = []
    after_commit(lambda: ran.append("sent"))
    with db.session.begin_nested():
        factories.user()
    assert ran == []
    commit()
    assert ran == ["sent"]


def test_a_rollback_drops_the_callbacks(db):
    ran = []
    factories.user()
    after_commit(lambda: ran.append("sent"))
    db.session.rollback()
    commit()
    assert ran == []


def test_a_failing_callback_does_not_undo_or_break_the_write(db):
    def broken():
        raise OSError("SMTP server down")

    factories.user(email="saved@example.ro")
    after_commit(broken)
    commit()
    assert db.session.scalar(select(func.count()).where(User.email == "saved@example.ro")) == 1


def test_sign_up_succeeds_when_mail_delivery_fails(client, db, monkeypatch):
    from m100hub import mail

    def refuse(message):
        raise ConnectionRefusedError("no SMTP server")

    monkeypatch.setattr(mail, "deliver", refuse)
    response = client.post("/signup", data={
        "display_name": "Dan Pop", "email": "dan@example.ro", "password": "lung-si-sigur-2035",
        "confirm": "lung-si-sigur-2035", "sector": "citizen", "home_city_id": "0",
        "locale": "en", "accept": "y"})
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).where(User.email == "dan@example.ro")) == 1


def test_json_rows_reads_a_group_of_rows_as_one_column_on_both_databases(db):
    """database.json_rows: the rows as lists, text of any kind kept as written (quotes,
    commas, diacritics, NULL), numbers as numbers; no rows read as nothing."""
    from sqlalchemy import create_engine, literal, union_all

    from m100hub.database import json_rows

    texts = ['Piste, "noi"', "Străzi și parcuri", None]
    rows = union_all(*(select(literal(n).label("place"), literal(text).label("title"))
                       for n, text in enumerate(texts))).subquery()
    statement = select(json_rows(rows.c.place, rows.c.title))
    nothing = select(json_rows(rows.c.place)).where(rows.c.place > 9)
    for connection in (db.session.connection(), create_engine("sqlite://").connect()):
        assert sorted(connection.execute(statement).scalar()) == [
            [0, 'Piste, "noi"'], [1, "Străzi și parcuri"], [2, None]], connection.dialect.name
        assert connection.execute(nothing).scalar() in (None, []), connection.dialect.name
