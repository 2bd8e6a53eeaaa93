"""Reported consultation comments in the moderators' queue (shared with the forums): three
distinct reports hide a comment; a moderator hides it with a public reason or keeps it."""

from __future__ import annotations

from sqlalchemy import func, select

from m100hub.activity.models import ActivityEntry
from m100hub.consultations import participation
from m100hub.consultations.models import Comment, Consultation
from m100hub.extensions import db as _db
from m100hub.moderation.models import Report
from tests.support import consultation_factories as cf
from tests.support import factories


def _comment(item, author=None, body="Un comentariu nepotrivit.") -> Comment:
    return participation.add_comment(author or factories.person(), item, body)


def _report(client, login_as, comment_id, reason="Jignitor"):
    login_as("citizen")
    return client.post(f"/moderation/comment/{comment_id}/report", data={"reason": reason})


def test_three_reports_hide_a_comment_until_a_moderator_decides(db, client, login_as):
    item = cf.consultation("open")
    comment = _comment(item)
    comment_id, item_id = comment.id, item.id
    db.session.commit()
    for n in range(3):
        assert _report(client, login_as, comment_id, f"Motiv {n}").status_code == 303
    stored = db.session.get(Comment, comment_id)
    db.session.refresh(stored)
    assert stored.hidden_dt is not None and stored.report_count == 3
    assert db.session.get(Consultation, item_id).comment_count == 0
    page = client.get(f"/consultations/{item_id}").get_data(as_text=True)
    assert "Un comentariu nepotrivit." not in page
    assert "Hidden after several reports" in page or "Ascuns după mai multe" in page

    login_as("moderator", locale="en")
    client.set_cookie("lang", "en")
    queue = client.get("/moderation").get_data(as_text=True)
    assert "Un comentariu nepotrivit." in queue and "Motiv 2" in queue
    response = client.post(f"/moderation/comment/{comment_id}/keep", data={"reason": ""})
    assert response.status_code == 303
    db.session.refresh(stored)
    assert stored.hidden_dt is None and stored.report_count == 0
    assert db.session.get(Consultation, item_id).comment_count == 1
    assert db.session.scalar(select(func.count()).select_from(Report).where(
        Report.about("comment", comment_id), Report.resolved_dt.is_(None))) == 0
    assert "Un comentariu nepotrivit." not in client.get("/moderation").get_data(
        as_text=True)


def test_a_moderator_hides_a_reported_comment_with_a_public_reason(db, client, login_as):
    item = cf.consultation("open")
    comment = _comment(item)
    comment_id, item_id = comment.id, item.id
    db.session.commit()
    assert _report(client, login_as, comment_id).status_code == 303
    login_as("moderator")
    answer = client.post(f"/moderation/comment/{comment_id}/hide", data={"reason": ""})
    assert answer.status_code == 303
    assert db.session.get(Comment, comment_id).hidden_dt is None  # a reason is required
    assert client.post(f"/moderation/comment/{comment_id}/hide",
                       data={"reason": "Limbaj jignitor"}).status_code == 303
    stored = db.session.get(Comment, comment_id)
    _db.session.refresh(stored)
    assert stored.hidden_dt is not None and stored.hidden_reason == "Limbaj jignitor"
    entry = db.session.scalar(select(ActivityEntry).order_by(ActivityEntry.id.desc()))
    assert entry.verb == "consultation_comment_hidden" and entry.reason == "Limbaj jignitor"
    assert client.post("/logout").status_code in (302, 303)
    page = client.get(f"/consultations/{item_id}").get_data(as_text=True)
    assert "Limbaj jignitor" in page and "Un comentariu nepotrivit." not in page


def test_only_moderators_decide_and_reports_are_refused_twice_or_on_own(db, client, login_as):
    item = cf.consultation("open")
    author = factories.person()
    comment = _comment(item, author)
    comment_id = comment.id
    db.session.commit()
    login_as("citizen")
    answer = client.post(f"/moderation/comment/{comment_id}/hide", data={"reason": "x"})
    assert answer.status_code == 403
    assert client.post(f"/moderation/comment/{comment_id}/keep").status_code == 403
    answer = client.post(f"/moderation/comment/{comment_id}/report", data={"reason": "a"})
    assert answer.status_code == 303
    answer = client.post(f"/moderation/comment/{comment_id}/report", data={"reason": "b"})
    assert answer.status_code == 409
    login_as(user=author)
    answer = client.post(f"/moderation/comment/{comment_id}/report", data={"reason": "c"})
    assert answer.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Report)) == 1
    login_as("moderator")
    answer = client.post("/moderation/comment/2147483647/hide", data={"reason": "x"})
    assert answer.status_code == 404
