"""The thread page over HTTP: reading, replying, quoting, pages of 20 posts, unknown or huge
ids, read markers and the first unread post, locked threads."""

from __future__ import annotations

import pytest

from m100hub.forums.models import ReadMarker, Subscription
from m100hub.forums.queries import POSTS_PER_PAGE
from tests.support import factories
from tests.support import forum_factories as ff
from tests.support.forum_factories import count
from tests.support.forums import HUGE_IDS, activity, english, fresh, page, snapshot

# --- the thread page, replies and quotes -------------------------------------------------


def test_anonymous_reader_sees_posts_and_is_invited_to_sign_in(client, db):
    thread = ff.thread(title="Transport electric", body="Autobuze electrice în Suceava.")
    ff.reply(thread, body="Și troleibuze.")
    db.session.commit()
    english(client)
    markers = count(ReadMarker)

    response = client.get(f"/forums/t/{thread.id}")

    assert response.status_code == 200
    html = page(response)
    assert "Autobuze electrice în Suceava." in html and "Și troleibuze." in html
    assert 'id="post-1"' in html and 'id="post-2"' in html
    assert "Sign in to reply." in html
    assert f'action="/forums/t/{thread.id}/reply"' not in html
    assert "Follow" not in html and "/like" not in html
    # An anonymous GET writes nothing.
    assert count(ReadMarker) == markers == 0
    assert fresh(db, thread).post_count == 2


def test_reply_writes_the_post_counters_and_follow(client, db, login_as):
    thread = ff.thread(category_slug="agricultura")
    db.session.commit()
    category_posts = ff.category("agricultura").post_count
    user = login_as("citizen", locale="en")

    response = client.post(f"/forums/t/{thread.id}/reply", data={"body": "Un *răspuns*."})

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/forums/t/{thread.id}?page=1#post-2")
    post = ff.post_number(thread, 2)
    assert post.author_id == user.id and post.body_html == "<p>Un <em>răspuns</em>.</p>"
    thread = fresh(db, thread)
    assert (thread.post_count, thread.next_number, thread.last_poster_id) == (2, 3, user.id)
    category = ff.category("agricultura")
    assert category.post_count == category_posts + 1
    assert category.last_thread_id == thread.id
    assert count(Subscription, Subscription.user_id == user.id,
                 Subscription.thread_id == thread.id) == 1
    html = page(client.get(f"/forums/t/{thread.id}"))
    assert "Un <em>răspuns</em>." in html and "Post reply" in html


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "This field is required."),
        ("   \n\t ", "This field is required."),
        ("R" * 20001, "Field cannot be longer than 20000 characters."),
    ],
)
def test_bad_reply_is_refused_with_a_message_and_nothing_written(client, db, login_as, body,
                                                                  message):
    thread = ff.thread()
    db.session.commit()
    login_as("citizen", locale="en")
    before = snapshot(db)

    response = client.post(f"/forums/t/{thread.id}/reply", data={"body": body})

    # The thread page again, with the message and the text as typed (nothing is lost).
    assert response.status_code == 422
    assert snapshot(db) == before
    assert message in page(response)
    if body.strip():
        assert body[:100] in page(response)


def test_a_reply_of_20000_characters_is_accepted(client, db, login_as):
    thread = ff.thread()
    db.session.commit()
    login_as("citizen")
    assert client.post(f"/forums/t/{thread.id}/reply",
                       data={"body": "r" * 20000}).status_code == 303
    assert ff.post_number(thread, 2).body == "r" * 20000


@pytest.mark.parametrize("bad", HUGE_IDS + ["999999"])
def test_unknown_or_huge_thread_ids_are_404_and_nothing_written(client, db, login_as, bad):
    login_as("citizen")
    before = snapshot(db)
    assert client.get(f"/forums/t/{bad}").status_code == 404
    assert client.post(f"/forums/t/{bad}/reply", data={"body": "Salut"}).status_code == 404
    assert client.post(f"/forums/t/{bad}/follow").status_code == 404
    assert client.post(f"/forums/t/{bad}/unfollow").status_code == 404
    assert client.get(f"/forums/t/{bad}/unread").status_code == 404
    assert snapshot(db) == before


@pytest.mark.parametrize("bad", HUGE_IDS + ["999999"])
def test_unknown_or_huge_post_ids_are_404_and_nothing_written(client, db, login_as, bad):
    login_as("citizen")
    before = snapshot(db)
    assert client.get(f"/forums/p/{bad}").status_code == 404
    for action in ("edit", "report"):
        assert client.get(f"/forums/p/{bad}/{action}").status_code == 404
    for action, data in (("edit", {"body": "x"}), ("delete", {}), ("like", {}),
                         ("unlike", {}), ("report", {"reason": "Spam"})):
        assert client.post(f"/forums/p/{bad}/{action}", data=data).status_code == 404
    assert snapshot(db) == before


