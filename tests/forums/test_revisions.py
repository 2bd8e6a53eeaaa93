"""A post's earlier texts: kept by every edit, shown newest first to moderators, admins and the
post's author, linked from the post's "edited" mark for them only. (Query counts:
tests/forums/test_query_counts.py.)"""

from __future__ import annotations

import re

import pytest

from m100hub.forums import services
from m100hub.forums.queries import REVISIONS_PER_PAGE
from m100hub.moderation import services as moderation
from tests.support import factories
from tests.support import forum_factories as ff
from tests.support.forums import HUGE_IDS, page, snapshot


def edited_post(author, texts: list[str]):
    """A reply by ``author`` whose text was then replaced by each of ``texts`` in turn."""
    thread = ff.thread()
    post = ff.reply(thread, author, body="Versiunea întâi.")
    for text in texts:
        services.edit_post(author, post, text)
    return post


def version_titles(html: str) -> list[str]:
    return re.findall(r'<h2 id="version-[^"]+">([^<]+)</h2>', html)


def revisions_link(post) -> str:
    return f'href="/forums/p/{post.id}/revisions"'


def test_the_author_sees_earlier_texts_newest_first(client, db, login_as):
    author = login_as("citizen", name="Ilinca Pop", locale="en")
    post = edited_post(author, ["Versiunea a doua.", "Versiunea a treia."])
    db.session.commit()

    response = client.get(f"/forums/p/{post.id}/revisions")

    assert response.status_code == 200
    html = page(response)
    assert "Earlier versions of post #2" in html
    assert version_titles(html) == ["Current text", "Version 2", "Version 1 (the original)"]
    texts = [html.index(t) for t in ("Versiunea a treia.", "Versiunea a doua.", "Versiunea întâi.")]
    assert texts == sorted(texts)
    assert html.count("By Ilinca Pop") == 3
    times = re.findall(r'<time datetime="([^"]+)"', html)
    # current: written; version 2: written, replaced; the original: written, replaced
    assert len(times) == 5
    assert times[1] == times[4]  # version 2 was written when the original was replaced
    assert times[3] == post.created_dt.isoformat()  # the original, with the post


def test_the_edited_mark_links_to_the_versions_only_for_those_allowed(client, db, login_as):
    author = factories.user()
    post = edited_post(author, ["Versiunea a doua."])
    thread_url = f"/forums/t/{post.thread_id}"
    db.session.commit()
    client.set_cookie("lang", "en")
    assert "edited" in page(client.get(thread_url))
    assert revisions_link(post) not in page(client.get(thread_url))  # anonymous
    for role, linked in [
        ("citizen", False),
        ("unconfirmed", False),
        ("official", False),
        ("moderator", True),
        ("admin", True),
    ]:
        login_as(role, locale="en")
        assert (revisions_link(post) in page(client.get(thread_url))) is linked, role
    login_as(user=author)
    assert revisions_link(post) in page(client.get(thread_url))


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_moderators_and_admins_see_the_versions_and_nothing_is_written(client, db, login_as, role):
    post = edited_post(factories.user(), ["Versiunea a doua."])
    db.session.commit()
    login_as(role, locale="en")
    before = snapshot(db)

    response = client.get(f"/forums/p/{post.id}/revisions")

    assert response.status_code == 200
    assert "Versiunea întâi." in page(response) and "Versiunea a doua." in page(response)
    assert snapshot(db) == before


def test_others_are_refused(client, db, login_as):
    post = edited_post(factories.user(), ["Versiunea a doua."])
    db.session.commit()
    url = f"/forums/p/{post.id}/revisions"

    response = client.get(url)
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
    for role in ("citizen", "unconfirmed", "official"):
        login_as(role)
        response = client.get(url)
        assert response.status_code == 403, role
        assert "Versiunea întâi." not in page(response)


def test_hidden_and_deleted_posts_keep_their_versions_for_moderators(client, db, login_as):
    author = factories.user()
    hidden = edited_post(author, ["Text jignitor."])
    deleted = edited_post(author, ["Text retras."])
    moderation.hide(factories.person("moderator"), hidden, "Jignitor")
    services.delete_post(author, deleted)
    db.session.commit()
    login_as("moderator", locale="en")
    assert "Text jignitor." in page(client.get(f"/forums/p/{hidden.id}/revisions"))
    assert "Text retras." in page(client.get(f"/forums/p/{deleted.id}/revisions"))
    login_as("citizen")
    assert client.get(f"/forums/p/{hidden.id}/revisions").status_code == 403


@pytest.mark.parametrize("bad", [*HUGE_IDS, "999999"])
def test_unknown_posts_are_404(client, db, login_as, bad):
    login_as("moderator")
    assert client.get(f"/forums/p/{bad}/revisions").status_code == 404


def test_a_hidden_opening_posts_versions_are_for_moderators(client, db, login_as):
    author = factories.user()
    thread = ff.thread(author)
    opening = ff.opening_post(thread)
    services.edit_post(author, opening, "Al doilea text.")
    moderation.hide(factories.person("moderator"), opening, "Spam")
    db.session.commit()
    login_as("citizen")
    assert client.get(f"/forums/p/{opening.id}/revisions").status_code == 403
    login_as("moderator")
    assert client.get(f"/forums/p/{opening.id}/revisions").status_code == 200


def test_an_unedited_post_says_so(client, db, login_as):
    author = login_as("citizen", locale="en")
    post = ff.opening_post(ff.thread(author, body="Neatins."))
    db.session.commit()
    html = page(client.get(f"/forums/p/{post.id}/revisions"))
    assert "This post has not been edited." in html
    assert version_titles(html) == ["Current text"] and "Neatins." in html


def test_earlier_texts_are_shown_as_inert_text(client, db, login_as):
    author = login_as("citizen", locale="en")
    post = edited_post(author, ["<script>alert(1)</script> **gras** <img src=x onerror=alert(1)>"])
    db.session.commit()
    html = page(client.get(f"/forums/p/{post.id}/revisions"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; **gras**" in html
    assert "<script>alert" not in html and "<img src=x" not in html


def test_many_versions_are_paged(client, db, login_as):
    author = login_as("citizen", locale="en")
    edits = REVISIONS_PER_PAGE + 4
    post = edited_post(author, [f"Versiunea nr. {n}." for n in range(2, edits + 2)])
    db.session.commit()
    url = f"/forums/p/{post.id}/revisions"

    first = page(client.get(url))
    assert version_titles(first)[:2] == ["Current text", f"Version {edits}"]
    assert len(version_titles(first)) == 1 + REVISIONS_PER_PAGE
    assert f'href="{url}?page=2">Older versions' in first and "Newer versions" not in first
    second = page(client.get(f"{url}?page=2"))
    assert version_titles(second)[-1] == "Version 1 (the original)"
    assert len(version_titles(second)) == edits - REVISIONS_PER_PAGE
    assert "Current text" not in second and "Older versions" not in second
    assert f'href="{url}?page=1">Newer versions' in second
    assert "has not been edited" not in page(client.get(f"{url}?page=9"))
