"""Anonymous readers get cached post lists that can never be stale: the key is what they show."""

from __future__ import annotations

from m100hub.accounts.models import User
from m100hub.forums import services
from m100hub.forums.fragments import pages_cache, posts_cache

from . import factories
from . import forum_factories as ff


def test_anonymous_thread_page_reuses_and_refreshes_its_fragment(client, db):
    client.set_cookie("lang", "en")
    thread = ff.thread(body="Primul mesaj")
    post = ff.opening_post(thread)
    db.session.commit()
    url = f"/forums/t/{thread.id}"

    first = client.get(url).get_data(as_text=True)
    hits = posts_cache.hits + pages_cache.hits
    assert client.get(url).get_data(as_text=True) == first
    assert posts_cache.hits + pages_cache.hits == hits + 1

    services.react(factories.user(), post)  # a like changes what the page shows
    db.session.commit()
    assert "1 like" in client.get(url).get_data(as_text=True)

    services.edit_post(db.session.get(User, post.author_id), post, "Textul nou")
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "Textul nou" in page and "Primul mesaj" not in page

    ff.reply(thread, body="Un răspuns nou")
    db.session.commit()
    assert "Un răspuns nou" in client.get(url).get_data(as_text=True)


def test_signed_in_readers_never_get_the_anonymous_fragment(client, db, login_as):
    thread = ff.thread()
    db.session.commit()
    client.get(f"/forums/t/{thread.id}")  # cached for anonymous readers
    login_as("citizen", locale="en")
    page = client.get(f"/forums/t/{thread.id}").get_data(as_text=True)
    assert "Report" in page  # a signed-in reader's buttons


def test_a_visitor_with_a_session_is_not_served_a_cached_page(client, db):
    client.set_cookie("lang", "en")
    thread = ff.thread()
    db.session.commit()
    url = f"/forums/t/{thread.id}"
    client.get(url)
    with client.session_transaction() as sess:  # e.g. a message waiting to be shown
        sess["_flashes"] = [("info", "Un mesaj pentru tine")]
    assert "Un mesaj pentru tine" in client.get(url).get_data(as_text=True)
    assert "Un mesaj pentru tine" not in client.get(url).get_data(as_text=True)  # shown once


def test_a_retitled_thread_is_not_served_from_the_page_cache(client, db):
    thread = ff.thread(title="Titlul vechi")
    db.session.commit()
    url = f"/forums/t/{thread.id}"
    assert "Titlul vechi" in client.get(url).get_data(as_text=True)
    post = ff.opening_post(thread)
    author = db.session.get(User, post.author_id)
    services.edit_post(author, post, "Același text", title="Titlul nou")
    db.session.commit()
    assert "Titlul nou" in client.get(url).get_data(as_text=True)
