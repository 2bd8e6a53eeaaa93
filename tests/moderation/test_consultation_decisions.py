"""Moderators decide on reported consultation comments: the queue, hiding with a public
reason, keeping visible; only moderators and admins decide."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from m100hub.accounts.models import User
from m100hub.consultations.models import Comment, Consultation
from m100hub.extensions import db as _db
from m100hub.moderation import services as moderation
from m100hub.moderation.models import Report
from tests.support import factories
from tests.support.consultations import (
    HUGE_IDS,
    Scene,
    build,
    comment,
    count,
    follow_redirect,
    fresh,
    logged,
    page,
    redirects_to_login,
    sign_in,
    snapshot,
)

# --- moderators decide on reported comments -----------------------------------------------


def reported(scene: Scene, reports: int, body: str = "Un comentariu raportat") -> int:
    """A comment with ``reports`` distinct reports (three hide it), through the service."""
    comment_id = comment(scene, body=body)
    for n in range(reports):
        moderation.report(
            factories.user(name=f"Raportorul {n}"),
            _db.session.get(Comment, comment_id),
            f"Motivul {n}",
        )
    _db.session.commit()
    return comment_id


def test_reported_comments_wait_on_the_moderators_queue(client, db, login_as):
    scene = build("open", title="Consultarea moderată")
    waiting = reported(scene, 1, "Așteaptă decizia")
    hidden = reported(scene, 3, "Ascuns de rapoarte")
    calm = comment(scene, body="Nimeni nu l-a raportat")
    _db.session.commit()
    sign_in(login_as, client, "moderator")

    text = page(client.get("/moderation"))

    assert "Comments in consultations" in text
    assert "Așteaptă decizia" in text and "Ascuns de rapoarte" in text
    assert "Nimeni nu l-a raportat" not in text
    assert text.index("Ascuns de rapoarte") < text.index("Așteaptă decizia")  # hidden first
    assert "Raportorul 0: Motivul 0" in text and "hidden until you decide" in text
    for comment_id in (waiting, hidden):
        assert f'action="/moderation/comment/{comment_id}/hide"' in text
        assert f'action="/moderation/comment/{comment_id}/keep"' in text
    assert f"/moderation/comment/{calm}/hide" not in text


def test_a_moderator_hides_a_comment_with_a_public_reason(client, db, login_as):
    scene = build("open")
    comment_id = reported(scene, 1, "Un text jignitor")
    moderator = sign_in(login_as, client, "moderator")

    response = client.post(f"/moderation/comment/{comment_id}/hide",
                           data={"reason": "Limbaj jignitor"})

    assert response.status_code == 303
    assert "The comment is hidden." in page(follow_redirect(client, response))
    row = fresh(Comment, comment_id)
    assert row.hidden_dt is not None and row.hidden_reason == "Limbaj jignitor"
    assert row.report_count == 0
    assert count(Report, Report.about("comment", comment_id), Report.resolved_dt.is_(None)) == 0
    assert fresh(Consultation, scene.id).comment_count == 0
    entries = logged("consultation_comment_hidden")
    assert [(e.actor_id, e.target_id, e.reason, e.details["comment_id"]) for e in entries] == [
        (moderator.id, scene.id, "Limbaj jignitor", comment_id)
    ]
    text = page(client.get(scene.url))
    assert "This comment was hidden by a moderator: Limbaj jignitor" in text
    assert "Un text jignitor" not in text
    assert "Un text jignitor" not in page(client.get("/moderation"))


@pytest.mark.parametrize(
    "reports, verb",
    [(3, "consultation_comment_shown"), (1, "consultation_comment_reports_dismissed")],
)
def test_a_moderator_keeps_a_reported_comment_visible(client, db, login_as, reports, verb):
    scene = build("open")
    comment_id = reported(scene, reports, "Un text discutabil")
    moderator = sign_in(login_as, client, "moderator")

    response = client.post(f"/moderation/comment/{comment_id}/keep", data={"reason": ""})

    assert response.status_code == 303
    assert "The comment is visible again." in page(follow_redirect(client, response))
    row = fresh(Comment, comment_id)
    assert (row.hidden_dt, row.report_count) == (None, 0)
    assert count(Report, Report.about("comment", comment_id), Report.resolved_dt.is_(None)) == 0
    assert fresh(Consultation, scene.id).comment_count == 1
    assert [e.actor_id for e in logged(verb)] == [moderator.id]
    assert "Un text discutabil" in page(client.get(scene.url))
    # a decided report frees the reporter to report the comment again
    first_reporter = _db.session.scalar(
        select(Report.reporter_id).where(Report.about("comment", comment_id)).order_by(Report.id)
    )
    login_as(user=_db.session.get(User, first_reporter))
    assert (
        client.post(f"/moderation/comment/{comment_id}/report",
                    data={"reason": "Din nou"}).status_code == 303
    )


def test_hiding_a_comment_needs_a_reason(client, db, login_as):
    scene = build("open")
    comment_id = reported(scene, 1)
    sign_in(login_as, client, "moderator")
    before = snapshot()
    for reason in ("", "   ", "x" * 501):
        response = client.post(f"/moderation/comment/{comment_id}/hide", data={"reason": reason})
        assert response.status_code == 303
        assert "Give a public reason when you hide a comment." in page(
            follow_redirect(client, response)
        )
    response = client.post(f"/moderation/comment/{comment_id}/keep", data={"reason": "x" * 501})
    assert "The reason is too long." in page(follow_redirect(client, response))
    assert snapshot() == before


@pytest.mark.parametrize("role", ["anonymous", "unconfirmed", "citizen", "suceava_official"])
def test_only_moderators_decide_on_comments(client, db, login_as, role):
    scene = build("open")
    comment_id = reported(scene, 1)
    sign_in(login_as, client, role)
    before = snapshot()
    for action in ("hide", "keep"):
        response = client.post(f"/moderation/comment/{comment_id}/{action}",
                               data={"reason": "Motiv"})
        if role == "anonymous":
            assert redirects_to_login(response)
        else:
            assert response.status_code == 403
    assert snapshot() == before


def test_an_admin_also_decides_and_unknown_comments_are_404(client, db, login_as):
    scene = build("open")
    comment_id = reported(scene, 1)
    sign_in(login_as, client, "admin")
    before = snapshot()
    for ident in HUGE_IDS:
        answer = client.post(f"/moderation/comment/{ident}/hide", data={"reason": "x"})
        assert answer.status_code == 404
    assert snapshot() == before
    answer = client.post(f"/moderation/comment/{comment_id}/hide", data={"reason": "Spam"})
    assert answer.status_code == 303
    assert fresh(Comment, comment_id).hidden_reason == "Spam"
