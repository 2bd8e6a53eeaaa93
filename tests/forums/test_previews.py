"""Previews of replies and edits: the server renders the text as it would be published (clean
HTML, linked mentions) and writes nothing — no post, no revision, no notification."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from m100hub.forums.models import Category
from tests.support import factories
from tests.support import forum_factories as ff
from tests.support.forums import page, snapshot

UNSAFE = (
    "**Îngroșat** pentru @ana.vede <script>alert(1)</script> [x](javascript:alert(1)) "
    "<img src=x onerror=alert(1)>"
)


def preview_of(html: str) -> str:
    """The preview section of a page."""
    assert 'class="preview"' in html, "no preview shown"
    start = html.index('class="preview"')
    return html[start : html.index("</section>", start)]


def assert_clean_preview(html: str, mentioned) -> None:
    preview = preview_of(html)
    assert "<strong>Îngroșat</strong>" in preview
    assert f'<a class="mention" href="/u/{mentioned.id}">@ana.vede</a>' in preview
    assert "<script" not in preview and "<img" not in preview
    assert 'href="javascript:' not in preview
    # The form keeps the text as typed, escaped.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


# --- replies ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["citizen", "official", "moderator", "admin"])
def test_reply_preview_shows_the_thread_with_clean_html_and_writes_nothing(
    client, db, login_as, role
):
    mentioned = factories.user(handle="ana.vede")
    thread = ff.thread(body="Mesajul de deschidere.")
    db.session.commit()
    login_as(role, locale="en")
    before = snapshot(db)

    response = client.post(f"/forums/t/{thread.id}/reply", data={"body": UNSAFE, "preview": "1"})

    assert response.status_code == 200
    html = page(response)
    assert "Mesajul de deschidere." in html  # the thread page, with its posts
    assert f'action="/forums/t/{thread.id}/reply"' in html and "Post reply" in html
    assert_clean_preview(html, mentioned)
    assert snapshot(db) == before  # no post, no notification, no follow, no read marker


def test_reply_preview_then_posting_publishes_what_was_previewed(client, db, login_as):
    thread = ff.thread()
    db.session.commit()
    login_as("citizen", locale="en")
    body = "Un răspuns *gândit*."

    previewed = preview_of(
        page(client.post(f"/forums/t/{thread.id}/reply", data={"body": body, "preview": "1"}))
    )
    response = client.post(f"/forums/t/{thread.id}/reply", data={"body": body})

    assert response.status_code == 303
    assert ff.post_number(thread, 2).body_html in previewed


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "This field is required."),
        ("  \n ", "This field is required."),
        ("R" * 20001, "Field cannot be longer than 20000 characters."),
    ],
)
def test_a_preview_of_a_bad_reply_is_refused_like_the_reply(client, db, login_as, body, message):
    thread = ff.thread()
    db.session.commit()
    login_as("citizen", locale="en")
    before = snapshot(db)

    response = client.post(f"/forums/t/{thread.id}/reply", data={"body": body, "preview": "1"})

    assert response.status_code == 422
    assert message in page(response) and 'class="preview"' not in page(response)
    assert snapshot(db) == before


def test_reply_preview_is_refused_where_replying_is(client, db, login_as):
    thread = ff.thread()
    locked = ff.thread()
    locked.locked = True
    archived_thread = ff.thread(category_slug="industrie")
    db.session.execute(
        update(Category).where(Category.id == archived_thread.category_id).values(archived=True)
    )
    db.session.commit()
    data = {"body": "Previzualizare", "preview": "1"}
    before = snapshot(db)

    response = client.post(f"/forums/t/{thread.id}/reply", data=data)  # anonymous
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
    login_as("unconfirmed")
    assert client.post(f"/forums/t/{thread.id}/reply", data=data).status_code == 403
    login_as("citizen")
    assert client.post(f"/forums/t/{locked.id}/reply", data=data).status_code == 409
    assert client.post(f"/forums/t/{archived_thread.id}/reply", data=data).status_code == 409
    assert client.post("/forums/t/999999/reply", data=data).status_code == 404
    assert snapshot(db) == before


def test_the_reply_form_offers_a_preview_button(client, db, login_as):
    thread = ff.thread()
    db.session.commit()
    login_as("citizen", locale="en")
    html = page(client.get(f"/forums/t/{thread.id}"))
    reply_form = html[html.index('id="reply"') :]
    assert 'name="preview"' in reply_form and "Preview" in reply_form
    assert 'class="preview"' not in html  # nothing to preview yet


# --- edits -----------------------------------------------------------------------------------


@pytest.mark.parametrize("number", [1, 2])
def test_edit_preview_renders_clean_html_and_writes_nothing(client, db, login_as, number):
    mentioned = factories.user(handle="ana.vede")
    author = login_as("citizen", locale="en")
    thread = ff.thread(author, title="Titlul de acum", body="Textul de acum.")
    ff.reply(thread, author, body="Răspunsul de acum.")
    post = ff.post_number(thread, number)
    db.session.commit()
    before = snapshot(db)

    response = client.post(
        f"/forums/p/{post.id}/edit",
        data={"body": UNSAFE, "title": "Titlu previzualizat", "preview": "1"},
    )

    assert response.status_code == 200
    html = page(response)
    assert "Edit your post" in html
    assert_clean_preview(html, mentioned)
    if number == 1:
        assert 'value="Titlu previzualizat"' in html  # kept as typed, not saved
    assert snapshot(db) == before  # no new text, no revision, no title, no notification


def test_edit_preview_of_bad_input_shows_the_errors_and_writes_nothing(client, db, login_as):
    author = login_as("citizen", locale="en")
    post = ff.opening_post(ff.thread(author))
    db.session.commit()
    before = snapshot(db)
    for data in ({"body": ""}, {"body": "x" * 20001}, {"body": "Bun.", "title": "ab"}):
        response = client.post(f"/forums/p/{post.id}/edit", data={**data, "preview": "1"})
        assert response.status_code == 200
        assert "Please correct the following:" in page(response)
        assert 'class="preview"' not in page(response)
    assert snapshot(db) == before


def test_edit_preview_is_only_for_the_author(client, db, login_as):
    author = factories.user()
    thread = ff.thread(author)
    post = ff.opening_post(thread)
    db.session.commit()
    data = {"body": "Altceva", "preview": "1"}
    before = snapshot(db)

    response = client.post(f"/forums/p/{post.id}/edit", data=data)  # anonymous
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
    for role in ("unconfirmed", "citizen", "official", "moderator", "admin"):
        login_as(role)
        assert client.post(f"/forums/p/{post.id}/edit", data=data).status_code == 403, role
    login_as("citizen", user=author)
    assert client.post("/forums/p/999999/edit", data=data).status_code == 404
    assert snapshot(db) == before


def test_edit_preview_of_a_post_in_an_archived_category_is_409(client, db, login_as):
    author = login_as("citizen")
    thread = ff.thread(author, category_slug="agricultura")
    db.session.execute(
        update(Category).where(Category.id == thread.category_id).values(archived=True)
    )
    db.session.commit()
    before = snapshot(db)
    response = client.post(
        f"/forums/p/{ff.opening_post(thread).id}/edit", data={"body": "Nou", "preview": "1"}
    )
    assert response.status_code == 409
    assert snapshot(db) == before


def test_the_edit_form_offers_a_preview_button(client, db, login_as):
    author = login_as("citizen", locale="en")
    post = ff.opening_post(ff.thread(author))
    db.session.commit()
    html = page(client.get(f"/forums/p/{post.id}/edit"))
    assert 'name="preview"' in html and 'class="preview"' not in html
