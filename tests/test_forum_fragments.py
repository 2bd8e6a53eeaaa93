"""Anonymous readers get cached post lists and whole pages that can never be stale: the key is
what they show."""

from __future__ import annotations

from m100hub.accounts.models import User
from m100hub.database import begin_write
from m100hub.forums import moderation, services
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


# --- the category page ------------------------------------------------------------------------


def anonymous_category(client, url: str = "/forums/c/transport") -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    assert "Set-Cookie" not in response.headers or "session=" not in response.headers["Set-Cookie"]
    return response.get_data(as_text=True)


def test_anonymous_category_page_is_cached_whole(client, db):
    client.set_cookie("lang", "en")
    ff.thread(category_slug="transport", title="Autobuze electrice")
    db.session.commit()

    first = anonymous_category(client)
    hits = pages_cache.hits
    assert anonymous_category(client) == first
    assert pages_cache.hits == hits + 1
    assert "Autobuze electrice" in first


def test_new_threads_replies_and_pins_show_on_the_cached_category_page(client, db):
    client.set_cookie("lang", "en")
    older = ff.thread(category_slug="transport", title="Piste de biciclete")
    db.session.commit()
    anonymous_category(client)

    newer = ff.thread(category_slug="transport", title="Trenuri regionale")
    db.session.commit()
    html = anonymous_category(client)
    assert html.index("Trenuri regionale") < html.index("Piste de biciclete")

    ff.reply(older, factories.user(name="Ultima Persoană"))
    db.session.commit()
    html = anonymous_category(client)
    assert html.index("Piste de biciclete") < html.index("Trenuri regionale")  # latest first
    assert "Ultima Persoană" in html

    moderation.set_pinned(factories.person("moderator"), newer, True)
    db.session.commit()
    html = anonymous_category(client)
    assert html.index("Trenuri regionale") < html.index("Piste de biciclete")
    assert "Pinned" in html

    services.edit_post(
        db.session.get(User, newer.author_id),
        ff.opening_post(newer),
        "Text",
        title="Trenuri regionale noi",
    )
    db.session.commit()
    assert "Trenuri regionale noi" in anonymous_category(client)


def test_a_renamed_category_is_not_served_from_the_page_cache(client, db):
    client.set_cookie("lang", "en")
    ff.thread(category_slug="transport")
    db.session.commit()
    anonymous_category(client)
    ff.category("transport").name_en = "Mobility"
    db.session.commit()
    assert "<h1>Mobility</h1>" in anonymous_category(client)


def test_each_language_and_tag_has_its_own_cached_category_page(client, db):
    ff.thread(category_slug="transport", title="Cu etichetă", tags=["tren"])
    ff.thread(category_slug="transport", title="Fără etichetă")
    db.session.commit()
    client.set_cookie("lang", "en")
    assert "Threads tagged tren" in anonymous_category(client, "/forums/c/transport?tag=tren")
    tagged = anonymous_category(client, "/forums/c/transport?tag=tren")
    assert "Cu etichetă" in tagged and "Fără etichetă" not in tagged
    assert "Fără etichetă" in anonymous_category(client)
    client.set_cookie("lang", "ro")
    assert '<html lang="ro">' in anonymous_category(client)


def test_odd_addresses_are_not_cached_and_do_not_leak_into_cached_pages(client, db):
    client.set_cookie("lang", "en")
    ff.thread(category_slug="transport")
    db.session.commit()
    odd = [
        "/forums/c/transport?utm=ciudat",
        "/forums/c/transport?page=01",
        "/forums/c/transport?page=1&page=2",
        "/forums/c/transport?page=99",
        "/forums/c/transport?tag=nimic",
        "/forums/c/transport?tag=Tren!",
    ]
    for url in odd:
        hits = pages_cache.hits
        anonymous_category(client, url)
        anonymous_category(client, url)
        assert pages_cache.hits == hits, url  # rendered each time, never cached
    assert "ciudat" not in anonymous_category(client)


def test_signed_in_readers_and_visitors_with_a_session_never_get_the_cached_category_page(
    client, db, login_as
):
    client.set_cookie("lang", "en")
    ff.thread(category_slug="transport")
    db.session.commit()
    anonymous_category(client)  # cached for visitors without a session
    with client.session_transaction() as sess:
        sess["_flashes"] = [("info", "Un mesaj pentru tine")]
    assert "Un mesaj pentru tine" in client.get("/forums/c/transport").get_data(as_text=True)
    login_as("citizen", locale="en")
    html = client.get("/forums/c/transport").get_data(as_text=True)
    assert "Start a thread" in html and "Follow this category" in html


