"""One-time submission keys (m100hub/submissions.py): every create form carries one; a second
submission with a key is answered with the first one's result, never a second row and never
an error — one after the other, and two (or five) requests at the same moment on PostgreSQL
and SQLite; a key is its person's alone; malformed, future and expired keys are refused and
write nothing; claims expire."""

from __future__ import annotations

import secrets
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from m100hub import submissions
from m100hub.database import utcnow
from m100hub.forums import services as forum_services
from m100hub.forums.models import Post
from m100hub.submissions import Submission
from tests.support import consultation_factories as cf
from tests.support import event_factories as ef
from tests.support import factories
from tests.support import forum_factories as ff
from tests.support.forum_factories import count
from tests.support.submissions import (
    at_once,
    close,
    first_held_in_flight,
    key_on,
    keys_on,
    scratch_app,
    send,
    signed_in,
)


def _reply_path(thread) -> str:
    return f"/forums/t/{thread.id}/reply"


def _posts(thread) -> int:
    return count(Post, Post.thread_id == thread.id)


# --- the forms ------------------------------------------------------------------------------


def test_every_create_form_carries_a_new_key_each_time_it_is_shown(client, db, login_as):
    admin = login_as("admin", locale="en")
    thread = ff.thread()
    consultation = cf.consultation("open", city_slug=None, author=admin)
    draft = cf.consultation("draft", city_slug=None, author=admin)
    proposal = cf.proposal(consultation)
    event = ef.event(admin)
    other_event = ef.event(factories.person("admin"))
    organisation = factories.organisation()
    db.session.commit()
    pages = [
        "/forums/c/general/new",  # a thread
        f"/forums/t/{thread.id}",  # a reply
        "/forums/categories/new",
        "/consultations/new",
        f"/consultations/{draft.id}/manage",  # a question
        f"/consultations/{consultation.id}",  # a comment
        f"/consultations/{consultation.id}/proposals/new",
        f"/proposals/{proposal.id}",  # a comment on a proposal
        "/events/new",
        f"/events/{other_event.id}",  # registering
        f"/events/{event.id}/attendees",  # a message to everyone, cancelling
        "/organisations/new",
        f"/organisations/{organisation.slug}",  # asking to join
        "/admin/cities/new",
        f"/moderation/post/{ff.opening_post(thread).id}/report",
    ]
    for path in pages:
        first, again = key_on(client, path), key_on(client, path)
        assert first != again, path
        assert submissions.KEY_PATTERN.match(first), path


def test_pages_for_visitors_without_an_account_carry_no_key(client, db):
    thread = ff.thread()
    db.session.commit()
    assert keys_on(client.get(f"/forums/t/{thread.id}").get_data(as_text=True)) == []


# --- one after the other ----------------------------------------------------------------------


def test_a_second_submission_of_one_form_lands_on_the_first_ones_result(client, db, login_as):
    login_as("citizen")
    thread = ff.thread()
    db.session.commit()
    key = key_on(client, f"/forums/t/{thread.id}")
    data = {"body": "O dată, nu de două ori.", "submission_key": key}

    first, second = send(client, _reply_path(thread), data), send(client, _reply_path(thread),
                                                                  data)

    assert first.status == second.status == 303
    assert first.location == second.location and first.location.endswith("#post-2")
    assert _posts(thread) == 2  # the opening post and one reply
    # a third, after the thread was locked meanwhile: still the same answer, not a conflict
    thread.locked = True
    db.session.commit()
    assert send(client, _reply_path(thread), data) == first


def test_different_keys_make_different_posts(client, db, login_as):
    login_as("citizen")
    thread = ff.thread()
    db.session.commit()
    answers = [send(client, _reply_path(thread), {
        "body": "Același text.", "submission_key": key_on(client, f"/forums/t/{thread.id}")})
        for _ in range(2)]
    assert answers[0].location != answers[1].location
    assert _posts(thread) == 3


def test_a_key_belongs_to_its_person(client, db, login_as, app):
    thread = ff.thread()
    db.session.commit()
    login_as("citizen")
    key = key_on(client, f"/forums/t/{thread.id}")
    mine = send(client, _reply_path(thread), {"body": "Al meu.", "submission_key": key})

    other = app.test_client()
    login_as("citizen", client_=other)
    theirs = send(other, _reply_path(thread), {"body": "Al altcuiva.", "submission_key": key})

    assert theirs.status == 303 and theirs.location != mine.location
    assert _posts(thread) == 3
    bodies = db.session.scalars(select(Post.body).where(Post.thread_id == thread.id)
                                .order_by(Post.number)).all()
    assert bodies[1:] == ["Al meu.", "Al altcuiva."]


def test_a_refused_submission_leaves_its_key_free(client, db, login_as):
    login_as("citizen", locale="en")
    thread = ff.thread()
    db.session.commit()
    key = key_on(client, f"/forums/t/{thread.id}")
    refused = client.post(_reply_path(thread), data={"body": "", "submission_key": key})
    assert refused.status_code == 422 and _posts(thread) == 1
    assert count(Submission) == 0
    sent = send(client, _reply_path(thread), {"body": "Acum da.", "submission_key": key})
    assert sent.status == 303 and _posts(thread) == 2


