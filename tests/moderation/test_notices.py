"""What moderation tells people: a hidden item's author (with the public reason), the people
who reported it (hidden or kept), and the moderators, by a count on the menu's entry."""

from __future__ import annotations

import re

import pytest

from m100hub.consultations.models import Comment
from m100hub.extensions import db as _db
from m100hub.moderation import services as moderation
from m100hub.notifications.models import Notification
from tests.support import factories
from tests.support import forum_factories as ff
from tests.support.consultations import build, comment
from tests.support.forum_factories import count
from tests.support.forums import fresh, notifications, page, snapshot


def reported_post(reporters: int, title: str = "Fir despre biciclete"):
    author = factories.user(locale="en", name="Ana Autoarea")
    thread = ff.thread(title=title)
    post = ff.reply(thread, author, body="Un text discutabil.")
    people = [factories.user(locale="en") for _ in range(reporters)]
    for person in people:
        moderation.report(person, post, "Jignitor")
    _db.session.commit()
    return author, thread, post, people


def centre(client, login_as, user) -> str:
    login_as(user=user)
    return page(client.get("/notifications"))


def test_hiding_tells_the_author_and_the_reporters_with_the_public_reason(
    client, db, login_as
):
    author, thread, post, reporters = reported_post(2)
    moderator = login_as("moderator", locale="en")

    response = client.post(f"/moderation/post/{post.id}/hide", data={"reason": "Limbaj jignitor"})
    assert response.status_code == 303

    [told] = notifications(db, author, "moderation_hidden")
    assert told.actor_id == moderator.id and told.payload["reason"] == "Limbaj jignitor"
    html = centre(client, login_as, author)
    assert ("A moderator hid your post in “Fir despre biciclete”. Public reason: Limbaj "
            "jignitor") in html
    opened = client.post(f"/notifications/{told.id}/open")
    assert opened.headers["Location"] == f"/forums/p/{post.id}"
    for reporter in reporters:
        assert [n.payload["outcome"] for n in
                notifications(db, reporter, "moderation_report_decided")] == ["hidden"]
        assert ("The post you reported in “Fir despre biciclete” was hidden. Public reason: "
                "Limbaj jignitor") in centre(client, login_as, reporter)
    # the post opens where it was, with the notice in its place
    anonymous = client.application.test_client()
    html = page(anonymous.get(f"/forums/p/{post.id}", follow_redirects=True))
    assert "Limbaj jignitor" in html and "Un text discutabil." not in html


def test_a_second_press_of_hide_is_409_and_tells_nobody_again(client, db, login_as):
    author, _thread, post, _reporters = reported_post(1)
    login_as("moderator", locale="en")
    assert client.post(f"/moderation/post/{post.id}/hide",
                       data={"reason": "Spam"}).status_code == 303
    before = snapshot(db), count(Notification)

    response = client.post(f"/moderation/post/{post.id}/hide", data={"reason": "Spam"})

    assert response.status_code == 409
    assert (snapshot(db), count(Notification)) == before
    assert fresh(db, post).hidden_reason == "Spam"


@pytest.mark.parametrize("reason", ["", "   ", "r" * 501])
def test_a_refused_hide_tells_nobody(client, db, login_as, reason):
    author, _thread, post, reporters = reported_post(1)
    login_as("moderator", locale="en")
    before = count(Notification)
    client.post(f"/moderation/post/{post.id}/hide", data={"reason": reason})
    assert count(Notification) == before
    assert fresh(db, post).hidden_dt is None


def test_keeping_a_post_visible_tells_the_reporters_not_the_author(client, db, login_as):
    author, _thread, post, reporters = reported_post(3)  # three reports hid it meanwhile
    assert fresh(db, post).hidden_dt is not None
    login_as("moderator", locale="en")

    assert client.post(f"/moderation/post/{post.id}/keep", data={"reason": ""}).status_code == 303

    assert notifications(db, author, "moderation_hidden") == []
    for reporter in reporters:
        assert [n.payload["outcome"] for n in
                notifications(db, reporter, "moderation_report_decided")] == ["kept"]
    assert ("The post you reported in “Fir despre biciclete” was kept visible by the "
            "moderators.") in centre(client, login_as, reporters[0])


