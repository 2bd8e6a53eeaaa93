"""Forums over HTTP: the index and the category pages (order, counts, pages, tags), and
starting a thread: preview, Markdown, permissions per role, and bad input refused with a
clear message and nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from m100hub.database import utcnow
from m100hub.forums.models import Subscription, Thread
from m100hub.forums.queries import THREADS_PER_PAGE
from tests.support import factories
from tests.support import forum_factories as ff
from tests.support.forum_factories import count
from tests.support.forums import (
    english,
    fresh,
    page,
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
