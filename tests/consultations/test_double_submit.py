"""Double submits in consultations: a new consultation, a question, a proposal, a comment and
a reply to a comment, each sent twice with its form's key, are written once and both answers
land on the same page; two comments at the same moment with one key (PostgreSQL and SQLite)
are one comment."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from m100hub.consultations.models import Comment, Consultation, Proposal, Question
from m100hub.extensions import db as database
from tests.support import consultation_factories as cf
from tests.support import factories
from tests.support.consultations import (
    build,
    comment,
    consultation_form,
    count,
    propose,
    question_form,
)
from tests.support.submissions import at_once, close, key_on, scratch_app, send, signed_in


def _twice(client, path: str, data: dict):
    first, second = (send(client, path, data) for _ in range(2))
    assert first.status == 303 and first == second
    return first


def test_a_new_consultation_sent_twice_is_one_draft(client, db, login_as):
    login_as("admin", locale="en")
    before = count(Consultation)
    sent = _twice(client, "/consultations/new", consultation_form(
        submission_key=key_on(client, "/consultations/new")))
    assert sent.flashes == ("The draft is saved. Add its questions, then announce it.",)
    assert count(Consultation) == before + 1


def test_a_question_sent_twice_is_one_question(client, db, login_as):
    admin = login_as("admin", locale="en")
    scene = build("draft", city=None, author=admin, kinds=())
    key = key_on(client, f"/consultations/{scene.id}/manage")
    _twice(client, f"/consultations/{scene.id}/questions", question_form(submission_key=key))
    assert count(Question, Question.consultation_id == scene.id) == 1


def test_a_proposal_sent_twice_is_one_proposal(client, db, login_as):
    scene = build("open")
    login_as("citizen", locale="en")
    path = f"/consultations/{scene.id}/proposals/new"
    sent = _twice(client, path, {"title": "Piste pe malul Sucevei", "body": "Ar lega cartierele.",
                                 "submission_key": key_on(client, path)})
    assert sent.flashes == ("Your proposal is published.",)
    assert count(Proposal, Proposal.consultation_id == scene.id) == 1


def test_a_comment_and_a_reply_sent_twice_are_written_once(client, db, login_as):
    scene = build("open")
    proposal_id = propose(scene)
    parent_id = comment(scene)
    db.session.commit()
    login_as("citizen", locale="en")
    keys = key_on(client, scene.url), key_on(client, f"/proposals/{proposal_id}")
    on_page = _twice(client, f"{scene.url}/comments", {"body": "Da!", "submission_key": keys[0]})
    assert on_page.location.endswith("#comment-" + on_page.location.rsplit("-", 1)[1])
    _twice(client, f"{scene.url}/comments", {"body": "Și eu.", "parent_id": str(parent_id),
                                             "submission_key": key_on(client, scene.url)})
    _twice(client, f"/proposals/{proposal_id}/comments",
           {"body": "Bună idee.", "submission_key": keys[1]})
    assert count(Comment, Comment.consultation_id == scene.id) == 4  # the first and three
    assert count(Comment, Comment.parent_id == parent_id) == 1


def test_a_double_click_on_support_is_one_support_and_no_conflict(client, db, login_as):
    scene = build("open")
    proposal_id = propose(scene)
    db.session.commit()
    login_as("citizen", locale="en")
    key = key_on(client, f"/proposals/{proposal_id}")
    _twice(client, f"/proposals/{proposal_id}/support", {"submission_key": key})
    db.session.expire_all()
    assert db.session.get(Proposal, proposal_id).support_count == 1


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def hub(request, tmp_path_factory):
    app = scratch_app(request.param, tmp_path_factory.mktemp("comment-double"),
                      "comment_double")
    with app.test_request_context(method="POST"):
        person = factories.user()
        consultation_id = cf.consultation("open", city_slug=None).id
        database.session.commit()
        ids = person.get_id(), consultation_id
        database.session.remove()
    yield app, *ids
    close(app)


def test_two_comments_at_once_with_one_key_are_one_comment(hub):
    app, login, consultation_id = hub
    key = key_on(signed_in(app, login), f"/consultations/{consultation_id}")
    answers = at_once(app, login, f"/consultations/{consultation_id}/comments",
                      {"body": "Dublu clic.", "submission_key": key})
    assert answers[0] == answers[1] and answers[0].status == 303
    with app.app_context():
        stored = database.session.scalar(select(func.count()).select_from(Comment)
                                         .where(Comment.consultation_id == consultation_id))
        database.session.remove()
    assert stored == 1
