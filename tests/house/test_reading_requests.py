"""A GET or HEAD request only reads — the signed-in reader's read marker apart.

The rule is checked in every test by the listener in tests/plugins/reading.py; these tests check the
listener itself, and, on a scratch database with real commits (SQLite, and PostgreSQL when
configured: always in CI), the transactions a page view makes and the read marker it saves,
also while others write.
"""

from __future__ import annotations

import threading

import pytest
from flask_migrate import upgrade
from sqlalchemy import event, select, text, update

from m100hub import create_app
from m100hub.accounts.models import User
from m100hub.database import commit
from m100hub.extensions import db
from m100hub.forums.models import ReadMarker
from tests.support import factories
from tests.support import forum_factories as ff
from tests.support.environment import MIGRATIONS, base_config, scratch_database
from tests.support.web import session_identifier

READERS = 6


# --- the check that runs in every test ------------------------------------------------------


@pytest.fixture
def writing_views(make_app):
    """An app with GET views that write or lock, each its own way."""
    extra = make_app()

    @extra.route("/scrie/<how>", methods=["GET", "POST"])
    def write(how):
        if how == "orm":
            factories.user(name="Scrisă la citire")
            db.session.flush()
        elif how == "core":
            db.session.execute(update(User).values(bio="scris la citire"))
        elif how == "text":
            db.session.execute(text("UPDATE users SET bio = 'scris la citire'"))
        elif how == "lock":
            db.session.scalar(select(User).limit(1).with_for_update(of=User))
        return "gata"

    return extra.test_client()


@pytest.mark.parametrize("how", ["orm", "core", "text", "lock"])
def test_a_get_that_writes_or_locks_fails_the_test(writing_views, writes_in_gets, how):
    with pytest.raises(AssertionError, match="a GET writes or locks"):
        writing_views.get(f"/scrie/{how}")
    assert writes_in_gets
    writes_in_gets.clear()  # this test expects it


def test_a_post_may_write(writing_views):
    for how in ("orm", "core", "text", "lock"):
        assert writing_views.post(f"/scrie/{how}").status_code == 200


def test_only_the_thread_page_may_write_the_read_marker(client, db, login_as, writes_in_gets):
    reader = login_as("citizen")
    thread = ff.thread()
    ff.replies(thread, 2)
    db.session.commit()
    assert client.get(f"/forums/t/{thread.id}").status_code == 200
    assert db.session.get(ReadMarker, (reader.id, thread.id)).last_read_number == 3
    assert not writes_in_gets


# --- page views on a database of their own --------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch(request, tmp_path):
    """(app, thread id, reader ids) on a migrated scratch database with committed rows."""
    app = create_app(base_config(tmp_path, scratch_database(request.param, tmp_path, "reads")))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
    with app.test_request_context(method="POST"):
        thread = ff.thread(factories.user(name="Autoarea"), title="Citiri și scrieri")
        ff.replies(thread, 3)
        readers = [factories.user(name=f"Cititoarea {n}") for n in range(READERS)]
        commit()
        ids = thread.id, [reader.id for reader in readers]
        db.session.remove()
    yield app, *ids
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def statements(app) -> list[str]:
    """The first word (two for BEGIN) of each statement the app sends from now on."""
    seen = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, sql, *args):
        words = sql.split()
        seen.append(" ".join(words[:2]) if words[0] == "BEGIN" else words[0].upper())

    event.listen(engine, "before_cursor_execute", record)
    return seen


def signed_in(app, user_id: int):
    client = app.test_client()
    with app.app_context():
        token = db.session.get(User, user_id).get_id()
        db.session.remove()
    with client.session_transaction() as sess:
        sess.update(_user_id=token, _fresh=True, _id=session_identifier(client))
    return client


def test_an_anonymous_page_view_only_reads(scratch):
    """SQLite: in a deferred transaction, which takes no lock until it reads."""
    app, thread_id, _ = scratch
    seen = statements(app)
    response = app.test_client().get(f"/forums/t/{thread_id}")
    assert response.status_code == 200 and "Citiri și scrieri" in response.get_data(as_text=True)
    sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    assert set(seen) == ({"BEGIN DEFERRED", "SELECT"} if sqlite else {"SELECT"}), seen


def test_signed_in_readers_save_their_read_markers_while_others_write(scratch):
    """Each first view writes its marker in a transaction of its own, while replies are
    posted at the same time: on SQLite it waits for the write lock instead of failing."""
    app, thread_id, reader_ids = scratch
    clients = [signed_in(app, reader_id) for reader_id in reader_ids]
    answers: list[int] = []

    def read(client):
        answers.append(client.get(f"/forums/t/{thread_id}").status_code)

    def reply(client):
        answers.append(client.post(f"/forums/t/{thread_id}/reply",
                                   data={"body": "Un răspuns în același timp."}).status_code)

    writers = [signed_in(app, reader_id) for reader_id in reader_ids[:2]]
    threads = [threading.Thread(target=read, args=(c,)) for c in clients]
    threads += [threading.Thread(target=reply, args=(c,)) for c in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(answers) == [200] * READERS + [303] * 2, answers
    with app.app_context():
        markers = db.session.scalars(select(ReadMarker.user_id).where(
            ReadMarker.thread_id == thread_id)).all()
        assert set(reader_ids) <= set(markers)  # committed
        db.session.remove()