def test_a_form_without_a_key_is_served_as_before(client, db, login_as):
    """Pages rendered before keys existed (and CSRF refuses any other source): no key, no
    protection, no refusal."""
    login_as("citizen")
    thread = ff.thread()
    db.session.commit()
    for _ in range(2):
        assert send(client, _reply_path(thread), {"body": "Fără cheie."}).status == 303
    assert _posts(thread) == 3 and count(Submission) == 0


@pytest.mark.parametrize(("key", "says"), [
    ("not-a-key", "could not be understood"),
    ("1" * 200, "could not be understood"),
    (f"{int(time.time()) + 3600}.{secrets.token_hex(16)}", "could not be understood"),  # future
    (f"{int(time.time()) - 8 * 86400}.{secrets.token_hex(16)}", "The form has expired"),
    (f"{int(time.time())}.{secrets.token_hex(16).upper()}", "could not be understood"),
], ids=["not-a-key", "too-long", "from-the-future", "expired", "upper-case"])
def test_bad_keys_are_refused_and_write_nothing(client, db, login_as, key, says):
    login_as("citizen", locale="en")
    thread = ff.thread()
    db.session.commit()
    response = client.post(_reply_path(thread), data={"body": "Text.", "submission_key": key})
    assert response.status_code == 400
    assert says in response.get_data(as_text=True)
    assert _posts(thread) == 1 and count(Submission) == 0


# --- the claims ----------------------------------------------------------------------------------


def test_old_claims_expire_and_recent_ones_stay(app, db):
    person = factories.user()
    now = utcnow()
    for days, key in ((9, "old"), (6, "recent")):
        db.session.add(Submission(user_id=person.id, key=key, endpoint="forums.reply",
                                  url="/forums", created_dt=now - timedelta(days=days)))
    db.session.commit()
    assert submissions.expire.run() == 1
    assert db.session.scalars(select(Submission.key)).all() == ["recent"]
    assert app.extensions["celery"].conf.beat_schedule["submission-keys-expire"]["task"] == \
        "submissions.expire"


def test_a_claim_is_never_committed_without_its_outcome(app, db):
    person = factories.user()
    db.session.commit()
    with app.test_request_context("/forums/t/1/reply", method="POST"):
        db.session.add(Submission(user_id=person.id, key="k", endpoint="forums.reply"))
        db.session.info[submissions.PENDING] = (person.id, "k")
        with pytest.raises(RuntimeError, match="submissions.done"):
            db.session.commit()
        db.session.rollback()
        assert submissions.PENDING not in db.session.info


# --- at the same moment ------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def racing(request, tmp_path_factory):
    """(backend, app, a person's login, thread id) on a scratch database."""
    tmp = tmp_path_factory.mktemp(f"submissions-{request.param}")
    app = scratch_app(request.param, tmp, "submission_race")
    with app.test_request_context(method="POST"):
        person = factories.user()
        thread = ff.thread()
        from m100hub.extensions import db as database

        database.session.commit()
        ids = person.get_id(), thread.id
        database.session.remove()
    yield request.param, app, *ids
    close(app)


def _stored_posts(app, thread_id: int) -> int:
    from m100hub.extensions import db as database

    with app.app_context():
        found = database.session.scalar(
            select(func.count()).select_from(Post).where(Post.thread_id == thread_id))
        database.session.remove()
    return found


def test_five_browsers_sending_one_key_at_once_make_one_post(racing):
    backend, app, login, thread_id = racing
    before = _stored_posts(app, thread_id)
    key = key_on(signed_in(app, login), f"/forums/t/{thread_id}")
    answers = at_once(app, login, f"/forums/t/{thread_id}/reply",
                      {"body": f"Dublu clic pe {backend}.", "submission_key": key}, n=5)
    assert {a.status for a in answers} == {303}
    assert len({a.location for a in answers}) == 1
    assert _stored_posts(app, thread_id) == before + 1


def test_the_second_request_waits_for_the_first_and_answers_its_result(racing, monkeypatch):
    """The first request is held inside its transaction, its reply written but not committed,
    until the second is waiting for it (PostgreSQL: at the key's INSERT)."""
    backend, app, login, thread_id = racing
    before = _stored_posts(app, thread_id)
    key = key_on(signed_in(app, login), f"/forums/t/{thread_id}")
    answers, services_run = first_held_in_flight(
        app, backend, monkeypatch, forum_services, "reply",
        lambda: at_once(app, login, f"/forums/t/{thread_id}/reply",
                        {"body": "Răbdare.", "submission_key": key}))
    assert services_run == 1  # the second never reached the service
    assert answers[0] == answers[1] and answers[0].status == 303
    assert _stored_posts(app, thread_id) == before + 1


def test_a_submission_that_fails_lets_go_of_its_key(client, db, login_as):
    """A 404 or a conflict inside the view rolls its claim back: nothing of it stays for the
    next request, and the key can be sent again."""
    login_as("citizen")
    thread = ff.thread()
    db.session.commit()
    key = key_on(client, f"/forums/t/{thread.id}")
    thread.locked = True
    db.session.commit()
    assert client.post(_reply_path(thread), data={"body": "Închis.", "submission_key": key}
                       ).status_code == 409
    assert submissions.PENDING not in db.session.info and count(Submission) == 0
    thread.locked = False
    db.session.commit()
    assert send(client, _reply_path(thread), {"body": "Deschis.", "submission_key": key}
                ).status == 303
    assert _posts(thread) == 2
