"""Mentions and follows over HTTP: who is notified of a mention, a reply or a new thread,
following and unfollowing threads and categories."""

from __future__ import annotations

from sqlalchemy import select

from m100hub.forums.models import Subscription
from m100hub.notifications.models import Notification
from tests.support import factories
from tests.support import forum_factories as ff
from tests.support.forum_factories import count
from tests.support.forums import notifications, page, snapshot, thread_form, thread_of

# --- mentions and notifications ------------------------------------------------------------


def test_mention_notifies_the_person_and_links_their_profile(client, db, login_as):
    mentioned = factories.user(name="Maria Popescu", handle="maria.popescu")
    thread = ff.thread()
    db.session.commit()
    login_as("citizen", locale="en")

    client.post(f"/forums/t/{thread.id}/reply",
                data={"body": "Ce crezi, @Maria.Popescu? Și @nimeni-cunoscut."})

    post = ff.post_number(thread, 2)
    found = notifications(db, mentioned, "forum_mention")
    assert len(found) == 1
    assert (found[0].target_type, found[0].target_id) == ("forum_posts", post.id)
    assert found[0].payload["thread_id"] == thread.id
    html = page(client.get(f"/forums/t/{thread.id}"))
    assert (f'<a class="mention" href="/u/{mentioned.id}">@maria.popescu</a>') in html
    assert "@nimeni-cunoscut" in html and 'href="/u/@nimeni' not in html
    # The mentioned person is not also told about the reply (not following the thread).
    assert notifications(db, mentioned, "forum_reply") == []


def test_mention_in_the_opening_post_notifies_too(client, db, login_as):
    mentioned = factories.user(handle="ion.verde")
    db.session.commit()
    login_as("citizen")
    client.post("/forums/c/general/new", data=thread_form(body="Salut @ion.verde"))
    assert len(notifications(db, mentioned, "forum_mention")) == 1


def test_mentioning_oneself_sends_nothing(client, db, login_as):
    user = login_as("citizen", handle="eu.insumi")
    thread = ff.thread()
    db.session.commit()
    client.post(f"/forums/t/{thread.id}/reply", data={"body": "Eu, @eu.insumi."})
    assert notifications(db, user, "forum_mention") == []


def test_thread_followers_get_reply_notifications(client, db, login_as):
    author = factories.user()
    follower = factories.user()
    thread = ff.thread(author)
    db.session.commit()
    login_as("citizen", user=follower)
    assert client.post(f"/forums/t/{thread.id}/follow").status_code == 303
    replier = login_as("citizen")

    client.post(f"/forums/t/{thread.id}/reply", data={"body": "Un răspuns nou."})

    post = ff.post_number(thread, 2)
    for person in (author, follower):  # the author follows own threads
        found = notifications(db, person, "forum_reply")
        assert [(n.target_id, n.actor_id) for n in found] == [(post.id, replier.id)]
    assert notifications(db, replier, "forum_reply") == []


def test_a_mentioned_follower_gets_one_notification(client, db, login_as):
    author = factories.user(handle="autorul")
    thread = ff.thread(author)
    db.session.commit()
    login_as("citizen")
    client.post(f"/forums/t/{thread.id}/reply", data={"body": "@autorul, uite."})
    assert len(notifications(db, author, "forum_mention")) == 1
    assert notifications(db, author, "forum_reply") == []


def test_category_followers_get_new_thread_notifications(client, db, login_as):
    follower = login_as("citizen", locale="en")
    response = client.post("/forums/c/energie/follow")
    assert response.status_code == 303
    category = ff.category("energie")
    assert count(Subscription, Subscription.user_id == follower.id,
                 Subscription.category_id == category.id) == 1
    assert "Stop following this category" in page(client.get("/forums/c/energie"))

    starter = login_as("citizen")
    client.post("/forums/c/energie/new", data=thread_form(title="Comunități de energie"))
    client.post("/forums/c/transport/new", data=thread_form(title="Alt sector"))

    found = notifications(db, follower, "forum_new_thread")
    assert len(found) == 1
    assert found[0].payload["thread"] == "Comunități de energie"
    assert found[0].actor_id == starter.id

    login_as("citizen", user=follower)
    assert client.post("/forums/c/energie/unfollow").status_code == 303
    assert count(Subscription, Subscription.user_id == follower.id) == 0
    assert "Follow this category" in page(client.get("/forums/c/energie"))
    login_as("citizen")
    client.post("/forums/c/energie/new", data=thread_form(title="Încă unul"))
    assert len(notifications(db, follower, "forum_new_thread")) == 1