def test_post_address_redirects_to_its_page_and_anchor(client, db):
    thread = ff.thread()
    posts = ff.replies(thread, POSTS_PER_PAGE + 2)
    db.session.commit()
    response = client.get(f"/forums/p/{posts[-1].id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/forums/t/{thread.id}?page=2#post-{POSTS_PER_PAGE + 3}")


def test_thread_pages_hold_20_posts(client, db):
    thread = ff.thread(body="Mesajul 0.")
    ff.replies(thread, POSTS_PER_PAGE, body="Mesajul {i}.")
    db.session.commit()
    english(client)
    first = page(client.get(f"/forums/t/{thread.id}"))
    second = page(client.get(f"/forums/t/{thread.id}?page=2"))
    assert first.count('<li id="post-') == POSTS_PER_PAGE == 20
    assert second.count('<li id="post-') == 1 and "Mesajul 20." in second
    assert f'href="/forums/t/{thread.id}?page=2"' in first


def test_quote_prefills_the_reply_box(client, db, login_as):
    quoted_author = factories.user(name="Ana Verde")
    thread = ff.thread()
    quoted = ff.reply(thread, quoted_author, body="Prima linie.\nA doua linie.")
    db.session.commit()
    login_as("citizen", locale="en")

    html = page(client.get(f"/forums/t/{thread.id}?quote={quoted.id}"))

    box = html[html.index('<textarea'):html.index('</textarea>')]
    assert "&gt; **Ana Verde** wrote:" in box
    assert "&gt; Prima linie.\n&gt; A doua linie." in box
    assert f'quote={quoted.id}' in html  # each post offers "Quote"
    assert "Quote" in html


def test_quote_of_a_post_on_the_page_shown(client, db, login_as):
    """The quoted post is loaded with the page too (without its Markdown source): the quote
    reads its text all the same (it answered 500 before)."""
    thread = ff.thread(body="Deschiderea firului.")
    db.session.commit()
    login_as("citizen", locale="en")
    opening = ff.opening_post(thread).id
    db.session.expunge_all()  # a request's own session: nothing loaded before it

    response = client.get(f"/forums/t/{thread.id}?quote={opening}")

    assert response.status_code == 200
    assert "&gt; Deschiderea firului." in page(response)


def test_quote_of_a_foreign_hidden_or_bad_post_prefills_nothing(client, db, login_as):
    thread = ff.thread()
    other = ff.thread(body="Din alt subiect.")
    hidden = ff.reply(thread, body="Ascuns de moderatori.")
    moderator = factories.person("moderator")
    from m100hub.moderation import services as moderation
    moderation.hide(moderator, hidden, "Spam")
    db.session.commit()
    login_as("citizen", locale="en")
    for value in (str(ff.opening_post(other).id), str(hidden.id), "abc", "-1", "0",
                  "99999999999999999999", "²", "１"):
        response = client.get(f"/forums/t/{thread.id}", query_string={"quote": value})
        assert response.status_code == 200, value
        html = page(response)
        box = html[html.index('<textarea'):html.index('</textarea>')]
        assert "wrote:" not in box and "Din alt subiect." not in box, value
        assert "Ascuns de moderatori." not in box


# --- read markers and the first unread post ---------------------------------------------------


def test_signed_in_get_writes_the_read_marker_anonymous_get_does_not(client, db, login_as):
    thread = ff.thread()
    ff.replies(thread, 4)
    db.session.commit()
    anonymous = client.application.test_client()
    assert anonymous.get(f"/forums/t/{thread.id}").status_code == 200
    assert count(ReadMarker) == 0

    user = login_as("citizen")
    assert client.get(f"/forums/t/{thread.id}").status_code == 200
    marker = db.session.get(ReadMarker, (user.id, thread.id))
    assert marker.last_read_number == 5
    assert count(ReadMarker) == 1
    assert fresh(db, thread).post_count == 5  # reading changes no counter


def test_anonymous_reading_writes_nothing_at_all(client, db):
    thread = ff.thread(category_slug="energie", title="Doar citit")
    reply = ff.reply(thread, body="Citit de toți.")
    db.session.commit()
    before = snapshot(db)
    for url in ("/forums", "/forums/c/energie", f"/forums/t/{thread.id}",
                f"/forums/t/{thread.id}?page=2", f"/forums/t/{thread.id}?quote={reply.id}",
                f"/forums/p/{reply.id}", "/forums/search?q=citit"):
        assert client.get(url).status_code in (200, 302), url
    assert snapshot(db) == before
    assert count(ReadMarker) == 0


def test_a_signed_in_get_writes_only_the_read_marker(client, db, login_as):
    thread = ff.thread()
    ff.replies(thread, 2)
    db.session.commit()
    login_as("citizen")
    before = snapshot(db)
    assert client.get(f"/forums/t/{thread.id}").status_code == 200
    after = snapshot(db)
    assert after.pop("forum_read_markers") == before.pop("forum_read_markers") + 1
    assert after == before