def test_odd_thread_addresses_are_not_cached_and_do_not_leak_into_cached_pages(client, db):
    client.set_cookie("lang", "en")
    thread_id = ff.thread(category_slug="transport").id
    db.session.commit()
    url = f"/forums/t/{thread_id}"
    for odd in (f"{url}?utm=ciudat", f"{url}?page=01", f"{url}?page=1&page=2",
                f"{url}?page=99"):
        hits = pages_cache.hits
        assert client.get(odd).status_code == 200
        client.get(odd)
        assert pages_cache.hits == hits, odd  # rendered each time, never cached
    hits = pages_cache.hits
    client.get(url)
    page = client.get(url).get_data(as_text=True)
    assert pages_cache.hits == hits + 1 and "ciudat" not in page


def test_a_change_between_the_key_and_the_render_files_the_page_under_what_it_shows(
        client, db, monkeypatch):
    """A like lands after the page's key was read and before the page is rendered: the page
    (with the like) is filed under its own key, so when the like is taken back the old key
    does not serve the page with the like."""
    from m100hub.forums import queries

    client.set_cookie("lang", "en")
    thread = ff.thread(body="Primul mesaj", category_slug="energie", title="Panouri solare")
    post = ff.opening_post(thread)
    db.session.commit()
    url = f"/forums/t/{thread.id}"
    liker, load_thread, load_category = factories.user(), queries.thread, queries.category_by_slug

    def like_then(*args):
        begin_write()  # someone else's request, in the test's one session
        services.react(liker, post)
        db.session.commit()
        return load_thread(*args)

    pages_cache.clear()
    posts_cache.clear()
    monkeypatch.setattr(queries, "thread", like_then)
    assert "1 like" in client.get(url).get_data(as_text=True)  # rendered after the like
    monkeypatch.setattr(queries, "thread", load_thread)
    services.unreact(liker, post)
    db.session.commit()
    assert "0 likes" in client.get(url).get_data(as_text=True)  # not the page with the like

    # The category page, the same: a thread is renamed between the key and the render.
    def rename_then(*args):
        begin_write()
        services.edit_post(db.session.get(User, thread.author_id), ff.opening_post(thread),
                           "Primul mesaj", title="Panouri solare noi")
        db.session.commit()
        return load_category(*args)

    pages_cache.clear()
    monkeypatch.setattr(queries, "category_by_slug", rename_then)
    assert "Panouri solare noi" in client.get("/forums/c/energie").get_data(as_text=True)
    monkeypatch.setattr(queries, "category_by_slug", load_category)
    services.edit_post(db.session.get(User, thread.author_id), ff.opening_post(thread),
                       "Primul mesaj", title="Panouri solare")
    db.session.commit()
    page = client.get("/forums/c/energie").get_data(as_text=True)
    assert "Panouri solare" in page and "Panouri solare noi" not in page


def test_within_the_grace_a_checked_page_is_served_without_a_query(
        app, client, db, monkeypatch, count_queries, login_as):
    """ANONYMOUS_PAGE_SECONDS: a page whose key was read less than that long ago is served
    again as it is; after it, the key is read again and a change shows."""
    import m100hub.page_cache as page_cache

    monkeypatch.setitem(app.config, "ANONYMOUS_PAGE_SECONDS", 1.0)
    now = [1000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: now[0])
    client.set_cookie("lang", "en")
    thread = ff.thread(body="Primul mesaj", category_slug="energie", title="Baterii")
    db.session.commit()
    pages_cache.clear()
    for url in (f"/forums/t/{thread.id}", "/forums/c/energie"):
        assert "Baterii" in client.get(url).get_data(as_text=True)
        with count_queries() as counter:
            assert "Baterii" in client.get(url).get_data(as_text=True)
        assert counter.count == 0, (url, counter)
    services.edit_post(db.session.get(User, thread.author_id), ff.opening_post(thread),
                       "Primul mesaj", title="Baterii noi")
    db.session.commit()
    now[0] += 0.5  # within the second: the page as it was checked
    assert "Baterii noi" not in client.get(f"/forums/t/{thread.id}").get_data(as_text=True)
    now[0] += 0.6  # after it: read again
    assert "Baterii noi" in client.get(f"/forums/t/{thread.id}").get_data(as_text=True)
    assert "Baterii noi" in client.get("/forums/c/energie").get_data(as_text=True)
    # odd addresses and signed-in readers never get a remembered page
    services.edit_post(db.session.get(User, thread.author_id), ff.opening_post(thread),
                       "Primul mesaj", title="Baterii vechi")
    db.session.commit()
    now[0] += 0.1
    url = f"/forums/t/{thread.id}"
    assert "Baterii vechi" not in client.get(url).get_data(as_text=True)
    assert "Baterii vechi" in client.get(f"{url}?page=1&x=1").get_data(as_text=True)
    login_as("citizen", locale="en")
    assert "Baterii vechi" in client.get(url).get_data(as_text=True)
