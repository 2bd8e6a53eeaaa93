"""Forums over HTTP: categories, threads, replies, quotes, edits, deletes, likes, reports,
mentions, follows, unread, moderation, category admin, permissions per role, and bad input
on every write path (a clear message or 400/403/404/409, and nothing written)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from m100hub.activity.models import ActivityEntry
from m100hub.database import utcnow
from m100hub.forums.models import (
    Category,
    Post,
    PostRevision,
    Reaction,
    ReadMarker,
    Subscription,
    Thread,
)
from m100hub.forums.queries import POSTS_PER_PAGE, THREADS_PER_PAGE
from m100hub.moderation.models import Report
from m100hub.notifications.models import Notification
from tests.support import factories
from tests.support import forum_factories as ff
from tests.support.forum_factories import count
from tests.support.forums import (
    HUGE_IDS,
    activity,
    english,
    fresh,
    notifications,
    page,
    post_limit,
    redirects_to_login,
    snapshot,
    thread_form,
    thread_of,
)

# --- forum index and category pages ------------------------------------------------------


def test_index_lists_seeded_categories_with_counts_and_the_latest_thread(client, db):
    started = ff.thread(category_slug="cladiri", title="Renovarea blocurilor vechi")
    ff.replies(started, 2)
    db.session.commit()
    english(client)

    response = client.get("/forums")

    assert response.status_code == 200
    html = page(response)
    for name in ("General", "Energy", "Transport", "Buildings", "Industry", "Agriculture",
                 "Suceava"):
        assert name in html
    assert 'href="/forums/c/cladiri"' in html and 'href="/forums/c/oras-suceava"' in html
    assert "Renovarea blocurilor vechi" in html
    assert f'href="/forums/t/{started.id}"' in html
    buildings = ff.category("cladiri")
    assert (buildings.thread_count, buildings.post_count) == (1, 3)
    assert buildings.last_thread_id == started.id
    assert 'action="/forums/search"' in html


def test_category_page_lists_pinned_first_then_by_last_activity(client, db):
    old = ff.thread(category_slug="energie", title="Subiect vechi")
    middle = ff.thread(category_slug="energie", title="Subiect mijlociu")
    pinned = ff.thread(category_slug="energie", title="Subiect fixat")
    for n, item in enumerate((pinned, old, middle)):  # pinned is the oldest activity
        db.session.execute(update(Thread).where(Thread.id == item.id).values(
            last_post_dt=utcnow().replace(year=2020, month=1, day=n + 1)))
    db.session.execute(update(Thread).where(Thread.id == pinned.id).values(pinned=True))
    db.session.commit()
    english(client)

    html = page(client.get("/forums/c/energie"))
    order = [html.index(t) for t in ("Subiect fixat", "Subiect mijlociu", "Subiect vechi")]
    assert order == sorted(order)
    assert "Pinned" in html

    ff.reply(old)  # new activity moves the old thread up, below the pinned one
    db.session.commit()
    html = page(client.get("/forums/c/energie"))
    order = [html.index(t) for t in ("Subiect fixat", "Subiect vechi", "Subiect mijlociu")]
    assert order == sorted(order)


def test_category_page_shows_reply_count_and_last_poster(client, db):
    last = factories.user(name="Ultima Persoană")
    started = ff.thread(category_slug="transport", title="Piste de biciclete")
    ff.replies(started, 3)
    ff.reply(started, author=last)
    db.session.commit()
    english(client)

    html = page(client.get("/forums/c/transport"))

    row = html[html.index("Piste de biciclete"):]
    row = row[:row.index("</tr>")]
    assert "<td>4</td>" in row
    assert "Ultima Persoană" in row
    assert fresh(db, started).reply_count == 4


def test_category_page_paginates_at_30_threads(client, db):
    author = factories.user()
    for n in range(THREADS_PER_PAGE + 1):
        ff.thread(author, "industrie", title=f"Fir industrial {n:03d}")
    db.session.commit()
    english(client)

    first = page(client.get("/forums/c/industrie"))
    second = page(client.get("/forums/c/industrie?page=2"))

    assert THREADS_PER_PAGE == 30
    assert first.count("Fir industrial ") == 30
    assert second.count("Fir industrial ") == 1
    assert "Fir industrial 000" in second  # the oldest activity is last
    assert "Page 1 of 2" in first and 'href="/forums/c/industrie?page=2"' in first
    # Beyond the last page: an empty page, not an error.
    assert client.get("/forums/c/industrie?page=99").status_code == 200
    assert client.get("/forums/c/industrie?page=abc").status_code == 200


def test_category_page_filters_by_tag(client, db):
    ff.thread(category_slug="cladiri", title="Izolație cu vată", tags=["izolatie", "renovare"])
    ff.thread(category_slug="cladiri", title="Pompe de căldură", tags=["pompe"])
    ff.thread(category_slug="cladiri", title="Fără etichete")
    db.session.commit()
    english(client)

    html = page(client.get("/forums/c/cladiri?tag=renovare"))

    assert "Izolație cu vată" in html
    assert "Pompe de căldură" not in html and "Fără etichete" not in html
    assert "Threads tagged renovare" in html
    everything = page(client.get("/forums/c/cladiri"))
    assert all(t in everything for t in ("Izolație cu vată", "Pompe de căldură",
                                         "Fără etichete"))
    assert 'href="/forums/c/cladiri?tag=pompe"' in everything
    # Odd tags find nothing, and never fail.
    for odd in ("nimic", "%", "_", "%pomp%", "pomp_", "/", '"', "'; drop table x; --",
                "x" * 500, "renovare" + "%"):
        response = client.get("/forums/c/cladiri", query_string={"tag": odd})
        assert response.status_code == 200
        listed = page(response)
        assert "Pompe de căldură" not in listed and "Izolație cu vată" not in listed, odd


@pytest.mark.parametrize("url", ["/forums/c/nu-exista", "/forums/c/NU", "/forums/c/-x",
                                 "/forums/c/" + "a" * 200])
def test_unknown_category_is_404(client, db, url):
    assert client.get(url).status_code == 404


def test_archived_categories_are_listed_last_and_marked(client, db):
    ff.new_category("Arhivă veche", name_en="Old archive", archived=True, position=0)
    db.session.commit()
    english(client)
    html = page(client.get("/forums"))
    assert "Old archive" in html and "(archived)" in html
    assert html.index("Old archive") > html.index("Agriculture")


# --- starting a thread -------------------------------------------------------------------


def test_new_thread_form_is_shown(client, login_as):
    login_as("citizen", locale="en")
    response = client.get("/forums/c/energie/new")
    assert response.status_code == 200
    html = page(response)
    assert "Start a thread in Energy" in html
    assert 'name="title"' in html and 'name="body"' in html and 'name="tags"' in html


def test_starting_a_thread_writes_thread_post_counters_and_follow(client, db, login_as):
    user = login_as("citizen", locale="en")
    suceava = factories.city("suceava")
    before = ff.category("cladiri")
    threads, posts = before.thread_count, before.post_count

    response = client.post("/forums/c/cladiri/new", data=thread_form(
        city_id=str(suceava.id), tags="Renovare  solar renovare"))

    assert response.status_code == 303
    thread = thread_of(db, "Panouri solare pe blocuri")
    assert thread is not None
    assert response.headers["Location"].endswith(f"/forums/t/{thread.id}")
    assert thread.author_id == user.id and thread.city_id == suceava.id
    assert thread.tags == ["renovare", "solar"]
    assert (thread.post_count, thread.next_number, thread.reply_count) == (1, 2, 0)
    opening = ff.opening_post(thread)
    assert opening.author_id == user.id and opening.body == "Cine a montat **panouri**?"
    assert "<strong>panouri</strong>" in opening.body_html
    category = fresh(db, before)
    assert (category.thread_count, category.post_count) == (threads + 1, posts + 1)
    assert category.last_thread_id == thread.id
    assert count(Subscription, Subscription.user_id == user.id,
                 Subscription.thread_id == thread.id) == 1

    html = page(client.get(f"/forums/t/{thread.id}"))
    assert "<h1>Panouri solare pe blocuri</h1>" in html
    assert "<strong>panouri</strong>" in html
    assert 'href="/cities/suceava"' in html and "#renovare" in html


def test_preview_renders_markdown_and_saves_nothing(client, db, login_as):
    login_as("citizen", locale="en")
    before = snapshot(db)

    response = client.post("/forums/c/general/new", data={
        **thread_form(body="**Îngroșat** și <script>alert(1)</script> [x](javascript:alert(1))"),
        "preview": "1"})

    assert response.status_code == 200
    html = page(response)
    assert "Preview" in html
    preview = html[html.index('class="preview"'):]
    assert "<strong>Îngroșat</strong>" in preview
    assert "<script>alert(1)" not in html and 'href="javascript:' not in html
    # The form keeps what was typed, escaped.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert snapshot(db) == before


def test_markdown_is_rendered_and_sanitised_on_the_thread_page(client, db, login_as):
    login_as("citizen", locale="en")
    body = ("## Plan\n\n**Bold** _it_ [site](https://m100.example) "
            "<img src=x onerror=alert(1)> [rău](javascript:alert(1)) "
            "<iframe src=https://evil.example></iframe>")
    client.post("/forums/c/general/new", data=thread_form(title="Marcaj curat", body=body))
    thread = thread_of(db, "Marcaj curat")

    html = page(client.get(f"/forums/t/{thread.id}"))

    prose = html[html.index('id="post-1"'):html.index("</article>")]
    assert "<h2>Plan</h2>" in prose
    assert "<strong>Bold</strong>" in prose and "<em>it</em>" in prose
    assert 'href="https://m100.example" rel="nofollow ugc noopener"' in prose
    assert "<img" not in prose and "<iframe" not in prose
    assert "&lt;img src=x onerror=alert(1)&gt;" in prose  # shown as text, inert
    assert 'href="javascript:' not in prose


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"title": "   \t "}, "This field is required."),
        ({"title": "ab"}, "Field must be between 3 and 160 characters long."),
        ({"title": "T" * 161}, "Field must be between 3 and 160 characters long."),
        ({"body": ""}, "This field is required."),
        ({"body": " \n\n  "}, "This field is required."),
        ({"body": "B" * 20001}, "Field cannot be longer than 20000 characters."),
        ({"tags": "unu doi trei patru cinci sase"},
         "Use up to five tags of letters, digits and hyphens."),
        ({"tags": "ab!c"}, "Use up to five tags of letters, digits and hyphens."),
        ({"tags": "-minus"}, "Use up to five tags of letters, digits and hyphens."),
        ({"tags": "t" * 31}, "Use up to five tags of letters, digits and hyphens."),
        ({"tags": "<script>"}, "Use up to five tags of letters, digits and hyphens."),
        ({"city_id": "999999"}, "Not a valid choice"),
        ({"city_id": "abc"}, "Invalid Choice"),
        ({"city_id": "-1"}, "Not a valid choice"),
        ({"city_id": "99999999999999999999"}, "Not a valid choice"),
        ({"city_id": "1.5"}, "Invalid Choice"),
    ],
)
def test_bad_thread_input_is_refused_and_nothing_written(client, db, login_as, overrides,
                                                         message):
    login_as("citizen", locale="en")
    before = snapshot(db)

    response = client.post("/forums/c/general/new", data=thread_form(**overrides))

    assert response.status_code == 200
    html = page(response)
    assert "Please correct the following:" in html
    assert message in html
    assert snapshot(db) == before


def test_new_thread_in_unknown_category_is_404_and_nothing_written(client, db, login_as):
    login_as("citizen")
    before = snapshot(db)
    assert client.get("/forums/c/nu-exista/new").status_code == 404
    assert client.post("/forums/c/nu-exista/new", data=thread_form()).status_code == 404
    assert client.post("/forums/c/NU/new", data=thread_form()).status_code == 404
    assert client.post("/forums/c/nu-exista/follow").status_code == 404
    assert client.post("/forums/c/nu-exista/unfollow").status_code == 404
    assert snapshot(db) == before


def test_unconfirmed_person_cannot_start_a_thread(client, db, login_as):
    login_as("unconfirmed", locale="en")
    before = snapshot(db)
    assert client.get("/forums/c/general/new").status_code == 403
    response = client.post("/forums/c/general/new", data=thread_form())
    assert response.status_code == 403
    assert "Please confirm your e-mail address" in page(response) or "Not allowed" in page(
        response)
    assert snapshot(db) == before
    # And the page offers no button to start one.
    assert "Start a thread" not in page(client.get("/forums/c/general"))


def test_anonymous_writes_redirect_to_login_and_write_nothing(client, db):
    thread = ff.thread()
    reply = ff.reply(thread)
    db.session.commit()
    before = snapshot(db)
    category_url = "/forums/c/general"
    thread_url = f"/forums/t/{thread.id}"
    post_url = f"/forums/p/{reply.id}"
    moderation_url = f"/moderation/post/{reply.id}"
    writes = [
        ("get", f"{category_url}/new", None),
        ("post", f"{category_url}/new", thread_form()),
        ("post", f"{thread_url}/reply", {"body": "Salut"}),
        ("get", f"{post_url}/edit", None),
        ("post", f"{post_url}/edit", {"body": "Altceva"}),
        ("post", f"{post_url}/delete", {}),
        ("post", f"{post_url}/like", {}),
        ("post", f"{post_url}/unlike", {}),
        ("get", f"{moderation_url}/report", None),
        ("post", f"{moderation_url}/report", {"reason": "Spam"}),
        ("post", f"{thread_url}/follow", {}),
        ("post", f"{thread_url}/unfollow", {}),
        ("post", f"{category_url}/follow", {}),
        ("post", f"{category_url}/unfollow", {}),
        ("get", f"{thread_url}/unread", None),
        ("get", "/moderation", None),
        ("post", f"{moderation_url}/hide", {"reason": "x"}),
        ("post", f"{moderation_url}/keep", {}),
        ("post", f"{thread_url}/lock", {}),
        ("post", f"{thread_url}/pin", {}),
        ("get", f"{thread_url}/move", None),
        ("get", "/forums/categories", None),
        ("post", "/forums/categories/new", {"name": "Nouă"}),
    ]
    for method, url, data in writes:
        response = getattr(client, method)(url, data=data)
        assert redirects_to_login(response), (method, url, response.status_code)
    assert snapshot(db) == before


@pytest.mark.parametrize("role", ["citizen", "official", "moderator", "admin"])
def test_every_confirmed_role_may_start_a_thread_and_reply(client, db, login_as, role):
    login_as(role)
    title = f"Subiect de {role}"
    assert client.post("/forums/c/general/new", data=thread_form(title=title)).status_code == 303
    thread = thread_of(db, title)
    assert client.post(f"/forums/t/{thread.id}/reply",
                       data={"body": "Și un răspuns."}).status_code == 303
    assert fresh(db, thread).post_count == 2


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


# --- editing and deleting own posts -------------------------------------------------------


def test_editing_own_reply_marks_it_edited_and_keeps_the_old_text(client, db, login_as):
    thread = ff.thread()
    db.session.commit()
    user = login_as("citizen", locale="en")
    client.post(f"/forums/t/{thread.id}/reply", data={"body": "Text inițial."})
    post = ff.post_number(thread, 2)

    form = client.get(f"/forums/p/{post.id}/edit")
    assert form.status_code == 200
    assert "Edit your post" in page(form) and "Text inițial." in page(form)
    assert 'name="title"' not in page(form)  # only the opening post retitles
    response = client.post(f"/forums/p/{post.id}/edit",
                           data={"body": "Text **corectat**.", "title": "Titlu ignorat"})

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/forums/t/{thread.id}?page=1#post-2")
    post = fresh(db, post)
    assert post.body == "Text **corectat**." and post.edited_dt is not None
    assert "<strong>corectat</strong>" in post.body_html
    revisions = list(db.session.scalars(select(PostRevision).where(
        PostRevision.post_id == post.id)))
    assert [r.body for r in revisions] == ["Text inițial."]
    assert fresh(db, thread).title != "Titlu ignorat"
    html = page(client.get(f"/forums/t/{thread.id}"))
    assert "Text <strong>corectat</strong>." in html
    assert f'· <a href="/forums/p/{post.id}/revisions">edited' in html  # the author's link
    assert "Your post is saved." in html
    assert post.author_id == user.id


def test_editing_the_opening_post_can_retitle_the_thread(client, db, login_as):
    user = login_as("citizen", locale="en")
    thread = ff.thread(user, title="Titlu vechi", body="Corp vechi.")
    db.session.commit()
    opening = ff.opening_post(thread)

    form = page(client.get(f"/forums/p/{opening.id}/edit"))
    assert 'value="Titlu vechi"' in form

    response = client.post(f"/forums/p/{opening.id}/edit",
                           data={"title": "Titlu nou", "body": "Corp nou."})
    assert response.status_code == 303
    thread = fresh(db, thread)
    assert thread.title == "Titlu nou"
    opening = fresh(db, opening)
    assert opening.body == "Corp nou." and "titlu nou" in opening.search_text
    assert count(PostRevision, PostRevision.post_id == opening.id) == 1
    # An empty title keeps the current one.
    client.post(f"/forums/p/{opening.id}/edit", data={"title": "", "body": "Corp trei."})
    assert fresh(db, thread).title == "Titlu nou"
    assert count(PostRevision, PostRevision.post_id == opening.id) == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"body": ""}, "This field is required."),
        ({"body": "   "}, "This field is required."),
        ({"body": "x" * 20001}, "Field cannot be longer than 20000 characters."),
        ({"body": "Bun.", "title": "T" * 161}, "Field must be between 3 and 160 characters long."),
        ({"body": "Bun.", "title": "ab"}, "Field must be between 3 and 160 characters long."),
    ],
)
def test_bad_edit_is_refused_and_nothing_written(client, db, login_as, data, message):
    user = login_as("citizen", locale="en")
    thread = ff.thread(user)
    db.session.commit()
    before = snapshot(db)

    response = client.post(f"/forums/p/{ff.opening_post(thread).id}/edit", data=data)

    assert response.status_code == 200
    assert "Please correct the following:" in page(response) and message in page(response)
    assert snapshot(db) == before


def test_editing_someone_elses_post_is_403_and_nothing_written(client, db, login_as):
    thread = ff.thread(body="Al altcuiva.")
    db.session.commit()
    opening = ff.opening_post(thread)
    for role in ("citizen", "moderator", "admin", "official"):
        login_as(role)
        before = snapshot(db)
        assert client.get(f"/forums/p/{opening.id}/edit").status_code == 403
        response = client.post(f"/forums/p/{opening.id}/edit",
                               data={"body": "Schimbat", "title": "Furat"})
        assert response.status_code == 403, role
        assert snapshot(db) == before
    assert fresh(db, opening).body == "Al altcuiva."
    assert "Edit" not in page(client.get(f"/forums/t/{thread.id}")).split("<ol class")[1]


def test_unconfirmed_author_cannot_edit_or_delete(client, db, login_as):
    user = factories.person("unconfirmed")
    thread = ff.thread(user)
    db.session.commit()
    login_as("unconfirmed", user=user)
    before = snapshot(db)
    opening = ff.opening_post(thread)
    assert client.post(f"/forums/p/{opening.id}/edit", data={"body": "Nou"}).status_code == 403
    assert client.post(f"/forums/p/{opening.id}/delete").status_code == 403
    assert snapshot(db) == before


def test_deleting_own_post_leaves_a_placeholder_and_drops_counters(client, db, login_as):
    thread = ff.thread(category_slug="transport")
    db.session.commit()
    user = login_as("citizen", locale="en")
    client.post(f"/forums/t/{thread.id}/reply", data={"body": "Mă răzgândesc."})
    post = ff.post_number(thread, 2)
    category = ff.category("transport")
    posts_before = category.post_count
    assert fresh(db, thread).post_count == 2

    response = client.post(f"/forums/p/{post.id}/delete")

    assert response.status_code == 303
    post = fresh(db, post)
    assert post.deleted_dt is not None
    assert count(Post, Post.thread_id == thread.id) == 2  # the row stays
    thread = fresh(db, thread)
    assert thread.post_count == 1 and thread.reply_count == 0
    assert thread.last_poster_id == thread.author_id
    assert ff.category("transport").post_count == posts_before - 1
    html = page(client.get(f"/forums/t/{thread.id}"))
    assert "This post was deleted by its author." in html
    assert "Mă răzgândesc." not in html
    assert 'id="post-2"' in html
    # Deleting again is a conflict, and changes nothing.
    before = snapshot(db)
    assert client.post(f"/forums/p/{post.id}/delete").status_code == 409
    assert snapshot(db) == before
    # Nor can a deleted post be edited.
    assert client.post(f"/forums/p/{post.id}/edit", data={"body": "Înapoi"}).status_code == 403
    assert post.author_id == user.id


def test_deleting_someone_elses_post_is_403(client, db, login_as):
    thread = ff.thread()
    db.session.commit()
    for role in ("citizen", "moderator", "admin"):
        login_as(role)
        before = snapshot(db)
        assert client.post(f"/forums/p/{ff.opening_post(thread).id}/delete").status_code == 403
        assert snapshot(db) == before


# --- likes ---------------------------------------------------------------------------------


def test_like_once_per_person_then_unlike(client, db, login_as):
    thread = ff.thread()
    db.session.commit()
    post = ff.opening_post(thread)
    user = login_as("citizen", locale="en")

    response = client.post(f"/forums/p/{post.id}/like")
    assert response.status_code == 303
    assert count(Reaction, Reaction.post_id == post.id, Reaction.user_id == user.id) == 1
    assert fresh(db, post).reaction_count == 1
    html = page(client.get(f"/forums/t/{thread.id}"))
    assert re.search(r">\s*1 like\s*<", html) and 'aria-pressed="true"' in html
    assert f'action="/forums/p/{post.id}/unlike"' in html

    before = snapshot(db)
    assert client.post(f"/forums/p/{post.id}/like").status_code == 409
    assert snapshot(db) == before

    assert client.post(f"/forums/p/{post.id}/unlike").status_code == 303
    assert count(Reaction, Reaction.post_id == post.id) == 0
    assert fresh(db, post).reaction_count == 0
    before = snapshot(db)
    assert client.post(f"/forums/p/{post.id}/unlike").status_code == 409
    assert snapshot(db) == before


def test_likes_of_several_people_add_up(client, db, login_as):
    thread = ff.thread()
    db.session.commit()
    post = ff.opening_post(thread)
    for _ in range(3):
        login_as("citizen")
        assert client.post(f"/forums/p/{post.id}/like").status_code == 303
    assert fresh(db, post).reaction_count == 3 == count(Reaction, Reaction.post_id == post.id)


def test_cannot_like_own_post(client, db, login_as):
    user = login_as("citizen", locale="en")
    thread = ff.thread(user)
    db.session.commit()
    before = snapshot(db)
    assert client.post(f"/forums/p/{ff.opening_post(thread).id}/like").status_code == 403
    assert snapshot(db) == before
    html = page(client.get(f"/forums/t/{thread.id}"))
    assert "/like" not in html


def test_cannot_like_a_hidden_or_deleted_post(client, db, login_as):
    from m100hub.forums import services
    from m100hub.moderation import services as moderation

    thread = ff.thread()
    hidden, deleted = ff.reply(thread), ff.reply(thread)
    moderation.hide(factories.person("moderator"), hidden, "Spam")
    services.delete_post(None, deleted)
    db.session.commit()
    login_as("citizen")
    before = snapshot(db)
    for post in (hidden, deleted):
        assert client.post(f"/forums/p/{post.id}/like").status_code == 403
        assert client.post(f"/moderation/post/{post.id}/report",
                           data={"reason": "x"}).status_code == 403
    assert snapshot(db) == before


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


def test_opening_post_hidden_by_reports_hides_the_thread(client, db, login_as):
    author = factories.user(locale="en")
    thread = ff.thread(author, category_slug="industrie", title="Subiect raportat")
    db.session.commit()
    threads_before = ff.category("industrie").thread_count
    for _ in range(3):
        login_as("citizen")
        client.post(f"/moderation/post/{ff.opening_post(thread).id}/report",
                    data={"reason": "Spam"})

    assert fresh(db, thread).hidden is True
    assert ff.category("industrie").thread_count == threads_before - 1
    # Others (here the last reporter) get a 404; so does an anonymous reader.
    assert client.get(f"/forums/t/{thread.id}").status_code == 404
    assert "Subiect raportat" not in page(client.get("/forums/c/industrie"))
    anonymous = client.application.test_client()
    assert anonymous.get(f"/forums/t/{thread.id}").status_code == 404
    assert anonymous.get(f"/forums/p/{ff.opening_post(thread).id}").status_code == 404
    # The author and the moderators still see it.
    login_as("citizen", user=author)
    assert client.get(f"/forums/t/{thread.id}").status_code == 200
    login_as("moderator")
    assert client.get(f"/forums/t/{thread.id}").status_code == 200


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

    placeholder = "Hidden by moderation: Limbaj jignitor"
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


def test_a_hidden_thread_guessed_by_url_is_404_for_others(client, db, login_as):
    author = factories.user(locale="en")
    thread = ff.thread(author, category_slug="cladiri", title="Fir ascuns")
    reply = ff.reply(thread)
    db.session.commit()
    threads_before = ff.category("cladiri").thread_count
    login_as("moderator")
    client.post(f"/moderation/post/{ff.opening_post(thread).id}/hide", data={"reason": "Spam"})
    assert fresh(db, thread).hidden is True
    assert ff.category("cladiri").thread_count == threads_before - 1
    assert client.get(f"/forums/t/{thread.id}").status_code == 200  # the moderator sees it

    anonymous = client.application.test_client()
    for url in (f"/forums/t/{thread.id}", f"/forums/t/{thread.id}?page=2",
                f"/forums/p/{reply.id}"):
        assert anonymous.get(url).status_code == 404, url
    assert "Fir ascuns" not in page(anonymous.get("/forums/c/cladiri"))
    assert "Fir ascuns" not in page(anonymous.get("/forums"))

    login_as("citizen")
    before = snapshot(db)
    assert client.get(f"/forums/t/{thread.id}").status_code == 404
    assert client.get(f"/forums/t/{thread.id}/unread").status_code == 404
    assert client.post(f"/forums/t/{thread.id}/reply", data={"body": "x"}).status_code == 404
    assert client.post(f"/forums/t/{thread.id}/follow").status_code == 404
    assert client.post(f"/forums/p/{reply.id}/like").status_code == 404
    assert client.get(f"/moderation/post/{reply.id}/report").status_code == 404
    answer = client.post(f"/moderation/post/{reply.id}/report", data={"reason": "x"})
    assert answer.status_code == 404
    assert client.post(f"/forums/p/{reply.id}/edit", data={"body": "x"}).status_code == 404
    assert snapshot(db) == before

    # Its author still reads it, but cannot reply to it any more than a moderator can.
    login_as("citizen", user=author)
    html = page(client.get(f"/forums/t/{thread.id}"))
    assert "Hidden by moderation" in html
    assert f'action="/forums/t/{thread.id}/reply"' not in html
    before = snapshot(db)
    assert client.post(f"/forums/t/{thread.id}/reply", data={"body": "x"}).status_code == 404
    login_as("moderator")
    assert client.post(f"/forums/t/{thread.id}/reply", data={"body": "x"}).status_code == 404
    assert snapshot(db) == before


# --- moderator actions ---------------------------------------------------------------------


def test_pin_and_unpin_are_logged(client, db, login_as):
    thread = ff.thread(category_slug="energie", title="Important")
    ff.thread(category_slug="energie", title="Mai nou")
    db.session.commit()
    moderator = login_as("moderator", locale="en")
    assert client.post(f"/forums/t/{thread.id}/pin", data={"reason": "Regulament"}
                       ).status_code == 303
    assert fresh(db, thread).pinned is True
    html = page(client.get("/forums/c/energie"))
    assert html.index("Important") < html.index("Mai nou")
    assert client.post(f"/forums/t/{thread.id}/unpin").status_code == 303
    assert fresh(db, thread).pinned is False
    pinned, unpinned = activity(db, "forum_thread_pinned"), activity(db, "forum_thread_unpinned")
    assert [(e.actor_id, e.target_id, e.reason) for e in pinned] == [
        (moderator.id, thread.id, "Regulament")]
    assert [(e.actor_id, e.target_id) for e in unpinned] == [(moderator.id, thread.id)]
    # The public activity log shows it.
    log = page(client.get("/activity"))
    assert "pinned “Important”" in log


def test_thread_action_with_an_over_long_reason_is_400(client, db, login_as):
    thread = ff.thread()
    db.session.commit()
    login_as("moderator")
    before = snapshot(db)
    assert client.post(f"/forums/t/{thread.id}/lock", data={"reason": "r" * 501}
                       ).status_code == 400
    assert client.post(f"/forums/t/{thread.id}/shout").status_code == 404
    assert client.post("/forums/t/99999/lock").status_code == 404
    assert snapshot(db) == before


def test_move_updates_both_categories_and_is_logged(client, db, login_as):
    thread = ff.thread(category_slug="general", title="Mutat")
    ff.replies(thread, 2)
    stays = ff.thread(category_slug="general", title="Rămâne")
    db.session.commit()
    source, target = ff.category("general"), ff.category("transport")
    source_counts = (source.thread_count, source.post_count)
    target_counts = (target.thread_count, target.post_count)
    moderator = login_as("moderator", locale="en")

    form = page(client.get(f"/forums/t/{thread.id}/move"))
    assert "Move “Mutat”" in form
    assert f'value="{target.id}"' in form and f'value="{source.id}"' not in form
    response = client.post(f"/forums/t/{thread.id}/move",
                           data={"category_id": str(target.id), "reason": "Alt subiect"})

    assert response.status_code == 303
    assert fresh(db, thread).category_id == target.id
    source, target = ff.category("general"), ff.category("transport")
    assert (source.thread_count, source.post_count) == (source_counts[0] - 1,
                                                        source_counts[1] - 3)
    assert (target.thread_count, target.post_count) == (target_counts[0] + 1,
                                                        target_counts[1] + 3)
    assert target.last_thread_id == thread.id and source.last_thread_id == stays.id
    entry = activity(db, "forum_thread_moved")[0]
    assert (entry.actor_id, entry.target_id, entry.reason) == (moderator.id, thread.id,
                                                                "Alt subiect")
    assert (entry.details["source"], entry.details["destination"]) == ("General", "Transport")
    assert "Mutat" in page(client.get("/forums/c/transport"))
    assert "Mutat" not in page(client.get("/forums/c/general"))


def test_move_to_a_bad_category_is_refused_and_nothing_written(client, db, login_as):
    thread = ff.thread(category_slug="general")
    archived = ff.new_category("Arhivat", archived=True)
    db.session.commit()
    login_as("moderator", locale="en")
    before = snapshot(db)
    for value in (str(ff.category("general").id), str(archived.id), "999999", "abc", "", "0"):
        response = client.post(f"/forums/t/{thread.id}/move", data={"category_id": value})
        assert response.status_code == 200, value
        assert "Please correct the following:" in page(response)
    assert snapshot(db) == before


@pytest.mark.parametrize("role", ["citizen", "official", "unconfirmed"])
def test_non_moderators_get_403_on_moderation_routes(client, db, login_as, role):
    thread = ff.thread()
    post = ff.reply(thread)
    db.session.commit()
    other = ff.category("transport")
    login_as(role, locale="en")
    before = snapshot(db)
    assert client.get("/moderation").status_code == 403
    assert client.post(f"/moderation/post/{post.id}/hide", data={"reason": "x"}).status_code == 403
    assert client.post(f"/moderation/post/{post.id}/keep").status_code == 403
    for action in ("lock", "unlock", "pin", "unpin"):
        assert client.post(f"/forums/t/{thread.id}/{action}").status_code == 403
    assert client.get(f"/forums/t/{thread.id}/move").status_code == 403
    assert client.post(f"/forums/t/{thread.id}/move",
                       data={"category_id": str(other.id)}).status_code == 403
    assert client.get("/forums/categories").status_code == 403
    assert snapshot(db) == before
    html = page(client.get(f"/forums/t/{thread.id}"))
    assert f"/forums/t/{thread.id}/lock" not in html and "/hide" not in html


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_moderators_and_admins_may_moderate(client, db, login_as, role):
    thread = ff.thread()
    post = ff.reply(thread)
    db.session.commit()
    login_as(role, locale="en")
    assert client.get("/moderation").status_code == 200
    html = page(client.get(f"/forums/t/{thread.id}"))
    assert f'action="/forums/t/{thread.id}/lock"' in html
    assert f'action="/moderation/post/{post.id}/hide"' in html
    assert client.post(f"/moderation/post/{post.id}/hide", data={"reason": "x"}).status_code == 303
    assert client.post(f"/forums/t/{thread.id}/lock").status_code == 303
    assert len(activity(db, "forum_post_hidden")) == 1
    assert len(activity(db, "forum_thread_locked")) == 1


def test_unknown_ids_on_moderation_routes_are_404(client, db, login_as):
    login_as("moderator")
    before = snapshot(db)
    for bad in ("999999", "2147483648", "0", "abc"):
        assert client.post(f"/moderation/post/{bad}/hide", data={"reason": "x"}).status_code == 404
        assert client.post(f"/moderation/post/{bad}/keep").status_code == 404
        assert client.post(f"/forums/t/{bad}/pin").status_code == 404
        assert client.get(f"/forums/t/{bad}/move").status_code == 404
    assert snapshot(db) == before


# --- category administration -----------------------------------------------------------------


def category_form(**overrides) -> dict:
    data = {"name": "Apă și climă", "name_en": "Water and climate", "description": "Despre apă.",
            "description_en": "About water.", "sector": "", "city_id": "0", "position": "7"}
    data.update(overrides)
    return data


def test_admin_creates_a_category(client, db, login_as):
    login_as("admin", locale="en")
    listing = client.get("/forums/categories")
    assert listing.status_code == 200 and "Forum categories" in page(listing)
    assert client.get("/forums/categories/new").status_code == 200

    response = client.post("/forums/categories/new", data=category_form(sector="energy"))

    assert response.status_code == 303
    category = db.session.scalar(select(Category).where(Category.slug == "apa-si-clima"))
    assert (category.name, category.name_en, category.position) == (
        "Apă și climă", "Water and climate", 7)
    assert category.sector.value == "energy" and category.archived is False
    assert "Apă și climă" in page(client.get("/forums/categories"))
    index = page(client.get("/forums"))
    # Ordered by position: after the sectors (1-5), before the cities (100 on).
    assert (index.index("Agriculture") < index.index("Water and climate")
            < index.index('href="/forums/c/oras-'))
    assert client.get("/forums/c/apa-si-clima").status_code == 200


def test_a_duplicate_category_name_gets_a_message(client, db, login_as):
    login_as("admin", locale="en")
    before = snapshot(db)
    response = client.post("/forums/categories/new", data=category_form(name="Energie"))
    assert response.status_code == 200
    assert "A category with this name exists already." in page(response)
    assert snapshot(db) == before


@pytest.mark.parametrize(
    "overrides",
    [{"name": ""}, {"name": "  "}, {"name": "E"}, {"name": "N" * 81},
     {"name_en": "N" * 81}, {"description": "d" * 301}, {"sector": "space"},
     {"city_id": "999999"}, {"position": "-1"}, {"position": "abc"}],
)
def test_bad_category_input_is_refused(client, db, login_as, overrides):
    login_as("admin", locale="en")
    before = snapshot(db)
    response = client.post("/forums/categories/new", data=category_form(**overrides))
    assert response.status_code == 200
    assert "Please correct the following:" in page(response)
    assert snapshot(db) == before


def test_admin_renames_a_category_keeping_its_address(client, db, login_as):
    category = ff.category("agricultura")
    login_as("admin", locale="en")
    form = page(client.get(f"/forums/categories/{category.id}/edit"))
    assert 'value="Agricultură"' in form
    response = client.post(f"/forums/categories/{category.id}/edit", data=category_form(
        name="Agricultură și hrană", name_en="Farming and food", sector="agriculture"))
    assert response.status_code == 303
    category = fresh(db, category)
    assert (category.name, category.name_en, category.slug) == (
        "Agricultură și hrană", "Farming and food", "agricultura")
    assert "Farming and food" in page(client.get("/forums/c/agricultura"))
    assert client.get("/forums/categories/999999/edit").status_code == 404


def test_archived_category_is_read_only(client, db, login_as):
    thread = ff.thread(category_slug="industrie")
    db.session.commit()
    category = ff.category("industrie")
    login_as("admin")
    assert client.post(f"/forums/categories/{category.id}/edit", data=category_form(
        name="Industrie", name_en="Industry", sector="industry", archived="y")
    ).status_code == 303
    assert fresh(db, category).archived is True

    login_as("citizen", locale="en")
    before = snapshot(db)
    assert client.get("/forums/c/industrie/new").status_code == 403
    assert client.post("/forums/c/industrie/new", data=thread_form()).status_code == 403
    assert client.post(f"/forums/t/{thread.id}/reply", data={"body": "x"}).status_code == 409
    assert snapshot(db) == before
    assert "Start a thread" not in page(client.get("/forums/c/industrie"))
    html = page(client.get(f"/forums/t/{thread.id}"))
    assert f'action="/forums/t/{thread.id}/reply"' not in html
    # Still readable, and listed as archived.
    assert "(archived)" in page(client.get("/forums"))


@pytest.mark.parametrize("role", ["citizen", "moderator", "official", "unconfirmed"])
def test_only_admins_manage_categories(client, db, login_as, role):
    category = ff.category("general")
    login_as(role)
    before = snapshot(db)
    assert client.get("/forums/categories").status_code == 403
    assert client.get("/forums/categories/new").status_code == 403
    assert client.post("/forums/categories/new", data=category_form()).status_code == 403
    assert client.post(f"/forums/categories/{category.id}/edit",
                       data=category_form(name="Preluat")).status_code == 403
    assert snapshot(db) == before


# --- rate limit --------------------------------------------------------------------------------


def test_posting_is_rate_limited_per_person(app, client, db, login_as):
    allowed = post_limit(app)
    thread = ff.thread()
    db.session.commit()
    login_as("citizen")
    for n in range(allowed):
        response = client.post(f"/forums/t/{thread.id}/reply", data={"body": f"Mesaj {n}"})
        assert response.status_code == 303, n
    before = snapshot(db)

    response = client.post(f"/forums/t/{thread.id}/reply", data={"body": "Unul prea mult"})

    assert response.status_code == 429
    assert snapshot(db) == before
    assert fresh(db, thread).post_count == 1 + allowed
    # Another person is not affected.
    login_as("citizen")
    assert client.post(f"/forums/t/{thread.id}/reply", data={"body": "Altcineva"}
                       ).status_code == 303


def test_posting_routes_share_one_allowance(app, client, db, login_as):
    """Replies and new threads draw on the same per-person limit."""
    from limits import parse_many

    limits = parse_many(app.config["RATE_LIMIT_POST"])
    allowance = min(limits, key=lambda item: item.get_expiry()).amount
    login_as("citizen", locale="en")
    thread = ff.thread()
    db.session.commit()
    for n in range(allowance):
        reply = client.post(f"/forums/t/{thread.id}/reply", data={"body": f"r{n}"})
        assert reply.status_code == 303
    response = client.post("/forums/c/general/new", data={"title": "Încă una", "body": "text",
                                                           "city_id": "0", "tags": ""})
    assert response.status_code == 429


def test_likes_are_rate_limited_per_person(app, client, db, login_as):
    allowed = post_limit(app, "RATE_LIMIT_REACT")
    thread = ff.thread()
    post = ff.opening_post(thread)
    db.session.commit()
    login_as("citizen")
    for n in range(allowed):  # like, unlike, like…: both draw on one allowance
        response = client.post(f"/forums/p/{post.id}/{'unlike' if n % 2 else 'like'}")
        assert response.status_code == 303, n
    before = snapshot(db)

    assert client.post(f"/forums/p/{post.id}/like").status_code == 429
    assert client.post(f"/forums/p/{post.id}/unlike").status_code == 429

    assert snapshot(db) == before
    assert client.post(f"/forums/t/{thread.id}/reply", data={"body": "Încă pot scrie."}
                       ).status_code == 303  # posting has its own allowance
    login_as("citizen")  # another person is not affected
    assert client.post(f"/forums/p/{post.id}/like").status_code == 303


def test_reports_are_rate_limited_per_person(app, client, db, login_as):
    allowed = post_limit(app, "RATE_LIMIT_REPORT")
    thread = ff.thread()
    posts = ff.replies(thread, allowed + 1)
    db.session.commit()
    login_as("citizen", locale="en")
    for post in posts[:allowed]:
        response = client.post(f"/moderation/post/{post.id}/report", data={"reason": "Spam"})
        assert response.status_code == 303, post.number
    before = snapshot(db)

    response = client.post(f"/moderation/post/{posts[-1].id}/report", data={"reason": "Spam"})

    assert response.status_code == 429
    assert snapshot(db) == before
    assert count(Report) == allowed
    answer = client.get(f"/moderation/post/{posts[-1].id}/report")
    assert answer.status_code == 200  # only writes count
    login_as("citizen")  # another person is not affected
    assert client.post(f"/moderation/post/{posts[-1].id}/report", data={"reason": "Spam"}
                       ).status_code == 303


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


def test_rerender_rebuilds_post_html(app, db):
    thread = ff.thread(body="**gras**")
    post = ff.opening_post(thread)
    post.body_html = "<p>stale</p>"
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["m100", "rerender"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert "<strong>gras</strong>" in ff.opening_post(thread).body_html


def test_category_changes_are_in_the_public_log(client, db, login_as):
    login_as("admin", locale="en")
    before = count(ActivityEntry, ActivityEntry.verb == "forum_category_created")
    response = client.post("/forums/categories/new", data={
        "name": "Apă", "name_en": "Water", "description": "", "description_en": "",
        "sector": "", "city_id": "0", "position": "9"})
    assert response.status_code == 303
    assert count(ActivityEntry, ActivityEntry.verb == "forum_category_created") == before + 1


def test_archived_categories_are_read_only_for_every_write(client, db, login_as):
    author = login_as("citizen", locale="en")
    thread = ff.thread(author=author)
    other = ff.reply(thread, body="Alt mesaj")
    mine = ff.opening_post(thread)
    db.session.execute(update(Category).where(Category.id == thread.category_id)
                       .values(archived=True))
    db.session.commit()
    before = snapshot(db)
    assert client.post(f"/forums/p/{mine.id}/edit", data={"body": "x"}).status_code == 409
    assert client.post(f"/forums/p/{mine.id}/delete").status_code == 409
    assert client.post(f"/forums/p/{other.id}/like").status_code == 409
    answer = client.post(f"/moderation/post/{other.id}/report", data={"reason": "x"})
    assert answer.status_code == 409
    assert snapshot(db) == before


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
