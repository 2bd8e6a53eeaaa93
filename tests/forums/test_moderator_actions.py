"""Moderators' and admins' forum actions over HTTP: pin, lock, move (logged), category
administration, archived categories read-only; others get 403 and nothing is written."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from m100hub.activity.models import ActivityEntry
from m100hub.forums.models import Category
from tests.support import forum_factories as ff
from tests.support.forum_factories import count
from tests.support.forums import activity, fresh, page, snapshot, thread_form

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
    assert "Water and climate" in page(client.get("/forums/categories"))  # English reader
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
