"""Reported forum posts over HTTP: reports with a reason go to the moderators' queue, three
distinct reporters hide a post until a moderator decides, moderators hide and unhide with a
public reason, which the author and the reporters are told; a thread whose opening post is
hidden stays readable; moderators see a count of what waits on the menu."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from m100hub.moderation.models import Report
from tests.support import factories
from tests.support import forum_factories as ff
from tests.support.forum_factories import count
from tests.support.forums import activity, english, fresh, page, snapshot

# --- reports -------------------------------------------------------------------------------


def test_report_with_a_reason_goes_to_the_queue(client, db, login_as):
    thread = ff.thread()
    post = ff.reply(thread, body="Reclamă la pastile.")
    db.session.commit()
    reporter = login_as("citizen", locale="en")

    form = client.get(f"/moderation/post/{post.id}/report")
    assert form.status_code == 200 and "Report post #2" in page(form)
    response = client.post(f"/moderation/post/{post.id}/report", data={"reason": "Reclamă"})

    assert response.status_code == 303
    report = db.session.scalar(select(Report).where(Report.about("post", post.id)))
    assert (report.reporter_id, report.reason, report.resolved_dt) == (reporter.id, "Reclamă",
                                                                       None)
    post = fresh(db, post)
    assert post.report_count == 1 and post.hidden_dt is None
    assert "Thank you: the moderators will look at this post." in page(
        client.get(response.headers["Location"]))

    login_as("moderator", locale="en")
    queue = page(client.get("/moderation"))
    assert "Reclamă la pastile." in queue and "Reclamă" in queue
    assert f'action="/moderation/post/{post.id}/hide"' in queue


def test_reporting_twice_is_409_and_nothing_written(client, db, login_as):
    thread = ff.thread()
    post = ff.reply(thread)
    db.session.commit()
    login_as("citizen")
    answer = client.post(f"/moderation/post/{post.id}/report", data={"reason": "Spam"})
    assert answer.status_code == 303
    before = snapshot(db)
    assert client.post(f"/moderation/post/{post.id}/report",
                       data={"reason": "Tot spam"}).status_code == 409
    assert snapshot(db) == before


@pytest.mark.parametrize("reason", ["", "    ", "r" * 501])
def test_bad_report_reason_is_refused_and_nothing_written(client, db, login_as, reason):
    thread = ff.thread()
    post = ff.reply(thread)
    db.session.commit()
    login_as("citizen", locale="en")
    before = snapshot(db)
    response = client.post(f"/moderation/post/{post.id}/report", data={"reason": reason})
    assert response.status_code == 200
    assert "Please correct the following:" in page(response)
    assert snapshot(db) == before


def test_cannot_report_own_post(client, db, login_as):
    user = login_as("citizen")
    thread = ff.thread(user)
    db.session.commit()
    before = snapshot(db)
    post = ff.opening_post(thread)
    assert client.get(f"/moderation/post/{post.id}/report").status_code == 403
    answer = client.post(f"/moderation/post/{post.id}/report", data={"reason": "x"})
    assert answer.status_code == 403
    assert snapshot(db) == before


def test_third_distinct_reporter_hides_the_post_until_a_moderator_decides(client, db,
                                                                          login_as):
    thread = ff.thread(category_slug="energie")
    post = ff.reply(thread, body="Conținut jignitor.")
    db.session.commit()
    category_posts = ff.category("energie").post_count
    for n in range(2):
        login_as("citizen")
        client.post(f"/moderation/post/{post.id}/report", data={"reason": f"Motiv {n}"})
        assert fresh(db, post).hidden_dt is None
    login_as("citizen")
    assert client.post(f"/moderation/post/{post.id}/report",
                       data={"reason": "Motiv 2"}).status_code == 303

    post = fresh(db, post)
    assert post.hidden_dt is not None and post.hidden_by_id is None and post.report_count == 3
    assert fresh(db, thread).post_count == 1
    assert ff.category("energie").post_count == category_posts - 1
    anonymous = client.application.test_client()
    english(anonymous)
    html = page(anonymous.get(f"/forums/t/{thread.id}"))
    assert "Hidden after several reports, until a moderator decides." in html
    assert "Conținut jignitor." not in html

    moderator = login_as("moderator", locale="en")
    queue = page(client.get("/moderation"))
    assert "Conținut jignitor." in queue and "hidden until you decide" in queue
    assert all(f"Motiv {n}" in queue for n in range(3))

    # The moderator keeps it visible: reports are settled, the log says so.
    assert client.post(f"/moderation/post/{post.id}/keep").status_code == 303
    post = fresh(db, post)
    assert post.hidden_dt is None and post.report_count == 0
    assert count(Report, Report.about("post", post.id), Report.resolved_dt.is_(None)) == 0
    assert fresh(db, thread).post_count == 2
    entry = activity(db, "forum_post_shown")[0]
    assert (entry.actor_id, entry.target_type, entry.target_id) == (moderator.id,
                                                                    "forum_threads", thread.id)
    assert "No forum post is waiting." in page(client.get("/moderation"))


def test_opening_post_hidden_by_reports_leaves_the_thread_readable(client, db, login_as):
    author = factories.user(locale="en")
    thread = ff.thread(author, category_slug="industrie", title="Subiect raportat",
                       body="Text raportat.")
    ff.reply(thread, body="Un răspuns care rămâne.")
    db.session.commit()
    threads_before = ff.category("industrie").thread_count
    for _ in range(3):
        login_as("citizen")
        client.post(f"/moderation/post/{ff.opening_post(thread).id}/report",
                    data={"reason": "Spam"})

    assert fresh(db, thread).hidden is False
    assert ff.category("industrie").thread_count == threads_before
    anonymous = client.application.test_client()
    english(anonymous)
    html = page(anonymous.get(f"/forums/t/{thread.id}"))
    assert "Subiect raportat" in html and "Un răspuns care rămâne." in html
    assert "Hidden after several reports, until a moderator decides." in html
    assert "Text raportat." not in html
    assert "Subiect raportat" in page(anonymous.get("/forums/c/industrie"))
    # The author and the moderators still read the hidden text.
    login_as("citizen", user=author)
    assert "Text raportat." in page(client.get(f"/forums/t/{thread.id}"))
    login_as("moderator")
    assert "Text raportat." in page(client.get(f"/forums/t/{thread.id}"))


# --- hidden posts and threads --------------------------------------------------------------


def test_moderator_hides_a_post_with_a_public_reason(client, db, login_as):
    author = factories.user(locale="en")
    thread = ff.thread(category_slug="general")
    post = ff.reply(thread, author, body="Text cu insulte.")
    db.session.commit()
    category_posts = ff.category("general").post_count
    moderator = login_as("moderator", locale="en")

    response = client.post(f"/moderation/post/{post.id}/hide", data={"reason": "Limbaj jignitor"})

    assert response.status_code == 303
    post = fresh(db, post)
    assert post.hidden_dt is not None and post.hidden_by_id == moderator.id
    assert post.hidden_reason == "Limbaj jignitor"
    assert fresh(db, thread).post_count == 1
    assert ff.category("general").post_count == category_posts - 1
    entry = activity(db, "forum_post_hidden")[0]
    assert (entry.actor_id, entry.target_type, entry.target_id, entry.reason) == (
        moderator.id, "forum_threads", thread.id, "Limbaj jignitor")
    assert entry.details["number"] == 2

    placeholder = "This post was hidden by a moderator: Limbaj jignitor"
    moderator_view = page(client.get(f"/forums/t/{thread.id}"))
    assert placeholder in moderator_view and "Text cu insulte." in moderator_view
    assert "Show again" in moderator_view
    login_as("citizen", user=author)
    author_view = page(client.get(f"/forums/t/{thread.id}"))
    assert placeholder in author_view and "Text cu insulte." in author_view
    login_as("citizen", locale="en")
    other_view = page(client.get(f"/forums/t/{thread.id}"))
    assert placeholder in other_view and "Text cu insulte." not in other_view
    anonymous = client.application.test_client()
    english(anonymous)
    anonymous_view = page(anonymous.get(f"/forums/t/{thread.id}"))
    assert placeholder in anonymous_view and "Text cu insulte." not in anonymous_view
    # The author may not edit a hidden post, nor may anyone like it.
    login_as("citizen", user=author)
    assert client.post(f"/forums/p/{post.id}/edit", data={"body": "Altceva"}).status_code == 403


@pytest.mark.parametrize("reason", ["", "   ", "r" * 501])
def test_hiding_needs_a_reason_and_writes_nothing_without_one(client, db, login_as, reason):
    thread = ff.thread()
    post = ff.reply(thread)
    db.session.commit()
    login_as("moderator", locale="en")
    before = snapshot(db)
    response = client.post(f"/moderation/post/{post.id}/hide", data={"reason": reason})
    assert response.status_code == 303
    assert snapshot(db) == before
    assert "Give a public reason when you hide a post." in page(
        client.get(response.headers["Location"]))


def test_unhide_restores_the_post_and_counters(client, db, login_as):
    thread = ff.thread()
    post = ff.reply(thread, body="Revine.")
    db.session.commit()
    moderator = login_as("moderator", locale="en")
    client.post(f"/moderation/post/{post.id}/hide", data={"reason": "Verificare"})
    assert fresh(db, thread).post_count == 1
    assert client.post(f"/moderation/post/{post.id}/keep",
                       data={"reason": "Era în regulă"}).status_code == 303
    post = fresh(db, post)
    assert post.hidden_dt is None and post.hidden_reason == "" and post.hidden_by_id is None
    assert fresh(db, thread).post_count == 2
    entry = activity(db, "forum_post_shown")[0]
    assert (entry.actor_id, entry.reason) == (moderator.id, "Era în regulă")
    anonymous = client.application.test_client()
    assert "Revine." in page(anonymous.get(f"/forums/t/{thread.id}"))


def test_hiding_the_opening_post_keeps_the_thread_and_its_replies_readable(
    client, db, login_as
):
    author = factories.user(locale="en")
    thread = ff.thread(author, category_slug="cladiri", title="Fir cu deschidere ascunsă",
                       body="Deschidere jignitoare.")
    reply = ff.reply(thread, body="Răspuns politicos.")
    db.session.commit()
    threads_before = ff.category("cladiri").thread_count
    login_as("moderator", locale="en")
    html = page(client.get(f"/forums/t/{thread.id}"))
    # the moderator is told what hiding does before choosing, beside the reason's field
    assert 'aria-describedby="hide-warning"' in html
    assert "the thread and its replies stay readable" in html
    client.post(f"/moderation/post/{ff.opening_post(thread).id}/hide",
                data={"reason": "Limbaj jignitor"})
    assert fresh(db, thread).hidden is False
    assert ff.category("cladiri").thread_count == threads_before

    notice = "This post was hidden by a moderator: Limbaj jignitor"
    anonymous = client.application.test_client()
    english(anonymous)
    for url in (f"/forums/t/{thread.id}", f"/forums/p/{reply.id}"):
        response = anonymous.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        html = page(response)
        assert notice in html and "Răspuns politicos." in html, url
        assert "Deschidere jignitoare." not in html, url
    assert "Fir cu deschidere ascunsă" in page(anonymous.get("/forums/c/cladiri"))

    # people may still reply to it
    login_as("citizen")
    response = client.post(f"/forums/t/{thread.id}/reply", data={"body": "Revin la subiect."})
    assert response.status_code == 303
    assert "Revin la subiect." in page(anonymous.get(f"/forums/t/{thread.id}"))


def test_a_post_kept_visible_may_be_reported_again_by_the_same_person(client, db, login_as):
    from m100hub.moderation import services as moderation

    thread = ff.thread()
    post = ff.opening_post(thread)
    reporter = login_as("citizen", locale="en")
    db.session.commit()
    answer = client.post(f"/moderation/post/{post.id}/report", data={"reason": "spam"})
    assert answer.status_code == 303
    answer = client.post(f"/moderation/post/{post.id}/report", data={"reason": "iar"})
    assert answer.status_code == 409
    moderation.keep_visible(factories.user(is_moderator=True), post)
    db.session.commit()
    answer = client.post(f"/moderation/post/{post.id}/report", data={"reason": "editat"})
    assert answer.status_code == 303
    assert count(Report, Report.reporter_id == reporter.id) == 2
