"""On PostgreSQL a page's reads run without a transaction (extensions.RequestSession): no
BEGIN and no ROLLBACK round trips for a GET; writes keep theirs, and so does the one write a
GET makes (the thread page's read marker), on an app whose scratch database the test owns."""

from __future__ import annotations

from sqlalchemy import text

from m100hub.database import get_writes_follow
from m100hub.extensions import db
from m100hub.forums.models import ReadMarker
from tests.support import factories
from tests.support import forum_factories as ff
from tests.support.submissions import close, scratch_app, signed_in


def _transaction_state(write_follows: bool = False) -> str:
    if write_follows:
        get_writes_follow()
    db.session.execute(text("SELECT 1"))
    return db.session.connection().connection.dbapi_connection.info.transaction_status.name


def test_a_get_reads_without_a_transaction_a_post_and_a_get_that_writes_in_one(tmp_path):
    app = scratch_app("postgresql", tmp_path, "reading_autocommit")
    app.add_url_rule("/state", "state", _transaction_state, methods=["GET", "POST"])
    app.add_url_rule("/state-writing", "state_writing",
                     lambda: _transaction_state(write_follows=True))
    client = app.test_client()
    try:
        assert client.get("/state").get_data(as_text=True) == "IDLE"  # no BEGIN was sent
        assert client.post("/state").get_data(as_text=True) == "INTRANS"
        assert client.get("/state-writing").get_data(as_text=True) == "INTRANS"
        assert client.get("/state").get_data(as_text=True) == "IDLE"  # the flag was the request's
    finally:
        close(app)


def test_the_thread_page_saves_the_read_marker_after_reading_without_a_transaction(tmp_path):
    app = scratch_app("postgresql", tmp_path, "reading_marker")
    try:
        with app.app_context():
            thread = ff.thread(factories.person("citizen"))
            ff.replies(thread, 3)
            reader = factories.person("citizen")
            db.session.commit()
            thread_id, reader_id, login = thread.id, reader.id, reader.get_id()
        client = signed_in(app, login)
        assert client.get(f"/forums/t/{thread_id}").status_code == 200
        with app.app_context():
            marker = db.session.get(ReadMarker, (reader_id, thread_id))
            assert marker is not None and marker.last_read_number == 4
    finally:
        close(app)