def test_own_and_replied_threads_are_followed_automatically(client, db, login_as):
    user = login_as("citizen", locale="en")
    client.post("/forums/c/general/new", data=thread_form(title="Al meu"))
    mine = thread_of(db, "Al meu")
    theirs = ff.thread()
    db.session.commit()
    client.post(f"/forums/t/{theirs.id}/reply", data={"body": "Particip."})
    client.post(f"/forums/t/{theirs.id}/reply", data={"body": "Din nou."})

    followed = set(db.session.scalars(select(Subscription.thread_id).where(
        Subscription.user_id == user.id)))
    assert followed == {mine.id, theirs.id}
    assert "Stop following" in page(client.get(f"/forums/t/{mine.id}"))


def test_follow_and_unfollow_a_thread(client, db, login_as):
    thread = ff.thread()
    db.session.commit()
    user = login_as("citizen", locale="en")
    assert ">Follow<" in page(client.get(f"/forums/t/{thread.id}"))

    for _ in range(2):  # following twice keeps one row
        response = client.post(f"/forums/t/{thread.id}/follow")
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"/forums/t/{thread.id}")
    assert count(Subscription, Subscription.user_id == user.id) == 1
    assert "Stop following" in page(client.get(f"/forums/t/{thread.id}"))

    for _ in range(2):  # unfollowing twice is harmless
        assert client.post(f"/forums/t/{thread.id}/unfollow").status_code == 303
    assert count(Subscription, Subscription.user_id == user.id) == 0

    # An unfollower hears nothing more.
    ff.reply(thread)
    db.session.commit()
    assert notifications(db, user, "forum_reply") == []


def test_unconfirmed_person_may_not_post_react_report_or_follow(client, db, login_as):
    thread = ff.thread()
    db.session.commit()
    post = ff.opening_post(thread)
    user = login_as("unconfirmed", locale="en")
    before = snapshot(db)
    assert client.post(f"/forums/t/{thread.id}/reply", data={"body": "x"}).status_code == 403
    assert client.post(f"/forums/p/{post.id}/like").status_code == 403
    assert client.get(f"/moderation/post/{post.id}/report").status_code == 403
    answer = client.post(f"/moderation/post/{post.id}/report", data={"reason": "x"})
    assert answer.status_code == 403
    assert snapshot(db) == before
    html = page(client.get(f"/forums/t/{thread.id}"))
    assert f'action="/forums/t/{thread.id}/reply"' not in html and "/like" not in html
    assert client.post(f"/forums/t/{thread.id}/follow").status_code == 403  # nor follow
    assert count(Subscription, Subscription.user_id == user.id) == 0


def test_a_mention_added_by_an_edit_is_notified(client, db, login_as):
    author = login_as("citizen", locale="en")
    other = factories.user(handle="ana.noua")
    post = ff.opening_post(ff.thread(author=author))
    db.session.commit()
    mentions = (Notification.recipient_id == other.id, Notification.kind == "forum_mention")
    client.post(f"/forums/p/{post.id}/edit", data={"body": "Acum cu @ana.noua"})
    assert count(Notification, *mentions) == 1
    client.post(f"/forums/p/{post.id}/edit", data={"body": "Tot cu @ana.noua"})
    assert count(Notification, *mentions) == 1  # not twice


def test_mentions_in_code_or_quotes_are_neither_linked_nor_notified(client, db, login_as):
    login_as("citizen", locale="en")
    quoted = factories.user(handle="citat.vechi")
    coded = factories.user(handle="in.cod")
    named = factories.user(handle="chiar.eu")
    thread = ff.thread()
    db.session.commit()
    body = "> **X** wrote:\n> salut @citat.vechi\n\n`@in.cod` și @chiar.eu"
    client.post(f"/forums/t/{thread.id}/reply", data={"body": body})
    notified = set(db.session.scalars(select(Notification.recipient_id).where(
        Notification.kind == "forum_mention")))
    assert notified == {named.id}
    html = ff.post_number(thread, 2).body_html
    assert html.count('class="mention"') == 1 and f'href="/u/{named.id}"' in html
    assert quoted.id and coded.id  # present, yet untouched