def test_the_notices_are_in_the_readers_language(client, db, login_as):
    author, _thread, post, _reporters = reported_post(0)
    author.locale = "ro"
    _db.session.commit()
    login_as("moderator", locale="en")
    client.post(f"/moderation/post/{post.id}/hide", data={"reason": "Limbaj jignitor"})
    html = centre(client, login_as, author)
    assert "Un moderator ți-a ascuns mesajul din „Fir despre biciclete”" in html


def test_a_hidden_comment_tells_its_author_with_the_consultation_named(client, db, login_as):
    scene = build("open", title="Piste de biciclete")
    author = factories.user(locale="en")
    comment_id = comment(scene, author=author, body="Un comentariu jignitor")
    reporter = factories.user(locale="en")
    moderation.report(reporter, _db.session.get(Comment, comment_id), "Jignitor")
    _db.session.commit()
    login_as("moderator", locale="en")

    client.post(f"/moderation/comment/{comment_id}/hide", data={"reason": "Atac la persoană"})

    html = centre(client, login_as, author)
    assert ("A moderator hid your comment in “Piste de biciclete”. Public reason: Atac la "
            "persoană") in html
    [told] = notifications(db, author, "moderation_hidden")
    opened = client.post(f"/notifications/{told.id}/open")
    assert opened.headers["Location"] == f"/comments/{comment_id}"
    assert ("The comment you reported in “Piste de biciclete” was hidden. Public reason: "
            "Atac la persoană") in centre(client, login_as, reporter)
    text = page(client.get(scene.url))
    assert "This comment was hidden by a moderator: Atac la persoană" in text


# --- the moderators' badge -----------------------------------------------------------------


def menu_entry(html: str) -> str:
    found = re.search(r'<a href="/moderation"[^>]*>(.*?)</a>', html, re.S)
    return found.group(1) if found else ""


def test_moderators_see_how_many_reported_items_wait_on_the_menu(client, db, login_as):
    login_as("moderator", locale="en")
    assert menu_entry(page(client.get("/forums"))) == "Moderation"
    _author, _thread, post, _reporters = reported_post(2)  # two reports, one item
    other = ff.reply(ff.thread())
    moderation.report(factories.user(), other, "Spam")
    deleted = ff.reply(ff.thread())
    moderation.report(factories.user(), deleted, "Spam")
    deleted.deleted_dt = deleted.created_dt  # its author deleted it: nothing to decide
    _db.session.commit()

    entry = menu_entry(page(client.get("/forums")))
    assert entry == ('Moderation <span class="badge">2</span>'
                     '<span class="visually-hidden"> waiting</span>')
    client.post(f"/moderation/post/{post.id}/hide", data={"reason": "Spam"})
    assert '<span class="badge">1</span>' in menu_entry(page(client.get("/forums")))
    client.post(f"/moderation/post/{other.id}/keep", data={"reason": ""})
    assert menu_entry(page(client.get("/forums"))) == "Moderation"

    login_as("citizen", locale="en")
    moderation.report(factories.user(), ff.reply(ff.thread()), "Spam")
    _db.session.commit()
    assert menu_entry(page(client.get("/forums"))) == ""  # no entry, no count


def test_the_badge_is_one_query_whatever_the_number_of_reports(client, db, login_as,
                                                                count_queries):
    login_as("moderator", locale="en")
    client.get("/forums")
    with count_queries() as few:
        client.get("/forums")
    for _ in range(5):
        moderation.report(factories.user(), ff.reply(ff.thread()), "Spam")
    _db.session.commit()
    with count_queries() as many:
        html = page(client.get("/forums"))
    assert '<span class="badge">5</span>' in html
    assert many.count == few.count
    assert sum("reports" in s for s in many.statements) == 1
