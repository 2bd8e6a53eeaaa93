"""Double submits in the forums: a new thread or a reply sent twice with its form's key —
one after the other, or by two requests at the same moment (PostgreSQL and SQLite) — makes
one thread or one post, and both answers land on it. A refused form leaves its key free."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from m100hub.extensions import db as database
from m100hub.forums.models import Category, Post, Thread
from tests.support import factories
from tests.support import forum_factories as ff
from tests.support.forum_factories import count
from tests.support.forums import thread_form
from tests.support.submissions import at_once, close, key_on, scratch_app, send, signed_in


def test_a_new_thread_sent_twice_is_one_thread(client, db, login_as):
    login_as("citizen")
    before = count(Thread)
    data = thread_form(submission_key=key_on(client, "/forums/c/general/new"))
    first, second = (send(client, "/forums/c/general/new", data) for _ in range(2))
    assert first.status == second.status == 303 and first == second
    assert count(Thread) == before + 1


def test_a_refused_new_thread_keeps_its_key_for_the_corrected_form(client, db, login_as):
    login_as("citizen")
    before = count(Thread)
    key = key_on(client, "/forums/c/general/new")
    refused = client.post("/forums/c/general/new", data=thread_form(title="", submission_key=key))
    assert refused.status_code == 200 and count(Thread) == before  # the form with its errors
    preview = client.post("/forums/c/general/new",
                          data=thread_form(preview="1", submission_key=key))
    assert preview.status_code == 200 and count(Thread) == before
    sent = [send(client, "/forums/c/general/new", thread_form(submission_key=key))
            for _ in range(2)]
    assert sent[0] == sent[1] and count(Thread) == before + 1


def test_a_new_category_sent_twice_is_one_category(client, db, login_as):
    login_as("admin", locale="en")
    before = count(Category)
    data = {"name": "Apă și climă", "name_en": "Water", "description": "", "description_en": "",
            "sector": "", "city_id": "0", "position": "7",
            "submission_key": key_on(client, "/forums/categories/new")}
    first, second = (send(client, "/forums/categories/new", data) for _ in range(2))
    assert first == second and first.flashes == ("The category is saved.",)
    assert count(Category) == before + 1


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def forum(request, tmp_path_factory):
    """(app, a person's login, thread id) on a scratch database."""
    app = scratch_app(request.param, tmp_path_factory.mktemp("forum-double"), "forum_double")
    with app.test_request_context(method="POST"):
        person = factories.user()
        thread = ff.thread()
        database.session.commit()
        ids = person.get_id(), thread.id
        database.session.remove()
    yield app, *ids
    close(app)


def _stored(app, *where) -> int:
    model = where[0]
    with app.app_context():
        found = database.session.scalar(select(func.count()).select_from(model)
                                         .where(*where[1:]))
        database.session.remove()
    return found


def test_two_new_threads_at_once_with_one_key_make_one_thread(forum):
    app, login, _thread_id = forum
    before = _stored(app, Thread)
    key = key_on(signed_in(app, login), "/forums/c/general/new")
    answers = at_once(app, login, "/forums/c/general/new",
                      thread_form(title="Dublu clic", submission_key=key))
    assert answers[0] == answers[1] and answers[0].status == 303
    assert "/forums/t/" in answers[0].location
    assert _stored(app, Thread) == before + 1


def test_two_replies_at_once_with_one_key_make_one_post(forum):
    app, login, thread_id = forum
    before = _stored(app, Post, Post.thread_id == thread_id)
    key = key_on(signed_in(app, login), f"/forums/t/{thread_id}")
    answers = at_once(app, login, f"/forums/t/{thread_id}/reply",
                      {"body": "Trimis de două ori.", "submission_key": key})
    assert answers[0] == answers[1] and answers[0].status == 303
    assert _stored(app, Post, Post.thread_id == thread_id) == before + 1
    # and a reply with a new key is a new post
    again = at_once(app, login, f"/forums/t/{thread_id}/reply", {
        "body": "Altul.", "submission_key": key_on(signed_in(app, login),
                                                   f"/forums/t/{thread_id}")}, n=1)
    assert again[0].location != answers[0].location
    assert _stored(app, Post, Post.thread_id == thread_id) == before + 2


def test_a_double_click_on_like_is_one_like_and_no_conflict(client, db, login_as):
    thread = ff.thread()
    ff.reply(thread)
    db.session.commit()
    login_as("citizen")
    post = ff.post_number(thread, 2)
    key = key_on(client, f"/forums/t/{thread.id}")  # the first like button's
    first, second = (send(client, f"/forums/p/{post.id}/like", {"submission_key": key})
                     for _ in range(2))
    assert first.status == 303 and first == second  # before: a 409 "Conflict" page
    database.session.expire_all()
    assert database.session.get(Post, post.id).reaction_count == 1