def test_a_concurrent_first_visit_does_not_fail(client, db, login_as, monkeypatch):
    """Two first visits at once: the second finds no marker, then meets the first one's row
    on insert (PostgreSQL, two tabs). Simulated by hiding the row from the first look."""
    thread = ff.thread()
    db.session.commit()
    user = login_as("citizen")
    assert client.get(f"/forums/t/{thread.id}").status_code == 200
    real_get = db.session.get

    def get_missing_marker(model, ident, *args, **kwargs):
        return None if model is ReadMarker else real_get(model, ident, *args, **kwargs)

    monkeypatch.setattr(db.session, "get", get_missing_marker)
    ff.reply(thread)
    db.session.commit()
    assert client.get(f"/forums/t/{thread.id}").status_code == 200
    monkeypatch.undo()
    assert count(ReadMarker, ReadMarker.user_id == user.id) == 1


def test_first_unread_jumps_to_the_first_new_post(client, db, login_as):
    thread = ff.thread()
    ff.replies(thread, POSTS_PER_PAGE + 4)  # posts 1..24: page 2 holds 21..24
    db.session.commit()
    user = login_as("citizen")

    # Never read: the first post.
    response = client.get(f"/forums/t/{thread.id}/unread")
    assert response.headers["Location"].endswith(f"/forums/t/{thread.id}?page=1#post-1")

    client.get(f"/forums/t/{thread.id}")  # reads page 1: posts 1..20
    assert db.session.get(ReadMarker, (user.id, thread.id)).last_read_number == 20
    response = client.get(f"/forums/t/{thread.id}/unread")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/forums/t/{thread.id}?page=2#post-21")

    client.get(f"/forums/t/{thread.id}?page=2")  # reads to the end
    client.get(f"/forums/t/{thread.id}")  # page 1 again does not lower the marker
    db.session.expire_all()
    assert db.session.get(ReadMarker, (user.id, thread.id)).last_read_number == 25
    response = client.get(f"/forums/t/{thread.id}/unread")  # nothing new: the last post
    assert response.headers["Location"].endswith(f"/forums/t/{thread.id}?page=2#post-25")

    ff.replies(thread, 2)  # new replies arrive: 26, 27
    db.session.commit()
    response = client.get(f"/forums/t/{thread.id}/unread")
    assert response.headers["Location"].endswith(f"/forums/t/{thread.id}?page=2#post-26")


def test_first_unread_skips_hidden_and_deleted_posts(client, db, login_as):
    from m100hub.forums import services
    from m100hub.moderation import services as moderation

    thread = ff.thread()
    db.session.commit()
    user = login_as("citizen")
    client.get(f"/forums/t/{thread.id}")
    hidden, deleted, shown = ff.reply(thread), ff.reply(thread), ff.reply(thread)
    moderation.hide(factories.person("moderator"), hidden, "Spam")
    services.delete_post(None, deleted)
    db.session.commit()
    response = client.get(f"/forums/t/{thread.id}/unread")
    assert response.headers["Location"].endswith(f"#post-{shown.number}")
    assert db.session.get(ReadMarker, (user.id, thread.id)).last_read_number == 1


# --- locked threads ------------------------------------------------------------------------


def test_locked_thread_takes_no_reply_and_shows_no_reply_box(client, db, login_as):
    thread = ff.thread(title="Subiect închis")
    db.session.commit()
    moderator = login_as("moderator", locale="en")
    assert client.post(f"/forums/t/{thread.id}/lock", data={"reason": "Off-topic"}
                       ).status_code == 303
    assert fresh(db, thread).locked is True
    entry = activity(db, "forum_thread_locked")[0]
    assert (entry.actor_id, entry.target_id, entry.reason, entry.target_label) == (
        moderator.id, thread.id, "Off-topic", "Subiect închis")

    login_as("citizen", locale="en")
    before = snapshot(db)
    response = client.post(f"/forums/t/{thread.id}/reply", data={"body": "Totuși..."})
    assert response.status_code == 409
    assert snapshot(db) == before
    html = page(client.get(f"/forums/t/{thread.id}"))
    assert "This thread is locked." in html and "Locked: no new replies" in html
    assert f'action="/forums/t/{thread.id}/reply"' not in html and "<textarea" not in html
    assert "Quote" not in html

    login_as("moderator", user=moderator)
    assert client.post(f"/forums/t/{thread.id}/unlock").status_code == 303
    assert fresh(db, thread).locked is False
    assert len(activity(db, "forum_thread_unlocked")) == 1
    login_as("citizen")
    assert client.post(f"/forums/t/{thread.id}/reply", data={"body": "Acum da."}
                       ).status_code == 303
