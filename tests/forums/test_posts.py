"""A person's own posts over HTTP: editing (kept revisions, retitling), deleting (a
placeholder, counters), likes; others' posts are 403 and nothing is written."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from m100hub.forums.models import Post, PostRevision, Reaction
from tests.support import factories
from tests.support import forum_factories as ff
from tests.support.forum_factories import count
from tests.support.forums import fresh, page, snapshot

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


def test_rerender_rebuilds_post_html(app, db):
    thread = ff.thread(body="**gras**")
    post = ff.opening_post(thread)
    post.body_html = "<p>stale</p>"
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["m100", "rerender"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert "<strong>gras</strong>" in ff.opening_post(thread).body_html
